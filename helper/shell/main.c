// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loginbox-shell: the login shell of boxed users.
 *
 * sshd, su and login run it as they would run a shell: "-loginbox-shell"
 * for a login, "loginbox-shell -c CMD" for a command (ssh host CMD, scp,
 * sftp-server, rsync, su -c).  It asks the box of this login, named by
 * LOGINBOX_SESSION (set by pam_loginbox), to run the real shell inside
 * and relays (client.c).  It has no privilege of its own: the box's init
 * checks the caller's uid on the socket, so a wrong or forged session id
 * gets nothing.
 *
 * Without a box it refuses: a boxed account must not get an unboxed shell
 * through a service the admin forgot to box.  The exceptions are a login
 * the admin allowed unboxed (on_error = allow: a root-made token in
 * /run/loginbox) and a call from inside a box (tmux or screen reading the
 * passwd shell), where the box's own shell is run directly.  When it
 * cannot tell whether it runs inside a box (no readable uid_map), it
 * refuses: guessing "host" or "box" wrongly both give the wrong shell.
 *
 * It runs on the host with the environment sshd, su or login built for
 * the login, which a boxed user can fill (~/.pam_environment,
 * ~/.ssh/environment, AcceptEnv).  So it is linked static-pie: no dynamic
 * loader runs, and LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH reach nothing.
 * It calls nothing that loads code or data at run time (no NSS lookup, no
 * setlocale, no iconv; the Makefile checks the binary with nm), and it
 * drops those variables (envscrub.h) before it execs or forwards anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "allow_token.h"
#include "client.h"
#include "envscrub.h"
#include "paths.h"

extern char **environ;

static const char *prog = "loginbox-shell";

static int usage(void)
{
	fprintf(stderr, "%s: usage: loginbox-shell [-c COMMAND] (it is a login "
			"shell; see loginbox-shell(8))\n",
		prog);
	return 2;
}

/* Exec `shell` the way we were called: login, -c, or interactive. */
static void exec_shell(const char *shell, int login, const char *cmd)
{
	char sh[256], argv0[260];

	snprintf(sh, sizeof(sh), "%s", shell);
	snprintf(argv0, sizeof(argv0), "%s%s", login ? "-" : "", basename(sh));
	if (cmd)
		execl(shell, argv0, "-c", cmd, (char *)NULL);
	else
		execl(shell, argv0, (char *)NULL);
	fprintf(stderr, "%s: exec %s: %s\n", prog, shell, strerror(errno));
	exit(127);
}

/*
 * 1 inside a user namespace (a box), 0 in the initial one (the host), -1
 * when it cannot tell: the host's uid_map is exactly "0 0 4294967295".
 */
static int inside_a_box(void)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f) ||
	    sscanf(buf, "%lu %lu %lu", &a, &b, &c) != 3) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return !(a == 0 && b == 0 && c == 4294967295UL);
}

/* on_error = allow: the module left /run/loginbox/allow-TOKEN, root's,
 * naming our uid and the shell to run unboxed. */
static void try_unboxed(const char *token, int login, const char *cmd)
{
	char path[256], buf[512];
	struct lb_token t;
	struct stat st;
	ssize_t n;
	int fd;

	if (strchr(token, '/') || strlen(token) > 64)
		return;
	snprintf(path, sizeof(path), "%s/%s", LB_RUNDIR, token);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) ||
	    n <= 0) {
		close(fd);
		return;
	}
	close(fd);
	buf[n] = '\0';
	/* Only while the login that made it is alive: a token left by a
	 * crashed login must not open an unboxed shell later. */
	if (lb_token_parse(buf, &t) < 0 || t.uid != getuid() ||
	    !lb_token_live(&t) || t.shell[0] != '/' ||
	    !strcmp(t.shell, LB_SHELL_PATH))
		return;
	exec_shell(t.shell, login, cmd);
}

/*
 * ssh -A: the box gets this login's agent only if SSH_AUTH_SOCK is the
 * socket sshd made for it (agent.h); any other value is refused here, with
 * the reason, and not passed on (the box would see a host path).
 */
static void agent_check(void)
{
	const char *a = getenv("SSH_AUTH_SOCK");
	struct lb_err err;
	int fd;

	if (!a)
		return;
	lb_err_clear(&err);
	fd = lb_agent_connect(a, &err);
	if (fd >= 0) {
		close(fd);
		return;
	}
	fprintf(stderr, "%s: agent not forwarded into the box: %s\n", prog,
		err.msg);
	unsetenv("SSH_AUTH_SOCK");
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *sess;
	char *args[1];
	int login = argv[0] && argv[0][0] == '-';
	enum lb_spawn_mode mode;
	unsigned long id;
	struct lb_err err;
	int wstatus, where;
	char *end;

	lb_err_clear(&err);
	/* Nothing a host program could load or source from the user's
	 * environment goes on: not to a shell exec'd here, not to the box. */
	lb_env_scrub(environ);
	/* Nothing in the user's reach may ptrace the relay of a terminal
	 * that may be root's (su). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (argc >= 3 && !strcmp(argv[1], "-c"))
		cmd = argv[2];
	else if (argc != 1)
		return usage();

	sess = getenv(LB_ENV_SESSION);
	if (sess && !strncmp(sess, LB_TOKEN_PREFIX, strlen(LB_TOKEN_PREFIX)))
		try_unboxed(sess, login, cmd);
	where = inside_a_box();
	if (where < 0) {
		fprintf(stderr,
			"%s: cannot tell whether this runs inside a box "
			"(/proc/self/uid_map unreadable): refusing. Ask your "
			"administrator to check that /proc is mounted.\n",
			prog);
		return 1;
	}
	if (where) {
		const char *sh = getenv("SHELL");

		if (!sh || sh[0] != '/' || !strcmp(sh, LB_SHELL_PATH))
			sh = "/bin/sh";
		exec_shell(sh, login, cmd);
	}
	if (!sess || !*sess || !(id = strtoul(sess, &end, 10)) || *end) {
		fprintf(stderr,
			"%s: this login has no box. Your account is boxed: log "
			"in with ssh, su or login, whose PAM session stack "
			"has pam_loginbox; if you did, ask your administrator "
			"(the module may be missing for this service).\n",
			prog);
		return 1;
	}
	agent_check();
	if (cmd) {
		mode = LB_SPAWN_COMMAND;
		args[0] = (char *)cmd;
	} else {
		mode = login ? LB_SPAWN_LOGIN : LB_SPAWN_SHELL;
	}
	if (lb_client_run(id, mode, args, cmd ? 1 : 0, environ, &wstatus,
			  &err) < 0) {
		char text[1200];

		fprintf(stderr, "%s: %s\n", prog,
			lb_err_text(&err, text, sizeof(text)));
		return 1;
	}
	lb_client_exit_like(wstatus);
}
