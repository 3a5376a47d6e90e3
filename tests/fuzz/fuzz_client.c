// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control protocol the other way: what loginbox-shell and `loginbox
 * run` (root on the host) read from the box's init, through
 * lb_client_read_ctl().  init runs as the box's root, whom an
 * inside_uid = root user can act as, so its messages are hostile input.
 *
 * Input: byte 0 is how many fds init attaches (0-7), the rest is the
 * message.  Invariants: at most the one pty master is kept, every other
 * fd is closed, an exit status is only taken from a whole message, an
 * error comes with a message.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"

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
	int sv[2], send_fds[7], nsend, i, before, r, master = -1;
	int wstatus = 0x5a5a5a5a;
	union {
		char c[CMSG_SPACE(sizeof(send_fds))];
		struct cmsghdr align;
	} cm;
	struct iovec iov;
	struct msghdr mh = {0};

	if (size < 1 || size - 1 > 4096)
		return 0;
	nsend = data[0] & 7;
	before = fz_open_fds();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
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
	if (sendmsg(sv[0], &mh, MSG_NOSIGNAL) != (ssize_t)(size - 1))
		abort();
	for (i = 0; i < nsend; i++)
		close(send_fds[i]);
	close(sv[0]);

	r = lb_client_read_ctl(sv[1], &wstatus, &master, &err);
	if (r < -1 || r > 1 || (r < 0 && !err.msg[0]))
		abort();
	if (r == 1 && (size - 1 < sizeof(struct lb_msg_int)))
		abort();
	if (master >= 0) {
		if (nsend == 0)
			abort();
		close(master);
	}
	close(sv[1]);
	if (fz_open_fds() != before)
		abort(); /* an fd leaked */
	return 0;
}
