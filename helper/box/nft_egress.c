// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The egress policy (egress.h) as nftables sets, keyed by something that
 * names one box on the host: the host end of its veth for network =
 * bridge (ifname, matched as iifname in the forward chain); a mode whose
 * traffic leaves from host sockets can key the same sets by uid (meta
 * skuid) in an output chain.  The sets are declared once with the table;
 * a box adds its elements in the same transaction as the rest of its
 * state, and teardown/gc delete every element of its key, found by
 * listing (so nothing depends on the policy still being what it was).
 *
 *   PFX_any  { KEY }                                  egress = any
 *   PFX4     { KEY . ipv4_addr . inet_proto . inet_service }, intervals
 *   PFX6     { KEY . ipv6_addr . inet_proto . inet_service }, intervals
 *
 * `th dport` reads the 16 bits at offset 2 of any transport header: for
 * a rule without a protocol the element spans protocols 0-255 and ports
 * 0-65535, so ICMP (whose bytes there are a checksum) matches too.
 */
#include "nft_egress.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "net.h"

size_t nft_egress_decl(char *buf, size_t len, const char *pfx,
		       const char *keytype)
{
	int n = snprintf(buf, len,
			 " set %s_any { type %s; }\n"
			 " set %s4 { type %s . ipv4_addr . inet_proto . "
			 "inet_service; flags interval; }\n"
			 " set %s6 { type %s . ipv6_addr . inet_proto . "
			 "inet_service; flags interval; }\n",
			 pfx, keytype, pfx, keytype, pfx, keytype);

	return n < 0 ? 0 : (size_t)n;
}

size_t nft_egress_rules(char *buf, size_t len, const char *pfx,
			const char *keyexpr)
{
	int n = snprintf(buf, len,
			 "  %s @%s_any accept\n"
			 "  %s . ip daddr . meta l4proto . th dport @%s4 accept\n"
			 "  %s . ip6 daddr . meta l4proto . th dport @%s6 "
			 "accept\n",
			 keyexpr, pfx, keyexpr, pfx, keyexpr, pfx);

	return n < 0 ? 0 : (size_t)n;
}

int nft_egress_add_cmds(char *buf, size_t len, const char *table,
			const char *pfx, const char *key,
			const struct lb_egress *eg, struct lb_err *err)
{
	size_t o = 0;
	int fam, i;

	buf[0] = '\0';
	if (eg->mode == LB_EGRESS_ANY) {
		o = (size_t)snprintf(buf, len, "add element %s %s_any { %s }\n",
				     table, pfx, key);
		return o < len ? 0 : lb_fail(err, E2BIG, "egress elements");
	}
	for (fam = 4; fam <= 6; fam += 2) {
		bool any = false;

		for (i = 0; i < eg->n; i++) {
			const struct lb_egress_rule *r = &eg->rule[i];

			if ((r->family == AF_INET) != (fam == 4))
				continue;
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "%s",
						      any ? ", " :
						      "add element ");
			if (!any && o < len)
				o += (size_t)snprintf(buf + o, len - o,
						      "%s %s%d { ", table, pfx,
						      fam);
			any = true;
			if (o < len)
				o += lb_egress_rule_nft(r, key, buf + o, len - o);
		}
		if (any && o < len)
			o += (size_t)snprintf(buf + o, len - o, " }\n");
	}
	return o < len ? 0 : lb_fail(err, E2BIG, "egress elements");
}

/* From `list set` text: the elements that start with KEY, as a
 * comma-separated list ready for `delete element`.  The text of an
 * element as nft prints it reads back as the same element. */
static size_t elements_of(const char *listing, const char *key, char *out,
			  size_t len)
{
	const char *p = strstr(listing, "elements = {");
	size_t o = 0, klen = strlen(key);

	out[0] = '\0';
	if (!p)
		return 0;
	p += strlen("elements = {");
	while (*p && *p != '}') {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
			p++;
		n = strcspn(p, ",}");
		/* a map's element is deleted by its key alone */
		{
			const char *colon = strstr(p, " : ");

			if (colon && (size_t)(colon - p) < n)
				n = (size_t)(colon - p);
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' ||
			     p[n - 1] == '\t'))
			n--;
		if (n >= klen && !strncmp(p, key, klen) &&
		    (n == klen || p[klen] == ' ') && o + n + 3 < len)
			o += (size_t)snprintf(out + o, len - o, "%s%.*s",
					      o ? ", " : "", (int)n, p);
		p += strcspn(p, ",}");
	}
	return o;
}

int nft_set_del_key(const char *table, const char *set, const char *key,
		    struct lb_err *err)
{
	size_t cap = 1 << 18;
	cleanup_free char *listing = malloc(cap), *cmd = malloc(cap);
	char q[128];
	size_t o;

	if (!listing || !cmd)
		return lb_fail(err, ENOMEM, "nftables listing");
	snprintf(q, sizeof(q), "list set %s %s", table, set);
	if (nft_run(q, listing, cap, err) < 0) {
		/* or a map: `list set` does not list those */
		snprintf(q, sizeof(q), "list map %s %s", table, set);
		lb_err_clear(err);
		if (nft_run(q, listing, cap, err) < 0)
			return -1;
	}
	o = (size_t)snprintf(cmd, cap, "delete element %s %s { ", table, set);
	if (!elements_of(listing, key, cmd + o, cap - o - 4))
		return 0;
	strcat(cmd, " }");
	return nft_run(cmd, NULL, 0, err);
}

int nft_egress_del(const char *table, const char *pfx, const char *key,
		   struct lb_err *err)
{
	char set[64];
	int r = 0;

	snprintf(set, sizeof(set), "%s_any", pfx);
	r |= nft_set_del_key(table, set, key, err);
	snprintf(set, sizeof(set), "%s4", pfx);
	r |= nft_set_del_key(table, set, key, err);
	snprintf(set, sizeof(set), "%s6", pfx);
	r |= nft_set_del_key(table, set, key, err);
	return r < 0 ? -1 : 0;
}
