// SPDX-License-Identifier: GPL-2.0-or-later
/* lb_proto_recv: what a hostile client can send the box's init, and that
 * no fd it attaches outlives a message init does not take. */
#include "proto.h"

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

/* Send len bytes with nfd copies of /dev/null attached; receive them with
 * lb_proto_recv(maxfds 3).  Returns its result, *nfds as it left it. */
static ssize_t roundtrip(const void *msg, size_t len, int nfd, int *fds,
			 int *nfds, struct lb_err *err)
{
	union {
		char c[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int sv[2], send[8], i;
	ssize_t n;

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
	n = sendmsg(sv[0], &mh, 0);
	for (i = 0; i < nfd; i++)
		close(send[i]);
	close(sv[0]);
	if (n != (ssize_t)len) {
		close(sv[1]);
		return -2;
	}
	n = lb_proto_recv(sv[1], cm.c, sizeof(cm.c), fds, 3, nfds, err);
	close(sv[1]);
	return n;
}

int main(void)
{
	struct lb_msg_int sig = {
		.hdr = {.magic = LB_PROTO_MAGIC, .type = LB_MSG_SIGNAL,
			.len = sizeof(sig)},
		.value = 2};
	struct lb_err err;
	int fds[3], nfds, before = open_fds();
	ssize_t n;

	plan(12);

	/* found by fuzz_proto (tests/fuzz/corpus/proto/zero-length-fds) */
	lb_err_clear(&err);
	n = roundtrip("", 0, 2, fds, &nfds, &err);
	is_int((int)n, 0, "zero-length message with fds: read as the close");
	is_int(nfds, 0, "zero-length message: no fd handed on");
	is_int(open_fds(), before, "zero-length message: its fds are closed");

	n = roundtrip(&sig, sizeof(sig), 5, fds, &nfds, &err);
	ok(n < 0, "a signal message with 5 fds (more than maxfds): refused");
	is_int(nfds, 0, "no fd handed on");
	while (nfds > 0)
		close(fds[--nfds]);
	is_int(open_fds(), before, "all 5 are closed");

	sig.hdr.len = 8;
	lb_err_clear(&err);
	n = roundtrip(&sig, sizeof(sig), 1, fds, &nfds, &err);
	ok(n < 0 && strstr(err.msg, "malformed control message"),
	   "header length unlike the message's: refused (%s)", err.msg);
	is_int(open_fds(), before, "refused message: its fd is closed");

	sig.hdr.len = sizeof(sig);
	sig.hdr.magic = 0x4c43;
	lb_err_clear(&err);
	n = roundtrip(&sig, sizeof(sig), 0, fds, &nfds, &err);
	ok(n < 0 && strstr(err.msg, "malformed"), "bad magic: refused");

	lb_err_clear(&err);
	n = roundtrip(&sig, 4, 0, fds, &nfds, &err);
	ok(n < 0 && strstr(err.msg, "malformed"), "shorter than a header: refused");

	/* more than cap: MSG_TRUNC, refused rather than read as two */
	{
		char big[200] = {0};
		struct lb_msg_hdr *h = (struct lb_msg_hdr *)big;

		h->magic = LB_PROTO_MAGIC;
		h->type = LB_MSG_ERROR;
		h->len = sizeof(big);
		lb_err_clear(&err);
		n = roundtrip(big, sizeof(big), 1, fds, &nfds, &err);
		ok(n < 0 && strstr(err.msg, "malformed"),
		   "message beyond the buffer: refused");
		is_int(open_fds(), before, "truncated message: its fd is closed");
	}
	return done_testing();
}
