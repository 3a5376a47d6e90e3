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
 * nftables, one table `inet loginbox`, created once (under a lock); then a
 * box is its elements only, keyed by its host interface "lbhID" (src4/src6
 * address pairs, dns4, the egress sets of nft_egress.c), added in one
 * transaction and deleted by key: never a ruleset reload.
 * The rules (SECURITY.md, "Network"):
 *   - anti-spoofing: from an lbh* interface only its leased source
 *     addresses; the elements are in before the interface exists, so a box
 *     is never up without them;
 *   - never reachable from a box, whatever egress says: this host (input:
 *     every local address, whatever interface it is on, including ones
 *     added later), loopback, link-local (169.254/16, fe80::/10: cloud
 *     metadata), the loginbox subnets (other boxes), multicast, a
 *     destination the host's own DNAT rewrote; refused with ICMP
 *     admin-prohibited, which the box sees as "No route to host";
 *   - then egress: what the box's elements allow, else refused;
 *   - DNS: port 53 on the gateway is DNATed to the host's loopback
 *     resolver when it has one (route_localnet on that interface only);
 *   - nothing starts a connection into a box: not another box, not the host
 *     (output chain), not the outside;
 *   - masquerade from lbh* to anywhere else (NAT66 too).
 * Host-wide side effects: ip_forward (and IPv6 forwarding with accept_ra
 * 1 -> 2) are set (logged).  A foreign forward drop (nft.c) refuses the
 * login, naming it.
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
#include "nft_egress.h"
#include "paths.h"

#define IF_PREFIX "lbh"
#define NFT_HINT "network = bridge needs nftables: apt install nftables, " \
		 "and a kernel with nf_tables (modprobe nf_tables)"

static void if_name(unsigned long id, char *out, size_t len)
{
	snprintf(out, len, IF_PREFIX "%lu", id);
}

/* The table, once (%1$s: bridge_subnet, %2$s: its gateway, %3$s:
 * bridge_subnet6 or nothing, %4$s/%5$s: the egress sets and rules). */
static const char ruleset[] =
	"table inet loginbox {\n"
	" set src4 { type ifname . ipv4_addr; }\n"
	" set src6 { type ifname . ipv6_addr; }\n"
	" set never4 { type ipv4_addr; flags interval; elements = {"
	" 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3, %1$s }; }\n"
	" set never6 { type ipv6_addr; flags interval; elements = {"
	" ::/127, ::ffff:0:0/96, fe80::/10, ff00::/8%3$s }; }\n"
	" map dns4 { type ifname : ipv4_addr; }\n"
	"%4$s"
	" chain forward { type filter hook forward priority filter - 10;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" jump from_box\n"
	"  oifname \"" IF_PREFIX "*\" jump to_box\n }\n"
	" chain from_box {\n"
	"  iifname . ip saddr != @src4 counter drop comment \"anti-spoofing\"\n"
	"  iifname . ip6 saddr != @src6 counter drop comment \"anti-spoofing\"\n"
	"  ct state established,related accept\n"
	"  ip daddr @never4 counter reject with icmpx type admin-prohibited"
	" comment \"never\"\n"
	"  ip6 daddr @never6 counter reject with icmpx type admin-prohibited"
	" comment \"never\"\n"
	"  ct status dnat counter reject with icmpx type admin-prohibited"
	" comment \"host DNAT\"\n"
	"%5$s"
	"  counter reject with icmpx type admin-prohibited comment \"egress\"\n"
	" }\n"
	" chain to_box {\n"
	"  ct state established,related accept\n"
	"  counter reject with icmpx type admin-prohibited\n }\n"
	" chain input { type filter hook input priority filter - 10;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" jump box_in\n }\n"
	" chain box_in {\n"
	"  icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert }"
	" ip6 hoplimit 255 accept\n"
	"  iifname . ip saddr != @src4 counter drop comment \"anti-spoofing\"\n"
	"  iifname . ip6 saddr != @src6 counter drop comment \"anti-spoofing\"\n"
	"  ct state established,related accept\n"
	"  ct status dnat ct original ip daddr %2$s meta l4proto { tcp, udp }"
	" th dport 53 accept comment \"dns\"\n"
	"  counter reject with icmpx type admin-prohibited\n }\n"
	" chain output { type filter hook output priority filter - 10;"
	" policy accept;\n"
	"  oifname \"" IF_PREFIX "*\" icmpv6 type { nd-neighbor-solicit,"
	" nd-neighbor-advert } accept\n"
	"  oifname \"" IF_PREFIX "*\" ct state established,related accept\n"
	"  oifname \"" IF_PREFIX "*\" counter reject with icmpx type"
	" admin-prohibited\n }\n"
	" chain prerouting { type nat hook prerouting priority dstnat - 10;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" ip daddr %2$s meta l4proto { tcp, udp }"
	" th dport 53 dnat ip to iifname map @dns4\n }\n"
	" chain postrouting { type nat hook postrouting priority srcnat;"
	" policy accept;\n"
	"  iifname \"" IF_PREFIX "*\" oifname != \"" IF_PREFIX "*\" masquerade\n }\n"
	"}\n";

