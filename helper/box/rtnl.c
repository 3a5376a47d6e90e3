// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The few rtnetlink requests network = bridge needs: a veth pair whose
 * peer is born in the box's netns (IFLA_NET_NS_FD: it never exists on the
 * host side under a name the box could race for), point-to-point /32
 * addresses, link up, a default route.  Raw netlink, no library: each
 * request is one message and one ack.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct req {
	union {
		struct nlmsghdr nh;
		char raw[1024];
	};
};

static void *tail(struct req *r)
{
	return r->raw + NLMSG_ALIGN(r->nh.nlmsg_len);
}

static struct rtattr *put(struct req *r, unsigned short type,
			  const void *data, size_t len)
{
	struct rtattr *a = tail(r);

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void nest_end(struct req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)tail(r) - (char *)a);
}

static void init_req(struct req *r, unsigned short type, unsigned short flags,
		     size_t hdr)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = (unsigned)NLMSG_LENGTH(hdr);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
}

/* Send, read the ack: 0, or -errno from the kernel. */
static int talk(int fd, struct req *r)
{
	char buf[4096];
	struct nlmsghdr *h;
	ssize_t n;

	if (send(fd, &r->nh, r->nh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

int rtnl_open(struct lb_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return lb_fail(err, errno, "rtnetlink socket");
	return fd;
}

int rtnl_veth(int fd, const char *name, const char *peer, int peer_netns_fd,
	      struct lb_err *err)
{
	struct rtattr *li, *data, *pi;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct req r;
	uint32_t nsfd = (uint32_t)peer_netns_fd;
	int e;

	init_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(ifi));
	memcpy(NLMSG_DATA(&r.nh), &ifi, sizeof(ifi));
	put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	li = put(&r, IFLA_LINKINFO, NULL, 0);
	put(&r, IFLA_INFO_KIND, "veth", 4);
	data = put(&r, IFLA_INFO_DATA, NULL, 0);
	pi = put(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	put(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	put(&r, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
	nest_end(&r, pi);
	nest_end(&r, data);
	nest_end(&r, li);
	e = talk(fd, &r);
	if (e == -EEXIST) {
		lb_fail(err, EEXIST, "network interface %s already exists", name);
		return lb_hint(err, "a box's leftover or someone else's: "
			       "`loginbox gc`, else `ip link del %s`", name);
	}
	if (e == -EOPNOTSUPP || e == -ENOENT) {
		lb_fail(err, -e, "create veth %s", name);
		return lb_hint(err, "the kernel lacks veth: modprobe veth");
	}
	if (e < 0)
		return lb_fail(err, -e, "create veth %s", name);
	return 0;
}

int rtnl_addr_p2p(int fd, int ifindex, uint32_t local, uint32_t peer,
		  struct lb_err *err)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 32,
				.ifa_index = (unsigned)ifindex};
	uint32_t l = htonl(local), p = htonl(peer);
	struct req r;
	int e;

	init_req(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(ifa));
	memcpy(NLMSG_DATA(&r.nh), &ifa, sizeof(ifa));
	put(&r, IFA_LOCAL, &l, 4);
	put(&r, IFA_ADDRESS, &p, 4); /* the peer: a /32 route to it */
	e = talk(fd, &r);
	if (e < 0)
		return lb_fail(err, -e, "address on interface %d", ifindex);
	return 0;
}

int rtnl_up(int fd, int ifindex, struct lb_err *err)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				.ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	struct req r;
	int e;

	init_req(&r, RTM_NEWLINK, 0, sizeof(ifi));
	memcpy(NLMSG_DATA(&r.nh), &ifi, sizeof(ifi));
	e = talk(fd, &r);
	if (e < 0)
		return lb_fail(err, -e, "bring interface %d up", ifindex);
	return 0;
}

int rtnl_default_route(int fd, int ifindex, uint32_t gw, struct lb_err *err)
{
	struct rtmsg rt = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_STATIC,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST};
	uint32_t g = htonl(gw), oif = (uint32_t)ifindex;
	struct req r;
	int e;

	init_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(rt));
	memcpy(NLMSG_DATA(&r.nh), &rt, sizeof(rt));
	put(&r, RTA_GATEWAY, &g, 4);
	put(&r, RTA_OIF, &oif, 4);
	e = talk(fd, &r);
	if (e < 0)
		return lb_fail(err, -e, "default route in the box");
	return 0;
}

int rtnl_del(int fd, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct req r;

	init_req(&r, RTM_DELLINK, 0, sizeof(ifi));
	memcpy(NLMSG_DATA(&r.nh), &ifi, sizeof(ifi));
	put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return talk(fd, &r);
}

/* IPv6 /128s, born usable: IFA_F_NODAD (the other end is ours, no one
 * else is on the link; DAD would hold the address tentative for a second).
 * Unlike IPv4, a peer address makes no route to the peer: rtnl_route6. */
int rtnl_addr6(int fd, int ifindex, const uint8_t local[16],
	       struct lb_err *err)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET6, .ifa_prefixlen = 128,
				.ifa_flags = IFA_F_NODAD,
				.ifa_index = (unsigned)ifindex};
	uint32_t flags = IFA_F_NODAD;
	struct req r;
	int e;

	init_req(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(ifa));
	memcpy(NLMSG_DATA(&r.nh), &ifa, sizeof(ifa));
	put(&r, IFA_LOCAL, local, 16);
	put(&r, IFA_ADDRESS, local, 16);
	put(&r, IFA_FLAGS, &flags, sizeof(flags));
	e = talk(fd, &r);
	if (e < 0)
		return lb_fail(err, -e, "IPv6 address on interface %d", ifindex);
	return 0;
}

/* A route on ifindex to dst/128 (NULL: the default route), through gw
 * (NULL: on the link). */
int rtnl_route6(int fd, int ifindex, const uint8_t *dst, const uint8_t *gw,
		struct lb_err *err)
{
	struct rtmsg rt = {.rtm_family = AF_INET6, .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_STATIC,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST,
			   .rtm_dst_len = dst ? 128 : 0};
	uint32_t oif = (uint32_t)ifindex;
	struct req r;
	int e;

	init_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(rt));
	memcpy(NLMSG_DATA(&r.nh), &rt, sizeof(rt));
	if (dst)
		put(&r, RTA_DST, dst, 16);
	if (gw)
		put(&r, RTA_GATEWAY, gw, 16);
	put(&r, RTA_OIF, &oif, 4);
	e = talk(fd, &r);
	if (e < 0)
		return lb_fail(err, -e, "IPv6 route on interface %d", ifindex);
	return 0;
}
