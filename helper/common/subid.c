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
