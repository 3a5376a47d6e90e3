// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * User namespaces: creating the box's with its owner, and making the
 * extra namespace whose only job is to describe the idmapped lower layer.
 * The maps themselves are computed and written in helper/identity/idmap.c.
 *
 * Who owns the namespaces (docs/SECURITY.md, hard spot 3): the kernel makes
 * the creator's euid the owner (create_user_ns), and charges every per-uid
 * count made in a namespace or below it (nested user namespaces, inotify
 * instances and watches, mqueues: inc_ucount in kernel/ucount.c walks
 * ns->ucounts up the tree) to the owner in the parent namespace too.
 * Created by root, every box would count against root's limits
 * (fs.inotify.max_user_instances is 128): one box could make root's tools
 * and every new login fail.  So the namespaces are created with the euid
 * set to the user's first subordinate uid: never the user's own uid (the
 * owner in the parent namespace holds every capability in the child, and
 * the user's host processes would hold them over the box), and only after
 * subid_source.c has made sure no host account or other range has it.
 */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/securebits.h>
#include <unistd.h>

#include "macros.h"
#include "syscalls.h"

pid_t userns_clone_owned(struct clone_args *ca, uid_t owner,
			 struct lb_err *err)
{
	int bits, e;
	pid_t pid;

	if (!(ca->flags & CLONE_NEWUSER) || owner == 0)
		return lb_fail(err, EINVAL, "namespace owner %u", (unsigned)owner);
	bits = prctl(PR_GET_SECUREBITS);
	if (bits < 0)
		return lb_fail(err, errno, "prctl(PR_GET_SECUREBITS)");
	/* Keep the capabilities across the euid change: clone3 with
	 * CLONE_INTO_CGROUP and new namespaces needs them.  Not locked: the
	 * helper goes back to what it was right after. */
	if (prctl(PR_SET_SECUREBITS, bits | SECBIT_NO_SETUID_FIXUP) < 0)
		return lb_fail(err, errno, "prctl(PR_SET_SECUREBITS)");
	if (setresuid((uid_t)-1, owner, (uid_t)-1) < 0) {
		e = errno;
		prctl(PR_SET_SECUREBITS, bits);
		return lb_fail(err, e, "seteuid(%u) for the namespace owner",
			       (unsigned)owner);
	}
	pid = lb_clone3(ca);
	if (pid == 0)
		/* The child is in its new namespace, where the kernel gave
		 * it SECUREBITS_DEFAULT (set_cred_user_ns). */
		return 0;
	e = errno;
	if (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
	    prctl(PR_SET_SECUREBITS, bits) < 0) {
		/* Cannot happen with CAP_SETUID and CAP_SETPCAP; never go on
		 * half root. */
		e = errno;
		if (pid > 0)
			kill(pid, SIGKILL);
		return lb_fail(err, e, "back to euid 0 after clone3");
	}
	if (pid < 0)
		return lb_fail(err, e, "clone3 (new user namespace owned by %u)",
			       (unsigned)owner);
	return pid;
}

int userns_make_idmap_fd(const struct lb_idmap *uids,
			 const struct lb_idmap *gids, uid_t owner,
			 struct lb_err *err)
{
	struct clone_args ca = {.flags = CLONE_NEWUSER,
				.exit_signal = SIGCHLD};
	cleanup_close int rd = -1, wr = -1;
	int pipefd[2], nsfd = -1, status;
	char path[64];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	rd = pipefd[0];
	wr = pipefd[1];
	/* Owned like the box's own namespace: the idmapped mount holds it
	 * for the box's life. */
	pid = userns_clone_owned(&ca, owner, err);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char c;

		/* Hold the namespace open until the parent has its fd. */
		close(wr);
		while (read(rd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(steal_fd(&rd));
	if (lb_idmap_apply(pid, uids, gids, false, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			lb_fail(err, errno, "open %s", path);
	}
	close(steal_fd(&wr)); /* lets the child exit before we wait */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return nsfd;
}
