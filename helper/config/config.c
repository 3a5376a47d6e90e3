// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsing loginbox.conf text (loginbox.conf(5); docs/SECURITY.md, hard spot 7).  The
 * config decides who gets a box, so it is read like a setuid program
 * reads its input: every value is parsed strictly (config_keys.c) and
 * anything unknown is an error naming file, section and key rather than
 * a silent default.  config_files.c finds and checks the files.
 *
 * Files merge like systemd drop-ins (config.h): a later file's value of
 * a key wins, an empty value resets the key.  That is done here, one
 * iniparser dictionary per file; inside one file a repeat is a mistake.
 *
 * iniparser 4.1 only loads from a path, and silently merges a repeated
 * section and lets a repeated key win.  So each file is read once into
 * memory, pre-scanned for what iniparser would hide (repeats, an io_max
 * list cut short by ';' starting a comment), copied into a memfd, and
 * loaded through /proc/self/fd/N: iniparser sees exactly the bytes that
 * were checked, whatever happens to the file meanwhile.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iniparser/iniparser.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config_keys.h"
#include "macros.h"

static void lb_dictp(dictionary **d)
{
	if (*d)
		iniparser_freedict(*d);
}
#define cleanup_dict __attribute__((cleanup(lb_dictp)))

/*
 * iniparser reports errors through one process-wide callback (stderr by
 * default, which inside sshd would go nowhere useful).  Ours keeps the
 * first message so the error names the first bad line; it stays installed
 * because iniparser offers no way to read back the previous one.
 */
static char ini_msg[512];
static int ini_nerr;

__attribute__((format(printf, 1, 2))) static int ini_errback(const char *fmt,
							     ...)
{
	va_list ap;
	size_t n;

	if (ini_nerr++ == 0) {
		va_start(ap, fmt);
		vsnprintf(ini_msg, sizeof(ini_msg), fmt, ap);
		va_end(ap);
		n = strlen(ini_msg);
		while (n && ini_msg[n - 1] == '\n')
			ini_msg[--n] = '\0';
	}
	return 0;
}

/* An empty config.  Only what comes before the section and file tables
 * (about 1.5 MiB, last in the struct) is cleared: their entries are
 * cleared one by one as they fill (add_section, lb_config_add_text), and
 * only their first n_sections and n_files are ever read.  Clearing them
 * whole touched every page of a fresh calloc: about 1 ms of page faults in
 * every process that loads the config once (each PAM login, the helper, a
 * keeper's join). */
void lb_config_init(struct lb_config *cfg)
{
	memset(cfg, 0, offsetof(struct lb_config, sections));
}

const struct lb_section *lb_config_find(const struct lb_config *cfg,
					const char *name)
{
	int i;

	for (i = 0; i < cfg->n_sections; i++)
		if (strcmp(cfg->sections[i].name, name) == 0)
			return &cfg->sections[i];
	return NULL;
}

/* Replace err->msg by "FILE: [SECTION] KEY: <what it said>". */
static int key_error(struct lb_err *err, const char *file, const char *sec,
		     const char *key)
{
	char reason[sizeof(err->msg)], s1[LB_SECTION_MAX], s2[48];

	memcpy(reason, err->msg, sizeof(reason));
	snprintf(err->msg, sizeof(err->msg), "%s: [%s] %s: %.500s", file,
		 lb_show(sec, s1, sizeof(s1)), lb_show(key, s2, sizeof(s2)),
		 reason);
	return -1;
}

/* Turn iniparser's message into one that names our file, not the memfd. */
static int ini_error(struct lb_err *err, const char *file)
{
	char what[256] = "", path[64], show[80];
	int line = 0;

	if (sscanf(ini_msg, "iniparser: syntax error in %63s (%d):\n-> %255[^\n]",
		   path, &line, what) == 3) {
		lb_fail(err, 0, "%s: line %d: syntax error: \"%s\"", file, line,
			lb_show(what, show, sizeof(show)));
		return lb_hint(err, "lines are [section], key = value, or a "
			       "comment starting with # or ;");
	}
	if (sscanf(ini_msg, "iniparser: input line too long in %63s (%d)",
		   path, &line) == 2)
		return lb_fail(err, 0, "%s: line %d: longer than 1023 characters",
			       file, line);
	return lb_fail(err, 0, "%s: %s", file,
		       lb_show(ini_msg[0] ? ini_msg : "iniparser failed", what,
			       sizeof(what)));
}

/* Trim blanks at both ends, in place. */
static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

struct prescan {
	const char *file;
	char sections[LB_MAX_SECTIONS + 1][LB_SECTION_MAX];
	int n_sections;
	char keys[64][48]; /* keys of the current section */
	int n_keys;
};

