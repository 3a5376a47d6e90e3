/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keeper of a box that may outlive its logins (session = user).
 *
 * A box's init must be nobody's login child (shadow's login reaps with
 * wait(NULL)), and the helper that builds it exits at once.  Without a
 * keeper init was reparented to PID 1, which reaps when it pleases (this
 * project's CI PID 1 about every 2 s; some never), and nothing on the host
 * noticed when init ended on its own: when a lingering box's time was
 * over, when the last process of a lingering box ended, or when its last
 * login process was killed.  Its session dir, cgroup node, upper and
 * network stayed until the next `loginbox gc` (60 s with the service,
 * never without it).
 *
 * So a forked helper clones init and stays its parent: it hands init's
 * pid and pidfd to the building helper, leaves the login's session and
 * cgroup, and execs `loginbox-helper keep ID PID START` (a fresh image:
 * nothing of the build stays in memory).  That process reaps init the
 * moment it exits and tears the box down under the user's lock, as a
 * logout would; a teardown already under way (logout, kill, gc) leaves it
 * nothing to do.
 */
#ifndef LB_KEEPER_H
#define LB_KEEPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "box.h"

struct clone_args;

/*
 * Fork the keeper, which clones init with ca (child_fn(child_arg) runs in
 * init and never returns).  In the helper: init's pid, *pidfd set; <0 on
 * failure (nothing left running).  Never returns in the keeper.
 */
pid_t keeper_clone_init(struct lb_box *b, struct clone_args *ca, int *pidfd,
			int (*child_fn)(void *), void *child_arg,
			struct lb_err *err);

/* `loginbox-helper keep ID PID START`: wait for init (our child), then end
 * the box if its state still names that init.  Returns the exit status. */
int keeper_main(unsigned long id, pid_t init_pid, unsigned long long start);

/*
 * Joins and leaves served without a helper run (keeper_serve.c,
 * keeper_call.h).  keeper_listen: the listening socket in box id's session
 * directory, or -1 (then the keeper serves nothing; logins use the
 * helper).
 */
int keeper_listen(unsigned long id);

/*
 * The spare: a fork of the keeper made ahead of the next connection, which
 * accepts it, answers it and exits (one at a time).  busy is readable once
 * it has accepted.  keeper_spare_start: 0, or <0 (no spare: after
 * repeated failures none is started again).  keeper_spare_reap: after its
 * pidfd is readable.  keeper_spare_stop: at the box's end, kill an idle
 * spare, wait for a busy one (its alarm bounds it).  keeper_refuse_one:
 * without a spare, hang up on a pending connection (its login uses the
 * helper).
 */
struct keeper_spare {
	pid_t pid;
	int pidfd, busy;
	int failures;
	bool warm; /* the NSS modules loaded in the keeper (keeper_serve.c) */
};
#define KEEPER_SPARE_NONE {.pid = -1, .pidfd = -1, .busy = -1}
int keeper_spare_start(struct keeper_spare *sp, int lfd, unsigned long id);
void keeper_spare_reap(struct keeper_spare *sp);
void keeper_spare_stop(struct keeper_spare *sp);
void keeper_refuse_one(int lfd);

/* /run/loginbox/users/UID.box names box id: written by the helper that
 * built or joined uid's box, under the user's lock.  Best effort. */
void keeper_index_write(uid_t uid, unsigned long id);

#endif
