// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policy keys of loginbox.conf(5): one table row per key, the strict
 * parser for each kind of value, and the printer that spells a value back
 * (so `loginbox policy USER` output can be pasted into a config).
 */
#include "config_keys.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

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
_Static_assert(LB_KEY__COUNT <= 64, "set_mask is a uint64_t");

/* Word lists in enum order: the index is the stored value. */
static const char *const w_network[] = { "none", NULL };
static const char *const w_inside[] = { "self", "root", NULL };
static const char *const w_upper[] = { "tmpfs", "disk", "persistent", NULL };
static const char *const w_home[] = { "bind", "tmpfs", "none", NULL };
static const char *const w_seccomp[] = { "default", "none", NULL };
static const char *const w_on_error[] = { "deny", "allow", NULL };
static const char *const w_limits[] = { "best-effort", "required", NULL };

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
	SIMPLE("hostname", LB_KEY_HOSTNAME, LB_KT_TEMPLATE, hostname),
	ENUM("inside_uid", LB_KEY_INSIDE_UID, inside_uid, w_inside),
	ENUM("upper", LB_KEY_UPPER, upper, w_upper),
	{ "upper_size", LB_KEY_UPPER_SIZE, LB_KT_SIZE, FIELD(upper_size), MB,
	  TB, false, NULL },
	ENUM("home", LB_KEY_HOME, home, w_home),
	SIMPLE("shell", LB_KEY_SHELL, LB_KT_SHELL, shell),
	ENUM("seccomp", LB_KEY_SECCOMP, seccomp, w_seccomp),
	SIMPLE("capabilities", LB_KEY_CAPABILITIES, LB_KT_CAPS, caps),
	{ "groups", LB_KEY_GROUPS, LB_KT_GROUPS,
	  SPAN(n_keep_groups, keep_groups), 0, 0, false, NULL },
	/* -1000..1000, checked in lb_key_parse: min/max here are unsigned */
	SIMPLE("priority", LB_KEY_PRIORITY, LB_KT_INT, priority),
	ENUM("on_error", LB_KEY_ON_ERROR, on_error, w_on_error),
	ENUM("limits", LB_KEY_LIMITS, limits, w_limits),
	LIMITS("", session, LB_KEY_),
	LIMITS("user_", user, LB_KEY_USER_),
};

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

bool lb_valid_name(const char *s, bool allow_upper)
{
	size_t i;

	if (!s[0] || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (i >= 32)
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-')
			continue;
		if (allow_upper && c >= 'A' && c <= 'Z')
			continue;
		return false;
	}
	return true;
}

