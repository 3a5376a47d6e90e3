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
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/securebits.h>
#include <unistd.h>

#include "fault.h"
#include "macros.h"
#include "proto.h"
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

int userns_report_child(int sock, pid_t pid, int pidfd,
			const struct lb_err *e)
{
	struct lb_err se;

	lb_err_clear(&se);
	if (pid < 0) {
		struct lb_msg_error m = {
			.hdr = {LB_PROTO_MAGIC, LB_MSG_ERROR, sizeof(m)}};

		snprintf(m.text, sizeof(m.text), "%s", e->msg);
		return lb_proto_send(sock, &m, sizeof(m), NULL, 0, &se);
	}
	return lb_proto_send(sock,
			     &(struct lb_msg_int){{LB_PROTO_MAGIC, LB_MSG_INIT,
						   sizeof(struct lb_msg_int)},
						  (int32_t)pid},
			     sizeof(struct lb_msg_int), &pidfd, 1, &se);
}

pid_t userns_recv_child(int sock, const char *who, int *pidfd,
			struct lb_err *err)
{
	union {
		char buf[LB_PROTO_MAX];
		struct lb_msg_hdr hdr;
		struct lb_msg_int i;
		struct lb_msg_error e;
	} *u = malloc(sizeof(*u));
	int fds[1], nfds = 0;
	pid_t pid = -1;
	ssize_t n;

	*pidfd = -1;
	if (!u)
		return lb_fail(err, ENOMEM, "%s: reply", who);
	n = lb_proto_recv(sock, u->buf, sizeof(u->buf), fds, 1, &nfds, err);
	if (n < 0)
		lb_prefix(err, "%s", who);
	else if (n == 0)
		lb_fail(err, EIO, "%s died", who);
	else if (u->hdr.type == LB_MSG_ERROR && (size_t)n == sizeof(u->e))
		lb_fail(err, 0, "%.*s", (int)sizeof(u->e.text) - 1, u->e.text);
	else if (u->hdr.type != LB_MSG_INIT || (size_t)n != sizeof(u->i) ||
		 nfds != 1 || u->i.value <= 1)
		lb_fail(err, EPROTO, "bad reply from %s", who);
	else
		pid = (pid_t)u->i.value;
	free(u);
	if (pid < 0) {
		lb_proto_close_fds(fds, &nfds);
		return -1;
	}
	*pidfd = fds[0];
	return pid;
}

/*
 * Why a first process: init must run in its leaf (cgroup v2 puts
 * processes only in leaves once the node enables controllers below) while
 * its cgroup namespace is rooted at the node (the box sees its own limits
 * at /sys/fs/cgroup, and its logins' leaves beside init's).  A new cgroup
 * namespace is rooted where its creator is: clone3 with CLONE_NEWCGROUP
 * and CLONE_INTO_CGROUP roots it at the leaf, an unshare in the node
 * leaves init there.  Moving init to its leaf afterwards (a write to
 * cgroup.procs) takes cgroup_threadgroup_rwsem for writing, which waits
 * for an RCU grace period: 5 to 20 ms of every build on the 2-core test
 * machines, against about 1 ms for this extra clone.
 */
pid_t userns_clone_rooted(struct clone_args *ca, int root_cgfd, uid_t owner,
			  struct lb_err *err)
{
	struct clone_args first = {
		.flags = CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)root_cgfd,
	};
	int *pidfd_out = (int *)(uintptr_t)ca->pidfd;
	cleanup_close int mine = -1, theirs = -1;
	int sv[2];
	pid_t p, pid;

	if (root_cgfd < 0) /* no node: nothing to root a namespace at */
		return userns_clone_owned(ca, owner, err);
	if (!(ca->flags & CLONE_NEWUSER) || !(ca->flags & CLONE_INTO_CGROUP) ||
	    !(ca->flags & CLONE_PIDFD) || !pidfd_out)
		return lb_fail(err, EINVAL, "clone of the box's init: flags");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return lb_fail(err, errno, "socketpair");
	mine = sv[0];
	theirs = sv[1];
	p = userns_clone_owned(&first, owner, err);
	if (p < 0)
		return lb_prefix(err, "the box's first process");
	if (p == 0) {
		/* In the node, in the new user and cgroup namespaces: init
		 * is born in its leaf with both, as our caller's child. */
		struct clone_args ica = *ca;
		struct lb_err e;
		int fd = -1;

		close(steal_fd(&mine));
		ica.flags = (ca->flags & ~(uint64_t)(CLONE_NEWUSER |
						     CLONE_NEWCGROUP)) |
			    CLONE_PARENT;
		ica.exit_signal = 0; /* CLONE_PARENT: ours, SIGCHLD */
		ica.pidfd = (uint64_t)(uintptr_t)&fd;
		pid = lb_clone3(&ica);
		if (pid == 0) {
			close(steal_fd(&theirs));
			return 0; /* init */
		}
		/* killed here, init waits unmapped for maps nobody writes:
		 * the builder's teardown kills it with the node (t_98) */
		if (pid > 0)
			LB_FAULT("init:first");
		lb_err_clear(&e);
		if (pid < 0)
			lb_fail(&e, errno, "clone3 of the box's init into its "
					   "cgroup leaf");
		if (userns_report_child(theirs, pid, fd, &e) < 0 && pid > 0)
			kill(pid, SIGKILL); /* nobody would map it */
		_exit(pid < 0);
	}
	close(steal_fd(&theirs));
	pid = userns_recv_child(mine, "the box's first process", pidfd_out,
				err);
	while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
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