/* A foreign forward drop (nft.c) refuses the login, naming it. */
static int check_foreign_drop(struct lb_err *err)
{
	char what[512];
	int r = lb_nft_foreign_forward_drop(what, sizeof(what), err);

	if (r < 0)
		return lb_hint(err, NFT_HINT);
	if (r == 0)
		return 0;
	lb_fail(err, 0, "nftables %s: the boxes' traffic would be dropped "
		"whatever loginbox accepts", what);
	return lb_hint(err, "let the boxes' interfaces through there: iifname "
		       "\"" IF_PREFIX "*\" accept and oifname \"" IF_PREFIX "*\" "
		       "ct state established,related accept (Docker: the "
		       "DOCKER-USER chain; ufw: ufw route allow in on "
		       IF_PREFIX "+; firewalld: a trusted zone for " IF_PREFIX
		       "+), or use network = none");
}

/* Write VAL to a sysctl whose value is not VAL yet; 1 written, 0 was
 * already, <0 error. */
static int sysctl_set(const char *path, const char *val, struct lb_err *err)
{
	char v[16] = "";
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return lb_fail(err, errno, "open %s", path);
	if (read(fd, v, sizeof(v) - 1) > 0 && !strncmp(v, val, strlen(val)) &&
	    v[strlen(val)] == '\n') {
		close(fd);
		return 0;
	}
	if (pwrite(fd, val, strlen(val), 0) != (ssize_t)strlen(val)) {
		int e = errno;

		close(fd);
		return lb_fail(err, e, "write %s", path);
	}
	close(fd);
	return 1;
}

static int ensure_forwarding(struct lb_err *err)
{
	int r = sysctl_set("/proc/sys/net/ipv4/ip_forward", "1", err);

	if (r > 0)
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "network = bridge: set "
		       "net.ipv4.ip_forward = 1 (host-wide)");
	return r < 0 ? -1 : 0;
}

/*
 * IPv6 forwarding turns every interface into a router, and a router
 * ignores router advertisements unless accept_ra = 2: the host would lose
 * its IPv6 default route at the next RA timeout.  So, before forwarding
 * goes on: every interface (and `default`, for interfaces to come) that
 * accepts RAs (1) is set to 2, which accepts them while forwarding.  Both
 * are host-wide and stay when the last box ends (turning forwarding off
 * under a live IPv6 route would be worse); logged, and in SECURITY.md.
 */
