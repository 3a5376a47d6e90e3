// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: the image store, and the images and devices the policies name
 * (doctor.h).  A box is built on the store's image of that name, else on
 * the directory LB_IMAGES_DIR/NAME (rootfs.c); a missing image or device
 * refuses the logins of its section, so each is an error here.
 */
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../image/image.h"
#include "devices_report.h"
#include "macros.h"
#include "paths.h"

/* The store: 0700 root, so host users reach nothing an image holds. */
static bool store(struct lb_doctor *d)
{
	struct stat st;

	if (lstat(LB_STORE_DIR, &st) < 0) {
		lb_doc_add(d, LB_DOC_OK, "image store", NULL,
			   "%s does not exist (directory images only)",
			   LB_STORE_DIR);
		return false;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077)) {
		lb_doc_add(d, LB_DOC_ERROR, "image store",
			   "chown root:root " LB_STORE_DIR
			   "; chmod 0700 " LB_STORE_DIR,
			   "%s is %s owned by uid %u with mode %04o: it must "
			   "be a directory of root's with mode 0700 (store "
			   "images are refused until then)",
			   LB_STORE_DIR,
			   S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
			   (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return false;
	}
	lb_doc_add(d, LB_DOC_OK, "image store", NULL, "%s: root's, mode 0700",
		   LB_STORE_DIR);
	return true;
}

/* 1 found and usable, 0 not in the store, -1 broken (reported). */
static int in_store(struct lb_doctor *d, const char *name, const char *img)
{
	cleanup_close int sfd = -1;
	struct lb_image_ver v = {0};
	struct lb_err err;
	char text[1200];
	int r, i;

	lb_err_clear(&err);
	sfd = image_store_open(false, &err);
	if (sfd < 0)
		return 0;
	r = image_resolve(sfd, img, &v, &err);
	if (r <= 0) {
		if (r < 0)
			lb_doc_add(d, LB_DOC_ERROR, name,
				   "loginbox image import NAME SOURCE again",
				   "%s", lb_err_text(&err, text, sizeof(text)));
		return r;
	}
	for (i = 0; i < v.nlayers; i++) {
		char path[128];
		int fd;

		snprintf(path, sizeof(path), "layers/%s", v.layer[i]);
		fd = openat(sfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC);
		if (fd < 0) {
			lb_doc_add(d, LB_DOC_ERROR, name,
				   "loginbox image import NAME SOURCE again",
				   "store version %.12s: layer %s/%s: %s", v.vid,
				   LB_STORE_DIR, path, strerror(errno));
			image_ver_free(&v);
			return -1;
		}
		close(fd);
	}
	lb_doc_add(d, LB_DOC_OK, name, NULL, "in the store, version %.12s, %d "
		   "layer%s", v.vid, v.nlayers, v.nlayers == 1 ? "" : "s");
	image_ver_free(&v);
	return 1;
}

static void image(struct lb_doctor *d, const struct lb_section *s,
		  bool have_store)
{
	const char *img = s->values.image;
	char name[200], fix[600];
	struct stat st;
	int fd, r = 0;

	snprintf(name, sizeof(name), "image %s [%s]", img, s->name);
	if (have_store && (r = in_store(d, name, img)) != 0)
		return;
	fd = open(LB_IMAGES_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		int dfd = openat(fd, img, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						  O_CLOEXEC);

		close(fd);
		fd = dfd;
	}
	if (fd < 0) {
		snprintf(fix, sizeof(fix), "loginbox image import %s SOURCE, "
			 "or create %s/%s, or fix `image` in [%s] (%s)", img,
			 LB_IMAGES_DIR, img, s->name, s->source);
		lb_doc_add(d, LB_DOC_ERROR, name, fix,
			   "in neither the store nor %s/%s (%s): logins of "
			   "[%s] are refused", LB_IMAGES_DIR, img,
			   strerror(errno), s->name);
		return;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		snprintf(fix, sizeof(fix), "chown root %s/%s; chmod go-w %s/%s",
			 LB_IMAGES_DIR, img, LB_IMAGES_DIR, img);
		lb_doc_add(d, LB_DOC_ERROR, name, fix,
			   "%s/%s must be owned by root and not writable by "
			   "group or others: logins of [%s] are refused",
			   LB_IMAGES_DIR, img, s->name);
	} else {
		lb_doc_add(d, LB_DOC_OK, name, NULL, "directory %s/%s",
			   LB_IMAGES_DIR, img);
	}
	close(fd);
}

/* lb_devices_report's lines: "device NAME [S]: ok (...)" and
 * "warning: device NAME [S] is missing: why". */
static void devices(struct lb_doctor *d)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	char *line, *save = NULL;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	lb_devices_report(d->cfg, m);
	fclose(m);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sep;

		if (!strncmp(line, "warning: ", 9) &&
		    (sep = strstr(line, " is missing: "))) {
			*sep = '\0';
			lb_doc_add(d, LB_DOC_ERROR, line + 9,
				   "make the device available (driver, CDI "
				   "spec), or remove it from `devices`",
				   "missing: %s; logins of that section are "
				   "refused", sep + 13);
		} else if ((sep = strstr(line, ": ok"))) {
			*sep = '\0';
			lb_doc_add(d, LB_DOC_OK, line, NULL, "%s",
				   sep[4] == ' ' ? sep + 5 : "");
		}
	}
}

void lb_doctor_images(struct lb_doctor *d)
{
	bool have_store = store(d);
	int i;

	for (i = 0; i < d->cfg->n_sections; i++) {
		const struct lb_section *s = &d->cfg->sections[i];

		if ((s->set_mask & LB_KEY_BIT(LB_KEY_IMAGE)) &&
		    strcmp(s->values.image, "host") != 0)
			image(d, s, have_store);
	}
	devices(d);
}
