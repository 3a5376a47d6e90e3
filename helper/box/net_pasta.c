// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * network = pasta: user-mode networking for the box by Debian's pasta
 * (passt), attached to the box's own network namespace.  The design and its
 * security argument are in docs/SECURITY.md ("Network: pasta"); in short:
 *
 *   - pasta never runs as root nor as the user: a child of the helper
 *     becomes the user's first subordinate uid and gid (the owner of the
 *     box's user namespace, userns.c), with no supplementary groups, no
 *     capabilities and no_new_privs, then execs pasta, which joins the
 *     box's user and network namespaces (allowed: its uid owns the user
 *     namespace).  pasta started as root would switch to nobody before
 *     joining and fail on a box namespace.
 *   - /dev/net/tun is 0600 root on hosts without udev: the child gets a
 *     private mount namespace with a small tmpfs on /dev/net holding its
 *     own tun node (10:200) owned by that uid; the host's node is never
 *     changed.  The same namespace gives pasta its resolv.conf (the
 *     non-loopback resolvers, config_pasta.c).
 *   - pasta runs in the host's pid namespace: the box cannot name it, so
 *     it cannot signal, ptrace or read it (SECURITY.md).
 *   - its sockets are host sockets: the host's output chain matches its uid
 *     (meta skuid, set pasta_uids) and refuses the host's own addresses
 *     (any interface: oif lo, fib type local), loopback, link-local,
 *     multicast/broadcast and the loginbox subnets; then jumps to
 *     pasta_egress, empty here, where a per-box egress policy goes.
 *     Created once in the one `inet loginbox` table; a box adds one
 *     element (its uid) and removes it when no other box of that uid uses
 *     pasta (pasta-ID files under /run/loginbox/net, under its lock).
 *   - it lives in a leaf "pasta" of the box's cgroup node and is killed
 *     with the box (teardown by pid and start time, and the node's
 *     cgroup.kill; gc for a box whose session is gone).
 */
#include "net.h"

#include "box.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "paths.h"
#include "syscalls.h"

#define PASTA_LEAF "pasta"
#define PASTA_HINT "network = pasta needs Debian's passt package: apt " \
		   "install passt"
#define NFT_HINT "network = pasta needs nftables to keep the box off the " \
		 "host's addresses: apt install nftables, and a kernel with " \
		 "nf_tables (modprobe nf_tables)"
#define REJECT "counter reject with icmpx type admin-prohibited"

/* Created once (the chain's presence says so, under LB_NET_DIR/.lock). */
static const char ruleset[] =
	"table inet loginbox {\n"
	" set pasta_uids { type uid; }\n"
	" set pasta_dns4 { type ipv4_addr; }\n"
	" set pasta_dns6 { type ipv6_addr; }\n"
	" set pasta_never4 { type ipv4_addr; flags interval; elements = {"
	" 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3 } }\n"
	" set pasta_never6 { type ipv6_addr; flags interval; elements = {"
	" ::/127, ::ffff:0:0/96, fe80::/10, ff00::/8 } }\n"
	" chain pasta_egress {\n }\n"
	" chain pasta_out {\n"
	"  ip daddr @pasta_dns4 meta l4proto { tcp, udp } th dport 53 accept\n"
	"  ip6 daddr @pasta_dns6 meta l4proto { tcp, udp } th dport 53 accept\n"
	"  oifname \"lo\" " REJECT " comment \"host loopback\"\n"
	"  fib daddr type { local, broadcast, anycast, multicast } " REJECT
	" comment \"host addresses\"\n"
	"  ip daddr @pasta_never4 " REJECT " comment \"never4\"\n"
	"  ip6 daddr @pasta_never6 " REJECT " comment \"never6\"\n"
	"  jump pasta_egress\n }\n"
	" chain pasta_output { type filter hook output priority filter - 10;"
	" policy accept;\n"
	"  meta skuid @pasta_uids jump pasta_out\n }\n"
	"}\n";

