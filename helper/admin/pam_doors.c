// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PAM side of `loginbox doctor` (hostdoors.h, doctor_pam.c): the
 * session lines of a service, with @include and include/substack
 * expanded, read the way Linux-PAM reads them, and what they lack for a
 * boxed login: the module, a `required` control for it, no
 * pam_env.so user_readenv=1 (nor pam_exec.so run with what it read)
 * after its last line, and pam_mkhomedir.so before it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostdoors.h"
#include "macros.h"

#define PAM_DIR "/etc/pam.d"

struct pam_line {
	char file[128];
	int line;
	char control[64];
	char module[64]; /* basename */
	char args[256];
};

#define PAM_MAX_LINES 128

/* The lines of TYPE (session, auth) of a service, includes and
 * substacks expanded. */
static int pam_type_lines(const char *name, const char *ty,
			  struct pam_line *v, int *n, int depth)
{
	char path[160], line[1024];
	cleanup_fclose FILE *f = NULL;
	int ln = 0;

	if (depth > 8 || strchr(name, '/'))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", PAM_DIR, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *type, *control, *module, *args;
		size_t cl;

		ln++;
		p[strcspn(p, "#\n")] = '\0';
		p += strspn(p, " \t");
		if (!*p)
			continue;
		if (!strncmp(p, "@include", 8)) {
			p += 8;
			p += strspn(p, " \t");
			p[strcspn(p, " \t")] = '\0';
			pam_type_lines(p, ty, v, n, depth + 1);
			continue;
		}
		type = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
		if (strcmp(type + (type[0] == '-'), ty))
			continue;
		p += strspn(p, " \t");
		control = p;
		cl = *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, " \t");
		if (cl > strlen(p))
			cl = strlen(p);
		p += cl;
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t");
		module = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
		args = p + strspn(p, " \t");
		args[strcspn(args, "\r")] = '\0';
		if (!strcmp(control, "include") || !strcmp(control, "substack")) {
			pam_type_lines(module, ty, v, n, depth + 1);
			continue;
		}
		if (*n >= PAM_MAX_LINES)
			break;
		snprintf(v[*n].file, sizeof(v[*n].file), "%s", path);
		v[*n].line = ln;
		snprintf(v[*n].control, sizeof(v[*n].control), "%s", control);
		snprintf(v[*n].module, sizeof(v[*n].module), "%s",
			 strrchr(module, '/') ? strrchr(module, '/') + 1 : module);
		snprintf(v[*n].args, sizeof(v[*n].args), "%s", args);
		(*n)++;
	}
	return 0;
}

static int pam_session_lines(const char *name, struct pam_line *v, int *n,
			     int depth)
{
	return pam_type_lines(name, "session", v, n, depth);
}

static bool has_word(const char *args, const char *word)
{
	size_t wl = strlen(word);
	const char *p = args;

	while ((p = strstr(p, word))) {
		if ((p == args || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\t'))
			return true;
		p += wl;
	}
	return false;
}

/* A pam_env.so line that reads ~/.pam_environment: pam_env takes the
 * last user_readenv=N with atoi(), so any N but 0 turns it on. */
static bool reads_user_env(const struct pam_line *l)
{
	const char *p = l->args;
	bool on = false;

	if (strcmp(l->module, "pam_env.so"))
		return false;
	while ((p = strstr(p, "user_readenv="))) {
		if (p == l->args || p[-1] == ' ' || p[-1] == '\t')
			on = atoi(p + 13) != 0;
		p += 13;
	}
	return on;
}

/* The first pam_loginbox.so line that builds the box (not deny, not
 * scrub): -1 when there is none. */
static int box_line(const struct pam_line *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].module, "pam_loginbox.so") &&
		    !has_word(v[i].args, "deny") && !has_word(v[i].args, "scrub"))
			return i;
	return -1;
}

/* Does line i remove the loader variables for a boxed user?  A `scrub`
 * line always does, the box-building line does before it builds; a later
 * box-building line finds the box built and returns at once
 * (pam_loginbox.c), scrubbing nothing. */
static bool scrubs(const struct pam_line *v, int n, int i)
{
	if (strcmp(v[i].module, "pam_loginbox.so") || has_word(v[i].args, "deny"))
		return false;
	return has_word(v[i].args, "scrub") || i == box_line(v, n);
}

/* A control that can end the stack or jump forward past later lines:
 * sufficient, `done`, or a numeric action such as [success=1]. */
static bool can_skip(const char *control)
{
	const char *p;

	if (!strcmp(control, "sufficient"))
		return true;
	if (control[0] != '[')
		return false;
	if (strstr(control, "=done"))
		return true;
	for (p = strchr(control, '='); p; p = strchr(p + 1, '='))
		if (p[1] >= '0' && p[1] <= '9')
			return true;
	return false;
}

