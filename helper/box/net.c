// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's network: a fresh network namespace with only loopback, up
 * (network = none).  SIOCSIFFLAGS on an inet socket is all it takes; no
 * rtnetlink needed for one flag.
 */
#include "net.h"

#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"

int net_lo_up(struct lb_err *err)
{
	cleanup_close int s = -1;
	struct ifreq ifr;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return lb_fail(err, errno, "socket for lo");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return lb_fail(err, errno, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return lb_fail(err, errno, "bring lo up");
	return 0;
}

/* network = none: lo only (init brings it up); nothing on the host. */
static int none_setup(struct lb_box *b, struct lb_err *err)
{
	(void)b;
	(void)err;
	return 0;
}

static void none_teardown(const struct lb_state *st)
{
	(void)st;
}

static void none_gc(bool verbose)
{
	(void)verbose;
}

const struct lb_net_ops net_ops_none = {
	.name = "none",
	.setup = none_setup,
	.teardown = none_teardown,
	.gc = none_gc,
};

const struct lb_net_ops *net_ops_for(enum lb_network m)
{
	if (m == LB_NET_PASTA)
		return &net_ops_pasta;
	return m == LB_NET_BRIDGE ? &net_ops_bridge : &net_ops_none;
}

int net_setup(struct lb_box *b, struct lb_err *err)
{
	const struct lb_net_ops *ops = net_ops_for(b->pol.network);

	snprintf(b->net_mode, sizeof(b->net_mode), "%s", ops->name);
	if (ops->setup(b, err) < 0)
		return lb_prefix(err, "network = %s", ops->name);
	return 0;
}

/*
 * Teardown runs where its caller is, and `loginbox-helper close` is started
 * by the login process, which joined the box's netns (pam_loginbox.c, so
 * that sshd's forwardings land there): the host's nftables table and the
 * box's host interface are in the host's netns, PID 1's.  Entered for the
 * duration; the fd of our own to come back.  -1: nothing to undo.
 */
static int enter_host_netns(void)
{
	struct stat a, b;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int host = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0 || host < 0 || fstat(self, &a) < 0 || fstat(host, &b) < 0 ||
	    (a.st_dev == b.st_dev && a.st_ino == b.st_ino) ||
	    setns(host, CLONE_NEWNET) < 0) {
		if (self >= 0)
			close(self);
		self = -1;
	}
	if (host >= 0)
		close(host);
	return self;
}

static void leave_host_netns(int self)
{
	if (self < 0)
		return;
	if (setns(self, CLONE_NEWNET) < 0)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "network teardown: setns "
		       "back to the caller's netns: %m");
	close(self);
}

void net_teardown(const struct lb_state *st)
{
	int self;

	if (strcmp(st->net_mode, "bridge") != 0 &&
	    strcmp(st->net_mode, "pasta") != 0)
		return;
	self = enter_host_netns();
	if (strcmp(st->net_mode, "bridge") == 0)
		net_ops_bridge.teardown(st);
	else
		net_ops_pasta.teardown(st);
	leave_host_netns(self);
}

void net_gc(bool verbose)
{
	net_ops_bridge.gc(verbose);
	net_ops_pasta.gc(verbose);
}

int net_open_dir(struct lb_err *err)
{
	struct stat st;
	int fd;

	if (mkdir(LB_NET_DIR, 0700) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir %s", LB_NET_DIR);
	fd = open(LB_NET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", LB_NET_DIR);
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return lb_fail(err, EPERM, "%s is not root's 0700: refusing",
			       LB_NET_DIR);
	}
	return fd;
}

/* The box's own /etc/resolv.conf, TEXT, in the session's upper beneath
 * rootfd (the image's is often a link into /run, the box's own there):
 * replaced by a plain file, never following a link. */
int net_write_resolv_conf(const struct lb_box *b, int rootfd,
			  const char *text, struct lb_err *err)
{
	cleanup_close int dfd = -1, fd = -1;
	size_t n = strlen(text);
	ssize_t w;

	dfd = fs_open_in_root(rootfd, "/etc", O_DIRECTORY, err);
	if (dfd < 0)
		return -1;
	if (unlinkat(dfd, "resolv.conf", 0) < 0 && errno != ENOENT)
		return lb_fail(err, errno, "image %s: remove /etc/resolv.conf",
			       b->pol.image);
	fd = openat(dfd, "resolv.conf", O_WRONLY | O_CREAT | O_EXCL |
						 O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return lb_fail(err, errno, "image %s: create /etc/resolv.conf",
			       b->pol.image);
	w = write(fd, text, n);
	if (w != (ssize_t)n) /* a short write sets no errno */
		return lb_fail(err, w < 0 ? errno : EIO,
			       "image %s: write /etc/resolv.conf", b->pol.image);
	return 0;
}
