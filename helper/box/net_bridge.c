// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * network = bridge: a routed veth pair per box (no bridge device).
 *
 *   host netns                         box netns
 *   lbhID  GW/32 peer ADDR   <---->    eth0  ADDR/32 peer GW, default via GW
 *
 * GW is the first address of [global] bridge_subnet, on every host end;
 * each box leases one other address (/run/loginbox/net/ADDR holds the
 * session id, created O_EXCL).  Routed /32s instead of a bridge: boxes share
 * no layer 2 (no ARP spoofing of one another, no bridge to misconfigure), and
 * the kernel's route to ADDR names exactly one interface.
 *
 * nftables, one table `inet loginbox`, created once (under a lock) and then
 * only one set element per box (src4: "lbhID" . ADDR), added and deleted in
 * one transaction each: a box costs one update, never a ruleset reload.
 * The rules (SECURITY.md, "Network"):
 *   - anti-spoofing: from an lbh* interface only its leased source address;
 *     the element is in before the interface exists, so a box is never up
 *     without it; IPv6 from boxes is dropped (not offered yet);
 *   - never reachable from a box: this host (input: every local address,
 *     whatever interface it is on), loopback, link-local 169.254.0.0/16 (cloud
 *     metadata), the loginbox subnet (other boxes), multicast/broadcast;
 *     refused with ICMP admin-prohibited, which the box sees as "No route
 *     to host", not as a timeout;
 *   - nothing starts a connection into a box: not another box, not the host
 *     (output chain), not the outside;
 *   - masquerade from lbh* to anywhere else.
 * Host-wide side effects: net.ipv4.ip_forward is set to 1 (logged).  A
 * forward base chain of another table with policy drop (Docker, ufw,
 * firewalld through iptables-nft) would drop the boxes' traffic whatever
 * this table accepts: it is detected and the login refused, naming it.
 */
#include "net.h"

#include "box.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "macros.h"
#include "paths.h"

#define NET_DIR LB_RUNDIR "/net"
#define IF_PREFIX "lbh"
#define NFT_HINT "network = bridge needs nftables: apt install nftables, " \
		 "and a kernel with nf_tables (modprobe nf_tables)"

static void if_name(unsigned long id, char *out, size_t len)
{
	snprintf(out, len, IF_PREFIX "%lu", id);
}

static const char ruleset[] =
	"table inet loginbox {\n"
	" set src4 { type ifname . ipv4_addr;\n }\n"
	" set never4 { type ipv4_addr; flags interval; elements = {"
	" 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3, %s }\n }\n"
	" chain forward { type filter hook forward priority filter - 10;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" jump from_box\n"
	"  oifname \"" IF_PREFIX "*\" jump to_box\n }\n"
	" chain from_box {\n"
	"  iifname . ip saddr != @src4 counter drop comment \"anti-spoofing\"\n"
	"  meta nfproto != ipv4 counter drop\n"
	"  ip daddr @never4 counter reject with icmpx type admin-prohibited\n"
	"  accept\n }\n"
	" chain to_box {\n"
	"  ct state established,related accept\n"
	"  counter reject with icmpx type admin-prohibited\n }\n"
	" chain input { type filter hook input priority filter - 10;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" jump box_in\n }\n"
	" chain box_in {\n"
	"  iifname . ip saddr != @src4 counter drop comment \"anti-spoofing\"\n"
	"  ct state established,related accept\n"
	"  counter reject with icmpx type admin-prohibited\n }\n"
	" chain output { type filter hook output priority filter - 10;"
	" policy accept;\n"
	"  oifname \"" IF_PREFIX "*\" ct state established,related accept\n"
	"  oifname \"" IF_PREFIX "*\" counter reject with icmpx type"
	" admin-prohibited\n }\n"
	" chain postrouting { type nat hook postrouting priority srcnat;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" oifname != \"" IF_PREFIX "*\" masquerade\n }\n"
	"}\n";

