/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A directory outage must not change a policy decision.
 *
 * getgrouplist() skips an NSS source that fails (LDAP server or nslcd
 * down, SSSD offline without a cache): it returns the groups of the
 * sources that answered and no error.  A local user whose boxed group
 * lives in LDAP then looks like a member of no boxed group, and would be
 * let in unboxed.  So after resolving, every [group.X] section that could
 * still change the decision (one the user is not known to be in, with a
 * priority not below the section that won) has its group looked up with
 * getgrnam_r(): when NSS reports an error for it, the login is refused.
 *
 * Decisions that no group can change pass without a lookup: uid 0, and a
 * [user.NAME] section with box = no.  A group section that wins with a
 * priority above every group whose lookup fails (a local break-glass group
 * with box = no, say) holds too.
 *
 * A group that NSS reports as not existing (the lookup answered, no such
 * group) has no members: its section boxes nobody and the login goes on;
 * `loginbox check` reports such sections (a typo, a group not created yet).
 * With libnss-ldapd, a stopped LDAP server or nslcd makes getgrnam_r()
 * return ENOENT with no result, not "0 and no result" (tests/integration/
 * t_90_ldap.sh checks both), so an outage is never taken for an absence.
 */
#ifndef LB_POLICY_NSS_H
#define LB_POLICY_NSS_H

#include <stdio.h>

#include "config.h"
#include "user.h"

enum lb_group_state {
	LB_GROUP_FOUND,  /* NSS knows the group */
	LB_GROUP_ABSENT, /* NSS answered: there is no such group */
	LB_GROUP_ERROR,  /* NSS could not answer (errno in *errnum) */
};

/* How NSS answers for group `name` (getgrnam_r). */
typedef enum lb_group_state (*lb_group_lookup_fn)(const char *name,
						 int *errnum);
enum lb_group_state lb_group_lookup_nss(const char *name, int *errnum);

/*
 * Does the decision lb_policy_for made for `u` over `cfg` hold although
 * getgrouplist() may have missed a source?  0 when it holds, -1 with err
 * naming the group, its section and the ways out when a group that could
 * change it cannot be looked up.  `look` is lb_group_lookup_nss outside the
 * unit tests.
 */
int lb_policy_groups_sure(const struct lb_config *cfg, const struct lb_user *u,
			  lb_group_lookup_fn look, struct lb_err *err);

/*
 * For `loginbox check`: print one line on `out` for each [group.X] whose
 * group NSS does not know, or cannot look up.  Returns how many.
 */
int lb_policy_groups_report(const struct lb_config *cfg, FILE *out);

#endif
