// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup v2 nodes of a box: <v2 root>/loginbox/u<UID>/s<ID>.
 *
 * Pure cgroup v2 hosts mount the hierarchy on /sys/fs/cgroup; hybrid hosts
 * (this project's CI machines) have a controller-less cgroup2 on
 * /sys/fs/cgroup/unified.  Even without controllers a v2 node gives us
 * cgroup.kill (every process of the session, however it forked) and
 * cgroup.events (is anything left), which is what teardown needs.  Limits
 * are written where the controllers exist (issue: cgroup limits).
 * Every node is reached through directory fds opened with O_NOFOLLOW.
 *
 * cgroup v2 allows processes only in leaves once controllers are enabled
 * below a node ("no internal processes"), so a box's node holds none
 * itself: init lives in s<ID>/init, the programs of each login in
 * s<ID>/login-<PID> (PID: the login process on the host), and the limits
 * stay on s<ID> (and u<UID>), where they bound every leaf together.  The
 * leaves give `loginbox show` its usage per login.  Init is born in
 * init/ with its cgroup namespace (and so the box's /sys/fs/cgroup)
 * rooted at s<ID>, made by a first process there (userns.c): nothing is
 * moved, a move waits for an RCU grace period.
 *
 * On a systemd host the tree belongs to systemd: loginbox stays inside
 * what it is delegated, the cgroup of loginbox.service (Delegate=yes),
 * whose own process (loginbox gc --watch) sits in a "supervisor" leaf so
 * the unit's node can pass controllers down.  Without that unit there is
 * no base, and limits follow `limits` (required refuses).
 *
 * This file finds the hierarchy and ends a node (teardown, gc: linked by
 * the admin command too); making a box's node is the builder's, in
 * limits.c.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "paths.h"
#include "proc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 &&
	       (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cg_v2_root(bool *pure)
{
	if (access("/run/systemd/system", F_OK) == 0) {
		*pure = is_cgroup2("/sys/fs/cgroup");
		return is_cgroup2(LB_SYSTEMD_CGROUP) ? LB_SYSTEMD_CGROUP : NULL;
	}
	if (is_cgroup2("/sys/fs/cgroup")) {
		*pure = true;
		return "/sys/fs/cgroup";
	}
	*pure = false;
	if (is_cgroup2("/sys/fs/cgroup/unified"))
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* Wait until the node is empty ("populated 0" in cgroup.events). */
static int wait_empty(int cgfd, int timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char buf[256];
		struct lb_err e;
		long ms;

		if (fs_read_small(cgfd, "cgroup.events", buf, sizeof(buf), &e) <
		    0)
			return -1;
		if (strstr(buf, "populated 0"))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > timeout_ms)
			return -1;
		poll(NULL, 0, 5);
	}
}

/* rmdir every (empty) child of a box's node; returns how many are left. */
static int rm_leaves(int sfd)
{
	struct dirent *de;
	int dfd = dup(sfd), left = 0;
	DIR *d;

	if (dfd < 0)
		return 0;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    unlinkat(sfd, de->d_name, AT_REMOVEDIR) < 0 &&
		    errno != ENOENT)
			left++;
	closedir(d);
	return left;
}

int cg_kill_and_remove(const char *cg_path, struct lb_err *err)
{
	cleanup_close int sfd = -1;
	char upath[256], *slash;

	if (!cg_path[0])
		return 0;
	/* Only ever touch nodes below a loginbox subtree of a cgroup2 fs. */
	if (!strstr(cg_path, "/" LB_CGROUP_NAME "/") || strstr(cg_path, ".."))
		return lb_fail(err, EINVAL, "refusing cgroup path %s", cg_path);
	sfd = open(cg_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return errno == ENOENT ? 0 : lb_fail(err, errno, "open %s", cg_path);
	if (fs_write_at(sfd, "cgroup.kill", "1", err) < 0)
		return -1;
	if (wait_empty(sfd, 5000) < 0)
		return lb_fail(err, EBUSY, "%s still has processes", cg_path);
	/* its leaves first: rmdir of a node with children is EBUSY */
	rm_leaves(sfd);
	/* network = pasta's leaf (net_pasta.c), emptied by the kill above */
	if (unlinkat(sfd, "pasta", AT_REMOVEDIR) < 0 && errno != ENOENT)
		return lb_fail(err, errno, "rmdir %s/pasta", cg_path);
	if (rmdir(cg_path) < 0 && errno != ENOENT)
		return lb_fail(err, errno, "rmdir %s", cg_path);
	/* The user's node goes with their last session. */
	snprintf(upath, sizeof(upath), "%s", cg_path);
	slash = strrchr(upath, '/');
	if (slash) {
		*slash = '\0';
		if (rmdir(upath) < 0 && errno != ENOTEMPTY && errno != EBUSY &&
		    errno != ENOENT)
			return lb_fail(err, errno, "rmdir %s", upath);
	}
	return 0;
}

int cg_mkdir_open(int dfd, const char *name, struct lb_err *err)
{
	int fd;

	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir cgroup %s", name);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open cgroup %s", name);
	return fd;
}

void cg_enter_keeper_leaf(void)
{
	cleanup_close int rootfd = -1, lbfd = -1, kfd = -1;
	struct lb_err e;
	const char *root;
	bool pure;

	/* A leaf of its own beside the users' nodes: never in a box's node
	 * (whose cgroup.kill the keeper itself writes at teardown). */
	root = cg_v2_root(&pure);
	if (!root)
		return;
	lb_err_clear(&e);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0 || (lbfd = cg_mkdir_open(rootfd, LB_CGROUP_NAME, &e)) < 0 ||
	    (kfd = cg_mkdir_open(lbfd, LB_CGROUP_KEEPERS, &e)) < 0)
		return;
	fs_write_at(kfd, "cgroup.procs", "0", &e);
}

