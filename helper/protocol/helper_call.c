// SPDX-License-Identifier: GPL-2.0-or-later
#include "helper_call.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keeper_call.h"
#include "macros.h"
#include "paths.h"
#include "reply.h"

/*
 * execve's errors that say the helper is not installed as it should be:
 * the admin's doing, never the user's (on_error = allow may cover them).
 * Anything else that stops the call (fds, memory: the rlimits su's caller
 * chose) refuses the login.
 */
static bool helper_not_installed(int e)
{
	return e == ENOENT || e == EACCES || e == ENOEXEC || e == ENOTDIR;
}

static void child(int sock, char *const argv[])
{
	static char *const envp[] = {
		(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	sigset_t none;
	int fd, s;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (sock != LB_HELPER_REPLY_FD &&
	    dup2(sock, LB_HELPER_REPLY_FD) != LB_HELPER_REPLY_FD)
		_exit(127);
	if (sock == LB_HELPER_REPLY_FD)
		fcntl(sock, F_SETFD, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		_exit(127);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close_range(LB_HELPER_REPLY_FD + 1, ~0U, 0);
	execve(LB_HELPER_PATH, argv, envp);
	if (helper_not_installed(errno)) {
		struct lb_err err;
		char buf[1400];

		lb_fail_admin(&err, errno, "cannot run %s", LB_HELPER_PATH);
		lb_hint(&err, "reinstall loginbox");
		lb_reply_format_error(&err, buf, sizeof(buf));
		send(LB_HELPER_REPLY_FD, buf, strlen(buf), MSG_NOSIGNAL);
	}
	_exit(127);
}

int lb_helper_parse_open(const char *args, struct lb_handle *h)
{
	char *end;

	h->id = strtoul(args, &end, 10);
	h->init_pid = (pid_t)strtol(end, NULL, 10);
	return h->id == 0 ? -1 : 0;
}

/* Run the helper; the reply text goes to buf, an attached fd to *fd, what
 * follows "ok" to *args. */
static int run(char *const argv[], char *buf, size_t cap, int *fd,
	       const char **args, struct lb_err *err)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	int sv[2], status = 0;
	pid_t pid;

	*fd = -1;
	buf[0] = '\0';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return lb_fail(err, errno, "socketpair");
	/* The caller (sshd, su) may ignore or catch SIGCHLD; we must be able
	 * to reap our own child. */
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (pid == 0)
		child(sv[1], argv);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		sigaction(SIGCHLD, &old, NULL);
		return lb_fail(err, errno, "fork");
	}
	lb_reply_recv(sv[0], buf, cap, fd); /* none: buf "", no fd */
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGCHLD, &old, NULL);
	switch (lb_reply_parse(buf, args, err)) {
	case LB_REPLY_OK:
		return 0;
	case LB_REPLY_ERROR:
		break;
	case LB_REPLY_NONE:
		lb_fail(err, EIO, "%s failed without a reply (status %d)",
			LB_HELPER_PATH, status);
		break;
	}
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return -1;
}

int lb_helper_open(const char *user, const char *service, struct lb_handle *h,
		   int *netns_fd, struct lb_err *err)
{
	return lb_helper_open_rhost(user, service, NULL, h, netns_fd, err);
}

int lb_helper_open_rhost(const char *user, const char *service,
			 const char *rhost, struct lb_handle *h, int *netns_fd,
			 struct lb_err *err)
{
	/* RHOST is only logged (audit.h quotes it); no argument at all
	 * without one, as before. */
	char *const argv[] = {(char *)"loginbox-helper", (char *)"open",
			      (char *)user, (char *)service,
			      rhost && rhost[0] ? (char *)rhost : NULL, NULL};
	char buf[1400];
	const char *args = "";

	/* The helper is waited for here, not later: shadow's login waits for
	 * its shell with wait(NULL), and would take a late helper's exit for
	 * the end of the session. */
	memset(h, 0, sizeof(*h));
	if (run(argv, buf, sizeof(buf), netns_fd, &args, err) < 0)
		return -1;
	if (lb_helper_parse_open(args, h) < 0 || *netns_fd < 0) {
		if (*netns_fd >= 0)
			close(*netns_fd);
		*netns_fd = -1;
		return lb_fail(err, EPROTO, "bad reply from %s", LB_HELPER_PATH);
	}
	return 0;
}

/* Reap `pid` if it is our child, waiting up to a second; only that pid. */
static void reap(pid_t pid)
{
	int i;

	for (i = 0; pid > 0 && i < 100; i++) {
		pid_t w = waitpid(pid, NULL, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		usleep(10000);
	}
}

int lb_helper_close(const struct lb_handle *h, struct lb_err *err)
{
	char ids[32], buf[1400];
	char *const argv[] = {(char *)"loginbox-helper", (char *)"close", ids,
			      NULL};
	int fd, r;

	/* A join its keeper served leaves there too: init is not ours.  Its
	 * "fallback" (the last login, busy, gone) is the helper's below. */
	if (h->via_keeper && lb_keeper_close(h) == 1)
		return 0;
	/* The box's init is our child (CLONE_PARENT, box.c).  End and reap
	 * it before the helper tears the box down: an exited but unreaped
	 * init still pins the session's cgroup, whose rmdir then fails with
	 * EBUSY and leaves the node behind.  The pid is signalled only while
	 * waitpid says it is our unreaped child, so it cannot be reused. */
	if (h->init_pid > 0 && waitpid(h->init_pid, NULL, WNOHANG) == 0) {
		kill(h->init_pid, SIGKILL);
		reap(h->init_pid);
	}
	snprintf(ids, sizeof(ids), "%lu", h->id);
	r = run(argv, buf, sizeof(buf), &fd, NULL, err);
	reap(h->init_pid); /* in case the helper had to kill it */
	return r;
}
