/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LB_IMAGE_IMPORT_H
#define LB_IMAGE_IMPORT_H

#include "err.h"
#include "extract.h"

struct image_opts {
	struct ex_limits lim;
};

int image_import(const char *name, const char *source,
		 const struct image_opts *o, struct lb_err *err);
/* Remove versions and layers no image and no box uses; returns count. */
int image_gc(struct lb_err *err);

#endif
