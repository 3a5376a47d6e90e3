// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Joining a user's live box (session = user), see join.h.
 *
 * Under the user's lock: the newest box of the user with session = user,
 * a live init (pid and start time) and the same policy hash is joined.
 * Its init is pinned by a pidfd opened BEFORE the start time is checked,
 * so its network namespace, opened next through /proc/PID/ns/net, is that
 * very init's as long as the pidfd has not signalled its exit.  The
 * login's own pidfd goes to init (logins.c), which keeps the box while
 * any login is alive.  A box built with another policy or image is left
 * alone: its logins keep it, `loginbox list` shows it as stale, and the
 * new login builds a new box.
 */
#include "cgroup.h"
#include "join.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <shadow.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "box.h"
#include "logins.h"
#include "macros.h"
#include "paths.h"
#include "policy.h"
#include "teardown.h"

unsigned box_linger(const struct lb_policy *p)
{
	uint64_t l = p->linger;

	if (p->session_mode != LB_SESSION_USER)
		return 0; /* a box per login ends with it */
	if (l > p->max_linger)
		l = p->max_linger;
	return (unsigned)l;
}

int join_hash(const struct lb_policy *p, char *out, size_t len)
{
	char *buf = NULL;
	size_t n = 0, i;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return -1;
	lb_policy_print(p, f);
	fclose(f);
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)buf[i];
		h *= 0x100000001b3ULL;
	}
	free(buf);
	snprintf(out, len, "%016llx", (unsigned long long)h);
	return 0;
}

/* 1 joined, 0 this box's init is gone, <0 refused. */
static int attach(struct lb_box *b, const struct lb_state *st,
		  struct lb_err *err)
{
	cleanup_close int pidfd = -1, netns = -1, cgfd = -1, leaf = -1;
	struct pollfd p;
	char path[64], req[64], buf[256], cg[256];
	int fds[2], nfds = 1;
	struct lb_err e;

	pidfd = pidfd_open(st->init_pid, 0);
	if (pidfd < 0 || proc_start_time(st->init_pid) != st->init_start)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)st->init_pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	p = (struct pollfd){.fd = pidfd, .events = POLLIN};
	if (netns < 0 || poll(&p, 1, 0) != 0)
		return 0;
	snprintf(req, sizeof(req), "J %d %llu", (int)b->owner_pid,
		 b->owner_start);
	lb_err_clear(&e);
	fds[0] = b->owner_pidfd;
	/* This login's cgroup leaf (cgroup.c); a box without a node, or
	 * one whose leaf cannot be made, runs its programs in init's. */
	if (cg_box_path(st, cg, sizeof(cg)) == 0 &&
	    (cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC)) >= 0 &&
	    (leaf = cg_login_leaf(cgfd, b->owner_pid, b->root_host_uid,
				  b->root_host_gid, &e)) >= 0)
		fds[nfds++] = leaf;
	lb_err_clear(&e);
	if (logins_request_fds(st->id, req, fds, nfds, buf, sizeof(buf),
			       &e) < 0)
		return 0; /* init ended meanwhile */
	/* Refused: the leaf we just made goes again.  A refused login has no
	 * close_session to sweep it, so each attempt beyond the cap would
	 * leave the host one more empty cgroup (kernel memory outside the
	 * box's limits) until a full gc.  rmdir is EBUSY for a leaf that
	 * holds processes: nothing running is touched. */
	if (buf[0] != 'K' && leaf >= 0) {
		char name[32];

		snprintf(name, sizeof(name), "%s%d", LB_CG_LOGIN_PREFIX,
			 (int)b->owner_pid);
		unlinkat(cgfd, name, AT_REMOVEDIR);
	}
	if (!strncmp(buf, "E full", 6)) {
		lb_fail(err, EUSERS, "user %s already has %d logins in box "
				     "%lu, the most one box serves",
			b->user.name, LB_MAX_LOGINS, st->id);
		return lb_hint(err, "log out of another session first");
	}
	if (buf[0] != 'K')
		return lb_fail(err, EPROTO, "box %lu refused the login: %s",
			       st->id, buf);
	b->id = st->id;
	b->init_pid = st->init_pid;
	b->init_pidfd = pidfd;
	b->netns_fd = netns;
	pidfd = netns = -1;
	snprintf(b->dir, sizeof(b->dir), "%s/%lu", LB_RUNDIR, st->id);
	return 1;
}

