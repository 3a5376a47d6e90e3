/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Id map computation (pure) and writing (/proc/PID/uid_map, gid_map).
 *
 * The box map: every box id X in [0, 65536) maps to range.start + X,
 * except the "identity" ids (the user's own uid, or primary gid and kept
 * host groups), which map to themselves, so the user's home and kept groups
 * keep their real ownership.  Box root is the first subordinate id; host
 * root is never mapped.
 *
 * The image map (for the idmapped lower layer): only the system ids
 * [0, LB_SYSTEM_IDS) and 65534 (nobody/nogroup) go through the range, plus
 * the identity ids.  Files of other human users on the image therefore show
 * as nobody and give box root no capability over them (docs/SECURITY.md).
 */
#ifndef LB_IDMAP_H
#define LB_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "subid.h"

#define LB_IDMAP_MAX 64       /* extents; the kernel allows 340 */
#define LB_SYSTEM_IDS 1000u   /* Debian's SYS_UID_MAX + 1 */
#define LB_NOBODY_ID 65534u

struct lb_extent {
	uint32_t inside, outside, count;
};

struct lb_idmap {
	int n;
	struct lb_extent ext[LB_IDMAP_MAX];
};

/* identity[] need not be sorted; duplicates are fine; 0 is refused. */
int lb_idmap_box(const struct lb_subid_range *range, const uint32_t *identity,
		 int n_identity, struct lb_idmap *m, struct lb_err *err);

int lb_idmap_image(const struct lb_subid_range *range,
		   const uint32_t *identity, int n_identity, struct lb_idmap *m,
		   struct lb_err *err);

/* Translate a box id to the host id; returns -1 when unmapped. */
int64_t lb_idmap_to_host(const struct lb_idmap *m, uint32_t inside);

/* "inside outside count\n" lines; returns length or -1 if buf is short. */
int lb_idmap_format(const struct lb_idmap *m, char *buf, size_t len);

/* Write the map in one write() (the kernel accepts only one) to the file
 * `name` ("uid_map"/"gid_map") under the /proc/PID directory fd. */
int lb_idmap_write(int proc_pid_fd, const char *name, const struct lb_idmap *m,
		   struct lb_err *err);

#endif
