// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loginbox-xauth: sshd's XAuthLocation, set by loginbox's sshd drop-in
 * when X11 forwarding may be on for boxed users (hostdoors.c).
 *
 * For an X11 forwarding, sshd's session child (the user's uid and every
 * host group, on the host, outside any box) runs `XAuthLocation -q -`
 * through /bin/sh and writes two commands to it:
 *     remove unix:N.S
 *     add unix:N.S PROTO HEXCOOKIE
 *
 * For a boxed login (LOGINBOX_SESSION names its box, set by pam_loginbox)
 * xauth does not run on the host at all: this program checks that its
 * input is exactly such lines (all or nothing) and has the box run
 * `xauth -q -` with them, as the user, through the box's init
 * (protocol/client.c, the same request loginbox-shell makes for
 * `ssh host CMD`).  So the cookie is stored by the box's xauth, in the
 * box's view of the home, under the box's own hostname, which is where
 * the box's X clients look for it, and no xauth on the host reads a file
 * the user controls or writes where the user's host groups allow.  A box
 * whose image has no xauth gets a DISPLAY without a cookie: X clients
 * there are refused, nothing else happens.
 *
 * A login counts as boxed when LOGINBOX_SESSION names a box or when it
 * runs in a box's network namespace (in_box_netns), whatever the
 * environment says.  For every other login (no box, or one the admin let
 * in unboxed with on_error = allow) it is /usr/bin/xauth: the same argv, stdin and
 * environment (execve), so unboxed users see sshd's usual behaviour.
 *
 * It runs on the host in the login's environment, like loginbox-shell:
 * linked static-pie with the same checks (Makefile), and for a boxed
 * login it drops the loader and shell-startup variables (envscrub.h)
 * before it forwards the environment.  The /bin/sh that sshd runs it
 * with is made safe by the conditions under which the drop-in turns X11
 * on at all (docs/SECURITY.md, "X11 forwarding").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "allow_token.h"
#include "client.h"
#include "envscrub.h"
#include "err.h"
#include "paths.h"
#include "xauth_cmd.h"

#ifndef LB_XAUTH_PROG
#define LB_XAUTH_PROG "/usr/bin/xauth"
#endif

/* What the box runs: its own xauth, found on the login's PATH there. */
#define BOX_XAUTH_CMD "xauth -q -"

extern char **environ;

static const char *prog = "loginbox-xauth";

#define MAX_INPUT 8192
#define MAX_LINES 8

static int be_xauth(char **argv)
{
	execve(LB_XAUTH_PROG, argv, environ);
	fprintf(stderr, "%s: exec %s: %s\n", prog, LB_XAUTH_PROG,
		strerror(errno));
	return 127;
}

/* sshd's commands from stdin, checked and written back into cmds. */
static int read_commands(char *cmds, size_t cap, size_t *cl)
{
	static char in[MAX_INPUT + 1];
	struct lb_xauth_cmd c;
	size_t len = 0;
	char *line, *save = NULL;
	int n = 0, k;

	for (;;) {
		ssize_t r = read(0, in + len, MAX_INPUT - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: reading sshd's commands: %s\n",
				prog, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == MAX_INPUT) {
			fprintf(stderr, "%s: more than %d bytes of commands: "
					"not sshd's; nothing stored\n",
				prog, MAX_INPUT);
			return -1;
		}
	}
	in[len] = '\0';
	if (memchr(in, '\0', len)) {
		fprintf(stderr, "%s: a NUL byte in the commands: not sshd's; "
				"nothing stored\n", prog);
		return -1;
	}
	*cl = 0;
	for (line = strtok_r(in, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == MAX_LINES || lb_xauth_cmd_parse(line, &c) < 0) {
			fprintf(stderr, "%s: line %d is not `remove DISPLAY` or "
					"`add DISPLAY PROTOCOL HEXKEY` as sshd "
					"writes them; nothing stored\n",
				prog, n + 1);
			return -1;
		}
		n++;
		k = lb_xauth_cmd_format(&c, cmds + *cl, cap - *cl);
		if (k < 0)
			return -1;
		*cl += (size_t)k;
	}
	return 0;
}