/* One logical line, as iniparser will see it.  Returns 0 or -1. */
static int prescan_line(struct prescan *ps, char *line, int lineno,
			struct lb_err *err)
{
	char *s = strip(line), *eq, *val, *semi, show[80];
	size_t len = strlen(s);
	int i;

	if (!len || s[0] == '#' || s[0] == ';')
		return 0;
	if (s[0] == '[' && s[len - 1] == ']') {
		s[len - 1] = '\0';
		s = strip(s + 1);
		/* "[]" leaves iniparser's section buffer stale, "[a]b]" is
		 * cut at the first ']': neither is what the admin meant */
		if (!*s || strpbrk(s, "[]")) {
			lb_fail(err, 0, "%s: line %d: malformed section header",
				ps->file, lineno);
			return lb_hint(err, "write [global], [group.NAME] or "
				       "[user.NAME]");
		}
		lower(s);
		for (i = 0; i < ps->n_sections; i++)
			if (strncmp(ps->sections[i], s, LB_SECTION_MAX - 1) == 0)
				break;
		if (i < ps->n_sections) {
			lb_fail(err, 0, "%s: line %d: [%s] appears twice in "
				"this file", ps->file, lineno,
				lb_show(s, show, sizeof(show)));
			return lb_hint(err, "merge the two into one section");
		}
		if (ps->n_sections < (int)ARRAY_SIZE(ps->sections))
			snprintf(ps->sections[ps->n_sections++],
				 LB_SECTION_MAX, "%s", s);
		ps->n_keys = 0;
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq)
		return 0; /* iniparser reports the syntax error */
	*eq = '\0';
	val = strip(eq + 1);
	s = strip(s);
	lower(s);
	for (i = 0; i < ps->n_keys; i++)
		if (strncmp(ps->keys[i], s, sizeof(ps->keys[i]) - 1) == 0) {
			lb_fail(err, 0, "%s: line %d: [%s] %s is set twice",
				ps->file, lineno,
				ps->n_sections ? ps->sections[ps->n_sections - 1]
					       : "",
				lb_show(s, show, sizeof(show)));
			return lb_hint(err, "keep one of the two lines");
		}
	if (ps->n_keys < (int)ARRAY_SIZE(ps->keys))
		snprintf(ps->keys[ps->n_keys++], sizeof(ps->keys[0]), "%s", s);
	/* iniparser ends an unquoted value at ';': a second io_max device
	 * would silently vanish as a "comment" */
	semi = strchr(val, ';');
	if ((strcmp(s, "io_max") == 0 || strcmp(s, "user_io_max") == 0) &&
	    val[0] != '"' && val[0] != '\'' && semi) {
		semi = strip(semi + 1);
		if (isdigit((unsigned char)semi[0]) && strchr(semi, ':')) {
			lb_fail(err, 0, "%s: line %d: %s: ';' starts a comment "
				"in an unquoted value", ps->file, lineno, s);
			return lb_hint(err, "quote a list of devices: %s = "
				       "\"8:0 rbps=10M; 8:16 wbps=5M\"", s);
		}
	}
	return 0;
}

/* Split text into iniparser's logical lines (a trailing '\' joins). */
static int prescan(const char *text, size_t len, const char *file,
		   struct lb_err *err)
{
	cleanup_free struct prescan *ps = calloc(1, sizeof(*ps));
	cleanup_free char *buf = malloc(len + 1);
	size_t o = 0, i = 0, end;
	int lineno = 0;

	if (!ps || !buf)
		return lb_fail(err, ENOMEM, "%s", file);
	ps->file = file;
	while (i < len) {
		end = i;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		memcpy(buf + o, text + i, end - i);
		o += end - i;
		buf[o] = '\0';
		i = end + 1;
		while (o > 0 && isspace((unsigned char)buf[o - 1]))
			buf[--o] = '\0';
		if (o > 0 && buf[o - 1] == '\\' && i < len) {
			buf[--o] = '\0';
			continue;
		}
		if (prescan_line(ps, buf, lineno, err) < 0)
			return -1;
		o = 0;
	}
	return 0;
}

static bool valid_section(const char *name, int *kind, const char **target)
{
	if (strncmp(name, "group.", 6) == 0) {
		*kind = LB_SEC_GROUP;
		*target = name + 6;
	} else if (strncmp(name, "user.", 5) == 0) {
		*kind = LB_SEC_USER;
		*target = name + 5;
	} else {
		return false;
	}
	return lb_valid_name(*target, false);
}

/* Index in cfg->files of the file being parsed (always the last). */
static uint8_t cur_file(const struct lb_config *cfg)
{
	return (uint8_t)(cfg->n_files - 1);
}

