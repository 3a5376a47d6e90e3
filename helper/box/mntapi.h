/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The new mount API, wrapped (fsopen/fsconfig/fsmount, open_tree,
 * mount_setattr, move_mount).  Mounts are built detached and attached to a
 * target given as an O_PATH fd, so no mount ever follows a path inside an
 * image.  Each function returns an fd (or 0) or -1 with err filled.
 */
#ifndef LB_MNTAPI_H
#define LB_MNTAPI_H

#include <stdint.h>

#include "err.h"

/* A new filesystem: type, "key=value" / "flag" options (NULL-terminated),
 * mount attributes (MOUNT_ATTR_*).  Returns a detached mount fd. */
int mnt_new(const char *type, const char *const *opts, uint64_t attrs,
	    struct lb_err *err);

/* A detached clone of dirfd/path (AT_EMPTY_PATH when path is ""). */
int mnt_clone(int dirfd, const char *path, int recursive, struct lb_err *err);

/* Change attributes of a detached or attached mount; userns_fd >= 0 makes
 * it idmapped. */
int mnt_setattr(int mfd, uint64_t set, uint64_t clr, int userns_fd,
		struct lb_err *err);

/* Set attributes on the mount and every mount below it: a recursive bind
 * of a home carries the user's own submounts, which must not keep suid
 * or device nodes. */
int mnt_setattr_tree(int mfd, uint64_t set, struct lb_err *err);

/* Attach mount fd at target fd (O_PATH). `what` names it in messages. */
int mnt_attach(int mfd, int target_fd, const char *what, struct lb_err *err);

/* A new filesystem of `type` mounted on `path`, a directory resolved
 * beneath rootfd without following links (fsutil.h). */
int mnt_new_at(int rootfd, const char *type, const char *path,
	       const char *const *opts, uint64_t attrs, struct lb_err *err);

#endif
