// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's /proc and /sys, with what runc masks, made so that box root
 * cannot take the masks away.
 *
 * A mask is only a mount on top of a path; whoever may unmount it sees
 * the file again.  Mounts made inside the box's own mount namespace by
 * its init belong to the box's user namespace, and box root with
 * CAP_SYS_ADMIN there (a policy may grant it, and nested user namespaces
 * give it inside a new namespace) could umount, move or remount them.
 * The kernel protects one kind of mount from that: those copied into a
 * mount namespace owned by a less privileged user namespace are MNT_LOCKED
 * (fs/namespace.c, copy_mnt_ns -> lock_mnt_tree): they cannot be
 * unmounted or moved, their read-only, nosuid, nodev and noexec flags
 * cannot be cleared, and a new proc or sysfs instance is refused because
 * no fully visible one exists (mount_too_revealing).
 *
 * So proc, sysfs and the masks are mounted here, by real root in the
 * helper's private mount namespace, after init exists (proc shows the
 * caller's pid namespace and sysfs the caller's net namespace: a child
 * joins init's with setns and forks once more) and before init copies
 * this namespace into its own with unshare(CLONE_NEWNS) (init.c).
 *
 * Masked, as runc does: kcore, keys, timer_list, timer_stats, sched_debug,
 * latency_stats, sysrq-trigger (empty read-only files) and acpi, asound,
 * scsi, /sys/firmware, /sys/devices/virtual/powercap (empty read-only
 * tmpfs).  /proc/bus, /proc/fs and /proc/irq are read-only.  /proc/sys
 * stays as the kernel makes it: each sysctl checks the writer against the
 * namespace it belongs to, so box root may write those of its own net,
 * user, uts and ipc namespaces and none of the host's (tests/hostile/
 * h_30_kernel.sh walks them).  /sys is read-only.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "mntapi.h"

static const char *const mask_files[] = {
	"/proc/kcore",	     "/proc/keys",	"/proc/key-users",
	"/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
	"/proc/latency_stats", "/proc/sysrq-trigger", NULL};
static const char *const mask_dirs[] = {
	"/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap", NULL};
static const char *const ro_dirs[] = {"/proc/bus", "/proc/fs", "/proc/irq",
				      NULL};

#define RO_ATTRS                                                               \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |            \
	 MOUNT_ATTR_NOEXEC)

/* fd of an existing path of the kind wanted, or -1 (not an error: what
 * this kernel does not have needs no mask). */