static int add_section(struct lb_config *cfg, const char *name,
		       const char *file, struct lb_err *err)
{
	struct lb_section *s;
	const char *target;
	char show[LB_SECTION_MAX];
	int kind, i;

	if (strcmp(name, "global") == 0) {
		if (!cfg->global_source[0])
			snprintf(cfg->global_source, sizeof(cfg->global_source),
				 "%s", file);
		return 0;
	}
	if (!valid_section(name, &kind, &target)) {
		lb_fail(err, 0, "%s: [%s]: unknown section", file,
			lb_show(name, show, sizeof(show)));
		return lb_hint(err, "sections are [global], [group.NAME] and "
			       "[user.NAME]; NAME is 1-32 of a-z 0-9 _ . - "
			       "and does not start with - or .");
	}
	/* A drop-in continuing a section of an earlier file: its keys
	 * merge into the same section (set_key). */
	for (i = 0; i < cfg->n_sections; i++)
		if (strcmp(cfg->sections[i].name, name) == 0) {
			cfg->sections[i].file_mask |= 1ULL << cur_file(cfg);
			return 0;
		}
	if (cfg->n_sections >= LB_MAX_SECTIONS)
		return lb_fail(err, 0, "%s: more than %d sections", file,
			       LB_MAX_SECTIONS);
	s = &cfg->sections[cfg->n_sections++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->source, sizeof(s->source), "%s", file);
	s->kind = kind;
	snprintf(s->target, sizeof(s->target), "%s", target);
	s->file_mask = 1ULL << cur_file(cfg);
	return 0;
}

static int set_global(struct lb_config *cfg, const char *key, const char *val,
		      const char *file, struct lb_err *err)
{
	const struct lb_keydef *k;
	struct lb_policy tmp;
	const char *target;
	char show[80];
	int kind;

	if (strcmp(key, "default") == 0) {
		snprintf(cfg->default_source, sizeof(cfg->default_source), "%s",
			 file);
		if (!val[0] || strcmp(val, "none") == 0) {
			cfg->default_section[0] = '\0';
			return 0;
		}
		if (!valid_section(val, &kind, &target)) {
			lb_fail(err, 0, "\"%s\" is not none or a section name",
				lb_show(val, show, sizeof(show)));
			lb_hint(err, "e.g. default = group.students");
			return key_error(err, file, "global", key);
		}
		snprintf(cfg->default_section, sizeof(cfg->default_section),
			 "%s", val);
		return 0;
	}
	if (strcmp(key, "bridge_subnet") == 0 || strcmp(key, "bridge_dns") == 0 ||
	    strcmp(key, "bridge_subnet6") == 0) {
		if (lb_net_global(cfg, key, val, err) < 0)
			return key_error(err, file, "global", key);
		return 0;
	}
	switch (lb_config_image_key(cfg, key, val, err)) {
	case 1:
		return 0;
	case 0:
		break;
	default:
		return key_error(err, file, "global", key);
	}
	if (strcmp(key, "on_error") != 0 && strcmp(key, "limits") != 0 &&
	    strcmp(key, "max_linger") != 0) {
		lb_fail(err, 0, "unknown key");
		lb_hint(err, "[global] takes on_error, default, limits, "
			"max_linger, bridge_subnet, bridge_subnet6, "
			"bridge_dns and image_*; "
			"see loginbox.conf(5)");
		return key_error(err, file, "global", key);
	}
	k = lb_key_find(key);
	lb_policy_defaults(&tmp);
	if (!val[0]) {
		cfg->global_mask &= ~LB_KEY_BIT(k->id); /* back to default */
	} else if (lb_key_parse(k, val, &tmp, err) < 0) {
		return key_error(err, file, "global", key);
	} else {
		cfg->global_mask |= LB_KEY_BIT(k->id);
		cfg->global_file[k->id] = cur_file(cfg);
	}
	if (k->id == LB_KEY_ON_ERROR)
		cfg->on_error = tmp.on_error;
	else if (k->id == LB_KEY_MAX_LINGER)
		cfg->max_linger = tmp.max_linger;
	else
		cfg->limits = tmp.limits;
	return 0;
}

