// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's PID 1.
 *
 * Cloned by the helper with new user, pid, uts, ipc and net namespaces
 * (box.c), it waits for its maps and for /proc and /sys (kfs.c), becomes
 * box root, copies the helper's mount namespace into its own (which locks
 * every mount in it), finishes the root (/dev/pts), pivots into it
 * and then serves the control socket: every program of the login (shell,
 * `ssh host cmd`, scp, sftp-server) is started by init on a client's
 * request (proto.h, spawn.c), and init reaps whatever is orphaned.
 *
 * Init is a fork of the helper that never execs: its memory belongs to
 * the initial user namespace and it makes itself non-dumpable, so box
 * root cannot ptrace it (ptrace of a non-dumpable task needs
 * CAP_SYS_PTRACE in the task's mm user namespace).
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent_box.h"
#include "fault.h"
#include "fds.h"
#include "fsutil.h"
#include "join.h"
#include "logins.h"
#include "macros.h"
#include "mntapi.h"
#include "net.h"
#include "paths.h"
#include "proto.h"
#include "syscalls.h"
#include "spawn.h"

#define MAX_CLIENTS 128

struct client {
	int fd;      /* -1 when the slot is free */
	pid_t pid;   /* program started for it, 0 before SPAWN */
	bool hungup; /* the client went away while the program runs */
	pid_t login; /* its login (LOGINBOX_LOGIN), 0 unknown */
	bool agent;  /* its login forwards an agent (agent.h) */
	int agent_wait; /* a box connection waiting for it, or -1 */
};

static struct client clients[MAX_CLIENTS];

char *init_title_area;
size_t init_title_len;

static void set_title(void)
{
	if (!init_title_area || !init_title_len)
		return;
	memset(init_title_area, 0, init_title_len);
	snprintf(init_title_area, init_title_len, "loginbox-init");
}

static int finish_root(const struct lb_box *b, struct lb_err *err)
{
	static const char *const pts_opts[] = {"ptmxmode=0666", "mode=0620",
					       "gid=5", NULL};
	cleanup_close int rootfd = -1;
	char root[160];

	snprintf(root, sizeof(root), "%s/root", b->dir);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lb_fail(err, errno, "open %s", root);
	/* /proc and /sys are already there, locked (kfs.c). */
	if (b->have_cgroup) {
		struct lb_err soft;

		/* The box's own cgroup, read-only, rooted at its node (we
		 * are in its cgroup namespace): memory.max and cpu.max there
		 * are what the JVM, Go, Node and PyTorch size themselves by.
		 * Like sysfs once was: a box without it still works. */
		lb_err_clear(&soft);
		if (mnt_new_at(rootfd, "cgroup2", "/sys/fs/cgroup", NULL,
				 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				 &soft) < 0)
			lb_err_clear(&soft);
	}
	if (mnt_new_at(rootfd, "devpts", "/dev/pts", pts_opts,
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err) < 0)
		return -1;
	/* pivot_root() refuses a locked new root, and everything the helper
	 * built is locked in our namespace (that is the point: rootfs.c).  A
	 * recursive bind of the root onto itself has an unlocked top while
	 * every mount below it stays locked. */
	{
		cleanup_close int clone = -1, top = -1;

		clone = mnt_clone(rootfd, "", 1, err);
		if (clone < 0 || mnt_attach(clone, rootfd, "box root", err) < 0)
			return lb_prefix(err, "rebind the root");
		top = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (top < 0 || fchdir(top) < 0)
			return lb_fail(err, errno, "chdir %s", root);
	}
	/* pivot_root(".", "."): the old root ends up on top of the new
	 * one and is detached right away (pivot_root(2), NOTES). */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return lb_fail(err, errno, "pivot_root %s", root);
	if (umount2(".", MNT_DETACH) < 0)
		return lb_fail(err, errno, "detach the host root");
	if (chdir("/") < 0)
		return lb_fail(err, errno, "chdir /");
	return 0;
}

/*
 * nested_userns = no.  seccomp cannot read clone3's flags, and a filter
 * is gone with seccomp = none; the kernel's own limit is not.  Each user
 * namespace counts its descendants against user.max_user_namespaces of
 * itself and of every ancestor (kernel/ucount.c), and the sysctl seen in
 * the box is the box's own namespace's: 0 there makes every
 * unshare(CLONE_NEWUSER) in the box fail with ENOSPC.  Only
 * CAP_SYS_RESOURCE in the box's namespace may write it back, which
 * spawn.c never leaves to box root in this mode.
 */
static int no_nested_userns(struct lb_err *err)
{
	cleanup_close int fd = -1;
	ssize_t w = -1;

	fd = open("/proc/sys/user/max_user_namespaces",
		  O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		w = write(fd, "0\n", 2);
	if (w == 2)
		return 0;
	/* a short write sets no errno */
	lb_fail(err, fd >= 0 && w >= 0 ? EIO : errno,
		"write 0 to user.max_user_namespaces");
	return lb_hint(err, "nested_userns = no needs the box's own "
			    "sysctl; use nested_userns = yes if this "
			    "kernel has none");
}

static void report(int sync_fd, const struct lb_err *err)
{
	char buf[1200];

	snprintf(buf, sizeof(buf), "E%s\n%s", err->msg, err->hint);
	if (write(sync_fd, buf, strlen(buf)) < 0)
		_exit(1);
}

static int setup(const struct lb_box *b, int sync_fd, struct lb_err *err)
{
	char c;

	/* Wait for the helper to write our maps. */
	if (read(sync_fd, &c, 1) != 1)
		return lb_fail(err, errno, "no maps from the helper");
	/* The helper cloned us with SECBIT_NO_SETUID_FIXUP set (userns.c);
	 * the new namespace starts from SECUREBITS_DEFAULT, or the later
	 * drop to the user's uid would keep capabilities. */
	if (prctl(PR_GET_SECUREBITS) != 0)
		return lb_fail(err, EPERM, "securebits survived the clone");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return lb_fail(err, errno, "become box root");
	/* Our own copy of the helper's mount namespace, now that /proc and
	 * /sys are in it: copied into a namespace of the box's user
	 * namespace, every mount of it is locked (kfs.c, rootfs.c). */
	if (unshare(CLONE_NEWNS) < 0)
		return lb_fail(err, errno, "unshare(CLONE_NEWNS)");
	/* Our cgroup namespace, rooted at the box's node, is the one the
	 * first process made before it cloned us into init/ (userns.c). */
	if (finish_root(b, err) < 0)
		return -1;
	if (!b->pol.nested_userns && no_nested_userns(err) < 0)
		return -1;
	if (devices_ldconfig(b, err) < 0)
		return -1;
	if (sethostname(b->hostname, strlen(b->hostname)) < 0)
		return lb_fail(err, errno, "sethostname %s", b->hostname);
	if (net_lo_up(err) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return lb_fail(err, errno, "PR_SET_DUMPABLE");
	prctl(PR_SET_NAME, "loginbox-init", 0, 0, 0);
	set_title();
	return 0;
}

static void send_error(int fd, const struct lb_err *err)
{
	struct lb_msg_error m = {.hdr = {.magic = LB_PROTO_MAGIC,
					 .type = LB_MSG_ERROR,
					 .len = sizeof(m)}};
	struct lb_err ignore;

	snprintf(m.text, sizeof(m.text), "%s", err->msg);
	lb_proto_send(fd, &m, sizeof(m), NULL, 0, &ignore);
}

static int open_pty(struct spawn_req *r, int *master, struct lb_err *err)
{
	struct winsize ws = {.ws_row = r->rows, .ws_col = r->cols};

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return lb_fail(err, errno, "open /dev/ptmx in the box");
	if (grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    ptsname_r(*master, r->slave, sizeof(r->slave)) != 0)
		return lb_fail(err, errno, "unlock pty");
	if (r->rows && r->cols)
		ioctl(*master, TIOCSWINSZ, &ws);
	return 0;
}

/*
 * What a direct-mode client may hand the program as stdin, stdout and
 * stderr: pipes, sockets, regular files and character devices such as
 * /dev/null.  Never a terminal: TIOCSTI on it types into the caller's
 * shell, and reading it reads the caller's keyboard (a root terminal
 * behind `su - user -c cmd </dev/null`); the client relays terminals
 * through pipes or a pty of the box (client.c).  Never a directory or an
 * O_PATH fd either: an fd of a host directory is a way out of the box's
 * root (openat(fd, "..")), and nothing else is stdio.
 */
static int check_stdio_fd(int i, int fd, struct lb_err *err)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fstat(fd, &st) < 0)
		return lb_fail(err, errno, "fd %d of the spawn request", i);
	if (fl & O_PATH)
		return lb_fail(err, EBADF, "fd %d of the spawn request is an "
					   "O_PATH fd; refused", i);
	if (isatty(fd))
		return lb_fail(err, ENOTTY, "fd %d of the spawn request is a "
					    "terminal; a box never gets the "
					    "caller's terminal (use a client "
					    "that relays it)", i);
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
	    !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return lb_fail(err, EBADF, "fd %d of the spawn request is not "
					   "a pipe, socket, file or character "
					   "device (mode %o); refused",
			       i, (unsigned)(st.st_mode & S_IFMT));
	return 0;
}

/* The value of variable name in a spawn request's environment, or NULL. */
static const char *env_get(const struct spawn_req *r, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < r->envc; i++)
		if (!strncmp(r->envv[i], name, n) && r->envv[i][n] == '=')
			return r->envv[i] + n + 1;
	return NULL;
}

