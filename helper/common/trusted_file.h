/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files whose writer decides who is boxed and how (the config,
 * /etc/subuid, /etc/subgid): opened with O_NOFOLLOW, checked on the fd
 * (regular file or directory as asked, owned by root, not writable by
 * group or others) and read whole, so the file checked is the file read.
 */
#ifndef LB_TRUSTED_FILE_H
#define LB_TRUSTED_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Open dirfd/name (`path` names it in messages) and check it. */
int lb_trusted_open(int dirfd, const char *name, const char *path, bool dir,
		    bool check_owner, struct lb_err *err);

/* Open, check and read a regular file of at most `max` bytes without NUL
 * bytes; *out (malloc'ed, NUL-terminated) and *len on success. */
int lb_trusted_read(int dirfd, const char *name, const char *path,
		    bool check_owner, size_t max, char **out, size_t *len,
		    struct lb_err *err);

#endif
