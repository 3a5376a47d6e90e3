// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lxcfs = yes (loginbox.conf(5)): /proc/meminfo, cpuinfo, stat, uptime,
 * loadavg, diskstats, swaps and /sys/devices/system/cpu/online of the box
 * come from LXCFS, so free, top and nproc-alikes show the box's cgroup
 * limits instead of the host's.
 *
 * LXCFS (Debian's lxcfs package) is a FUSE filesystem at /var/lib/lxcfs
 * whose files answer each reader from the cgroup of the reading process:
 * a box's processes live in the box's node, so they see its memory.max
 * (the smallest of the node's and its ancestors', i.e. the user-wide
 * limit when that is smaller) and its cpu.max / cpuset.
 *
 * The files are bound here by real root, in kfs.c's build(), next to the
 * masks: init's copy of the namespace then locks them (MNT_LOCKED, see
 * kfs.c), so box root cannot unmount them to see the host's files.  Bound
 * read-only, nosuid, nodev, noexec.
 *
 * Only a FUSE filesystem mounted at /var/lib/lxcfs, owned by root, is
 * used: nobody but root can mount there.  When it is not there (lxcfs
 * not installed or not running) `limits` decides, as for the cgroup
 * limits: required refuses the login, best-effort logs a warning and the
 * box sees the host's files (lxcfs_check).  When lxcfs stops or restarts
 * later, the FUSE connection behind a running box's files is gone: reads
 * fail with ENOTCONN until the box ends; new boxes bind the new
 * instance (docs/SECURITY.md, "Limits a box can see").
 */
#include "lxcfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "mntapi.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

#define LXCFS_DIR "/var/lib/lxcfs"

/* Bound when LXCFS has them; the ones marked required must be there. */
static const struct {
	const char *path; /* in the box, and below LXCFS_DIR */
	bool required;
} lxcfs_files[] = {
    {"/proc/meminfo", true}, {"/proc/cpuinfo", true},
    {"/proc/stat", true},    {"/proc/uptime", true},
    {"/proc/loadavg", true}, {"/proc/diskstats", true},
    {"/proc/swaps", true},   {"/sys/devices/system/cpu/online", false},
};

/* An fd of LXCFS's mount, or -1 with err saying why it is not usable. */
static int lxcfs_open(struct lb_err *err)
{
	cleanup_close int fd = -1;
	struct statfs sf;
	struct stat st;

	fd = open(LXCFS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		lb_fail(err, errno, "lxcfs = yes: open " LXCFS_DIR);
		return lb_hint(err, "install and start lxcfs (Debian package "
				    "lxcfs), or set lxcfs = no");
	}
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
		return lb_fail(err, errno, "lxcfs = yes: stat " LXCFS_DIR);
	if ((unsigned long)sf.f_type != FUSE_SUPER_MAGIC || st.st_uid != 0) {
		lb_fail(err, 0,
			"lxcfs = yes: LXCFS is not running (nothing "
			"mounted on " LXCFS_DIR ")");
		return lb_hint(err, "start lxcfs (systemctl start lxcfs, or "
				    "lxcfs " LXCFS_DIR "), or set lxcfs = no");
	}
	if (faccessat(fd, "proc/meminfo", R_OK, 0) < 0) {
		lb_fail(err, errno,
			"lxcfs = yes: read " LXCFS_DIR "/proc/meminfo");
		return lb_hint(err, "restart lxcfs");
	}
	return steal_fd(&fd);
}

int lxcfs_check(struct lb_err *err)
{
	int fd = lxcfs_open(err);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

#define RO_ATTRS                                                               \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |            \
	 MOUNT_ATTR_NOEXEC)

int kfs_lxcfs(int rootfd, struct lb_err *err)
{
	cleanup_close int lfd = lxcfs_open(err);
	size_t i;

	if (lfd < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(lxcfs_files); i++) {
		const char *p = lxcfs_files[i].path;
		cleanup_close int tfd = -1, mfd = -1;
		struct lb_err ignore;

		if (faccessat(lfd, p + 1, R_OK, 0) < 0) {
			if (!lxcfs_files[i].required)
				continue;
			return lb_fail(err, errno,
				       "lxcfs = yes: " LXCFS_DIR "%s", p);
		}
		tfd = fs_open_in_root(rootfd, p, 0, &ignore);
		if (tfd < 0) {
			if (!lxcfs_files[i].required)
				continue;
			return lb_fail(err, ignore.errnum,
				       "lxcfs = yes: %s "
				       "of the box",
				       p);
		}
		mfd = mnt_clone(lfd, p + 1, 0, err);
		if (mfd < 0 || mnt_setattr(mfd, RO_ATTRS, 0, -1, err) < 0 ||
		    mnt_attach(mfd, tfd, p, err) < 0)
			return lb_prefix(err, "lxcfs %s", p);
	}
	return 0;
}
