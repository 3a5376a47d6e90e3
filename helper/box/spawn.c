// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Starting a program inside the box on behalf of a client (proto.h).
 * Runs in a child of the box's init, which is box root with a full set of
 * capabilities in the box's user namespace.  The one ordered privilege
 * drop of loginbox (minijail's order):
 *
 *   session and terminal -> fds closed -> environment rebuilt ->
 *   bounding set trimmed -> setresgid -> setresuid -> capabilities set ->
 *   no_new_privs -> seccomp (last) -> exec
 *
 * Supplementary groups were fixed by the helper before the box's user
 * namespace was created (docs/SECURITY.md, hard spot 6), so host groups such as
 * docker never follow the user in.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "agent.h"
#include "cdi.h"
#include "paths.h"

#define MAX_STRINGS 4096

int spawn_parse(const void *msg, size_t len, struct spawn_req *r,
		struct lb_err *err)
{
	const struct lb_msg_spawn *m = msg;
	const char *p, *end;
	uint32_t i, total;

	memset(r, 0, sizeof(*r));
	r->fds[0] = r->fds[1] = r->fds[2] = -1;
	if (len < sizeof(*m) || m->hdr.type != LB_MSG_SPAWN)
		return lb_fail(err, EPROTO, "bad spawn message");
	if (m->mode < LB_SPAWN_LOGIN || m->mode > LB_SPAWN_SHELL ||
	    m->argc > MAX_STRINGS || m->envc > MAX_STRINGS)
		return lb_fail(err, EPROTO, "bad spawn header");
	if ((m->mode == LB_SPAWN_COMMAND && m->argc != 1) ||
	    (m->mode == LB_SPAWN_EXEC && m->argc < 1))
		return lb_fail(err, EPROTO, "bad spawn argument count");
	r->mode = m->mode;
	r->pty = m->pty != 0;
	r->rows = m->rows;
	r->cols = m->cols;
	r->argc = (int)m->argc;
	r->envc = (int)m->envc;
	r->argv = calloc(m->argc + 1, sizeof(char *));
	r->envv = calloc(m->envc + 1, sizeof(char *));
	if (!r->argv || !r->envv)
		return lb_fail(err, ENOMEM, "spawn request");
	p = (const char *)(m + 1);
	end = (const char *)msg + len;
	total = m->argc + m->envc;
	for (i = 0; i < total; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			return lb_fail(err, EPROTO, "unterminated string");
		if (i < m->argc)
			r->argv[i] = (char *)p;
		else
			r->envv[i - m->argc] = (char *)p;
		p = nul + 1;
	}
	return 0;
}

void spawn_free(struct spawn_req *r)
{
	int i;

	free(r->argv);
	free(r->envv);
	for (i = 0; i < 3; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	memset(r, 0, sizeof(*r));
	r->fds[0] = r->fds[1] = r->fds[2] = -1;
}

/* Variables the box sets itself; a client's copy is dropped. */
static bool env_reserved(const char *e)
{
	static const char *const names[] = {
		"HOME=",  "USER=",	"LOGNAME=", "SHELL=",
		"MAIL=",  LB_ENV_SESSION "=", "SSH_TTY=", "XDG_RUNTIME_DIR=",
		"SSH_AUTH_SOCK=", NULL};
	int i;

	for (i = 0; names[i]; i++)
		if (!strncmp(e, names[i], strlen(names[i])))
			return true;
	return false;
}

/* Does a device (cdi.h) set the variable of `e`? */
static bool env_of_device(const struct lb_box *b, const char *e)
{
	size_t l = strcspn(e, "=") + 1;
	int i;

	for (i = 0; b->devs && i < b->devs->n_env; i++)
		if (!strncmp(b->devs->env[i], e, l))
			return true;
	return false;
}

static char **build_env(const struct lb_box *b, const struct spawn_req *r)
{
	bool root = b->pol.inside_uid == LB_INSIDE_ROOT;
	int ndev = b->devs ? b->devs->n_env : 0;
	char **env = calloc((size_t)r->envc + (size_t)b->image_nenv +
				    (size_t)ndev + 12,
			    sizeof(char *));
	bool have_path = false;
	int i, j, n = 0;

	if (!env)
		return NULL;
	for (i = 0; i < r->envc; i++) {
		if (env_reserved(r->envv[i]) || !strchr(r->envv[i], '=') ||
		    env_of_device(b, r->envv[i]))
			continue;
		if (!strncmp(r->envv[i], "PATH=", 5))
			have_path = true;
		env[n++] = r->envv[i];
	}
	/* The image's Env (its config: PATH for CUDA images...) over what
	 * the client passed; what loginbox sets below (HOME, USER, SHELL,
	 * the session) and the reserved names stay loginbox's. */
	for (i = 0; i < b->image_nenv; i++) {
		const char *e = b->image_env[i];
		size_t k = strcspn(e, "=");

		if (env_reserved(e) || !e[k])
			continue;
		for (j = 0; j < n; j++)
			if (!strncmp(env[j], e, k + 1)) {
				env[j] = env[--n];
				break;
			}
		if (k == 4 && !strncmp(e, "PATH", 4))
			have_path = true;
		env[n++] = (char *)e;
	}
#define PUSHF(...)                                                             \
	do {                                                                   \
		if (asprintf(&env[n], __VA_ARGS__) >= 0)                       \
			n++;                                                   \
	} while (0)
	PUSHF("HOME=%s", root ? "/root" : b->user.home);
	PUSHF("USER=%s", root ? "root" : b->user.name);
	PUSHF("LOGNAME=%s", root ? "root" : b->user.name);
	PUSHF("SHELL=%s", b->pol.shell);
	PUSHF("MAIL=/var/mail/%s", b->user.name);
	PUSHF("%s=%lu", LB_ENV_SESSION, b->id);
	PUSHF("XDG_RUNTIME_DIR=/run/user/%u", (unsigned)b->inside_uid);
	/* A login whose loginbox-shell passed its agent's check (agent.h)
	 * gets the box's agent socket; init relays it to that agent. */
	for (i = 0; i < r->envc; i++)
		if (!strncmp(r->envv[i], "SSH_AUTH_SOCK=", 14)) {
			PUSHF("SSH_AUTH_SOCK=/run/user/%u/%s",
			      (unsigned)b->inside_uid, LB_AGENT_SOCK_NAME);
			break;
		}
	if (r->pty)
		PUSHF("SSH_TTY=%s", r->slave);
	/* The devices' environment (CDI containerEdits.env): the admin's,
	 * after the client's, so a login cannot unset it. */
	for (i = 0; i < ndev; i++)
		env[n++] = b->devs->env[i];
	if (!have_path)
		PUSHF("PATH=%s", root ? "/usr/local/sbin:/usr/local/bin:"
					"/usr/sbin:/usr/bin:/sbin:/bin"
				      : "/usr/local/bin:/usr/bin:/bin:"
					"/usr/local/games:/usr/games");
#undef PUSHF
	env[n] = NULL;
	return env;
}

static int setup_stdio(const struct lb_box *b, const struct spawn_req *r,
		       struct lb_err *err)
{
	int i;

	if (setsid() < 0)
		return lb_fail(err, errno, "setsid");
	if (r->pty) {
		struct winsize ws = {.ws_row = r->rows, .ws_col = r->cols};
		int fd = open(r->slave, O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (fd < 0)
			return lb_fail(err, errno, "open %s", r->slave);
		/* The terminal is the user's; tty group 5 as Debian has it. */
		if (fchown(fd, b->inside_uid, 5) < 0 || fchmod(fd, 0620) < 0)
			return lb_fail(err, errno, "chown %s", r->slave);
		if (ioctl(fd, TIOCSCTTY, 0) < 0)
			return lb_fail(err, errno, "TIOCSCTTY %s", r->slave);
		if (r->rows && r->cols)
			ioctl(fd, TIOCSWINSZ, &ws);
		for (i = 0; i < 3; i++)
			if (dup2(fd, i) < 0)
				return lb_fail(err, errno, "dup2");
		if (fd > 2)
			close(fd);
	} else {
		for (i = 0; i < 3; i++) {
			int fd = r->fds[i];

			if (fd < 0)
				fd = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (fd < 0 || dup2(fd, i) < 0)
				return lb_fail(err, errno, "dup2 fd %d", i);
		}
	}
	/* No fd of init, the helper, sshd or the module goes further. */
	if (close_range(3, ~0U, 0) < 0)
		return lb_fail(err, errno, "close_range");
	return 0;
}

static void reset_signals(void)
{
	sigset_t all;
	int s;

	for (s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

int spawn_exec(const struct lb_box *b, const struct spawn_req *r,
	       struct lb_err *err)
{
	bool root = b->pol.inside_uid == LB_INSIDE_ROOT;
	uint64_t keep = root ? b->pol.caps : 0;
	char *argv_login[2], *argv_cmd[4], argv0[256], **argv, **env;
	char sh[256];

	if (setup_stdio(b, r, err) < 0)
		return -1;
	reset_signals();
	env = build_env(b, r);
	if (!env)
		return lb_fail(err, ENOMEM, "environment");
	snprintf(sh, sizeof(sh), "%s", b->pol.shell);
	switch (r->mode) {
	case LB_SPAWN_LOGIN:
		snprintf(argv0, sizeof(argv0), "-%s", basename(sh));
		argv_login[0] = argv0;
		argv_login[1] = NULL;
		argv = argv_login;
		break;
	case LB_SPAWN_SHELL:
		argv_login[0] = basename(sh);
		argv_login[1] = NULL;
		argv = argv_login;
		break;
	case LB_SPAWN_COMMAND:
		argv_cmd[0] = sh;
		argv_cmd[1] = (char *)"-c";
		argv_cmd[2] = r->argv[0];
		argv_cmd[3] = NULL;
		argv = argv_cmd;
		break;
	default:
		argv = r->argv;
		break;
	}

	/* nested_userns = no is user.max_user_namespaces = 0 in the box's
	 * user namespace (init.c); CAP_SYS_RESOURCE there could undo it. */
	if (!b->pol.nested_userns)
		keep &= ~(1ULL << CAP_SYS_RESOURCE);
	/* The ordered drop. */
	if (caps_drop_bounding(keep, err) < 0)
		return -1;
	if (setresgid(b->inside_gid, b->inside_gid, b->inside_gid) < 0)
		return lb_fail(err, errno, "setresgid %u", (unsigned)b->inside_gid);
	if (setresuid(b->inside_uid, b->inside_uid, b->inside_uid) < 0)
		return lb_fail(err, errno, "setresuid %u", (unsigned)b->inside_uid);
	if (caps_set_final(keep, root, err) < 0)
		return -1;
	if (chdir(root ? "/root" : b->user.home) < 0 && chdir("/") < 0)
		return lb_fail(err, errno, "chdir /");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return lb_fail(err, errno, "no_new_privs");
	if (sc_load(b->bpf, b->bpf_len, err) < 0)
		return -1;
	if (r->mode == LB_SPAWN_EXEC) {
		char **e;

		/* execvpe searches the PATH the program will see. */
		for (e = env; *e; e++)
			if (!strncmp(*e, "PATH=", 5))
				setenv("PATH", *e + 5, 1);
		execvpe(argv[0], argv, env);
	} else {
		execve(b->pol.shell, argv, env);
	}
	return lb_fail(err, errno, "exec %s",
		       r->mode == LB_SPAWN_EXEC ? argv[0] : b->pol.shell);
}