int lb_pam_doors(const char *service, FILE *out)
{
	cleanup_free struct pam_line *v = calloc(PAM_MAX_LINES, sizeof(*v));
	char path[160];
	int n = 0, i, last_lb = -1, main_lb = -1, found = 0, tainted;

	snprintf(path, sizeof(path), "%s/%s", PAM_DIR, service);
	if (!v || access(path, F_OK) != 0)
		return 0;
	if (pam_session_lines(service, v, &n, 0) < 0)
		return 0;
	main_lb = box_line(v, n);
	for (i = 0; i < n; i++)
		if (scrubs(v, n, i))
			last_lb = i;
	if (main_lb < 0) {
		fprintf(out, "warning: %s: no pam_loginbox.so session line "
			     "(nor in what it includes): boxed users cannot "
			     "log in through %s; fix: pam-auth-update --enable "
			     "loginbox\n", path, service);
		return 1;
	}
	if (strcmp(v[main_lb].control, "required") &&
	    strcmp(v[main_lb].control, "requisite")) {
		fprintf(out, "warning: %s line %d: pam_loginbox.so is `%s`: a "
			     "box that cannot be built would let the login in "
			     "unboxed; fix: make it required\n",
			v[main_lb].file, v[main_lb].line, v[main_lb].control);
		found++;
	}
	/* pam_exec runs its command with the PAM environment, as root: after
	 * a user_readenv line and before a loginbox line that scrubs, the
	 * user's LD_PRELOAD reaches a root process. */
	for (i = 0, tainted = -1; i < n; i++) {
		if (scrubs(v, n, i))
			tainted = -1;
		else if (reads_user_env(&v[i]))
			tainted = i;
		else if (!strcmp(v[i].module, "pam_exec.so") && tainted >= 0) {
			fprintf(out, "warning: %s line %d: pam_exec.so runs "
				     "after pam_env.so user_readenv=1 (%s line "
				     "%d) with the environment a boxed user "
				     "wrote, as root; fix: put `%s` between them\n",
				v[i].file, v[i].line, v[tainted].file,
				v[tainted].line, LB_SCRUB_LINE);
			found++;
		}
	}
	for (i = last_lb + 1; i < n; i++) {
		if (!reads_user_env(&v[i]))
			continue;
		fprintf(out, "warning: %s line %d: pam_env.so user_readenv=1 "
			     "runs after the last pam_loginbox.so line, so "
			     "~/.pam_environment can set LD_PRELOAD and the like "
			     "for what %s runs on the host; fix: add `%s` after "
			     "that line\n",
			v[i].file, v[i].line, service, LB_SCRUB_LINE);
		found++;
	}
	return found;
}

int lb_pam_mkhomedir(const char *service, FILE *out)
{
	cleanup_free struct pam_line *v = calloc(PAM_MAX_LINES, sizeof(*v));
	int n = 0, i, lb = -1;

	if (!v || pam_session_lines(service, v, &n, 0) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].module, "pam_loginbox.so") && lb < 0 &&
		    !has_word(v[i].args, "deny") && !has_word(v[i].args, "scrub"))
			lb = i;
		/* home = bind mounts the home when the box is built: a home
		 * pam_mkhomedir makes later is not in the box */
		if (!strcmp(v[i].module, "pam_mkhomedir.so") && lb >= 0) {
			fprintf(out, "warning: %s line %d: pam_mkhomedir.so "
				     "runs after pam_loginbox.so (%s line %d): "
				     "a new user's box is built before their "
				     "home exists; fix: move the pam_mkhomedir.so "
				     "line before the pam_loginbox.so line (for "
				     "pam-auth-update: a higher Priority in its "
				     "profile)\n",
				v[i].file, v[i].line, v[lb].file, v[lb].line);
			return 1;
		}
	}
	return 0;
}

/*
 * Does anything of the user's choosing reach the environment sshd's
 * session child ends with?  That environment is what the child runs
 * XAuthLocation (and sshrc) with, through /bin/sh on the host.  0 when
 * every pam_env.so line of SERVICE that reads ~/.pam_environment is a
 * session line followed by a line that scrubs (scrubs()), with no line
 * between them that can jump over it; 1 with the reason in `why`
 * otherwise.  An auth line of pam_env reads the file again when sshd's
 * session child calls pam_setcred (OpenSSH do_setusercontext), after
 * the whole session stack: no scrub line can follow it.
 */
int lb_pam_env_open(const char *service, char *why, size_t len)
{
	cleanup_free struct pam_line *v = calloc(PAM_MAX_LINES, sizeof(*v));
	int n = 0, i, r = -1, s = -1;

	if (!v || pam_type_lines(service, "auth", v, &n, 0) < 0) {
		snprintf(why, len, "%s/%s cannot be read", PAM_DIR, service);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!reads_user_env(&v[i]))
			continue;
		snprintf(why, len, "%s line %d: pam_env.so user_readenv=1 in the "
				   "auth stack runs again at pam_setcred, after "
				   "the session stack and its scrub line; fix: "
				   "remove user_readenv=1 from that line",
			 v[i].file, v[i].line);
		return 1;
	}
	n = 0;
	if (pam_session_lines(service, v, &n, 0) < 0) {
		snprintf(why, len, "%s/%s cannot be read", PAM_DIR, service);
		return 1;
	}
	if (box_line(v, n) < 0) {
		snprintf(why, len, "%s/%s has no pam_loginbox.so session line",
			 PAM_DIR, service);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (reads_user_env(&v[i]))
			r = i;
	if (r < 0)
		return 0;
	for (i = r + 1; i < n && s < 0; i++)
		if (scrubs(v, n, i))
			s = i;
	if (s < 0) {
		snprintf(why, len, "%s line %d: pam_env.so user_readenv=1 runs "
				   "after the last pam_loginbox.so line that "
				   "scrubs; fix: add `%s` after it",
			 v[r].file, v[r].line, LB_SCRUB_LINE);
		return 1;
	}
	for (i = r; i < s; i++) {
		if (!can_skip(v[i].control))
			continue;
		snprintf(why, len, "%s line %d: `%s` can skip the scrub line "
				   "(%s line %d) after pam_env.so "
				   "user_readenv=1; fix: put the scrub line right "
				   "after the pam_env line",
			 v[i].file, v[i].line, v[i].control, v[s].file,
			 v[s].line);
		return 1;
	}
	return 0;
}
