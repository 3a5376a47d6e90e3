// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A directory outage must not change a policy decision (policy_nss.h):
 * lb_policy_groups_sure over a fake NSS whose groups are found, absent or
 * failing; and the real getgrnam_r path for a group that exists and one
 * that does not.
 */
#include "policy_nss.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static struct lb_config cfg;
static struct lb_err err;
static int lookups;

static const char conf[] =
	"[group.ldapbox]\n"     /* only in the directory */
	"image = host\n"
	"[group.ldapstrict]\n"  /* only in the directory, high priority */
	"priority = 50\n"
	"[group.localbox]\n"    /* a local group */
	"priority = 60\n"
	"[group.breakglass]\n"  /* local, exempt, above every other */
	"priority = 100\n"
	"box = no\n"
	"[group.typo]\n"        /* a group nobody created */
	"priority = 70\n"
	"[user.admin]\n"
	"box = no\n"
	"[user.carol]\n"
	"image = host\n";

/* The directory is down: its groups fail; "typo" does not exist. */
static enum lb_group_state fake(const char *name, int *errnum)
{
	lookups++;
	*errnum = 0;
	if (!strcmp(name, "ldapbox") || !strcmp(name, "ldapstrict")) {
		*errnum = ENOENT; /* what libnss-ldapd reports */
		return LB_GROUP_ERROR;
	}
	if (!strcmp(name, "typo"))
		return LB_GROUP_ABSENT;
	return LB_GROUP_FOUND;
}

/* The directory answers. */
static enum lb_group_state up(const char *name, int *errnum)
{
	lookups++;
	*errnum = 0;
	return strcmp(name, "typo") ? LB_GROUP_FOUND : LB_GROUP_ABSENT;
}

static int sure(const char *name, uid_t uid, const char *const *groups,
		int n, lb_group_lookup_fn look)
{
	struct lb_user u;
	int i;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.uid = uid;
	for (i = 0; i < n; i++) {
		snprintf(u.group_names[i], sizeof(u.group_names[i]), "%s",
			 groups[i]);
		u.groups[i] = (gid_t)(1000 + i);
	}
	u.ngroups = n;
	lb_err_clear(&err);
	lookups = 0;
	return lb_policy_groups_sure(&cfg, &u, look, &err);
}

#define G(...) ((const char *const[]){__VA_ARGS__})

int main(void)
{
	int e;

	if (lb_config_parse_string(&cfg, conf, "t.conf", &err) < 0)
		skip_all(err.msg);

	/* The brief's case: a local user whose boxed group is in LDAP
	 * looks like a member of nothing while LDAP is down. */
	is_int(sure("dave", 1001, G("dave"), 1, fake), -1,
	       "directory down: a user in no section's group is refused");
	ok(strstr(err.msg, "group ldapbox of [group.ldapbox]") ||
		   strstr(err.msg, "group ldapstrict of [group.ldapstrict]"),
	   "the message names the group and its section (%s)", err.msg);
	ok(strstr(err.msg, "login refused") && strstr(err.msg, "t.conf") &&
		   strstr(err.msg, strerror(ENOENT)),
	   "... says login refused, the file and NSS's error");
	ok(strstr(err.hint, "box = no"), "the hint names the ways out (%s)",
	   err.hint);
	is_int(err.errnum, ENOENT, "errnum is NSS's");

	is_int(sure("dave", 1001, G("dave"), 1, up), 0,
	       "directory up: the same user's decision holds");
	is_int(lookups, 5, "... after looking up every group section");

	is_int(sure("root", 0, G("root"), 1, fake), 0,
	       "uid 0 is never refused (never boxed)");
	is_int(lookups, 0, "... without a lookup");
	is_int(sure("admin", 1002, G("admin"), 1, fake), 0,
	       "[user.X] box = no holds while the directory is down");
	is_int(lookups, 0, "... without a lookup");
	is_int(sure("carol", 1003, G("carol"), 1, fake), -1,
	       "[user.X] that boxes is not enough: a group could change "
	       "its values");

	is_int(sure("eve", 1004, G("eve", "breakglass"), 2, fake), 0,
	       "a local break-glass group above every failing one holds");
	is_int(lookups, 0, "... no section at or above its priority to ask");
	is_int(sure("fay", 1005, G("fay", "localbox"), 2, fake), 0,
	       "a local boxed group above every failing one holds");
	is_int(lookups, 2, "... only breakglass and typo asked (above it)");
	is_int(sure("gus", 1006, G("gus", "ldapbox"), 2, fake), -1,
	       "member of ldapbox, but ldapstrict above it fails: refused");
	ok(strstr(err.msg, "[group.ldapstrict]") != NULL,
	   "... naming ldapstrict (%s)", err.msg);
	is_int(sure("hal", 1007, G("hal", "ldapstrict"), 2, fake), 0,
	       "member of ldapstrict (the directory answered before): "
	       "nothing failing above it");

	/* Real NSS: a group that exists, one that does not. */
	ok(lb_group_lookup_nss("root", &e) == LB_GROUP_FOUND && e == 0,
	   "getgrnam_r: group root is found");
	ok(lb_group_lookup_nss("no-such-group-lb", &e) == LB_GROUP_ABSENT &&
		   e == 0,
	   "getgrnam_r: a made-up group is absent, not an error");
	return done_testing();
}