static int target(int rootfd, const char *path, bool dir)
{
	struct lb_err ignore;
	struct stat st;
	cleanup_close int fd = fs_open_in_root(rootfd, path, 0, &ignore);

	if (fd < 0 || fstat(fd, &st) < 0 ||
	    (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
		return -1;
	return steal_fd(&fd);
}

static int masks(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	static const char *const empty_opts[] = {"mode=0555", "size=4k", NULL};
	cleanup_close int emptyfs = -1, dirfd = -1, fd = -1;
	size_t i;

	/* The source of file masks: an empty 0444 file, on a tmpfs of its
	 * own at ID/kmasks (attached: before 6.15 open_tree cannot clone
	 * from a detached mount). */
	if (mkdirat(b->dirfd, "kmasks", 0755) < 0)
		return lb_fail(err, errno, "mkdir %s/kmasks", b->dir);
	dirfd = openat(b->dirfd, "kmasks", O_PATH | O_DIRECTORY | O_CLOEXEC);
	emptyfs = mnt_new("tmpfs", empty_opts,
			  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				  MOUNT_ATTR_NOEXEC,
			  err);
	if (dirfd < 0 || emptyfs < 0 ||
	    mnt_attach(emptyfs, dirfd, "kmasks", err) < 0)
		return lb_prefix(err, "masks of /proc");
	fd = openat(b->dirfd, "kmasks/empty",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return lb_fail(err, errno, "create %s/kmasks/empty", b->dir);
	close(dirfd);
	dirfd = openat(b->dirfd, "kmasks", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return lb_fail(err, errno, "open %s/kmasks", b->dir);
	for (i = 0; mask_files[i]; i++) {
		cleanup_close int tfd = target(rootfd, mask_files[i], false);
		cleanup_close int mfd = -1;

		if (tfd < 0)
			continue;
		mfd = mnt_clone(dirfd, "empty", 0, err);
		if (mfd < 0 || mnt_setattr(mfd, RO_ATTRS, 0, -1, err) < 0 ||
		    mnt_attach(mfd, tfd, mask_files[i], err) < 0)
			return lb_prefix(err, "mask %s", mask_files[i]);
	}
	for (i = 0; mask_dirs[i]; i++) {
		cleanup_close int tfd = target(rootfd, mask_dirs[i], true);
		cleanup_close int mfd = -1;

		if (tfd < 0)
			continue;
		mfd = mnt_new("tmpfs", empty_opts, RO_ATTRS, err);
		if (mfd < 0 || mnt_attach(mfd, tfd, mask_dirs[i], err) < 0)
			return lb_prefix(err, "mask %s", mask_dirs[i]);
	}
	for (i = 0; ro_dirs[i]; i++) {
		cleanup_close int tfd = target(rootfd, ro_dirs[i], true);
		cleanup_close int mfd = -1;

		if (tfd < 0)
			continue;
		mfd = mnt_clone(tfd, "", 1, err);
		if (mfd < 0 || mnt_setattr(mfd, RO_ATTRS, 0, -1, err) < 0 ||
		    mnt_attach(mfd, tfd, ro_dirs[i], err) < 0)
			return lb_prefix(err, "read-only %s", ro_dirs[i]);
	}
	return 0;
}

/* In init's pid and net namespaces, as real root. */
static int build(const struct lb_box *b, struct lb_err *err)
{
	cleanup_close int rootfd = -1;
	char root[160];

	snprintf(root, sizeof(root), "%s/root", b->dir);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lb_fail(err, errno, "open %s", root);
	if (mnt_new_at(rootfd, "proc", "/proc", NULL,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		     err) < 0 ||
	    mnt_new_at(rootfd, "sysfs", "/sys", NULL, RO_ATTRS, err) < 0)
		return -1;
	if (masks(b, rootfd, err) < 0)
		return -1;
	return b->use_lxcfs ? kfs_lxcfs(rootfd, err) : 0;
}

static void send_err(int fd, const struct lb_err *err)
{
	char buf[1200];
	int n = snprintf(buf, sizeof(buf), "%s\n%s", err->msg, err->hint);

	if (write(fd, buf, (size_t)n) < 0)
		_exit(3);
}

int kfs_mount(const struct lb_box *b, struct lb_err *err)
{
	char buf[1200];
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	pid = fork();
	if (pid == 0) {
		struct lb_err e;
		pid_t inner;

		close(fds[0]);
		lb_err_clear(&e);
		/* setns(CLONE_NEWPID) places our children, not us. */
		if (setns(b->init_pidfd, CLONE_NEWPID | CLONE_NEWNET) < 0) {
			lb_fail(&e, errno, "join the box's pid and net "
					   "namespaces");
			send_err(fds[1], &e);
			_exit(1);
		}
		inner = fork();
		if (inner == 0) {
			if (build(b, &e) < 0) {
				send_err(fds[1], &e);
				_exit(1);
			}
			_exit(0);
		}
		if (inner < 0 || waitpid(inner, &st, 0) != inner ||
		    !WIFEXITED(st))
			_exit(2);
		_exit(WEXITSTATUS(st));
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return lb_fail(err, errno, "fork");
	}
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)
		return 0;
	if (n > 0) {
		char *nl;

		buf[n] = '\0';
		nl = strchr(buf, '\n');
		if (nl)
			*nl++ = '\0';
		lb_fail(err, 0, "/proc and /sys of the box: %s", buf);
		if (nl && *nl)
			lb_hint(err, "%s", nl);
		return -1;
	}
	return lb_fail(err, EIO, "/proc and /sys of the box: the mounting "
				 "process failed");
}
