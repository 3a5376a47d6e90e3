// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The keeper serves joins and leaves of its box's logins without a helper
 * run (docs/JOIN_SPEED.md; the wire format: keeper_call.h).
 *
 * Trust: the socket is root's only (0600, in the root-owned session
 * directory nobody else may write) and its peer must be uid 0
 * (SO_PEERCRED).  The request names a user and a service, like the
 * helper's argv, and carries the login process's pidfd; the login is the
 * pidfd's process only if the pidfd's pid (its fdinfo) is the socket
 * peer's pid, taken by the kernel at connect, and the pidfd is still
 * alive after the start time was read (so neither is a recycled pid).  Everything else is resolved here
 * exactly as the helper resolves it (box_resolve, join_box: one
 * implementation); whatever is not a plain join of a live box with the
 * same policy is answered "fallback", and the login runs the helper.
 *
 * Each connection is answered by a fork of the keeper (no exec: the image
 * is loaded), which exits after the one reply: nothing of a join (the
 * user's lock, policy, fds) stays in the keeper, which only waits for it
 * (bounded: the socket timeouts, an alarm).  That fork is made before the
 * connection comes (the "spare": it waits in accept), so a login does not
 * wait for it: about 0.2 ms of each open and close (docs/JOIN_SPEED.md).
 * One spare at a time, so connections are still answered one by one.
 */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit_box.h"
#include "fault.h"
#include "join.h"
#include "keeper_call.h"
#include "macros.h"
#include "paths.h"
#include "proc.h"
#include "proto.h"
#include "reply.h"

/* A handler that has not answered by then is killed: the login's own
 * timeout (keeper_call.h) has sent it to the helper long before. */
#define HANDLER_SECONDS 10

/* A spare's exit status when it answered nothing: after this many in a row
 * the keeper starts no more (and logins use the helper). */
#define SPARE_NO_ACCEPT 3
#define SPARE_MAX_FAILURES 5

/* The user lookup once in the keeper: the NSS modules it loads (a
 * libnss_systemd and its libraries) are then every handler's by fork
 * instead of a dlopen per join.  Nothing of the answer is kept.  Only
 * once the box's state exists (the keeper starts before the helper
 * writes it): false until then. */
static bool warm_nss(unsigned long id)
{
	struct lb_state st;
	struct lb_user u;
	struct lb_err e;

	lb_err_clear(&e);
	if (session_read_state(id, &st, &e) < 0)
		return false;
	lb_user_lookup(st.user, &u, &e);
	return true;
}

int keeper_listen(unsigned long id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dfd = -1, fd = -1;
	struct stat st;
	char path[64];
	mode_t old;
	int r;

	snprintf(path, sizeof(path), "%s/%lu", LB_RUNDIR, id);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* 0711 (init's users traverse it to their own entries): nobody but
	 * root may add or replace one; the socket itself is 0600 */
	if (dfd < 0 || fstat(dfd, &st) < 0 || st.st_uid != 0 ||
	    (st.st_mode & 022))
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd,
		 LB_KEEPER_SOCK);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlinkat(dfd, LB_KEEPER_SOCK, 0);
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || fchmodat(dfd, LB_KEEPER_SOCK, 0600, 0) < 0 ||
	    listen(fd, 16) < 0)
		return -1;
	return steal_fd(&fd);
}

/* The pid a pidfd names (its fdinfo), or -1. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pid:", 4)) {
			pid = (pid_t)strtol(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	return pid;
}

/* The reply, sent as the helper sends its own (main.c); <0 when the login
 * is no longer there to read it. */
static int answer(int s, const char *text, int fd)
{
	struct lb_err err;

	return lb_proto_send(s, text, strlen(text), fd >= 0 ? &fd : NULL,
			     fd >= 0 ? 1 : 0, &err);
}

/* The login gave up on us (its wait is bounded, keeper_call.h) and went
 * to the helper: joining it too would only log a join nobody asked for. */
static bool login_left(int s)
{
	struct pollfd p = {.fd = s, .events = POLLRDHUP};

	return poll(&p, 1, 0) != 0;
}

