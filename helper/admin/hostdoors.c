// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host-side doors around the box (hostdoors.h).
 *
 * A boxed login's shell runs in the box, but sshd, su and login also run
 * things on the host for it, in the environment they built for the login,
 * which a boxed user can fill (~/.pam_environment through pam_env
 * user_readenv=1, ~/.ssh/environment, AcceptEnv):
 *   sshd: /bin/sh for ~/.ssh/rc (PermitUserRC), /etc/ssh/sshrc, xauth
 *         (X11Forwarding); in its own host process: unix-socket
 *         forwarding (ssh -L 2375:/var/run/docker.sock), tun devices
 *         (PermitTunnel), internal-sftp;
 *   a mail server: ~/.forward and ~/.procmailrc pipes, as the user;
 *   PAM: pam_env lines after the last pam_loginbox.so line of a stack
 *        (pam_doors.c).
 * Each finding is one line naming the file and the fix; `loginbox doctor`
 * (doctor_sshd.c, doctor_pam.c) turns them into its results.
 */
#include "hostdoors.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envscrub.h"
#include "macros.h"

#define SSHD_PATH "/usr/sbin/sshd"
#define SSHRC_PATH "/etc/ssh/sshrc"

/* ------------------------------------------------------- the drop-in --- */

/* Names go into sshd pattern lists unquoted: no pattern or list syntax. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@$", *s)))
			return false;
	return true;
}

static bool section_boxes(const struct lb_section *s)
{
	return !(s->set_mask & LB_KEY_BIT(LB_KEY_BOX)) || s->values.boxed;
}

static bool default_boxes(const struct lb_config *cfg)
{
	const struct lb_section *d;

	if (!cfg->default_section[0])
		return false;
	d = lb_config_find(cfg, cfg->default_section);
	return d && section_boxes(d);
}

static const char *const dropin_settings[] = {
	"PermitUserRC no",		 /* ~/.ssh/rc via /bin/sh on the host */
	"AllowStreamLocalForwarding no", /* host unix sockets, host groups */
	"PermitTunnel no",		 /* tun devices of sshd's namespace */
	/* No AllowAgentForwarding no: the box gets only a relay to this
	 * login's own agent, which loginbox-shell checks is sshd's
	 * (helper/common/agent.h, docs/SECURITY.md "Agent forwarding"). */
	NULL,
};

static void match_block(FILE *out, const char *what, const char *list,
			bool x11)
{
	int i;

	fprintf(out, "Match %s %s\n", what, list);
	if (!x11) /* xauth via /bin/sh on the host */
		fprintf(out, "\tX11Forwarding no\n");
	for (i = 0; dropin_settings[i]; i++)
		fprintf(out, "\t%s\n", dropin_settings[i]);
}

static char *sshd_effective(const char *user, char *errbuf, size_t errlen);
static const char *sshd_value(const char *text, const char *key, char *val,
			      size_t len);
static const char *acceptenv_door(const char *text, char *pat, size_t len);
static bool sample_member(const char *group, char *user, size_t len);
static const char *acceptenv_sample(const char *pat);

/* One user the drop-in's Match blocks apply to, to ask sshd -T with. */
static bool boxed_sample(const struct lb_config *cfg, char *user, size_t len)
{
	int i;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (!section_boxes(s))
			continue;
		if (s->kind == LB_SEC_USER && getpwnam(s->target)) {
			snprintf(user, len, "%s", s->target);
			return true;
		}
		if (s->kind == LB_SEC_GROUP &&
		    sample_member(s->target, user, len))
			return true;
	}
	return false;
}

/*
 * An AcceptEnv pattern for a loader variable anywhere in sshd's config
 * files, Match blocks included: `sshd -T -C` shows one boxed user's
 * settings from 127.0.0.1, so a `Match Address 10.0.0.0/8` (or Host,
 * User, Group) block that accepts LD_PRELOAD is not in it, yet applies
 * to that user's logins from there.  1 with the place in `why`.
 */
