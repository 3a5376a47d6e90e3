// SPDX-License-Identifier: GPL-2.0-or-later
/* The login's side of a join served by the box's keeper: keeper_call.h. */
#include "keeper_call.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macros.h"
#include "paths.h"
#include "reply.h"
#include "syscalls.h"

/* An entry of ours only if root made it and nobody else may change it. */
static bool root_only(int fd, mode_t type)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type &&
	       st.st_uid == 0 && !(st.st_mode & 022);
}

/* The box id uid's builder named, or 0.  /run/loginbox and users/ are
 * root's (0755, 0700): no component of the walk is a user's. */
static unsigned long index_id(uid_t uid)
{
	char path[96], buf[32], *end;
	cleanup_close int dfd = -1, fd = -1;
	unsigned long id;
	ssize_t n;

	dfd = open(LB_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || !root_only(dfd, S_IFDIR))
		return 0;
	fd = openat(dfd, "users", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					  O_CLOEXEC);
	if (fd < 0 || !root_only(fd, S_IFDIR))
		return 0;
	snprintf(path, sizeof(path), "%u%s", (unsigned)uid,
		 LB_KEEPER_INDEX_SUFFIX);
	close(dfd);
	dfd = steal_fd(&fd);
	fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !root_only(fd, S_IFREG))
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	id = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return 0;
	return id;
}

/* A connected socket to box id's keeper, its peer root; -1 otherwise. */
static int connect_keeper(unsigned long id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {LB_KEEPER_TIMEOUT_MS / 1000,
			     (LB_KEEPER_TIMEOUT_MS % 1000) * 1000};
	cleanup_close int dfd = -1, s = -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char path[64];

	snprintf(path, sizeof(path), "%s/%lu", LB_RUNDIR, id);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || !root_only(dfd, S_IFDIR))
		return -1;
	/* Through the checked directory's fd: the path is not walked again. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd,
		 LB_KEEPER_SOCK);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    cred.uid != 0)
		return -1;
	return steal_fd(&s);
}

/* Send req (len bytes) with our own pidfd; the NUL-terminated reply into
 * buf, an attached fd into *fd.  <0 on any failure. */
static int call(int s, const char *req, size_t len, char *buf, size_t cap,
		int *fd)
{
	union {
		char c[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)req, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.c,
			    .msg_controllen = sizeof(u.c)};
	struct cmsghdr *c;
	cleanup_close int self = pidfd_open(getpid(), 0);

	*fd = -1;
	if (self < 0)
		return -1;
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &self, sizeof(int));
	if (sendmsg(s, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	return lb_reply_recv(s, buf, cap, fd) > 0 ? 0 : -1;
}

/* "V1\0VERB\0A\0B\0C\0" into buf; its length, or 0 if it does not fit. */
static size_t request(char *buf, size_t cap, const char *const *f, int n)
{
	size_t len = 0, l;
	int i;

	for (i = 0; i < n; i++) {
		l = strlen(f[i]) + 1;
		if (len + l > cap)
			return 0;
		memcpy(buf + len, f[i], l);
		len += l;
	}
	return len;
}

int lb_keeper_open(uid_t uid, const char *user, const char *service,
		   const char *rhost, struct lb_handle *h, int *netns_fd)
{
	const char *f[] = {LB_KEEPER_VERSION, "open", user, service,
			   rhost ? rhost : ""};
	char req[1024], buf[1400];
	const char *args = "";
	cleanup_close int s = -1, fd = -1;
	unsigned long id = index_id(uid);
	struct lb_err err;
	size_t len;

	*netns_fd = -1;
	if (!id)
		return 0;
	len = request(req, sizeof(req), f, 5);
	if (!len || (s = connect_keeper(id)) < 0 ||
	    call(s, req, len, buf, sizeof(buf), &fd) < 0)
		return 0;
	lb_err_clear(&err);
	/* "fallback", an error, anything else: the helper decides */
	if (lb_reply_parse(buf, &args, &err) != LB_REPLY_OK || fd < 0)
		return 0;
	memset(h, 0, sizeof(*h));
	if (lb_helper_parse_open(args, h) < 0 || h->init_pid <= 1) {
		/* joined but unreadable: the helper's close leaves again */
		h->via_keeper = 0;
		return 0;
	}
	h->via_keeper = 1;
	*netns_fd = steal_fd(&fd);
	return 1;
}

int lb_keeper_close(const struct lb_handle *h)
{
	char ids[24], req[64], buf[1400];
	const char *f[] = {LB_KEEPER_VERSION, "close", ids};
	cleanup_close int s = -1, fd = -1;
	struct lb_err err;
	size_t len;

	snprintf(ids, sizeof(ids), "%lu", h->id);
	len = request(req, sizeof(req), f, 3);
	if (!len || (s = connect_keeper(h->id)) < 0 ||
	    call(s, req, len, buf, sizeof(buf), &fd) < 0)
		return 0;
	lb_err_clear(&err);
	return lb_reply_parse(buf, NULL, &err) == LB_REPLY_OK && !buf[2] ? 1
									 : 0;
}
