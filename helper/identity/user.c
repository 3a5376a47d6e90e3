// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user as NSS sees them.  Groups come from getgrouplist() so that
 * LDAP/SSSD memberships choose the policy exactly as they grant access.
 * Nothing is truncated: a group list or name that does not fit is an
 * error, because a dropped group could be the one that boxes the user.
 */
#include "user.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"

/* Start size for the *_r buffers; doubled on ERANGE up to this cap. */
#define NSS_BUF_MIN 4096
#define NSS_BUF_MAX (1 << 20)

static int copy_field(char *dst, size_t len, const char *src, const char *user,
		      const char *what, struct lb_err *err)
{
	if (!src || strlen(src) >= len)
		return lb_fail(err, 0, "user %s: %s is missing or longer than "
			       "%zu bytes", user, what, len - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int group_name(gid_t gid, char *out, size_t len, struct lb_err *err)
{
	cleanup_free char *buf = NULL;
	struct group gr, *res = NULL;
	size_t size = NSS_BUF_MIN;
	int r;

	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf)
			return lb_fail(err, ENOMEM, "getgrgid_r %u",
				       (unsigned)gid);
		buf = nbuf;
		r = getgrgid_r(gid, &gr, buf, size, &res);
		if (r != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 2;
	}
	if (r != 0)
		return lb_fail(err, r, "getgrgid_r %u", (unsigned)gid);
	out[0] = '\0';
	if (!res)
		return 0; /* a gid without a name cannot match a section */
	if (strlen(res->gr_name) >= len)
		return lb_fail(err, 0, "group %u: name longer than %zu bytes",
			       (unsigned)gid, len - 1);
	memcpy(out, res->gr_name, strlen(res->gr_name) + 1);
	return 0;
}

static bool name_char(char c, bool first)
{
	/* Digits first too: directories hold such names, and refusing them
	 * here would refuse unboxed users as well. */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c >= '0' && c <= '9'))
		return true;
	/* '@': SSSD's fully qualified names (alice@example.org); never
	 * first, nor '-' (an option) or '.' ("." and "..") */
	return !first && (c == '-' || c == '.' || c == '@');
}

int lb_user_name_check(const char *name, struct lb_err *err)
{
	char show[4 * LB_USER_NAME_MAX + 8];
	size_t n = name ? strnlen(name, LB_USER_NAME_MAX + 1) : 0, i, o = 0;
	bool ok = n >= 1 && n <= LB_USER_NAME_MAX;

	for (i = 0; ok && i < n; i++)
		ok = name_char(name[i], i == 0) ||
		     (name[i] == '$' && i == n - 1 && i > 0);
	if (ok)
		return 0;
	/* Shown escaped: the name may hold a newline or an escape sequence. */
	for (i = 0; name && name[i] && i < LB_USER_NAME_MAX + 1 &&
		    o + 5 < sizeof(show); i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			show[o++] = (char)c;
		else
			o += (size_t)snprintf(show + o, sizeof(show) - o,
					      "\\x%02x", c);
	}
	show[o] = '\0';
	lb_fail(err, 0, "user name \"%s%s\" is not one loginbox accepts", show,
		n > LB_USER_NAME_MAX ? "..." : "");
	return lb_hint(err, "user names must be 1 to %d characters: a letter, "
			    "digit or '_', then letters, digits, '_', '-', '.', "
			    "'@', and an optional final '$'",
		       LB_USER_NAME_MAX);
}

int lb_user_lookup(const char *name, struct lb_user *u, struct lb_err *err)
{
	cleanup_free char *buf = NULL;
	cleanup_free gid_t *groups = NULL;
	struct passwd pw, *res = NULL;
	size_t size = NSS_BUF_MIN;
	int r, n = 32, i;

	memset(u, 0, sizeof(*u));
	if (lb_user_name_check(name, err) < 0)
		return -1;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf)
			return lb_fail(err, ENOMEM, "getpwnam_r %s", name);
		buf = nbuf;
		errno = 0;
		r = getpwnam_r(name, &pw, buf, size, &res);
		if (r != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 2;
	}
	if (r != 0)
		return lb_fail(err, r, "getpwnam_r %s", name);
	if (!res)
		return lb_fail(err, 0, "no such user %s (NSS)", name);
	/* A directory service may answer with another spelling. */
	if (lb_user_name_check(pw.pw_name, err) < 0)
		return lb_prefix(err, "NSS entry for %s", name);
	if (copy_field(u->name, sizeof(u->name), pw.pw_name, name, "name",
		       err) < 0 ||
	    copy_field(u->home, sizeof(u->home), pw.pw_dir, name, "home",
		       err) < 0 ||
	    copy_field(u->shell, sizeof(u->shell), pw.pw_shell, name, "shell",
		       err) < 0)
		return -1;
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;

	/* getgrouplist says how many it needs when the buffer is short. */
	for (;;) {
		int want = n;
		gid_t *ng = realloc(groups, (size_t)n * sizeof(*groups));

		if (!ng)
			return lb_fail(err, ENOMEM, "getgrouplist %s", name);
		groups = ng;
		if (getgrouplist(u->name, u->gid, groups, &want) >= 0) {
			n = want;
			break;
		}
		if (want <= n)
			want = n * 2; /* some NSS modules do not say */
		if (want > 65536)
			return lb_fail(err, 0, "getgrouplist %s: too many "
				       "groups", name);
		n = want;
	}
	if (n > LB_USER_MAX_GROUPS)
		return lb_fail(err, 0, "user %s is in %d groups, more than "
			       "the %d loginbox handles", name, n,
			       LB_USER_MAX_GROUPS);
	for (i = 0; i < n; i++) {
		u->groups[i] = groups[i];
		if (group_name(groups[i], u->group_names[i],
			       sizeof(u->group_names[i]), err) < 0)
			return lb_prefix(err, "user %s", name);
	}
	u->ngroups = n;
	return 0;
}

int lb_user_in_group(const struct lb_user *u, const char *name, gid_t *gid)
{
	int i;

	for (i = 0; i < u->ngroups; i++) {
		if (strcmp(u->group_names[i], name) == 0) {
			if (gid)
				*gid = u->groups[i];
			return 1;
		}
	}
	return 0;
}
