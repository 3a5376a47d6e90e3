/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the config_*.c files and policy.c: the table of policy
 * keys.  One row per key says how to parse it, where it lives in struct
 * lb_policy (so overlaying a section is a memcpy per set key) and how to
 * print it back; adding a key is adding a row and an enum lb_key id.
 */
#ifndef LB_CONFIG_KEYS_H
#define LB_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "strparse.h"

enum lb_ktype {
	LB_KT_BOOL,     /* bool */
	LB_KT_ENUM,     /* int-sized enum, spelled by words[] */
	LB_KT_IMAGE,    /* char[LB_NAME_MAX] */
	LB_KT_TEMPLATE, /* char[LB_TEMPLATE_MAX], lb_template_check */
	LB_KT_SHELL,    /* char[256], absolute path */
	LB_KT_CAPS,     /* uint64_t bit set */
	LB_KT_GROUPS,   /* n_keep_groups + keep_groups */
	LB_KT_INT,      /* int in [min, max] */
	LB_KT_NUM,      /* uint64_t in [min, max], or "max" if allow_max */
	LB_KT_SIZE,     /* uint64_t bytes in [min, max], or "max" */
	LB_KT_CORES,    /* uint64_t millicores, or "max" */
	LB_KT_IO,       /* n_io + io_max[] */
	LB_KT_DURATION, /* uint64_t seconds: no (0), yes (LB_UNLIMITED), 30min */
	LB_KT_DEVICES,  /* n_devices + devices[] */
	LB_KT_EGRESS,   /* char[LB_EGRESS_MAX], normalized (egress.h) */
};

struct lb_keydef {
	const char *name;
	enum lb_key id;
	enum lb_ktype type;
	size_t off;  /* first byte of the field(s) in struct lb_policy */
	size_t size; /* bytes copied when a section overlays the policy */
	uint64_t min, max;
	bool allow_max;
	const char *const *words;
};

extern const struct lb_keydef lb_keys[LB_KEY__COUNT];

const struct lb_keydef *lb_key_find(const char *name);

/* linger and max_linger: no (0), yes (LB_UNLIMITED), N s|min|h|d. */
int lb_parse_duration(const char *val, uint64_t *out);

/* The key closest to a misspelt `name` (edit distance <= 2), or NULL. */
const char *lb_key_suggest(const char *name);

/* Parse `val` into p's field for k.  On error err->msg says what is wrong
 * with the value only; the caller prefixes file, section and key. */
int lb_key_parse(const struct lb_keydef *k, const char *val,
		 struct lb_policy *p, struct lb_err *err);

/* Copy every field whose bit is in mask from src to dst. */
void lb_key_overlay(struct lb_policy *dst, const struct lb_policy *src,
		    uint64_t mask);

/* config_print.c: the policy fields of an audit record (audit.h):
 * section, file, user_section, image, network, and every limit the policy
 * sets (memory_max=..., user_pids_max=...), each spelled as
 * loginbox.conf(5) reads it. */
struct lb_audit;
void lb_audit_policy(struct lb_audit *a, const struct lb_policy *p);

/* The value of k in p, spelled so that lb_key_parse reads it back. */
void lb_key_format(const struct lb_keydef *k, const struct lb_policy *p,
		   char *buf, size_t len);

/* Parse len bytes of config text named `file` into cfg (config.c). */
int lb_config_add_text(struct lb_config *cfg, const char *text, size_t len,
		       const char *file, struct lb_err *err);

/* The list-valued keys (config_lists.c); same contract as lb_key_parse. */
int lb_parse_caps_value(const char *val, uint64_t *out, struct lb_err *err);
int lb_parse_groups_value(const char *val, struct lb_policy *p,
			  struct lb_err *err);
int lb_parse_devices_value(const char *val, struct lb_policy *p,
			   struct lb_err *err);
int lb_parse_io_value(const char *val, struct lb_limits_set *ls,
		      struct lb_err *err);

/* lb_format_size, lb_valid_name and lb_show are in strparse.h, at the
 * bottom of the stack: the key table, the lists and printing all use
 * them without calling each other. */

#endif
