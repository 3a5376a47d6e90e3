// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_loginbox.so as libpam runs it: a PAM stack written in a temporary
 * directory (pam_start_confdir, libpam >= 1.4), the module named by its
 * path in the build, a conversation that records what the module tells
 * the user.  Only the paths that change nothing on the machine are taken:
 * root (never boxed), a user NSS does not know (refused, fail closed), no
 * user at all, a close without an open, the exported symbols.  (Boxed
 * logins are the integration tier's: they build real boxes.)
 *
 *   LB_TEST_PAM_MODULE   the module to load (default: ../pam_loginbox.so
 *                        next to this program's directory)
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static char said[2048];
static int prompts;

/* Records PAM_ERROR_MSG/PAM_TEXT_INFO; fails every prompt. */
static int conv(int n, const struct pam_message **msg,
		struct pam_response **resp, void *data)
{
	int i;

	(void)data;
	*resp = NULL;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
			prompts++;
			return PAM_CONV_ERR;
		}
		snprintf(said + strlen(said), sizeof(said) - strlen(said),
			 "%s\n", msg[i]->msg);
	}
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static char confdir[PATH_MAX];

/* Write service NAME in confdir: the module's line, then pam_permit, so a
 * PAM_IGNORE of the module gives PAM_SUCCESS and any failure of it is the
 * stack's result (default=die). */
static int write_service(const char *name, const char *module,
			 const char *args)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "auth required pam_permit.so\n"
		   "account required pam_permit.so\n"
		   "session [success=ok ignore=ignore default=die] %s %s\n"
		   "session required pam_permit.so\n",
		module, args);
	return fclose(f);
}

/* Open (and, when it opened, close) a session of USER (NULL: none) with
 * service NAME; returns pam_open_session's result, *env_session whether
 * LOGINBOX_SESSION was set. */
static int session(const char *name, const char *user, int *closed,
		   int *env_session)
{
	struct pam_conv c = {conv, NULL};
	pam_handle_t *pamh = NULL;
	int r;

	said[0] = '\0';
	prompts = 0;
	*closed = -1;
	*env_session = 0;
	r = pam_start_confdir(name, user, &c, confdir, &pamh);
	if (r != PAM_SUCCESS)
		return -1000 - r;
	r = pam_open_session(pamh, 0);
	*env_session = pam_getenv(pamh, "LOGINBOX_SESSION") != NULL;
	if (r == PAM_SUCCESS)
		*closed = pam_close_session(pamh, 0);
	pam_end(pamh, r);
	return r;
}

int main(int argc, char **argv)
{
	char module[PATH_MAX], self[PATH_MAX], path[PATH_MAX + 64];
	const char *env = getenv("LB_TEST_PAM_MODULE");
	int r, closed, env_session;
	void *dl;

	(void)argc;
	if (env) {
		snprintf(module, sizeof(module), "%s", env);
	} else {
		snprintf(self, sizeof(self), "%s", argv[0]);
		snprintf(module, sizeof(module), "%s/../pam_loginbox.so",
			 dirname(self));
	}
	if (access(module, R_OK) < 0) {
		snprintf(path, sizeof(path), "no module at %s (make first, or "
			 "set LB_TEST_PAM_MODULE)", module);
		skip_all(path);
	}
	if (!realpath(module, self))
		skip_all("realpath of the module failed");
	snprintf(module, sizeof(module), "%s", self);
	snprintf(confdir, sizeof(confdir), "%s/lbt-pam.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(confdir))
		skip_all("mkdtemp failed");

	/* Only the session functions are exported (module.map). */
	dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
	ok(dl != NULL, "the module loads (%s)", dl ? module : dlerror());
	ok(dl && dlsym(dl, "pam_sm_open_session") &&
		   dlsym(dl, "pam_sm_close_session"),
	   "pam_sm_open_session and pam_sm_close_session are exported");
	ok(dl && !dlsym(dl, "pam_sm_authenticate") &&
		   !dlsym(dl, "lb_helper_open") && !dlsym(dl, "lb_policy_load"),
	   "nothing else is: no auth function, no shared code");
	if (dl)
		dlclose(dl);

	is_int(write_service("lbt-plain", module, ""), 0, "write a stack");
	is_int(write_service("lbt-deny", module, "deny debug bogus-option"), 0,
	       "write a stack with options");

	/* root is never boxed: PAM_IGNORE, so pam_permit decides. */
	r = session("lbt-plain", "root", &closed, &env_session);
	is_int(r, PAM_SUCCESS, "root: the session opens (the module ignores root)");
	ok(!env_session, "root: no LOGINBOX_SESSION");
	is_int(closed, PAM_SUCCESS, "root: the session closes");
	is_str(said, "", "root: nothing said to the user");
	r = session("lbt-deny", "root", &closed, &env_session);
	is_int(r, PAM_SUCCESS, "root with `deny` and an unknown option: still ignored");

	/* A user NSS does not know: the module cannot tell whether they are
	 * boxed, so it fails closed, and says so. */
	r = session("lbt-plain", "lbt-no-such-user-4711", &closed, &env_session);
	is_int(r, PAM_SESSION_ERR, "unknown user: refused (PAM_SESSION_ERR)");
	ok(!env_session, "unknown user: no LOGINBOX_SESSION");
	ok(strstr(said, "loginbox: your session could not be started in its box") &&
		   strstr(said, "lbt-no-such-user-4711"),
	   "unknown user: the refusal's own message names the user: %.*s",
	   (int)strcspn(said, "\n"), said);

	/* No user at all, and a conversation that cannot ask for one. */
	r = session("lbt-plain", NULL, &closed, &env_session);
	ok(r == PAM_USER_UNKNOWN && prompts == 1,
	   "no user: asked once, then PAM_USER_UNKNOWN (got %d, %d prompts)",
	   r, prompts);

	/* The stack files are ours; nothing else was written. */
	snprintf(path, sizeof(path), "%s/lbt-plain", confdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lbt-deny", confdir);
	unlink(path);
	is_int(rmdir(confdir), 0, "the temporary PAM directory held only our stacks");
	return done_testing();
}
