// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether a directory outage could have changed a policy decision
 * (policy_nss.h has the rule and why).
 */
#include "policy_nss.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "macros.h"

/* As user.c: start size of the getgrnam_r buffer, doubled on ERANGE. */
#define GR_BUF_MIN 4096
#define GR_BUF_MAX (1 << 20)

enum lb_group_state lb_group_lookup_nss(const char *name, int *errnum)
{
	cleanup_free char *buf = NULL;
	struct group gr, *res = NULL;
	size_t size = GR_BUF_MIN;
	int r;

	*errnum = 0;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf) {
			*errnum = ENOMEM;
			return LB_GROUP_ERROR;
		}
		buf = nbuf;
		res = NULL;
		r = getgrnam_r(name, &gr, buf, size, &res);
		if (r != ERANGE)
			break;
		/* A group too large for the cap was found all the same:
		 * the source answered, which is all we ask here. */
		if (size >= GR_BUF_MAX)
			return LB_GROUP_FOUND;
		size *= 2;
	}
	/* glibc returns 0 and no result for "no such group" from every
	 * source; a source that failed (libnss-ldapd: NSS_STATUS_UNAVAIL)
	 * comes back as its errno, ENOENT included, with no result. */
	if (r != 0) {
		*errnum = r;
		return LB_GROUP_ERROR;
	}
	return res ? LB_GROUP_FOUND : LB_GROUP_ABSENT;
}

static int prio(const struct lb_section *s)
{
	return (s->set_mask & LB_KEY_BIT(LB_KEY_PRIORITY)) ? s->values.priority
							   : 0;
}

int lb_policy_groups_sure(const struct lb_config *cfg, const struct lb_user *u,
			  lb_group_lookup_fn look, struct lb_err *err)
{
	const struct lb_section *s;
	bool member_any = false;
	int best = INT_MIN, i, e;

	if (u->uid == 0)
		return 0; /* never boxed, whatever its groups */
	for (i = 0; i < cfg->n_sections; i++) {
		s = &cfg->sections[i];
		if (s->kind == LB_SEC_USER) {
			/* box = no for the user: no group section matters */
			if (strcmp(s->target, u->name) == 0 &&
			    (s->set_mask & LB_KEY_BIT(LB_KEY_BOX)) &&
			    !s->values.boxed)
				return 0;
			continue;
		}
		if (lb_user_in_group(u, s->target, NULL)) {
			member_any = true;
			if (prio(s) > best)
				best = prio(s);
		}
	}
	for (i = 0; i < cfg->n_sections; i++) {
		s = &cfg->sections[i];
		if (s->kind != LB_SEC_GROUP ||
		    lb_user_in_group(u, s->target, NULL))
			continue;
		/* Below the winner it could not win even if the user were in
		 * it; at the same priority it would be a tie (refused). */
		if (member_any && prio(s) < best)
			continue;
		if (look(s->target, &e) != LB_GROUP_ERROR)
			continue;
		lb_fail(err, 0, "user %s: login refused: group %s of [%s] (%s) "
				"cannot be looked up (%s), and a failing NSS "
				"source such as LDAP drops its groups without an "
				"error, so whether [%s] boxes this user is "
				"unknown",
			u->name, s->target, s->name, s->source, strerror(e),
			s->name);
		err->errnum = e;
		return lb_hint(err, "bring the directory back (the LDAP server, "
				    "nslcd or sssd); accounts that must log "
				    "in during an outage need [user.NAME] "
				    "box = no, or a local group's section with "
				    "box = no and a priority above %d "
				    "(that of [%s])",
			       prio(s), s->name);
	}
	return 0;
}

int lb_policy_groups_report(const struct lb_config *cfg, FILE *out)
{
	int i, e, n = 0;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (s->kind != LB_SEC_GROUP)
			continue;
		switch (lb_group_lookup_nss(s->target, &e)) {
		case LB_GROUP_FOUND:
			continue;
		case LB_GROUP_ABSENT:
			fprintf(out, "warning: [%s] (%s): no group %s is known "
				     "to NSS, so this section boxes nobody "
				     "(a typo, or a group not created yet?)\n",
				s->name, s->source, s->target);
			break;
		case LB_GROUP_ERROR:
			fprintf(out, "warning: [%s] (%s): group %s cannot be "
				     "looked up (%s): while it cannot, every "
				     "login it could box is refused\n",
				s->name, s->source, s->target, strerror(e));
			break;
		}
		n++;
	}
	return n;
}