static pid_t env_login(const struct spawn_req *r)
{
	const char *v = env_get(r, LB_ENV_LOGIN);
	long l = v ? strtol(v, NULL, 10) : 0;

	return l > 1 ? (pid_t)l : 0;
}

/*
 * fork(), the child born in the cgroup leaf of the login it runs for
 * (cgroup.c): the client's environment names its login (LOGINBOX_LOGIN,
 * set by pam_loginbox).  The user may name another login of this same
 * box: that only moves their own usage between their own leaves; the
 * limits are on the box's node.  No leaf (none known, or clone3 refused):
 * the child stays in init's.
 */
static pid_t fork_into_leaf(const struct spawn_req *r)
{
	int cgfd = logins_cgroup_fd(env_login(r));
	pid_t pid;

	if (cgfd >= 0) {
		struct clone_args ca = {.flags = CLONE_INTO_CGROUP,
					.exit_signal = SIGCHLD,
					.cgroup = (uint64_t)cgfd};

		pid = lb_clone3(&ca);
		if (pid >= 0)
			return pid;
	}
	return fork();
}

/* Takes ownership of fds[0..nfds): each is moved into the request (and
 * closed by spawn_free) or left for the caller, who closes what is left
 * (entries moved out are set to -1). */
static void handle_spawn(const struct lb_box *b, struct client *c,
			 const void *msg, size_t len, int *fds, int nfds)
{
	struct spawn_req r;
	struct lb_err err;
	cleanup_close int master = -1;
	pid_t pid;
	int i;

	lb_err_clear(&err);
	if (spawn_parse(msg, len, &r, &err) < 0)
		goto refuse;
	if (c->pid) {
		lb_fail(&err, EBUSY, "one program per connection");
		goto refuse;
	}
	/* pty mode: the program's stdio is the box's pty, no fd comes
	 * along; direct mode: exactly stdin, stdout, stderr. */
	if (nfds != (r.pty ? 0 : 3)) {
		lb_fail(&err, EPROTO, "spawn request with %d fds (%s mode "
				      "takes %d)",
			nfds, r.pty ? "pty" : "direct", r.pty ? 0 : 3);
		goto refuse;
	}
	for (i = 0; i < nfds; i++) {
		if (check_stdio_fd(i, fds[i], &err) < 0)
			goto refuse;
		r.fds[i] = fds[i];
		fds[i] = -1;
	}
	if (r.pty && open_pty(&r, &master, &err) < 0)
		goto refuse;
	pid = fork_into_leaf(&r);
	if (pid == 0) {
		if (spawn_exec(b, &r, &err) < 0) {
			char text[1200];

			dprintf(2, "loginbox: %s\n",
				lb_err_text(&err, text, sizeof(text)));
		}
		_exit(127);
	}
	if (pid < 0) {
		lb_fail(&err, errno, "fork");
		goto refuse;
	}
	c->pid = pid;
	c->login = env_login(&r);
	/* loginbox-shell passes SSH_AUTH_SOCK on only once it checked it */
	c->agent = env_get(&r, "SSH_AUTH_SOCK") != NULL;
	if (r.pty)
		lb_proto_send(c->fd,
			      &(struct lb_msg_hdr){LB_PROTO_MAGIC, LB_MSG_PTY,
						   sizeof(struct lb_msg_hdr)},
			      sizeof(struct lb_msg_hdr), &master, 1, &err);
	spawn_free(&r);
	return;
refuse:
	send_error(c->fd, &err);
	spawn_free(&r);
}