static int acceptenv_in_files(const char *path, int depth, char *why,
			      size_t len)
{
	cleanup_fclose FILE *f = NULL;
	char line[1024];
	int ln = 0;

	if (depth > 8 || !(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kw, *arg;
		bool inc;

		ln++;
		kw = strtok_r(line, " \t=\r\n", &save);
		if (!kw || kw[0] == '#')
			continue;
		inc = !strcasecmp(kw, "Include");
		if (!inc && strcasecmp(kw, "AcceptEnv"))
			continue;
		while ((arg = strtok_r(NULL, " \t\r\n", &save))) {
			char rel[512];
			glob_t g;
			size_t i;
			int r = 0;

			if (!inc) {
				if (!acceptenv_sample(arg))
					continue;
				snprintf(why, len, "%s line %d: AcceptEnv %s lets a "
						   "client send a loader variable "
						   "(in whatever Match block it is)",
					 path, ln, arg);
				return 1;
			}
			/* relative Includes are under /etc/ssh, as sshd reads them */
			snprintf(rel, sizeof(rel), "%s%s",
				 arg[0] == '/' ? "" : "/etc/ssh/", arg);
			if (glob(rel, 0, NULL, &g) != 0)
				continue;
			for (i = 0; i < g.gl_pathc && !r; i++)
				r = acceptenv_in_files(g.gl_pathv[i], depth + 1,
						       why, len);
			globfree(&g);
			if (r)
				return 1;
		}
	}
	return 0;
}

/*
 * X11 forwarding for boxed users.  sshd's session child runs XAuthLocation
 * through /bin/sh, on the host, as the user, in the login's final
 * environment: one loader variable there is the user's code on the host.
 * So X11 stays off (X11Forwarding no in the Match blocks) unless nothing
 * of the user's choosing can be in that environment: the sshd PAM stack
 * scrubs after its last pam_env user_readenv=1 line, sshd reads no
 * ~/.ssh/environment, and AcceptEnv lets no loader variable in.  Then the
 * drop-in leaves sshd's own X11Forwarding setting in force and points
 * XAuthLocation at loginbox-xauth, which also stores the cookie under a
 * name the box's clients find (helper/xauth/main.c).  0 when X11 may be
 * on, 1 with the reason in `why`.
 */
static int x11_blocked(const struct lb_config *cfg, char *why, size_t len)
{
	char user[256] = "root", errbuf[256] = "", val[64], pat[256];
	cleanup_free char *t = NULL;

	if (lb_pam_env_open("sshd", why, len))
		return 1;
	if (geteuid() != 0 || access(SSHD_PATH, X_OK) != 0) {
		snprintf(why, len, "sshd's settings were not read (%s -T, as "
				   "root)", SSHD_PATH);
		return 1;
	}
	boxed_sample(cfg, user, sizeof(user));
	t = sshd_effective(user, errbuf, sizeof(errbuf));
	if (!t) {
		snprintf(why, len, "%s -T -C user=%s failed (%s)", SSHD_PATH,
			 user, errbuf);
		return 1;
	}
	if (!sshd_value(t, "permituserenvironment", val, sizeof(val)) ||
	    strcmp(val, "no")) {
		snprintf(why, len, "sshd reads ~/.ssh/environment "
				   "(PermitUserEnvironment is not no)");
		return 1;
	}
	if (acceptenv_door(t, pat, sizeof(pat))) {
		snprintf(why, len, "sshd's AcceptEnv %s lets a client send a "
				   "loader variable", pat);
		return 1;
	}
	if (acceptenv_in_files("/etc/ssh/sshd_config", 0, why, len))
		return 1;
	if (access(LB_XAUTH_WRAPPER, X_OK) != 0) {
		snprintf(why, len, "%s is missing", LB_XAUTH_WRAPPER);
		return 1;
	}
	return 0;
}

void lb_sshd_dropin(const struct lb_config *cfg, FILE *out)
{
	char groups[4096] = "", users[4096] = "", why[512] = "";
	bool x11;
	int i;

	fprintf(out,
		"# %s: written by `loginbox sshd-config --write` from the\n"
		"# loginbox config; write it again when the boxed groups or "
		"users change\n"
		"# (`loginbox doctor` says when it is out of date).\n#\n"
		"# For boxed users sshd must run and serve nothing on the "
		"host, outside\n# their box: no ~/.ssh/rc and, unless the "
		"environment is clean, no xauth\n# (both run by /bin/sh on "
		"the host, in an environment the user can\n# fill), no "
		"forwarding to host unix sockets (ssh -L\n# "
		"2375:/var/run/docker.sock with a host group), no tun devices.  "
		"See\n# loginbox(8) and docs/SECURITY.md.\n",
		LB_SSHD_DROPIN);
	x11 = !x11_blocked(cfg, why, sizeof(why));
	if (x11)
		fprintf(out, "#\n# X11 forwarding follows sshd's own "
			     "X11Forwarding for boxed users too: nothing\n# of "
			     "theirs reaches the environment xauth runs in "
			     "(loginbox(8)).\nXAuthLocation %s\n",
			LB_XAUTH_WRAPPER);
	else
		fprintf(out, "#\n# X11 forwarding is off for boxed users: "
			     "%s.\n", why);
	if (default_boxes(cfg)) {
		/* default = SECTION boxes everyone no section names, but
		 * root and users whose own section says box = no */
		snprintf(users, sizeof(users), "*,!root");
		for (i = 0; i < cfg->n_sections; i++) {
			const struct lb_section *s = &cfg->sections[i];
			size_t len = strlen(users);

			if (s->kind != LB_SEC_USER || section_boxes(s) ||
			    !plain_name(s->target) ||
			    len + strlen(s->target) + 3 >= sizeof(users))
				continue;
			snprintf(users + len, sizeof(users) - len, ",!%s",
				 s->target);
		}
		fprintf(out, "# [global] default = %s: every user but root and "
			     "box = no users is boxed or may be\n",
			cfg->default_section);
		match_block(out, "User", users, x11);
		return;
	}
	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];
		char *list = s->kind == LB_SEC_GROUP ? groups : users;
		size_t len = strlen(list);

		if (!section_boxes(s))
			continue;
		if (!plain_name(s->target)) {
			fprintf(out, "# [%s] skipped: its name is not a plain "
				     "name sshd can match\n", s->name);
			continue;
		}
		if (len + strlen(s->target) + 2 >= sizeof(groups))
			continue;
		snprintf(list + len, sizeof(groups) - len, "%s%s",
			 len ? "," : "", s->target);
	}
	if (groups[0])
		match_block(out, "Group", groups, x11);
	if (users[0])
		match_block(out, "User", users, x11);
	if (!groups[0] && !users[0])
		fprintf(out, "# no boxed groups or users in the config\n");
}

