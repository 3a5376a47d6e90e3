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
/* A user namespace with these maps, owned by `owner`; its fd. */
int userns_make_idmap_fd(const struct lb_idmap *uids,
			 const struct lb_idmap *gids, uid_t owner,
			 struct lb_err *err);

#endif
