// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control protocol as the box's init receives it: one SOCK_SEQPACKET
 * message from the boxed user's client through lb_proto_recv(), and a
 * LB_MSG_SPAWN one on to spawn_parse(), as handle_client() does.
 *
 * Input: byte 0 is how many fds the client attaches (0-7; init takes 3),
 * the rest is the message.  Invariants: no fd of the client's survives a
 * refused or empty message (init is long-lived: a leaked fd per
 * connection runs it out of fds), a message that passes is as long as its
 * header says, and a spawn request's strings lie inside the message.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spawn.h"

static union {
	char buf[LB_PROTO_MAX];
	struct lb_msg_hdr hdr;
} fz_u;

static int fz_open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_err err = {0};
	int sv[2], fds[3], nfds = -1, nsend, i, before;
	int send_fds[7];
	union {
		char c[CMSG_SPACE(sizeof(send_fds))];
		struct cmsghdr align;
	} cm;
	struct iovec iov;
	struct msghdr mh = {0};
	struct spawn_req r;
	ssize_t n;

	if (size < 1 || size - 1 > LB_PROTO_MAX + 64)
		return 0;
	nsend = data[0] & 7;
	before = fz_open_fds();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* room for the biggest message (the default buffer may be less) */
	i = 4 * (LB_PROTO_MAX + 4096);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &i, sizeof(i));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	for (i = 0; i < nsend; i++)
		if ((send_fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			abort();
	iov.iov_base = (void *)(data + 1);
	iov.iov_len = size - 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nsend) {
		struct cmsghdr *c;

		mh.msg_control = cm.c;
		mh.msg_controllen = CMSG_SPACE(nsend * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nsend * sizeof(int));
		memcpy(CMSG_DATA(c), send_fds, nsend * sizeof(int));
	}
	if (sendmsg(sv[0], &mh, MSG_NOSIGNAL) != (ssize_t)(size - 1)) {
		/* too big for the socket: nothing to test */
		for (i = 0; i < nsend; i++)
			close(send_fds[i]);
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (i = 0; i < nsend; i++)
		close(send_fds[i]);
	close(sv[0]);

	n = lb_proto_recv(sv[1], fz_u.buf, sizeof(fz_u.buf), fds, 3, &nfds,
			  &err);
	if (nfds < 0 || nfds > 3)
		abort();
	if (n <= 0) {
		/* refused or nothing: the client's fds must be gone */
		if (nfds != 0)
			abort();
		if (n < 0 && !err.msg[0])
			abort();
	} else {
		if ((size_t)n != size - 1 || fz_u.hdr.magic != LB_PROTO_MAGIC ||
		    fz_u.hdr.len != (uint32_t)n || nfds != (nsend < 3 ? nsend : 3))
			abort();
		if (fz_u.hdr.type == LB_MSG_SPAWN) {
			if (spawn_parse(fz_u.buf, (size_t)n, &r, &err) == 0) {
				for (i = 0; i < r.argc + r.envc; i++) {
					const char *s = i < r.argc
								? r.argv[i]
								: r.envv[i - r.argc];

					if (s < fz_u.buf ||
					    s + strlen(s) >= fz_u.buf + n)
						abort();
				}
			}
			for (i = 0; i < nfds && i < 3; i++)
				r.fds[i] = fds[i];
			nfds = 0;
			spawn_free(&r); /* closes the fds, as init's does */
		}
		while (nfds > 0)
			close(fds[--nfds]);
	}
	close(sv[1]);
	if (fz_open_fds() != before)
		abort(); /* an fd leaked */
	return 0;
}
