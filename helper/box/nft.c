// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftables through libnftables: one call is one batch, applied by the
 * kernel as one transaction (all of it or none), without forking nft.
 */
#include "net.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

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