static int set_key(struct lb_config *cfg, const char *entry, const char *val,
		   const char *file, struct lb_err *err)
{
	char sec[LB_SECTION_MAX + 1];
	const char *colon = strchr(entry, ':'), *key;
	const struct lb_keydef *k;
	struct lb_section *s;
	size_t n;
	int i;

	n = colon ? (size_t)(colon - entry) : 0;
	key = colon ? colon + 1 : entry;
	if (n == 0) {
		lb_fail(err, 0, "%s: %s: key outside any section", file,
			lb_show(key, sec, sizeof(sec)));
		return lb_hint(err, "put it under [global] or a [group.NAME] "
			       "section");
	}
	if (n >= sizeof(sec))
		n = sizeof(sec) - 1;
	memcpy(sec, entry, n);
	sec[n] = '\0';
	if (strcmp(sec, "global") == 0)
		return set_global(cfg, key, val, file, err);
	/* add_section ran for this section first: iniparser stores a
	 * section before its keys */
	for (i = cfg->n_sections - 1; i >= 0; i--)
		if (strcmp(cfg->sections[i].name, sec) == 0)
			break;
	if (i < 0)
		return lb_fail(err, 0, "%s: [%s]: key of an unknown section",
			       file, sec);
	s = &cfg->sections[i];
	k = lb_key_find(key);
	if (!k) {
		const char *near = lb_key_suggest(key);

		lb_fail(err, 0, "unknown key");
		if (strcmp(key, "default") == 0)
			lb_hint(err, "default is only valid in [global]");
		else if (near)
			lb_hint(err, "did you mean %s? see loginbox.conf(5)",
				near);
		else
			lb_hint(err, "see loginbox.conf(5) for the keys of a "
				"[group.NAME] or [user.NAME] section");
		return key_error(err, file, sec, key);
	}
	if (!val[0]) {
		/* Reset: as if no earlier file had set it in this section,
		 * so a lower layer (group under user, built-in default)
		 * shows through again. */
		struct lb_policy def;

		lb_policy_defaults(&def);
		lb_key_overlay(&s->values, &def, LB_KEY_BIT(k->id));
		s->set_mask &= ~LB_KEY_BIT(k->id);
		return 0;
	}
	/* Parsed whole into the section: a list replaces the earlier
	 * file's list rather than adding to it. */
	if (lb_key_parse(k, val, &s->values, err) < 0)
		return key_error(err, file, sec, key);
	s->set_mask |= LB_KEY_BIT(k->id);
	s->key_file[k->id] = cur_file(cfg);
	return 0;
}

/* Parse text (len bytes, NUL-terminated) named `file` into cfg. */
int lb_config_add_text(struct lb_config *cfg, const char *text, size_t len,
		       const char *file, struct lb_err *err)
{
	cleanup_dict dictionary *d = NULL;
	cleanup_close int mfd = -1;
	char path[64];
	size_t off;
	ssize_t w;
	int i;

	if (memchr(text, '\0', len))
		return lb_fail(err, 0, "%s: contains a NUL byte", file);
	if (cfg->n_files >= (int)ARRAY_SIZE(cfg->files))
		return lb_fail(err, 0, "%s: more than %zu config files", file,
			       ARRAY_SIZE(cfg->files));
	snprintf(cfg->files[cfg->n_files++], sizeof(cfg->files[0]), "%s", file);
	if (prescan(text, len, file, err) < 0)
		return -1;

	mfd = memfd_create("loginbox.conf", MFD_CLOEXEC);
	if (mfd < 0)
		return lb_fail(err, errno, "memfd_create for %s", file);
	for (off = 0; off < len; off += (size_t)w) {
		w = write(mfd, text + off, len - off);
		if (w <= 0)
			return lb_fail(err, w < 0 ? errno : EIO,
				       "write memfd for %s", file);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	ini_msg[0] = '\0';
	ini_nerr = 0;
	iniparser_set_error_callback(ini_errback);
	d = iniparser_load(path);
	if (!d || ini_nerr)
		return ini_error(err, file);

	/* The dictionary keeps file order: "section" entries (no value)
	 * come before their "section:key" entries. */
	for (i = 0; i < d->size; i++) {
		if (!d->key[i])
			continue;
		if (!d->val[i]) {
			if (add_section(cfg, d->key[i], file, err) < 0)
				return -1;
		} else if (set_key(cfg, d->key[i], d->val[i], file, err) < 0) {
			return -1;
		}
	}
	return 0;
}

int lb_config_add_string(struct lb_config *cfg, const char *text,
			 const char *name, struct lb_err *err)
{
	return lb_config_add_text(cfg, text, strlen(text), name, err);
}

int lb_config_finish(struct lb_config *cfg, struct lb_err *err)
{
	if (cfg->default_section[0] &&
	    !lb_config_find(cfg, cfg->default_section)) {
		lb_fail(err, 0, "%s: [global] default: no section [%s] is "
			"defined", cfg->default_source, cfg->default_section);
		return lb_hint(err, "define [%s] or set default = none",
			       cfg->default_section);
	}
	return 0;
}

int lb_config_parse_string(struct lb_config *cfg, const char *text,
			   const char *name, struct lb_err *err)
{
	lb_config_init(cfg);
	if (lb_config_add_string(cfg, text, name, err) < 0)
		return -1;
	return lb_config_finish(cfg, err);
}
