// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: networking (doctor.h).  network = bridge routes the boxes'
 * traffic through this host's forward hook: its logins set ip_forward and
 * add loginbox's own table (net_bridge.c), but a base chain of another
 * table on the same hook with policy drop (docker's and ufw's FORWARD
 * through iptables-nft, firewalld's) still drops the packets loginbox's
 * chain accepted: nftables runs every base chain of a hook, and a drop in
 * any of them is final.  The ruleset is read through libnftables, as the
 * helper writes it.  /dev/net/tun is reported for an unprivileged pasta
 * (it opens the device as the user).
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../box/net.h"
#include "macros.h"

#define RULESET_MAX (256u << 10)

static const struct lb_section *bridged(const struct lb_config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_sections; i++)
		if ((cfg->sections[i].set_mask & LB_KEY_BIT(LB_KEY_NETWORK)) &&
		    cfg->sections[i].values.network == LB_NET_BRIDGE)
			return &cfg->sections[i];
	return NULL;
}

static void ip_forward(struct lb_doctor *d)
{
	char buf[8] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	lb_doc_add(d, LB_DOC_OK, "bridge ip_forward", NULL, "%s",
		   buf[0] == '1' ? "net.ipv4.ip_forward = 1"
				 : "net.ipv4.ip_forward = 0: the first bridged "
				   "login sets it to 1");
}

/* Who usually made a table of that name. */
static const char *owner_guess(const char *table)
{
	if (strstr(table, "firewalld"))
		return "firewalld";
	if (!strcmp(table, "ip filter") || !strcmp(table, "ip6 filter"))
		return "iptables-nft: docker, ufw or a hand-made rule";
	return "another program";
}

/* Base chains on the forward hook with policy drop, outside loginbox's
 * own table; returns how many were reported. */
static int foreign_drops(struct lb_doctor *d, char *rules, const char *subnet)
{
	char table[128] = "", chain[128] = "", fix[700];
	char *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(rules, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (!strncmp(line, "table ", 6)) {
			/* family and name: "inet loginbox" */
			char *end = strstr(line + 6, " {");

			snprintf(table, sizeof(table), "%.*s",
				 (int)(end ? end - line - 6 : (long)strlen(line + 6)),
				 line + 6);
		} else if (!strncmp(line, "chain ", 6)) {
			snprintf(chain, sizeof(chain), "%.*s",
				 (int)strcspn(line + 6, " {"), line + 6);
		} else if (strstr(line, "hook forward") &&
			   strstr(line, "policy drop") &&
			   strcmp(table, "inet loginbox") != 0) {
			snprintf(fix, sizeof(fix),
				 "let the boxes' subnet through that chain, "
				 "e.g. nft insert rule %s %s ip saddr %s accept "
				 "and nft insert rule %s %s ip daddr %s ct state "
				 "established,related accept (docker: in "
				 "DOCKER-USER; ufw: ufw route allow from %s)",
				 table, chain, subnet, table, chain, subnet,
				 subnet);
			lb_doc_add(d, LB_DOC_WARN, "bridge forwarding", fix,
				   "table %s chain %s (%s) has policy drop on "
				   "the forward hook: bridged boxes reach "
				   "nothing beyond this host",
				   table, chain, owner_guess(table));
			n++;
		}
	}
	return n;
}

static void nftables(struct lb_doctor *d)
{
	cleanup_free char *rules = malloc(RULESET_MAX);
	const char *subnet = d->cfg->net_subnet[0] ? d->cfg->net_subnet
						   : "SUBNET";
	struct lb_err err;
	char text[1200];

	if (!rules)
		return;
	lb_err_clear(&err);
	if (nft_run("list chains", rules, RULESET_MAX, &err) < 0) {
		lb_doc_add(d, LB_DOC_ERROR, "bridge nftables",
			   "modprobe nf_tables (a kernel with nftables)",
			   "%s: bridged logins are refused",
			   lb_err_text(&err, text, sizeof(text)));
		return;
	}
	lb_doc_add(d, LB_DOC_OK, "bridge nftables", NULL,
		   "libnftables lists the ruleset");
	if (!foreign_drops(d, rules, subnet))
		lb_doc_add(d, LB_DOC_OK, "bridge forwarding", NULL,
			   "no other table drops on the forward hook");
}

/* No policy value selects pasta yet: information for an admin who
 * runs it, or will. */
static void tun(struct lb_doctor *d)
{
	struct stat st;

	if (stat("/dev/net/tun", &st) < 0) {
		lb_doc_add(d, LB_DOC_OK, "/dev/net/tun", NULL,
			   "absent (pasta would need it)");
		return;
	}
	if ((st.st_mode & 0006) == 0006)
		lb_doc_add(d, LB_DOC_OK, "/dev/net/tun", NULL, "mode %04o",
			   (unsigned)(st.st_mode & 07777));
	else
		lb_doc_add(d, LB_DOC_OK, "/dev/net/tun", NULL,
			   "mode %04o: an unprivileged pasta cannot open it "
			   "(no policy uses pasta; for one, a udev rule "
			   "KERNEL==\"tun\", MODE=\"0666\" or chmod 0666 "
			   "/dev/net/tun)",
			   (unsigned)(st.st_mode & 07777));
}

void lb_doctor_net(struct lb_doctor *d)
{
	const struct lb_section *s = bridged(d->cfg);

	if (!s) {
		lb_doc_add(d, LB_DOC_OK, "bridge networking", NULL,
			   "no policy uses network = bridge");
	} else {
		if (!d->cfg->net_subnet[0])
			lb_doc_add(d, LB_DOC_ERROR, "bridge networking",
				   "set bridge_subnet = A.B.C.D/N in [global]",
				   "[%s] sets network = bridge but [global] has "
				   "no bridge_subnet: its logins are refused",
				   s->name);
		ip_forward(d);
		nftables(d);
	}
	tun(d);
}