/*
 * Is this process in a network namespace another user namespace owns?
 * pam_loginbox moved sshd's connection into the box's network namespace,
 * which the box's (or its pasta's) user namespace owns; sshd's session
 * child inherits it.  LOGINBOX_SESSION alone does not tell: a
 * ~/.pam_environment read after the box line can unset or change it
 * (`LOGINBOX_SESSION OVERRIDE=`), and xauth runs before the login's shell
 * would find the box missing.  True also when it cannot be told.
 */
static bool in_box_netns(void)
{
	struct stat own, mine;
	int net, owner, user;
	bool other = true;

	net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (net < 0)
		return true;
	owner = ioctl(net, NS_GET_USERNS);
	close(net);
	if (owner < 0)
		return true;
	user = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (user >= 0 && fstat(owner, &own) == 0 && fstat(user, &mine) == 0)
		other = own.st_dev != mine.st_dev || own.st_ino != mine.st_ino;
	close(owner);
	if (user >= 0)
		close(user);
	return other;
}

/* fd `to` becomes /dev/null. */
static int null_fd(int to)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || dup2(fd, to) < 0)
		return -1;
	if (fd != to)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static char cmds[MAX_LINES * 1300];
	const char *sess = getenv(LB_ENV_SESSION);
	char *args[1] = {(char *)BOX_XAUTH_CMD};
	unsigned long id;
	struct lb_err err;
	size_t cl = 0;
	int p[2], wstatus;
	char *end;

	(void)argc;
	if ((!sess ||
	     !strncmp(sess, LB_TOKEN_PREFIX, strlen(LB_TOKEN_PREFIX))) &&
	    !in_box_netns())
		return be_xauth(argv);
	lb_env_scrub(environ);
	errno = 0;
	id = sess ? strtoul(sess, &end, 10) : 0;
	if (!id || *end || errno) {
		fprintf(stderr, "%s: this login is in a box's network, but %s "
				"(%s%s%s) names no box: nothing stored, no "
				"xauth runs on the host\n",
			prog, LB_ENV_SESSION, !sess ? "unset" : !*sess ? "empty" : "`",
			sess && *sess ? sess : "", sess && *sess ? "`" : "");
		return 1;
	}
	if (read_commands(cmds, sizeof(cmds), &cl) < 0)
		return 1;
	/* The checked commands become the box xauth's stdin: a pipe (they
	 * fit its buffer).  Its stdout goes nowhere; its stderr (the box
	 * saying it has no xauth) to sshd's unless that is a terminal,
	 * which the box would otherwise take over. */
	if (pipe2(p, O_CLOEXEC) < 0 || write(p[1], cmds, cl) != (ssize_t)cl) {
		fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
		return 1;
	}
	close(p[1]);
	if (dup2(p[0], 0) < 0 || null_fd(1) < 0 ||
	    (isatty(2) && null_fd(2) < 0)) {
		fprintf(stderr, "%s: fds: %s\n", prog, strerror(errno));
		return 1;
	}
	close(p[0]);
	lb_err_clear(&err);
	if (lb_client_run(id, LB_SPAWN_COMMAND, args, 1, environ, &wstatus,
			  &err) < 0) {
		char text[1200];

		fprintf(stderr, "%s: %s\n", prog,
			lb_err_text(&err, text, sizeof(text)));
		return 1;
	}
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus)) {
		fprintf(stderr, "%s: the box's `%s` failed (status %d): X11 "
				"clients in the box will be refused for want of "
				"a cookie (does the image have xauth?)\n",
			prog, BOX_XAUTH_CMD, WIFEXITED(wstatus) ?
			WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
		return 1;
	}
	return 0;
}