int cg_box_path(const struct lb_state *st, char *out, size_t len)
{
	const char *root;
	bool pure;

	/* Rebuilt from what we own (uid, id), never the state's text. */
	root = cg_v2_root(&pure);
	if (!st->cgroup[0] || !root)
		return -1;
	snprintf(out, len, "%s/%s/u%u/s%lu", root, LB_CGROUP_NAME,
		 (unsigned)st->uid, st->id);
	return 0;
}

int cg_login_leaf(int cgfd, pid_t login, uid_t owner, gid_t gowner,
		  struct lb_err *err)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "%s%d", LB_CG_LOGIN_PREFIX, (int)login);
	fd = cg_mkdir_open(cgfd, name, err);
	/* CLONE_INTO_CGROUP also needs write access to the target's own
	 * cgroup.procs (cgroup_css_set_fork): box root's, like the node's
	 * (cg_init_leaf). */
	if (fd >= 0 && fchownat(fd, "cgroup.procs", owner, gowner, 0) < 0) {
		lb_fail(err, errno, "chown %s/cgroup.procs", name);
		close(fd);
		return -1;
	}
	return fd;
}

void cg_sweep_leaves(const char *cg_path, pid_t only)
{
	cleanup_close int sfd = -1;
	struct dirent *de;
	DIR *d;
	int dfd;

	sfd = open(cg_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || (dfd = dup(sfd)) < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(LB_CG_LOGIN_PREFIX);
		char *end;
		long pid;

		if (de->d_type != DT_DIR ||
		    strncmp(de->d_name, LB_CG_LOGIN_PREFIX, n) != 0)
			continue;
		pid = strtol(de->d_name + n, &end, 10);
		if (*end || pid <= 1)
			continue;
		/* the login that just left, or any whose process is gone;
		 * a leaf still running something (EBUSY) stays */
		if (only > 0 ? pid == only : proc_start_time((pid_t)pid) == 0)
			unlinkat(sfd, de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}
