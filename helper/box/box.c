// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building a box: the steps of "open", in order.
 *
 *   identity and policy -> subordinate ids and maps -> sweep stale boxes ->
 *   session dir -> cgroup node -> control socket -> seccomp program ->
 *   supplementary groups -> root filesystem (rootfs.c, private mount ns) ->
 *   clone init into new user/pid/uts/ipc/net namespaces (and the cgroup
 *   node) -> write its maps -> /proc and /sys (kfs.c) -> init copies the
 *   mount namespace and pivots -> state file
 *
 * Anything failing on the way is undone by box_abort(): nothing half-built
 * stays behind.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "join.h"
#include "keeper.h"
#include "logins.h"
#include "net.h"
#include "cdi.h"
#include "fault.h"
#include "macros.h"
#include "paths.h"
#include "policy.h"
#include "syscalls.h"
#include "teardown.h"
#include "template.h"

void box_init(struct lb_box *b)
{
	memset(b, 0, sizeof(*b));
	b->dirfd = b->cgfd = b->control_fd = b->netns_fd = -1;
	b->host_mntns_fd = b->persist_lock_fd = b->init_pidfd = -1;
	b->owner_pidfd = b->logins_fd = b->user_lock_fd = -1;
	b->login_cgfd = -1;
}

static uint64_t now_usec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

void box_phase(struct lb_box *b, const char *name)
{
	uint64_t t = now_usec();

	if (b->n_phases < (int)ARRAY_SIZE(b->phase)) {
		b->phase[b->n_phases].name = name;
		b->phase[b->n_phases].usec = t - b->t_mark;
		b->n_phases++;
	}
	b->t_mark = t;
	LB_FAULT(name);
}

static bool gc_due(void)
{
	struct stat st;
	struct timespec now;
	int fd;

	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(LB_RUNDIR "/.gc", &st) == 0 && now.tv_sec - st.st_mtime < 1)
		return false;
	fd = open(LB_RUNDIR "/.gc", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
	return true;
}

static int ids_and_maps(struct lb_box *b, struct lb_err *err)
{
	uint32_t uid_ident[1], gid_ident[LB_MAX_KEEP_GIDS];
	int i;

	if (subid_source_lookup(false, &b->user, LB_BOX_IDS, &b->subuid, err) < 0 ||
	    subid_source_lookup(true, &b->user, LB_BOX_IDS, &b->subgid, err) < 0)
		return -1;
	/* The user's primary group, and the host groups the policy keeps
	 * and the user really is in; nothing else follows them in. */
	b->groups[b->ngroups++] = b->user.gid;
	for (i = 0; i < b->pol.n_keep_groups; i++) {
		gid_t g;

		if (lb_user_in_group(&b->user, b->pol.keep_groups[i], &g) &&
		    g != 0 && g != b->user.gid && b->ngroups < LB_MAX_KEEP_GIDS)
			b->groups[b->ngroups++] = g;
	}
	uid_ident[0] = b->user.uid;
	for (i = 0; i < b->ngroups; i++)
		gid_ident[i] = b->groups[i];
	if (lb_idmap_box(&b->subuid, uid_ident, 1, &b->uidmap, err) < 0)
		return lb_prefix(err, "user %s: /etc/subuid", b->user.name);
	if (lb_idmap_box(&b->subgid, gid_ident, b->ngroups, &b->gidmap, err) < 0)
		return lb_prefix(err, "user %s: /etc/subgid", b->user.name);
	b->root_host_uid = (uid_t)lb_idmap_to_host(&b->uidmap, 0);
	b->root_host_gid = (gid_t)lb_idmap_to_host(&b->gidmap, 0);
	if (b->pol.inside_uid == LB_INSIDE_ROOT) {
		b->inside_uid = 0;
		b->inside_gid = 0;
	} else {
		b->inside_uid = b->user.uid;
		b->inside_gid = b->user.gid;
	}
	return 0;
}

