// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the config parser and policy resolution
 * (docs/SECURITY.md, hard spot 7: the policy layer is fuzzed).  Any
 * input must either be rejected with a message or give policies that
 * satisfy the invariants below; a violation aborts, which both
 * libFuzzer and run.sh report.
 *
 * With libFuzzer (its main() replaces the weak one below):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Ihelper/common -Ihelper/config -Ihelper/identity \
 *     -o fuzz_config tests/unit/fuzz_config.c \
 *     helper/common/[a-z]*.c helper/config/[a-z]*.c helper/identity/[a-z]*.c \
 *     -liniparser -lcap
 *   ./fuzz_config -max_len=4096 corpus/
 *
 * Without it (test_fuzz_config.c, run by `make check`), the weak main()
 * runs a few thousand seeded mutations of valid configs: deterministic,
 * so a failure reproduces.
 *
 * A form feed splits the input into files (fuzz-0.conf, fuzz-1.conf...)
 * merged in order as conf.d drop-ins are.  An input without one is also
 * merged with a copy of itself, which must give the same policies: a
 * drop-in that repeats every value changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "macros.h"
#include "policy.h"
#include "strparse.h"
#include "template.h"

static struct lb_config *fz_cfg, *fz_cfg2;
static unsigned long fz_parsed, fz_boxed, fz_merged;
static const char *fz_input;

static void fz_violation(const char *what)
{
	fprintf(stderr, "fuzz invariant violated: %s\n--- input ---\n%s\n---\n",
		what, fz_input ? fz_input : "");
	abort();
}