static int lock_netdir(int dfd, struct lb_err *err)
{
	int lfd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW |
					       O_CLOEXEC, 0600);

	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		lb_fail(err, errno, "lock %s/.lock", LB_NET_DIR);
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	return lfd;
}

/* The record of box ID's pasta: "UID PID START" (PID 0 before it runs). */
struct pasta_rec {
	uid_t uid;
	pid_t pid;
	unsigned long long start;
};

static void rec_name(unsigned long id, char *out, size_t len)
{
	snprintf(out, len, "pasta-%lu", id);
}

static int rec_write(int dfd, unsigned long id, const struct pasta_rec *r,
		     struct lb_err *err)
{
	char name[40], tmp[48], buf[96];
	int fd, n;

	rec_name(id, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), ".%s", name);
	n = snprintf(buf, sizeof(buf), "%u %d %llu\n", (unsigned)r->uid,
		     (int)r->pid, r->start);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				      O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return lb_fail(err, e, "write %s/%s", LB_NET_DIR, tmp);
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) < 0)
		return lb_fail(err, errno, "rename %s/%s", LB_NET_DIR, name);
	return 0;
}

static int rec_read(int dfd, const char *name, struct pasta_rec *r)
{
	char buf[96];
	unsigned u;
	int pid;
	struct lb_err e;

	lb_err_clear(&e);
	if (fs_read_small(dfd, name, buf, sizeof(buf), &e) < 0 ||
	    sscanf(buf, "%u %d %llu", &u, &pid, &r->start) != 3 || u == 0)
		return -1;
	r->uid = u;
	r->pid = pid;
	return 0;
}

int net_pasta_read(unsigned long id, uid_t *uid, pid_t *pid)
{
	cleanup_close int dfd = open(LB_NET_DIR, O_RDONLY | O_DIRECTORY |
						      O_NOFOLLOW | O_CLOEXEC);
	struct pasta_rec r;
	char name[40];

	rec_name(id, name, sizeof(name));
	if (dfd < 0 || rec_read(dfd, name, &r) < 0)
		return -1;
	*uid = r.uid;
	*pid = r.pid;
	return 0;
}

/* Is another box's record naming uid there (its element must stay)? */
static bool uid_in_use(int dfd, uid_t uid, unsigned long except)
{
	char self[40];
	struct dirent *de;
	struct pasta_rec r;
	bool used = false;
	DIR *d;
	int fd = dup(dfd);

	if (fd < 0)
		return true; /* keep the element: fail closed */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return true;
	}
	rec_name(except, self, sizeof(self));
	while (!used && (de = readdir(d)))
		if (!strncmp(de->d_name, "pasta-", 6) &&
		    strcmp(de->d_name, self) != 0 &&
		    rec_read(dfd, de->d_name, &r) == 0 && r.uid == uid)
			used = true;
	closedir(d);
	return used;
}

/* The first IPv4 default gateway of the host's main table ("" if none):
 * pasta gives the box the same one, and the box's resolv.conf names it
 * (pasta answers DNS sent there: --dns-forward). */
static int host_gw4(char *out, size_t len)
{
	cleanup_fclose FILE *f = fopen("/proc/net/route", "re");
	char line[256], ifn[32];
	unsigned dst, gw, flags;

	out[0] = '\0';
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %x %x %x", ifn, &dst, &gw, &flags) != 4 ||
		    dst != 0 || !(flags & 0x2 /* RTF_GATEWAY */) || !gw)
			continue;
		struct in_addr a = {.s_addr = gw};

		inet_ntop(AF_INET, &a, out, (socklen_t)len);
		return 0;
	}
	return -1;
}

/* Rules once, then this box's record and its uid's element, in one
 * transaction with the resolvers' and bridge_subnet's elements. */
static int prepare_host(struct lb_box *b, int dfd, const char *resolv,
			struct lb_err *err)
{
	cleanup_close int lfd = -1;
	struct pasta_rec r = {.uid = b->subuid.start};
	char cmd[1024], ns[64], fam[8];
	const char *p;
	size_t n;

