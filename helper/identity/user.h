/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user as NSS sees them: passwd entry and every group (getgrouplist,
 * so LDAP/SSSD groups count).  Used by the module, the helper and the
 * admin command.
 */
#ifndef LB_USER_H
#define LB_USER_H

#include <sys/types.h>

#include "err.h"

#define LB_USER_MAX_GROUPS 256

struct lb_user {
	char name[64];
	uid_t uid;
	gid_t gid;
	char home[256];
	char shell[256];
	int ngroups;
	gid_t groups[LB_USER_MAX_GROUPS];
	char group_names[LB_USER_MAX_GROUPS][64]; /* "" when a gid has no name */
};

/* Longest user name accepted: useradd's limit (UT_NAMESIZE). */
#define LB_USER_NAME_MAX 63

/*
 * Is `name` a user name loginbox will handle?  Names become paths
 * (/var/lib/loginbox/users/NAME), state-file lines and hostnames, so the
 * rule is strict, close to shadow's useradd without --badname: a letter,
 * digit or underscore, then letters, digits, '_', '-', '.', '@' (SSSD's
 * fully qualified names), an optional trailing '$' (Samba machine
 * accounts); 1..LB_USER_NAME_MAX bytes.  No '/', no "." or "..", no
 * blank or control character, no leading '-'.  Unboxed users are checked
 * too (the name is checked before the policy is known), so the rule must
 * admit every name a directory really holds.
 * Returns 0, or -1 with err saying so.
 */
int lb_user_name_check(const char *name, struct lb_err *err);

/* NSS lookup of a user whose name passes lb_user_name_check (checked
 * here, before the name is used for anything, and again on the name NSS
 * returns). */
int lb_user_lookup(const char *name, struct lb_user *u, struct lb_err *err);

/* Is the user a member of host group `name`?  Fills *gid when so. */
int lb_user_in_group(const struct lb_user *u, const char *name, gid_t *gid);

#endif