/* ------------------------------------------------------------ sshd -T --- */

/* Run `sshd -T -C user=USER,...` and read its output (lowercase keys). */
static char *sshd_effective(const char *user, char *errbuf, size_t errlen)
{
	char spec[512], *buf = NULL;
	size_t len = 0, cap = 0;
	int out[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(spec, sizeof(spec), "user=%s,host=localhost,addr=127.0.0.1",
		 user);
	if (pipe2(out, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		return NULL;
	}
	if (pid == 0) {
		char *const argv[] = {(char *)SSHD_PATH, (char *)"-T",
				      (char *)"-C", spec, NULL};
		char *const envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      NULL};

		dup2(out[1], 1);
		dup2(out[1], 2);
		execve(SSHD_PATH, argv, envp);
		_exit(127);
	}
	close(out[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb)
				break;
			buf = nb;
		}
		n = read(out[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf)
		buf[len] = '\0';
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(errbuf, errlen, "%s",
			 buf ? strtok(buf, "\n") ?: "no output" : "no output");
		free(buf);
		return NULL;
	}
	return buf;
}

/* The value of the first "key value" line, or NULL; copies into val. */
static const char *sshd_value(const char *text, const char *key, char *val,
			      size_t len)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			size_t vl = strcspn(p + kl + 1, "\n");

			snprintf(val, len, "%.*s", (int)vl, p + kl + 1);
			return val;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Names a boxed user could send with SendEnv that a host program would
 * load or source (a sample of each family of envscrub.c). */
static const char *const env_samples[] = {
	"LD_PRELOAD", "LD_AUDIT",  "LD_LIBRARY_PATH", "GLIBC_TUNABLES",
	"GCONV_PATH", "LOCPATH",   "MALLOC_TRACE",    "BASH_ENV",
	"ENV",	      "BASH_FUNC_ls%%", NULL,
};

/* The loader variable the AcceptEnv pattern `pat` lets in, or NULL. */
static const char *acceptenv_sample(const char *pat)
{
	int i;

	for (i = 0; env_samples[i]; i++)
		if (fnmatch(pat, env_samples[i], 0) == 0)
			return env_samples[i];
	return NULL;
}

/* The first "acceptenv PATTERN" line of sshd -T's output at or after
 * `text` whose pattern lets a loader variable in: the line, with the
 * pattern copied into pat; NULL when there is none. */
static const char *acceptenv_door(const char *text, char *pat, size_t len)
{
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "acceptenv ", 10))
			continue;
		snprintf(pat, len, "%.*s", (int)strcspn(p + 10, "\n"), p + 10);
		if (acceptenv_sample(pat))
			return p;
	}
	return NULL;
}

