// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lb_proto_recv: every fd the kernel installs is handed to the caller or
 * closed, whatever the message (the box's init receives from the user).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

/* Send `len` bytes of `msg` with n copies of fd 0 attached, raw. */
static int send_raw(int sock, const void *msg, size_t len, int n)
{
	union {
		char buf[CMSG_SPACE(64 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[64], i;

	for (i = 0; i < n; i++)
		fds[i] = 0;
	if (n > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	return sendmsg(sock, &mh, 0) < 0 ? -1 : 0;
}

int main(void)
{
	struct lb_msg_int m = {.hdr = {LB_PROTO_MAGIC, LB_MSG_SIGNAL, sizeof(m)},
			       .value = 1};
	union {
		char buf[256];
		struct lb_msg_hdr hdr;
	} u;
	struct lb_err err;
	int sv[2], fds[3], nfds, before;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		skip_all("no AF_UNIX SOCK_SEQPACKET socketpair");
	before = count_fds();

	/* A well-formed message with up to maxfds fds: handed over. */
	ok(send_raw(sv[0], &m, sizeof(m), 3) == 0, "send 3 fds");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 3, &nfds, &err);
	is_int((int)n, (int)sizeof(m), "3 fds: message received");
	is_int(nfds, 3, "3 fds: all handed to the caller");
	is_int(count_fds(), before + 3, "3 fds: installed, nothing else");
	lb_proto_close_fds(fds, &nfds);
	is_int(nfds, 0, "lb_proto_close_fds empties the array");
	is_int(count_fds(), before, "3 fds: closed by the caller");

	/* More fds than the caller takes: refused, none left behind. */
	ok(send_raw(sv[0], &m, sizeof(m), 5) == 0, "send 5 fds");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 3, &nfds, &err);
	is_int((int)n, -1, "5 fds for 3: refused");
	is_int(err.errnum, EPROTO, "5 fds for 3: EPROTO (%s)", err.msg);
	is_int(nfds, 0, "5 fds for 3: none handed over");
	is_int(count_fds(), before, "5 fds for 3: all closed");

	/* More fds than the control buffer holds: MSG_CTRUNC. */
	ok(send_raw(sv[0], &m, sizeof(m), 40) == 0, "send 40 fds");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 3, &nfds, &err);
	is_int((int)n, -1, "40 fds (MSG_CTRUNC): refused");
	is_int(count_fds(), before, "40 fds (MSG_CTRUNC): none left open");

	/* Truncated data (MSG_TRUNC) with fds. */
	ok(send_raw(sv[0], &m, sizeof(m), 2) == 0, "send 2 fds, big message");
	n = lb_proto_recv(sv[1], u.buf, 4, fds, 3, &nfds, &err);
	is_int((int)n, -1, "truncated message: refused");
	is_int(count_fds(), before, "truncated message: its fds closed");

	/* A bad header (wrong magic) with fds. */
	m.hdr.magic = 0;
	ok(send_raw(sv[0], &m, sizeof(m), 2) == 0, "send 2 fds, bad magic");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 3, &nfds, &err);
	is_int((int)n, -1, "bad magic: refused");
	is_int(count_fds(), before, "bad magic: its fds closed");

	/* An empty SEQPACKET message reads as 0 bytes, like a close. */
	ok(send_raw(sv[0], "", 0, 2) == 0, "send 2 fds, no data");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 3, &nfds, &err);
	is_int((int)n, 0, "empty message: read as 0");
	is_int(nfds, 0, "empty message: no fds handed over");
	is_int(count_fds(), before, "empty message: its fds closed");

	/* fds for a caller that takes none (the client's maxfds is 1). */
	m.hdr.magic = LB_PROTO_MAGIC;
	ok(send_raw(sv[0], &m, sizeof(m), 1) == 0, "send 1 fd");
	n = lb_proto_recv(sv[1], u.buf, sizeof(u.buf), fds, 0, &nfds, &err);
	is_int((int)n, -1, "1 fd for 0: refused");
	is_int(count_fds(), before, "1 fd for 0: closed");

	close(sv[0]);
	close(sv[1]);
	return done_testing();
}
