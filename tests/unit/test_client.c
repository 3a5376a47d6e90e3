// SPDX-License-Identifier: GPL-2.0-or-later
/* lb_client_read_ctl: what loginbox-shell and `loginbox run` take from the
 * box's init.  Cases found by fuzz_client (tests/fuzz/corpus/client/). */
#include "client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

static int open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* init sends msg with nfd fds; the client reads it. */
static int from_init(const void *msg, size_t len, int nfd, int *wstatus,
		     int *master, struct lb_err *err)
{
	union {
		char c[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int sv[2], send[4], i, r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -2;
	for (i = 0; i < nfd; i++)
		send[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nfd) {
		struct cmsghdr *c;

		mh.msg_control = cm.c;
		mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), send, nfd * sizeof(int));
	}
	r = sendmsg(sv[0], &mh, 0) == (ssize_t)len ? 0 : -2;
	for (i = 0; i < nfd; i++)
		close(send[i]);
	close(sv[0]);
	if (r == 0) {
		lb_err_clear(err);
		r = lb_client_read_ctl(sv[1], wstatus, master, err);
	}
	close(sv[1]);
	return r;
}

int main(void)
{
	struct lb_msg_int ex = {
		.hdr = {.magic = LB_PROTO_MAGIC, .type = LB_MSG_EXIT,
			.len = sizeof(ex)},
		.value = 256};
	struct lb_msg_hdr pty = {LB_PROTO_MAGIC, LB_MSG_PTY, sizeof(pty)};
	struct lb_msg_error em = {
		.hdr = {.magic = LB_PROTO_MAGIC, .type = LB_MSG_ERROR,
			.len = sizeof(em)},
		.text = "cannot exec /bin/zsh"};
	struct lb_err err;
	int before = open_fds(), ws = -1, master = -1, r;

	plan(12);

	r = from_init(&ex, sizeof(ex), 0, &ws, &master, &err);
	ok(r == 1 && ws == 256, "exit message: its status");

	ws = -1;
	r = from_init(&ex, sizeof(ex), 1, &ws, &master, &err);
	ok(r == 1 && ws == 256 && master < 0, "exit message with an fd: status");
	is_int(open_fds(), before, "exit message: its fd is closed");

	ex.hdr.len = sizeof(ex.hdr);
	ws = -1;
	r = from_init(&ex, sizeof(ex.hdr), 0, &ws, &master, &err);
	ok(r < 0 && ws == -1 && strstr(err.msg, "malformed exit message"),
	   "bare exit header: refused, no status taken (%s)", err.msg);

	r = from_init(&pty, sizeof(pty), 1, &ws, &master, &err);
	ok(r == 0 && master >= 0, "pty message: the master is taken");
	r = from_init(&pty, sizeof(pty), 1, &ws, &master, &err);
	ok(r == 0, "a second pty message: ignored");
	close(master);
	master = -1;
	is_int(open_fds(), before, "a second pty message: its fd is closed");

	r = from_init(&pty, sizeof(pty), 1, &ws, NULL, &err);
	is_int(open_fds(), before, "pty message in the relay: its fd is closed");

	r = from_init(&em, sizeof(em), 1, &ws, &master, &err);
	ok(r < 0 && strcmp(err.msg, "cannot exec /bin/zsh") == 0,
	   "error message: its text (%s)", err.msg);
	is_int(open_fds(), before, "error message: its fd is closed");

	em.hdr.len = sizeof(em.hdr);
	r = from_init(&em, sizeof(em.hdr), 0, &ws, &master, &err);
	ok(r < 0 && strstr(err.msg, "malformed error message"),
	   "bare error header: refused, no stack bytes shown (%s)", err.msg);

	/* found by fuzz_client: an empty text made an error with no words */
	em.hdr.len = sizeof(em.hdr) + 2;
	memcpy(em.text, "\0\n", 2);
	r = from_init(&em, sizeof(em.hdr) + 2, 0, &ws, &master, &err);
	ok(r < 0 && strstr(err.msg, "malformed error message"),
	   "error message with an empty text: refused with words (%s)",
	   err.msg);
	return done_testing();
}
