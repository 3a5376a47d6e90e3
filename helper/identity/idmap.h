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
 * The lower layer's map (host image: only root and the identity ids;
 * other images: the box map) is derived from the box map in
 * helper/box/rootfs.c (image_maps).
 */
#ifndef LB_IDMAP_H
#define LB_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "subid.h"

#define LB_IDMAP_MAX 64       /* extents; the kernel allows 340 */

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

/* Translate a box id to the host id; returns -1 when unmapped. */
int64_t lb_idmap_to_host(const struct lb_idmap *m, uint32_t inside);

/* "inside outside count\n" lines; returns length or -1 if buf is short. */
int lb_idmap_format(const struct lb_idmap *m, char *buf, size_t len);

/* Write the map in one write() (the kernel accepts only one) to the file
 * `name` ("uid_map"/"gid_map") under the /proc/PID directory fd. */
int lb_idmap_write(int proc_pid_fd, const char *name, const struct lb_idmap *m,
		   struct lb_err *err);

/* Both maps of process pid's user namespace, setgroups ("allow"/"deny")
 * first, as it must come before gid_map.  The helper is root in the
 * initial namespace: no setuid newuidmap is involved. */
int lb_idmap_apply(pid_t pid, const struct lb_idmap *uids,
		   const struct lb_idmap *gids, bool setgroups_allow,
		   struct lb_err *err);

#endif