static int make_control(struct lb_box *b, struct lb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", b->dir) >=
	    (int)sizeof(sa.sun_path))
		return lb_fail(err, ENAMETOOLONG, "control socket path");
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lb_fail(err, errno, "socket");
	b->control_fd = fd;
	/* umask 077 keeps the socket root-only until it is the user's. */
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return lb_fail(err, errno, "bind %s", sa.sun_path);
	if (fchownat(b->dirfd, "control", b->user.uid, b->user.gid,
		     AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(b->dirfd, "control", 0600, 0) < 0)
		return lb_fail(err, errno, "chown %s", sa.sun_path);
	if (listen(fd, 16) < 0)
		return lb_fail(err, errno, "listen %s", sa.sun_path);
	return 0;
}

/* Wait (bounded) for an init we killed or that reported a failure to
 * end; reap it if it is our child (without a keeper, keeper.h). */
static void init_wait_gone(struct lb_box *b)
{
	struct pollfd p = {.fd = b->init_pidfd, .events = POLLIN};

	if (b->init_pidfd >= 0)
		poll(&p, 1, 5000);
	waitpid(b->init_pid, NULL, WNOHANG);
	b->init_pid = 0;
}

static int start_init(struct lb_box *b, struct lb_err *err)
{
	/* Init is not the login process's child: the box outlives any one
	 * login (session = user), and shadow's login reaps with wait(NULL),
	 * which must never see init.  With session = user its parent is the
	 * box's keeper, which reaps it and ends the box the moment it ends
	 * (keeper.h); with session = login it is the helper's child, handed
	 * to PID 1 or a subreaper when the helper exits (the login's close
	 * ends that box). */
	struct clone_args ca = {
		/* No CLONE_NEWNS: init copies our mount namespace itself,
		 * once /proc and /sys are in it (kfs.c).  No CLONE_PARENT:
		 * the box belongs to no login (join.c). */
		.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWUTS |
			 CLONE_NEWIPC | CLONE_NEWNET | CLONE_PIDFD,
		.exit_signal = SIGCHLD,
	};
	struct init_args ia = {.box = b};
	cleanup_close int ctl = -1, peer = -1; /* our end, init's end */
	cleanup_close int leaf = -1;
	int sv[2], pidfd = -1;
	char buf[1200];
	ssize_t n;
	pid_t pid;

	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	if (b->have_cgroup) {
		/* Born in its leaf of the session's node, with its cgroup
		 * namespace rooted at the node (userns_clone_rooted):
		 * nothing of the box ever runs outside the node, not even
		 * for a moment, and nothing is moved. */
		leaf = cg_init_leaf(b, err);
		if (leaf < 0)
			return lb_prefix(err, "cgroup");
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)leaf;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return lb_fail(err, errno, "socketpair");
	ctl = sv[0];
	peer = sv[1];
	ia.sync_fd = peer;
	if (b->pol.session_mode == LB_SESSION_USER) {
		pid = keeper_clone_init(b, &ca, &pidfd, init_main, &ia, err);
	} else {
		/* Owned by the first subordinate uid, not root (userns.c). */
		pid = userns_clone_rooted(&ca, b->have_cgroup ? b->cgfd : -1,
					  b->subuid.start, err);
		if (pid == 0) {
			close(ctl);
			init_main(&ia); /* never returns; no cleanup runs in the child */
			_exit(1);
		}
	}
	close(steal_fd(&peer));
	if (pid < 0)
		return lb_prefix(err, "box namespaces");
	b->init_pid = pid;
	b->init_pidfd = pidfd;
	/* init/cgroup.procs is host root's again before init has its maps,
	 * so before any program of the box runs (box_abort kills init) */
	if (b->have_cgroup && cg_init_leaf_seal(b, leaf, err) < 0)
		return lb_prefix(err, "cgroup");
	if (lb_idmap_apply(pid, &b->uidmap, &b->gidmap,
			   b->pol.inside_uid == LB_INSIDE_ROOT, err) < 0 ||
	    kfs_mount(b, err) < 0)
		return -1;
	n = write(ctl, "M", 1);
	if (n != 1)
		return lb_fail(err, n < 0 ? errno : EIO, "signal box init");
	n = read(ctl, buf, sizeof(buf) - 1);
	close(steal_fd(&ctl)); /* before waiting for init below */
	if (n == 1 && buf[0] == 'K')
		return 0;
	init_wait_gone(b);
	if (n > 1 && buf[0] == 'E') {
		char *nl;

		buf[n] = '\0';
		nl = strchr(buf, '\n');
		if (nl)
			*nl++ = '\0';
		lb_fail(err, 0, "box init: %s", buf + 1);
		if (nl && *nl)
			lb_hint(err, "%s", nl);
		return -1;
	}
	return lb_fail(err, EIO, "box init died during setup");
}