	lfd = lock_netdir(dfd, err);
	if (lfd < 0)
		return -1;
	if (nft_run("list chain inet loginbox pasta_output", NULL, 0, err) < 0) {
		lb_err_clear(err);
		if (nft_run(ruleset, NULL, 0, err) < 0)
			return lb_hint(err, NFT_HINT);
	}
	if (rec_write(dfd, b->id, &r, err) < 0)
		return -1;
	n = (size_t)snprintf(cmd, sizeof(cmd),
			     "add element inet loginbox pasta_uids { %u }\n",
			     (unsigned)r.uid);
	if (b->pol.net_subnet[0])
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n,
				      "add element inet loginbox pasta_never4 "
				      "{ %s }\n", b->pol.net_subnet);
	for (p = resolv; sscanf(p, "nameserver %63s", ns) == 1 &&
			 n < sizeof(cmd) - 128;
	     p = strchr(p, '\n') + 1) {
		snprintf(fam, sizeof(fam), "%s", strchr(ns, ':') ? "6" : "4");
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n,
				      "add element inet loginbox pasta_dns%s "
				      "{ %s }\n", fam, ns);
	}
	if (nft_run(cmd, NULL, 0, err) < 0)
		return lb_hint(err, NFT_HINT);
	return 0;
}

/* The tun driver, loaded on demand by an open of the host's node. */
static int tun_available(struct lb_err *err)
{
	if (access("/sys/class/misc/tun", F_OK) == 0)
		return 0;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	if (access("/sys/class/misc/tun", F_OK) == 0)
		return 0;
	lb_fail(err, ENODEV, "the kernel's tun driver is not available");
	return lb_hint(err, "modprobe tun (CONFIG_TUN), or network = none");
}

struct child_args {
	const struct lb_box *b;
	int userns_fd, pid_w, err_w, procs_fd;
	const char *resolv;
	const char *gw;
};

static void die(const char *what)
{
	dprintf(2, "loginbox: %s: %s\n", what, strerror(errno));
	_exit(127);
}

/* The child, still root: its mount namespace with its own /dev/net/tun
 * and resolv.conf, its cgroup, its identity; then pasta.  Runs between
 * fork and exec: no allocation, errors on fd 2 (the helper reads them). */