static int open_netdir(struct lb_err *err)
{
	struct stat st;
	int fd;

	if (mkdir(NET_DIR, 0700) < 0 && errno != EEXIST)
		return lb_fail(err, errno, "mkdir %s", NET_DIR);
	fd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open %s", NET_DIR);
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return lb_fail(err, EPERM, "%s is not root's 0700: refusing",
			       NET_DIR);
	}
	return fd;
}

/*
 * A forward base chain of another table that drops: an accept of ours is
 * not final (every base chain of the hook sees the packet), a drop of
 * theirs is.  Policy drop is what Docker, ufw and iptables-nft setups
 * leave; a drop rule inside such a chain is not seen here (SECURITY.md).
 */
static int foreign_forward_drop(bool *ours, struct lb_err *err)
{
	char out[16384], table[128] = "", chain[128] = "", *line, *save = NULL;

	if (nft_run("list chains", out, sizeof(out), err) < 0)
		return lb_hint(err, NFT_HINT);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		char fam[16], name[96];

		if (sscanf(line, "table %15s %95[^{ ]", fam, name) == 2) {
			snprintf(table, sizeof(table), "%s %s", fam, name);
			continue;
		}
		if (sscanf(line, "chain %127[^{ ]", chain) == 1) {
			if (!strcmp(table, "inet loginbox") &&
			    !strcmp(chain, "postrouting"))
				*ours = true;
			continue;
		}
		if (strstr(line, "hook forward") && strstr(line, "policy drop") &&
		    strcmp(table, "inet loginbox") != 0) {
			lb_fail(err, 0, "nftables table `%s` chain `%s` drops "
				"forwarded packets (policy drop): the boxes' "
				"traffic would be dropped whatever loginbox "
				"accepts", table, chain);
			return lb_hint(err, "let the boxes' interfaces through "
				       "there: iifname \"" IF_PREFIX "*\" accept "
				       "and oifname \"" IF_PREFIX "*\" ct state "
				       "established,related accept (Docker: the "
				       "DOCKER-USER chain; ufw: ufw route allow "
				       "in on " IF_PREFIX "+), or use network = "
				       "none");
		}
	}
	return 0;
}

static int ensure_forwarding(struct lb_err *err)
{
	char v[8] = "";
	cleanup_close int fd = -1;
	ssize_t w;

	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open /proc/sys/net/ipv4/ip_forward");
	if (read(fd, v, sizeof(v) - 1) > 0 && v[0] == '1')
		return 0;
	w = pwrite(fd, "1\n", 2, 0);
	if (w != 2)
		return lb_fail(err, w < 0 ? errno : EIO,
			       "set net.ipv4.ip_forward = 1");
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "network = bridge: set "
	       "net.ipv4.ip_forward = 1 (host-wide)");
	return 0;
}

/* The table once, the foreign-drop check and forwarding every time (a
 * firewall may have come since). */
static int prepare_host(int dfd, const char *subnet, struct lb_err *err)
{
	cleanup_close int lfd = -1;
	bool ours = false;
	char buf[2048];

	lfd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0)
		return lb_fail(err, errno, "lock %s/.lock", NET_DIR);
	/* One listing: the foreign drops, and whether the table exists
	 * (its last chain). */
	if (foreign_forward_drop(&ours, err) < 0)
		return -1;
	if (!ours) {
		snprintf(buf, sizeof(buf), ruleset, subnet);
		if (nft_run(buf, NULL, 0, err) < 0)
			return lb_hint(err, NFT_HINT);
	}
	return ensure_forwarding(err);
}