static int ensure_forwarding6(struct lb_err *err)
{
	char v[8] = "";
	struct dirent *de;
	struct lb_err e;
	DIR *d;
	int fd, r;

	fd = open("/proc/sys/net/ipv6/conf/all/forwarding", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lb_fail(err, errno, "open /proc/sys/net/ipv6/conf/all/"
			       "forwarding (is IPv6 disabled on this host?)");
	r = (int)read(fd, v, sizeof(v) - 1);
	close(fd);
	if (r > 0 && v[0] == '1')
		return 0;
	d = opendir("/proc/sys/net/ipv6/conf");
	if (!d)
		return lb_fail(err, errno, "open /proc/sys/net/ipv6/conf");
	while ((de = readdir(d))) {
		char path[300], cur[8] = "";

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "all"))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/"
			 "accept_ra", de->d_name);
		lb_err_clear(&e);
		if (fs_read_small(AT_FDCWD, path, cur, sizeof(cur), &e) < 0 ||
		    cur[0] != '1')
			continue;
		lb_err_clear(&e);
		if (sysctl_set(path, "2", &e) > 0)
			syslog(LOG_AUTHPRIV | LOG_NOTICE, "network = bridge: "
			       "set net.ipv6.conf.%s.accept_ra = 2 (RAs keep "
			       "being accepted with forwarding on)", de->d_name);
	}
	closedir(d);
	if (sysctl_set("/proc/sys/net/ipv6/conf/all/forwarding", "1", err) < 0)
		return -1;
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "network = bridge: set "
	       "net.ipv6.conf.all.forwarding = 1 (host-wide)");
	return 0;
}

/* The table once, the foreign-drop check and forwarding every time (a
 * firewall may have come since).  A table of an older loginbox (no
 * prerouting chain) is replaced in the same transaction. */
static int prepare_host(int dfd, const struct lb_policy *p, uint32_t gw,
			struct lb_err *err)
{
	cleanup_close int lfd = -1;
	cleanup_free char *buf = NULL;
	char decl[1024], rules[1024], gws[INET_ADDRSTRLEN], sub6[64] = "";
	struct in_addr g = {.s_addr = htonl(gw)};
	struct lb_err e;
	size_t cap = 8192;
	bool pasta;

	lfd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0)
		return lb_fail(err, errno, "lock %s/.lock", LB_NET_DIR);
	if (check_foreign_drop(err) < 0)
		return -1;
	lb_err_clear(&e);
	if (nft_run("list chain inet loginbox prerouting", NULL, 0, &e) < 0) {
		buf = malloc(cap);
		if (!buf)
			return lb_fail(err, ENOMEM, "nftables ruleset");
		inet_ntop(AF_INET, &g, gws, sizeof(gws));
		if (p->net_subnet6[0])
			snprintf(sub6, sizeof(sub6), ", %s", p->net_subnet6);
		nft_egress_decl(decl, sizeof(decl), "eg", "ifname");
		nft_egress_rules(rules, sizeof(rules), "eg", "iifname");
		/* An older loginbox's table is replaced, but never one that
		 * network = pasta made (its chain pasta_output): its set
		 * pasta_uids confines the live pasta boxes, and deleting it
		 * let them reach the host's own addresses until the next
		 * pasta login (tests/hostile/h_95_network_attacks.sh).  The
		 * bridge's part is added to that table instead. */
		lb_err_clear(&e);
		pasta = nft_run("list chain inet loginbox pasta_output", NULL,
				0, &e) == 0;
		snprintf(buf, cap, "add table inet loginbox\n%s",
			 pasta ? "" : "delete table inet loginbox\n");
		snprintf(buf + strlen(buf), cap - strlen(buf), ruleset,
			 p->net_subnet, gws, sub6, decl, rules);
		if (nft_run(buf, NULL, 0, err) < 0)
			return lb_hint(err, NFT_HINT);
	}
	if (p->net_subnet6[0] && ensure_forwarding6(err) < 0)
		return -1;
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
			return lb_fail(err, errno, "lease %s/%s", LB_NET_DIR, name);
		snprintf(id, sizeof(id), "%lu\n", b->id);
		if (write(fd, id, strlen(id)) != (ssize_t)strlen(id)) {
			int e = errno;

			close(fd);
			unlinkat(dfd, name, 0);
			return lb_fail(err, e, "write %s/%s", LB_NET_DIR, name);
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
			 const uint8_t *a6, const uint8_t *gw6,
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
		 (!a6 || rtnl_addr6(fd, idx, a6, err) == 0) &&
		 rtnl_up(fd, idx, err) == 0 &&
		 rtnl_default_route(fd, idx, gw, err) == 0 &&
		 (!a6 || (rtnl_route6(fd, idx, gw6, NULL, err) == 0 &&
			  rtnl_route6(fd, idx, NULL, gw6, err) == 0)))
		r = 0;
	if (setns(self, CLONE_NEWNET) < 0)
		return lb_fail(err, errno, "setns back to the host's netns");
	return r;
}

