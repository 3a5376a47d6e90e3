// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policy keys of loginbox.conf(5): one table row per key and the
 * strict parser for each kind of single value (lists are in
 * config_lists.c, printing in config_print.c).
 */
#include "config_keys.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "macros.h"
#include "paths.h"
#include "strparse.h"
#include "template.h"

#define MB (1ULL << 20)
#define TB (1ULL << 40)

/* Enum fields are stored through memcpy of an int: they must be int-sized. */
_Static_assert(sizeof(enum lb_network) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_inside) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_upper) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_home) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_seccomp) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_on_error) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_limits) == sizeof(int), "enum size");
_Static_assert(sizeof(enum lb_session) == sizeof(int), "enum size");
_Static_assert(LB_KEY__COUNT <= 64, "set_mask is a uint64_t");

/* clang-format off: the table reads best one key per row */
/* Word lists in enum order: the index is the stored value. */
static const char *const w_network[] = { "none", "bridge", "pasta", NULL };
static const char *const w_inside[] = { "self", "root", NULL };
static const char *const w_upper[] = { "tmpfs", "disk", "persistent", NULL };
static const char *const w_home[] = { "bind", "tmpfs", "none", NULL };
static const char *const w_seccomp[] = { "default", "none", "strict", NULL };
static const char *const w_on_error[] = { "deny", "allow", NULL };
static const char *const w_limits[] = { "best-effort", "required", NULL };
static const char *const w_session[] = { "user", "login", NULL };

#define FIELD(f) offsetof(struct lb_policy, f), sizeof(((struct lb_policy *)0)->f)
/* A count and the array after it, copied together. */
#define SPAN(first, last)                                                      \
	offsetof(struct lb_policy, first),                                     \
		offsetof(struct lb_policy, last) +                             \
			sizeof(((struct lb_policy *)0)->last) -                \
			offsetof(struct lb_policy, first)

#define SIMPLE(n, id, t, f) { n, id, t, FIELD(f), 0, 0, false, NULL }
#define ENUM(n, id, f, w) { n, id, LB_KT_ENUM, FIELD(f), 0, 0, false, w }

/* The eight cgroup limits, once per session and once per user. */
#define LIMITS(pfx, ls, ID)                                                    \
	{ pfx "memory_max", ID##MEMORY_MAX, LB_KT_SIZE,                        \
	  FIELD(ls.memory_max), MB, UINT64_MAX - 1, true, NULL },              \
	{ pfx "memory_high", ID##MEMORY_HIGH, LB_KT_SIZE,                      \
	  FIELD(ls.memory_high), MB, UINT64_MAX - 1, true, NULL },             \
	{ pfx "memory_swap_max", ID##MEMORY_SWAP_MAX, LB_KT_SIZE,              \
	  FIELD(ls.memory_swap_max), 0, UINT64_MAX - 1, true, NULL },          \
	{ pfx "cpu_max", ID##CPU_MAX, LB_KT_CORES,                             \
	  FIELD(ls.cpu_max), 0, 0, true, NULL },                               \
	{ pfx "cpu_weight", ID##CPU_WEIGHT, LB_KT_NUM,                         \
	  FIELD(ls.cpu_weight), 1, 10000, false, NULL },                       \
	{ pfx "pids_max", ID##PIDS_MAX, LB_KT_NUM,                             \
	  FIELD(ls.pids_max), 1, 4194304, true, NULL },                        \
	{ pfx "io_weight", ID##IO_WEIGHT, LB_KT_NUM,                           \
	  FIELD(ls.io_weight), 1, 10000, false, NULL },                        \
	{ pfx "io_max", ID##IO_MAX, LB_KT_IO,                                  \
	  SPAN(ls.n_io, ls.io_max), 0, 0, false, NULL }

