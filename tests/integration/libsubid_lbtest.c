// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A subordinate-id provider for shadow's libsubid (nsswitch.conf
 * `subid: lbtest` loads libsubid_lbtest.so), built and installed by
 * t_90_ldap.sh for the length of that test only.  It stands for a
 * directory's provider (libsubid_sss.so) and answers from files the test
 * controls, under LBT_SUBID_DIR (given at build time):
 *
 *   subuid, subgid   "user:start:count" lines, as /etc/subuid
 *   fail             when it exists, every call fails with
 *                    SUBID_STATUS_ERROR_CONN (the directory is down)
 *
 * The interface is libsubid's NSS plugin one (shadow lib/prototypes.h,
 * struct subid_nss_ops): three functions found with dlsym.
 */
#include <limits.h>
#include <shadow/subid.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef LBT_SUBID_DIR
#error "build with -DLBT_SUBID_DIR=\"/path\""
#endif

#define EXPORT __attribute__((visibility("default")))

static bool failing(void)
{
	return access(LBT_SUBID_DIR "/fail", F_OK) == 0;
}

static FILE *open_db(enum subid_type t)
{
	return fopen(t == ID_TYPE_UID ? LBT_SUBID_DIR "/subuid"
				      : LBT_SUBID_DIR "/subgid",
		     "re");
}

/* The next "user:start:count" line; 0 at the end. */
static int next(FILE *f, char *user, size_t len, unsigned long *start,
		unsigned long *count)
{
	char line[512], *a, *b;

	while (fgets(line, sizeof(line), f)) {
		a = strchr(line, ':');
		if (!a)
			continue;
		*a++ = '\0';
		b = strchr(a, ':');
		if (!b || strlen(line) >= len)
			continue;
		*b++ = '\0';
		snprintf(user, len, "%s", line);
		*start = strtoul(a, NULL, 10);
		*count = strtoul(b, NULL, 10);
		return 1;
	}
	return 0;
}

EXPORT enum subid_status shadow_subid_has_range(const char *owner,
						unsigned long start,
						unsigned long count,
						enum subid_type t,
						bool *result)
{
	char user[256];
	unsigned long s, c;
	FILE *f;

	if (failing())
		return SUBID_STATUS_ERROR_CONN;
	f = open_db(t);
	if (!f)
		return SUBID_STATUS_ERROR;
	*result = false;
	while (next(f, user, sizeof(user), &s, &c))
		if (!strcmp(user, owner) && start >= s &&
		    start + count <= s + c)
			*result = true;
	fclose(f);
	return SUBID_STATUS_SUCCESS;
}

EXPORT enum subid_status
shadow_subid_list_owner_ranges(const char *owner, enum subid_type t,
			       struct subid_range **ranges, int *count)
{
	struct subid_range *r = NULL, *nr;
	char user[256];
	unsigned long s, c;
	int n = 0;
	FILE *f;

	*ranges = NULL;
	*count = 0;
	if (failing())
		return SUBID_STATUS_ERROR_CONN;
	f = open_db(t);
	if (!f)
		return SUBID_STATUS_ERROR;
	while (next(f, user, sizeof(user), &s, &c)) {
		if (strcmp(user, owner) != 0)
			continue;
		nr = realloc(r, (size_t)(n + 1) * sizeof(*r));
		if (!nr) {
			free(r);
			fclose(f);
			return SUBID_STATUS_ERROR;
		}
		r = nr;
		r[n].start = s;
		r[n].count = c;
		n++;
	}
	fclose(f);
	*ranges = r;
	*count = n;
	return SUBID_STATUS_SUCCESS;
}

EXPORT enum subid_status shadow_subid_find_subid_owners(unsigned long id,
							enum subid_type t,
							uid_t **uids,
							int *count)
{
	/* Not needed by loginbox; answer "nobody" rather than fail. */
	(void)id;
	(void)t;
	*uids = NULL;
	*count = 0;
	return failing() ? SUBID_STATUS_ERROR_CONN : SUBID_STATUS_SUCCESS;
}
