// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Printing a policy (`loginbox policy USER`).  Every value is spelled the
 * way the parser reads it, so a printed policy can be pasted back into a
 * config section and gives the same policy (test_policy checks this).
 */
#include "config_keys.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "audit.h"
#include "strparse.h"

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
				o += (size_t)lb_format_size(v[j], buf + o, len - o);
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
	const void *f = (const char *)p + k->off;
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
	case LB_KT_EGRESS:
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
	case LB_KT_DURATION:
		memcpy(&u, f, sizeof(u));
		if (u == 0)
			snprintf(buf, len, "no");
		else if (u == LB_UNLIMITED)
			snprintf(buf, len, "yes");
		else if (u % 86400 == 0)
			snprintf(buf, len, "%" PRIu64 "d", u / 86400);
		else if (u % 3600 == 0)
			snprintf(buf, len, "%" PRIu64 "h", u / 3600);
		else if (u % 60 == 0)
			snprintf(buf, len, "%" PRIu64 "min", u / 60);
		else
			snprintf(buf, len, "%" PRIu64 "s", u);
		return;
	case LB_KT_DEVICES:
		if (p->n_devices == 0) {
			snprintf(buf, len, "none");
			return;
		}
		buf[0] = '\0';
		for (i = 0, o = 0; i < p->n_devices && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      i ? ", " : "", p->devices[i]);
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
			lb_format_size(u, buf, len);
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

void lb_policy_print(const struct lb_policy *p, FILE *out)
{
	lb_policy_print_origin(p, NULL, out);
}

/*
 * With an origin, "key = value" is padded to a column and followed by
 * "# FILE [SECTION]": iniparser ends an unquoted value at '#', so the
 * output still reads back as a config section.
 */
void lb_policy_print_origin(const struct lb_policy *p,
			    const struct lb_policy_origin *o, FILE *out)
{
	char buf[1024], line[1100];
	size_t i;

	if (p->section[0])
		fprintf(out, "# section: %s (from %s)\n", p->section,
			o && o->section_files[0] ? o->section_files
						 : p->source);
	else
		fprintf(out, "# section: none (built-in defaults)\n");
	if (p->user_section[0] && o && o->user_files[0])
		fprintf(out, "# user section: %s (from %s)\n", p->user_section,
			o->user_files);
	else if (p->user_section[0])
		fprintf(out, "# user section: %s\n", p->user_section);
	for (i = 0; i < LB_KEY__COUNT; i++) {
		lb_key_format(&lb_keys[i], p, buf, sizeof(buf));
		if (!o) {
			fprintf(out, "%s = %s\n", lb_keys[i].name, buf);
			continue;
		}
		snprintf(line, sizeof(line), "%s = %s", lb_keys[i].name, buf);
		if (o->key[i].file[0])
			fprintf(out, "%-32s # %s [%s]\n", line, o->key[i].file,
				o->key[i].section);
		else
			fprintf(out, "%-32s # built-in default\n", line);
	}
}

/* Audit records (audit.h) carry the policy as `loginbox policy` prints it. */
void lb_audit_policy(struct lb_audit *a, const struct lb_policy *p)
{
	char buf[1024];
	int i;

	lb_audit_str(a, "section", p->section);
	lb_audit_str(a, "file", p->source);
	lb_audit_str(a, "user_section", p->user_section);
	lb_audit_str(a, "image", p->image);
	lb_key_format(&lb_keys[LB_KEY_NETWORK], p, buf, sizeof(buf));
	lb_audit_str(a, "network", buf);
	if (p->network != LB_NET_NONE)
		lb_audit_str(a, "egress", p->egress);
	for (i = LB_KEY_MEMORY_MAX; i < LB_KEY__COUNT; i++) {
		lb_key_format(&lb_keys[i], p, buf, sizeof(buf));
		if (strcmp(buf, "(unset)") != 0)
			lb_audit_str(a, lb_keys[i].name, buf);
	}
}
