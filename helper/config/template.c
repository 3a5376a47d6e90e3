// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostname templates.  The expansion holds a user name, which is not ours
 * to trust as a hostname (LDAP names may hold '_', '@', spaces...), so the
 * result is forced into RFC 1123 label shape rather than refused: a login
 * must not fail over a cosmetic hostname.
 */
#include "template.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define HOST_MAX 63 /* one DNS label; the kernel allows 64 */

int lb_template_check(const char *tmpl, struct lb_err *err)
{
	const char *s;

	if (!tmpl[0])
		return lb_fail(err, 0, "empty hostname template");
	for (s = tmpl; *s; s++) {
		if (*s != '%')
			continue;
		s++;
		if (*s == 'u' || *s == 'h' || *s == 's' || *s == '%')
			continue;
		if (!*s)
			return lb_fail(err, 0, "hostname template \"%s\" ends "
				       "with a lone %%", tmpl);
		lb_fail(err, 0, "hostname template \"%s\": unknown %%%c",
			tmpl, (*s >= 0x20 && *s < 0x7f) ? *s : '?');
		return lb_hint(err, "use %%u (user), %%h (host), %%s (session "
			       "number) or %%%% (a percent sign)");
	}
	return 0;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

int lb_template_hostname(const char *tmpl, const char *user, const char *host,
			 unsigned long session, char *out, size_t len,
			 struct lb_err *err)
{
	char raw[4 * 256], num[24];
	size_t o = 0, i, start, end;
	const char *s, *add;
	size_t addlen;

	if (lb_template_check(tmpl, err) < 0)
		return -1;
	if (len < HOST_MAX + 1)
		return lb_fail(err, 0, "hostname buffer too small (%zu)", len);
	for (s = tmpl; *s && o < sizeof(raw) - 1; s++) {
		if (*s != '%') {
			raw[o++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'u':
			add = user ? user : "";
			addlen = strlen(add);
			break;
		case 'h':
			/* the short name: "srv1.example.org" -> "srv1" */
			add = host ? host : "";
			addlen = strcspn(add, ".");
			break;
		case 's':
			snprintf(num, sizeof(num), "%lu", session);
			add = num;
			addlen = strlen(add);
			break;
		default: /* '%%': lb_template_check allowed nothing else */
			add = "%";
			addlen = 1;
			break;
		}
		if (addlen > sizeof(raw) - 1 - o)
			addlen = sizeof(raw) - 1 - o;
		memcpy(raw + o, add, addlen);
		o += addlen;
	}
	raw[o] = '\0';

	for (i = 0; i < o; i++)
		if (!host_char(raw[i]))
			raw[i] = '-';
	if (o > HOST_MAX)
		o = HOST_MAX;
	for (start = 0; start < o && raw[start] == '-'; start++)
		;
	for (end = o; end > start && raw[end - 1] == '-'; end--)
		;
	if (end == start) {
		snprintf(out, len, "box");
		return 0;
	}
	memcpy(out, raw + start, end - start);
	out[end - start] = '\0';
	return 0;
}
