// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which section boxes a user (policy.h has the rules).  Pure over a loaded
 * config so that the whole decision is unit-tested and fuzzed; only
 * lb_policy_for_user touches NSS.
 */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "config_keys.h"
#include "macros.h"
#include "strparse.h"
#include "user.h"

uint64_t lb_caps_default(void)
{
	/* Docker's default set minus CAP_MKNOD (the box's /dev is fixed)
	 * and CAP_NET_RAW (raw sockets serve little but spoofing). */
	static const cap_value_t caps[] = {
		CAP_CHOWN,	  CAP_DAC_OVERRIDE, CAP_FOWNER,
		CAP_FSETID,	  CAP_KILL,	    CAP_SETGID,
		CAP_SETUID,	  CAP_SETPCAP,	    CAP_NET_BIND_SERVICE,
		CAP_SYS_CHROOT, CAP_AUDIT_WRITE,  CAP_SETFCAP,
	};
	uint64_t set = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		set |= 1ULL << caps[i];
	return set;
}

static void limits_unset(struct lb_limits_set *l)
{
	memset(l, 0, sizeof(*l));
	l->memory_max = l->memory_high = l->memory_swap_max = LB_UNLIMITED;
	l->cpu_max = l->cpu_weight = l->pids_max = l->io_weight = LB_UNLIMITED;
	l->n_io = 0;
}

void lb_policy_defaults(struct lb_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->boxed = true;
	snprintf(p->image, sizeof(p->image), "host");
	p->network = LB_NET_NONE;
	snprintf(p->hostname, sizeof(p->hostname), "%%u-box");
	p->inside_uid = LB_INSIDE_SELF;
	p->upper = LB_UPPER_TMPFS;
	p->upper_size = 1ULL << 30;
	p->home = LB_HOME_BIND;
	p->tmpfs_size = 1ULL << 30;
	snprintf(p->shell, sizeof(p->shell), "/bin/bash");
	p->seccomp = LB_SECCOMP_DEFAULT;
	p->caps = lb_caps_default();
	p->n_keep_groups = 0;
	p->on_error = LB_ON_ERROR_DENY;
	p->limits = LB_LIMITS_BEST_EFFORT;
	p->priority = 0;
	limits_unset(&p->session);
	limits_unset(&p->user);
}

static bool member(const char *group, const char *const *groups, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (groups[i] && strcmp(groups[i], group) == 0)
			return true;
	return false;
}

static int prio(const struct lb_section *s)
{
	return (s->set_mask & LB_KEY_BIT(LB_KEY_PRIORITY)) ? s->values.priority
							   : 0;
}

static void apply(struct lb_policy *p, const struct lb_section *s)
{
	lb_key_overlay(p, &s->values, s->set_mask);
}

int lb_policy_resolve(const struct lb_config *cfg, const char *user,
		      const char *const *groups, int ngroups,
		      struct lb_policy *p, struct lb_err *err)
{
	const struct lb_section *best = NULL, *tie = NULL, *usec = NULL, *s;
	int i;

	lb_policy_defaults(p);
	p->on_error = cfg->on_error;
	p->limits = cfg->limits;
	if (!user || !user[0] || strcmp(user, "root") == 0) {
		p->boxed = false; /* root is never boxed: it is the way in */
		return 0;
	}
	for (i = 0; i < cfg->n_sections; i++) {
		s = &cfg->sections[i];
		if (s->kind == LB_SEC_USER) {
			if (strcmp(s->target, user) == 0)
				usec = s;
			continue;
		}
		if (!member(s->target, groups, ngroups))
			continue;
		if (!best || prio(s) > prio(best)) {
			best = s;
			tie = NULL;
		} else if (prio(s) == prio(best) && !tie) {
			tie = s;
		}
	}

	/* A user-level box = no is an unambiguous exemption (break-glass
	 * accounts): honour it even when the groups tie. */
	if (usec && (usec->set_mask & LB_KEY_BIT(LB_KEY_BOX)) &&
	    !usec->values.boxed) {
		snprintf(p->section, sizeof(p->section), "%s", usec->name);
		snprintf(p->user_section, sizeof(p->user_section), "%s",
			 usec->name);
		snprintf(p->source, sizeof(p->source), "%s", usec->source);
		p->boxed = false;
		return 0;
	}
	if (tie) {
		/* Fail closed: picking either would be a guess. */
		lb_fail(err, 0, "user %s: [%s] and [%s] both match with "
			"priority %d", user, best->name, tie->name, prio(best));
		return lb_hint(err, "set a different priority = N in one of "
			       "them (%s, %s)", best->source, tie->source);
	}
	if (!best && cfg->default_section[0])
		best = lb_config_find(cfg, cfg->default_section);
	if (!best && !usec) {
		p->boxed = false;
		return 0;
	}
	if (best) {
		apply(p, best);
		snprintf(p->section, sizeof(p->section), "%s", best->name);
		snprintf(p->source, sizeof(p->source), "%s", best->source);
	}
	if (usec) {
		apply(p, usec);
		snprintf(p->user_section, sizeof(p->user_section), "%s",
			 usec->name);
		if (!best) {
			snprintf(p->section, sizeof(p->section), "%s",
				 usec->name);
			snprintf(p->source, sizeof(p->source), "%s",
				 usec->source);
		}
	}
	return p->boxed ? 1 : 0;
}

int lb_policy_for_user(const struct lb_config *cfg, const char *user,
		       struct lb_policy *p, struct lb_err *err)
{
	cleanup_free struct lb_user *u = malloc(sizeof(*u));

	if (!u)
		return lb_fail(err, ENOMEM, "user %s", user);
	if (lb_user_lookup(user, u, err) < 0)
		return -1;
	return lb_policy_for(cfg, u, p, err);
}

int lb_policy_for(const struct lb_config *cfg, const struct lb_user *u,
		  struct lb_policy *p, struct lb_err *err)
{
	const char *names[LB_USER_MAX_GROUPS];
	int i, n = 0;

	if (u->uid == 0) {
		/* any uid-0 alias of root ("toor") is root too */
		lb_policy_defaults(p);
		p->on_error = cfg->on_error;
		p->limits = cfg->limits;
		p->boxed = false;
		return 0;
	}
	for (i = 0; i < u->ngroups; i++)
		if (u->group_names[i][0])
			names[n++] = u->group_names[i];
	return lb_policy_resolve(cfg, u->name, names, n, p, err);
}