const char *lb_show(const char *val, char *buf, size_t len)
{
	size_t i, o = 0;

	if (len < 8)
		return "";
	for (i = 0; val[i] && o + 4 < len; i++)
		buf[o++] = isprint((unsigned char)val[i]) ? val[i] : '?';
	if (val[i]) {
		o = o > len - 4 ? len - 4 : o;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
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

/* Split a comma list in place; trims blanks; empty items are an error. */
static int next_item(char **cursor, char **item)
{
	char *s = *cursor, *e;

	if (!s)
		return 0;
	e = strchr(s, ',');
	if (e)
		*e = '\0';
	*cursor = e ? e + 1 : NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	*item = s;
	return *s ? 1 : -1;
}

static int cap_value(const char *item, cap_value_t *cap)
{
	char name[48];
	size_t i, o = 0;

	if (strncasecmp(item, "cap_", 4) == 0)
		item += 4;
	memcpy(name, "cap_", 4);
	o = 4;
	for (i = 0; item[i]; i++) {
		char c = (char)tolower((unsigned char)item[i]);

		/* letters and '_' only: cap_from_name also takes numbers */
		if ((c < 'a' || c > 'z') && c != '_')
			return -1;
		if (o + 1 >= sizeof(name))
			return -1;
		name[o++] = c;
	}
	name[o] = '\0';
	if (o == 4 || cap_from_name(name, cap) != 0 || *cap < 0 || *cap > 63)
		return -1;
	return 0;
}

static int parse_caps(const char *val, uint64_t *out, struct lb_err *err)
{
	char buf[512], show[80], *cur = buf, *item;
	bool adjust = false, first = true;
	uint64_t set = 0;
	cap_value_t cap;
	int r;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	strcpy(buf, val);
	if (strcasecmp(val, "none") == 0) {
		*out = 0;
		return 0;
	}
	while ((r = next_item(&cur, &item)) != 0) {
		if (r < 0)
			return lb_fail(err, 0, "\"%s\": empty item in list",
				       lb_show(val, show, sizeof(show)));
		if (first && strcasecmp(item, "default") == 0) {
			set = lb_caps_default();
			adjust = true;
			first = false;
			continue;
		}
		first = false;
		if (adjust != (item[0] == '+' || item[0] == '-')) {
			lb_fail(err, 0, "\"%s\": bad item \"%s\"",
				lb_show(val, show, sizeof(show)), item);
			return lb_hint(err, "use \"default\", \"none\", a list "
				       "(\"chown, kill\") or \"default, "
				       "+sys_ptrace, -kill\"");
		}
		if (cap_value(adjust ? item + 1 : item, &cap) < 0)
			return lb_fail(err, 0, "\"%s\": unknown capability \"%s\"",
				       lb_show(val, show, sizeof(show)), item);
		if (adjust && item[0] == '-')
			set &= ~(1ULL << cap);
		else
			set |= 1ULL << cap;
	}
	*out = set;
	return 0;
}

static int parse_groups(const char *val, struct lb_policy *p,
			struct lb_err *err)
{
	char buf[LB_MAX_KEEP_GROUPS * LB_NAME_MAX], show[80], *cur = buf, *item;
	int n = 0, i, r;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	strcpy(buf, val);
	if (strcmp(val, "none") == 0) {
		p->n_keep_groups = 0;
		return 0;
	}
	while ((r = next_item(&cur, &item)) != 0) {
		if (r < 0 || !lb_valid_name(item, true))
			return lb_fail(err, 0, "\"%s\": \"%s\" is not a group "
				       "name", lb_show(val, show, sizeof(show)),
				       r < 0 ? "" : item);
		for (i = 0; i < n; i++)
			if (strcmp(p->keep_groups[i], item) == 0)
				break;
		if (i < n)
			continue;
		if (n >= LB_MAX_KEEP_GROUPS)
			return lb_fail(err, 0, "more than %d groups",
				       LB_MAX_KEEP_GROUPS);
		snprintf(p->keep_groups[n++], LB_NAME_MAX, "%s", item);
	}
	p->n_keep_groups = n;
	return 0;
}

/* One io_max entry: "MAJ:MIN key=value ..." */
static int parse_io_entry(char *entry, struct lb_io_max *io,
			  struct lb_err *err)
{
	char *tok, *save = NULL, *colon, *eq;
	long long maj, min;
	bool any = false;

	tok = strtok_r(entry, " \t", &save);
	colon = tok ? strchr(tok, ':') : NULL;
	if (!colon)
		return lb_fail(err, 0, "\"%s\" does not start with MAJOR:MINOR",
			       entry);
	*colon = '\0';
	if (lb_parse_int(tok, 0, 4095, &maj) < 0 ||
	    lb_parse_int(colon + 1, 0, 1048575, &min) < 0)
		return lb_fail(err, 0, "\"%s:%s\" is not a MAJOR:MINOR device",
			       tok, colon + 1);
	io->major = (unsigned)maj;
	io->minor = (unsigned)min;
	io->rbps = io->wbps = io->riops = io->wiops = LB_UNLIMITED;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		uint64_t *dst, v;
		long long n;
		bool bytes;

		eq = strchr(tok, '=');
		if (!eq)
			return lb_fail(err, 0, "\"%s\" is not key=value", tok);
		*eq++ = '\0';
		bytes = strcmp(tok, "rbps") == 0 || strcmp(tok, "wbps") == 0;
		if (strcmp(tok, "rbps") == 0)
			dst = &io->rbps;
		else if (strcmp(tok, "wbps") == 0)
			dst = &io->wbps;
		else if (strcmp(tok, "riops") == 0)
			dst = &io->riops;
		else if (strcmp(tok, "wiops") == 0)
			dst = &io->wiops;
		else
			return lb_fail(err, 0, "\"%s\" is not rbps, wbps, riops "
				       "or wiops", tok);
		if (bytes) {
			if (lb_parse_size(eq, true, 1, UINT64_MAX - 1, &v) < 0)
				return lb_fail(err, 0, "%s=\"%s\" is not a size "
					       "(use e.g. 10M or max)", tok, eq);
		} else if (strcasecmp(eq, "max") == 0) {
			v = LB_UNLIMITED;
		} else if (lb_parse_int(eq, 1, INT64_MAX, &n) == 0) {
			v = (uint64_t)n;
		} else {
			return lb_fail(err, 0, "%s=\"%s\" is not a number or max",
				       tok, eq);
		}
		*dst = v;
		any = true;
	}
	if (!any)
		return lb_fail(err, 0, "device %lld:%lld has no limit", maj, min);
	return 0;
}

static int parse_io(const char *val, struct lb_policy *p, size_t off,
		    struct lb_err *err)
{
	struct lb_limits_set *ls = (void *)((char *)p + off -
					    offsetof(struct lb_limits_set, n_io));
	char buf[1024], *cur, *entry, show[80];
	int n = 0, i;

	if (strlen(val) >= sizeof(buf))
		return lb_fail(err, 0, "value too long");
	if (strcmp(val, "none") == 0) {
		ls->n_io = 0;
		return 0;
	}
	strcpy(buf, val);
	/* Entries are separated by ';', which starts a comment unless the
	 * value is quoted: config.c catches the unquoted case. */
	for (cur = buf; cur; n++) {
		entry = cur;
		cur = strchr(cur, ';');
		if (cur)
			*cur++ = '\0';
		if (n >= LB_MAX_IO)
			return lb_fail(err, 0, "more than %d devices", LB_MAX_IO);
		if (parse_io_entry(entry, &ls->io_max[n], err) < 0)
			return lb_prefix(err, "\"%s\"",
					 lb_show(val, show, sizeof(show)));
		for (i = 0; i < n; i++)
			if (ls->io_max[i].major == ls->io_max[n].major &&
			    ls->io_max[i].minor == ls->io_max[n].minor)
				return lb_fail(err, 0, "\"%s\": device %u:%u "
					       "listed twice",
					       lb_show(val, show, sizeof(show)),
					       ls->io_max[n].major,
					       ls->io_max[n].minor);
	}
	ls->n_io = n;
	return 0;
}

static int format_size(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = "TGMK";
	int shift;

	if (v == LB_UNLIMITED)
		return snprintf(buf, len, "max");
	for (shift = 40; shift >= 10 && v; shift -= 10)
		if ((v & ((1ULL << shift) - 1)) == 0)
			return snprintf(buf, len, "%" PRIu64 "%c", v >> shift,
					suffix[(40 - shift) / 10]);
	return snprintf(buf, len, "%" PRIu64, v);
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
	format_size(k->min, lo, sizeof(lo));
	if (k->max >= UINT64_MAX - 1)
		return lb_fail(err, 0, "\"%s\" is less than %s", show, lo);
	format_size(k->max, hi, sizeof(hi));
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
		if (parse_caps(val, &u, err) < 0)
			return -1;
		memcpy(f, &u, sizeof(u));
		return 0;
	case LB_KT_GROUPS:
		return parse_groups(val, p, err);
	case LB_KT_INT:
		/* Only priority: -1000..1000 (the table holds unsigned). */
		if (lb_parse_int(val, -1000, 1000, &n) < 0)
			return lb_fail(err, 0, "\"%s\" is not an integer from "
				       "-1000 to 1000", show);
		i = (int)n;
		memcpy(f, &i, sizeof(i));
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
		return parse_io(val, p, k->off, err);
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

/* 1500 -> "1.5": the shortest spelling lb_parse_cores reads back. */
static void format_cores(uint64_t m, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, m / 1000,
			 m % 1000);

	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && (size_t)n < len && buf[n - 1] == '.')
		buf[--n] = '\0';
}

