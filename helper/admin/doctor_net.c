// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor: networking (doctor.h).  network = bridge routes the boxes'
 * traffic through this host's forward hook: its logins set ip_forward and
 * add loginbox's own table (net_bridge.c), but a base chain of another
 * table on the same hook with policy drop (docker's and ufw's FORWARD
 * through iptables-nft, firewalld's) still drops the packets loginbox's
 * chain accepted: nftables runs every base chain of a hook, and a drop in
 * any of them is final.  The ruleset is read through libnftables, as the
 * helper writes it (one check, nft.c).  For network = pasta: the
 * program and the tun driver.
 */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../box/net.h"
#include "../box/nft_egress.h"
#include "macros.h"

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

/* The helper's own check (lb_nft_foreign_forward_drop, nft.c: policy drop
 * or a last unconditional drop/reject of another table's forward chain),
 * said with the chain to open and how. */
static void nftables(struct lb_doctor *d)
{
	const char *subnet = d->cfg->net_subnet[0] ? d->cfg->net_subnet
						   : "SUBNET";
	char what[512], table[128] = "", chain[128] = "", fix[700];
	char text[1200];
	struct lb_err err;
	int r;

	lb_err_clear(&err);
	r = lb_nft_foreign_forward_drop(what, sizeof(what), &err);
	if (r < 0) {
		lb_doc_add(d, LB_DOC_ERROR, "bridge nftables",
			   "modprobe nf_tables (a kernel with nftables)",
			   "%s: bridged logins are refused",
			   lb_err_text(&err, text, sizeof(text)));
		return;
	}
	lb_doc_add(d, LB_DOC_OK, "bridge nftables", NULL,
		   "libnftables lists the ruleset");
	if (r == 0) {
		lb_doc_add(d, LB_DOC_OK, "bridge forwarding", NULL,
			   "no other table drops on the forward hook");
		return;
	}
	/* what: "table `FAMILY NAME` chain `CHAIN` drops ..." */
	if (sscanf(what, "table `%127[^`]` chain `%127[^`]`", table, chain) != 2)
		snprintf(table, sizeof(table), "TABLE");
	snprintf(fix, sizeof(fix),
		 "let the boxes' subnet through that chain, e.g. nft insert "
		 "rule %s %s ip saddr %s accept and nft insert rule %s %s ip "
		 "daddr %s ct state established,related accept (docker: in "
		 "DOCKER-USER; ufw: ufw route allow from %s)",
		 table, chain[0] ? chain : "CHAIN", subnet, table,
		 chain[0] ? chain : "CHAIN", subnet, subnet);
	lb_doc_add(d, LB_DOC_WARN, "bridge forwarding", fix,
		   "%s (%s): bridged boxes reach nothing beyond this host",
		   what, owner_guess(table));
}

static const struct lb_section *pasta_section(const struct lb_config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_sections; i++)
		if ((cfg->sections[i].set_mask & LB_KEY_BIT(LB_KEY_NETWORK)) &&
		    cfg->sections[i].values.network == LB_NET_PASTA)
			return &cfg->sections[i];
	return NULL;
}

/* network = pasta: the program, and the tun driver.  The host node's mode
 * does not matter: pasta gets a node of its own (net_pasta.c), so a 0600
 * /dev/net/tun (no udev) is fine and is never opened up. */
static void pasta(struct lb_doctor *d)
{
	const struct lb_section *s = pasta_section(d->cfg);
	struct stat st;

	if (!s) {
		lb_doc_add(d, LB_DOC_OK, "pasta networking", NULL,
			   "no policy uses network = pasta");
		return;
	}
	if (access(LB_PASTA_BIN, X_OK) < 0)
		lb_doc_add(d, LB_DOC_ERROR, "pasta networking",
			   "apt install passt",
			   "[%s] sets network = pasta but %s is missing: its "
			   "logins are refused", s->name, LB_PASTA_BIN);
	else
		lb_doc_add(d, LB_DOC_OK, "pasta networking", NULL, "%s",
			   LB_PASTA_BIN);
	if (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode))
		lb_doc_add(d, LB_DOC_ERROR, "/dev/net/tun", "modprobe tun",
			   "no tun device: [%s]'s pasta cannot start", s->name);
	else
		lb_doc_add(d, LB_DOC_OK, "/dev/net/tun", NULL,
			   "the tun driver is there (mode %04o: pasta gets a "
			   "node of its own, the host's is never opened up)",
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
	pasta(d);
}
