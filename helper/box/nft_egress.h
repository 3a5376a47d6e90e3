/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftables pieces any network mode can reuse (nft.c, nft_egress.c): the
 * egress sets keyed per box, and the foreign forward drop check that box
 * builds and `loginbox doctor` share.
 */
#ifndef LB_NFT_EGRESS_H
#define LB_NFT_EGRESS_H

#include <stddef.h>

#include "egress.h"
#include "err.h"

/* A base chain of another table at the forward hook that drops what is
 * not its own business (policy drop, or an unconditional drop/reject
 * rule): 1 with "table `FAMILY NAME` chain `CHAIN` ..." in what, 0 none,
 * <0 nftables could not be listed. */
int lb_nft_foreign_forward_drop(char *what, size_t len, struct lb_err *err);

/* Declarations (in a table's text) of the sets PFX_any, PFX4 and PFX6
 * keyed by KEYTYPE ("ifname", "uid"), and the rules that accept what they
 * allow for KEYEXPR ("iifname", "meta skuid"). */
size_t nft_egress_decl(char *buf, size_t len, const char *pfx,
		       const char *keytype);
size_t nft_egress_rules(char *buf, size_t len, const char *pfx,
			const char *keyexpr);
/* The `add element` commands of one box (KEY as nft reads it: "\"lbh7\"",
 * "1234"), for the caller's transaction. */
int nft_egress_add_cmds(char *buf, size_t len, const char *table,
			const char *pfx, const char *key,
			const struct lb_egress *eg, struct lb_err *err);
/* Delete every element of SET that starts with KEY (teardown, gc). */
int nft_set_del_key(const char *table, const char *set, const char *key,
		    struct lb_err *err);
/* nft_set_del_key on PFX_any, PFX4 and PFX6. */
int nft_egress_del(const char *table, const char *pfx, const char *key,
		   struct lb_err *err);

#endif