static void format_caps(uint64_t caps, char *buf, size_t len)
{
	size_t o = 0;
	int c;

	buf[0] = '\0';
	if (!caps) {
		snprintf(buf, len, "none");
		return;
	}
	for (c = 0; c < 64 && o < len; c++) {
		char *name;
		const char *s;

		if (!(caps & (1ULL << c)))
			continue;
		name = cap_to_name(c);
		s = name ? name : "?";
		if (strncasecmp(s, "cap_", 4) == 0)
			s += 4;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
				      s);
		cap_free(name);
	}
	for (o = 0; buf[o]; o++)
		buf[o] = (char)tolower((unsigned char)buf[o]);
}

static void format_io(const struct lb_limits_set *ls, char *buf, size_t len)
{
	static const char *const names[] = { "rbps", "wbps", "riops", "wiops" };
	size_t o = 0;
	int i, j;

	if (ls->n_io == 0) {
		snprintf(buf, len, "(unset)");
		return;
	}
	/* Quoted when there are several: ';' would start a comment. */
	if (ls->n_io > 1)
		o += (size_t)snprintf(buf + o, len - o, "\"");
	for (i = 0; i < ls->n_io && o < len; i++) {
		const struct lb_io_max *io = &ls->io_max[i];
		const uint64_t v[] = { io->rbps, io->wbps, io->riops, io->wiops };

		o += (size_t)snprintf(buf + o, len - o, "%s%u:%u",
				      i ? "; " : "", io->major, io->minor);
		for (j = 0; j < 4 && o < len; j++) {
			if (v[j] == LB_UNLIMITED)
				continue;
			o += (size_t)snprintf(buf + o, len - o, " %s=", names[j]);
			if (o >= len)
				break;
			if (j < 2)
				o += (size_t)format_size(v[j], buf + o, len - o);
			else
				o += (size_t)snprintf(buf + o, len - o,
						      "%" PRIu64, v[j]);
		}
	}
	if (ls->n_io > 1 && o < len)
		snprintf(buf + o, len - o, "\"");
}