static void child(const struct child_args *a)
{
	uid_t uid = a->b->subuid.start;
	gid_t gid = a->b->subgid.start;
	char *envp[] = {NULL};
	int fd;

	if (dup2(a->err_w, 2) < 0 || dup2(a->err_w, 1) < 0)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		die("/dev/null");
	/* Leave the helper's mount namespace (the box's mounts) first. */
	if (setns(a->b->host_mntns_fd, CLONE_NEWNS) < 0 ||
	    unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private mount namespace");
	if (mount("tmpfs", "/dev/net", "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=64k") < 0)
		die("tmpfs on /dev/net");
	if (mknod("/dev/net/tun", S_IFCHR | 0600, makedev(10, 200)) < 0 ||
	    chown("/dev/net/tun", uid, gid) < 0)
		die("mknod /dev/net/tun");
	if (a->resolv[0]) {
		fd = open("/dev/net/resolv.conf", O_WRONLY | O_CREAT | O_EXCL |
							  O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, a->resolv, strlen(a->resolv)) < 0)
			die("write pasta's resolv.conf");
		close(fd);
		if (mount("/dev/net/resolv.conf", "/etc/resolv.conf", NULL,
			  MS_BIND, NULL) < 0)
			die("bind pasta's resolv.conf on /etc/resolv.conf");
	}
	/* Only now into the box's cgroup leaf: the box's device program
	 * (devcg.c) covers the leaf and denies every mknod; it allows pasta
	 * to open the tun node made above (10:200), which the box has none
	 * of. */
	if (a->procs_fd >= 0 && write(a->procs_fd, "0", 1) != 1)
		die("move into the box's cgroup leaf " PASTA_LEAF);
	if (chdir("/") < 0)
		die("chdir /");
	/* pasta reopens the pid pipe by /proc/self/fd/5 as the subordinate
	 * uid: the pipe's inode is made its own (it is nobody else's). */
	if (fchown(a->pid_w, uid, gid) < 0)
		die("chown the pid pipe");
	/* Fixed fds 3, 4, 5: the box's netns, userns, the pid pipe (moved
	 * out of the way first: any of them may be 3, 4 or 5 now). */
	int nfd = fcntl(a->b->netns_fd, F_DUPFD, 100);
	int ufd = fcntl(a->userns_fd, F_DUPFD, 100);
	int wfd = fcntl(a->pid_w, F_DUPFD, 100);

	if (nfd < 0 || ufd < 0 || wfd < 0 || dup2(nfd, 3) < 0 ||
	    dup2(ufd, 4) < 0 || dup2(wfd, 5) < 0)
		die("dup2");
	if (syscall(SYS_close_range, 6, ~0U, 0) < 0)
		die("close_range");
	/* Nothing of root's is kept: no groups, all ids the subordinate
	 * uid's, an empty bounding set, no ambient caps, no_new_privs.
	 * setresuid away from 0 clears the permitted set (securebits 0). */
	if (prctl(PR_SET_SECUREBITS, 0) < 0)
		die("securebits");
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		die("ambient capabilities");
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		die("change to the subordinate uid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	/* Nothing published or forwarded in either direction; the gateway
	 * is the real gateway, never the host's loopback. */
	char *argv[] = {
		(char *)"pasta", (char *)"--quiet",
		(char *)"--netns", (char *)"/proc/self/fd/3",
		(char *)"--userns", (char *)"/proc/self/fd/4",
		(char *)"--pid", (char *)"/proc/self/fd/5",
		(char *)"-t", (char *)"none", (char *)"-u", (char *)"none",
		(char *)"-T", (char *)"none", (char *)"-U", (char *)"none",
		(char *)"--no-map-gw", (char *)"--config-net",
		(char *)"--ns-ifname", (char *)"eth0",
		(char *)"--mtu", (char *)"65520",
		(char *)"--dns-forward", (char *)a->gw, NULL,
	};

	if (!a->resolv[0] || !a->gw[0])
		argv[ARRAY_SIZE(argv) - 3] = NULL;
	execve(LB_PASTA_BIN, argv, envp);
	die("exec " LB_PASTA_BIN);
}

/* pasta's messages, without the "Failed to send N bytes to syslog" lines
 * it prints when there is no syslog: its last one. */
static void last_message(int fd, char *out, size_t len)
{
	char buf[4096], *line, *save = NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	snprintf(out, len, "no message");
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "Failed to send", 14) != 0 && *line)
			snprintf(out, len, "%s", line);
}

