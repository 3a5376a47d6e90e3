// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `loginbox image import|list|show|rm|gc` (loginbox(8) IMAGES).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../box/fsutil.h"
#include "config.h"
#include "image.h"
#include "import.h"
#include "macros.h"
#include "syscalls.h"

#define MAX_NAMES 4096

static int die(struct lb_err *err)
{
	char buf[2048];

	fprintf(stderr, "loginbox: %s\n", lb_err_text(err, buf, sizeof(buf)));
	return 1;
}

/* Names in a store subdirectory (malloc'ed array of strdup'ed names). */
static int names_in(int storefd, const char *sub, char ***out)
{
	int fd = openat(storefd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC);
	char **v = calloc(MAX_NAMES, sizeof(char *));
	struct dirent *d;
	DIR *dir;
	int n = 0;

	*out = v;
	if (fd < 0 || !v || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((d = readdir(dir)) && n < MAX_NAMES)
		if (d->d_name[0] != '.')
			v[n++] = strdup(d->d_name);
	closedir(dir);
	return n;
}

static void free_names(char **v, int n)
{
	while (n-- > 0)
		free(v[n]);
	free(v);
}

/* Versions boxes run on: LB_RUNDIR/ID/image_version. */
static int pins(char ***out)
{
	int fd = open(LB_RUNDIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char **ids, **v = calloc(MAX_NAMES, sizeof(char *));
	int n, i, k = 0;

	*out = v;
	if (fd < 0 || !v) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	n = names_in(fd, ".", &ids);
	for (i = 0; i < n; i++) {
		char path[128], buf[128];
		struct lb_err err;

		snprintf(path, sizeof(path), "%s/%s", ids[i], LB_IMAGE_PIN_FILE);
		if (fs_read_small(fd, path, buf, sizeof(buf), &err) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			v[k++] = strdup(buf);
		}
	}
	free_names(ids, n);
	close(fd);
	return k;
}

static int count_in(char **v, int n, const char *s)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			c++;
	return c;
}

static int read_ref(int storefd, const char *name, char *buf, size_t len)
{
	char path[96];
	struct lb_err err;

	snprintf(path, sizeof(path), "images/%s", name);
	return fs_read_small(storefd, path, buf, len, &err) < 0 ? -1 : 0;
}

static const char *field(const char *buf, const char *key, char *out,
			 size_t len)
{
	const char *p = strstr(buf, key);

	out[0] = '\0';
	if (p) {
		p += strlen(key);
		snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
	}
	return out;
}

static int cmd_list(int storefd)
{
	char **names, **pin, buf[8192], vid[80], src[4096], when[32];
	int n = names_in(storefd, "images", &names), np = pins(&pin), i;

	if (n == 0)
		printf("no images in %s\n", LB_STORE_DIR);
	else
		printf("%-20s %-12s %-6s %-5s %-20s %s\n", "NAME", "VERSION",
		       "LAYERS", "BOXES", "IMPORTED", "SOURCE");
	for (i = 0; i < n; i++) {
		struct lb_image_ver v;
		struct lb_err err;
		time_t t;

		if (read_ref(storefd, names[i], buf, sizeof(buf)) < 0)
			continue;
		field(buf, "version=", vid, sizeof(vid));
		field(buf, "source=", src, sizeof(src));
		field(buf, "imported=", when, sizeof(when));
		t = (time_t)strtoll(when, NULL, 10);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
		if (image_read_version(storefd, vid, &v, &err) < 0)
			v.nlayers = 0;
		printf("%-20s %-12.12s %-6d %-5d %-20s %s\n", names[i], vid,
		       v.nlayers, count_in(pin, np, vid), when, src);
		image_ver_free(&v);
	}
	free_names(names, n);
	free_names(pin, np);
	return 0;
}

static int cmd_show(int storefd, const char *name)
{
	char buf[8192], vid[80], **pin, **names;
	struct lb_image_ver v;
	struct lb_err err;
	int i, np, n;

	lb_err_clear(&err);
	if (!image_name_valid(name) || read_ref(storefd, name, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "loginbox: no image `%s` in %s\n", name,
			LB_STORE_DIR);
		return 1;
	}
	field(buf, "version=", vid, sizeof(vid));
	if (image_read_version(storefd, vid, &v, &err) < 0)
		return die(&err);
	printf("name     %s\n%s", name, buf);
	for (i = 0; i < v.nlayers; i++)
		printf("layer    %s\n", v.layer[i]);
	for (i = 0; i < v.nenv; i++)
		printf("env      %s\n", v.env[i]);
	np = pins(&pin);
	printf("boxes    %d on this version\n", count_in(pin, np, vid));
	/* Older versions still pinned by running boxes. */
	n = names_in(storefd, "versions", &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], vid) && count_in(pin, np, names[i]))
			printf("pinned   %.12s by %d box(es)\n", names[i],
			       count_in(pin, np, names[i]));
	free_names(names, n);
	free_names(pin, np);
	image_ver_free(&v);
	return 0;
}

