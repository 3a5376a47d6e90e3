// SPDX-License-Identifier: GPL-2.0-or-later
/* The set of logins of a box: see logins.h. */
#include "logins.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macros.h"
#include "paths.h"
#include "proto.h"

struct login {
	int pidfd; /* -1: free slot */
	int cgfd;  /* its cgroup leaf login-PID (cgroup.c), or -1 */
	pid_t pid;
	unsigned long long start;
};

static struct login set[LB_MAX_LOGINS];
static int lfd = -1;
static unsigned linger;       /* seconds */
static long long empty_since; /* monotonic ms, 0 while a login is there */

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Does init (PID 1 of the box) still have a child?  Every orphan of the
 * box is reparented to it, so this is "is anything left in the box". */
static bool have_children(void)
{
	siginfo_t si = {0};

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

static bool lingers(void)
{
	return linger > 0 && have_children();
}

void logins_init(int listen_fd, int first_pidfd, int first_cgfd, pid_t pid,
		 unsigned long long start, unsigned linger_sec)
{
	int i;

	lfd = listen_fd;
	linger = linger_sec;
	for (i = 0; i < LB_MAX_LOGINS; i++)
		set[i].pidfd = set[i].cgfd = -1;
	if (first_pidfd >= 0)
		set[0] = (struct login){first_pidfd, first_cgfd, pid, start};
}

int logins_cgroup_fd(pid_t pid)
{
	int i;

	for (i = 0; i < LB_MAX_LOGINS; i++)
		if (set[i].pidfd >= 0 && pid > 0 && set[i].pid == pid)
			return set[i].cgfd;
	return -1;
}

int logins_count(void)
{
	int i, n = 0;

	for (i = 0; i < LB_MAX_LOGINS; i++)
		n += set[i].pidfd >= 0;
	return n;
}

int logins_poll_fds(struct pollfd *p, int max)
{
	int i, n = 0;

	if (max < LB_MAX_LOGINS + 1)
		return 0;
	p[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (i = 0; i < LB_MAX_LOGINS; i++)
		p[n++] = (struct pollfd){.fd = set[i].pidfd, .events = POLLIN};
	return n;
}

static void drop(struct login *l)
{
	close(l->pidfd);
	if (l->cgfd >= 0)
		close(l->cgfd);
	l->pidfd = l->cgfd = -1;
}

static void answer(int fd, const char *req, int pidfd, int cgfd)
{
	char out[LB_MAX_LOGINS * 40 + 32];
	unsigned long long start = 0;
	struct login *free_slot = NULL;
	int pid = 0, i;

	if ((req[0] == 'J' || req[0] == 'L') &&
	    sscanf(req + 1, "%d %llu", &pid, &start) != 2) {
		snprintf(out, sizeof(out), "E bad request");
	} else if (req[0] == 'J') {
		bool known = false;

		/* A login joins once: the same login again (its keeper's
		 * join answered too late for it, then the helper's) keeps its
		 * one slot (logins.h). */
		for (i = 0; i < LB_MAX_LOGINS; i++)
			known |= set[i].pidfd >= 0 && set[i].pid == pid &&
				 set[i].start == start;
		for (i = 0; i < LB_MAX_LOGINS && !free_slot; i++)
			if (set[i].pidfd < 0)
				free_slot = &set[i];
		if (pidfd < 0)
			snprintf(out, sizeof(out), "E no pidfd");
		else if (known)
			snprintf(out, sizeof(out), "K %d", logins_count());
		else if (!free_slot)
			snprintf(out, sizeof(out), "E full %d", LB_MAX_LOGINS);
		else {
			*free_slot = (struct login){pidfd, cgfd, pid, start};
			pidfd = cgfd = -1;
			snprintf(out, sizeof(out), "K %d", logins_count());
		}
	} else if (req[0] == 'L') {
		for (i = 0; i < LB_MAX_LOGINS; i++)
			if (set[i].pidfd >= 0 && set[i].pid == pid &&
			    set[i].start == start)
				drop(&set[i]);
		snprintf(out, sizeof(out), "K %d%s", logins_count(),
			 logins_count() == 0 && lingers() ? " linger" : "");
	} else {
		size_t n = (size_t)snprintf(out, sizeof(out), "K %d",
					    logins_count());

		for (i = 0; i < LB_MAX_LOGINS && n < sizeof(out); i++)
			if (set[i].pidfd >= 0)
				n += (size_t)snprintf(out + n, sizeof(out) - n,
						      " %d:%llu", (int)set[i].pid,
						      set[i].start);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (cgfd >= 0)
		close(cgfd);
	send(fd, out, strlen(out), MSG_NOSIGNAL);
}

static void serve_one(void)
{
	union {
		char c[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char req[128];
	struct iovec iov = {.iov_base = req, .iov_len = sizeof(req) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.c, .msg_controllen = sizeof(u.c)};
	struct cmsghdr *c;
	int fd, got[2] = {-1, -1}, ngot = 0;
	ssize_t n;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* Root asks and waits for the answer: no need to poll this one. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){.tv_sec = 2}, sizeof(struct timeval));
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	/* the login's pidfd, then (optionally) its cgroup leaf: root's */
	for (c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c;
	     c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t j = 0; j < k; j++) {
				int f;

				memcpy(&f, CMSG_DATA(c) + j * sizeof(int),
				       sizeof(int));
				if (ngot < 2)
					got[ngot++] = f;
				else
					close(f);
			}
		}
	if (n > 0) {
		req[n] = '\0';
		answer(fd, req, got[0], got[1]);
	} else {
		if (got[0] >= 0)
			close(got[0]);
		if (got[1] >= 0)
			close(got[1]);
	}
	close(fd);
}

bool logins_handle(const struct pollfd *p, int n)
{
	int i;

	if (n < LB_MAX_LOGINS + 1)
		return false;
	if (p[0].revents & POLLIN)
		serve_one();
	/* A login process that ended without closing its session (killed):
	 * it leaves the set; the others keep the box. */
	for (i = 0; i < LB_MAX_LOGINS; i++)
		if (p[i + 1].fd >= 0 && p[i + 1].fd == set[i].pidfd &&
		    p[i + 1].revents) {
			drop(&set[i]);
		}
	if (logins_count() > 0) {
		empty_since = 0;
		return false;
	}
	if (!lingers())
		return true;
	if (!empty_since)
		empty_since = now_ms();
	return now_ms() - empty_since >= (long long)linger * 1000;
}

int logins_timeout_ms(void)
{
	long long left;

	if (logins_count() > 0 || !empty_since)
		return -1;
	left = empty_since + (long long)linger * 1000 - now_ms();
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

int logins_listen(int dirfd, const char *dir, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;
	mode_t old;
	int r;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/logins", dir) >=
	    (int)sizeof(sa.sun_path))
		return lb_fail(err, ENAMETOOLONG, "logins socket path");
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lb_fail(err, errno, "socket");
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return lb_fail(err, errno, "bind %s", sa.sun_path);
	if (fchmodat(dirfd, "logins", 0600, 0) < 0)
		return lb_fail(err, errno, "chmod %s", sa.sun_path);
	if (listen(fd, 64) < 0)
		return lb_fail(err, errno, "listen %s", sa.sun_path);
	return steal_fd(&fd);
}

int logins_request(unsigned long id, const char *req, int fd, char *buf,
		   size_t cap, struct lb_err *err)
{
	return logins_request_fds(id, req, &fd, fd >= 0 ? 1 : 0, buf, cap,
				  err);
}

int logins_request_fds(unsigned long id, const char *req, const int *fds,
		       int nfds, char *buf, size_t cap, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int s = -1;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%lu/logins", LB_RUNDIR,
		 id);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return lb_fail(err, errno, "socket");
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 5},
		   sizeof(struct timeval));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return lb_fail(err, errno, "connect %s", sa.sun_path);
	if (lb_proto_send(s, req, strlen(req), nfds > 0 ? fds : NULL, nfds,
			  err) < 0)
		return lb_prefix(err, "send to %s", sa.sun_path);
	n = recv(s, buf, cap - 1, 0);
	if (n <= 0)
		return lb_fail(err, n < 0 ? errno : ECONNRESET,
			       "no answer from box %lu's init", id);
	buf[n] = '\0';
	return 0;
}