static int start_pasta(struct lb_box *b, int dfd, const char *resolv,
		       const char *gw, struct lb_err *err)
{
	cleanup_close int userns_fd = -1, procs_fd = -1, pfd = -1;
	cleanup_close int pid_r = -1, err_r = -1;
	int pp[2], ep[2], status = 0;
	struct child_args a = {.b = b, .resolv = resolv, .gw = gw};
	struct pasta_rec r = {.uid = b->subuid.start};
	char path[64], msg[256], buf[32];
	struct pollfd p;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)b->init_pid);
	userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (userns_fd < 0)
		return lb_fail(err, errno, "open %s", path);
	if (b->have_cgroup && b->cgfd >= 0) {
		cleanup_close int leaf = -1;

		if (mkdirat(b->cgfd, PASTA_LEAF, 0755) < 0 && errno != EEXIST)
			return lb_fail(err, errno, "mkdir %s/" PASTA_LEAF,
				       b->cg_path);
		leaf = openat(b->cgfd, PASTA_LEAF, O_RDONLY | O_DIRECTORY |
							   O_NOFOLLOW | O_CLOEXEC);
		procs_fd = leaf < 0 ? -1 : openat(leaf, "cgroup.procs",
						  O_WRONLY | O_CLOEXEC);
		if (procs_fd < 0)
			return lb_fail(err, errno, "open %s/" PASTA_LEAF
				       "/cgroup.procs", b->cg_path);
	}
	if (pipe2(pp, O_CLOEXEC) < 0)
		return lb_fail(err, errno, "pipe");
	pid_r = pp[0];
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(pp[1]);
		return lb_fail(err, errno, "pipe");
	}
	err_r = ep[0];
	a.userns_fd = userns_fd;
	a.pid_w = pp[1];
	a.err_w = ep[1];
	a.procs_fd = procs_fd;
	pid = fork();
	if (pid == 0)
		child(&a);
	close(pp[1]);
	close(ep[1]);
	if (pid < 0)
		return lb_fail(err, errno, "fork for pasta");
	/* pasta forks its daemon once the box's eth0 is configured, writes
	 * its pid to fd 5 and exits 0: then the network is up. */
	pfd = pidfd_open(pid, 0);
	p = (struct pollfd){.fd = pfd, .events = POLLIN};
	if (pfd >= 0 && poll(&p, 1, 10000) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return lb_fail(err, ETIMEDOUT, "pasta did not finish its setup "
			       "in 10 s");
	}
	waitpid(pid, &status, 0);
	fcntl(err_r, F_SETFL, O_NONBLOCK);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		last_message(err_r, msg, sizeof(msg));
		lb_fail(err, 0, "%s failed (%s %d): %s", LB_PASTA_BIN,
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status)
					  : WTERMSIG(status), msg);
		return lb_hint(err, "pasta runs as uid %u, the user's first "
			       "subordinate uid; `loginbox check` says what "
			       "network = pasta needs",
			       (unsigned)b->subuid.start);
	}
	fcntl(pid_r, F_SETFL, O_NONBLOCK);
	n = read(pid_r, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	r.pid = (pid_t)atoi(buf);
	if (r.pid <= 1)
		return lb_fail(err, ESRCH, "pasta gave no pid");
	r.start = proc_start_time(r.pid);
	if (!r.start)
		return lb_fail(err, ESRCH, "pasta (pid %d) ended right after "
			       "its setup", (int)r.pid);
	return rec_write(dfd, b->id, &r, err);
}

static int pasta_setup(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int dfd = -1;
	char resolv[512], gw[INET_ADDRSTRLEN];
	const char *src;

	if (access(LB_PASTA_BIN, X_OK) < 0) {
		lb_fail(err, errno, "%s (apt install passt)", LB_PASTA_BIN);
		return lb_hint(err, PASTA_HINT);
	}
	if (b->subuid.start == 0 || b->subgid.start == 0)
		return lb_fail(err, EINVAL, "no subordinate uid for pasta");
	if (tun_available(err) < 0)
		return -1;
	if (lb_pasta_resolvers(resolv, sizeof(resolv), &src) == 0)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "user %s: network = pasta: "
		       "no resolver for the box (%s names only loopback)",
		       b->user.name, src);
	host_gw4(gw, sizeof(gw));
	dfd = net_open_dir(err);
	if (dfd < 0 || prepare_host(b, dfd, resolv, err) < 0)
		return -1;
	/* From here box_abort's teardown ends what exists (the record). */
	return start_pasta(b, dfd, resolv, gw, err);
}

/* End box ID's pasta (the pid only if its start time still matches), drop
 * its uid's element unless another box's pasta uses it, and its record.
 * A logout's teardown runs in the box's network namespace (the login
 * joined it, pam_loginbox.c), where the loginbox table is not: pasta lives
 * in the host's, so its namespace is joined before it is killed.  If the
 * element cannot be dropped, the record stays (pid 0) for gc to finish. */
