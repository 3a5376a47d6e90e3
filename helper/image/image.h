/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image store (docs/SECURITY.md "Images", loginbox(8) IMAGES):
 *
 *   LB_STORE_DIR/            0700 root: host users reach nothing below
 *     lock                   flock: imports and gc exclusive, box builds shared
 *     layers/HEX/            one unpacked layer, keyed by its verified sha256;
 *                            files owned by LB_IMAGE_ID_BASE + the image's id
 *     versions/VID           "layer=HEX" lines (bottom first), "env=K=V"
 *                            lines; VID is the sha256 of the content, so a
 *                            version never changes once written
 *     images/NAME            "version=VID" + import notes; replaced by rename
 *     tmp/                   imports under way; a failed one leaves nothing
 *
 * A box pins the version it is built on in its session directory
 * (LB_RUNDIR/ID/image_version), written under the shared lock, so a gc
 * (exclusive) never removes what a box stacks.
 */
#ifndef LB_IMAGE_H
#define LB_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "paths.h"

#define LB_STORE_DIR LB_STATEDIR "/store"
/* Store files are owned by host ids BASE..BASE+65535, never by host root:
 * the unprivileged extractor writes them through a user namespace that maps
 * image ids 0..65535 there, and the box's idmapped mount maps them back to
 * box ids.  High enough to stay clear of /etc/subuid ranges (useradd
 * allocates from 100000 up). */
#define LB_IMAGE_ID_BASE 3221225472u /* 0xC0000000 */
#define LB_IMAGE_ID_COUNT 65536u
/* Layers a box stacks.  fsconfig() takes a string of at most 255 bytes
 * and each layer is named "/proc/self/fd/NN:" (17 bytes); lowerdir+ (one
 * layer per call) needs Linux 6.8 and Debian 12 runs 6.1.  Deeper images
 * have their bottom layers flattened into one at import. */
#define LB_IMAGE_MAX_LAYERS 12
#define LB_IMAGE_PIN_FILE "image_version"

struct lb_image_ver {
	char vid[65];
	int nlayers;
	char layer[LB_IMAGE_MAX_LAYERS][65]; /* bottom first */
	int nenv;
	char **env; /* malloc'ed "K=V" strings */
};

bool image_name_valid(const char *name);
/* 1 and *v filled when NAME is in the store, 0 when it is not (a plain
 * directory image may still exist), <0 on error. */
int image_resolve(int storefd, const char *name, struct lb_image_ver *v,
		  struct lb_err *err);
int image_read_version(int storefd, const char *vid, struct lb_image_ver *v,
		       struct lb_err *err);
void image_ver_free(struct lb_image_ver *v);
/* Open LB_STORE_DIR (O_PATH); -ENOENT-ish: returns -1 with errno ENOENT
 * and err filled when there is no store. */
int image_store_open(bool create, struct lb_err *err);
/* flock LB_STORE_DIR/lock; returns the lock fd. */
int image_store_lock(int storefd, bool exclusive, struct lb_err *err);
/* The version NAME points at now ("" when none); for `loginbox list`. */
int image_current_vid(const char *name, char *vid, size_t len);
/* sha256 hex of a buffer. */
int image_sha256_hex(const void *buf, size_t len, char out[65]);

/* admin side (helper/image/cmd.c) */
int cmd_image(int argc, char **argv);

#endif