int image_gc(struct lb_err *err)
{
	cleanup_close int storefd = -1, lock = -1;
	char **names, **vers, **layers, **pin, **keep, buf[8192], vid[80];
	int nn, nv, nl, np, nk = 0, i, j, removed = 0;

	storefd = image_store_open(false, err);
	if (storefd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	lock = image_store_lock(storefd, true, err);
	if (lock < 0)
		return -1;
	nn = names_in(storefd, "images", &names);
	np = pins(&pin);
	keep = calloc((size_t)(nn + np + 1), sizeof(char *));
	for (i = 0; keep && i < nn; i++)
		if (read_ref(storefd, names[i], buf, sizeof(buf)) == 0)
			keep[nk++] = strdup(field(buf, "version=", vid,
						  sizeof(vid)));
	for (i = 0; keep && i < np; i++)
		keep[nk++] = strdup(pin[i]);
	if (!keep)
		return lb_fail(err, ENOMEM, "gc");
	nv = names_in(storefd, "versions", &vers);
	nl = names_in(storefd, "layers", &layers);
	for (i = 0; i < nv; i++) {
		char path[96];

		if (count_in(keep, nk, vers[i]))
			continue;
		snprintf(path, sizeof(path), "versions/%s", vers[i]);
		if (unlinkat(storefd, path, 0) == 0)
			removed++;
	}
	/* Layers of the versions kept stay. */
	for (i = 0; i < nl; i++) {
		bool used = false;
		char path[96];

		for (j = 0; j < nk && !used; j++) {
			struct lb_image_ver v;
			struct lb_err e2;
			int k;

			if (image_read_version(storefd, keep[j], &v, &e2) < 0)
				continue;
			for (k = 0; k < v.nlayers; k++)
				if (!strcmp(v.layer[k], layers[i]))
					used = true;
			image_ver_free(&v);
		}
		if (used)
			continue;
		snprintf(path, sizeof(path), "layers/%s", layers[i]);
		if (fs_rmtree_at(storefd, path, err) < 0)
			return -1;
		removed++;
	}
	/* Imports hold the lock: what is in tmp now is a dead one's. */
	{
		char **t;
		int nt = names_in(storefd, "tmp", &t);

		for (i = 0; i < nt; i++) {
			char path[300];

			snprintf(path, sizeof(path), "tmp/%s", t[i]);
			fs_rmtree_at(storefd, path, err);
		}
		free_names(t, nt);
	}
	free_names(names, nn);
	free_names(pin, np);
	free_names(keep, nk);
	free_names(vers, nv);
	free_names(layers, nl);
	return removed;
}

static void image_default_limits(struct ex_limits *l)
{
	l->max_bytes = 16ULL << 30;
	l->max_entries = 1000000;
	l->max_path = 4096;
	l->max_ratio = 200;
	l->keep_setuid = false;
}

/* [global] image_max_* (loginbox.conf(5)) over the defaults. */
static int image_config_limits(struct ex_limits *l, struct lb_err *err)
{
	struct lb_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return lb_fail(err, ENOMEM, "config");
	if (lb_config_load(cfg, err) < 0) {
		free(cfg);
		return lb_prefix(err, "image limits");
	}
	if (cfg->image.max_bytes)
		l->max_bytes = cfg->image.max_bytes;
	if (cfg->image.max_entries)
		l->max_entries = cfg->image.max_entries;
	if (cfg->image.max_path)
		l->max_path = cfg->image.max_path;
	if (cfg->image.max_ratio)
		l->max_ratio = cfg->image.max_ratio;
	if (cfg->image.keep_setuid)
		l->keep_setuid = true;
	free(cfg);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: loginbox image import [--keep-setuid] NAME SOURCE[:TAG]\n"
			"       loginbox image list\n"
			"       loginbox image show NAME\n"
			"       loginbox image rm NAME\n"
			"       loginbox image gc\n");
	return 2;
}

int cmd_image(int argc, char **argv)
{
	cleanup_close int storefd = -1;
	struct lb_err err;

	lb_err_clear(&err);
	if (argc < 2)
		return usage();
	if (geteuid() != 0) {
		fprintf(stderr, "loginbox: image: run as root\n");
		return 1;
	}
	if (!strcmp(argv[1], "import")) {
		struct image_opts o;
		int a = 2;

		image_default_limits(&o.lim);
		if (a < argc && !strcmp(argv[a], "--keep-setuid")) {
			o.lim.keep_setuid = true;
			a++;
		}
		if (argc - a != 2)
			return usage();
		if (image_config_limits(&o.lim, &err) < 0 ||
		    image_import(argv[a], argv[a + 1], &o, &err) < 0)
			return die(&err);
		return 0;
	}
	if (!strcmp(argv[1], "gc")) {
		int n = image_gc(&err);

		if (n < 0)
			return die(&err);
		printf("image gc: %d version%s/layer%s removed\n", n,
		       n == 1 ? "" : "s", n == 1 ? "" : "s");
		return 0;
	}
	storefd = image_store_open(false, &err);
	if (storefd < 0) {
		if (errno == ENOENT && !strcmp(argv[1], "list")) {
			printf("no images in %s\n", LB_STORE_DIR);
			return 0;
		}
		return die(&err);
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list(storefd);
	if (!strcmp(argv[1], "show") && argc == 3)
		return cmd_show(storefd, argv[2]);
	if (!strcmp(argv[1], "rm") && argc == 3) {
		cleanup_close int lock = image_store_lock(storefd, true, &err);
		char path[96];

		if (lock < 0)
			return die(&err);
		snprintf(path, sizeof(path), "images/%s", argv[2]);
		if (!image_name_valid(argv[2]) || unlinkat(storefd, path, 0) < 0) {
			fprintf(stderr, "loginbox: no image `%s` in %s\n",
				argv[2], LB_STORE_DIR);
			return 1;
		}
		printf("image %s removed; boxes on it keep running; `loginbox "
		       "image gc` frees its layers\n", argv[2]);
		return 0;
	}
	return usage();
}
