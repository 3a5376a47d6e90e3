/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LXCFS for `lxcfs = yes` (kfs_lxcfs.c): whether it runs, and its files
 * bound over the box's /proc and /sys.  Shared with `loginbox check`.
 */
#ifndef LB_LXCFS_H
#define LB_LXCFS_H

#include "err.h"

/* Is LXCFS there (a FUSE mount on /var/lib/lxcfs whose root is root's)? */
int lxcfs_check(struct lb_err *err);
/* Its files over the box's /proc and /sys, beneath rootfd. */
int kfs_lxcfs(int rootfd, struct lb_err *err);

#endif
