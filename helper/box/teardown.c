// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ending a box: at logout (close_session), on `loginbox kill`, and for
 * boxes whose login is gone (`loginbox gc`, and every open_session).
 *
 * Killing the box's init (PID 1 of its pid namespace) makes the kernel
 * kill every process in the box; cgroup.kill then catches anything that
 * could have escaped the pid namespace, and the node is removed.  The
 * mounts live only in the box's mount namespace and go with its last
 * process.  Init is not our child (it is the login process's, which reaps
 * it), so it is found by pid and checked by start time, then held by a
 * pidfd so a recycled pid is never signalled.
 */
#include "box.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allow_token.h"
#include "fsutil.h"
#include "macros.h"
#include "paths.h"

static void kill_init(const struct lb_state *st)
{
	cleanup_close int pfd = -1;
	struct pollfd p;

	if (st->init_pid <= 1 || !st->init_start)
		return;
	pfd = pidfd_open(st->init_pid, 0);
	if (pfd < 0)
		return;
	/* Opened first, checked second: the pidfd pins this very process. */
	if (proc_start_time(st->init_pid) != st->init_start)
		return;
	pidfd_send_signal(pfd, SIGKILL, NULL, 0);
	p = (struct pollfd){.fd = pfd, .events = POLLIN};
	poll(&p, 1, 5000);
}

static int remove_upper(const struct lb_state *st, struct lb_err *err)
{
	cleanup_close int dfd = -1;
	char dir[64], name[32];

	if (strcmp(st->upper, "disk") != 0)
		return 0;
	/* Only ever our own directory, rebuilt from the id, never a path
	 * read back from a file. */
	snprintf(dir, sizeof(dir), "%s/sessions", LB_STATEDIR);
	snprintf(name, sizeof(name), "%lu", st->id);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : lb_fail(err, errno, "open %s", dir);
	return fs_rmtree_at(dfd, name, err);
}

int teardown_session(unsigned long id, struct lb_err *err)
{
	cleanup_close int rfd = -1, lfd = -1;
	struct lb_state st;
	char name[32], cg[256];
	int ret = 0;

	/* A logout, `loginbox kill` and gc may all end the same box at once:
	 * one at a time (the same lock that allocates session ids). */
	lfd = open(LB_RUNDIR "/.lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (lfd >= 0)
		flock(lfd, LOCK_EX);
	snprintf(name, sizeof(name), "%lu", id);
	if (session_read_state(id, &st, err) == 0) {
		kill_init(&st);
		/* The node path is rebuilt from what we own, not trusted. */
		if (st.cgroup[0]) {
			bool pure;
			const char *root = cg_v2_root(&pure);

			snprintf(cg, sizeof(cg), "%s/%s/u%u/s%lu",
				 root ? root : "/nonexistent", LB_CGROUP_NAME,
				 (unsigned)st.uid, id);
			if (cg_kill_and_remove(cg, err) < 0)
				ret = -1;
		}
		if (remove_upper(&st, err) < 0)
			ret = -1;
	}
	rfd = open(LB_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd < 0)
		return errno == ENOENT ? ret : lb_fail(err, errno, "open %s", LB_RUNDIR);
	if (fs_rmtree_at(rfd, name, err) < 0)
		ret = -1;
	return ret;
}

static bool login_gone(const struct lb_state *st)
{
	if (st->owner_pid > 0 &&
	    proc_start_time(st->owner_pid) != st->owner_start)
		return true;
	if (st->init_pid > 0 && proc_start_time(st->init_pid) != st->init_start)
		return true;
	return false;
}

/* on_error = allow tokens whose login is gone (pam_loginbox.c). */
static void gc_tokens(void)
{
	struct dirent *de;
	DIR *d = opendir(LB_RUNDIR);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char buf[512];
		struct lb_token t;
		struct lb_err e;

		if (strncmp(de->d_name, LB_TOKEN_PREFIX,
			    strlen(LB_TOKEN_PREFIX)) != 0)
			continue;
		if (fs_read_small(dirfd(d), de->d_name, buf, sizeof(buf), &e) >=
			    0 &&
		    lb_token_parse(buf, &t) == 0 && lb_token_live(&t))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int teardown_gc(bool verbose, struct lb_err *err)
{
	unsigned long *ids = NULL;
	int n, i, swept = 0;

	n = session_list(&ids, err);
	for (i = 0; i < n; i++) {
		struct lb_state st;
		struct lb_err e;
		bool stale;

		lb_err_clear(&e);
		memset(&st, 0, sizeof(st));
		if (session_read_state(ids[i], &st, &e) == 0) {
			stale = login_gone(&st);
		} else {
			/* No state: a build in progress, or one that died.
			 * Give a live build a minute. */
			char path[96];
			struct stat sb;

			snprintf(path, sizeof(path), "%s/%lu", LB_RUNDIR,
				 ids[i]);
			stale = stat(path, &sb) == 0 &&
				time(NULL) - sb.st_mtime > 60;
		}
		if (!stale)
			continue;
		if (teardown_session(ids[i], &e) == 0)
			swept++;
		if (verbose)
			printf("gc: session %lu (%s): %s\n", ids[i],
			       st.user[0] ? st.user : "?",
			       e.msg[0] ? e.msg : "removed");
	}
	free(ids);
	gc_tokens();
	return n < 0 ? -1 : swept;
}
