// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/subuid and /etc/subgid (subuid(5)).  Reading them is the one place
 * where loginbox decides which host ids a box may own, so the file is
 * opened like the config (O_NOFOLLOW, root-owned, not group/world
 * writable) and this user's lines are parsed strictly.  Other users'
 * lines are none of our business: a typo there must not lock anyone else
 * out, so they are only required to be skippable.
 */
#include "subid.h"

#include "trusted_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "strparse.h"

#define SUBID_MAX_BYTES (4u << 20)

/* The usermod option that adds to this file. */
static const char *usermod_opt(const char *file)
{
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	return strstr(base, "gid") ? "--add-subgids" : "--add-subuids";
}

/* Where a new range could go: above every range in the file, aligned to
 * 65536 (shadow's own default is 100000 upwards, in steps of 65536). */
static uint64_t free_start(uint64_t max_end)
{
	uint64_t s = 100000;

	if (max_end > s)
		s = (max_end + 65535) / 65536 * 65536;
	return s;
}

int lb_subid_parse(const char *text, const char *file, const char *user,
		   uid_t uid, uint32_t need, struct lb_subid_range *out,
		   struct lb_err *err)
{
	char uidstr[24], line[512];
	uint64_t max_end = 0, best = 0, end, start;
	const char *p = text, *nl;
	int lineno = 0, found = 0;

	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)uid);
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		char *f1, *f2, *f3;
		long long s, c;
		size_t len;
		bool mine;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len == 0 || p[0] == '#')
			continue;
		if (len >= sizeof(line)) {
			/* too long to be ours (names are short): skip */
			continue;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		f1 = line;
		f2 = strchr(f1, ':');
		f3 = f2 ? strchr(f2 + 1, ':') : NULL;
		if (f2)
			*f2++ = '\0';
		if (f3)
			*f3++ = '\0';
		mine = strcmp(f1, user) == 0 || strcmp(f1, uidstr) == 0;
		if (!f3 || strchr(f3, ':') ||
		    lb_parse_int(f2, 0, UINT32_MAX, &s) < 0 ||
		    lb_parse_int(f3, 1, UINT32_MAX, &c) < 0 ||
		    (uint64_t)s + (uint64_t)c > UINT32_MAX) {
			if (!mine)
				continue;
			lb_fail(err, 0, "%s line %d: malformed entry for %s",
				file, lineno, user);
			return lb_hint(err, "entries are NAME:START:COUNT in "
				       "decimal, e.g. %s:100000:65536", user);
		}
		end = (uint64_t)s + (uint64_t)c;
		if (end > max_end)
			max_end = end;
		if (!mine)
			continue;
		found++;
		if ((uint64_t)c >= need) {
			out->start = (uint32_t)s;
			out->count = (uint32_t)c;
			return 0;
		}
		if ((uint64_t)c > best)
			best = (uint64_t)c;
	}

	start = free_start(max_end);
	if (found)
		lb_fail(err, 0, "user %s has at most %" PRIu64 " ids in a "
			"range in %s; loginbox needs %" PRIu32, user, best,
			file, need);
	else
		lb_fail(err, 0, "user %s has no range in %s", user, file);
	return lb_hint(err, "usermod %s %" PRIu64 "-%" PRIu64 " %s (loginbox "
		       "needs %" PRIu32 " ids)", usermod_opt(file), start,
		       start + need - 1, user, need);
}

int lb_subid_lookup(const char *file, const char *user, uid_t uid,
		    uint32_t need, struct lb_subid_range *out,
		    struct lb_err *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (lb_trusted_read(AT_FDCWD, file, file, true, SUBID_MAX_BYTES, &buf,
			    &len, err) < 0)
		return -1;
	return lb_subid_parse(buf, file, user, uid, need, out, err);
}

/*
 * Who else could hold the ids of a range.  The first id of a box's range
 * owns its user namespace (docs/SECURITY.md, hard spot 3), and the owner,
 * when it runs in the parent namespace, holds every capability over the
 * box; every other id of the range is a box uid whose files and processes
 * a host process with that uid would own.  So no id of the range may be
 * another user's range or the id of an account.
 */

/* Split one NAME:START:COUNT line; false when it is not one. */
static bool split_range(const char *p, size_t len, char *line, size_t cap,
			char **owner, uint64_t *start, uint64_t *count)
{
	char *f2, *f3;
	long long s, c;

	if (len == 0 || p[0] == '#' || len >= cap)
		return false;
	memcpy(line, p, len);
	line[len] = '\0';
	f2 = strchr(line, ':');
	f3 = f2 ? strchr(f2 + 1, ':') : NULL;
	if (!f3 || strchr(f3 + 1, ':'))
		return false;
	*f2++ = '\0';
	*f3++ = '\0';
	if (lb_parse_int(f2, 0, UINT32_MAX, &s) < 0 ||
	    lb_parse_int(f3, 1, UINT32_MAX, &c) < 0 ||
	    (uint64_t)s + (uint64_t)c > UINT32_MAX)
		return false;
	*owner = line;
	*start = (uint64_t)s;
	*count = (uint64_t)c;
	return true;
}

