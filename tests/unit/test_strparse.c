// SPDX-License-Identifier: GPL-2.0-or-later
/* Strict value parsers: every spelling iniparser would misread. */
#include "strparse.h"

#include <limits.h>

#include "tap.h"

static void t_int(void)
{
	static const char *const bad[] = {
		"", "-", "+5", " 5", "5 ", "010", "00", "0x10", "1e3", "5k",
		"1.0", "9223372036854775808", "-0", "--1", "4G", NULL,
	};
	long long v = 42;
	int i;

	ok(lb_parse_int("0", 0, 10, &v) == 0 && v == 0, "int: 0");
	ok(lb_parse_int("10", 0, 10, &v) == 0 && v == 10, "int: 10");
	ok(lb_parse_int("11", 0, 10, &v) < 0, "int: above max");
	ok(lb_parse_int("-5", -10, 10, &v) == 0 && v == -5, "int: -5");
	ok(lb_parse_int("-11", -10, 10, &v) < 0, "int: below min");
	ok(lb_parse_int("-1", 0, 10, &v) < 0, "int: sign on unsigned");
	ok(lb_parse_int("9223372036854775807", 0, LLONG_MAX, &v) == 0 &&
		   v == LLONG_MAX,
	   "int: LLONG_MAX");
	ok(lb_parse_int("-9223372036854775808", LLONG_MIN, 0, &v) == 0 &&
		   v == LLONG_MIN,
	   "int: LLONG_MIN");
	ok(lb_parse_int("18446744073709551616", 0, LLONG_MAX, &v) < 0,
	   "int: 2^64 overflows");
	for (i = 0; bad[i]; i++) {
		v = 42;
		ok(lb_parse_int(bad[i], LLONG_MIN, LLONG_MAX, &v) < 0 && v == 42,
		   "int: \"%s\" rejected, output untouched", bad[i]);
	}
	ok(lb_parse_int(NULL, 0, 1, &v) < 0, "int: NULL");
}

static void t_size(void)
{
	static const struct {
		const char *s;
		uint64_t want;
	} good[] = {
		{ "0", 0 },
		{ "512", 512 },
		{ "512K", 512ULL << 10 },
		{ "512k", 512ULL << 10 },
		{ "2G", 2ULL << 30 },
		{ "2g", 2ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "3M", 3ULL << 20 },
		{ "16777215T", 16777215ULL << 40 },
		{ "18446744073709551614", UINT64_MAX - 1 },
	};
	static const char *const bad[] = {
		"", "4X", "010", "0x10", " 5", "5 ", "-1", "+1", "1.5G",
		"2GB", "2Gi", "2 G", "G", "18446744073709551616G",
		"18446744073709551616", "16777216T", "18446744073709551615",
		"1KK", NULL,
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 1;
		ok(lb_parse_size(good[i].s, false, 0, UINT64_MAX - 1, &v) == 0 &&
			   v == good[i].want,
		   "size: \"%s\"", good[i].s);
	}
	for (i = 0; bad[i]; i++)
		ok(lb_parse_size(bad[i], true, 0, UINT64_MAX - 1, &v) < 0,
		   "size: \"%s\" rejected", bad[i]);
	ok(lb_parse_size("max", true, 0, 10, &v) == 0 && v == LB_UNLIMITED,
	   "size: max allowed");
	ok(lb_parse_size("MAX", true, 0, 10, &v) == 0 && v == LB_UNLIMITED,
	   "size: MAX allowed");
	ok(lb_parse_size("max", false, 0, 10, &v) < 0, "size: max refused");
	ok(lb_parse_size("1M", false, 2ULL << 20, 1ULL << 40, &v) < 0,
	   "size: below min");
	ok(lb_parse_size("2T", false, 1ULL << 20, 1ULL << 40, &v) < 0,
	   "size: above max");
	ok(lb_parse_size("1T", false, 1ULL << 20, 1ULL << 40, &v) == 0,
	   "size: max is inclusive");
}

static void t_cores(void)
{
	static const struct {
		const char *s;
		uint64_t want;
	} good[] = {
		{ "1", 1000 },	   { "1.5", 1500 },    { "0.25", 250 },
		{ "0.125", 125 },  { "0.001", 1 },     { "2", 2000 },
		{ "4096", 4096000 }, { "1.500", 1500 }, { "10.0", 10000 },
	};
	static const char *const bad[] = {
		"0", "0.0", "0.000", "1.2345", "4097", "4096.001", ".5", "1.",
		"01", "00.5", "-1", "+1", " 1", "1 ", "1,5", "1.5.0", "", "1e3",
		"0x1", "99999999999999999999", NULL,
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		ok(lb_parse_cores(good[i].s, &v) == 0 && v == good[i].want,
		   "cores: \"%s\" = %llu millicores", good[i].s,
		   (unsigned long long)good[i].want);
	}
	for (i = 0; bad[i]; i++)
		ok(lb_parse_cores(bad[i], &v) < 0, "cores: \"%s\" rejected",
		   bad[i]);
	ok(lb_parse_cores("max", &v) == 0 && v == LB_UNLIMITED, "cores: max");
}

static void t_bool_enum(void)
{
	static const char *const words[] = { "tmpfs", "disk", NULL };
	bool b = false;

	ok(lb_parse_bool("yes", &b) == 0 && b, "bool: yes");
	ok(lb_parse_bool("TRUE", &b) == 0 && b, "bool: TRUE");
	ok(lb_parse_bool("1", &b) == 0 && b, "bool: 1");
	ok(lb_parse_bool("No", &b) == 0 && !b, "bool: No");
	ok(lb_parse_bool("false", &b) == 0 && !b, "bool: false");
	ok(lb_parse_bool("0", &b) == 0 && !b, "bool: 0");
	ok(lb_parse_bool("y", &b) < 0, "bool: y rejected (iniparser's "
	   "getboolean reads one character)");
	ok(lb_parse_bool("yess", &b) < 0, "bool: yess rejected");
	ok(lb_parse_bool("on", &b) < 0, "bool: on rejected");
	ok(lb_parse_bool("", &b) < 0, "bool: empty rejected");
	is_int(lb_parse_enum("disk", words), 1, "enum: disk");
	is_int(lb_parse_enum("TMPFS", words), 0, "enum: case-insensitive");
	is_int(lb_parse_enum("dis", words), -1, "enum: prefix rejected");
	is_int(lb_parse_enum("", words), -1, "enum: empty rejected");
}

int main(void)
{
	t_int();
	t_size();
	t_cores();
	t_bool_enum();
	return done_testing();
}
