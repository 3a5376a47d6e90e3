// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftables through libnftables: one call is one batch, applied by the
 * kernel as one transaction (all of it or none), without forking nft.
 */
#include "net.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "nft_egress.h"

/* One context for the process: making one costs about half a
 * millisecond (it reads iproute2's tables), a box build needs three calls. */
static struct nft_ctx *ctx;

int nft_run(const char *cmds, char *out, size_t outlen, struct lb_err *err)
{
	const char *o, *e;
	int r;

	if (!ctx) {
		ctx = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!ctx)
			return lb_fail(err, ENOMEM, "libnftables context");
		nft_ctx_buffer_output(ctx);
		nft_ctx_buffer_error(ctx);
	}
	r = nft_run_cmd_from_buffer(ctx, cmds);
	o = nft_ctx_get_output_buffer(ctx);
	e = nft_ctx_get_error_buffer(ctx);
	if (out && outlen)
		snprintf(out, outlen, "%s", o ? o : "");
	if (r != 0) {
		char first[200];

		snprintf(first, sizeof(first), "%s", e && *e ? e : "failed");
		first[strcspn(first, "\n")] = '\0';
		lb_fail(err, 0, "nftables: %s", first);
	}
	return r != 0 ? -1 : 0;
}

/* A rule that drops whatever reaches it: nothing but a counter before a
 * drop or reject verdict (firewalld ends its forward chain with one). */
static bool unconditional_drop(const char *rule)
{
	unsigned long long a, b;
	int n = 0;

	if (sscanf(rule, "counter packets %llu bytes %llu %n", &a, &b, &n) == 2 &&
	    n > 0)
		rule += n;
	return !strcmp(rule, "drop") || !strncmp(rule, "reject", 6);
}

/* One chain's rules: 1 when one drops unconditionally. */
static int chain_drops(const char *table, const char *chain, char *what,
		       size_t len, struct lb_err *err)
{
	char cmd[300], *out, *line, *save = NULL;
	size_t cap = 1 << 18;
	int r = 0;

	out = malloc(cap);
	if (!out)
		return lb_fail(err, ENOMEM, "nftables listing");
	snprintf(cmd, sizeof(cmd), "list chain %s %s", table, chain);
	if (nft_run(cmd, out, cap, err) < 0) {
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line && !r;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (unconditional_drop(line)) {
			snprintf(what, len, "table `%s` chain `%s` ends with "
				 "`%s` at the forward hook", table, chain, line);
			r = 1;
		}
	}
	free(out);
	return r;
}

/*
 * Every base chain of a hook sees the packet and a drop in any of them is
 * final, so an accept of ours decides nothing when another table's forward
 * chain drops: policy drop (Docker, ufw, iptables-nft setups) or a last
 * unconditional drop/reject rule (firewalld).  A conditional drop (ct
 * state invalid, a jump into a chain that drops some) is not reported: it
 * is not the boxes' business to second-guess, and it does not drop all.
 */
int lb_nft_foreign_forward_drop(char *what, size_t len, struct lb_err *err)
{
	char out[32768], table[128] = "", chain[128] = "", *line, *save = NULL;
	int r;

	if (nft_run("list chains", out, sizeof(out), err) < 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char fam[16], name[96];

		line += strspn(line, " \t");
		if (sscanf(line, "table %15s %95[^{ ]", fam, name) == 2) {
			snprintf(table, sizeof(table), "%s %s", fam, name);
			continue;
		}
		if (sscanf(line, "chain %127[^{ ]", chain) == 1)
			continue;
		if (!strstr(line, "hook forward") ||
		    !strcmp(table, "inet loginbox"))
			continue;
		if (strstr(line, "policy drop")) {
			snprintf(what, len, "table `%s` chain `%s` drops "
				 "forwarded packets (policy drop)", table, chain);
			return 1;
		}
		/* its rules: listed on their own (list chains has none) */
		r = chain_drops(table, chain, what, len, err);
		if (r != 0)
			return r;
	}
	return 0;
}
