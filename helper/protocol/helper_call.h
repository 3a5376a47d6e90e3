/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calling loginbox-helper from a root process (pam_loginbox, loginbox run),
 * the pam_mkhomedir way: fork + exec at the compiled-in absolute path, an
 * empty environment (PATH only), stdin/stdout/stderr on /dev/null, every
 * other fd closed but the reply socket on fd 3, signal mask and SIGCHLD
 * reset for the call, exit status read back.
 */
#ifndef LB_HELPER_CALL_H
#define LB_HELPER_CALL_H

#include <sys/types.h>

#include "err.h"

#define LB_HELPER_REPLY_FD 3

/*
 * A box as its login process holds it.  The box's init is the caller's
 * child (the helper clones it with CLONE_PARENT, so that someone who
 * exists reaps it): lb_helper_close reaps it after the teardown.
 */
struct lb_handle {
	unsigned long id;
	pid_t init_pid;
	int via_keeper; /* joined through the keeper (keeper_call.h): its
			 * close is tried there first */
};

/* Build a box for user; fills h and the box's netns fd. */
int lb_helper_open(const char *user, const char *service, struct lb_handle *h,
		   int *netns_fd, struct lb_err *err);

/* The same, naming the login's remote host (PAM_RHOST) for the helper's
 * audit record (audit.h); rhost may be NULL. */
int lb_helper_open_rhost(const char *user, const char *service,
			 const char *rhost, struct lb_handle *h, int *netns_fd,
			 struct lb_err *err);

/* What follows "ok" in the reply of `open` (reply.h: lb_reply_parse),
 * " ID PID": fills h; -1 when ID is missing or 0. */
int lb_helper_parse_open(const char *args, struct lb_handle *h);

/* End a box, and reap what of it is the caller's child. */
int lb_helper_close(const struct lb_handle *h, struct lb_err *err);

#endif
