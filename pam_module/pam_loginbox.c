// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_loginbox: the session module that puts a login in its box.
 *
 * open_session (root: sshd's privileged process, su, login):
 *   user and groups through NSS -> root-owned config -> policy.
 *   Not boxed: PAM_IGNORE, and nothing else happens.
 *   Boxed: run loginbox-helper (helper_call.c), which builds the box and
 *   hands back its network namespace; this process joins that network
 *   namespace only (docs/SECURITY.md, hard spot 4: sshd's privileged process
 *   cannot join the user namespace, but what it forks after us, the
 *   connection's child with its -L/-R/-D forwardings, must see the box's
 *   network, not the host's).  LOGINBOX_SESSION is exported for
 *   loginbox-shell, and the id kept with pam_set_data for close_session.
 * close_session: the helper takes this login out of the box; the box ends
 *   with its last login (session = user, linger: join.c) or now.
 *
 * Module arguments:
 *   deny          this service cannot be boxed (cron, systemd-user): boxed
 *                 users are refused here, others pass
 *   scrub         only strip the variables of envscrub.h from the PAM
 *                 environment of boxed users (no box is built): a line
 *                 placed after pam_env.so user_readenv=1, which Debian's
 *                 /etc/pam.d/sshd runs after common-session, so that
 *                 ~/.pam_environment cannot set LD_PRELOAD for what sshd
 *                 runs on the host (docs/SECURITY.md).  The box-building
 *                 line strips them too, for what ran before it.
 *   debug         log each decision
 *
 * A boxed user's passwd shell must be loginbox-shell.  sshd's ForceCommand
 * is no substitute: sshd runs it through the passwd shell, whose startup
 * files (~/.bashrc, writable from inside the box) would run on the host.
 *
 * Services that start a user's programs without their login shell cannot
 * be boxed by a session module; cron, atd and systemd-user are treated as
 * if they had `deny` (a common-session line must not open a side door).
 *
 * Errors: pam_syslog() (LOG_AUTHPRIV) for the admin, pam_error() for the
 * user; on_error = deny refuses the login, on_error = allow lets it in
 * unboxed with a warning, but only after a failure the user cannot cause
 * (refuse_or_allow).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "allow_token.h"
#include "audit_refuse.h"
#include "config.h"
#include "envscrub.h"
#include "err.h"
#include "fault.h"
#include "helper_call.h"
#include "keeper_call.h"
#include "macros.h"
#include "paths.h"
#include "policy.h"
#include "su_argv.h"
#include "user.h"

#define DATA_SESSION "pam_loginbox.session"
#define DATA_TOKEN "pam_loginbox.allow_token"
#define DATA_DENIED "pam_loginbox.denied"
#define DATA_HOSTNS "pam_loginbox.host_netns"

struct args {
	bool deny, debug, scrub;
};

static void parse_args(pam_handle_t *pamh, int argc, const char **argv,
		       struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "deny"))
			a->deny = true;
		else if (!strcmp(argv[i], "debug"))
			a->debug = true;
		else if (!strcmp(argv[i], "scrub"))
			a->scrub = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option %s", argv[i]);
	}
}

static bool service_unboxable(const char *service)
{
	static const char *const names[] = {"cron", "atd", "systemd-user",
					    NULL};
	int i;

	for (i = 0; service && names[i]; i++)
		if (!strcmp(service, names[i]))
			return true;
	return false;
}

/*
 * su from a non-root caller: did it ask for another shell than the
 * passwd one (su_argv.h)?  su's argv is ours to read in /proc/self/cmdline.
 * Returns the verdict; anything we cannot read is LB_SU_UNREADABLE.
 * Root callers are trusted.
 */