static void agent_drop(struct client *c)
{
	if (c->agent_wait >= 0)
		close(c->agent_wait);
	c->agent_wait = -1;
}

static void client_close(struct client *c)
{
	agent_drop(c);
	if (c->pid > 0 && !c->hungup) {
		/* As a terminal hangup would: the program's session. */
		kill(-c->pid, SIGHUP);
		kill(-c->pid, SIGCONT);
	}
	if (c->pid > 0) {
		c->hungup = true;
		close(c->fd);
		c->fd = -2; /* slot kept until the program is reaped */
		return;
	}
	close(c->fd);
	c->fd = -1;
}

static void handle_client(const struct lb_box *b, struct client *c)
{
	union {
		char buf[LB_PROTO_MAX];
		struct lb_msg_hdr hdr;
	} *u;
	struct lb_err err;
	int fds[3], nfds = 0;
	ssize_t n;

	u = malloc(sizeof(*u));
	if (!u)
		return;
	/* From here every fd received is closed on every path below (the
	 * last line), unless handle_spawn moved it into a request. */
	n = lb_proto_recv(c->fd, u->buf, sizeof(u->buf), fds, 3, &nfds, &err);
	if (n <= 0) {
		client_close(c);
	} else if (u->hdr.type == LB_MSG_SPAWN) {
		handle_spawn(b, c, u->buf, (size_t)n, fds, nfds);
	} else if (u->hdr.type == LB_MSG_AGENT && c->agent_wait >= 0) {
		/* the login's agent: relay the box's connection to it */
		struct stat st;

		if (nfds == 1 && fstat(fds[0], &st) == 0 && S_ISSOCK(st.st_mode))
			agent_relay(c->agent_wait, fds[0], b->inside_uid,
				    b->inside_gid);
		agent_drop(c);
	} else if (u->hdr.type == LB_MSG_ERROR && c->agent_wait >= 0) {
		agent_drop(c); /* refused (agent.h): the box's peer sees EOF */
	} else if (u->hdr.type == LB_MSG_SIGNAL &&
		   (size_t)n >= sizeof(struct lb_msg_int) && c->pid > 0) {
		int sig = ((struct lb_msg_int *)u->buf)->value;

		if (sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP)
			kill(-c->pid, sig);
		else if (sig == SIGKILL)
			kill(-c->pid, SIGKILL);
	}
	lb_proto_close_fds(fds, &nfds);
	free(u);
}

