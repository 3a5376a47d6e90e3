// SPDX-License-Identifier: GPL-2.0-or-later
#include "reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "paths.h"

#define ERR_ADMIN "error-admin "
#define ERR_USER "error "

void lb_reply_format_open(unsigned long id, pid_t init_pid, char *buf,
			  size_t len)
{
	snprintf(buf, len, "ok %lu %d", id, (int)init_pid);
}

void lb_reply_format_error(const struct lb_err *err, char *buf, size_t len)
{
	char msg[sizeof(err->msg)];
	char *nl;

	/* A newline in the message would move the rest into the hint. */
	snprintf(msg, sizeof(msg), "%s", err->msg);
	while ((nl = strchr(msg, '\n')))
		*nl = ' ';
	snprintf(buf, len, "%s%s\n%s", err->admin ? ERR_ADMIN : ERR_USER, msg,
		 err->hint);
}

enum lb_reply lb_reply_parse(const char *buf, const char **args,
			     struct lb_err *err)
{
	const char *msg, *hint;
	char text[sizeof(err->msg)];
	bool admin;
	size_t n;

	if (!strncmp(buf, "ok", 2) && (buf[2] == '\0' || buf[2] == ' ')) {
		if (args)
			*args = buf + 2;
		return LB_REPLY_OK;
	}
	if (!strncmp(buf, ERR_ADMIN, strlen(ERR_ADMIN))) {
		admin = true;
		msg = buf + strlen(ERR_ADMIN);
	} else if (!strncmp(buf, ERR_USER, strlen(ERR_USER))) {
		admin = false;
		msg = buf + strlen(ERR_USER);
	} else {
		return LB_REPLY_NONE;
	}
	hint = strchr(msg, '\n');
	n = hint ? (size_t)(hint - msg) : strlen(msg);
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	memcpy(text, msg, n);
	text[n] = '\0';
	if (!n) /* a refusal must say something the admin can act on */
		snprintf(text, sizeof(text), "%s reported an error without a "
			 "message", LB_HELPER_PATH);
	if (admin)
		lb_fail_admin(err, 0, "%s", text);
	else
		lb_fail(err, 0, "%s", text);
	if (hint && hint[1])
		lb_hint(err, "%s", hint + 1);
	return LB_REPLY_ERROR;
}

ssize_t lb_reply_recv(int sock, char *buf, size_t cap, int *fd)
{
	union {
		char c[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = cap - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.c,
			    .msg_controllen = sizeof(u.c)};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	buf[0] = '\0';
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	/* Room for one fd: a second one makes MSG_CTRUNC (the kernel drops
	 * it), a longer text MSG_TRUNC; neither is a reply we understand.  A
	 * zero-length message is the close, and any fd on it is ours to close. */
	if (n == 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return n == 0 ? 0 : -1;
	}
	buf[n] = '\0';
	return n;
}
