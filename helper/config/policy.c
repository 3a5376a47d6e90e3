// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which section boxes a user (policy.h has the rules).  Pure over a loaded
 * config so that the whole decision is unit-tested and fuzzed; only
 * lb_policy_load touches NSS and reads files.
 * policy.c sits above the config_*.c files and nothing there calls back
 * into it (the defaults live in config_defaults.c).
 */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_keys.h"
#include "macros.h"
#include "policy_nss.h"
#include "paths.h"
#include "strparse.h"
#include "user.h"

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
	if (cfg->global_mask & LB_KEY_BIT(LB_KEY_MAX_LINGER))
		p->max_linger = cfg->max_linger;
	lb_policy_net_globals(cfg, p);
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

int lb_policy_for(const struct lb_config *cfg, const struct lb_user *u,
		  struct lb_policy *p, struct lb_err *err)
{
	const char *names[LB_USER_MAX_GROUPS];
	int i, n = 0, r;

	if (u->uid == 0) {
		/* any uid-0 alias of root ("toor") is root too */
		lb_policy_defaults(p);
		p->on_error = cfg->on_error;
		p->limits = cfg->limits;
		if (cfg->global_mask & LB_KEY_BIT(LB_KEY_MAX_LINGER))
			p->max_linger = cfg->max_linger;
		p->boxed = false;
		return 0;
	}
	for (i = 0; i < u->ngroups; i++)
		if (u->group_names[i][0])
			names[n++] = u->group_names[i];
	r = lb_policy_resolve(cfg, u->name, names, n, p, err);
	if (r == 1 && lb_policy_check(p, err) < 0)
		return lb_prefix(err, "user %s", u->name);
	return r;
}

/*
 * Box root on the host image owns, through the idmap of the lower layer,
 * every file host root owns; the masks (mounts.c) hide the secrets we
 * know of, and any other (/var/cache/debconf/passwords.dat,
 * /etc/sssd/sssd.conf, /swapfile, a database dump) would be box root's to
 * read.  A deny list cannot be complete: root in the box needs an image
 * of its own.
 */
int lb_policy_check(const struct lb_policy *p, struct lb_err *err)
{
	char where[2 * LB_SECTION_MAX + 16];

	if (!p->boxed || p->inside_uid != LB_INSIDE_ROOT ||
	    strcmp(p->image, "host") != 0)
		return 0;
	if (p->user_section[0] && strcmp(p->user_section, p->section) != 0)
		snprintf(where, sizeof(where), "[%s] with [%s]", p->section,
			 p->user_section);
	else
		snprintf(where, sizeof(where), "[%s]", p->section);
	lb_fail(err, 0, "%s: %s inside_uid: root with image = host would make "
		"box root the owner of every host file of root the masks miss "
		"(/var/cache/debconf/passwords.dat, /etc/sssd/sssd.conf, "
		"/swapfile, ...): root in a box needs a directory image under "
		"%s",
		p->source[0] ? p->source : "(built-in defaults)", where,
		LB_IMAGES_DIR);
	return lb_hint(err, "set image = NAME in %s, NAME a directory image "
			    "under %s, or inside_uid = self",
		       where, LB_IMAGES_DIR);
}

bool lb_policy_allows_unboxed(const struct lb_policy *p,
			      const struct lb_err *err)
{
	return p && p->on_error == LB_ON_ERROR_ALLOW && err->admin;
}

int lb_policy_check_config(const struct lb_config *cfg, struct lb_err *err)
{
	struct lb_policy p;
	int i, r;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (s->kind == LB_SEC_USER) {
			cleanup_free struct lb_user *u = malloc(sizeof(*u));
			struct lb_err ignore;

			if (!u)
				return lb_fail(err, ENOMEM, "[%s]", s->name);
			if (lb_user_lookup(s->target, u, &ignore) == 0) {
				if (lb_policy_for(cfg, u, &p, err) < 0)
					return -1;
				continue;
			}
			/* NSS does not know them (yet): over the default */
			r = lb_policy_resolve(cfg, s->target, NULL, 0, &p, err);
			if (r < 0)
				return -1;
		} else {
			lb_policy_defaults(&p);
			apply(&p, s);
			snprintf(p.section, sizeof(p.section), "%s", s->name);
			snprintf(p.source, sizeof(p.source), "%s", s->source);
			r = p.boxed ? 1 : 0;
		}
		if (r == 1 && lb_policy_check(&p, err) < 0)
			return -1;
	}
	return 0;
}

/* "a, b" from the bits of a file mask. */
static void files_of(const struct lb_config *cfg, uint64_t mask, char *buf,
		     size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_files && i < 64 && o < len; i++)
		if (mask & (1ULL << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? ", " : "", cfg->files[i]);
}

void lb_policy_origin(const struct lb_config *cfg, const struct lb_policy *p,
		      struct lb_policy_origin *o)
{
	const struct lb_section *g = NULL, *us = NULL, *s;
	int k;

	memset(o, 0, sizeof(*o));
	if (p->user_section[0])
		us = lb_config_find(cfg, p->user_section);
	if (p->section[0] && strcmp(p->section, p->user_section) != 0)
		g = lb_config_find(cfg, p->section);
	if (g)
		files_of(cfg, g->file_mask, o->section_files,
			 sizeof(o->section_files));
	else if (us)
		files_of(cfg, us->file_mask, o->section_files,
			 sizeof(o->section_files));
	if (us)
		files_of(cfg, us->file_mask, o->user_files,
			 sizeof(o->user_files));
	/* The layers of lb_policy_resolve, top first: user section, group
	 * section, [global], built-in default. */
	for (k = 0; k < LB_KEY__COUNT; k++) {
		struct lb_origin *to = &o->key[k];
		uint64_t bit = LB_KEY_BIT(k);

		s = us && (us->set_mask & bit) ? us
		    : g && (g->set_mask & bit) ? g
					       : NULL;
		if (s) {
			snprintf(to->file, sizeof(to->file), "%s",
				 cfg->files[s->key_file[k]]);
			snprintf(to->section, sizeof(to->section), "%s",
				 s->name);
		} else if (cfg->global_mask & bit) {
			snprintf(to->file, sizeof(to->file), "%s",
				 cfg->files[cfg->global_file[k]]);
			snprintf(to->section, sizeof(to->section), "global");
		}
	}
}

int lb_policy_load(const struct lb_user *u, struct lb_policy *p,
		   struct lb_policy_origin *o, struct lb_err *err)
{
	/* about 1 MiB: not on the stack of a PAM module's caller */
	cleanup_free struct lb_config *cfg = calloc(1, sizeof(*cfg));
	int r;

	if (!cfg)
		return lb_fail(err, ENOMEM, "loading the config");
	if (lb_config_load(cfg, err) < 0)
		return -1;
	r = lb_policy_for(cfg, u, p, err);
	/* getgrouplist() hides a failed directory: refuse when one of its
	 * groups could change this decision (policy_nss.h). */
	if (r >= 0 && lb_policy_groups_sure(cfg, u, lb_group_lookup_nss,
					    err) < 0)
		return -1;
	if (r >= 0 && o)
		lb_policy_origin(cfg, p, o);
	return r;
}
