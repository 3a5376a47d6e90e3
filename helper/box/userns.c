// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * User namespaces: writing the maps of the box's namespace, and making the
 * extra namespace whose only job is to describe the idmapped lower layer.
 *
 * The maps are written by the helper, which is root in the initial
 * namespace, so no setuid newuidmap is involved and each map is one
 * write() (the kernel accepts a map once).  The box's namespace is created
 * by root and so owned by root (DESIGN.md hard spot 3, docs/SECURITY.md):
 * the user's host processes can neither setns() into it nor ptrace what
 * runs there as box root.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "syscalls.h"

int userns_write_maps(pid_t pid, const struct lb_idmap *uids,
		      const struct lb_idmap *gids, bool setgroups_allow,
		      struct lb_err *err)
{
	cleanup_close int pfd = -1;
	cleanup_close int sfd = -1;
	char path[64];
	const char *sg = setgroups_allow ? "allow" : "deny";

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	pfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return lb_fail(err, errno, "open %s", path);
	/* setgroups must be decided before gid_map is written. */
	sfd = openat(pfd, "setgroups", O_WRONLY | O_CLOEXEC);
	if (sfd < 0 || write(sfd, sg, strlen(sg)) != (ssize_t)strlen(sg))
		return lb_fail(err, errno, "write %s/setgroups", path);
	if (lb_idmap_write(pfd, "uid_map", uids, err) < 0 ||
	    lb_idmap_write(pfd, "gid_map", gids, err) < 0)
		return lb_prefix(err, "%s", path);
	return 0;
}

int userns_make_idmap_fd(const struct lb_idmap *uids,
			 const struct lb_idmap *gids, struct lb_err *err)
{
	struct clone_args ca = {.flags = CLONE_NEWUSER,
				.exit_signal = SIGCHLD};
	int pipefd[2], nsfd = -1, status;
	char path[64];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	pid = lb_clone3(&ca);
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return lb_fail(err, errno, "clone3(CLONE_NEWUSER)");
	}
	if (pid == 0) {
		char c;

		/* Hold the namespace open until the parent has its fd. */
		close(pipefd[1]);
		while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pipefd[0]);
	if (userns_write_maps(pid, uids, gids, false, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			lb_fail(err, errno, "open %s", path);
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return nsfd;
}
