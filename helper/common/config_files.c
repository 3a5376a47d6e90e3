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

/* conf.d/ *.conf in strcmp order, each checked like the main file. */
static int load_conf_d(struct lb_config *cfg, int etcfd, struct lb_err *err)
{
	char *names[64], path[sizeof(cfg->files[0])];
	cleanup_close int fd = -1;
	struct dirent *de;
	size_t n = 0, i;
	DIR *dir;
	int r = 0;

	fd = lb_trusted_open(etcfd, "conf.d", LB_CONF_DIR, true, true, err);
	if (fd < 0) {
		if (err->errnum != ENOENT)
			return -1;
		lb_err_clear(err);
		return 0; /* conf.d is optional */
	}
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
	etcfd = lb_trusted_open(AT_FDCWD, LB_SYSCONFDIR, LB_SYSCONFDIR, true, true,
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