int lb_subid_check_others(const char *text, const char *file,
			  const char *user, uid_t uid,
			  const struct lb_subid_range *r, struct lb_err *err)
{
	uint64_t lo = r->start, hi = (uint64_t)r->start + r->count;
	int lineno = 0, mine_line = 0;
	const char *p, *nl;
	char uidstr[24], line[512];

	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)uid);
	/* The line the range came from, for the message. */
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		uint64_t s, c;
		char *o;

		nl = strchr(p, '\n');
		lineno++;
		if (split_range(p, nl ? (size_t)(nl - p) : strlen(p), line,
				sizeof(line), &o, &s, &c) &&
		    (!strcmp(o, user) || !strcmp(o, uidstr)) && s == lo &&
		    c == r->count) {
			mine_line = lineno;
			break;
		}
	}
	lineno = 0;
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		uint64_t s, c;
		char *o;

		nl = strchr(p, '\n');
		lineno++;
		if (!split_range(p, nl ? (size_t)(nl - p) : strlen(p), line,
				 sizeof(line), &o, &s, &c) ||
		    !strcmp(o, user) || !strcmp(o, uidstr))
			continue;
		if (s >= hi || s + c <= lo)
			continue;
		lb_fail(err, 0, "%s line %d: the range of %s (%" PRIu64 "-%"
			PRIu64 ") overlaps the range of %s (%" PRIu64 "-%"
			PRIu64 ", line %d); a box cannot share its ids", file,
			lineno, o, s, s + c - 1, user, lo, hi - 1, mine_line);
		return lb_hint(err, "give every user a range of its own, "
			       "e.g. usermod %s %" PRIu64 "-%" PRIu64 " %s, and "
			       "a free range with %s", strstr(file, "gid") ? "--del-subgids"
						   : "--del-subuids",
			       s, s + c - 1, o, usermod_opt(file));
	}
	return 0;
}

int lb_subid_check_accounts(const char *text, const char *idfile,
			    const char *file, const char *user,
			    const struct lb_subid_range *r, struct lb_err *err)
{
	uint64_t lo = r->start, hi = (uint64_t)r->start + r->count;
	bool gid = strstr(idfile, "group") != NULL;
	const char *p, *nl;
	int lineno = 0;

	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		const char *f = p, *end;
		char name[64], num[16];
		long long id;
		size_t len;
		int i;

		nl = strchr(p, '\n');
		end = nl ? nl : p + strlen(p);
		lineno++;
		/* NAME:PASSWORD:ID:... in both passwd(5) and group(5) */
		for (i = 0; i < 2 && f; i++) {
			f = memchr(f, ':', (size_t)(end - f));
			if (f)
				f++;
		}
		if (!f || f >= end)
			continue;
		len = strcspn(f, ":\n");
		if (len == 0 || len >= sizeof(num))
			continue;
		memcpy(num, f, len);
		num[len] = '\0';
		if (lb_parse_int(num, 0, UINT32_MAX, &id) < 0 ||
		    (uint64_t)id < lo || (uint64_t)id >= hi)
			continue;
		len = strcspn(p, ":\n");
		snprintf(name, sizeof(name), "%.*s",
			 (int)(len < 63 ? len : 63), p);
		lb_fail(err, 0, "%s: the range of %s (%" PRIu64 "-%" PRIu64
			") holds %s %lld of %s (%s line %d); a box cannot use "
			"the id of an account", file, user, lo, hi - 1,
			gid ? "gid" : "uid", id, name, idfile, lineno);
		return lb_hint(err, "move the range above every account: "
			       "usermod %s %" PRIu64 "-%" PRIu64 " %s, then "
			       "usermod %s with a free range",
			       gid ? "--del-subgids" : "--del-subuids", lo,
			       hi - 1, user, usermod_opt(file));
	}
	return 0;
}

int lb_subid_lookup_owned(const char *file, const char *idfile,
			  const char *user, uid_t uid, uint32_t need,
			  struct lb_subid_range *out, struct lb_err *err)
{
	cleanup_free char *buf = NULL, *ids = NULL;
	size_t len = 0;

	if (lb_trusted_read(AT_FDCWD, file, file, true, SUBID_MAX_BYTES, &buf,
			    &len, err) < 0)
		return -1;
	if (lb_subid_parse(buf, file, user, uid, need, out, err) < 0 ||
	    lb_subid_check_others(buf, file, user, uid, out, err) < 0)
		return -1;
	if (lb_trusted_read(AT_FDCWD, idfile, idfile, true, SUBID_MAX_BYTES,
			    &ids, &len, err) < 0)
		return -1;
	return lb_subid_check_accounts(ids, idfile, file, user, out, err);
}
