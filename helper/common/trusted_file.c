// SPDX-License-Identifier: GPL-2.0-or-later
#include "trusted_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"

static int check_stat(int fd, const char *path, bool dir, bool check_owner,
		      struct lb_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return lb_fail(err, errno, "fstat %s", path);
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return lb_fail(err, 0, "%s: not a %s", path,
			       dir ? "directory" : "regular file");
	if (check_owner && st.st_uid != 0) {
		lb_fail(err, 0, "%s: owned by uid %u, not root", path,
			(unsigned)st.st_uid);
		return lb_hint(err, "chown root:root %s", path);
	}
	if (st.st_mode & 022) {
		lb_fail(err, 0, "%s: writable by group or others (mode %04o)",
			path, (unsigned)(st.st_mode & 07777));
		return lb_hint(err, "chmod go-w %s", path);
	}
	return 0;
}

int lb_trusted_open(int dirfd, const char *name, const char *path, bool dir,
		    bool check_owner, struct lb_err *err)
{
	cleanup_close int fd = -1;
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;

	fd = openat(dirfd, name, flags | (dir ? O_DIRECTORY : O_NONBLOCK));
	if (fd < 0 && errno == ELOOP) {
		lb_fail(err, 0, "%s: is a symbolic link, refused", path);
		return lb_hint(err, "replace the link by the file itself");
	}
	if (fd < 0)
		return lb_fail(err, errno, "open %s", path);
	if (check_stat(fd, path, dir, check_owner, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int lb_trusted_read(int dirfd, const char *name, const char *path,
		    bool check_owner, size_t max, char **out, size_t *len,
		    struct lb_err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t n = 0;
	ssize_t r;

	fd = lb_trusted_open(dirfd, name, path, false, check_owner, err);
	if (fd < 0)
		return -1;
	buf = malloc(max + 1);
	if (!buf)
		return lb_fail(err, ENOMEM, "read %s", path);
	while ((r = read(fd, buf + n, max + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return lb_fail(err, errno, "read %s", path);
		n += (size_t)r;
		if (n > max)
			return lb_fail(err, 0, "%s: larger than %zu bytes", path,
				       max);
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		return lb_fail(err, 0, "%s: contains a NUL byte", path);
	*len = n;
	*out = steal_ptr(&buf);
	return 0;
}
