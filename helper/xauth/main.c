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
 * For a boxed login (LOGINBOX_SESSION, exported by pam_loginbox, or the
 * box's network namespace: in_box_netns) this
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
 *
 * Which file xauth writes is not the user's to choose either: xauth runs
 * with the host's view of the file system and every host group, so an
 * XAUTHORITY (or HOME) from ~/.pam_environment naming /tmp/x, or a file in
 * a directory a host group may write, would have xauth create, or unlink
 * and replace, a host file the box cannot reach.  For a boxed login xauth
 * gets `-f CWD/.Xauthority`: sshd's child has changed into the passwd home
 * before it runs us (session.c do_child), a directory the user cannot
 * rename, whose parents are not theirs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "envscrub.h"
#include "paths.h"

#ifndef LB_XAUTH_PROG
#define LB_XAUTH_PROG "/usr/bin/xauth"
#endif

extern char **environ;

static const char *prog = "loginbox-xauth";

#define MAX_INPUT 8192
#define MAX_LINES 8

struct cmd {
	bool add;
	char display[128]; /* as sshd wrote it: unix:10.0, host/unix:10.0 */
	char number[16];   /* the display number: 10 */
	char proto[64];	   /* MIT-MAGIC-COOKIE-1 */
	char hex[1025];	   /* the cookie, hex */
};

static bool all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define HEX "0123456789abcdefABCDEF"

/* "[HOST/]unix:N[.S]" or "[HOST]:N[.S]": keeps N. */
static bool parse_display(const char *d, char *number, size_t len)
{
	const char *colon = strrchr(d, ':');
	size_t n;

	if (!all_of(d, ALNUM "._-/:", 1, 127) || !colon)
		return false;
	n = strspn(colon + 1, "0123456789");
	if (n == 0 || n >= len || n > 5 ||
	    (colon[1 + n] && (colon[1 + n] != '.' ||
			      !all_of(colon + 2 + n, "0123456789", 1, 5))))
		return false;
	memcpy(number, colon + 1, n);
	number[n] = '\0';
	return true;
}

/* One line of sshd's: "remove DISPLAY" or "add DISPLAY PROTO HEX". */
static bool parse_line(char *line, struct cmd *c)
{
	char *w[5], *save = NULL;
	int n = 0;

	memset(c, 0, sizeof(*c));
	for (char *t = strtok_r(line, " \t", &save); t && n < 5;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (n == 2 && !strcmp(w[0], "remove"))
		c->add = false;
	else if (n == 4 && !strcmp(w[0], "add"))
		c->add = true;
	else
		return false;
	if (strlen(w[1]) >= sizeof(c->display) ||
	    !parse_display(w[1], c->number, sizeof(c->number)))
		return false;
	snprintf(c->display, sizeof(c->display), "%s", w[1]);
	if (!c->add)
		return true;
	if (!all_of(w[2], ALNUM "._-", 1, sizeof(c->proto) - 1) ||
	    !all_of(w[3], HEX, 2, sizeof(c->hex) - 1) || strlen(w[3]) % 2)
		return false;
	snprintf(c->proto, sizeof(c->proto), "%s", w[2]);
	snprintf(c->hex, sizeof(c->hex), "%s", w[3]);
	return true;
}

static void hex_of(const char *s, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (; *s; s++) {
		*out++ = digits[(unsigned char)*s >> 4];
		*out++ = digits[(unsigned char)*s & 15];
	}
	*out = '\0';
}

/*
 * Is this process in a network namespace another user namespace owns?
 * pam_loginbox moved sshd's connection into the box's network namespace,
 * which the box's user namespace owns; sshd's session child inherits it.
 * LOGINBOX_SESSION alone does not tell: ~/.pam_environment, read after
 * the box line, can unset it (`LOGINBOX_SESSION DEFAULT=`), and the
 * login's xauth runs before its shell finds the box missing.  True also
 * when it cannot be told: the boxed treatment only pins the file.
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
	char in[MAX_INPUT + 1], cmds[MAX_INPUT + 64], wild[16384];
	char file[4096]; /* PATH_MAX */
	struct cmd c[MAX_LINES];
	size_t len = 0, cl = 0, wl = 0;
	int n = 0, rc;
	char *line, *save = NULL;

	(void)argc;
	/* Not a boxed login: be xauth. */
	if (!getenv(LB_ENV_SESSION) && !in_box_netns()) {
		execve(LB_XAUTH_PROG, argv, environ);
		fprintf(stderr, "%s: exec %s: %s\n", prog, LB_XAUTH_PROG,
			strerror(errno));
		return 127;
	}
	lb_env_scrub(environ);
	if (!getcwd(file, sizeof(file) - sizeof("/.Xauthority")) ||
	    !strcmp(file, "/")) {
		fprintf(stderr, "%s: not in the home directory (sshd could not "
				"change into it): nothing stored\n", prog);
		return 1;
	}
	strcat(file, "/.Xauthority");
	if (getenv("XAUTHORITY") && strcmp(getenv("XAUTHORITY"), file))
		fprintf(stderr, "%s: XAUTHORITY=%s is not used for a boxed "
				"login (xauth runs on the host): the cookie goes "
				"to %s\n", prog, getenv("XAUTHORITY"), file);
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
	/* Everything is checked before xauth runs at all: all or nothing. */
	for (line = strtok_r(in, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == MAX_LINES || !parse_line(line, &c[n])) {
			fprintf(stderr, "%s: line %d is not `remove DISPLAY` or "
					"`add DISPLAY PROTOCOL HEXKEY` as sshd "
					"writes them; nothing stored\n",
				prog, n + 1);
			return 1;
		}
		n++;
	}
	for (int i = 0; i < n; i++) {
		char num[40], name[140];

		if (c[i].add)
			cl += (size_t)snprintf(cmds + cl, sizeof(cmds) - cl,
					       "add %s %s %s\n", c[i].display,
					       c[i].proto, c[i].hex);
		else
			cl += (size_t)snprintf(cmds + cl, sizeof(cmds) - cl,
					       "remove %s\n", c[i].display);
		if (!c[i].add)
			continue;
		/* xauth's nlist form: family, address, number, name, data
		 * as length-prefixed hex; FamilyWild (0xffff) has no
		 * address and matches any host. */
		hex_of(c[i].number, num);
		hex_of(c[i].proto, name);
		wl += (size_t)snprintf(wild + wl, sizeof(wild) - wl,
				       "ffff 0000  %04zx %s %04zx %s %04zx %s\n",
				       strlen(c[i].number), num,
				       strlen(c[i].proto), name,
				       strlen(c[i].hex) / 2, c[i].hex);
		if (wl >= sizeof(wild))
			return 1;
	}
	{
		char *const xa[] = {(char *)"xauth", (char *)"-q", (char *)"-f",
				    file, (char *)"-", NULL};

		rc = run_xauth(xa, cmds);
	}
	if (rc == 0 && wl) {
		char *const xn[] = {(char *)"xauth", (char *)"-q", (char *)"-f",
				    file, (char *)"nmerge", (char *)"-", NULL};

		rc = run_xauth(xn, wild);
	}
	if (rc != 0)
		fprintf(stderr, "%s: %s failed (%d): X11 forwarding into the "
				"box will be refused for want of a cookie\n",
			prog, LB_XAUTH_PROG, rc);
	return rc == 0 ? 0 : 1;
}