/* Indexed by enum lb_key (checked by lb_key_find's users in tests). */
const struct lb_keydef lb_keys[LB_KEY__COUNT] = {
	SIMPLE("box", LB_KEY_BOX, LB_KT_BOOL, boxed),
	SIMPLE("image", LB_KEY_IMAGE, LB_KT_IMAGE, image),
	ENUM("network", LB_KEY_NETWORK, network, w_network),
	SIMPLE("egress", LB_KEY_EGRESS, LB_KT_EGRESS, egress),
	SIMPLE("hostname", LB_KEY_HOSTNAME, LB_KT_TEMPLATE, hostname),
	ENUM("inside_uid", LB_KEY_INSIDE_UID, inside_uid, w_inside),
	ENUM("upper", LB_KEY_UPPER, upper, w_upper),
	{ "upper_size", LB_KEY_UPPER_SIZE, LB_KT_SIZE, FIELD(upper_size), MB,
	  TB, true, NULL },
	ENUM("home", LB_KEY_HOME, home, w_home),
	{ "tmpfs_size", LB_KEY_TMPFS_SIZE, LB_KT_SIZE, FIELD(tmpfs_size), MB,
	  TB, false, NULL },
	SIMPLE("shell", LB_KEY_SHELL, LB_KT_SHELL, shell),
	ENUM("seccomp", LB_KEY_SECCOMP, seccomp, w_seccomp),
	SIMPLE("capabilities", LB_KEY_CAPABILITIES, LB_KT_CAPS, caps),
	SIMPLE("nested_userns", LB_KEY_NESTED_USERNS, LB_KT_BOOL, nested_userns),
	{ "groups", LB_KEY_GROUPS, LB_KT_GROUPS,
	  SPAN(n_keep_groups, keep_groups), 0, 0, false, NULL },
	/* -1000..1000, checked in lb_key_parse: min/max here are unsigned */
	SIMPLE("priority", LB_KEY_PRIORITY, LB_KT_INT, priority),
	ENUM("on_error", LB_KEY_ON_ERROR, on_error, w_on_error),
	ENUM("limits", LB_KEY_LIMITS, limits, w_limits),
	LIMITS("", session, LB_KEY_),
	LIMITS("user_", user, LB_KEY_USER_),
	ENUM("session", LB_KEY_SESSION, session_mode, w_session),
	SIMPLE("linger", LB_KEY_LINGER, LB_KT_DURATION, linger),
	SIMPLE("max_linger", LB_KEY_MAX_LINGER, LB_KT_DURATION, max_linger),
	{ "devices", LB_KEY_DEVICES, LB_KT_DEVICES,
	  SPAN(n_devices, devices), 0, 0, false, NULL },
	{ "shm_size", LB_KEY_SHM_SIZE, LB_KT_SIZE, FIELD(shm_size), MB,
	  TB, false, NULL },
	SIMPLE("lxcfs", LB_KEY_LXCFS, LB_KT_BOOL, lxcfs),
};
/* clang-format on */

/* no, yes, or N with s, min, h or d (at most a year). */
int lb_parse_duration(const char *val, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t sec;
	} units[] = {{"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}};
	char num[24];
	size_t n = strspn(val, "0123456789"), i;
	long long v;

	if (!strcasecmp(val, "no")) {
		*out = 0;
		return 0;
	}
	if (!strcasecmp(val, "yes")) {
		*out = LB_UNLIMITED;
		return 0;
	}
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, val, n);
	num[n] = '\0';
	if (lb_parse_int(num, 0, 366LL * 86400, &v) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(val + n, units[i].unit) &&
		    (uint64_t)v * units[i].sec <= 366ULL * 86400) {
			*out = (uint64_t)v * units[i].sec;
			return 0;
		}
	return -1;
}

const struct lb_keydef *lb_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lb_keys); i++)
		if (strcmp(lb_keys[i].name, name) == 0)
			return &lb_keys[i];
	return NULL;
}

const char *lb_config_key_name(enum lb_key key)
{
	if ((unsigned)key >= ARRAY_SIZE(lb_keys))
		return NULL;
	return lb_keys[key].name;
}

/* Levenshtein distance, capped: names are short, two rows suffice. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t prev[40], cur[40];

	if (la >= ARRAY_SIZE(prev) || lb >= ARRAY_SIZE(prev))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);

			cur[j] = del < ins ? del : ins;
			if (sub < cur[j])
				cur[j] = sub;
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

const char *lb_key_suggest(const char *name)
{
	const char *best = NULL;
	size_t i, d, best_d = 3;

	for (i = 0; i < ARRAY_SIZE(lb_keys); i++) {
		d = edit_distance(name, lb_keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = lb_keys[i].name;
		}
	}
	return best;
}

static void *field(struct lb_policy *p, const struct lb_keydef *k)
{
	return (char *)p + k->off;
}

static const void *cfield(const struct lb_policy *p, const struct lb_keydef *k)
{
	return (const char *)p + k->off;
}

/* "a, b, c" for an error message. */
static void join_words(const char *const *w, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; w[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      w[i]);
}

static bool valid_image(const char *s)
{
	size_t i;

	if (strcmp(s, "host") == 0)
		return true;
	if (!s[0] || s[0] == '.' || strstr(s, ".."))
		return false;
	for (i = 0; s[i]; i++) {
		if (i >= 63)
			return false;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	}
	return true;
}

static bool valid_shell(const char *s)
{
	size_t i;

	if (s[0] != '/' || strlen(s) >= 256 || strstr(s, ".."))
		return false;
	for (i = 0; s[i]; i++)
		if (!isgraph((unsigned char)s[i]))
			return false; /* whitespace, control characters */
	return true;
}

static int parse_size_key(const struct lb_keydef *k, const char *val,
			  uint64_t *out, struct lb_err *err)
{
	char show[80], lo[32], hi[32];
	uint64_t v;

	if (lb_parse_size(val, k->allow_max, k->min, k->max, out) == 0)
		return 0;
	lb_show(val, show, sizeof(show));
	if (lb_parse_size(val, k->allow_max, 0, UINT64_MAX - 1, &v) < 0)
		return lb_fail(err, 0, "\"%s\" is not a size (use e.g. 512M, "
			       "2G%s)", show, k->allow_max ? " or max" : "");
	/* Well formed but out of range: say which range. */
	lb_format_size(k->min, lo, sizeof(lo));
	if (k->max >= UINT64_MAX - 1)
		return lb_fail(err, 0, "\"%s\" is less than %s", show, lo);
	lb_format_size(k->max, hi, sizeof(hi));
	return lb_fail(err, 0, "\"%s\" is not between %s and %s", show, lo, hi);
}

