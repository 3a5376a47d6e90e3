// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The egress key's grammar (egress.h): strict, so that what `loginbox
 * check` accepts is exactly what the host's rules enforce.  Host bits in a
 * network are refused rather than masked: "10.1.2.3/24" is more likely a
 * typo for a host than a wish for the whole /24.
 */
#include "egress.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "strparse.h"

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int host_bits(const struct lb_egress_rule *r)
{
	int bytes = r->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		int keep = r->prefix - i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
			       (uint8_t)(0xff << (8 - keep));

		if (r->addr[i] & ~mask)
			return 1;
	}
	return 0;
}

static int parse_addr(char *a, struct lb_egress_rule *r)
{
	char *slash = strchr(a, '/'), *end;
	long n;

	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, a, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, a, r->addr) == 1)
		r->family = AF_INET6;
	else
		return -1;
	r->prefix = r->family == AF_INET ? 32 : 128;
	if (slash) {
		errno = 0;
		n = strtol(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || errno || *end || n < 0 ||
		    n > r->prefix)
			return -1;
		r->prefix = (int)n;
	}
	return 0;
}

static int parse_item(const char *item, struct lb_egress_rule *r,
		      struct lb_err *err)
{
	char buf[96], *addr = buf, *rest = NULL, *p;
	size_t n = strlen(item);

	memset(r, 0, sizeof(*r));
	r->port_hi = 65535;
	if (n >= sizeof(buf))
		return lb_fail(err, 0, "\"%.40s...\" is too long for an "
			       "egress item", item);
	memcpy(buf, item, n + 1);
	if (n > 4 && (!strcasecmp(buf + n - 4, "/tcp") ||
		      !strcasecmp(buf + n - 4, "/udp"))) {
		r->proto = tolower((unsigned char)buf[n - 3]) == 't' ? 6 : 17;
		buf[n - 4] = '\0';
	}
	if (buf[0] == '[') {
		p = strchr(buf, ']');
		if (!p)
			goto bad;
		*p = '\0';
		addr = buf + 1;
		rest = p + 1;
	} else if ((p = strchr(buf, ':')) && !strchr(p + 1, ':')) {
		*p = ':'; /* IPv4 with a port */
		rest = p;
	} else {
		rest = buf + strlen(buf); /* IPv4 or bare IPv6, no port */
	}
	if (*rest && *rest != ':')
		goto bad;
	if (*rest == ':') {
		char *dash;

		*rest++ = '\0';
		dash = strchr(rest, '-');
		if (dash)
			*dash++ = '\0';
		if (parse_port(rest, &r->port_lo) < 0 ||
		    parse_port(dash ? dash : rest, &r->port_hi) < 0 ||
		    r->port_lo > r->port_hi)
			return lb_fail(err, 0, "\"%s\": ports are 1 to 65535, "
				       "one (443) or a range (27000-27009)",
				       item);
	}
	if (parse_addr(addr, r) < 0)
		goto bad;
	if (buf[0] != '[' && r->family == AF_INET6 && r->port_lo)
		goto bad;
	if (host_bits(r)) {
		lb_fail(err, 0, "\"%s\": the address has bits set beyond its "
			"/%d prefix", item, r->prefix);
		return lb_hint(err, "write the network (e.g. 192.0.2.0/24) or "
			       "one host (192.0.2.7/32)");
	}
	return 0;
bad:
	lb_fail(err, 0, "\"%s\" is not an egress item", item);
	return lb_hint(err, "A.B.C.D[/N][:PORT[-PORT]][/tcp|/udp], "
		       "[IPV6[/N]]:PORT[/tcp|/udp] or IPV6[/N]; or any, none");
}

int lb_egress_parse(const char *val, struct lb_egress *eg, struct lb_err *err)
{
	char buf[LB_EGRESS_MAX], *tok, *save = NULL;

	memset(eg, 0, sizeof(*eg));
	eg->mode = LB_EGRESS_ANY;
	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "longer than %d characters",
			       LB_EGRESS_MAX - 1);
	if (!val[0] || !strcasecmp(val, "any"))
		return 0;
	if (!strcasecmp(val, "none")) {
		eg->mode = LB_EGRESS_NONE;
		return 0;
	}
	eg->mode = LB_EGRESS_LIST;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (!strcasecmp(tok, "any") || !strcasecmp(tok, "none"))
			return lb_fail(err, 0, "\"%s\" stands alone: egress = "
				       "any, none, or a list of networks", tok);
		if (eg->n == LB_EGRESS_RULES)
			return lb_fail(err, 0, "more than %d items",
				       LB_EGRESS_RULES);
		if (parse_item(tok, &eg->rule[eg->n], err) < 0)
			return -1;
		eg->n++;
	}
	if (eg->n == 0)
		eg->mode = LB_EGRESS_ANY;
	return 0;
}

static size_t rule_text(const struct lb_egress_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v6port = r->family == AF_INET6 && r->port_lo;
	int n;

	inet_ntop(r->family, r->addr, a, sizeof(a));
	n = snprintf(buf, len, "%s%s/%d%s", v6port ? "[" : "", a, r->prefix,
		     v6port ? "]" : "");
	if (r->port_lo && r->port_lo == r->port_hi)
		n += snprintf(buf + n, len - (size_t)n, ":%u", r->port_lo);
	else if (r->port_lo)
		n += snprintf(buf + n, len - (size_t)n, ":%u-%u", r->port_lo,
			      r->port_hi);
	if (r->proto)
		n += snprintf(buf + n, len - (size_t)n, "/%s",
			      r->proto == 6 ? "tcp" : "udp");
	return n < 0 ? 0 : (size_t)n;
}

void lb_egress_format(const struct lb_egress *eg, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	if (eg->mode != LB_EGRESS_LIST) {
		snprintf(buf, len, "%s", eg->mode == LB_EGRESS_NONE ? "none"
								     : "any");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < eg->n && o + 2 < len; i++) {
		if (i)
			o += (size_t)snprintf(buf + o, len - o, ", ");
		if (o < len)
			o += rule_text(&eg->rule[i], buf + o, len - o);
	}
}

size_t lb_egress_rule_nft(const struct lb_egress_rule *r, const char *key,
			  char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], ports[16];
	int n;

	inet_ntop(r->family, r->addr, a, sizeof(a));
	if (r->port_lo == r->port_hi)
		snprintf(ports, sizeof(ports), "%u", r->port_lo);
	else
		snprintf(ports, sizeof(ports), "%u-%u", r->port_lo, r->port_hi);
	if (r->proto)
		n = snprintf(buf, len, "%s . %s/%d . %u . %s", key, a, r->prefix,
			     r->proto, ports);
	else if (!r->port_lo)
		n = snprintf(buf, len, "%s . %s/%d . 0-255 . 0-65535", key, a,
			     r->prefix);
	else
		n = snprintf(buf, len, "%s . %s/%d . 6 . %s, %s . %s/%d . 17 . %s",
			     key, a, r->prefix, ports, key, a, r->prefix, ports);
	return n < 0 ? 0 : (size_t)n >= len ? len : (size_t)n;
}
