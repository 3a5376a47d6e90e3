// SPDX-License-Identifier: GPL-2.0-or-later
/* egress = any | none | LIST: the grammar, its normal form and the
 * nftables elements each item becomes (egress.h). */
#include "egress.h"

#include <sys/socket.h>

#include "tap.h"

static struct lb_egress eg;
static struct lb_err err;

static const char *norm(const char *val)
{
	static char buf[LB_EGRESS_MAX];

	lb_err_clear(&err);
	if (lb_egress_parse(val, &eg, &err) < 0)
		return err.msg;
	lb_egress_format(&eg, buf, sizeof(buf));
	return buf;
}

static void t_forms(void)
{
	is_str(norm(""), "any", "empty is any (the default)");
	is_str(norm("ANY"), "any", "any, any case");
	is_str(norm("none"), "none", "none");
	is_str(norm("10.1.2.3/32:27000-27009/tcp, 192.0.2.0/24"),
	       "10.1.2.3/32:27000-27009/tcp, 192.0.2.0/24",
	       "the loginbox.conf(5) example reads back as itself");
	is_str(norm("10.1.2.3   198.18.0.1:53/UDP,,2001:db8::/32"),
	       "10.1.2.3/32, 198.18.0.1/32:53/udp, 2001:db8::/32",
	       "blanks and commas separate; a bare address is a /32");
	is_str(norm("[2001:db8::1]:443/tcp [fd00::/8]"),
	       "[2001:db8::1/128]:443/tcp, fd00::/8",
	       "IPv6 with a port in brackets; without, brackets optional");
	is_str(norm("2001:db8::/32/udp"), "2001:db8::/32/udp",
	       "IPv6 with a protocol and no port");
	is_str(norm("0.0.0.0/0:443"), "0.0.0.0/0:443",
	       "everything on one port (tcp and udp)");
}

static void t_refused(void)
{
	ok(strstr(norm("10.1.2.3/24"), "bits set beyond its /24"),
	   "host bits beyond the prefix are refused (%s)", err.msg);
	ok(strstr(norm("10.0.0.0/8:0"), "ports are 1 to 65535"),
	   "port 0 refused (%s)", err.msg);
	ok(strstr(norm("10.0.0.0/8:20-10"), "ports are 1 to 65535"),
	   "a reversed range refused (%s)", err.msg);
	ok(strstr(norm("10.0.0.0/33"), "not an egress item"),
	   "/33 refused (%s)", err.msg);
	ok(strstr(norm("10.0.0.0/8/icmp"), "not an egress item"),
	   "an unknown protocol refused (%s)", err.msg);
	ok(strstr(norm("example.org:443"), "not an egress item"),
	   "a host name refused (names are resolved nowhere) (%s)", err.msg);
	ok(strstr(norm("10.0.0.1, none"), "stands alone"),
	   "none inside a list refused (%s)", err.msg);
	ok(strstr(norm("2001:db8::1:443"), "not an egress item") == NULL,
	   "an unbracketed IPv6 with a last group is an address, not a port");
}

static void t_nft(void)
{
	char buf[512];

	lb_err_clear(&err);
	ok(lb_egress_parse("10.1.2.3:27000-27009/tcp 192.0.2.0/24 "
			   "[2001:db8::/32]:53", &eg, &err) == 0 && eg.n == 3,
	   "three items");
	lb_egress_rule_nft(&eg.rule[0], "\"lbh7\"", buf, sizeof(buf));
	is_str(buf, "\"lbh7\" . 10.1.2.3/32 . 6 . 27000-27009",
	       "tcp and a port range");
	lb_egress_rule_nft(&eg.rule[1], "\"lbh7\"", buf, sizeof(buf));
	is_str(buf, "\"lbh7\" . 192.0.2.0/24 . 0-255 . 0-65535",
	       "no port: every protocol and port");
	lb_egress_rule_nft(&eg.rule[2], "1234", buf, sizeof(buf));
	is_str(buf, "1234 . 2001:db8::/32 . 6 . 53, 1234 . 2001:db8::/32 . 17 . 53",
	       "a port without a protocol: tcp and udp");
	ok(eg.rule[2].family == AF_INET6, "the bracketed one is IPv6");
}

int main(void)
{
	t_forms();
	t_refused();
	t_nft();
	return done_testing();
}
