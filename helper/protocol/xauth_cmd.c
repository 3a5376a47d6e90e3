// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sshd's xauth commands, parsed strictly (xauth_cmd.h).  Every field is
 * checked against the characters sshd writes, so nothing else reaches
 * xauth's command language (which also has `source FILE`, `merge`,
 * `extract` and the like).
 */
#include "xauth_cmd.h"

#include <stdio.h>
#include <string.h>

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define DIGITS "0123456789"
#define HEXDIGITS "0123456789abcdefABCDEF"

static bool all_of(const char *s, size_t n, const char *set, size_t min,
		   size_t max)
{
	size_t i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

/* "[HOST/]unix:N[.S]" or "[HOST]:N[.S]": keeps N. */
static bool parse_display(const char *d, size_t dl, char *number, size_t len)
{
	const char *colon = NULL, *p;
	size_t n, rest;

	if (!all_of(d, dl, ALNUM "._-/:", 2, 127))
		return false;
	for (p = d; p < d + dl; p++)
		if (*p == ':')
			colon = p;
	if (!colon)
		return false;
	rest = dl - (size_t)(colon + 1 - d);
	n = strspn(colon + 1, DIGITS);
	if (n > rest)
		n = rest;
	if (n == 0 || n >= len || n > 5)
		return false;
	if (n < rest && (colon[1 + n] != '.' ||
			 !all_of(colon + 2 + n, rest - n - 1, DIGITS, 1, 5)))
		return false;
	memcpy(number, colon + 1, n);
	number[n] = '\0';
	return true;
}

int lb_xauth_cmd_parse(const char *line, struct lb_xauth_cmd *c)
{
	const char *w[5];
	size_t wl[5];
	const char *p = line;
	int n = 0;

	memset(c, 0, sizeof(*c));
	/* words separated by single spaces, as sshd writes them */
	while (*p && n < 5) {
		w[n] = p;
		wl[n] = strcspn(p, " ");
		p += wl[n];
		if (wl[n] == 0)
			return -1;
		n++;
		if (*p == ' ' && *++p == '\0')
			return -1;
	}
	if (*p)
		return -1;
	if (n == 2 && wl[0] == 6 && !strncmp(w[0], "remove", 6))
		c->add = false;
	else if (n == 4 && wl[0] == 3 && !strncmp(w[0], "add", 3))
		c->add = true;
	else
		return -1;
	if (wl[1] >= sizeof(c->display) ||
	    !parse_display(w[1], wl[1], c->number, sizeof(c->number)))
		return -1;
	memcpy(c->display, w[1], wl[1]);
	if (!c->add)
		return 0;
	if (!all_of(w[2], wl[2], ALNUM "._-", 1, sizeof(c->proto) - 1) ||
	    !all_of(w[3], wl[3], HEXDIGITS, 2, sizeof(c->hex) - 1) ||
	    wl[3] % 2)
		return -1;
	memcpy(c->proto, w[2], wl[2]);
	memcpy(c->hex, w[3], wl[3]);
	return 0;
}

int lb_xauth_cmd_format(const struct lb_xauth_cmd *c, char *buf, size_t len)
{
	int n = c->add ? snprintf(buf, len, "add %s %s %s\n", c->display,
				  c->proto, c->hex)
		       : snprintf(buf, len, "remove %s\n", c->display);

	return n < 0 || (size_t)n >= len ? -1 : n;
}
