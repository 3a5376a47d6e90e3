// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where subordinate ids come from.  /etc/subuid and /etc/subgid are the
 * base case, parsed by our own strict parser (subid.c).  When
 * /etc/nsswitch.conf has a `subid:` line naming another source (SSSD,
 * FreeIPA: `subid: sss`), shadow's libsubid is asked instead, so LDAP
 * users get their ranges the same way newuidmap would.
 *
 * libsubid is loaded with dlopen() only then: linked in, it brings a dozen
 * libraries (selinux, audit, pam, pcre2...) into every helper start and
 * every box's init, for the common case that never uses it (bench/).
 */
#include "box.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <shadow/subid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "macros.h"
#include "trusted_file.h"

/* The first source of the `subid:` database, or "" for files. */
static void nss_source(char *out, size_t len)
{
	char buf[8192], *line, *save = NULL;
	struct lb_err e;

	out[0] = '\0';
	if (fs_read_small(AT_FDCWD, "/etc/nsswitch.conf", buf,
			  sizeof(buf), &e) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char src[64];

		line += strspn(line, " \t");
		if (strncmp(line, "subid:", 6) != 0)
			continue;
		if (sscanf(line + 6, " %63[A-Za-z0-9_-]", src) == 1 &&
		    strcmp(src, "files") != 0)
			snprintf(out, len, "%s", src);
		return;
	}
}

/*
 * libsubid (shadow 4.13, lib/nss.c) falls back to /etc/subuid, with a line
 * on its log stream only, when libsubid_SOURCE.so cannot be loaded or
 * lacks one of its three functions: ranges would then come from another
 * source than the admin named.  Load it ourselves first and refuse
 * instead; libsubid's own dlopen then finds the same, loaded, object.
 */
static int provider_check(const struct lb_user *u, const char *src,
			  struct lb_err *err)
{
	static const char *const fns[] = {"shadow_subid_has_range",
					  "shadow_subid_list_owner_ranges",
					  "shadow_subid_find_subid_owners"};
	char name[96];
	void *h;
	size_t i;

	snprintf(name, sizeof(name), "libsubid_%s.so", src);
	h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		lb_fail(err, 0, "user %s: nsswitch.conf names subid: %s, but "
				"%s cannot be loaded (%s), and libsubid would "
				"take /etc/subuid instead",
			u->name, src, name, dlerror());
		return lb_hint(err, "install the provider of subid: %s, or "
				    "set subid: files", src);
	}
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!dlsym(h, fns[i]))
			return lb_fail(err, 0, "user %s: %s (subid: %s) lacks "
					       "%s, and libsubid would take "
					       "/etc/subuid instead",
				       u->name, name, src, fns[i]);
	return 0; /* kept loaded for libsubid */
}

static int from_libsubid(bool gid, const struct lb_user *u, uint32_t need,
			 const char *src, struct lb_subid_range *out,
			 struct lb_err *err)
{
	bool (*init)(const char *, FILE *);
	int (*get)(const char *, struct subid_range **);
	struct subid_range *r = NULL;
	void *lib;
	int n, i;

	lib = dlopen("libsubid.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		lb_fail(err, 0, "user %s: nsswitch.conf names subid: %s, but "
				"libsubid cannot be loaded (%s)",
			u->name, src, dlerror());
		return lb_hint(err, "apt-get install libsubid4");
	}
	init = (bool (*)(const char *, FILE *))dlsym(lib, "subid_init");
	get = (int (*)(const char *, struct subid_range **))dlsym(
		lib, gid ? "subid_get_gid_ranges" : "subid_get_uid_ranges");
	if (!init || !get)
		return lb_fail(err, 0, "libsubid.so.4 lacks subid_init or "
				       "subid_get_*_ranges");
	if (provider_check(u, src, err) < 0)
		return -1;
	init("loginbox-helper", stderr);
	n = get(u->name, &r);
	if (n < 0) {
		/* An unknown user, a lost connection and an error all come
		 * back as -1: refused alike (never an unboxed login). */
		lb_fail(err, 0, "user %s: the subordinate %s source (subid: "
				"%s, through libsubid) did not answer",
			u->name, gid ? "gid" : "uid", src);
		return lb_hint(err, "check the identity source that serves "
				    "subid: %s (sssd, the directory)", src);
	}
	for (i = 0; i < n; i++) {
		if (r[i].count >= need && r[i].start > 0 &&
		    r[i].start <= UINT32_MAX - need) {
			out->start = (uint32_t)r[i].start;
			out->count = (uint32_t)r[i].count;
			free(r);
			return 0;
		}
	}
	free(r);
	lb_fail(err, 0, "user %s has no subordinate %s range of %u ids from "
			"libsubid (subid: %s)",
		u->name, gid ? "gid" : "uid", need, src);
	return lb_hint(err, "assign one in your identity source (e.g. FreeIPA "
			    "subordinate ids)");
}

/*
 * The first uid of the range owns the box's user namespace (userns.c): no
 * account may have it, not even one only a directory knows (SSSD, LDAP,
 * systemd's userdb).  Checking the whole range through NSS would cost a
 * lookup per id on every login; the local files are checked whole
 * (subid.c), NSS for the owner only: one lookup that misses, about 0.1 ms
 * with nss-systemd.  Gids own nothing, so the subgid range is checked
 * against the files only.
 */
static int owner_free(const struct lb_user *u, const char *file,
		      const struct lb_subid_range *r, struct lb_err *err)
{
	struct passwd *pw = getpwuid((uid_t)r->start);

	if (!pw)
		return 0;
	lb_fail(err, 0, "%s: uid %u, the first of the range of %s, is the uid "
			"of account %s (NSS); it would own the box's user "
			"namespace",
		file, r->start, u->name, pw->pw_name);
	return lb_hint(err, "give %s a range no account uses (usermod "
			    "--del-subuids, --add-subuids, or in the directory)",
		       u->name);
}

int subid_source_lookup(bool gid, const struct lb_user *u, uint32_t need,
		 struct lb_subid_range *out, struct lb_err *err)
{
	const char *file = gid ? "/etc/subgid" : "/etc/subuid";
	const char *ids = gid ? "/etc/group" : "/etc/passwd";
	cleanup_free char *text = NULL;
	size_t len;
	char src[64];

	nss_source(src, sizeof(src));
	if (src[0]) {
		/* Other users' ranges cannot be listed through libsubid:
		 * the directory is trusted to keep them apart. */
		if (from_libsubid(gid, u, need, src, out, err) < 0 ||
		    lb_trusted_read(AT_FDCWD, ids, ids, true, 4u << 20, &text,
				    &len, err) < 0 ||
		    lb_subid_check_accounts(text, ids, file, u->name, out,
					    err) < 0)
			return -1;
	} else if (lb_subid_lookup_owned(file, ids, u->name, u->uid, need, out,
					 err) < 0) {
		return -1;
	}
	return gid ? 0 : owner_free(u, file, out, err);
}
