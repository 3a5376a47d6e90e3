/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy resolution: which section boxes a user.
 *
 *   1. uid 0 is never boxed.
 *   2. Among [group.X] sections whose group the user belongs to (primary or
 *      supplementary, as NSS getgrouplist() reports, so LDAP/SSSD count),
 *      the highest `priority` wins; two winners with equal priority are an
 *      error (fail closed: the admin must break the tie).
 *   3. No group matches: [global] default names a section to use, or the
 *      user is not boxed.
 *   4. A [user.NAME] section overlays whatever 1-3 produced (or the built-in
 *      defaults when nothing matched): it beats any group.
 *   5. box = no in the result means "not boxed" (break-glass exemptions).
 *   6. lb_policy_load then refuses when a [group.X] that could change the
 *      result cannot be looked up: getgrouplist() drops a failed directory
 *      silently (policy_nss.h).
 */
#ifndef LB_POLICY_H
#define LB_POLICY_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/*
 * Resolve for `user` whose group names are `groups[0..ngroups)`.
 * Returns 1 when the user is boxed (p filled), 0 when not boxed (p->section
 * says which section exempted them, if any), -1 on error (tie).
 * Pure: no NSS, no files; unit-testable.
 */
int lb_policy_resolve(const struct lb_config *cfg, const char *user,
		      const char *const *groups, int ngroups,
		      struct lb_policy *p, struct lb_err *err);

/*
 * Combinations of keys a login must never get, checked on the effective
 * policy (lb_policy_for runs it, so the module and the helper refuse):
 * inside_uid = root with image = host.  Returns 0 or -1 with err naming
 * the file, the section(s), the key and the fix.
 */
int lb_policy_check(const struct lb_policy *p, struct lb_err *err);

/*
 * The same, for `loginbox check`: every [group.X] section (and the
 * [global] default) as the policy of a user it alone matches, every
 * [user.X] section as NSS resolves that user today (or over the default
 * section when NSS does not know them).
 */
int lb_policy_check_config(const struct lb_config *cfg, struct lb_err *err);

/*
 * May on_error = allow turn this failure into an unboxed login?  Only when
 * the policy says allow and the failure is one the user cannot cause
 * (err->admin, see lb_fail_admin in err.h).
 */
bool lb_policy_allows_unboxed(const struct lb_policy *p,
			      const struct lb_err *err);

/* Same as lb_policy_resolve, for a user already looked up (user.h), then
 * lb_policy_check on the result. */
struct lb_user;
int lb_policy_for(const struct lb_config *cfg, const struct lb_user *u,
		  struct lb_policy *p, struct lb_err *err);

/*
 * Where each effective value of p came from (file and section, or the
 * built-in default), for `loginbox policy`.  p is what lb_policy_resolve
 * made of the same cfg.
 */
void lb_policy_origin(const struct lb_config *cfg, const struct lb_policy *p,
		      struct lb_policy_origin *o);

/*
 * The one way to the policy of a login: load the system config and
 * resolve it for `u`.  Same return as lb_policy_resolve: 1 boxed, 0 not
 * boxed, -1 error (a config that does not load is an error: the caller
 * fails closed; so is a group that NSS cannot look up and that could
 * change the decision, see policy_nss.h).  With `o` (may be NULL), also where each value came from.
 */
int lb_policy_load(const struct lb_user *u, struct lb_policy *p,
		   struct lb_policy_origin *o, struct lb_err *err);

#endif