static void accept_client(int lfd, uid_t uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, i;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* The socket is the user's (0600), and the kernel tells us who
	 * connected. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return;
	}
	/* Anyone else is told why (a socket whose mode was opened up, a
	 * forged session id), without blocking on a peer that does not
	 * read. */
	if (cred.uid != uid) {
		struct lb_err err;
		char junk[64];
		int k;

		lb_err_clear(&err);
		/* (cred.uid is as seen in the box: unmapped ids read as
		 * the overflow uid, 65534) */
		lb_fail(&err, 0,
			"connection refused: not this box's user (peer uid %u "
			"in the box)",
			(unsigned)cred.uid);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		send_error(fd, &err);
		/* Unread data at close makes the peer's read fail with
		 * ECONNRESET before it sees the refusal: drop what is there
		 * (attached fds go with it). */
		for (k = 0; k < 8 && recv(fd, junk, sizeof(junk), 0) > 0; k++)
			;
		close(fd);
		return;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd == -1) {
			clients[i] = (struct client){.fd = fd, .agent_wait = -1};
			return;
		}
	close(fd);
}

/*
 * A process of the box opened the agent socket: ask the loginbox-shell of
 * its login (its cgroup leaf), or else of any login that forwards an
 * agent, for a connection to that login's agent (agent.h).
 */