#define SU_MAX_ARGS 256
static enum lb_su_verdict su_shell_override(const char *service,
					    char *what, size_t what_len)
{
	char buf[4096], *argv[SU_MAX_ARGS + 1], *p, *end;
	enum lb_su_verdict v;
	const char *w = NULL;
	int fd, argc = 0;
	ssize_t n;

	snprintf(what, what_len, "%s", "/proc/self/cmdline");
	if (!service || (strcmp(service, "su") && strcmp(service, "su-l")) ||
	    getuid() == 0)
		return LB_SU_OK;
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return LB_SU_UNREADABLE; /* cannot tell: fail closed */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || n == (ssize_t)sizeof(buf) - 1)
		return LB_SU_UNREADABLE;
	buf[n] = '\0';
	end = buf + n;
	for (p = buf; p < end; p += strlen(p) + 1) {
		if (argc == SU_MAX_ARGS)
			return LB_SU_UNREADABLE;
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	v = lb_su_argv_check(argc, argv, &w);
	snprintf(what, what_len, "%s", w ? w : "");
	return v;
}

/* Drop every variable a host program would load or source (envscrub.h)
 * from the PAM environment; <0 when one could not be removed. */
static int scrub_env(pam_handle_t *pamh, const char *user, bool debug)
{
	char **list = pam_getenvlist(pamh), name[256];
	int i, r = 0;

	if (!list)
		return 0;
	for (i = 0; list[i]; i++) {
		if (r == 0 && lb_env_dangerous(list[i])) {
			snprintf(name, sizeof(name), "%.*s",
				 (int)strcspn(list[i], "="), list[i]);
			/* pam_putenv("NAME") deletes it */
			if (pam_putenv(pamh, name) != PAM_SUCCESS)
				r = -1;
			else
				pam_syslog(pamh, debug ? LOG_DEBUG : LOG_NOTICE,
					   "user %s is boxed: %s removed from "
					   "the environment", user, name);
		}
		free(list[i]);
	}
	free(list);
	return r;
}

static void free_data(pam_handle_t *pamh, void *data, int status)
{
	free(data);
}

static void free_fd(pam_handle_t *pamh, void *data, int status)
{
	close(*(int *)data);
	free(data);
}

/* Back to the network namespace this process had before it joined the
 * box's: the helper started for the teardown removes the box's host-side
 * network state (net_bridge.c), which lives there.  The fd is O_CLOEXEC:
 * nothing the login execs holds it. */
static void back_to_host_netns(pam_handle_t *pamh)
{
	const int *fd = NULL;

	if (pam_get_data(pamh, DATA_HOSTNS, (const void **)&fd) !=
		    PAM_SUCCESS || !fd)
		return;
	if (setns(*fd, CLONE_NEWNET) < 0)
		pam_syslog(pamh, LOG_WARNING, "setns back to the host's network "
			   "namespace: %m");
	pam_set_data(pamh, DATA_HOSTNS, NULL, NULL);
}

/* on_error = allow: a root-made token lets loginbox-shell run the policy
 * shell unboxed for this login only. */