static void serve_open(int s, char **f, int nf, const struct lb_state *own,
		       pid_t pid, int pidfd, unsigned long long start)
{
	struct lb_box b;
	struct lb_err err;
	char buf[64];

	if (nf != 5) {
		answer(s, LB_KEEPER_FALLBACK, -1);
		return;
	}
	lb_err_clear(&err);
	box_init(&b);
	b.via_keeper = true;
	b.owner_start = start;
	/* Only logins of this box's own user: the request names a user, and
	 * a keeper has no business joining anyone else's box (the module
	 * asks the keeper its user's index names; anything else is odd). */
	if (login_left(s) ||
	    box_resolve(&b, f[2], f[3], pid, pidfd, &err) < 0 ||
	    b.user.uid != own->uid || b.pol.session_mode != LB_SESSION_USER ||
	    join_box(&b, &err) != 1) {
		/* refusals, a build, a busy lock: the helper's, as without
		 * a keeper (our lock, if held, goes with this process) */
		answer(s, LB_KEEPER_FALLBACK, -1);
		return;
	}
	b.joined = true;
	LB_FAULT("keeper:joined");
	lb_reply_format_open(b.id, b.init_pid, buf, sizeof(buf));
	/* Not delivered: the login went to the helper, whose join of the
	 * same login keeps this one's slot (logins.h) and logs it. */
	if (answer(s, buf, b.netns_fd) == 0)
		box_audit_start(&b, f[4][0] ? f[4] : NULL);
}

static void serve_close(int s, char **f, int nf, const struct lb_state *own,
			pid_t pid)
{
	unsigned long id;
	struct lb_err err;
	int lockfd = -1, r;

	lb_err_clear(&err);
	/* only a leave of this keeper's own box */
	if (nf != 3 || session_parse_id(f[2], &id) < 0 || id != own->id) {
		answer(s, LB_KEEPER_FALLBACK, -1);
		return;
	}
	/* The last login leaving (a teardown), a busy lock, an error: the
	 * helper's close, which does the same leave again (init's `L` is
	 * idempotent) and ends the box as it always did. */
	r = join_leave(id, pid, 0, &lockfd, &err);
	LB_FAULT("keeper:left");
	answer(s, r == 1 ? "ok" : LB_KEEPER_FALLBACK, -1);
	if (lockfd >= 0)
		close(lockfd);
}

/* One connection, in the handler process. */
static void serve(int s, unsigned long id)
{
	union {
		char c[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char req[1024], *f[8];
	struct iovec iov = {.iov_base = req, .iov_len = sizeof(req) - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.c,
			    .msg_controllen = sizeof(u.c)};
	struct timeval tv = {LB_KEEPER_TIMEOUT_MS / 1000, 0};
	struct cmsghdr *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct pollfd p;
	unsigned long long start;
	struct lb_state own;
	struct lb_err e;
	int pidfd = -1, nf = 0;
	ssize_t n, i;

	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    cred.uid != 0 || cred.pid <= 1)
		return;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&pidfd, CMSG_DATA(c), sizeof(int));
	/* The login is the peer, pinned by its own pidfd: same pid, and
	 * still alive once its start time is read. */
	start = pidfd >= 0 && pidfd_pid(pidfd) == cred.pid
			? proc_start_time(cred.pid)
			: 0;
	p = (struct pollfd){.fd = pidfd, .events = POLLIN};
	if (!start || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    poll(&p, 1, 0) != 0 || req[n - 1] != '\0') {
		answer(s, LB_KEEPER_FALLBACK, -1);
		return;
	}
	for (i = 0; i < n && nf < 8; i += (ssize_t)strlen(req + i) + 1)
		f[nf++] = req + i;
	/* This keeper's box, read now: whose it is (its user's logins only) */
	lb_err_clear(&e);
	if (nf < 2 || strcmp(f[0], LB_KEEPER_VERSION) != 0 ||
	    session_read_state(id, &own, &e) < 0 ||
	    strcmp(own.session, "user") != 0)
		answer(s, LB_KEEPER_FALLBACK, -1);
	else if (!strcmp(f[1], "open"))
		serve_open(s, f, nf, &own, cred.pid, pidfd, start);
	else if (!strcmp(f[1], "close"))
		serve_close(s, f, nf, &own, cred.pid);
	else
		answer(s, LB_KEEPER_FALLBACK, -1);
}

