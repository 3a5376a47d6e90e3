// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: every range declared in /etc/subuid and /etc/subgid (doctor.h).
 * A login checks only its own user's range (subid.c); here every range
 * is checked the same way, with the same functions, before any login
 * meets it: no id of a range may be in another owner's range or be the
 * id of a local account.  Directory users cannot be listed, so it is the
 * ranges that are checked, whoever owns them.
 */
#include "doctor.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "strparse.h"
#include "subid.h"
#include "trusted_file.h"

#define IDS_MAX_BYTES (4u << 20)

/* One NAME:START:COUNT line into owner and range; false when it is not. */
static bool range_of(const char *p, size_t len, char *owner, size_t olen,
		     struct lb_subid_range *r)
{
	char line[512], *f2, *f3;
	long long s, c;

	if (len == 0 || p[0] == '#' || len >= sizeof(line))
		return false;
	memcpy(line, p, len);
	line[len] = '\0';
	f2 = strchr(line, ':');
	f3 = f2 ? strchr(f2 + 1, ':') : NULL;
	if (!f3)
		return false;
	*f2++ = '\0';
	*f3++ = '\0';
	if (lb_parse_int(f2, 0, UINT32_MAX, &s) < 0 ||
	    lb_parse_int(f3, 1, UINT32_MAX, &c) < 0 ||
	    (unsigned long long)s + (unsigned long long)c > UINT32_MAX)
		return false;
	snprintf(owner, olen, "%s", line);
	r->start = (uint32_t)s;
	r->count = (uint32_t)c;
	return true;
}

/* Make line n (from 1) of text a comment; false when there is none. */
static bool comment_line(char *text, int n)
{
	char *p = text;

	while (--n > 0 && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p || n != 0 || !*p || *p == '#')
		return false;
	*p = '#';
	return true;
}

static uid_t owner_uid(const char *owner)
{
	long long v;
	struct passwd *pw;

	if (lb_parse_int(owner, 0, UINT32_MAX - 1, &v) == 0)
		return (uid_t)v;
	pw = getpwnam(owner);
	return pw ? pw->pw_uid : (uid_t)-1;
}

static void check_file(struct lb_doctor *d, const char *file,
		       const char *idfile)
{
	cleanup_free char *text = NULL, *ids = NULL, *upto = NULL;
	char name[64], owner[256], msg[1200];
	size_t len = 0, idlen = 0;
	const char *p, *nl;
	struct lb_err err;
	int ranges = 0, bad = 0, lineno = 0;

	snprintf(name, sizeof(name), "subordinate ids %s", file);
	lb_err_clear(&err);
	if (lb_trusted_read(AT_FDCWD, file, file, true, IDS_MAX_BYTES, &text,
			    &len, &err) < 0 ||
	    lb_trusted_read(AT_FDCWD, idfile, idfile, true, IDS_MAX_BYTES, &ids,
			    &idlen, &err) < 0) {
		lb_doc_add(d, LB_DOC_ERROR, name,
			   err.hint[0] ? err.hint : NULL, "%s",
			   lb_err_text(&err, msg, sizeof(msg)));
		return;
	}
	upto = strdup(text);
	if (!upto)
		return;
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		struct lb_subid_range r;
		size_t off = (size_t)(p - text);
		char *q;

		nl = strchr(p, '\n');
		lineno++;
		if (!range_of(p, nl ? (size_t)(nl - p) : strlen(p), owner,
			      sizeof(owner), &r)) {
			if (p[0] != '#' && p[0] != '\n' && p[0] != '\0') {
				lb_doc_add(d, LB_DOC_WARN, name,
					   "write it as NAME:START:COUNT in "
					   "decimal", "%s line %d is not a range: "
					   "a login of its owner is refused",
					   file, lineno);
				bad++;
			}
			continue;
		}
		ranges++;
		/* Each pair once: against the lines before this one only,
		 * the later ones made comments (line numbers stay); each
		 * overlap found is made a comment too, for the next. */
		memcpy(upto, text, len + 1);
		for (q = strchr(upto + off, '\n'); q && q[1]; q = strchr(q + 1, '\n'))
			if (q[1] != '\n')
				q[1] = '#';
		for (;;) {
			int other = 0;

			lb_err_clear(&err);
			if (lb_subid_check_others(upto, file, owner,
						  owner_uid(owner), &r, &err) == 0)
				break;
			lb_doc_add(d, LB_DOC_ERROR, name,
				   err.hint[0] ? err.hint : NULL, "%s", err.msg);
			bad++;
			/* "FILE line N: ..." names the other line */
			if (sscanf(err.msg + strlen(file), " line %d", &other) != 1 ||
			    !comment_line(upto, other))
				break;
		}
		lb_err_clear(&err);
		if (lb_subid_check_accounts(ids, idfile, file, owner, &r, &err) < 0) {
			lb_doc_add(d, LB_DOC_ERROR, name,
				   err.hint[0] ? err.hint : NULL, "%s", err.msg);
			bad++;
		}
	}
	if (!bad)
		lb_doc_add(d, LB_DOC_OK, name, NULL,
			   "%d range%s, none overlaps another or an id of %s",
			   ranges, ranges == 1 ? "" : "s", idfile);
}

/* A `subid:` source other than files: its ranges are asked per login. */
static void nss_source(struct lb_doctor *d)
{
	char line[512];
	FILE *f = fopen("/etc/nsswitch.conf", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + 6;

		if (strncmp(line, "subid:", 6) != 0)
			continue;
		v += strspn(v, " \t");
		v[strcspn(v, " \t\n#")] = '\0';
		if (*v && strcmp(v, "files") != 0)
			lb_doc_add(d, LB_DOC_OK, "subordinate ids (nsswitch)",
				   NULL, "subid: %s: those ranges are "
				   "checked at each login (libsubid), not "
				   "listed here", v);
		break;
	}
	fclose(f);
}

void lb_doctor_ids(struct lb_doctor *d)
{
	check_file(d, "/etc/subuid", "/etc/passwd");
	check_file(d, "/etc/subgid", "/etc/group");
	nss_source(d);
}
