// SPDX-License-Identifier: GPL-2.0-or-later
/* The keeper of a box: see keeper.h. */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "audit_box.h"
#include "cgroup.h"
#include "keeper_call.h"
#include "macros.h"
#include "paths.h"
#include "proto.h"
#include "syscalls.h"
#include "teardown.h"
#include "userns.h"

/* In the keeper, once init is handed over: leave everything of the build
 * and the login behind, become `loginbox-helper keep`. */
static __attribute__((noreturn)) void become_keeper(const struct lb_box *b,
						     pid_t pid,
						     unsigned long long start)
{
	char ids[24], pids[24], starts[24];
	char *const argv[] = {(char *)"loginbox-helper", (char *)"keep", ids,
			      pids, starts, NULL};
	char *const envp[] = {NULL};
	sigset_t none;

	/* Out of the login's session: its hangup is not ours. */
	setsid();
	/* Back in the host's mount namespace: the helper's private one (the
	 * box's root is built there) must not live on in us. */
	if (b->host_mntns_fd >= 0)
		setns(b->host_mntns_fd, CLONE_NEWNS);
	if (chdir("/") < 0)
		_exit(1);
	/* Out of the login's cgroup (a session scope that logind would
	 * keep "closing" while we live, and KillUserProcesses kills). */
	cg_enter_keeper_leaf();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Nothing of the build stays open here: the user's lock, the
	 * control and logins sockets, init's sync socket (whose other end
	 * the helper reads until init answers or dies). */
	close_range(3, ~0U, 0);
	snprintf(ids, sizeof(ids), "%lu", b->id);
	snprintf(pids, sizeof(pids), "%d", (int)pid);
	snprintf(starts, sizeof(starts), "%llu", start);
	execve(LB_HELPER_PATH, argv, envp);
	/* No keeper image: stay as we are, reaping init (PID 1 would). */
	exit(keeper_main(b->id, pid, start));
}

pid_t keeper_clone_init(struct lb_box *b, struct clone_args *ca, int *pidfd,
			int (*child_fn)(void *), void *child_arg,
			struct lb_err *err)
{
	cleanup_close int mine = -1, theirs = -1;
	int ks[2];
	pid_t k, pid;

	*pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ks) < 0)
		return lb_fail(err, errno, "socketpair");
	mine = ks[0];
	theirs = ks[1];
	k = fork();
	if (k < 0)
		return lb_fail(err, errno, "fork the box's keeper");
	if (k == 0) {
		struct lb_err e;
		int fd = -1;

		close(steal_fd(&mine));
		lb_err_clear(&e);
		ca->pidfd = (uint64_t)(uintptr_t)&fd;
		pid = userns_clone_rooted(ca, b->have_cgroup ? b->cgfd : -1,
					  b->subuid.start, &e);
		if (pid == 0) {
			child_fn(child_arg);
			_exit(1);
		}
		/* The helper gone: init would wait for its maps for ever. */
		if (userns_report_child(theirs, pid, fd, &e) < 0 && pid > 0)
			kill(pid, SIGKILL);
		if (pid < 0)
			_exit(1);
		become_keeper(b, pid, proc_start_time(pid));
	}
	close(steal_fd(&theirs));
	/* The keeper is our child until we exit: reaped by PID 1 then. */
	return userns_recv_child(mine, "the box's keeper", pidfd, err);
}

int keeper_main(unsigned long id, pid_t init_pid, unsigned long long start)
{
	struct lb_state st;
	struct lb_err err;
	int status;

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Serve joins until init ends (keeper_serve.c); init's end wins:
	 * the socket goes first, then the box as below. */
	{
		int lfd = keeper_listen(id);
		int ifd = pidfd_open(init_pid, 0);
		struct keeper_spare sp = KEEPER_SPARE_NONE;
		struct pollfd p[2];

		while (lfd >= 0 && ifd >= 0) {
			/* the next connection's handler, forked ahead */
			if (sp.pid < 0)
				keeper_spare_start(&sp, lfd, id);
			p[0] = (struct pollfd){.fd = ifd, .events = POLLIN};
			p[1] = (struct pollfd){
				.fd = sp.pid > 0 ? sp.pidfd : lfd,
				.events = POLLIN};
			if (poll(p, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (p[0].revents)
				break;
			if (p[1].revents && sp.pid > 0)
				keeper_spare_reap(&sp); /* it answered one */
			else if (p[1].revents)
				keeper_refuse_one(lfd);
		}
		/* a join under way is finished before the box ends */
		keeper_spare_stop(&sp);
		if (lfd >= 0) {
			char path[64];

			snprintf(path, sizeof(path), "%s/%lu/%s", LB_RUNDIR,
				 id, LB_KEEPER_SOCK);
			close(lfd);
			unlink(path);
		}
		if (ifd >= 0)
			close(ifd);
	}
	while (waitpid(init_pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1; /* not our child: nothing to keep */
	/* Init is gone (and reaped: its pid is free again).  End the box,
	 * unless its state names another init (never finished: the
	 * building helper undoes it) or is gone (a teardown came first). */
	lb_err_clear(&err);
	if (session_read_state(id, &st, &err) < 0 || st.init_pid != init_pid ||
	    st.init_start != start)
		return 0;
	box_end_cause = "ended";
	if (teardown_session(id, &err) < 0) {
		char text[1200];

		syslog(LOG_AUTHPRIV | LOG_WARNING, "box %lu: teardown: %s", id,
		       lb_err_text(&err, text, sizeof(text)));
		return 1;
	}
	return 0;
}
