/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fd-based path handling for everything an image or a user can influence
 * (docs/SECURITY.md invariant: a privileged process never follows a path a user
 * could have planted).  Lookups inside a box root use openat2() with
 * RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, so an
 * image with /etc -> / or /proc -> /host/proc is refused, not followed.
 */
#ifndef LB_FSUTIL_H
#define LB_FSUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* Open `path` (relative to root, leading '/' allowed) strictly inside
 * rootfd with O_PATH (plus extra flags). */
int fs_open_in_root(int rootfd, const char *path, int flags,
		    struct lb_err *err);

/* Make sure directory `path` exists inside rootfd (creating missing
 * components with mode and owner), and return an O_PATH fd on it.
 * A symlink or non-directory on the way is an error naming the path. */
int fs_mkdir_in_root(int rootfd, const char *path, mode_t mode, uid_t uid,
		     gid_t gid, struct lb_err *err);

/* Same for a regular file (created empty when missing): a bind target. */
int fs_file_in_root(int rootfd, const char *path, mode_t mode, uid_t uid,
		    gid_t gid, struct lb_err *err);

/* Remove dirfd/name recursively, never following symlinks and never
 * crossing into another filesystem.  Missing is not an error. */
int fs_rmtree_at(int dirfd, const char *name, struct lb_err *err);

/* Read a small file fully (NUL-terminated); returns length. */
ssize_t fs_read_small(int dirfd, const char *name, char *buf, size_t cap,
		      struct lb_err *err);

/* Write a small file at once (O_WRONLY|O_TRUNC, no create). */
int fs_write_at(int dirfd, const char *name, const char *data,
		struct lb_err *err);

#endif
