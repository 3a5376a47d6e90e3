// SPDX-License-Identifier: GPL-2.0-or-later
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "macros.h"
#include "paths.h"

static int connect_box(unsigned long id, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%lu/control", LB_RUNDIR,
		 id);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lb_fail(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return lb_fail(err, errno, "connect to box %lu (%s)", id,
			       sa.sun_path);
	return steal_fd(&fd);
}

static int send_spawn(int sock, enum lb_spawn_mode mode, bool pty,
		      const int *fds, char *const *args, int nargs,
		      char *const *env, struct lb_err *err)
{
	cleanup_free char *buf = NULL;
	struct lb_msg_spawn *m;
	struct winsize ws = {0};
	size_t len = sizeof(*m), off;
	int envc = 0, i;

	for (i = 0; i < nargs; i++)
		len += strlen(args[i]) + 1;
	for (i = 0; env && env[i]; i++) {
		if (len + strlen(env[i]) + 1 > LB_PROTO_MAX)
			break; /* an oversized environment is cut, not fatal */
		len += strlen(env[i]) + 1;
		envc++;
	}
	if (len > LB_PROTO_MAX)
		return lb_fail(err, E2BIG, "command line too long for the box");
	buf = calloc(1, len);
	if (!buf)
		return lb_fail(err, ENOMEM, "spawn message");
	m = (struct lb_msg_spawn *)buf;
	m->hdr = (struct lb_msg_hdr){LB_PROTO_MAGIC, LB_MSG_SPAWN, (uint32_t)len};
	m->mode = mode;
	m->pty = pty;
	if (pty && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		m->rows = ws.ws_row;
		m->cols = ws.ws_col;
	}
	m->argc = (uint32_t)nargs;
	m->envc = (uint32_t)envc;
	off = sizeof(*m);
	for (i = 0; i < nargs; i++) {
		strcpy(buf + off, args[i]);
		off += strlen(args[i]) + 1;
	}
	for (i = 0; i < envc; i++) {
		strcpy(buf + off, env[i]);
		off += strlen(env[i]) + 1;
	}
	return lb_proto_send(sock, buf, len, pty ? NULL : fds, pty ? 0 : 3, err);
}

/* Copy what is readable from `from` to `to`; -1 at EOF or error. */
static int pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	ssize_t off = 0;

	if (n <= 0)
		return (n < 0 && (errno == EINTR || errno == EAGAIN)) ? 0 : -1;
	while (off < n) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = to, .events = POLLOUT};

			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		off += w;
	}
	return 0;
}

/* Init asks for this login's agent (agent.h): the connection, or why
 * not.  Checked again at every request: the socket may be gone. */
static void agent_answer(int sock)
{
	struct lb_msg_hdr h = {LB_PROTO_MAGIC, LB_MSG_AGENT, sizeof(h)};
	struct lb_err err;
	int fd;

	lb_err_clear(&err);
	fd = lb_agent_connect(getenv("SSH_AUTH_SOCK"), &err);
	if (fd >= 0) {
		lb_proto_send(sock, &h, sizeof(h), &fd, 1, &err);
		close(fd);
	} else {
		struct lb_msg_error m = {.hdr = {LB_PROTO_MAGIC, LB_MSG_ERROR,
						 sizeof(m)}};

		snprintf(m.text, sizeof(m.text), "%s", err.msg);
		lb_proto_send(sock, &m, sizeof(m), NULL, 0, &err);
	}
}

int lb_client_read_ctl(int sock, int *wstatus, int *master,
		       struct lb_err *err)
{
	union {
		char buf[1024];
		struct lb_msg_hdr hdr;
	} u;
	int fds[1], nfds;
	ssize_t n;

	n = lb_proto_recv(sock, u.buf, sizeof(u.buf), fds, 1, &nfds, err);
	if (n < 0)
		return -1;
	if (n == 0)
		return lb_fail(err, ECONNRESET, "the box ended the session");
	/* Only a pty's master is taken, and only the first: any other fd
	 * would stay open in this process for the session's length. */
	if (u.hdr.type == LB_MSG_PTY && nfds == 1 && master && *master < 0) {
		*master = fds[0];
		nfds = 0;
	}
	while (nfds > 0)
		close(fds[--nfds]);
	switch (u.hdr.type) {
	case LB_MSG_AGENT:
		agent_answer(sock);
		return 0;
	case LB_MSG_EXIT:
		/* A bare header would leave the status unread stack bytes. */
		if ((size_t)n < sizeof(struct lb_msg_int))
			return lb_fail(err, EPROTO, "malformed exit message");
		*wstatus = ((struct lb_msg_int *)u.buf)->value;
		return 1;
	case LB_MSG_ERROR:
		u.buf[(size_t)n < sizeof(u.buf) ? (size_t)n : sizeof(u.buf) - 1] =
			'\0';
		if ((size_t)n <= offsetof(struct lb_msg_error, text) ||
		    !((struct lb_msg_error *)u.buf)->text[0])
			return lb_fail(err, EPROTO, "malformed error message");
		return lb_fail(err, 0, "%s", ((struct lb_msg_error *)u.buf)->text);
	default:
		return 0;
	}
}

/* A closed fd 0-2 would be taken by our control socket and go to the
 * box as its stdio: fill the holes with /dev/null first. */
static int fill_stdio(struct lb_err *err)
{
	int i;

	for (i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0 && open("/dev/null", O_RDWR) != i)
			return lb_fail(err, errno, "open /dev/null as fd %d", i);
	return 0;
}

