/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unprivileged, sandboxed unpacking of one tar stream (extract.c). */
#ifndef LB_IMAGE_EXTRACT_H
#define LB_IMAGE_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct ex_limits {
	uint64_t max_bytes;   /* total file content per import */
	uint64_t max_entries; /* per import */
	uint64_t max_path;    /* bytes in one entry's path */
	uint64_t max_ratio;   /* uncompressed:compressed */
	bool keep_setuid;
};

enum ex_mode {
	EX_LAYER, /* OCI whiteouts become overlayfs whiteouts/opaque dirs */
	EX_APPLY, /* whiteouts remove what earlier streams put there */
	EX_SRC,   /* an image archive: only its index/manifest/blob names */
};

struct ex_stats {
	uint64_t bytes, entries, dropped_dev, dropped_suid;
	bool not_container; /* EX_SRC: the archive is a plain rootfs */
};

/* Unpack the tar stream on in_fd into layer_fd (a directory owned by
 * LB_IMAGE_ID_BASE) from a child that is root of a user namespace of its
 * own mapping 0..65535 to LB_IMAGE_ID_BASE.., with no network, no other
 * fds, no_new_privs and seccomp.  lower_fds[] (top first, may be empty):
 * the earlier layers, where a hardlink not found in this layer is copied
 * from.  digest (65 bytes) gets the sha256 of the bytes read.  stats
 * accumulate across calls (the limits hold per import). */
int ex_run(int in_fd, int layer_fd, enum ex_mode mode, const int *lower_fds,
	   int nlower, const struct ex_limits *lim, struct ex_stats *stats,
	   char *digest, struct lb_err *err);

#endif
