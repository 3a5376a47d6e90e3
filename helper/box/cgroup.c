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
 * On a systemd host the tree belongs to systemd: loginbox stays inside
 * what it is delegated, the cgroup of loginbox.service (Delegate=yes),
 * whose own process (loginbox gc --watch) sits in a "supervisor" leaf so
 * the unit's node can pass controllers down.  Without that unit there is
 * no base, and limits follow `limits` (required refuses).
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "paths.h"

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

static int mkdir_open(int dfd, const char *name, struct lb_err *err)
{
	int fd;

	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir cgroup %s", name);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open cgroup %s", name);
	return fd;
}

int cg_create(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int rootfd = -1, lbfd = -1, ufd = -1;
	char uname[32], sname[32];
	const char *root;
	bool pure;

	root = cg_v2_root(&pure);
	if (!root && access("/run/systemd/system", F_OK) == 0) {
		lb_fail(err, ENOENT, "no delegated cgroup %s", LB_SYSTEMD_CGROUP);
		return lb_hint(err, "systemctl enable --now loginbox.service");
	}
	if (!root)
		return lb_fail(err, ENOENT, "no cgroup v2 hierarchy mounted");
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return lb_fail(err, errno, "open %s", root);
	lbfd = mkdir_open(rootfd, LB_CGROUP_NAME, err);
	if (lbfd < 0)
		return -1;
	snprintf(uname, sizeof(uname), "u%u", (unsigned)b->user.uid);
	snprintf(sname, sizeof(sname), "s%lu", b->id);
	/* Teardowns take a per-user lock that logins do not wait for: the
	 * user's node may go (their last other box ending) between the two
	 * mkdirs.  Then make it again; once our node is in it, rmdir fails. */
	for (int tries = 0;; tries++) {
		ufd = mkdir_open(lbfd, uname, err);
		if (ufd < 0)
			return -1;
		b->cgfd = mkdir_open(ufd, sname, err);
		if (b->cgfd >= 0)
			break;
		if (err->errnum != ENOENT || tries == 3)
			return -1;
		close(ufd);
		lb_err_clear(err);
	}
	snprintf(b->cg_path, sizeof(b->cg_path), "%s/%s/%s/%s", root,
		 LB_CGROUP_NAME, uname, sname);
	b->have_cgroup = true;
	return cg_apply_limits(b, rootfd, lbfd, ufd, err);
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
