/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup v2 hierarchy and ending a node (cgroup.c), shared by teardown
 * and gc.  Making a box's node and writing its limits is the builder's
 * (limits.c, box.h).
 */
#ifndef LB_CGROUP_H
#define LB_CGROUP_H

#include <stdbool.h>

#include "err.h"

/* mount point of the cgroup v2 hierarchy, or NULL; *pure says whether it
 * is the only hierarchy (no v1 controllers). */
const char *cg_v2_root(bool *pure);
/* cgroup.kill, wait until empty, rmdir. */
int cg_kill_and_remove(const char *cg_path, struct lb_err *err);

#endif
