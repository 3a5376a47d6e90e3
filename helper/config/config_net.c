// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * [global] keys of network = bridge: the subnet boxes get their
 * addresses from, and the resolver their /etc/resolv.conf names.  Global,
 * not per group: every bridged box shares one address space and one set of
 * nftables rules (net_bridge.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lb_net_parse_subnet(const char *s, uint32_t *net, int *prefix)
{
	char buf[24], *slash, *end;
	struct in_addr a;
	long n;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || !*slash)
		return -1;
	errno = 0;
	n = strtol(slash, &end, 10);
	/* /16 at most (a lease directory scan stays small), /29 at least
	 * (room for the gateway and a few boxes) */
	if (errno || *end || n < 16 || n > 29)
		return -1;
	*prefix = (int)n;
	*net = ntohl(a.s_addr);
	if (*net & ~(0xffffffffu << (32 - n)))
		return -1; /* host bits set: say what is meant */
	return 0;
}

int lb_net_parse_subnet6(const char *s, uint8_t net[16], int *prefix)
{
	char buf[64], *slash, *end;
	long n;
	int i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash++ = '\0';
	if (inet_pton(AF_INET6, buf, net) != 1 || !*slash)
		return -1;
	errno = 0;
	n = strtol(slash, &end, 10);
	/* a box's IPv6 address is the network plus its IPv4 lease's host
	 * part (at most 16 bits): /112 at most; /64 at least */
	if (errno || *end || n < 64 || n > 112)
		return -1;
	*prefix = (int)n;
	for (i = 0; i < 16; i++) {
		int keep = (int)n - i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
			       (uint8_t)(0xff << (8 - keep));

		if (net[i] & ~mask)
			return -1;
	}
	return 0;
}

int lb_net_global(struct lb_config *cfg, const char *key, const char *val,
		  struct lb_err *err)
{
	if (strcmp(key, "bridge_subnet6") == 0) {
		uint8_t net[16];
		int prefix;

		if (val[0] && lb_net_parse_subnet6(val, net, &prefix) < 0) {
			lb_fail(err, 0, "\"%s\" is not an IPv6 network "
				"X:X::/N with N from 64 to 112 and no host bits",
				val);
			return lb_hint(err, "e.g. bridge_subnet6 = "
				       "fd42:1b0c:5e11::/64: a unique local "
				       "prefix used nowhere else (boxes are "
				       "NATed to the host's IPv6 address)");
		}
		snprintf(cfg->net_subnet6, sizeof(cfg->net_subnet6), "%s", val);
		return 0;
	}
	if (strcmp(key, "bridge_subnet") == 0) {
		uint32_t net;
		int prefix;

		if (val[0] && lb_net_parse_subnet(val, &net, &prefix) < 0) {
			lb_fail(err, 0, "\"%s\" is not an IPv4 network A.B.C.D/N "
				"with N from 16 to 29 and no host bits", val);
			return lb_hint(err, "e.g. bridge_subnet = 10.203.0.0/16: "
				       "a range used nowhere else on this "
				       "host's networks");
		}
		snprintf(cfg->net_subnet, sizeof(cfg->net_subnet), "%s", val);
		return 0;
	}
	{
		struct in_addr a;

		if (val[0] && inet_pton(AF_INET, val, &a) != 1) {
			lb_fail(err, 0, "\"%s\" is not an IPv4 address", val);
			return lb_hint(err, "bridge_dns names the resolver "
				       "bridged boxes use, e.g. a forwarder on "
				       "this host's network");
		}
		snprintf(cfg->net_dns, sizeof(cfg->net_dns), "%s", val);
	}
	return 0;
}

void lb_policy_net_globals(const struct lb_config *cfg, struct lb_policy *p)
{
	snprintf(p->net_subnet, sizeof(p->net_subnet), "%s", cfg->net_subnet);
	snprintf(p->net_dns, sizeof(p->net_dns), "%s", cfg->net_dns);
	snprintf(p->net_subnet6, sizeof(p->net_subnet6), "%s", cfg->net_subnet6);
}

int lb_net_check(const struct lb_config *cfg, FILE *out)
{
	int i, bad = 0;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (!(s->set_mask & LB_KEY_BIT(LB_KEY_NETWORK)) ||
		    s->values.network != LB_NET_BRIDGE)
			continue;
		if (!cfg->net_subnet[0]) {
			fprintf(out, "error: [%s] sets network = bridge but "
				"[global] has no bridge_subnet: its logins are "
				"refused; set bridge_subnet = A.B.C.D/N\n",
				s->name);
			bad = 1;
		} else {
			fprintf(out, "note: [%s] network = bridge: boxes get "
				"addresses from %s%s%s; logins set "
				"net.ipv4.ip_forward = 1%s and need nftables; "
				"egress = %s\n",
				s->name, cfg->net_subnet,
				cfg->net_subnet6[0] ? " and " : "",
				cfg->net_subnet6,
				cfg->net_subnet6[0] ? ", net.ipv6.conf.all."
				"forwarding = 1 (accept_ra 1 -> 2)" : "",
				(s->set_mask & LB_KEY_BIT(LB_KEY_EGRESS)) ?
				s->values.egress : "any (the default)");
		}
	}
	return bad ? -1 : 0;
}