static int take_lease(struct lb_box *b, int dfd, uint32_t net, int prefix,
		      uint32_t *addr, struct lb_err *err)
{
	uint32_t first = net + 2, n = (1u << (32 - prefix)) - 3, i;
	char name[INET_ADDRSTRLEN], id[24];

	for (i = 0; i < n; i++) {
		struct in_addr a = {.s_addr = htonl(first + (uint32_t)((b->id + i) % n))};
		int fd;

		inet_ntop(AF_INET, &a, name, sizeof(name));
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					       O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return lb_fail(err, errno, "lease %s/%s", NET_DIR, name);
		snprintf(id, sizeof(id), "%lu\n", b->id);
		if (write(fd, id, strlen(id)) != (ssize_t)strlen(id)) {
			int e = errno;

			close(fd);
			unlinkat(dfd, name, 0);
			return lb_fail(err, e, "write %s/%s", NET_DIR, name);
		}
		close(fd);
		*addr = ntohl(a.s_addr);
		snprintf(b->net_addr, sizeof(b->net_addr), "%s", name);
		return 0;
	}
	lb_fail(err, EADDRNOTAVAIL, "bridge_subnet %s is exhausted: every "
		"address is leased to a box", b->pol.net_subnet);
	return lb_hint(err, "a larger bridge_subnet in [global] of "
		       "loginbox.conf, or `loginbox gc` for leftovers");
}

/* The box's end, configured from inside its netns (addresses do not
 * survive a move between namespaces, so the peer is born there). */
static int setup_box_end(struct lb_box *b, uint32_t addr, uint32_t gw,
			 struct lb_err *err)
{
	cleanup_close int self = -1, fd = -1;
	int idx, r = -1;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return lb_fail(err, errno, "open /proc/self/ns/net");
	if (setns(b->netns_fd, CLONE_NEWNET) < 0)
		return lb_fail(err, errno, "setns into the box's netns");
	fd = rtnl_open(err);
	idx = (int)if_nametoindex("eth0");
	if (fd >= 0 && idx <= 0)
		lb_fail(err, errno, "eth0 in the box");
	else if (fd >= 0 && rtnl_addr_p2p(fd, idx, addr, gw, err) == 0 &&
		 rtnl_up(fd, idx, err) == 0 &&
		 rtnl_default_route(fd, idx, gw, err) == 0)
		r = 0;
	if (setns(self, CLONE_NEWNET) < 0)
		return lb_fail(err, errno, "setns back to the host's netns");
	return r;
}

static int bridge_setup(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int dfd = -1, nl = -1;
	uint32_t net, addr = 0, gw;
	char cmd[256];
	int prefix, idx;

	if (!b->pol.net_subnet[0] ||
	    lb_net_parse_subnet(b->pol.net_subnet, &net, &prefix) < 0) {
		lb_fail(err, EINVAL, "no [global] bridge_subnet");
		return lb_hint(err, "set bridge_subnet = A.B.C.D/N in [global] "
			       "of loginbox.conf: a range used nowhere else");
	}
	gw = net + 1;
	dfd = open_netdir(err);
	if (dfd < 0 || prepare_host(dfd, b->pol.net_subnet, err) < 0)
		return -1;
	if_name(b->id, b->net_if, sizeof(b->net_if));
	if (take_lease(b, dfd, net, prefix, &addr, err) < 0) {
		b->net_if[0] = '\0';
		return -1;
	}
	/* From here box_abort's teardown undoes what exists (state file). */
	snprintf(cmd, sizeof(cmd),
		 "add element inet loginbox src4 { \"%s\" . %s }", b->net_if,
		 b->net_addr);
	if (nft_run(cmd, NULL, 0, err) < 0)
		return -1;
	nl = rtnl_open(err);
	if (nl < 0 || rtnl_veth(nl, b->net_if, "eth0", b->netns_fd, err) < 0)
		return -1;
	idx = (int)if_nametoindex(b->net_if);
	if (idx <= 0)
		return lb_fail(err, errno, "interface %s", b->net_if);
	if (rtnl_addr_p2p(nl, idx, gw, addr, err) < 0 ||
	    setup_box_end(b, addr, gw, err) < 0 || rtnl_up(nl, idx, err) < 0)
		return -1;
	return 0;
}

/* Everything of box ID: its element, its interface (gone with the netns
 * unless something else holds that), its lease.  Names are rebuilt from
 * the id; the address is checked to be one. */