#define FZ_CHECK(c)                                                            \
	do {                                                                   \
		if (!(c))                                                      \
			fz_violation(#c);                                      \
	} while (0)

static void fz_check_hostname(const struct lb_policy *p)
{
	char host[64];
	struct lb_err err;
	size_t n, i;

	FZ_CHECK(lb_template_check(p->hostname, &err) == 0);
	FZ_CHECK(lb_template_hostname(p->hostname, "a_lice", "srv.example",
				      7, host, sizeof(host), &err) == 0);
	n = strlen(host);
	FZ_CHECK(n >= 1 && n <= 63 && host[0] != '-' && host[n - 1] != '-');
	for (i = 0; i < n; i++)
		FZ_CHECK((host[i] >= 'a' && host[i] <= 'z') ||
			 (host[i] >= 'A' && host[i] <= 'Z') ||
			 (host[i] >= '0' && host[i] <= '9') || host[i] == '-');
}

static void fz_check_limits(const struct lb_limits_set *l)
{
	FZ_CHECK(l->n_io >= 0 && l->n_io <= LB_MAX_IO);
	FZ_CHECK(l->cpu_max == LB_UNLIMITED ||
		 (l->cpu_max >= 1 && l->cpu_max <= 4096000));
	FZ_CHECK(l->cpu_weight == LB_UNLIMITED ||
		 (l->cpu_weight >= 1 && l->cpu_weight <= 10000));
	FZ_CHECK(l->io_weight == LB_UNLIMITED ||
		 (l->io_weight >= 1 && l->io_weight <= 10000));
	FZ_CHECK(l->pids_max == LB_UNLIMITED ||
		 (l->pids_max >= 1 && l->pids_max <= 4194304));
	FZ_CHECK(l->memory_max == LB_UNLIMITED || l->memory_max >= (1u << 20));
}

/* Every value's origin is a file of this input, in the section that won
 * or [global], or the built-in default. */
static void fz_check_origin(const struct lb_policy *p)
{
	struct lb_policy_origin *o = malloc(sizeof(*o));
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int k, i;

	FZ_CHECK(o);
	lb_policy_origin(fz_cfg, p, o);
	for (k = 0; k < LB_KEY__COUNT; k++) {
		const struct lb_origin *x = &o->key[k];

		if (!x->file[0]) {
			FZ_CHECK(!x->section[0]);
			continue;
		}
		for (i = 0; i < fz_cfg->n_files; i++)
			if (strcmp(fz_cfg->files[i], x->file) == 0)
				break;
		FZ_CHECK(i < fz_cfg->n_files);
		FZ_CHECK(strcmp(x->section, p->section) == 0 ||
			 strcmp(x->section, p->user_section) == 0 ||
			 (strcmp(x->section, "global") == 0 &&
			  (k == LB_KEY_ON_ERROR || k == LB_KEY_LIMITS ||
			   k == LB_KEY_MAX_LINGER)));
	}
	f = open_memstream(&out, &len);
	if (f) {
		lb_policy_print_origin(p, o, f);
		fclose(f);
		FZ_CHECK(out && strstr(out, "\nbox = yes "));
		free(out);
	}
	free(o);
}

/* Parse text into cfg, each '\f'-separated part as one more file. */
static int fz_parse(struct lb_config *cfg, char *text, struct lb_err *err)
{
	char name[32], *part = text, *ff;
	int i;

	lb_config_init(cfg);
	for (i = 0;; i++) {
		ff = strchr(part, '\f');
		if (ff)
			*ff = '\0';
		snprintf(name, sizeof(name), "fuzz-%d.conf", i);
		if (lb_config_add_string(cfg, part, name, err) < 0) {
			if (ff)
				*ff = '\f';
			return -1;
		}
		if (!ff)
			break;
		*ff = '\f';
		part = ff + 1;
	}
	return lb_config_finish(cfg, err);
}

/* What resolving gives, as text: the printed policy or the error. */
static char *fz_outcome(const struct lb_config *cfg, const char *user,
			const char *const *groups, int n)
{
	struct lb_policy p;
	struct lb_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int r;

	if (!f)
		abort();
	r = lb_policy_resolve(cfg, user, groups, n, &p, &err);
	fprintf(f, "r=%d %s\n", r, r < 0 ? err.msg : "");
	if (r >= 0)
		lb_policy_print(&p, f);
	fclose(f);
	return out;
}

static void fz_resolve(const char *user, const char *const *groups, int n)
{
	struct lb_policy p;
	struct lb_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = lb_policy_resolve(fz_cfg, user, groups, n, &p, &err);
	FZ_CHECK(r >= -1 && r <= 1);
	if (r < 0) {
		FZ_CHECK(err.msg[0] != '\0');
		return;
	}
	FZ_CHECK(p.boxed == (r == 1));
	if (strcmp(user, "root") == 0)
		FZ_CHECK(r == 0);
	if (r == 0)
		return;
	fz_boxed++;
	FZ_CHECK(p.section[0] != '\0');
	FZ_CHECK(p.image[0] != '\0' && p.image[0] != '.' &&
		 !strchr(p.image, '/'));
	FZ_CHECK(p.shell[0] == '/' && !strstr(p.shell, ".."));
	FZ_CHECK(p.n_keep_groups >= 0 && p.n_keep_groups <= LB_MAX_KEEP_GROUPS);
	FZ_CHECK(p.upper_size == LB_UNLIMITED ||
		 (p.upper_size >= (1u << 20) && p.upper_size <= (1ULL << 40)));
	FZ_CHECK(p.tmpfs_size >= (1u << 20) && p.tmpfs_size <= (1ULL << 40));
	FZ_CHECK(p.priority >= -1000 && p.priority <= 1000);
	fz_check_hostname(&p);
	fz_check_limits(&p.session);
	fz_check_limits(&p.user);
	fz_check_origin(&p);
	if (fz_cfg2) {
		char *a = fz_outcome(fz_cfg, user, groups, n);
		char *b = fz_outcome(fz_cfg2, user, groups, n);

		FZ_CHECK(strcmp(a, b) == 0);
		free(a);
		free(b);
	}
	f = open_memstream(&out, &len);
	if (f) {
		lb_policy_print(&p, f);
		fclose(f);
		FZ_CHECK(out && strstr(out, "\nbox = yes\n"));
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "students", "staff", "lab" };
	const char *groups[LB_MAX_SECTIONS + 1];
	struct lb_err err = { 0 };
	static struct lb_config *twice;
	char *text, *doubled;
	int i, n = 0;

	if (!fz_cfg)
		fz_cfg = malloc(sizeof(*fz_cfg));
	if (!twice)
		twice = malloc(sizeof(*twice));
	text = malloc(size + 1);
	doubled = malloc(2 * size + 2);
	if (!fz_cfg || !twice || !text || !doubled)
		abort();
	memcpy(text, data, size);
	text[size] = '\0'; /* the parser takes a C string: stop at a NUL */
	fz_input = text;

	if (fz_parse(fz_cfg, text, &err) < 0) {
		FZ_CHECK(err.msg[0] != '\0');
		free(text);
		free(doubled);
		return 0;
	}
	fz_parsed++;
	if (fz_cfg->n_files > 1)
		fz_merged++;
	fz_cfg2 = NULL;
	if (!strchr(text, '\f')) {
		snprintf(doubled, 2 * size + 2, "%s\f%s", text, text);
		FZ_CHECK(fz_parse(twice, doubled, &err) == 0);
		FZ_CHECK(twice->n_sections == fz_cfg->n_sections);
		fz_cfg2 = twice;
	}
	FZ_CHECK(fz_cfg->n_sections >= 0 &&
		 fz_cfg->n_sections <= LB_MAX_SECTIONS);
	/* every group section at once: the tie and priority paths */
	for (i = 0; i < fz_cfg->n_sections; i++)
		if (fz_cfg->sections[i].kind == LB_SEC_GROUP)
			groups[n++] = fz_cfg->sections[i].target;
	fz_resolve("alice", groups, n);
	fz_resolve("root", groups, n);
	fz_resolve("bob", fixed, 3);
	fz_resolve("carol", fixed, 1);
	fz_resolve("dave", NULL, 0);
	for (i = 0; i < fz_cfg->n_sections && i < 8; i++) {
		const char *one[] = { fz_cfg->sections[i].target };

		fz_resolve(fz_cfg->sections[i].target, one, 1);
	}
	fz_input = NULL;
	free(text);
	free(doubled);
	return 0;
}

/* ---- deterministic driver, used when libFuzzer's main() is absent ---- */

#include "tap.h"

#define FZ_ITERATIONS 10000

static uint64_t fz_rng = 0x6c6f67696e626f78ULL; /* "loginbox" */

static uint64_t fz_rand(void)
{
	/* xorshift64: fixed seed, same sequence on every run */
	fz_rng ^= fz_rng << 13;
	fz_rng ^= fz_rng >> 7;
	fz_rng ^= fz_rng << 17;
	return fz_rng;
}

static size_t fz_below(size_t n)
{
	return n ? (size_t)(fz_rand() % n) : 0;
}

static const char *const fz_seeds[] = {
	"[global]\non_error = deny\ndefault = none\n\n"
	"[group.students]\nimage = host\nnetwork = none\nhostname = %u-box\n"
	"inside_uid = self\nupper = tmpfs\nupper_size = 2G\nhome = bind\n"
	"memory_max = 2G\nuser_memory_max = 4G\ncpu_max = 1.5\n"
	"pids_max = 512\nseccomp = default\ncapabilities = default\n"
	"priority = 10\n\n[user.alice]\npids_max = 1024\n",

	"[global]\ndefault = group.lab\nlimits = required\n"
	"[group.lab]\nimage = debian-12\nshell = /bin/zsh\n"
	"capabilities = default, +sys_ptrace, -kill\ngroups = audio, video\n"
	"io_max = \"8:0 rbps=10M wiops=100; 8:16 wbps=max\"\n"
	"user_io_max = 8:0 riops=5\nio_weight = 100\ncpu_weight = 50\n"
	"[group.staff]\npriority = 20\nbox = no\n"
	"[group.tie]\npriority = 20\nhostname = %h-%s-%%\n",

	"[group.a]\nmemory_high = 512M\nmemory_swap_max = 0\n"
	"user_cpu_max = 0.125\nuser_pids_max = max\nupper = persistent\n"
	"[group.b]\nhome = tmpfs\ninside_uid = root\non_error = allow\n"
	"[user.bob]\nbox = yes\nimage = \"img.v2\"\n",

	/* drop-ins: split sections, last wins, resets, list replaced */
	"[global]\non_error = allow\ndefault = group.students\n"
	"[group.students]\nmemory_max = 1G\ngroups = audio, video\n"
	"priority = 5\n\f[global]\non_error = deny\n"
	"[group.students]\nmemory_max = 2G\ngroups = plugdev\n"
	"\f[group.students]\npriority =\n[user.alice]\nimage = host\n"
	"\f[global]\ndefault =\n[user.alice]\nimage =\n",
};

static const char *const fz_tokens[] = {
	"[global]\n", "[group.", "[user.", "]\n", "[]\n", " = ", "=", "\n",
	"\\\n", ";", "#", "\"", "'", ":", ",", " ", "%", "%u", "%h", "%x",
	"%%", "max", "none", "default", "+", "-", "4G", "010", "0x10", "1.5",
	"0.001", "18446744073709551616", "-1", "yes", "no", "y", "..", "/",
	"students", "staff", "alice", "root", "box = no\n", "priority = 20\n",
	"priority = -1000\n", "default = group.students\n",
	"io_max = 8:0 rbps=1M; 8:16 wbps=2M\n", "8:0 rbps=1M", "cap_chown",
	"sys_admin", "image", "memory_max", "user_memory_max", "cpu_max",
	"pids_max", "groups", "capabilities", "hostname", "shell", "\t",
	"\r", "\xff", "\x01", "\f", "\f[global]\n", "\f[group.students]\n",
	"\f[user.alice]\n", " =\n", "\"\"",
};

static size_t fz_mutate(char *buf, size_t len, size_t cap)
{
	const char *tok;
	size_t pos, n, tl;

	switch (fz_below(6)) {
	case 0: /* flip a byte */
		if (len)
			buf[fz_below(len)] = (char)(fz_rand() & 0xff);
		break;
	case 1: /* insert a token */
		tok = fz_tokens[fz_below(ARRAY_SIZE(fz_tokens))];
		tl = strlen(tok);
		if (len + tl >= cap)
			break;
		pos = fz_below(len + 1);
		memmove(buf + pos + tl, buf + pos, len - pos);
		memcpy(buf + pos, tok, tl);
		len += tl;
		break;
	case 2: /* delete a range */
		if (!len)
			break;
		pos = fz_below(len);
		n = 1 + fz_below(len - pos < 16 ? len - pos : 16);
		memmove(buf + pos, buf + pos + n, len - pos - n);
		len -= n;
		break;
	case 3: /* duplicate a range (repeats sections and keys) */
		pos = fz_below(len + 1);
		n = fz_below(len - pos < 64 ? len - pos + 1 : 64);
		if (len + n >= cap)
			break;
		memmove(buf + pos + n, buf + pos, len - pos);
		len += n;
		break;
	case 4: /* truncate */
		len = fz_below(len + 1);
		break;
	default: /* replace the value after a '=' */
		tok = fz_tokens[fz_below(ARRAY_SIZE(fz_tokens))];
		tl = strlen(tok);
		pos = fz_below(len + 1);
		while (pos < len && buf[pos] != '=')
			pos++;
		if (pos >= len || len + tl >= cap)
			break;
		for (n = pos + 1; n < len && buf[n] != '\n'; n++)
			;
		memmove(buf + pos + 1 + tl, buf + n, len - n);
		memcpy(buf + pos + 1, tok, tl);
		len = pos + 1 + tl + (len - n);
		break;
	}
	buf[len] = '\0';
	return len;
}

__attribute__((weak)) int main(void)
{
	static char buf[8192];
	unsigned long i, rejected, returned = 0;
	size_t len;
	int m, k;

	for (i = 0; i < ARRAY_SIZE(fz_seeds); i++) {
		unsigned long before = fz_parsed;

		LLVMFuzzerTestOneInput((const uint8_t *)fz_seeds[i],
				       strlen(fz_seeds[i]));
		ok(fz_parsed == before + 1, "seed %lu parses", i);
	}
	for (i = 0; i < FZ_ITERATIONS; i++) {
		const char *seed = fz_seeds[fz_below(ARRAY_SIZE(fz_seeds))];

		len = strlen(seed);
		memcpy(buf, seed, len + 1);
		m = fz_below(2) ? 1 : 2 + (int)fz_below(3);
		for (k = 0; k < m; k++)
			len = fz_mutate(buf, len, sizeof(buf));
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		returned++;
	}
	rejected = FZ_ITERATIONS + ARRAY_SIZE(fz_seeds) - fz_parsed;
	is_int(returned, FZ_ITERATIONS,
	       "every one of %d mutated inputs returned: %lu parsed (%lu of "
	       "several files), %lu rejected, %lu boxed policies checked",
	       FZ_ITERATIONS, fz_parsed, fz_merged, rejected, fz_boxed);
	ok(fz_boxed > 0, "some mutated inputs give a boxed policy, whose "
			 "checks ran (%lu)", fz_boxed);
	ok(fz_parsed > FZ_ITERATIONS / 50 && rejected > FZ_ITERATIONS / 50,
	   "mutations reach both the accept and the reject paths");
	ok(fz_merged > FZ_ITERATIONS / 100, "and merge drop-ins");
	return done_testing();
}