int lb_key_parse(const struct lb_keydef *k, const char *val,
		 struct lb_policy *p, struct lb_err *err)
{
	char show[80], words[160];
	void *f = field(p, k);
	long long n;
	uint64_t u;
	bool b;
	int i;

	lb_show(val, show, sizeof(show));
	switch (k->type) {
	case LB_KT_BOOL:
		if (lb_parse_bool(val, &b) < 0)
			return lb_fail(err, 0, "\"%s\" is not yes or no", show);
		memcpy(f, &b, sizeof(b));
		return 0;
	case LB_KT_ENUM:
		i = lb_parse_enum(val, k->words);
		if (i < 0) {
			join_words(k->words, words, sizeof(words));
			return lb_fail(err, 0, "\"%s\" is not one of: %s", show,
				       words);
		}
		memcpy(f, &i, sizeof(i));
		return 0;
	case LB_KT_IMAGE:
		if (!valid_image(val)) {
			lb_fail(err, 0, "\"%s\" is not an image name", show);
			return lb_hint(err, "use host, or the name of a "
				       "directory under %s (letters, digits, "
				       "_ . -)", LB_IMAGES_DIR);
		}
		snprintf(f, k->size, "%s", val);
		return 0;
	case LB_KT_TEMPLATE:
		if (strlen(val) >= k->size)
			return lb_fail(err, 0, "\"%s\" is longer than %zu "
				       "characters", show, k->size - 1);
		if (lb_template_check(val, err) < 0)
			return -1;
		snprintf(f, k->size, "%s", val);
		return 0;
	case LB_KT_SHELL:
		if (!valid_shell(val))
			return lb_fail(err, 0, "\"%s\" is not an absolute path "
				       "(no \"..\", no blanks)", show);
		snprintf(f, k->size, "%s", val);
		return 0;
	case LB_KT_CAPS:
		if (lb_parse_caps_value(val, &u, err) < 0)
			return -1;
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_GROUPS:
		return lb_parse_groups_value(val, p, err);
	case LB_KT_DEVICES:
		return lb_parse_devices_value(val, p, err);
	case LB_KT_EGRESS: {
		struct lb_egress eg;
		char norm[LB_EGRESS_RULES * 64];

		if (lb_egress_parse(val, &eg, err) < 0)
			return -1;
		/* stored normalized ("/32" added...): a cut one would be
		 * another list, so too long is an error, never a truncation */
		lb_egress_format(&eg, norm, sizeof(norm));
		if (strlen(norm) >= k->size)
			return lb_fail(err, 0, "longer than %zu characters once "
				       "written out in full (%s...)", k->size - 1,
				       show);
		memcpy(f, norm, strlen(norm) + 1);
		return 0;
	}
	case LB_KT_INT:
		/* Only priority: -1000..1000 (the table holds unsigned). */
		if (lb_parse_int(val, -1000, 1000, &n) < 0)
			return lb_fail(err, 0, "\"%s\" is not an integer from "
				       "-1000 to 1000", show);
		i = (int)n;
		memcpy(f, &i, sizeof(i));
		return 0;
	case LB_KT_DURATION:
		if (lb_parse_duration(val, &u) < 0)
			return lb_fail(err, 0, "\"%s\" is not no, yes or a "
				       "duration (30s, 30min, 8h, 2d)", show);
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_NUM:
		if (k->allow_max && strcasecmp(val, "max") == 0) {
			u = LB_UNLIMITED;
		} else if (lb_parse_int(val, (long long)k->min,
					(long long)k->max, &n) == 0) {
			u = (uint64_t)n;
		} else {
			return lb_fail(err, 0, "\"%s\" is not an integer from "
				       "%" PRIu64 " to %" PRIu64 "%s", show,
				       k->min, k->max,
				       k->allow_max ? " or max" : "");
		}
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_SIZE:
		if (parse_size_key(k, val, &u, err) < 0)
			return -1;
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_CORES:
		if (lb_parse_cores(val, &u) < 0)
			return lb_fail(err, 0, "\"%s\" is not a number of cores "
				       "(use e.g. 1, 1.5, 0.25 or max; at most "
				       "4096)", show);
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_IO:
		/* the key's span starts at n_io inside a lb_limits_set */
		return lb_parse_io_value(val, (void *)((char *)f -
				offsetof(struct lb_limits_set, n_io)), err);
	}
	return lb_fail(err, 0, "internal: key type %d", (int)k->type);
}

void lb_key_overlay(struct lb_policy *dst, const struct lb_policy *src,
		    uint64_t mask)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lb_keys); i++)
		if (mask & LB_KEY_BIT(lb_keys[i].id))
			memcpy(field(dst, &lb_keys[i]), cfield(src, &lb_keys[i]),
			       lb_keys[i].size);
}
