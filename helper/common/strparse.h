/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsers for config values (docs/SECURITY.md, hard spot 7): iniparser's
 * getint is strtol(s, NULL, 0), so "4G" reads as 4 and "010" as 8, and its
 * getboolean looks at one character.  We read every value as a string and
 * parse it here; anything not fully consumed is an error.
 * All return 0 on success, -1 on a malformed or out-of-range value (errno
 * is not used; the caller names file, section and key).  The last three
 * (formatting a size back, name checks, showing a value in a message) are
 * here so that everything above can use them: nothing here calls up.
 */
#ifndef LB_STRPARSE_H
#define LB_STRPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LB_UNLIMITED UINT64_MAX /* "max" */

/* Decimal integer in [min, max]; no sign for unsigned, no leading zeros
 * other than "0", no spaces, no base prefixes. */
int lb_parse_int(const char *s, long long min, long long max, long long *out);

/* Byte size: digits with an optional K, M, G or T suffix (powers of 1024,
 * case-insensitive, an optional trailing "B"/"iB" is refused to keep one
 * spelling), or "max" when allow_max.  Result in [min, max] or LB_UNLIMITED. */
int lb_parse_size(const char *s, bool allow_max, uint64_t min, uint64_t max,
		  uint64_t *out);

/* CPU amount in cores with up to 3 decimals ("1.5", "0.25", "2") or "max";
 * result in millicores (1.5 -> 1500) or LB_UNLIMITED. */
int lb_parse_cores(const char *s, uint64_t *millicores);

/* "yes"/"no"/"true"/"false"/"1"/"0" exactly (case-insensitive). */
int lb_parse_bool(const char *s, bool *out);

/* Match s against a NULL-terminated list of words; returns the index or -1. */
int lb_parse_enum(const char *s, const char *const *words);

/* Bytes as lb_parse_size reads them back: "2G", "1536M", "1048577K", "max". */
int lb_format_size(uint64_t v, char *buf, size_t len);

/* A user or group name: 1..32 of [a-z0-9_.-] (and A-Z when allow_upper),
 * not starting with '-' or '.'. */
bool lb_valid_name(const char *s, bool allow_upper);

/* Printable, bounded copy of an untrusted value for a message. */
const char *lb_show(const char *val, char *buf, size_t len);

#endif
