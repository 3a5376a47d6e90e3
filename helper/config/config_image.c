// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * [global] keys of image import (loginbox.conf(5) IMAGES):
 *   image_max_bytes    file content per import       (default 16G)
 *   image_max_entries  archive entries per import    (default 1000000)
 *   image_max_path     bytes in one entry's path     (default 4096)
 *   image_max_ratio    uncompressed:compressed       (default 200)
 *   image_keep_setuid  keep setuid/setgid bits       (default no)
 * An empty value goes back to the default.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "strparse.h"

int lb_config_image_key(struct lb_config *cfg, const char *key,
			const char *val, struct lb_err *err)
{
	long long n;
	uint64_t *dst;

	if (strncmp(key, "image_", 6) != 0)
		return 0;
	if (!strcmp(key, "image_keep_setuid")) {
		if (!val[0]) {
			cfg->image.keep_setuid = false;
			return 1;
		}
		if (lb_parse_bool(val, &cfg->image.keep_setuid) < 0)
			return lb_fail(err, EINVAL, "\"%.40s\" is not yes or no",
				       val);
		return 1;
	}
	if (!strcmp(key, "image_max_bytes")) {
		if (!val[0]) {
			cfg->image.max_bytes = 0;
			return 1;
		}
		if (lb_parse_size(val, false, 1ULL << 20, 1ULL << 50,
				  &cfg->image.max_bytes) < 0) {
			lb_fail(err, EINVAL, "\"%.40s\" is not a size of 1M "
					     "to 1P",
				val);
			return lb_hint(err, "e.g. image_max_bytes = 32G");
		}
		return 1;
	}
	if (!strcmp(key, "image_max_entries"))
		dst = &cfg->image.max_entries;
	else if (!strcmp(key, "image_max_path"))
		dst = &cfg->image.max_path;
	else if (!strcmp(key, "image_max_ratio"))
		dst = &cfg->image.max_ratio;
	else {
		lb_fail(err, 0, "unknown key");
		return lb_hint(err, "image keys of [global]: image_max_bytes, "
				    "image_max_entries, image_max_path, "
				    "image_max_ratio, image_keep_setuid");
	}
	if (!val[0]) {
		*dst = 0;
		return 1;
	}
	if (lb_parse_int(val, 1, dst == &cfg->image.max_path ? 8192 : 1LL << 40,
			 &n) < 0)
		return lb_fail(err, EINVAL, "\"%.40s\" is not a positive number%s",
			       val,
			       dst == &cfg->image.max_path ? " up to 8192" : "");
	*dst = (uint64_t)n;
	return 1;
}