/*
 * The box's resolvers, into out: bridge_dns, else the host's
 * IPv4 nameservers (and its search line).  A loopback one (systemd-
 * resolved's 127.0.0.53 stub, a local unbound) is no address a box can
 * reach: the box names the gateway instead, and the host DNATs port 53
 * there to the loopback resolver (*lo; SECURITY.md "DNS").  The others are
 * reached through NAT like any destination, so egress gets a port 53 rule
 * for each whatever it says: DNS is the one exception to egress = none.
 * Called twice with the same inputs: by the helper for the rules (eg),
 * and in the box's mount namespace for the file (net_resolv_conf).
 */
static void pick_resolvers(const struct lb_policy *p, uint32_t gw, char *out,
			   size_t cap, uint32_t *lo, struct lb_egress *eg)
{
	char host[4096], *line, *save = NULL, gws[INET_ADDRSTRLEN];
	struct in_addr g = {.s_addr = htonl(gw)};
	size_t n = 0;
	struct lb_err e;

	*lo = 0;
	inet_ntop(AF_INET, &g, gws, sizeof(gws));
	if (p->net_dns[0]) {
		snprintf(host, sizeof(host), "nameserver %s\n", p->net_dns);
	} else {
		lb_err_clear(&e);
		if (fs_read_small(AT_FDCWD, "/etc/resolv.conf", host,
				  sizeof(host), &e) < 0)
			host[0] = '\0';
	}
	out[0] = '\0';
	for (line = strtok_r(host, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char ns[64];
		struct in_addr a;
		uint32_t h;

		if (!strncmp(line, "search ", 7) && n + strlen(line) + 2 < cap) {
			n += (size_t)snprintf(out + n, cap - n, "%s\n", line);
			continue;
		}
		if (sscanf(line, "nameserver %63s", ns) != 1 ||
		    inet_pton(AF_INET, ns, &a) != 1 || n + 40 > cap)
			continue;
		h = ntohl(a.s_addr);
		if ((h >> 24) == 127) {
			if (*lo)
				continue;
			*lo = h;
			snprintf(ns, sizeof(ns), "%s", gws);
		} else if (eg && eg->mode != LB_EGRESS_ANY &&
			   eg->n < LB_EGRESS_RULES) {
			struct lb_egress_rule *r = &eg->rule[eg->n++];

			memset(r, 0, sizeof(*r));
			r->family = AF_INET;
			memcpy(r->addr, &a, 4);
			r->prefix = 32;
			r->port_lo = r->port_hi = 53;
			eg->mode = LB_EGRESS_LIST;
		}
		n += (size_t)snprintf(out + n, cap - n, "nameserver %s\n", ns);
	}
}

/* The 16 bytes of net plus host (the low bits of an IPv4 lease). */
static void addr6_add(const uint8_t net[16], uint32_t host, uint8_t out[16])
{
	int i;

	memcpy(out, net, 16);
	for (i = 15; i >= 12; i--, host >>= 8)
		out[i] |= (uint8_t)(host & 0xff);
}

static int bridge_setup(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int dfd = -1, nl = -1;
	uint32_t net, addr = 0, gw, lo;
	uint8_t net6[16], a6[16], gw6[16];
	bool v6 = false;
	char cmd[8192], key[24], path[96];
	struct lb_egress eg;
	int prefix, prefix6, idx;
	size_t o;

	if (!b->pol.net_subnet[0] ||
	    lb_net_parse_subnet(b->pol.net_subnet, &net, &prefix) < 0) {
		lb_fail(err, EINVAL, "no [global] bridge_subnet");
		return lb_hint(err, "set bridge_subnet = A.B.C.D/N in [global] "
			       "of loginbox.conf: a range used nowhere else");
	}
	if (b->pol.net_subnet6[0]) {
		if (lb_net_parse_subnet6(b->pol.net_subnet6, net6, &prefix6) < 0)
			return lb_fail(err, EINVAL, "bridge_subnet6 `%s`",
				       b->pol.net_subnet6);
		v6 = true;
	}
	if (lb_egress_parse(b->pol.egress, &eg, err) < 0)
		return lb_prefix(err, "egress");
	gw = net + 1;
	dfd = net_open_dir(err);
	if (dfd < 0 || prepare_host(dfd, &b->pol, gw, err) < 0)
		return -1;
	if_name(b->id, b->net_if, sizeof(b->net_if));
	if (take_lease(b, dfd, net, prefix, &addr, err) < 0) {
		b->net_if[0] = '\0';
		return -1;
	}
	if (v6) {
		addr6_add(net6, addr - net, a6);
		addr6_add(net6, 1, gw6);
		inet_ntop(AF_INET6, a6, b->net_addr6, sizeof(b->net_addr6));
	}
	{
		char text[1024];

		pick_resolvers(&b->pol, gw, text, sizeof(text), &lo, &eg);
	}
	/* From here box_abort's teardown undoes what exists (state file).
	 * Everything of the box's in the table: one transaction. */
	snprintf(key, sizeof(key), "\"%s\"", b->net_if);
	o = (size_t)snprintf(cmd, sizeof(cmd),
			     "add element inet loginbox src4 { %s . %s }\n",
			     key, b->net_addr);
	if (v6)
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o,
				      "add element inet loginbox src6 "
				      "{ %s . %s }\n", key, b->net_addr6);
	if (lo) {
		struct in_addr l = {.s_addr = htonl(lo)};
		char ls[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &l, ls, sizeof(ls));
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o,
				      "add element inet loginbox dns4 "
				      "{ %s : %s }\n", key, ls);
	}
	if (nft_egress_add_cmds(cmd + o, sizeof(cmd) - o, "inet loginbox", "eg",
				key, &eg, err) < 0 ||
	    nft_run(cmd, NULL, 0, err) < 0)
		return -1;
	nl = rtnl_open(err);
	if (nl < 0 || rtnl_veth(nl, b->net_if, "eth0", b->netns_fd, err) < 0)
		return -1;
	idx = (int)if_nametoindex(b->net_if);
	if (idx <= 0)
		return lb_fail(err, errno, "interface %s", b->net_if);
	/* the DNAT to a loopback resolver: 127/8 routed on this interface
	 * only (box_in accepts nothing else, anti-spoofing drops a loopback
	 * source; SECURITY.md "DNS") */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/"
		 "route_localnet", b->net_if);
	if (lo && sysctl_set(path, "1", err) < 0)
		return -1;
	if (rtnl_addr_p2p(nl, idx, gw, addr, err) < 0 ||
	    (v6 && rtnl_addr6(nl, idx, gw6, err) < 0) ||
	    setup_box_end(b, addr, gw, v6 ? a6 : NULL, gw6, err) < 0 ||
	    rtnl_up(nl, idx, err) < 0 ||
	    (v6 && rtnl_route6(nl, idx, a6, NULL, err) < 0))
		return -1;
	return 0;
}

