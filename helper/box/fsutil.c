// SPDX-License-Identifier: GPL-2.0-or-later
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include "macros.h"
#include "syscalls.h"

#define RESOLVE_STRICT                                                         \
	(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int fs_open_in_root(int rootfd, const char *path, int flags,
		    struct lb_err *err)
{
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	fd = lb_openat2(rootfd, path, O_PATH | O_CLOEXEC | flags, 0,
			RESOLVE_STRICT);
	if (fd < 0) {
		int e = errno;

		lb_fail(err, e, "open /%s inside the box root", path);
		if (e == ELOOP)
			lb_hint(err, "the image has a symlink on /%s; "
				     "loginbox never follows symlinks there",
				path);
		return -1;
	}
	return fd;
}

/* Walk `path` one component at a time so that each missing component is
 * created relative to an fd we already checked. */
static int walk_create(int rootfd, const char *path, bool last_is_file,
		       mode_t mode, uid_t uid, gid_t gid, struct lb_err *err)
{
	char buf[PATH_MAX], *comp, *save = NULL, *next;
	int cur;

	if (strlen(path) >= sizeof(buf))
		return lb_fail(err, ENAMETOOLONG, "path %s", path);
	strcpy(buf, path);
	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return lb_fail(err, errno, "dup root fd");
	for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
		bool last;
		int fd;

		next = strtok_r(NULL, "/", &save);
		last = next == NULL;
		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			close(cur);
			return lb_fail(err, EINVAL, "path %s has . or ..",
				       path);
		}
		fd = lb_openat2(cur, comp,
				O_PATH | O_CLOEXEC | O_NOFOLLOW |
					((last && last_is_file) ? 0
								: O_DIRECTORY),
				0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (fd < 0 && errno == ENOENT) {
			int r;

			if (last && last_is_file) {
				r = openat(cur, comp,
					   O_WRONLY | O_CREAT | O_EXCL |
						   O_NOFOLLOW | O_CLOEXEC,
					   mode);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(cur, comp, last ? mode : 0755);
			}
			if (r < 0 && errno != EEXIST) {
				lb_fail(err, errno, "create %s (at %s)", path,
					comp);
				close(cur);
				return -1;
			}
			if (fchownat(cur, comp, uid, gid,
				     AT_SYMLINK_NOFOLLOW) < 0) {
				lb_fail(err, errno, "chown %s", path);
				close(cur);
				return -1;
			}
			fd = lb_openat2(cur, comp,
					O_PATH | O_CLOEXEC | O_NOFOLLOW, 0,
					RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		}
		if (fd < 0) {
			int e = errno;

			close(cur);
			lb_fail(err, e, "open %s (at component %s)", path,
				comp);
			if (e == ELOOP)
				lb_hint(err, "%s is a symlink in the image; "
					     "loginbox refuses to mount on "
					     "or through symlinks",
					comp);
			else if (e == ENOTDIR)
				lb_hint(err, "%s is not a directory in the "
					     "image",
					comp);
			return -1;
		}
		close(cur);
		cur = fd;
	}
	if (last_is_file) {
		struct stat st;

		if (fstat(cur, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(cur);
			return lb_fail(err, EINVAL,
				       "%s is not a regular file in the image",
				       path);
		}
	}
	return cur;
}

int fs_mkdir_in_root(int rootfd, const char *path, mode_t mode, uid_t uid,
		     gid_t gid, struct lb_err *err)
{
	return walk_create(rootfd, path, false, mode, uid, gid, err);
}

int fs_file_in_root(int rootfd, const char *path, mode_t mode, uid_t uid,
		    gid_t gid, struct lb_err *err)
{
	return walk_create(rootfd, path, true, mode, uid, gid, err);
}

/* The mount a name belongs to.  st_dev cannot tell a bind mount of the
 * same filesystem from a plain directory; the mount id can. */
static int mnt_id_at(int dfd, const char *name, uint64_t *id)
{
	struct statx sx;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, STATX_MNT_ID,
		  &sx) < 0)
		return -1;
	if (!(sx.stx_mask & STATX_MNT_ID)) {
		errno = EOPNOTSUPP; /* callers report errno */
		return -1;
	}
	*id = sx.stx_mnt_id;
	return 0;
}

static int rmtree_fd(int dfd, uint64_t mnt, int depth, struct lb_err *err)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (depth > 256)
		return lb_fail(err, ELOOP, "directory tree too deep");
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return lb_fail(err, errno, "fdopendir");
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			uint64_t id;
			int sub;

			if (mnt_id_at(dirfd(d), de->d_name, &id) < 0 || id != mnt) {
				ret = lb_fail(err, EXDEV,
					      "refusing to cross a mount at %s",
					      de->d_name);
				continue;
			}
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub < 0)
				continue;
			if (rmtree_fd(sub, mnt, depth + 1, err) < 0)
				ret = -1;
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
			    errno != ENOENT)
				ret = lb_fail(err, errno, "rmdir %s",
					      de->d_name);
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 &&
			   errno != ENOENT) {
			/* ENOENT: someone else removed it first, fine */
			ret = lb_fail(err, errno, "unlink %s", de->d_name);
		}
	}
	closedir(d);
	return ret;
}

int fs_rmtree_at(int dirfd, const char *name, struct lb_err *err)
{
	struct stat st;
	uint64_t mnt;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : lb_fail(err, errno, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return lb_fail(err, errno, "unlink %s", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", name);
	if (mnt_id_at(fd, "", &mnt) < 0) {
		close(fd);
		return lb_fail(err, errno, "statx %s", name);
	}
	if (rmtree_fd(fd, mnt, 0, err) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return lb_fail(err, errno, "rmdir %s", name);
	return 0;
}

ssize_t fs_read_small(int dirfd, const char *name, char *buf, size_t cap,
		      struct lb_err *err)
{
	cleanup_close int fd = -1;
	size_t off = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", name);
	while (off + 1 < cap) {
		ssize_t n = read(fd, buf + off, cap - 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lb_fail(err, errno, "read %s", name);
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return (ssize_t)off;
}

int fs_write_at(int dirfd, const char *name, const char *data,
		struct lb_err *err)
{
	cleanup_close int fd = -1;
	size_t len = strlen(data);
	ssize_t n;

	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s for writing", name);
	n = write(fd, data, len);
	if (n < 0)
		return lb_fail(err, errno, "write %s", name);
	if ((size_t)n != len)
		return lb_fail(err, EIO, "short write to %s", name);
	return 0;
}