static int sshd_findings(const char *user, const char *why,
			 const char *x11_why, FILE *out)
{
	static const struct {
		const char *key, *bad, *what;
	} rules[] = {
		{"x11forwarding", "yes",
		 "X11Forwarding yes: sshd runs xauth with /bin/sh on the host "
		 "in the login's environment, and"},
		{"permituserrc", "yes",
		 "PermitUserRC yes: sshd runs ~/.ssh/rc with /bin/sh on the "
		 "host in the login's environment"},
		{"allowstreamlocalforwarding", "!no",
		 "AllowStreamLocalForwarding is not no: ssh -L PORT:/path "
		 "reaches host unix sockets (docker.sock) with the user's "
		 "host groups"},
		{"permittunnel", "!no",
		 "PermitTunnel is not no: tun devices are made on the host "
		 "side"},
		{"permituserenvironment", "!no",
		 "PermitUserEnvironment is not no: ~/.ssh/environment sets "
		 "variables for what sshd runs on the host (not a Match "
		 "keyword: set it to no globally)"},
		{NULL, NULL, NULL},
	};
	char errbuf[256] = "", val[512];
	cleanup_free char *t = sshd_effective(user, errbuf, sizeof(errbuf));
	const char *p;
	int i, n = 0;

	if (!t) {
		fprintf(out, "warning: %s: sshd -T -C user=%s failed (%s); "
			     "fix: make sshd -T work to check its settings\n",
			"/etc/ssh/sshd_config", user, errbuf);
		return 1;
	}
	for (i = 0; rules[i].key; i++) {
		bool bad, x11 = !strcmp(rules[i].key, "x11forwarding");

		if (x11 && !x11_why)
			continue; /* nothing of the user's reaches xauth */
		if (!sshd_value(t, rules[i].key, val, sizeof(val)))
			continue;
		bad = rules[i].bad[0] == '!' ? strcmp(val, rules[i].bad + 1) != 0
					     : strcmp(val, rules[i].bad) == 0;
		if (!bad)
			continue;
		if (x11)
			fprintf(out, "warning: /etc/ssh/sshd_config: for boxed "
				     "user %s (%s) %s %s; fix: that, then "
				     "loginbox sshd-config --write (%s)\n",
				user, why, rules[i].what, x11_why,
				LB_SSHD_DROPIN);
		else
			fprintf(out, "warning: /etc/ssh/sshd_config: for boxed "
				     "user %s (%s) %s; fix: loginbox "
				     "sshd-config --write (%s)\n",
				user, why, rules[i].what, LB_SSHD_DROPIN);
		n++;
	}
	/* X11 on for boxed users: the box finds the cookie only if
	 * loginbox-xauth stored it (helper/xauth/main.c). */
	if (!x11_why && sshd_value(t, "x11forwarding", val, sizeof(val)) &&
	    !strcmp(val, "yes") &&
	    (!sshd_value(t, "xauthlocation", val, sizeof(val)) ||
	     strcmp(val, LB_XAUTH_WRAPPER))) {
		fprintf(out, "warning: /etc/ssh/sshd_config: for boxed user %s "
			     "(%s) XAuthLocation is %s: ssh -X gets a DISPLAY "
			     "in the box but no cookie its clients find; fix: "
			     "loginbox sshd-config --write (%s)\n",
			user, why, val, LB_SSHD_DROPIN);
		n++;
	}
	/* internal-sftp serves files from sshd's own host process */
	for (p = t; (p = strstr(p, "internal-sftp")); p++) {
		fprintf(out, "warning: /etc/ssh/sshd_config: for boxed user %s "
			     "(%s) sftp is internal-sftp, served by sshd on "
			     "the host, outside the box; fix: Subsystem sftp "
			     "/usr/lib/openssh/sftp-server, and no ForceCommand "
			     "internal-sftp for boxed users\n", user, why);
		n++;
		break;
	}
	/* AcceptEnv patterns that let a client send a loader variable */
	for (p = t; (p = acceptenv_door(p, val, sizeof(val)));
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		fprintf(out, "warning: /etc/ssh/sshd_config: for boxed "
			     "user %s (%s) AcceptEnv %s lets a client "
			     "send %s into what sshd runs on the host; "
			     "fix: accept only LANG and LC_*\n",
			user, why, val, acceptenv_sample(val));
		n++;
	}
	return n;
}

/* A user the group's Match applies to: a listed member, or one whose
 * primary group it is. */