static void release(int dfd, unsigned long id)
{
	char name[40], cmd[128];
	struct pasta_rec r;
	struct lb_err e;
	int lfd, ok = 0;

	rec_name(id, name, sizeof(name));
	if (rec_read(dfd, name, &r) < 0)
		return;
	if (r.pid > 1 && r.start) {
		cleanup_close int pfd = pidfd_open(r.pid, 0);

		if (pfd >= 0 && proc_start_time(r.pid) == r.start) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			char path[64];
			int nfd;

			snprintf(path, sizeof(path), "/proc/%d/ns/net",
				 (int)r.pid);
			nfd = open(path, O_RDONLY | O_CLOEXEC);
			if (nfd >= 0) {
				if (setns(nfd, CLONE_NEWNET) < 0)
					syslog(LOG_AUTHPRIV | LOG_WARNING,
					       "box %lu: setns to pasta's "
					       "network namespace: %m", id);
				close(nfd);
			}
			pidfd_send_signal(pfd, SIGKILL, NULL, 0);
			poll(&p, 1, 2000);
		}
	}
	lb_err_clear(&e);
	lfd = lock_netdir(dfd, &e);
	if (uid_in_use(dfd, r.uid, id)) {
		ok = 1;
	} else {
		snprintf(cmd, sizeof(cmd),
			 "delete element inet loginbox pasta_uids { %u }",
			 (unsigned)r.uid);
		lb_err_clear(&e);
		ok = nft_run(cmd, NULL, 0, &e) == 0;
	}
	if (ok) {
		unlinkat(dfd, name, 0);
	} else {
		r.pid = 0;
		r.start = 0;
		lb_err_clear(&e);
		rec_write(dfd, id, &r, &e);
	}
	if (lfd >= 0)
		close(lfd);
}

static void pasta_teardown(const struct lb_state *st)
{
	cleanup_close int dfd = open(LB_NET_DIR, O_RDONLY | O_DIRECTORY |
						      O_NOFOLLOW | O_CLOEXEC);

	if (dfd >= 0)
		release(dfd, st->id);
}

/* Records whose session directory is gone: a helper killed before its
 * state file, or a teardown cut short. */
static void pasta_gc(bool verbose)
{
	cleanup_close int dfd = open(LB_NET_DIR, O_RDONLY | O_DIRECTORY |
						      O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int fd;

	if (dfd < 0 || (fd = dup(dfd)) < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char run[64];
		unsigned long id;

		if (strncmp(de->d_name, "pasta-", 6) != 0 ||
		    session_parse_id(de->d_name + 6, &id) < 0)
			continue;
		snprintf(run, sizeof(run), "%s/%lu", LB_RUNDIR, id);
		if (access(run, F_OK) == 0)
			continue;
		release(dfd, id);
		if (verbose)
			printf("gc: pasta of session %lu: ended\n", id);
	}
	closedir(d);
}

/*
 * The box's /etc/resolv.conf: the gateway, where pasta answers DNS
 * (--dns-forward) with the host's resolvers.  The image's file is often a
 * link into /run, which is the box's own: replaced in the session's upper.
 */
int net_pasta_resolv_conf(const struct lb_box *b, int rootfd,
			  struct lb_err *err)
{
	char ns[512], gw[INET_ADDRSTRLEN], out[64];
	const char *src;

	if (b->pol.network != LB_NET_PASTA ||
	    lb_pasta_resolvers(ns, sizeof(ns), &src) == 0 ||
	    host_gw4(gw, sizeof(gw)) < 0)
		return 0;
	snprintf(out, sizeof(out), "nameserver %s\n", gw);
	return net_write_resolv_conf(b, rootfd, out, err);
}

const struct lb_net_ops net_ops_pasta = {
	.name = "pasta",
	.setup = pasta_setup,
	.teardown = pasta_teardown,
	.gc = pasta_gc,
};
