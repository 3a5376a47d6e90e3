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

/*
 * The range must be this user's alone (docs/SECURITY.md, hard spot 3):
 * check_others fails when another line of `text` (the subuid/subgid file)
 * overlaps `r`; check_accounts when an id of `r` is the id of an account
 * in `text` (passwd(5) or group(5) contents, `idfile` in messages).
 * lookup_owned = lb_subid_lookup + both checks.
 */
int lb_subid_check_others(const char *text, const char *file,
			  const char *user, uid_t uid,
			  const struct lb_subid_range *r, struct lb_err *err);
int lb_subid_check_accounts(const char *text, const char *idfile,
			    const char *file, const char *user,
			    const struct lb_subid_range *r, struct lb_err *err);
int lb_subid_lookup_owned(const char *file, const char *idfile,
			  const char *user, uid_t uid, uint32_t need,
			  struct lb_subid_range *out, struct lb_err *err);

#endif