/* Everything of box ID: its elements (found by its interface's name in
 * each set, whatever the policy was), its interface (gone with the netns
 * unless something else holds that), its lease. */
static void release(unsigned long id, const char *addr)
{
	static const char *const sets[] = {"src4", "src6", "dns4"};
	char ifn[16], key[24], buf[32], name[INET_ADDRSTRLEN];
	struct in_addr a;
	struct lb_err e;
	unsigned long owner;
	size_t i;
	int nl;

	if_name(id, ifn, sizeof(ifn));
	snprintf(key, sizeof(key), "\"%s\"", ifn);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		lb_err_clear(&e);
		if (nft_set_del_key("inet loginbox", sets[i], key, &e) < 0)
			syslog(LOG_AUTHPRIV | LOG_WARNING, "session %lu: "
			       "elements of %s in set %s: %s", id, ifn, sets[i],
			       e.msg);
	}
	lb_err_clear(&e);
	if (nft_egress_del("inet loginbox", "eg", key, &e) < 0)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "session %lu: egress "
		       "elements of %s: %s", id, ifn, e.msg);
	if (inet_pton(AF_INET, addr, &a) == 1)
		inet_ntop(AF_INET, &a, name, sizeof(name));
	else
		name[0] = '\0';
	lb_err_clear(&e);
	nl = rtnl_open(&e);
	if (nl >= 0) {
		rtnl_del(nl, ifn);
		close(nl);
	}
	if (name[0]) {
		int dfd = open(LB_NET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
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

/* Elements of boxes whose session directory is gone, whatever left them
 * (a teardown that could not reach the table): every box has a src4
 * element, so its keys are the boxes the table still knows. */
static void gc_elements(bool verbose)
{
	size_t cap = 1 << 18;
	cleanup_free char *out = malloc(cap);
	const char *p;
	struct lb_err e;

	lb_err_clear(&e);
	if (!out || nft_run("list set inet loginbox src4", out, cap, &e) < 0)
		return;
	for (p = strstr(out, "\"" IF_PREFIX); p;
	     p = strstr(p + 1, "\"" IF_PREFIX)) {
		char run[64], *end;
		unsigned long id = strtoul(p + 1 + strlen(IF_PREFIX), &end, 10);

		if (*end != '"')
			continue;
		snprintf(run, sizeof(run), "%s/%lu", LB_RUNDIR, id);
		if (access(run, F_OK) == 0)
			continue;
		release(id, "");
		if (verbose)
			printf("gc: nftables elements of %s%lu (session %lu "
			       "gone): deleted\n", IF_PREFIX, id, id);
	}
}

/* Leases whose session directory is gone: a helper killed between the
 * lease and its state file, or a teardown cut short. */
static void bridge_gc(bool verbose)
{
	struct dirent *de;
	DIR *d = opendir(LB_NET_DIR);

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
	gc_elements(verbose);
}

/*
 * The box's own /etc/resolv.conf, the lines bridge_setup's rules were
 * made for (pick_resolvers).  The image's is often a link into /run, which is the
 * box's own there: replaced in the session's upper by a plain file.
 */
int net_resolv_conf(const struct lb_box *b, int rootfd, struct lb_err *err)
{
	char text[1024];
	uint32_t net, lo;
	int prefix;

	if (b->pol.network != LB_NET_BRIDGE ||
	    lb_net_parse_subnet(b->pol.net_subnet, &net, &prefix) < 0)
		return 0;
	pick_resolvers(&b->pol, net + 1, text, sizeof(text), &lo, NULL);
	if (!strstr(text, "nameserver")) {
		syslog(LOG_AUTHPRIV | LOG_WARNING, "user %s: network = bridge: "
		       "no resolver for the box (set bridge_dns in [global]: "
		       "the host's resolv.conf names none)", b->user.name);
		return 0;
	}
	return net_write_resolv_conf(b, rootfd, text, err);
}

const struct lb_net_ops net_ops_bridge = {
	.name = "bridge",
	.setup = bridge_setup,
	.teardown = bridge_teardown,
	.gc = bridge_gc,
};