static int allow_unboxed(pam_handle_t *pamh, const struct lb_user *u,
			 const struct lb_policy *p)
{
	unsigned char rnd[12];
	char name[64], path[160], body[320], env[96];
	int fd, i;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return PAM_SESSION_ERR;
	strcpy(name, LB_TOKEN_PREFIX);
	for (i = 0; i < (int)sizeof(rnd); i++)
		sprintf(name + strlen(LB_TOKEN_PREFIX) + 2 * i, "%02x", rnd[i]);
	snprintf(path, sizeof(path), "%s/%s", LB_RUNDIR, name);
	if (mkdir(LB_RUNDIR, 0755) < 0 && errno != EEXIST)
		return PAM_SESSION_ERR;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return PAM_SESSION_ERR;
	/* uid, the login process (so a stale token is worthless), shell */
	if (lb_token_format(body, sizeof(body), u->uid, p->shell) < 0) {
		close(fd);
		unlink(path);
		return PAM_SESSION_ERR;
	}
	if (write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
		close(fd);
		unlink(path);
		return PAM_SESSION_ERR;
	}
	close(fd);
	snprintf(env, sizeof(env), "%s=%s", LB_ENV_SESSION, name);
	if (pam_putenv(pamh, env) != PAM_SUCCESS ||
	    pam_set_data(pamh, DATA_TOKEN, strdup(path), free_data) !=
		    PAM_SUCCESS) {
		unlink(path);
		return PAM_SESSION_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * The box could not be built.  on_error = allow lets the login in unboxed
 * only for a failure the user cannot cause (err->admin, set by
 * lb_fail_admin at the places loginbox.conf(5) lists: a missing image, a
 * helper that is not installed); everything else is refused, or a user
 * who breaks their own box on purpose (a limit hit, their persistent
 * upper, a full disk, their own login shell) would get an unboxed shell.
 */
static int refuse_or_allow(pam_handle_t *pamh, const struct lb_user *u,
			   const struct lb_policy *p, const struct lb_err *err)
{
	bool allow = p && p->on_error == LB_ON_ERROR_ALLOW;
	char text[1200];

	lb_err_text(err, text, sizeof(text));
	if (lb_policy_allows_unboxed(p, err) &&
	    allow_unboxed(pamh, u, p) == PAM_SUCCESS) {
		pam_syslog(pamh, LOG_WARNING,
			   "user %s: box not built, login allowed unboxed "
			   "(on_error = allow in [%s]): %s",
			   u->name, p->section, text);
		return PAM_SUCCESS;
	}
	pam_syslog(pamh, LOG_ERR, "user %s: login refused, box not built%s: %s",
		   u ? u->name : "?",
		   allow && !err->admin ? " (on_error = allow does not cover "
					  "this failure: the user can cause it)"
					: "",
		   text);
	lb_pam_audit_refuse(pamh, NULL, u, p, text);
	pam_error(pamh, "loginbox: your session could not be started in its "
			"box (%s). Please contact your administrator.",
		  err->msg);
	return PAM_SESSION_ERR;
}

/* A refusal that on_error = allow must not turn into an unboxed login. */
static int deny(pam_handle_t *pamh, const struct lb_user *u,
		const struct lb_policy *p, const struct lb_err *err)
{
	pam_syslog(pamh, LOG_ERR, "user %s: login refused: %s", u->name,
		   err->msg);
	lb_pam_audit_refuse(pamh, NULL, u, p, err->msg);
	pam_error(pamh, "loginbox: %s.", err->msg);
	return PAM_PERM_DENIED;
}

/* The box (or allow token) an earlier line of this stack made for this
 * login, ended now: pam_close_session is never called for a session whose
 * pam_open_session failed, so nothing else would.  This process stays in
 * the ended box's network namespace: the login is refused, nothing of it
 * runs there. */
static void drop_earlier_session(pam_handle_t *pamh)
{
	const char *data = NULL;
	struct lb_handle h = {0};
	struct lb_err err;
	int init_pid = 0;

	lb_err_clear(&err);
	if (pam_get_data(pamh, DATA_TOKEN, (const void **)&data) ==
		    PAM_SUCCESS && data) {
		unlink(data);
		pam_set_data(pamh, DATA_TOKEN, NULL, NULL);
	}
	data = NULL;
	if (pam_get_data(pamh, DATA_SESSION, (const void **)&data) !=
		    PAM_SUCCESS || !data)
		return;
	if (sscanf(data, "%lu %d %d", &h.id, &init_pid, &h.via_keeper) < 1)
		h.id = 0;
	h.init_pid = init_pid;
	back_to_host_netns(pamh);
	if (h.id && lb_helper_close(&h, &err) < 0)
		pam_syslog(pamh, LOG_ERR, "box %lu: teardown: %s (loginbox gc "
					  "will retry)", h.id, err.msg);
	pam_set_data(pamh, DATA_SESSION, NULL, NULL);
	pam_putenv(pamh, LB_ENV_SESSION);
	pam_putenv(pamh, LB_ENV_LOGIN);
}

LB_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				  const char **argv)
{
	const char *user = NULL, *service = NULL, *rhost = NULL;
	struct lb_policy pol;
	struct lb_user u;
	struct lb_err err;
	struct args a;
	struct lb_handle h;
	int netns = -1, r;
	char env[64], login_env[64], data[64], what[128];

	lb_err_clear(&err);
	parse_args(pamh, argc, argv, &a);
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user)
		return PAM_USER_UNKNOWN;
	/*
	 * Listed more than once in a stack (a service's own line and the one
	 * pam-auth-update puts in common-session): one decision per login.
	 * A `deny` line refused it: no later line builds a box (`required`
	 * runs the rest of the stack).  An earlier line built the box or
	 * let the login in unboxed (allow token): later lines add nothing,
	 * except a `deny` line, which still refuses, whatever the order, and
	 * a `scrub` line after pam_env, which strips loader variables.
	 */
	if (pam_get_data(pamh, DATA_DENIED, (const void **)&service) ==
	    PAM_SUCCESS && service)
		return PAM_PERM_DENIED;
	if (!a.deny &&
	    ((pam_get_data(pamh, DATA_SESSION, (const void **)&service) ==
		      PAM_SUCCESS && service) ||
	     (pam_get_data(pamh, DATA_TOKEN, (const void **)&service) ==
		      PAM_SUCCESS && service))) {
		if (a.scrub && scrub_env(pamh, user, a.debug) < 0) {
			pam_syslog(pamh, LOG_ERR, "user %s: login refused: a "
				   "loader variable could not be removed "
				   "from the environment", user);
			lb_pam_audit_refuse(pamh, user, NULL, NULL,
					    "a loader variable could not be "
					    "removed from the environment");
			return PAM_SESSION_ERR;
		}
		return PAM_SUCCESS;
	}
	service = NULL;
	pam_get_item(pamh, PAM_SERVICE, (const void **)&service);
	if (lb_user_lookup(user, &u, &err) < 0)
		return refuse_or_allow(pamh, NULL, NULL, &err);
	if (u.uid == 0)
		return PAM_IGNORE; /* root is never boxed */
	r = lb_policy_load(&u, &pol, NULL, &err);
	if (r < 0) /* a broken config: we cannot tell, so fail closed */
		return refuse_or_allow(pamh, &u, NULL, &err);
	if (r == 0) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s: not boxed", user);
		return PAM_IGNORE;
	}
	if (scrub_env(pamh, user, a.debug) < 0) {
		lb_fail(&err, 0, "user %s is boxed ([%s]) and a loader "
				 "variable could not be removed from the "
				 "login's environment", user, pol.section);
		return deny(pamh, &u, &pol, &err);
	}
	if (a.scrub)
		return PAM_SUCCESS; /* the box is the other line's job */
	if (a.deny || service_unboxable(service)) {
		pam_syslog(pamh, LOG_NOTICE,
			   "user %s is boxed ([%s]) and service %s cannot be "
			   "boxed (%s): refused",
			   user, pol.section, service ? service : "?",
			   a.deny ? "module option deny"
				  : "it does not run the login shell");
		lb_pam_audit_refuse(pamh, NULL, &u, &pol,
				    a.deny ? "service cannot be boxed (module "
					     "option deny)"
					   : "service cannot be boxed (it does "
					     "not run the login shell)");
		pam_error(pamh, "loginbox: %s is not available for boxed "
				"accounts.", service ? service : "this service");
		drop_earlier_session(pamh);
		pam_set_data(pamh, DATA_DENIED, strdup("1"), free_data);
		return PAM_PERM_DENIED;
	}
	if (strcmp(u.shell, LB_SHELL_PATH) != 0) {
		/* chsh lets users change it: never an on_error = allow case */
		lb_fail(&err, 0, "user %s is boxed ([%s]) but their login "
				 "shell is %s, so the login would not enter "
				 "the box", user, pol.section, u.shell);
		lb_hint(&err, "usermod -s %s %s", LB_SHELL_PATH, user);
		return refuse_or_allow(pamh, &u, &pol, &err);
	}
	switch (su_shell_override(service, what, sizeof(what))) {
	case LB_SU_OK:
		break;
	case LB_SU_OTHER_SHELL:
		lb_fail(&err, 0, "user %s is boxed ([%s]) and su was asked for "
				 "another shell or the caller's environment "
				 "(%s; -s, -m, -p), which would run outside "
				 "the box", user, pol.section, what);
		return deny(pamh, &u, &pol, &err);
	default:
		lb_fail(&err, 0, "user %s is boxed ([%s]) and su's command "
				 "line could not be read as su reads it (at "
				 "`%s`), so a shell outside the box cannot be "
				 "ruled out", user, pol.section, what);
		return deny(pamh, &u, &pol, &err);
	}
	LB_FAULT("pam:open");
	rhost = NULL;
	pam_get_item(pamh, PAM_RHOST, (const void **)&rhost);
	/* A join of a live box, served by its keeper without a helper run
	 * (keeper_call.h); anything else, refusals included, is the
	 * helper's. */
	memset(&h, 0, sizeof(h));
	if ((pol.session_mode != LB_SESSION_USER ||
	     lb_keeper_open(u.uid, user, service ? service : "unknown", rhost,
			    &h, &netns) <= 0) &&
	    lb_helper_open_rhost(user, service ? service : "unknown", rhost, &h,
				 &netns, &err) < 0)
		return refuse_or_allow(pamh, &u, &pol, &err);
	/* Forwardings and everything this process forks from now on use the
	 * box's network; the host's is kept for close_session. */
	{
		/* without it, teardown falls back to PID 1's (net.c) */
		int *hfd = malloc(sizeof(*hfd));

		if (hfd)
			*hfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (hfd && (*hfd < 0 || pam_set_data(pamh, DATA_HOSTNS, hfd,
						     free_fd) != PAM_SUCCESS)) {
			if (*hfd >= 0)
				close(*hfd);
			free(hfd);
		}
	}
	if (setns(netns, CLONE_NEWNET) < 0) {
		lb_fail(&err, errno, "join the network namespace of box %lu",
			h.id);
		close(netns);
		lb_helper_close(&h, &err);
		return refuse_or_allow(pamh, &u, &pol, &err);
	}
	close(netns);
	snprintf(env, sizeof(env), "%s=%lu", LB_ENV_SESSION, h.id);
	snprintf(data, sizeof(data), "%lu %d %d", h.id, (int)h.init_pid,
		 h.via_keeper);
	/* This login (the process the helper registered with the box): its
	 * programs go into its cgroup leaf (helper/box/init.c). */
	snprintf(login_env, sizeof(login_env), "%s=%d", LB_ENV_LOGIN,
		 (int)getpid());
	if (pam_putenv(pamh, env) != PAM_SUCCESS ||
	    pam_putenv(pamh, login_env) != PAM_SUCCESS ||
	    pam_set_data(pamh, DATA_SESSION, strdup(data), free_data) !=
		    PAM_SUCCESS) {
		lb_helper_close(&h, &err);
		lb_fail(&err, ENOMEM, "pam_putenv");
		return refuse_or_allow(pamh, &u, &pol, &err);
	}
	pam_syslog(pamh, LOG_INFO, "user %s: box %lu ([%s], image %s)", user, h.id,
		   pol.section, pol.image);
	LB_FAULT("pam:opened");
	return PAM_SUCCESS;
}

LB_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	const char *data = NULL;
	struct lb_err err;
	struct lb_handle h = {0};
	int init_pid = 0, i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "scrub"))
			return PAM_IGNORE; /* the box is the other line's */
	lb_err_clear(&err);
	if (pam_get_data(pamh, DATA_TOKEN, (const void **)&data) ==
		    PAM_SUCCESS && data) {
		unlink(data);
		pam_set_data(pamh, DATA_TOKEN, NULL, NULL);
	}
	if (pam_get_data(pamh, DATA_SESSION, (const void **)&data) !=
		    PAM_SUCCESS || !data)
		return PAM_IGNORE;
	if (sscanf(data, "%lu %d %d", &h.id, &init_pid, &h.via_keeper) < 1)
		h.id = 0;
	h.init_pid = init_pid;
	LB_FAULT("pam:close");
	back_to_host_netns(pamh);
	if (h.id && lb_helper_close(&h, &err) < 0)
		pam_syslog(pamh, LOG_ERR, "box %lu: teardown: %s (loginbox gc "
					  "will retry)", h.id, err.msg);
	pam_set_data(pamh, DATA_SESSION, NULL, NULL);
	return PAM_SUCCESS;
}
