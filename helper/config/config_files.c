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
#include "trusted_file.h"

#define CONF_MAX_BYTES (1u << 20)

static int add_file_at(struct lb_config *cfg, int dirfd, const char *name,
		       const char *path, bool check_owner, struct lb_err *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (lb_trusted_read(dirfd, name, path, check_owner, CONF_MAX_BYTES, &buf,
			    &len, err) < 0)
		return -1;
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

/* conf.d/ *.conf in strcmp order, each checked like the main file.  The
 * order matters: for each key the last file wins (config.c). */
static int load_conf_d(struct lb_config *cfg, int etcfd, const char *confd,
		       bool check_owner, struct lb_err *err)
{
	char *names[LB_MAX_FILES], path[sizeof(cfg->files[0])];
	cleanup_close int fd = -1;
	struct dirent *de;
	size_t n = 0, i;
	DIR *dir;
	int r = 0;

	fd = lb_trusted_open(etcfd, "conf.d", confd, true, check_owner, err);
	if (fd < 0) {
		if (err->errnum != ENOENT)
			return -1;
		lb_err_clear(err);
		return 0; /* conf.d is optional */
	}
	dir = fdopendir(dup(fd));
	if (!dir)
		return lb_fail(err, errno, "opendir %s", confd);
	while ((de = readdir(dir))) {
		if (!is_conf_name(de->d_name))
			continue;
		if (n >= ARRAY_SIZE(names) - 1) { /* + loginbox.conf */
			r = lb_fail(err, 0, "%s: more than %zu files",
				    confd, ARRAY_SIZE(names) - 1);
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = lb_fail(err, ENOMEM, "readdir %s", confd);
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		if (r == 0) {
			snprintf(path, sizeof(path), "%s/%s", confd, names[i]);
			r = add_file_at(cfg, fd, names[i], path, check_owner,
					err);
		}
		free(names[i]);
	}
	return r;
}

int lb_config_load_dir(struct lb_config *cfg, const char *dir,
		       bool check_owner, struct lb_err *err)
{
	char main_path[sizeof(cfg->files[0])], confd[sizeof(cfg->files[0])];
	cleanup_close int etcfd = -1;

	lb_config_init(cfg);
	snprintf(main_path, sizeof(main_path), "%s/loginbox.conf", dir);
	snprintf(confd, sizeof(confd), "%s/conf.d", dir);
	etcfd = lb_trusted_open(AT_FDCWD, dir, dir, true, check_owner, err);
	if (etcfd < 0)
		return -1;
	if (add_file_at(cfg, etcfd, "loginbox.conf", main_path, check_owner,
			err) < 0)
		return -1;
	if (load_conf_d(cfg, etcfd, confd, check_owner, err) < 0)
		return -1;
	return lb_config_finish(cfg, err);
}

int lb_config_load(struct lb_config *cfg, struct lb_err *err)
{
	return lb_config_load_dir(cfg, LB_SYSCONFDIR, true, err);
}
