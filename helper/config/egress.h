/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * egress = any | none | LIST: where a box's network traffic may go
 * (loginbox.conf(5)), parsed here and enforced on the host (nft_egress.c),
 * never in the box's netns, which box root controls.
 */
#ifndef LB_EGRESS_H
#define LB_EGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define LB_EGRESS_MAX 512  /* the value as written, normalized */
#define LB_EGRESS_RULES 32

/* One LIST item: a network, a protocol (0: any; 6 tcp; 17 udp) and a
 * port range (0-65535 when none is given). */
struct lb_egress_rule {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int prefix;
	uint8_t proto;
	uint16_t port_lo, port_hi;
};

struct lb_egress {
	enum { LB_EGRESS_ANY, LB_EGRESS_NONE, LB_EGRESS_LIST } mode;
	int n;
	struct lb_egress_rule rule[LB_EGRESS_RULES];
};

/* Parse any, none, or a comma/blank separated list of
 *   A.B.C.D[/N][:PORT[-PORT]][/tcp|/udp]
 *   [IPV6[/N]][:PORT[-PORT]][/tcp|/udp]     (brackets when a port follows)
 *   IPV6[/N]
 * An empty value is `any` (the default).  err says what is wrong with the
 * value; the caller names the file and key. */
int lb_egress_parse(const char *val, struct lb_egress *eg, struct lb_err *err);

/* eg spelled so that lb_egress_parse reads it back. */
void lb_egress_format(const struct lb_egress *eg, char *buf, size_t len);

/* One rule as nftables set elements "KEY . ADDR/N . PROTO . LO-HI" (PROTO
 * 0-255 for any; a port range without a protocol is two elements, tcp and
 * udp).  Returns the length written. */
size_t lb_egress_rule_nft(const struct lb_egress_rule *r, const char *key,
			  char *buf, size_t len);

#endif
