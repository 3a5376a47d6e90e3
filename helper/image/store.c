// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The image store, the part a box build needs: resolve NAME to its current
 * version and that version's ordered layers (image.h has the layout).
 * Everything is opened beneath the store's fd, never through a symlink.
 */
#include "image.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../box/fsutil.h"
#include "macros.h"
#include "syscalls.h"

#define RES (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

bool image_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 63 || !isalnum((unsigned char)name[0]) ||
	    !strcmp(name, "host"))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

static bool hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return s[64] == '\0';
}

int image_store_open(bool create, struct lb_err *err)
{
	static const char *const sub[] = {"layers", "versions", "images",
					  "tmp", NULL};
	cleanup_close int fd = -1;
	struct stat st;
	int i;

	if (create) {
		if (mkdir(LB_STATEDIR, 0755) < 0 && errno != EEXIST)
			return lb_fail(err, errno, "mkdir %s", LB_STATEDIR);
		if (mkdir(LB_STORE_DIR, 0700) < 0 && errno != EEXIST)
			return lb_fail(err, errno, "mkdir %s", LB_STORE_DIR);
	}
	fd = open(LB_STORE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", LB_STORE_DIR);
	/* 0700 root: host users can run nothing the store holds. */
	if (fstat(fd, &st) < 0)
		return lb_fail(err, errno, "stat %s", LB_STORE_DIR);
	if (st.st_uid != 0 || (st.st_mode & 077)) {
		lb_fail(err, EPERM, "%s must be a directory owned by root "
				    "with mode 0700",
			LB_STORE_DIR);
		return lb_hint(err, "chown root:root %s; chmod 0700 %s",
			       LB_STORE_DIR, LB_STORE_DIR);
	}
	if (create)
		for (i = 0; sub[i]; i++)
			if (mkdirat(fd, sub[i], 0700) < 0 && errno != EEXIST)
				return lb_fail(err, errno, "mkdir %s/%s",
					       LB_STORE_DIR, sub[i]);
	return steal_fd(&fd);
}

int image_store_lock(int storefd, bool exclusive, struct lb_err *err)
{
	int fd = openat(storefd, "lock",
			O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return lb_fail(err, errno, "open %s/lock", LB_STORE_DIR);
	if (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		close(fd);
		return lb_fail(err, errno, "flock %s/lock", LB_STORE_DIR);
	}
	return fd;
}

void image_ver_free(struct lb_image_ver *v)
{
	int i;

	for (i = 0; i < v->nenv; i++)
		free(v->env[i]);
	free(v->env);
	v->env = NULL;
	v->nenv = 0;
}

static ssize_t read_beneath(int storefd, const char *path, char *buf,
			    size_t cap, struct lb_err *err)
{
	cleanup_close int fd = -1;
	size_t o = 0;
	ssize_t r;

	fd = lb_openat2(storefd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0,
			RES);
	if (fd < 0)
		return lb_fail(err, errno, "open %s/%s", LB_STORE_DIR, path);
	while (o + 1 < cap && (r = read(fd, buf + o, cap - 1 - o)) > 0)
		o += (size_t)r;
	if (o + 1 >= cap)
		return lb_fail(err, EFBIG, "%s/%s is too large", LB_STORE_DIR,
			       path);
	buf[o] = '\0';
	return (ssize_t)o;
}

int image_read_version(int storefd, const char *vid, struct lb_image_ver *v,
		       struct lb_err *err)
{
	char path[96], *buf, *line, *save = NULL;
	int ret = 0;

	memset(v, 0, sizeof(*v));
	if (!hex64(vid))
		return lb_fail(err, EINVAL, "image version `%s` is not a "
					    "sha256 digest", vid);
	snprintf(v->vid, sizeof(v->vid), "%s", vid);
	snprintf(path, sizeof(path), "versions/%s", vid);
	buf = malloc(1 << 20);
	if (!buf)
		return lb_fail(err, ENOMEM, "read %s", path);
	if (read_beneath(storefd, path, buf, 1 << 20, err) < 0) {
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "layer=", 6)) {
			if (v->nlayers >= LB_IMAGE_MAX_LAYERS || !hex64(line + 6))
				ret = lb_fail(err, EINVAL, "%s/%s: bad layer "
							   "line",
					      LB_STORE_DIR, path);
			else
				snprintf(v->layer[v->nlayers++], 65, "%s",
					 line + 6);
		} else if (!strncmp(line, "env=", 4) && strchr(line + 4, '=')) {
			char **n = realloc(v->env, (size_t)(v->nenv + 1) *
							   sizeof(char *));

			if (!n || !(n[v->nenv] = strdup(line + 4))) {
				if (n)
					v->env = n;
				ret = lb_fail(err, ENOMEM, "image env");
				break;
			}
			v->env = n;
			v->nenv++;
		}
	}
	free(buf);
	if (ret == 0 && v->nlayers == 0)
		ret = lb_fail(err, EINVAL, "%s/%s names no layer", LB_STORE_DIR,
			      path);
	if (ret < 0)
		image_ver_free(v);
	return ret;
}

static int ref_vid(int storefd, const char *name, char *vid, size_t len,
		   struct lb_err *err)
{
	char path[96], buf[4096], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "images/%s", name);
	n = read_beneath(storefd, path, buf, sizeof(buf), err);
	if (n < 0)
		return -1;
	p = strstr(buf, "version=");
	if (!p || (p != buf && p[-1] != '\n'))
		return lb_fail(err, EINVAL, "%s/%s: no version line",
			       LB_STORE_DIR, path);
	p += 8;
	p[strcspn(p, "\n")] = '\0';
	snprintf(vid, len, "%s", p);
	return 0;
}

int image_resolve(int storefd, const char *name, struct lb_image_ver *v,
		  struct lb_err *err)
{
	char vid[80], path[96];
	struct stat st;

	memset(v, 0, sizeof(*v));
	if (!image_name_valid(name))
		return 0;
	snprintf(path, sizeof(path), "images/%s", name);
	if (fstatat(storefd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : lb_fail(err, errno, "stat %s/%s",
						 LB_STORE_DIR, path);
	if (ref_vid(storefd, name, vid, sizeof(vid), err) < 0 ||
	    image_read_version(storefd, vid, v, err) < 0)
		return lb_prefix(err, "image %s", name);
	return 1;
}

int image_current_vid(const char *name, char *vid, size_t len)
{
	cleanup_close int sfd = -1;
	struct lb_err err;

	vid[0] = '\0';
	lb_err_clear(&err);
	sfd = open(LB_STORE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || !image_name_valid(name))
		return -1;
	return ref_vid(sfd, name, vid, len, &err);
}
