/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny TAP producer for the unit tests (after crun's and bubblewrap's):
 *
 *	plan(3);                 or nothing, and done_testing() prints 1..N
 *	ok(cond, "fmt", ...);
 *	is_int(got, want, "fmt", ...);
 *	is_str(got, want, "fmt", ...);
 *	skip("name", "why %s", ...);  one test not run here, with its reason
 *	skip_all("reason");      exits 77, which run.sh counts as skipped
 *	return done_testing();
 *
 * Failures print the file, line and the values as TAP "#" diagnostics.
 */
#ifndef LB_TAP_H
#define LB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned = -1;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

__attribute__((format(printf, 4, 0))) static inline int
tap_vok(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass)
		printf("#   Failed at %s line %d\n", file, line);
	fflush(stdout);
	return pass;
}

__attribute__((format(printf, 4, 5))) static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return r;
}

__attribute__((format(printf, 5, 6))) static inline int
tap_is_int(long long got, long long want, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return r;
}

__attribute__((format(printf, 5, 6))) static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
	   const char *fmt, ...)
{
	int pass = (!got && !want) || (got && want && strcmp(got, want) == 0);
	va_list ap;

	va_start(ap, fmt);
	tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: '%s'\n#     expected: '%s'\n",
		       got ? got : "(null)", want ? want : "(null)");
	return pass;
}

/* Print a diagnostic line ("# ..."). */
__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt,
							       ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* One test that cannot run here, and why: "ok N - NAME # SKIP WHY"
 * (tests/tap.sh counts it as skipped, not passed). */
__attribute__((format(printf, 2, 3))) static inline void
skip(const char *name, const char *why_fmt, ...)
{
	va_list ap;

	tap_run++;
	printf("ok %d - %s # SKIP ", tap_run, name);
	va_start(ap, why_fmt);
	vprintf(why_fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((noreturn)) static inline void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	exit(77);
}

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
		return 1;
	}
	if (tap_failed)
		printf("# failed %d of %d tests\n", tap_failed, tap_run);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                 \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__,    \
		   __VA_ARGS__)
#define is_str(got, want, ...)                                                 \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

#endif