void lb_key_format(const struct lb_keydef *k, const struct lb_policy *p,
		   char *buf, size_t len)
{
	const void *f = cfield(p, k);
	size_t o;
	uint64_t u;
	bool b;
	int i;

	switch (k->type) {
	case LB_KT_BOOL:
		memcpy(&b, f, sizeof(b));
		snprintf(buf, len, "%s", b ? "yes" : "no");
		return;
	case LB_KT_ENUM:
		memcpy(&i, f, sizeof(i));
		for (o = 0; k->words[o] && (int)o != i; o++)
			;
		snprintf(buf, len, "%s", k->words[o] ? k->words[o] : "?");
		return;
	case LB_KT_IMAGE:
	case LB_KT_TEMPLATE:
	case LB_KT_SHELL:
		snprintf(buf, len, "%s", (const char *)f);
		return;
	case LB_KT_CAPS:
		memcpy(&u, f, sizeof(u));
		format_caps(u, buf, len);
		return;
	case LB_KT_GROUPS:
		if (p->n_keep_groups == 0) {
			snprintf(buf, len, "none");
			return;
		}
		buf[0] = '\0';
		for (i = 0, o = 0; i < p->n_keep_groups && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      i ? ", " : "", p->keep_groups[i]);
		return;
	case LB_KT_INT:
		memcpy(&i, f, sizeof(i));
		snprintf(buf, len, "%d", i);
		return;
	case LB_KT_NUM:
	case LB_KT_SIZE:
	case LB_KT_CORES:
		memcpy(&u, f, sizeof(u));
		if (u == LB_UNLIMITED && k->id >= LB_KEY_MEMORY_MAX)
			snprintf(buf, len, "(unset)");
		else if (k->type == LB_KT_SIZE)
			format_size(u, buf, len);
		else if (k->type == LB_KT_CORES)
			format_cores(u, buf, len);
		else
			snprintf(buf, len, "%" PRIu64, u);
		return;
	case LB_KT_IO:
		format_io((const void *)((const char *)p + k->off -
					 offsetof(struct lb_limits_set, n_io)),
			  buf, len);
		return;
	}
	snprintf(buf, len, "?");
}