static void release(unsigned long id, const char *addr)
{
	char ifn[16], cmd[256], buf[32], name[INET_ADDRSTRLEN];
	struct in_addr a;
	struct lb_err e;
	unsigned long owner;
	int nl;

	if_name(id, ifn, sizeof(ifn));
	if (inet_pton(AF_INET, addr, &a) == 1) {
		inet_ntop(AF_INET, &a, name, sizeof(name));
		snprintf(cmd, sizeof(cmd),
			 "delete element inet loginbox src4 { \"%s\" . %s }",
			 ifn, name);
		lb_err_clear(&e);
		nft_run(cmd, NULL, 0, &e);
	} else {
		name[0] = '\0';
	}
	lb_err_clear(&e);
	nl = rtnl_open(&e);
	if (nl >= 0) {
		rtnl_del(nl, ifn);
		close(nl);
	}
	if (name[0]) {
		int dfd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						O_CLOEXEC);

		if (dfd < 0)
			return;
		lb_err_clear(&e);
		if (fs_read_small(dfd, name, buf, sizeof(buf), &e) >= 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (session_parse_id(buf, &owner) == 0 && owner == id)
				unlinkat(dfd, name, 0);
		}
		close(dfd);
	}
}

static void bridge_teardown(const struct lb_state *st)
{
	release(st->id, st->net_addr);
}

/* Leases whose session directory is gone: a helper killed between the
 * lease and its state file, or a teardown cut short. */
static void bridge_gc(bool verbose)
{
	struct dirent *de;
	DIR *d = opendir(NET_DIR);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char buf[32], run[64];
		unsigned long id;
		struct lb_err e;

		if (de->d_name[0] == '.')
			continue;
		lb_err_clear(&e);
		if (fs_read_small(dirfd(d), de->d_name, buf, sizeof(buf), &e) < 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (session_parse_id(buf, &id) < 0)
			continue;
		snprintf(run, sizeof(run), "%s/%lu", LB_RUNDIR, id);
		if (access(run, F_OK) == 0)
			continue;
		release(id, de->d_name);
		if (verbose)
			printf("gc: network lease %s of session %lu: released\n",
			       de->d_name, id);
	}
	closedir(d);
}

/*
 * The box's resolver: bridge_dns, else the host's non-loopback
 * nameservers (a 127.0.0.53 stub is a host address, which no box reaches).
 * The image's /etc/resolv.conf is often a link into /run, which is the
 * box's own there: replaced in the session's upper by a plain file.
 */
int net_resolv_conf(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	cleanup_close int dfd = -1, fd = -1;
	char host[4096], out[1024] = "", *line, *save = NULL;
	size_t n = 0;
	ssize_t w;
	struct lb_err e;

	if (b->pol.network != LB_NET_BRIDGE)
		return 0;
	if (b->pol.net_dns[0]) {
		n = (size_t)snprintf(out, sizeof(out), "nameserver %s\n",
				     b->pol.net_dns);
	} else {
		lb_err_clear(&e);
		if (fs_read_small(AT_FDCWD, "/etc/resolv.conf", host,
				  sizeof(host), &e) < 0)
			host[0] = '\0';
		for (line = strtok_r(host, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char ns[64];
			struct in_addr a;

			if (sscanf(line, "nameserver %63s", ns) != 1 ||
			    inet_pton(AF_INET, ns, &a) != 1 ||
			    (ntohl(a.s_addr) >> 24) == 127 || n > 900)
				continue;
			n += (size_t)snprintf(out + n, sizeof(out) - n,
					      "nameserver %s\n", ns);
		}
	}
	if (!n) {
		syslog(LOG_AUTHPRIV | LOG_WARNING, "user %s: network = bridge: "
		       "no resolver for the box (set bridge_dns in [global]; "
		       "the host's resolv.conf names only loopback)",
		       b->user.name);
		return 0;
	}
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
	w = write(fd, out, n);
	if (w != (ssize_t)n) /* a short write sets no errno */
		return lb_fail(err, w < 0 ? errno : EIO,
			       "image %s: write /etc/resolv.conf", b->pol.image);
	return 0;
}

const struct lb_net_ops net_ops_bridge = {
	.name = "bridge",
	.setup = bridge_setup,
	.teardown = bridge_teardown,
	.gc = bridge_gc,
};
