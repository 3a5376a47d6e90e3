// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lb_agent_connect (agent.h): only sshd's agent socket of this login is
 * connected to.  "sshd" here is this test process: it makes the directory
 * and the socket the way OpenSSH does (mkdtemp /tmp/ssh-XXXXXXXXXX, mode
 * 0700, agent.<its pid>), and a forked child, whose parent it is, plays
 * loginbox-shell.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static char dir[64];

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0)
		return -1;
	return fd;
}

/* In a child (our pid is its parent, as sshd is loginbox-shell's):
 * lb_agent_connect(path); the message of a refusal, or "connected". */
static void child_try(const char *path, char *out, size_t len)
{
	int p[2];
	pid_t pid;
	ssize_t n;

	if (pipe(p) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		struct lb_err err;
		int fd;

		close(p[0]);
		lb_err_clear(&err);
		fd = lb_agent_connect(path, &err);
		dprintf(p[1], "%s", fd >= 0 ? "connected" : err.msg);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	char path[128], other[128], msg[1024];
	int lfd, fd2;
	pid_t g;

	snprintf(dir, sizeof(dir), "/tmp/ssh-XXXXXXXXXX");
	if (!mkdtemp(dir))
		skip_all("mkdtemp /tmp/ssh-XXXXXXXXXX");
	snprintf(path, sizeof(path), "%s/agent.%d", dir, (int)getpid());
	lfd = listen_at(path);
	ok(lfd >= 0, "an agent socket as sshd makes it: %s", path);

	child_try(path, msg, sizeof(msg));
	is_str(msg, "connected", "sshd's socket of this login: connected");

	child_try(NULL, msg, sizeof(msg));
	ok(strstr(msg, "no SSH_AUTH_SOCK") != NULL, "unset: %s", msg);
	child_try("/run/docker.sock", msg, sizeof(msg));
	ok(strstr(msg, "is not an agent socket sshd made") != NULL,
	   "another host socket: %s", msg);
	child_try("/tmp/ssh-XXXXXXXXXX/../../run/docker.sock", msg, sizeof(msg));
	ok(strstr(msg, "is not an agent socket sshd made") != NULL,
	   "a path that climbs out: %s", msg);
	snprintf(other, sizeof(other), "%s/agent.%d1", dir, (int)getpid());
	child_try(other, msg, sizeof(msg));
	ok(strstr(msg, "is not this login's") != NULL,
	   "agent.PID of another process than our sshd: %s", msg);
	snprintf(other, sizeof(other), "%s/agent.%d ", dir, (int)getpid());
	child_try(other, msg, sizeof(msg));
	ok(strstr(msg, "is not an agent socket sshd made") != NULL,
	   "trailing junk: %s", msg);

	/* the directory opened up: no longer as sshd makes it */
	chmod(dir, 0755);
	child_try(path, msg, sizeof(msg));
	ok(strstr(msg, "with mode 0700") != NULL, "directory mode 0755: %s",
	   msg);
	chmod(dir, 0700);

	/* a symlink in place of the socket */
	close(lfd);
	unlink(path);
	if (symlink("/run/docker.sock", path) == 0) {
		child_try(path, msg, sizeof(msg));
		ok(strstr(msg, "is not a socket") != NULL, "a symlink: %s",
		   msg);
		unlink(path);
	} else {
		ok(0, "symlink %s: %s", path, strerror(errno));
	}

	/* the right name, but served by another process than the parent */
	g = fork();
	if (g == 0) {
		int l = listen_at(path);

		if (l < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	for (int i = 0; i < 200; i++) {
		struct stat st;

		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			break;
		usleep(10000);
	}
	child_try(path, msg, sizeof(msg));
	ok(strstr(msg, "not by this login's sshd") != NULL,
	   "agent.<parent> served by another process: %s", msg);
	kill(g, SIGKILL);
	waitpid(g, NULL, 0);

	/* and the real one again, to show the refusals above were not a
	 * broken set-up */
	fd2 = listen_at(path);
	child_try(path, msg, sizeof(msg));
	is_str(msg, "connected", "sshd's socket again: connected");
	close(fd2);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
