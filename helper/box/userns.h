/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User namespaces owned by a box's first subordinate uid (userns.c).  Used
 * by the builder and by `loginbox doctor`'s idmapped-mount probe.
 */
#ifndef LB_USERNS_H
#define LB_USERNS_H

#include <sys/types.h>

#include "err.h"
#include "idmap.h"

struct clone_args;
/* clone3 (flags must hold CLONE_NEWUSER) with the new user namespace owned
 * by `owner`, the user's first subordinate uid; 0 in the child. */
pid_t userns_clone_owned(struct clone_args *ca, uid_t owner,
			 struct lb_err *err);
/*
 * The box's init: as userns_clone_owned, but born in the cgroup leaf
 * ca->cgroup (CLONE_INTO_CGROUP, CLONE_PIDFD required) with a new cgroup
 * namespace rooted at root_cgfd, its parent node, without moving it
 * there afterwards (userns.c).  A short-lived first process makes the
 * namespaces in the node and clones init with CLONE_PARENT: init is our
 * child.  0 in init; its pid in the caller, its pidfd in *ca->pidfd.
 * root_cgfd < 0 (a box without a node): userns_clone_owned.
 */
pid_t userns_clone_rooted(struct clone_args *ca, int root_cgfd, uid_t owner,
			  struct lb_err *err);

/* The child's pid and pidfd (or the error in e, pid < 0) over sock, to
 * the process that waits in userns_recv_child (who: "the box's keeper"
 * in its messages).  Returns the pid, *pidfd set; <0 with err. */
int userns_report_child(int sock, pid_t pid, int pidfd,
			const struct lb_err *e);
pid_t userns_recv_child(int sock, const char *who, int *pidfd,
			struct lb_err *err);

/* A user namespace with these maps, owned by `owner`; its fd. */
int userns_make_idmap_fd(const struct lb_idmap *uids,
			 const struct lb_idmap *gids, uid_t owner,
			 struct lb_err *err);

#endif
