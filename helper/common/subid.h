/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Subordinate id ranges (/etc/subuid, /etc/subgid; shadow's subuid(5)).
 * Lines are "OWNER:START:COUNT"; OWNER is a user name or a numeric uid.
 * Comments (#) and blank lines are skipped; malformed lines are skipped
 * with a warning only when they do not concern the user (a broken line for
 * another user must not lock this one out), and are an error when they do.
 */
#ifndef LB_SUBID_H
#define LB_SUBID_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* A box maps 65536 ids: 0..65535 of the box, as a normal Debian system. */
#define LB_BOX_IDS 65536u

struct lb_subid_range {
	uint32_t start, count;
};

/*
 * Find the first range of `user` (by name or by `uid`) with count >= need.
 * `file` is only used in messages.  Returns 0 and fills `out`, or -1 with a
 * message that says what is missing and how to add it (usermod --add-subuids).
 */
int lb_subid_parse(const char *text, const char *file, const char *user,
		   uid_t uid, uint32_t need, struct lb_subid_range *out,
		   struct lb_err *err);

/* Read `file` (O_NOFOLLOW, must be owned by root and not group/world
 * writable) and call lb_subid_parse. */
int lb_subid_lookup(const char *file, const char *user, uid_t uid,
		    uint32_t need, struct lb_subid_range *out,
		    struct lb_err *err);

#endif
