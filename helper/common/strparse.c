// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict value parsers (docs/SECURITY.md, hard spot 7).  iniparser's own getters
 * accept "4G" as 4 and "010" as 8, so every config value goes through
 * here instead: one spelling per value, all of it consumed, every bound
 * checked before the multiply that could overflow.
 */
#include "strparse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/*
 * Unsigned decimal digits at s, no sign, no leading zero except a lone
 * "0".  Returns the number of digits consumed (0 = none or overflow).
 */
static size_t parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return 0; /* "010" would be octal to strtol: refuse both */
	while (s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		i++;
	}
	*out = v;
	return i;
}

int lb_parse_int(const char *s, long long min, long long max, long long *out)
{
	bool neg = false;
	uint64_t mag;
	size_t n;
	long long v;

	if (!s || min > max)
		return -1;
	if (*s == '-') {
		if (min >= 0)
			return -1; /* no sign on a value that cannot be negative */
		neg = true;
		s++;
	}
	n = parse_digits(s, &mag);
	if (n == 0 || s[n] != '\0')
		return -1;
	if (neg) {
		/* "-0" is not a spelling anyone means */
		if (mag == 0 || mag > (uint64_t)LLONG_MAX + 1)
			return -1;
		v = mag == (uint64_t)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
	} else {
		if (mag > (uint64_t)LLONG_MAX)
			return -1;
		v = (long long)mag;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int lb_parse_size(const char *s, bool allow_max, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	uint64_t v, mult = 1;
	size_t n;

	if (!s)
		return -1;
	if (strcasecmp(s, "max") == 0) {
		if (!allow_max)
			return -1;
		*out = LB_UNLIMITED;
		return 0;
	}
	n = parse_digits(s, &v);
	if (n == 0)
		return -1;
	if (s[n] != '\0') {
		switch (s[n]) {
		case 'k': case 'K':
			mult = 1ULL << 10;
			break;
		case 'm': case 'M':
			mult = 1ULL << 20;
			break;
		case 'g': case 'G':
			mult = 1ULL << 30;
			break;
		case 't': case 'T':
			mult = 1ULL << 40;
			break;
		default:
			return -1;
		}
		if (s[n + 1] != '\0')
			return -1; /* "2GB", "2Gi", "2G " */
	}
	if (v > UINT64_MAX / mult)
		return -1;
	v *= mult;
	/* UINT64_MAX is how "max" is stored: a number must not alias it */
	if (v == LB_UNLIMITED || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

#define LB_CORES_MAX 4096u

int lb_parse_cores(const char *s, uint64_t *millicores)
{
	uint64_t whole, frac = 0;
	size_t n, i;

	if (!s)
		return -1;
	if (strcasecmp(s, "max") == 0) {
		*millicores = LB_UNLIMITED;
		return 0;
	}
	n = parse_digits(s, &whole);
	if (n == 0 || whole > LB_CORES_MAX)
		return -1;
	s += n;
	if (*s == '.') {
		s++;
		/* 1 to 3 decimals: cgroup cpu.max has microsecond quotas, but
		 * a millicore is finer than anyone configures */
		for (i = 0; i < 3 && isdigit((unsigned char)s[i]); i++)
			frac = frac * 10 + (uint64_t)(s[i] - '0');
		if (i == 0 || s[i] != '\0')
			return -1;
		for (; i < 3; i++)
			frac *= 10;
	} else if (*s != '\0') {
		return -1;
	}
	whole = whole * 1000 + frac;
	if (whole < 1 || whole > LB_CORES_MAX * 1000ULL)
		return -1;
	*millicores = whole;
	return 0;
}

int lb_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", NULL };
	static const char *const no[] = { "no", "false", "0", NULL };

	if (lb_parse_enum(s, yes) >= 0) {
		*out = true;
		return 0;
	}
	if (lb_parse_enum(s, no) >= 0) {
		*out = false;
		return 0;
	}
	return -1;
}

int lb_parse_enum(const char *s, const char *const *words)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; words[i]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return i;
	return -1;
}

int lb_format_size(uint64_t v, char *buf, size_t len)
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
