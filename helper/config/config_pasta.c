// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * network = pasta, what the config side needs: the resolvers pasta
 * forwards the box's DNS queries to, and what `loginbox check` says about
 * a section that asks for pasta.
 *
 * Resolvers: pasta (passt 2023-03) run with --no-map-gw drops every
 * loopback nameserver of the resolv.conf it reads (it could only reach one
 * through the gateway mapping to the host's loopback, which loginbox keeps
 * off).  So a 127.0.0.53 systemd-resolved stub is replaced by the upstream
 * servers resolved itself uses (/run/systemd/resolve/resolv.conf), and
 * pasta reads the list made here, not the host's file (net_pasta.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"

#define RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"

static bool loopback(const char *ns)
{
	struct in_addr a;
	struct in6_addr a6;

	if (inet_pton(AF_INET, ns, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ns, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_V4MAPPED(&a6);
	return true; /* not an address: skipped like a loopback one */
}

static int read_ns(const char *path, char *out, size_t len, int *n)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	char line[256], ns[64];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && *n < 3) {
		size_t l = strlen(out);

		if (sscanf(line, " nameserver %63s", ns) != 1 || loopback(ns) ||
		    l + strlen(ns) + 13 >= len)
			continue;
		snprintf(out + l, len - l, "nameserver %s\n", ns);
		(*n)++;
	}
	return 0;
}

int lb_pasta_resolvers(char *out, size_t len, const char **source)
{
	int n = 0;

	out[0] = '\0';
	*source = "/etc/resolv.conf";
	read_ns("/etc/resolv.conf", out, len, &n);
	if (n == 0) {
		*source = RESOLVED_UPSTREAM;
		read_ns(RESOLVED_UPSTREAM, out, len, &n);
	}
	return n;
}

int lb_net_check_pasta(const struct lb_config *cfg, FILE *out)
{
	char ns[512];
	const char *src;
	int i, bad = 0;

	for (i = 0; i < cfg->n_sections; i++) {
		const struct lb_section *s = &cfg->sections[i];

		if (!(s->set_mask & LB_KEY_BIT(LB_KEY_NETWORK)) ||
		    s->values.network != LB_NET_PASTA)
			continue;
		if (access(LB_PASTA_BIN, X_OK) < 0) {
			fprintf(out, "error: [%s] sets network = pasta but %s "
				"is missing (%s): its logins are refused or "
				"unboxed as on_error says; apt install passt\n",
				s->name, LB_PASTA_BIN, strerror(errno));
			bad = 1;
			continue;
		}
		fprintf(out, "note: [%s] network = pasta: each box gets a "
			"pasta process running as the user's first subordinate "
			"uid, with its own /dev/net/tun node (the host's is not "
			"changed)\n", s->name);
		if (access("/sys/class/misc/tun", F_OK) < 0 &&
		    access("/sys/module/tun", F_OK) < 0)
			fprintf(out, "warning: [%s] network = pasta: the "
				"kernel's tun driver is not loaded; logins load "
				"it on demand, or modprobe tun\n", s->name);
		if (lb_pasta_resolvers(ns, sizeof(ns), &src) == 0)
			fprintf(out, "warning: [%s] network = pasta: no "
				"non-loopback nameserver in /etc/resolv.conf or "
				RESOLVED_UPSTREAM ": boxes get no DNS\n",
				s->name);
	}
	return bad ? -1 : 0;
}