int join_box(struct lb_box *b, struct lb_err *err)
{
	unsigned long *ids = NULL;
	struct lb_err e;
	int n, i, r = 0;

	if (join_hash(&b->pol, b->hash, sizeof(b->hash)) < 0)
		return lb_fail(err, ENOMEM, "policy hash");
	if (b->pol.session_mode != LB_SESSION_USER)
		return 0;
	/* The keeper never waits: a build or a teardown under way is the
	 * helper's to wait for (the login falls back to it). */
	b->user_lock_fd = session_lock_user(b->user.uid,
					    b->via_keeper ? 0 : JOIN_LOCK_MS,
					    err);
	if (b->user_lock_fd < 0) {
		if (b->user_lock_fd == -EWOULDBLOCK)
			lb_fail(err, EWOULDBLOCK, "the user's lock is held");
		b->user_lock_fd = -1;
		return lb_prefix(err, "user %s: the box is being built or "
				      "ended", b->user.name);
	}
	n = session_list(&ids, err);
	if (n < 0)
		return -1;
	for (i = n - 1; i >= 0 && r == 0; i--) {
		struct lb_state st;

		lb_err_clear(&e);
		if (session_read_state(ids[i], &st, &e) < 0 ||
		    st.uid != b->user.uid || strcmp(st.session, "user") != 0)
			continue;
		if (strcmp(st.hash, b->hash) != 0 &&
		    proc_start_time(st.init_pid) == st.init_start)
			continue; /* another policy: stale, left to its logins */
		r = strcmp(st.hash, b->hash) == 0 ? attach(b, &st, err) : 0;
		/* The keeper ends nothing (its handler's alarm must never cut
		 * a teardown short): the helper it falls back to does. */
		if (r == 0 && b->via_keeper)
			break;
		if (r == 0) /* init gone: what is left goes now */
			teardown_session_held(ids[i], &e);
	}
	free(ids);
	return r;
}

bool join_linger_void(const struct lb_state *st)
{
	char buf[LB_MAX_LOGINS * 40 + 32];
	struct lb_policy pol;
	struct spwd *sp;
	struct lb_user u;
	struct lb_err e;

	if (strcmp(st->session, "user") != 0 ||
	    proc_start_time(st->init_pid) != st->init_start)
		return false;
	lb_err_clear(&e);
	if (logins_request(st->id, "Q", -1, buf, sizeof(buf), &e) < 0 ||
	    buf[0] != 'K' || atoi(buf + 2) != 0)
		return false; /* logins left: the account's state is theirs */
	/* deleted (not a directory outage: that is no reason to end it) */
	if (lb_user_lookup(st->user, &u, &e) < 0)
		return strstr(e.msg, "no such user") != NULL;
	if (u.uid != st->uid)
		return true;
	/* locked (usermod -L, passwd -l: a '!' before the hash) or
	 * expired (chage -E) */
	sp = getspnam(st->user);
	if (sp && sp->sp_pwdp && sp->sp_pwdp[0] == '!')
		return true;
	if (sp && sp->sp_expire > 0 && sp->sp_expire <= time(NULL) / 86400)
		return true;
	return lb_policy_load(&u, &pol, NULL, &e) == 0;
}

int join_leave(unsigned long id, pid_t login, unsigned lock_ms, int *lockfd,
	       struct lb_err *err)
{
	struct lb_state st;
	char req[64], buf[LB_MAX_LOGINS * 40 + 32];
	struct lb_err e;

	*lockfd = -1;
	if (session_read_state(id, &st, err) < 0)
		return err->errnum == ENOENT ? 1 : -1;
	if (strcmp(st.session, "user") != 0)
		return 0;
	*lockfd = session_lock_user(st.uid, lock_ms, err);
	if (*lockfd < 0) {
		if (*lockfd == -EWOULDBLOCK)
			lb_fail(err, EWOULDBLOCK, "the user's lock is held");
		*lockfd = -1;
		return -1;
	}
	snprintf(req, sizeof(req), "L %d %llu", (int)login,
		 proc_start_time(login));
	lb_err_clear(&e);
	if (logins_request(id, req, -1, buf, sizeof(buf), &e) < 0)
		return 0; /* init gone: tear down */
	{
		char cg[256];

		/* its leaf goes with it, unless something it started still
		 * runs there (then gc removes it once empty) */
		if (cg_box_path(&st, cg, sizeof(cg)) == 0)
			cg_sweep_leaves(cg, login);
	}
	/* other logins, or lingering (logins.h): the box stays */
	return buf[0] == 'K' && (atoi(buf + 2) > 0 || strstr(buf, "linger"))
		       ? 1
		       : 0;
}