static int open_netns(struct lb_box *b, struct lb_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)b->init_pid);
	b->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->netns_fd < 0)
		return lb_fail(err, errno, "open %s", path);
	return 0;
}

/* Undo whatever exists of a box that could not be finished. */
static void box_abort(struct lb_box *b)
{
	struct lb_err ignore;

	if (b->init_pid > 0 && b->init_pidfd >= 0) {
		pidfd_send_signal(b->init_pidfd, SIGKILL, NULL, 0);
		init_wait_gone(b);
	}
	/* Back to the host's mount namespace: in our private one the
	 * session dir holds mounts and could not be removed. */
	if (b->host_mntns_fd >= 0)
		setns(b->host_mntns_fd, CLONE_NEWNS);
	if (b->id) {
		/* No state file yet: write one so teardown knows the parts. */
		session_write_state(b, &ignore);
		if (b->user_lock_fd >= 0)
			teardown_session_held(b->id, &ignore);
		else
			teardown_session(b->id, &ignore);
	}
}

static int build(struct lb_box *b, struct lb_err *err)
{
	char host[64] = "";
	int r;

	if (session_create(b, err) < 0)
		return -1;
	box_phase(b, "session");
	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, ".")] = '\0';
	if (lb_template_hostname(b->pol.hostname, b->user.name, host, b->id,
				 b->hostname, sizeof(b->hostname), err) < 0)
		return -1;
	r = cg_create(b, err);
	if (r < 0) {
		if (b->pol.limits == LB_LIMITS_REQUIRED)
			return lb_prefix(err, "cgroup (limits = required)");
		/* best-effort: a box without a node (or with a partial one,
		 * which teardown removes) */
		syslog(LOG_AUTHPRIV | LOG_WARNING, "user %s: box %lu: %s",
		       b->user.name, b->id, err->msg);
		if (!b->have_cgroup && b->cgfd >= 0) {
			close(b->cgfd);
			b->cgfd = -1;
		}
	}
	/* the first login's leaf, handed to init with its pidfd */
	if (b->have_cgroup) {
		b->login_cgfd = cg_login_leaf(b->cgfd, b->owner_pid,
					      b->root_host_uid,
					      b->root_host_gid, err);
		if (b->login_cgfd < 0)
			return lb_prefix(err, "cgroup");
	}
	/* The device program (devcg.c): where the box has a v2 node, also
	 * on a hybrid host; a kernel without cgroup BPF follows `limits`. */
	if (b->have_cgroup && devcg_attach(b, err) < 0) {
		if (b->pol.limits == LB_LIMITS_REQUIRED)
			return lb_prefix(err, "device program (limits = "
					      "required)");
		syslog(LOG_AUTHPRIV | LOG_WARNING, "user %s: box %lu: %s",
		       b->user.name, b->id, err->msg);
		lb_err_clear(err);
	}
	/* lxcfs = yes without a running LXCFS follows `limits` too: the box
	 * would see the host's memory and CPUs (kfs_lxcfs.c). */
	if (b->pol.lxcfs) {
		if (lxcfs_check(err) == 0) {
			b->use_lxcfs = true;
		} else if (b->pol.limits == LB_LIMITS_REQUIRED) {
			return lb_prefix(err, "limits = required");
		} else {
			syslog(LOG_AUTHPRIV | LOG_WARNING,
			       "user %s: box %lu: %s", b->user.name, b->id,
			       err->msg);
			lb_err_clear(err);
		}
	}
	box_phase(b, "cgroup");
	if (make_control(b, err) < 0)
		return -1;
	b->logins_fd = logins_listen(b->dirfd, b->dir, err);
	if (b->logins_fd < 0)
		return -1;
	box_phase(b, "control");
	if (sc_compile(&b->pol, &b->bpf, &b->bpf_len, err) < 0)
		return -1;
	box_phase(b, "seccomp");
	/* The box's processes start with exactly these groups
	 * (hard spot 6): set before the user namespace exists. */
	if (setgroups((size_t)b->ngroups, b->groups) < 0)
		return lb_fail(err, errno, "setgroups");
	b->host_mntns_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (b->host_mntns_fd < 0)
		return lb_fail(err, errno, "open /proc/self/ns/mnt");
	if (rootfs_build(b, err) < 0)
		return -1;
	box_phase(b, "rootfs");
	if (start_init(b, err) < 0)
		return -1;
	if (b->have_cgroup && cg_box_leaves(b, err) < 0)
		return lb_prefix(err, "cgroup");
	box_phase(b, "clone+init");
	if (open_netns(b, err) < 0 || net_setup(b, err) < 0)
		return -1;
	box_phase(b, "network");
	return session_write_state(b, err);
}

