// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Formatting audit records (audit.h).  Adding a field is one
 * lb_audit_str/lb_audit_num line at the place that knows its value, and
 * one line in loginbox(8).
 */
#include "audit.h"

#include <stdio.h>
#include <string.h>

#include "config_keys.h"

/* Room kept for " truncated=yes" at the end. */
#define TRUNC_MARK " truncated=yes"
#define ROOM(a) (sizeof((a)->buf) - sizeof(TRUNC_MARK) - (a)->len)

static void put(struct lb_audit *a, const char *s, size_t n)
{
	if (a->len >= sizeof(a->buf) - sizeof(TRUNC_MARK))
		return;
	if (n > ROOM(a)) {
		/* Mark it once and take nothing more. */
		memcpy(a->buf + a->len, TRUNC_MARK, sizeof(TRUNC_MARK));
		a->len = sizeof(a->buf) - 1;
		return;
	}
	memcpy(a->buf + a->len, s, n);
	a->len += n;
	a->buf[a->len] = '\0';
}

static int bare_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("._:/@+,=-", c) != NULL;
}

void lb_audit_begin(struct lb_audit *a, const char *event)
{
	a->len = 0;
	a->buf[0] = '\0';
	put(a, LB_AUDIT_PREFIX, strlen(LB_AUDIT_PREFIX));
	lb_audit_str(a, "event", event);
}

void lb_audit_str(struct lb_audit *a, const char *key, const char *val)
{
	/* Each field is built whole, then added whole: a truncated record
	 * never ends in half a value. */
	char f[sizeof(a->buf)];
	size_t n = 0, i;
	bool quote = false;

	if (!val || !val[0])
		return;
	for (i = 0; val[i]; i++)
		if (!bare_char((unsigned char)val[i]))
			quote = true;
	n = (size_t)snprintf(f, sizeof(f), " %s=%s", key, quote ? "\"" : "");
	for (i = 0; val[i] && n + 6 < sizeof(f); i++) {
		unsigned char c = (unsigned char)val[i];

		if (c == '"' || c == '\\') {
			f[n++] = '\\';
			f[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(f + n, sizeof(f) - n, "\\x%02x", c);
		} else {
			f[n++] = (char)c;
		}
	}
	if (quote)
		f[n++] = '"';
	/* A value longer than a whole record is left out, marked. */
	put(a, f, val[i] ? sizeof(f) : n);
}

void lb_audit_num(struct lb_audit *a, const char *key, unsigned long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", v);
	lb_audit_str(a, key, num);
}

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

const char *lb_audit_text(struct lb_audit *a)
{
	return a->buf;
}