/* In the spare: wait for one connection, answer it, exit. */
static __attribute__((noreturn)) void spare_main(int lfd, int busy,
						 pid_t keeper, unsigned long id)
{
	int s;

	/* An idle spare dies with its keeper: a killed keeper's box is the
	 * helper's to join (its init went to PID 1, nobody ends the box). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != keeper)
		_exit(SPARE_NO_ACCEPT);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s >= 0)
			break;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* EMFILE, ENOBUFS, ...: the keeper starts another */
		_exit(SPARE_NO_ACCEPT);
	}
	/* Busy from now on: at the box's end the keeper waits for us
	 * (bounded by the alarm) instead of killing an idle spare. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (write(busy, "b", 1) != 1)
		_exit(SPARE_NO_ACCEPT);
	close(busy);
	close(lfd);
	alarm(HANDLER_SECONDS);
	serve(s, id);
	_exit(0);
}

int keeper_spare_start(struct keeper_spare *sp, int lfd, unsigned long id)
{
	int busy[2], pidfd;
	pid_t keeper = getpid(), pid;

	if (sp->failures >= SPARE_MAX_FAILURES)
		return -1;
	if (!sp->warm)
		sp->warm = warm_nss(id);
	if (pipe2(busy, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(busy[0]);
		spare_main(lfd, busy[1], keeper, id);
	}
	close(busy[1]);
	/* our unreaped child: the pidfd names it, not a recycled pid */
	pidfd = pid > 0 ? pidfd_open(pid, 0) : -1;
	if (pidfd < 0 || fcntl(busy[0], F_SETFL, O_NONBLOCK) < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		if (pidfd >= 0)
			close(pidfd);
		close(busy[0]);
		sp->failures++;
		return -1;
	}
	sp->pid = pid;
	sp->pidfd = pidfd;
	sp->busy = busy[0];
	return 0;
}

void keeper_spare_reap(struct keeper_spare *sp)
{
	int status = 0;

	if (sp->pid <= 0)
		return;
	while (waitpid(sp->pid, &status, 0) < 0 && errno == EINTR)
		;
	/* One that could not accept (EMFILE, a broken socket) is not
	 * restarted for ever: after a few the logins use the helper. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == SPARE_NO_ACCEPT)
		sp->failures++;
	else
		sp->failures = 0;
	close(sp->pidfd);
	close(sp->busy);
	sp->pid = -1;
	sp->pidfd = sp->busy = -1;
}

void keeper_spare_stop(struct keeper_spare *sp)
{
	char c;

	if (sp->pid <= 0)
		return;
	/* Idle (no byte yet): nothing to finish.  One that accepted between
	 * the read and the kill dies before it answers: its login sees the
	 * hangup and goes to the helper. */
	if (read(sp->busy, &c, 1) != 1)
		kill(sp->pid, SIGKILL);
	keeper_spare_reap(sp);
}

void keeper_refuse_one(int lfd)
{
	int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (s >= 0)
		close(s); /* the login sees the hangup: the helper's */
}

void keeper_index_write(uid_t uid, unsigned long id)
{
	cleanup_close int ufd = -1, fd = -1;
	char name[40], tmp[48], buf[32];
	int len;

	ufd = open(LB_RUNDIR "/users", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC);
	if (ufd < 0)
		return;
	snprintf(name, sizeof(name), "%u%s", (unsigned)uid,
		 LB_KEEPER_INDEX_SUFFIX);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	unlinkat(ufd, tmp, 0);
	fd = openat(ufd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				      O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%lu\n", id);
	if (write(fd, buf, (size_t)len) != len ||
	    renameat(ufd, tmp, ufd, name) < 0)
		unlinkat(ufd, tmp, 0);
}
