/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LB_SPAWN_H
#define LB_SPAWN_H

#include "box.h"
#include "proto.h"

struct spawn_req {
	enum lb_spawn_mode mode;
	bool pty;
	unsigned short rows, cols;
	char **argv; /* argc entries + NULL */
	int argc;
	char **envv; /* envc entries + NULL */
	int envc;
	int fds[3];        /* direct mode: stdin, stdout, stderr */
	char slave[64];    /* pty mode: the slave inside the box */
};

/* Parse a LB_MSG_SPAWN message (validated: counts, lengths, NULs). */
int spawn_parse(const void *msg, size_t len, struct spawn_req *r,
		struct lb_err *err);
void spawn_free(struct spawn_req *r);

/* In the forked child: set up stdio, drop privileges in order, exec.
 * Only returns on failure (the caller reports and _exit()s). */
int spawn_exec(const struct lb_box *b, const struct spawn_req *r,
	       struct lb_err *err);

#endif
