// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding and opening the config files: loginbox.conf, then conf.d/ *.conf
 * in strcmp order.  Each file and directory is opened with O_NOFOLLOW and
 * checked on the fd (owned by root, not group/world writable): whoever can
 * write the config decides who is boxed, and with which rights.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_keys.h"
#include "macros.h"
#include "paths.h"

#define CONF_MAX_BYTES (1u << 20)

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

static int open_checked(int dirfd, const char *name, const char *path,
			bool dir, bool check_owner, struct lb_err *err)
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

static int add_file_at(struct lb_config *cfg, int dirfd, const char *name,
		       const char *path, bool check_owner, struct lb_err *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ssize_t r;

	fd = open_checked(dirfd, name, path, false, check_owner, err);
	if (fd < 0)
		return -1;
	buf = malloc(CONF_MAX_BYTES + 1);
	if (!buf)
		return lb_fail(err, ENOMEM, "read %s", path);
	while ((r = read(fd, buf + len, CONF_MAX_BYTES + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return lb_fail(err, errno, "read %s", path);
		len += (size_t)r;
		if (len > CONF_MAX_BYTES)
			return lb_fail(err, 0, "%s: larger than %u bytes", path,
				       CONF_MAX_BYTES);
	}
	buf[len] = '\0';
	return lb_config_add_text(cfg, buf, len, path, err);
}

int lb_config_add_file(struct lb_config *cfg, const char *path,
		       bool check_owner, struct lb_err *err)
{
	return add_file_at(cfg, AT_FDCWD, path, path, check_owner, err);
}

int lb_config_load_file(struct lb_config *cfg, const char *path,
			bool check_owner, struct lb_err *err)
{
	lb_config_init(cfg);
	if (lb_config_add_file(cfg, path, check_owner, err) < 0)
		return -1;
	return lb_config_finish(cfg, err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_conf_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && strcmp(n + len - 5, ".conf") == 0;
}

/* conf.d/ *.conf in strcmp order, each checked like the main file. */
static int load_conf_d(struct lb_config *cfg, int etcfd, struct lb_err *err)
{
	char *names[64], path[sizeof(cfg->files[0])];
	cleanup_close int fd = -1;
	struct dirent *de;
	size_t n = 0, i;
	DIR *dir;
	int r = 0;

	fd = openat(etcfd, "conf.d",
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0; /* conf.d is optional */
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
		return lb_fail(err, 0, "%s: not a directory (or a symbolic "
			       "link)", LB_CONF_DIR);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", LB_CONF_DIR);
	if (check_stat(fd, LB_CONF_DIR, true, true, err) < 0)
		return -1;
	dir = fdopendir(dup(fd));
	if (!dir)
		return lb_fail(err, errno, "opendir %s", LB_CONF_DIR);
	while ((de = readdir(dir))) {
		if (!is_conf_name(de->d_name))
			continue;
		if (n >= ARRAY_SIZE(names)) {
			r = lb_fail(err, 0, "%s: more than %zu files",
				    LB_CONF_DIR, ARRAY_SIZE(names));
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = lb_fail(err, ENOMEM, "readdir %s", LB_CONF_DIR);
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		if (r == 0) {
			snprintf(path, sizeof(path), "%s/%s", LB_CONF_DIR,
				 names[i]);
			r = add_file_at(cfg, fd, names[i], path, true, err);
		}
		free(names[i]);
	}
	return r;
}

int lb_config_load(struct lb_config *cfg, struct lb_err *err)
{
	cleanup_close int etcfd = -1;

	lb_config_init(cfg);
	etcfd = open_checked(AT_FDCWD, LB_SYSCONFDIR, LB_SYSCONFDIR, true, true,
			     err);
	if (etcfd < 0)
		return -1;
	if (add_file_at(cfg, etcfd, "loginbox.conf", LB_CONF_FILE, true,
			err) < 0)
		return -1;
	if (load_conf_d(cfg, etcfd, err) < 0)
		return -1;
	return lb_config_finish(cfg, err);
}
