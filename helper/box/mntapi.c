// SPDX-License-Identifier: GPL-2.0-or-later
#include "mntapi.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"

int mnt_new(const char *type, const char *const *opts, uint64_t attrs,
	    struct lb_err *err)
{
	cleanup_close int fsfd = -1;
	int mfd;

	fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return lb_fail(err, errno, "fsopen %s", type);
	for (; opts && *opts; opts++) {
		char key[128];
		const char *eq = strchr(*opts, '=');
		int r;

		if (eq) {
			size_t k = (size_t)(eq - *opts);

			if (k >= sizeof(key))
				return lb_fail(err, EINVAL, "option %s", *opts);
			memcpy(key, *opts, k);
			key[k] = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, *opts, NULL, 0);
		}
		if (r < 0)
			return lb_fail(err, errno, "%s: option %s", type,
				       *opts);
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		char log[256];
		ssize_t n = read(fsfd, log, sizeof(log) - 1);

		/* The kernel explains fsconfig failures on the fs fd. */
		if (n > 0) {
			log[n] = '\0';
			log[strcspn(log, "\n")] = '\0';
			return lb_fail(err, errno, "create %s mount (%s)", type,
				       log);
		}
		return lb_fail(err, errno, "create %s mount", type);
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attrs);
	if (mfd < 0)
		return lb_fail(err, errno, "fsmount %s", type);
	return mfd;
}

int mnt_clone(int dirfd, const char *path, int recursive, struct lb_err *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	int fd;

	if (!*path)
		flags |= AT_EMPTY_PATH;
	if (recursive)
		flags |= AT_RECURSIVE;
	fd = open_tree(dirfd, path, flags);
	if (fd < 0)
		return lb_fail(err, errno, "open_tree %s", *path ? path : "(fd)");
	return fd;
}

int mnt_setattr(int mfd, uint64_t set, uint64_t clr, int userns_fd,
		struct lb_err *err)
{
	struct mount_attr a = {.attr_set = set, .attr_clr = clr};

	if (userns_fd >= 0) {
		a.attr_set |= MOUNT_ATTR_IDMAP;
		a.userns_fd = (uint64_t)userns_fd;
	}
	if (mount_setattr(mfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return lb_fail(err, errno, "mount_setattr%s",
			       userns_fd >= 0 ? " (idmap)" : "");
	return 0;
}

int mnt_setattr_tree(int mfd, uint64_t set, struct lb_err *err)
{
	struct mount_attr a = {.attr_set = set};

	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a,
			  sizeof(a)) < 0)
		return lb_fail(err, errno, "mount_setattr (recursive)");
	return 0;
}

int mnt_attach(int mfd, int target_fd, const char *what, struct lb_err *err)
{
	if (move_mount(mfd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return lb_fail(err, errno, "attach mount on %s", what);
	return 0;
}

int mnt_new_at(int rootfd, const char *type, const char *path,
	       const char *const *opts, uint64_t attrs, struct lb_err *err)
{
	cleanup_close int tfd = -1, mfd = -1;

	tfd = fs_open_in_root(rootfd, path, O_DIRECTORY, err);
	if (tfd < 0)
		return -1;
	mfd = mnt_new(type, opts, attrs, err);
	if (mfd < 0 || mnt_attach(mfd, tfd, path, err) < 0)
		return lb_prefix(err, "mount %s on %s", type, path);
	return 0;
}