int box_resolve(struct lb_box *b, const char *user, const char *service,
		pid_t owner_pid, int owner_pidfd, struct lb_err *err)
{
	struct lb_err ignore;
	int r;

	b->t_mark = now_usec();
	b->owner_pidfd = owner_pidfd;
	if (lb_user_lookup(user, &b->user, err) < 0)
		return -1;
	box_phase(b, "nss");
	r = lb_policy_load(&b->user, &b->pol, NULL, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return lb_fail(err, 0, "user %s is not boxed by the config", user);
	snprintf(b->service, sizeof(b->service), "%s", service);
	b->owner_pid = owner_pid;
	/* Init ends the box as soon as its login is gone (a killed sshd, su
	 * or login), not at the next gc: it polls this pidfd (init.c).  The
	 * login process is our parent: opened, then checked to be still our
	 * parent, the pidfd cannot name a recycled pid.  (The keeper's was
	 * sent by the login itself and checked against its socket peer.) */
	if (owner_pidfd < 0) {
		b->owner_pidfd = pidfd_open(owner_pid, 0);
		if (b->owner_pidfd < 0 || getppid() != owner_pid)
			return lb_fail(err, b->owner_pidfd < 0 ? errno : ESRCH,
				       "pidfd_open of the login process %d",
				       (int)owner_pid);
		b->owner_start = proc_start_time(owner_pid);
	}
	box_phase(b, "config+policy");
	if (b->pol.n_devices > 0) {
		b->devs = calloc(1, sizeof(*b->devs));
		if (!b->devs)
			return lb_fail(err, ENOMEM, "devices");
		if (lb_devices_resolve(&b->pol, b->devs, err) < 0)
			return lb_prefix(err, "user %s: devices", user);
	}
	if (ids_and_maps(b, err) < 0)
		return -1;
	box_phase(b, "subid+maps");
	/* This user's stale boxes (crashed logins) go before a new one
	 * comes; at most once a second, since a sweep reads every live box
	 * (bench/).  Other users' are loginbox.service's (`loginbox gc`):
	 * their teardown, however slow, is never this login's to wait for.
	 * Nor the keeper's (a join ends nothing there: its handler is bounded
	 * by an alarm that must never cut a teardown short); the helper a
	 * build falls back to sweeps them. */
	if (!b->via_keeper && gc_due())
		teardown_gc_user(b->user.uid, &ignore);
	box_phase(b, "gc");
	return 0;
}

int box_open(struct lb_box *b, const char *user, const char *service,
	     pid_t owner_pid, struct lb_err *err)
{
	int r;

	if (box_resolve(b, user, service, owner_pid, -1, err) < 0)
		return -1;
	/* session = user: join the user's live box, or build it under the
	 * user's lock (join.c) */
	r = join_box(b, err);
	if (r != 0) {
		b->joined = r > 0;
		return r < 0 ? -1 : 0;
	}
	box_phase(b, "join");
	if (build(b, err) < 0) {
		box_abort(b);
		return -1;
	}
	return 0;
}