static bool sample_member(const char *group, char *user, size_t len)
{
	struct group *g = getgrnam(group);
	struct passwd *pw;
	bool found = false;

	if (!g)
		return false;
	if (g->gr_mem && g->gr_mem[0]) {
		snprintf(user, len, "%s", g->gr_mem[0]);
		return true;
	}
	setpwent();
	while (!found && (pw = getpwent()))
		if (pw->pw_gid == g->gr_gid && pw->pw_uid != 0) {
			snprintf(user, len, "%s", pw->pw_name);
			found = true;
		}
	endpwent();
	return found;
}

int lb_sshd_doors(const struct lb_config *cfg, FILE *out)
{
	char user[256], why[160], x11_why[512] = "";
	bool x11_off;
	int i, n = 0;

	if (access(SSHD_PATH, X_OK) != 0)
		return 0;
	if (geteuid() != 0) {
		fprintf(out, "note: sshd's settings for boxed users not "
			     "checked (sshd -T needs root)\n");
		return 0;
	}
	x11_off = x11_blocked(cfg, x11_why, sizeof(x11_why));
	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (!section_boxes(s))
			continue;
		if (s->kind == LB_SEC_USER) {
			if (!getpwnam(s->target))
				continue;
			snprintf(user, sizeof(user), "%s", s->target);
		} else if (!sample_member(s->target, user, sizeof(user))) {
			continue; /* nobody to check it with */
		}
		snprintf(why, sizeof(why), "[%s]", s->name);
		n += sshd_findings(user, why, x11_off ? x11_why : NULL, out);
	}
	return n;
}

/* ---------------------------------------------------------------- MTA --- */

int lb_mta_doors(FILE *out)
{
	static const struct {
		const char *path, *fix;
	} mtas[] = {
		{"/usr/sbin/exim4", "set forbid_pipe, forbid_file and "
				    "forbid_filter_run in the userforward and "
				    "procmail routers"},
		{"/usr/sbin/postfix", "set allow_mail_to_commands = alias and "
				      "allow_mail_to_files = alias"},
		{"/usr/lib/sm.bin/sendmail", "remove prog delivery for users "
					     "(FEATURE(`nocanonical') and "
					     "no smrsh programs)"},
		{"/usr/sbin/opensmtpd", "drop forward-only/mda actions for "
					"boxed users"},
		{"/usr/sbin/smtpd", "drop forward-only/mda actions for boxed "
				    "users"},
		{NULL, NULL},
	};
	int i, n = 0;

	for (i = 0; mtas[i].path; i++) {
		if (access(mtas[i].path, X_OK) != 0)
			continue;
		fprintf(out, "warning: %s: a mail server delivers boxed users' "
			     "mail by their ~/.forward and ~/.procmailrc, whose "
			     "pipes run as them on the host, outside the box; "
			     "fix: %s, or remove it\n",
			mtas[i].path, mtas[i].fix);
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ doctor --- */

/* Is the installed drop-in what the config asks for? */
int lb_dropin_doors(const struct lb_config *cfg, FILE *out)
{
	cleanup_free char *want = NULL, *have = NULL;
	size_t wl = 0, hl = 0;
	FILE *m, *f;

	m = open_memstream(&want, &wl);
	if (!m)
		return 0;
	lb_sshd_dropin(cfg, m);
	fclose(m);
	f = fopen(LB_SSHD_DROPIN, "re");
	if (f) {
		FILE *hm = open_memstream(&have, &hl);
		char buf[4096];
		size_t r;

		while (hm && (r = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, r, hm);
		if (hm)
			fclose(hm);
		fclose(f);
	}
	if (have && hl == wl && !memcmp(have, want, wl))
		return 0;
	if (access("/etc/ssh/sshd_config", F_OK) != 0)
		return 0; /* no sshd here */
	fprintf(out, "warning: %s: %s; fix: loginbox sshd-config --write\n",
		LB_SSHD_DROPIN,
		have ? "out of date with the config, /etc/pam.d/sshd or "
		       "sshd's settings"
		     : "missing (sshd's doors stay open for boxed users)");
	return 1;
}

int lb_sshrc_door(FILE *out)
{
	if (access(SSHRC_PATH, F_OK) != 0)
		return 0;
	fprintf(out, "warning: %s: sshd runs it with /bin/sh on the host, in "
		     "the login's environment, at every ssh login of a boxed "
		     "user; fix: remove it\n",
		SSHRC_PATH);
	return 1;
}
