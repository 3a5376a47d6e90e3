/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The box's network: one table of operations per network mode (net.c,
 * net_bridge.c), chosen once from the policy; libnftables (nft.c) and
 * rtnetlink (rtnl.c) underneath.  setup runs in the helper once the
 * box's netns exists (b->netns_fd); teardown and gc work from the state
 * file, so teardown links this without the builder.  Both are per BOX,
 * never per login.
 */
#ifndef LB_NET_H
#define LB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "session.h"

struct lb_box;

struct lb_net_ops {
	const char *name;
	int (*setup)(struct lb_box *b, struct lb_err *err);
	void (*teardown)(const struct lb_state *st);
	void (*gc)(bool verbose);
};
extern const struct lb_net_ops net_ops_none, net_ops_bridge, net_ops_pasta;
const struct lb_net_ops *net_ops_for(enum lb_network m);
int net_setup(struct lb_box *b, struct lb_err *err);
/* LB_NET_DIR (leases, pasta records), made if missing; refused unless it
 * is root's and 0700.  An O_DIRECTORY fd. */
#define LB_NET_DIR LB_RUNDIR "/net"
int net_open_dir(struct lb_err *err);
/* Write TEXT as the box's /etc/resolv.conf beneath rootfd (net.c). */
int net_write_resolv_conf(const struct lb_box *b, int rootfd,
			  const char *text, struct lb_err *err);
void net_teardown(const struct lb_state *st);
void net_gc(bool verbose);

/* net.c: in init, bringing lo up (every mode). */
int net_lo_up(struct lb_err *err);
/* net_bridge.c: the box's own /etc/resolv.conf (network = bridge), in the
 * session's upper; rootfd is the new root. */
int net_resolv_conf(const struct lb_box *b, int rootfd, struct lb_err *err);

/* net_pasta.c: the box's /etc/resolv.conf (network = pasta); box ID's
 * pasta process and its uid, from its record (0, or <0 if none). */
int net_pasta_resolv_conf(const struct lb_box *b, int rootfd,
			  struct lb_err *err);
int net_pasta_read(unsigned long id, uid_t *uid, pid_t *pid);

/* nft.c: libnftables, one transaction per call; out gets the output
 * (list commands) when non-NULL. */
int nft_run(const char *cmds, char *out, size_t outlen, struct lb_err *err);

/* rtnl.c: the few rtnetlink requests a veth pair needs. */
int rtnl_open(struct lb_err *err);
int rtnl_veth(int fd, const char *name, const char *peer, int peer_netns_fd,
	      struct lb_err *err);
int rtnl_addr_p2p(int fd, int ifindex, uint32_t local, uint32_t peer,
		  struct lb_err *err);
int rtnl_up(int fd, int ifindex, struct lb_err *err);
int rtnl_default_route(int fd, int ifindex, uint32_t gw, struct lb_err *err);
int rtnl_addr6(int fd, int ifindex, const uint8_t local[16],
	       struct lb_err *err);
int rtnl_route6(int fd, int ifindex, const uint8_t *dst, const uint8_t *gw,
		struct lb_err *err);
int rtnl_del(int fd, const char *name); /* -errno */

#endif
