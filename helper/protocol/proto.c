// SPDX-License-Identifier: GPL-2.0-or-later
#include "proto.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int lb_proto_send(int sock, const void *msg, size_t len, const int *fds,
		  int nfds, struct lb_err *err)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > 3)
		return lb_fail(err, EINVAL, "lb_proto_send: too many fds");
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lb_fail(err, errno, "sendmsg on control socket");
	if ((size_t)n != len)
		return lb_fail(err, EMSGSIZE, "short sendmsg on control socket");
	return 0;
}

void lb_proto_close_fds(int *fds, int *nfds)
{
	while (*nfds > 0) {
		int fd = fds[--*nfds];

		if (fd >= 0)
			close(fd);
	}
}

ssize_t lb_proto_recv(int sock, void *buf, size_t cap, int *fds, int maxfds,
		      int *nfds, struct lb_err *err)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	const struct lb_msg_hdr *h = buf;
	struct cmsghdr *c;
	bool too_many = false;
	ssize_t n;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return lb_fail(err, errno, "recvmsg on control socket");
	/* Every fd the kernel installed is either handed to the caller or
	 * closed here: a peer must not be able to grow our fd table (init
	 * lives as long as the box) by attaching fds to any message. */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < maxfds) {
				fds[(*nfds)++] = fd;
			} else {
				close(fd);
				too_many = true;
			}
		}
	}
	if (n == 0) {
		/* A zero-length message can carry fds: on SOCK_SEQPACKET it
		 * reads as the orderly close, and nobody else would close them
		 * (init is long-lived: an fd leaked per connection runs it out
		 * of fds). */
		lb_proto_close_fds(fds, nfds);
		return 0;
	}
	/* A truncated message or fds cut off (MSG_CTRUNC: the kernel
	 * dropped those that did not fit) would desynchronise us; more fds
	 * than the caller takes is a peer we do not understand. */
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || too_many ||
	    (size_t)n < sizeof(*h) || h->magic != LB_PROTO_MAGIC ||
	    h->len != (uint32_t)n) {
		lb_proto_close_fds(fds, nfds);
		return lb_fail(err, EPROTO, "malformed control message");
	}
	return n;
}

int lb_proto_send_int(int sock, enum lb_msg_type type, int32_t value,
		      struct lb_err *err)
{
	struct lb_msg_int m = {
		.hdr = {.magic = LB_PROTO_MAGIC, .type = type, .len = sizeof(m)},
		.value = value};

	return lb_proto_send(sock, &m, sizeof(m), NULL, 0, err);
}
