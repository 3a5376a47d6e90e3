// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's side of ssh -A (helper/common/agent.h): init's listening
 * socket /run/user/UID/ssh-agent.sock, which login a connecting process
 * belongs to (its cgroup leaf login-PID, cgroup.c), and the relay between
 * the box's connection and the one a login's loginbox-shell sent back.
 */
#include "agent_box.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "fds.h"

int agent_listen(const struct lb_box *b, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/user/%u/%s",
		 (unsigned)b->inside_uid, LB_AGENT_SOCK_NAME);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return lb_fail(err, errno, "socket");
	unlink(sa.sun_path);
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	/* (ids as seen in the box: init is in its user namespace) */
	if (r < 0 ||
	    chown(sa.sun_path, b->inside_uid, b->inside_gid) < 0 ||
	    listen(fd, 16) < 0) {
		lb_fail(err, errno, "agent socket %s", sa.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

pid_t agent_peer_login(int fd, uid_t uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char path[64], buf[256], *p;
	FILE *f;
	long login = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	/* the user (or box root) only: the directory is the user's 0700 */
	if (cred.uid != uid && cred.uid != 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)cred.pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "0::/login-", 10)) {
			p = buf + 10;
			login = strtol(p, NULL, 10);
		}
	fclose(f);
	return login > 1 ? (pid_t)login : 0;
}

void agent_relay(int in_box, int agent, uid_t uid, gid_t gid)
{
	char buf[16384];
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return; /* init: reap() takes it when it ends */
	lb_close_from_except(3, (const int[]){in_box, agent}, 2);
	prctl(PR_SET_NAME, "loginbox-agent", 0, 0, 0);
	/* It only copies bytes: as the user, not box root. */
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(1);
	fcntl(in_box, F_SETFL, 0);
	for (;;) {
		struct pollfd p[2] = {{.fd = in_box, .events = POLLIN},
				      {.fd = agent, .events = POLLIN}};
		int i;

		if (poll(p, 2, -1) < 0)
			_exit(1);
		for (i = 0; i < 2; i++) {
			int from = i ? agent : in_box, to = i ? in_box : agent;
			ssize_t n, off = 0;

			if (!p[i].revents)
				continue;
			n = read(from, buf, sizeof(buf));
			if (n <= 0)
				_exit(0);
			while (off < n) {
				ssize_t w = write(to, buf + off,
						  (size_t)(n - off));

				if (w <= 0)
					_exit(0);
				off += w;
			}
		}
	}
}
