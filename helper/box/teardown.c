// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ending a box: at logout (close_session), on `loginbox kill`, and for
 * boxes whose login is gone (`loginbox gc`, and every open_session).
 *
 * Killing the box's init (PID 1 of its pid namespace) makes the kernel
 * kill every process in the box; cgroup.kill then catches anything that
 * could have escaped the pid namespace, and the node is removed.  The
 * mounts live only in the box's mount namespace and go with its last
 * process.  Init is not our child (the helper that built it has exited;
 * it was reparented to a subreaper or PID 1, which reaps it), so it is
 * found by pid and checked by start time, then held by a pidfd so a
 * recycled pid is never signalled.
 */
#include "teardown.h"

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
#include "audit_box.h"
#include "cgroup.h"
#include "cgsweep.h"
#include "fault.h"
#include "fsutil.h"
#include "join.h"
#include "macros.h"
#include "net.h"
#include "paths.h"
#include "proc.h"
#include "session.h"

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
	char name[80];

	/* Only a directory this session made (upper_dir is set once the
	 * exclusive mkdir succeeded), and only by the name rebuilt from the
	 * id, never a path read back from a file. */
	if (strcmp(st->upper, "disk") != 0 || !st->upper_dir[0])
		return 0;
	if (session_upper_name(st->id, name, sizeof(name), err) < 0)
		return -1;
	dfd = open(LB_DISK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0
				       : lb_fail(err, errno, "open %s", LB_DISK_DIR);
	return fs_rmtree_at(dfd, name, err);
}

/* How long a teardown waits for another one of the same user's boxes. */
#define TEARDOWN_LOCK_MS 30000

static int teardown_locked(unsigned long id, unsigned wait_ms, bool held,
			   struct lb_err *err)
{
	cleanup_close int rfd = -1, lfd = -1;
	struct lb_state st;
	char name[32], cg[256];
	int ret = 0;

	/* A logout, `loginbox kill` and gc may all end the same box at once:
	 * one at a time per user, so that one user's slow teardown (kills,
	 * waits, a large upper to remove) never holds up anyone else. */
	if (session_read_state(id, &st, err) == 0) {
		lfd = held ? -1 : session_lock_user(st.uid, wait_ms, err);
		if (lfd < 0 && !held)
			return lfd;
		/* Read again under the lock: the other one may have
		 * finished it. */
		if (session_read_state(id, &st, err) < 0) {
			if (err->errnum != ENOENT)
				return -1;
			lb_err_clear(err);
			return 0;
		}
		LB_FAULT("teardown:locked");
		kill_init(&st);
		net_teardown(&st);
		LB_FAULT("teardown:init-killed");
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
		LB_FAULT("teardown:cgroup");
		if (remove_upper(&st, err) < 0)
			ret = -1;
		LB_FAULT("teardown:upper");
	}
	snprintf(name, sizeof(name), "%lu", id);
	rfd = open(LB_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd < 0)
		ret = errno == ENOENT ? ret : lb_fail(err, errno, "open %s", LB_RUNDIR);
	else if (fs_rmtree_at(rfd, name, err) < 0)
		ret = -1;
	/* One record per box: only the teardown that read its state under
	 * the user's lock ends it (a second one finds it gone above). */
	if (lfd >= 0)
		box_audit_end(&st, ret == 0);
	return ret;
}

int teardown_session(unsigned long id, struct lb_err *err)
{
	return teardown_locked(id, TEARDOWN_LOCK_MS, false, err);
}

int teardown_session_held(unsigned long id, struct lb_err *err)
{
	return teardown_locked(id, 0, true, err);
}

static bool login_gone(const struct lb_state *st)
{
	/* session = user: the first login may be long gone; init follows
	 * the set of logins and ends when it is empty. */
	if (strcmp(st->session, "user") != 0 && st->owner_pid > 0 &&
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

/*
 * Disk uppers no session owns: left by a crash, or from before a reboot
 * (other boot id).  This boot's upper of session ID is in use while
 * /run/loginbox/ID exists: session_create makes that before the upper,
 * and teardown removes the upper before it.
 */
static int sweep_uppers(bool verbose)
{
	char mine[80], boot[48];
	struct dirent *de;
	struct lb_err e;
	int dfd, swept = 0;
	DIR *d;

	lb_err_clear(&e);
	if (session_upper_name(1, mine, sizeof(mine), &e) < 0)
		return 0;
	snprintf(boot, sizeof(boot), "%s", strchr(mine, '-') + 1);
	dfd = open(LB_DISK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		char idstr[16], run[64];
		const char *dash = strchr(de->d_name, '-');
		unsigned long id;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		/* ID-BOOTID, or a bare ID from before boot ids were used */
		n = dash ? (size_t)(dash - de->d_name) : strlen(de->d_name);
		if (n == 0 || n >= sizeof(idstr))
			continue;
		memcpy(idstr, de->d_name, n);
		idstr[n] = '\0';
		if (session_parse_id(idstr, &id) < 0)
			continue;
		snprintf(run, sizeof(run), "%s/%lu", LB_RUNDIR, id);
		if (dash && strcmp(dash + 1, boot) == 0 && access(run, F_OK) == 0)
			continue;
		if (!dash && access(run, F_OK) == 0)
			continue;
		lb_err_clear(&e);
		if (fs_rmtree_at(dirfd(d), de->d_name, &e) == 0)
			swept++;
		if (verbose)
			printf("gc: orphan upper %s/%s: %s\n", LB_DISK_DIR,
			       de->d_name, e.msg[0] ? e.msg : "removed");
	}
	closedir(d);
	return swept;
}

/* only == (uid_t)-1: every stale box, state-less leftovers and orphan
 * uppers; otherwise only that user's stale boxes, without waiting for a
 * teardown of them already under way (the login path). */
static int gc(bool verbose, uid_t only, struct lb_err *err)
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
			stale = (only == (uid_t)-1 || st.uid == only) &&
				(login_gone(&st) ||
				 (only == (uid_t)-1 && join_linger_void(&st)));
		} else if (only != (uid_t)-1) {
			stale = false;
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
		if (!stale) {
			char cg[256];

			/* a live box: leaves of logins that are gone */
			if (only == (uid_t)-1 && st.id &&
			    cg_box_path(&st, cg, sizeof(cg)) == 0)
				cg_sweep_leaves(cg, 0);
			continue;
		}
		lb_err_clear(&e);
		box_end_cause = "gc";
		if (teardown_locked(ids[i],
				    only == (uid_t)-1 ? TEARDOWN_LOCK_MS : 0,
				    false, &e) == 0)
			swept++;
		box_end_cause = "logout";
		if (verbose)
			printf("gc: session %lu (%s): %s\n", ids[i],
			       st.user[0] ? st.user : "?",
			       e.msg[0] ? e.msg : "removed");
	}
	free(ids);
	if (only == (uid_t)-1) {
		gc_tokens();
		sweep_uppers(verbose);
		teardown_sweep_cgroups(verbose);
		net_gc(verbose);
	}
	return n < 0 ? -1 : swept;
}

int teardown_gc(bool verbose, struct lb_err *err)
{
	return gc(verbose, (uid_t)-1, err);
}

int teardown_gc_user(uid_t uid, struct lb_err *err)
{
	return gc(false, uid, err);
}