/*
 * Direct mode: a terminal among stdout and stderr is not handed to the
 * box (anything in the box could read the caller's keyboard through it,
 * change its modes or send it ioctls: `su - user -c cmd </dev/null` run
 * by root keeps root's terminal on fds 1 and 2).  The box gets the write
 * end of a pipe instead and relay() copies to the terminal.  Returns 0
 * with fds[] to send and outs[] to copy from.
 */
static int prepare_stdio(int fds[3], int outs[3], int owned[3],
			 struct lb_err *err)
{
	int i;

	for (i = 0; i < 3; i++) {
		fds[i] = i;
		outs[i] = owned[i] = -1;
	}
	/* Stdin is never a terminal here: that is pty mode. */
	for (i = 1; i < 3; i++) {
		int p[2];

		if (isatty(i) != 1)
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return lb_fail(err, errno, "pipe for fd %d", i);
		outs[i] = p[0];
		owned[i] = p[1];
		fds[i] = p[1];
	}
	return 0;
}

/* Copy the relayed stdout/stderr pipes that have data; EOF closes one. */
static void pump_outs(int outs[3], const struct pollfd *p)
{
	int i;

	for (i = 1; i < 3; i++)
		if (outs[i] >= 0 && p[i - 1].revents && pump(outs[i], i) < 0) {
			close(outs[i]);
			outs[i] = -1;
		}
}

static int relay(int sock, int sfd, int master, int outs[3], int *wstatus,
		 struct lb_err *err)
{
	bool in_open = master >= 0;

	for (;;) {
		struct pollfd p[6] = {{.fd = sock, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN},
				      {.fd = in_open ? 0 : -1, .events = POLLIN},
				      {.fd = master, .events = POLLIN},
				      {.fd = outs[1], .events = POLLIN},
				      {.fd = outs[2], .events = POLLIN}};
		int r;

		if (poll(p, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			return lb_fail(err, errno, "poll");
		}
		if (p[3].revents && pump(master, 1) < 0) {
			/* EIO: every slave fd is closed; the exit status
			 * follows on the socket. */
			master = -1;
		}
		pump_outs(outs, &p[4]);
		if (p[2].revents && pump(0, master) < 0) {
			in_open = false;
			lb_proto_send_int(sock, LB_MSG_SIGNAL, SIGHUP, err);
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				struct winsize ws;

				if (si.ssi_signo == SIGWINCH) {
					if (master >= 0 &&
					    ioctl(0, TIOCGWINSZ, &ws) == 0)
						ioctl(master, TIOCSWINSZ, &ws);
					continue;
				}
				lb_proto_send_int(sock, LB_MSG_SIGNAL,
						  (int32_t)si.ssi_signo, err);
			}
		}
		if (p[0].revents) {
			r = lb_client_read_ctl(sock, wstatus, NULL, err);
			if (r < 0)
				return -1;
			if (r == 1) {
				/* Drain what the program wrote last; a
				 * background child keeping a pipe open
				 * does not hold us beyond a quiet 50 ms,
				 * nor a chatty one beyond 2 s. */
				struct timespec t0, t;

				clock_gettime(CLOCK_MONOTONIC, &t0);
				for (;;) {
					struct pollfd q[3] = {
						{.fd = master, .events = POLLIN},
						{.fd = outs[1], .events = POLLIN},
						{.fd = outs[2], .events = POLLIN}};

					if (master < 0 && outs[1] < 0 &&
					    outs[2] < 0)
						break;
					clock_gettime(CLOCK_MONOTONIC, &t);
					if (t.tv_sec - t0.tv_sec > 2 ||
					    poll(q, 3, 50) <= 0)
						break;
					if (q[0].revents && pump(master, 1) < 0)
						master = -1;
					pump_outs(outs, &q[1]);
				}
				return 0;
			}
		}
	}
}

int lb_client_run(unsigned long id, enum lb_spawn_mode mode,
		  char *const *args, int nargs, char *const *env,
		  int *wstatus, struct lb_err *err)
{
	cleanup_close int sock = -1, sfd = -1, master = -1;
	cleanup_close int out1 = -1, out2 = -1, own1 = -1, own2 = -1;
	struct termios saved, raw;
	bool pty = isatty(0) == 1;
	bool restore = false;
	sigset_t mask, old;
	int fds[3], outs[3] = {-1, -1, -1}, owned[3] = {-1, -1, -1};
	int r;

	if (fill_stdio(err) < 0)
		return -1;
	sock = connect_box(id, err);
	if (sock < 0)
		return -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return lb_fail(err, errno, "signalfd");
	if (!pty) {
		r = prepare_stdio(fds, outs, owned, err);
		own1 = owned[1];
		own2 = owned[2];
		out1 = outs[1];
		out2 = outs[2];
		if (r < 0)
			return -1;
	}
	r = send_spawn(sock, mode, pty, fds, args, nargs, env, err);
	/* Our copies of the pipes' write ends go now, or they never see
	 * EOF; init holds its own. */
	lb_closep(&own1);
	lb_closep(&own2);
	own1 = own2 = -1;
	if (r < 0)
		return -1;
	if (pty) {
		do
			r = lb_client_read_ctl(sock, wstatus, &master, err);
		while (r == 0 && master < 0);
		if (r < 0)
			return -1;
		if (r == 1)
			return 0;
		if (tcgetattr(0, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			restore = tcsetattr(0, TCSADRAIN, &raw) == 0;
		}
	}
	r = relay(sock, sfd, master, outs, wstatus, err);
	out1 = outs[1]; /* relay() closes a pipe at EOF and sets it to -1 */
	out2 = outs[2];
	if (restore)
		tcsetattr(0, TCSADRAIN, &saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

void lb_client_exit_like(int wstatus)
{
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);

		/* Die the same way, so sshd reports exit-signal. */
		signal(sig, SIG_DFL);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 1);
}