static void agent_accept(const struct lb_box *b, int afd)
{
	struct lb_msg_hdr h = {LB_PROTO_MAGIC, LB_MSG_AGENT, sizeof(h)};
	struct client *best = NULL;
	struct lb_err err;
	pid_t login;
	int fd, i;

	fd = accept4(afd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	login = agent_peer_login(fd, b->inside_uid);
	for (i = 0; login >= 0 && i < MAX_CLIENTS; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0 || c->hungup || !c->agent || c->pid <= 0 ||
		    c->agent_wait >= 0)
			continue;
		if (login > 0 && c->login == login) {
			best = c;
			break;
		}
		if (!best)
			best = c;
	}
	if (!best || lb_proto_send(best->fd, &h, sizeof(h), NULL, 0, &err) < 0) {
		close(fd); /* no agent in any login: ssh-add sees EOF */
		return;
	}
	best->agent_wait = fd;
}

static void reap(void)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			struct lb_err err;

			if (c->pid != pid)
				continue;
			if (c->fd >= 0) {
				lb_proto_send_int(c->fd, LB_MSG_EXIT, status,
						  &err);
				close(c->fd);
			}
			agent_drop(c);
			c->fd = -1;
			c->pid = 0;
			c->hungup = false;
		}
	}
}

static int serve(const struct lb_box *b, int lfd, int afd)
{
	struct pollfd pfd[MAX_CLIENTS + LB_MAX_LOGINS + 4];
	int idx[MAX_CLIENTS + LB_MAX_LOGINS + 4];
	sigset_t mask;
	int sfd, i;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i] = (struct client){.fd = -1, .agent_wait = -1};
	for (;;) {
		int n = 0, nl, first, ai;

		pfd[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		/* the logins socket and each login's pidfd (logins.c) */
		nl = logins_poll_fds(pfd + n, LB_MAX_LOGINS + 1);
		n += nl;
		first = n;
		for (i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd < 0)
				continue;
			idx[n] = i;
			pfd[n++] = (struct pollfd){.fd = clients[i].fd,
						   .events = POLLIN};
		}
		ai = n;
		pfd[n++] = (struct pollfd){.fd = afd, .events = POLLIN};
		if (poll(pfd, (nfds_t)n, logins_timeout_ms()) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			reap();
		}
		if (pfd[1].revents & POLLIN)
			accept_client(lfd, b->user.uid);
		/* The last login left or its process exited without closing
		 * its session (killed): the box goes now.  PID 1 returning
		 * makes the kernel kill every process of the pid namespace;
		 * the node, the session dir and the upper are the closing
		 * helper's or gc's. */
		if (logins_handle(pfd + 2, nl))
			return 0;
		for (i = first; i < ai; i++)
			if (pfd[i].revents && clients[idx[i]].fd == pfd[i].fd)
				handle_client(b, &clients[idx[i]]);
		if (pfd[ai].revents & POLLIN)
			agent_accept(b, afd);
	}
}

int init_main(void *arg)
{
	struct init_args *a = arg;
	struct lb_box *b = a->box;
	struct lb_err err;
	int keep[6];

	lb_err_clear(&err);
	LB_FAULT("init:start");
	if (setup(b, a->sync_fd, &err) < 0) {
		report(a->sync_fd, &err);
		_exit(1);
	}
	LB_FAULT("init:setup");
	/* Only the control socket and the sync channel survive... */
	/* ... and the lock of a persistent upper, held for the box's life. */
	keep[0] = b->control_fd;
	keep[1] = a->sync_fd;
	keep[2] = b->persist_lock_fd;
	/* ... and the pidfd of the login process, to end with it. */
	keep[3] = b->owner_pidfd;
	/* ... and the root-only socket through which logins join. */
	keep[4] = b->logins_fd;
	/* ... and the first login's cgroup leaf (cgroup.c). */
	keep[5] = b->login_cgfd;
	lb_close_from_except(0, keep, ARRAY_SIZE(keep));
	open("/dev/null", O_RDWR); /* 0, 1, 2: never a stray terminal */
	dup2(0, 1);
	dup2(0, 2);
	if (write(a->sync_fd, "K", 1) != 1)
		_exit(1);
	close(a->sync_fd);
	logins_init(b->logins_fd, b->owner_pidfd, b->login_cgfd, b->owner_pid,
		    b->owner_start, box_linger(&b->pol));
	LB_FAULT("init:ready");
	{
		/* ssh -A (agent.h); a box without it still works */
		struct lb_err soft;
		int afd;

		lb_err_clear(&soft);
		afd = agent_listen(b, &soft);
		serve(b, b->control_fd, afd);
	}
	_exit(1);
}
