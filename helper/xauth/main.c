// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loginbox-xauth: sshd's XAuthLocation, set by loginbox's sshd drop-in
 * when X11 forwarding may be on for boxed users (hostdoors.c).
 *
 * For an X11 forwarding, sshd's session child (the user's uid, on the
 * host, outside any box) runs `XAuthLocation -q -` through /bin/sh and
 * writes two commands to it:
 *     remove unix:N.S
 *     add unix:N.S PROTO HEXCOOKIE
 * xauth stores "unix:N" as a FamilyLocal entry keyed by the HOST's
 * hostname.  A boxed login's X clients run in the box, which has a
 * hostname of its own (its UTS namespace), so Xlib there would look for
 * the box's name, find no cookie, and sshd would reject the connection.
 * For a boxed login (LOGINBOX_SESSION, exported by pam_loginbox) this
 * program runs xauth with sshd's commands and then adds the same cookie
 * as a FamilyWild entry for display N, which matches any host name: the
 * box's clients find it in the same ~/.Xauthority (the box mounts the
 * real home).  A user who sets LOGINBOX_SESSION by hand gets one more
 * entry for their own cookie in their own file: nothing else.
 *
 * For every other login it is /usr/bin/xauth: the same argv, stdin and
 * environment (execve), so unboxed users see sshd's usual behaviour.
 *
 * It runs on the host in the login's environment, like loginbox-shell:
 * linked static-pie with the same checks (Makefile), and for a boxed
 * login it drops the loader and shell-startup variables (envscrub.h)
 * before it starts xauth, a dynamic program.  The /bin/sh that sshd runs
 * it with is made safe by the conditions under which the drop-in turns
 * X11 on at all (docs/SECURITY.md, "X11 forwarding").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envscrub.h"
#include "paths.h"
#include "xauth_cmd.h"

#ifndef LB_XAUTH_PROG
#define LB_XAUTH_PROG "/usr/bin/xauth"
#endif

extern char **environ;

static const char *prog = "loginbox-xauth";

#define MAX_INPUT 8192
#define MAX_LINES 8

/* Run xauth with argv, text on its stdin; its exit status or -1. */
static int run_xauth(char *const argv[], const char *text)
{
	int p[2], status;
	size_t len = strlen(text), off = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[0], 0) < 0)
			_exit(127);
		execve(LB_XAUTH_PROG, argv, environ);
		fprintf(stderr, "%s: exec %s: %s\n", prog, LB_XAUTH_PROG,
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	while (off < len) {
		ssize_t n = write(p[1], text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	static char in[MAX_INPUT + 1], cmds[MAX_LINES * 1300],
		wild[MAX_LINES * 1300];
	struct lb_xauth_cmd c;
	size_t len = 0, cl = 0, wl = 0;
	int n = 0, rc, k;
	char *line, *save = NULL;

	(void)argc;
	/* Not a boxed login: be xauth. */
	if (!getenv(LB_ENV_SESSION)) {
		execve(LB_XAUTH_PROG, argv, environ);
		fprintf(stderr, "%s: exec %s: %s\n", prog, LB_XAUTH_PROG,
			strerror(errno));
		return 127;
	}
	lb_env_scrub(environ);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		ssize_t r = read(0, in + len, MAX_INPUT - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: reading sshd's commands: %s\n",
				prog, strerror(errno));
			return 1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == MAX_INPUT) {
			fprintf(stderr, "%s: more than %d bytes of commands: "
					"not sshd's; nothing stored\n",
				prog, MAX_INPUT);
			return 1;
		}
	}
	in[len] = '\0';
	if (memchr(in, '\0', len)) {
		fprintf(stderr, "%s: a NUL byte in the commands: not sshd's; "
				"nothing stored\n", prog);
		return 1;
	}
	/* Every line is checked before xauth runs at all: all or nothing. */
	for (line = strtok_r(in, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == MAX_LINES || lb_xauth_cmd_parse(line, &c) < 0) {
			fprintf(stderr, "%s: line %d is not `remove DISPLAY` or "
					"`add DISPLAY PROTOCOL HEXKEY` as sshd "
					"writes them; nothing stored\n",
				prog, n + 1);
			return 1;
		}
		n++;
		k = lb_xauth_cmd_format(&c, cmds + cl, sizeof(cmds) - cl);
		if (k < 0)
			return 1;
		cl += (size_t)k;
		if (!c.add)
			continue;
		k = lb_xauth_cmd_wild(&c, wild + wl, sizeof(wild) - wl);
		if (k < 0)
			return 1;
		wl += (size_t)k;
	}
	{
		char *const xa[] = {(char *)"xauth", (char *)"-q", (char *)"-",
				    NULL};

		rc = run_xauth(xa, cmds);
	}
	if (rc == 0 && wl) {
		char *const xn[] = {(char *)"xauth", (char *)"-q",
				    (char *)"nmerge", (char *)"-", NULL};

		rc = run_xauth(xn, wild);
	}
	if (rc != 0)
		fprintf(stderr, "%s: %s failed (%d): X11 forwarding into the "
				"box will be refused for want of a cookie\n",
			prog, LB_XAUTH_PROG, rc);
	return rc == 0 ? 0 : 1;
}
