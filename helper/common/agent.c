// SPDX-License-Identifier: GPL-2.0-or-later
/* sshd's agent socket of this login, checked: see agent.h. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macros.h"

/* OpenSSH's session.c: mkdtemp("/tmp/ssh-XXXXXXXXXX"), then
 * "%s/agent.%ld" with the listening process's pid. */
#define SSHD_AGENT_DIR "/tmp/ssh-"
#define SSHD_AGENT_RAND 10

static int parse(const char *p, char *dir, size_t dlen, long *pid)
{
	size_t n = strlen(SSHD_AGENT_DIR), i;
	const char *name;
	char *end;

	if (strncmp(p, SSHD_AGENT_DIR, n) != 0)
		return -1;
	for (i = 0; i < SSHD_AGENT_RAND; i++) {
		char c = p[n + i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return -1;
	}
	name = p + n + SSHD_AGENT_RAND;
	if (strncmp(name, "/agent.", 7) != 0 || name[7] < '1' || name[7] > '9')
		return -1;
	errno = 0;
	*pid = strtol(name + 7, &end, 10);
	if (errno || *end || *pid <= 1)
		return -1;
	snprintf(dir, dlen, "%.*s", (int)(name - p), p);
	return 0;
}

int lb_agent_connect(const char *sock_path, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dfd = -1;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char dir[64], name[32];
	struct stat st;
	uid_t uid = getuid();
	pid_t parent = getppid();
	long pid;
	int fd;

	if (!sock_path || !*sock_path)
		return lb_fail(err, 0, "no SSH_AUTH_SOCK: this login "
					    "forwards no agent (ssh -A)");
	if (parse(sock_path, dir, sizeof(dir), &pid) < 0)
		return lb_fail(err, 0,
			       "SSH_AUTH_SOCK=%s is not an agent socket sshd "
			       "made (/tmp/ssh-XXXXXXXXXX/agent.PID); only "
			       "ssh -A's own agent is forwarded into the box",
			       sock_path);
	if (pid != parent)
		return lb_fail(err, 0,
			       "SSH_AUTH_SOCK=%s is not this login's: its "
			       "sshd is process %d, not %ld",
			       sock_path, (int)parent, pid);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return lb_fail(err, errno, "SSH_AUTH_SOCK: open %s", dir);
	if (fstat(dfd, &st) < 0 || st.st_uid != uid ||
	    (st.st_mode & 07777) != 0700)
		return lb_fail(err, 0,
			       "SSH_AUTH_SOCK: %s is not a directory of uid %u "
			       "with mode 0700 as sshd makes it",
			       dir, (unsigned)uid);
	snprintf(name, sizeof(name), "agent.%ld", pid);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISSOCK(st.st_mode) || st.st_uid != uid)
		return lb_fail(err, 0,
			       "SSH_AUTH_SOCK=%s is not a socket of uid %u",
			       sock_path, (unsigned)uid);
	/* Through the directory we checked, not the path again. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd,
		 name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lb_fail(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		lb_fail(err, errno, "connect to the agent %s", sock_path);
		close(fd);
		return -1;
	}
	/* The listener is sshd's process of this login, as the user. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    cred.pid != (pid_t)pid || cred.uid != uid) {
		lb_fail(err, 0,
			"SSH_AUTH_SOCK=%s is served by process %d uid %u, not "
			"by this login's sshd (process %ld, uid %u)",
			sock_path, (int)cred.pid, (unsigned)cred.uid, pid,
			(unsigned)uid);
		close(fd);
		return -1;
	}
	return fd;
}
