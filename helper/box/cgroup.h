/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup v2 hierarchy and ending a node (cgroup.c), shared by teardown
 * and gc.  Making a box's node and writing its limits is the builder's
 * (limits.c, box.h).
 */
#ifndef LB_CGROUP_H
#define LB_CGROUP_H

#include <stdbool.h>

#include <sys/types.h>

#include "err.h"
#include "session.h"

/* mount point of the cgroup v2 hierarchy, or NULL; *pure says whether it
 * is the only hierarchy (no v1 controllers). */
const char *cg_v2_root(bool *pure);
/* cgroup.kill, wait until empty, rmdir. */
int cg_kill_and_remove(const char *cg_path, struct lb_err *err);
/* mkdir (existing is fine) and open a cgroup directory beneath dfd. */
int cg_mkdir_open(int dfd, const char *name, struct lb_err *err);
/* Move the caller into loginbox/keepers (keeper.h); best-effort. */
void cg_enter_keeper_leaf(void);
/* Leaves of a box's node: login-PID (an fd on it, cgroup.procs owned by
 * box root for CLONE_INTO_CGROUP), the node's path rebuilt from st (-1:
 * none), and removal of leaves whose login is gone (only > 0: that
 * login's leaf).  init/ is made by the builder (box.h, cg_init_leaf). */
#define LB_CG_LOGIN_PREFIX "login-"
int cg_login_leaf(int cgfd, pid_t login, uid_t owner, gid_t gowner,
		  struct lb_err *err);
int cg_box_path(const struct lb_state *st, char *out, size_t len);
void cg_sweep_leaves(const char *cg_path, pid_t only);

#endif
