// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drop-ins merge (loginbox.conf(5) MERGING): loginbox.conf and conf.d/
 * *.conf in a temporary directory, loaded by the same lb_config_load_dir
 * that reads /etc/loginbox, then resolved and printed with origins.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "strparse.h"
#include "tap.h"

static struct lb_config cfg; /* about 1 MiB: not on the stack */
static struct lb_policy_origin origin;
static struct lb_policy pol;
static struct lb_err err;
static char dir[] = "/tmp/lb-dropins-XXXXXX";
static char confd[64];

/* Write dir/name (name may be "conf.d/x.conf"); NULL text removes it. */
static void put(const char *name, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if (!text)
		return;
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		diag("writing %s failed", path);
	close(fd);
}

static int load(void)
{
	lb_err_clear(&err);
	return lb_config_load_dir(&cfg, dir, false, &err);
}

/* Resolve for a user in `group` and fill the origins. */
static int resolve(const char *user, const char *group)
{
	const char *groups[] = { group };
	int r;

	lb_err_clear(&err);
	r = lb_policy_resolve(&cfg, user, groups, group ? 1 : 0, &pol, &err);
	if (r >= 0)
		lb_policy_origin(&cfg, &pol, &origin);
	return r;
}

/* "conf.d/50-site.conf" -> "<dir>/conf.d/50-site.conf" */
static const char *at(const char *name)
{
	static char path[4][128];
	static int n;

	n = (n + 1) % 4;
	snprintf(path[n], sizeof(path[n]), "%s/%s", dir, name);
	return path[n];
}

static void t_order_and_last_wins(void)
{
	put("loginbox.conf", "[global]\non_error = allow\n"
			     "[group.students]\nmemory_max = 1G\n"
			     "image = host\npids_max = 100\n");
	put("conf.d/50-site.conf", "[global]\non_error = deny\n"
				   "[group.students]\nmemory_max = 2G\n");
	put("conf.d/20-early.conf", "[group.students]\nmemory_max = 3G\n"
				    "pids_max = 200\n");
	put("conf.d/README", "not a config: ignored\n");
	put("conf.d/.hidden.conf", "[group.students]\nmemory_max = 9G\n");
	ok(load() == 0, "the issue's drop-in [global] on_error = deny is "
	   "accepted (%s)", err.msg);
	is_int(cfg.n_files, 3, "loginbox.conf + two conf.d files, README and "
	       "dot-file skipped");
	is_str(cfg.files[1], at("conf.d/20-early.conf"), "conf.d sorted: 20-");
	is_str(cfg.files[2], at("conf.d/50-site.conf"), "then 50-");
	ok(cfg.on_error == LB_ON_ERROR_DENY, "[global] on_error: the last "
	   "file wins");
	is_int(cfg.n_sections, 1, "one [group.students] across three files");
	is_int(resolve("alice", "students"), 1, "alice boxed");
	ok(pol.session.memory_max == 2ULL << 30, "memory_max: 50-site.conf "
	   "(last) beats 20-early.conf and loginbox.conf");
	ok(pol.session.pids_max == 200, "pids_max: 20-early.conf beats "
	   "loginbox.conf");
	is_str(pol.image, "host", "image: only in loginbox.conf, kept");
	ok(pol.on_error == LB_ON_ERROR_DENY, "policy on_error from [global]");
	is_str(origin.key[LB_KEY_MEMORY_MAX].file, at("conf.d/50-site.conf"),
	       "origin of memory_max: its file");
	is_str(origin.key[LB_KEY_MEMORY_MAX].section, "group.students",
	       "origin of memory_max: its section");
	is_str(origin.key[LB_KEY_PIDS_MAX].file, at("conf.d/20-early.conf"),
	       "origin of pids_max");
	is_str(origin.key[LB_KEY_IMAGE].file, at("loginbox.conf"),
	       "origin of image");
	is_str(origin.key[LB_KEY_ON_ERROR].section, "global",
	       "origin of on_error: [global]");
	is_str(origin.key[LB_KEY_ON_ERROR].file, at("conf.d/50-site.conf"),
	       "origin of on_error: the drop-in");
	is_str(origin.key[LB_KEY_SHELL].file, "", "shell: built-in default");
	ok(strstr(origin.section_files, at("loginbox.conf")) &&
		   strstr(origin.section_files, at("conf.d/20-early.conf")) &&
		   strstr(origin.section_files, at("conf.d/50-site.conf")),
	   "the section's files listed (%s)", origin.section_files);
	put("conf.d/20-early.conf", NULL);
	put("conf.d/50-site.conf", NULL);
	put("conf.d/README", NULL);
	put("conf.d/.hidden.conf", NULL);
}

static void t_reset(void)
{
	put("loginbox.conf", "[global]\non_error = allow\nlimits = required\n"
			     "default = group.students\n"
			     "[group.students]\nmemory_max = 1G\n"
			     "shell = /bin/zsh\npriority = 7\n"
			     "[user.alice]\nimage = alice-img\n");
	put("conf.d/10-reset.conf", "[global]\non_error =\nlimits = \"\"\n"
				    "[group.students]\nmemory_max =\n"
				    "priority =\n[user.alice]\nimage =\n");
	ok(load() == 0, "empty values load (%s)", err.msg);
	ok(cfg.on_error == LB_ON_ERROR_DENY && cfg.limits ==
		   LB_LIMITS_BEST_EFFORT,
	   "[global] on_error = / limits = \"\": back to deny, best-effort");
	is_str(cfg.default_section, "group.students", "default untouched");
	is_int(resolve("alice", "students"), 1, "alice boxed");
	ok(pol.session.memory_max == LB_UNLIMITED, "memory_max = : unset "
	   "again");
	is_int(pol.priority, 0, "priority = : 0 again");
	is_str(pol.shell, "/bin/zsh", "a key not reset keeps its value");
	is_str(pol.image, "host", "[user.alice] image = : the group's (here "
	       "the default) shows through");
	is_str(origin.key[LB_KEY_MEMORY_MAX].file, "", "reset value reported "
	       "as the built-in default");
	is_str(origin.key[LB_KEY_ON_ERROR].file, "", "on_error too");

	/* reset in the user section lets the group's value through */
	put("conf.d/10-reset.conf", "[group.students]\nimage = grp-img\n"
				    "[user.alice]\nimage =\n");
	ok(load() == 0, "reloaded (%s)", err.msg);
	resolve("alice", "students");
	is_str(pol.image, "grp-img", "user reset: group value shows through");
	is_str(origin.key[LB_KEY_IMAGE].section, "group.students",
	       "and its origin is the group section");

	/* default = (empty) is default = none */
	put("conf.d/10-reset.conf", "[global]\ndefault =\n");
	ok(load() == 0 && cfg.default_section[0] == '\0',
	   "default = : none again (%s)", err.msg);
	is_int(resolve("fred", "other"), 0, "unmatched user no longer boxed");
	put("conf.d/10-reset.conf", NULL);
}

static void t_lists(void)
{
	put("loginbox.conf", "[group.students]\ngroups = audio, video\n"
			     "io_max = \"8:0 rbps=1M; 8:16 wbps=2M\"\n"
			     "capabilities = chown, kill\n");
	put("conf.d/30-lists.conf", "[group.students]\ngroups = plugdev\n"
				    "io_max = 8:32 riops=5\n"
				    "capabilities = default, -kill\n");
	ok(load() == 0, "lists in two files (%s)", err.msg);
	resolve("alice", "students");
	ok(pol.n_keep_groups == 1 && strcmp(pol.keep_groups[0], "plugdev") ==
		   0,
	   "groups replaced whole, not appended (%d)", pol.n_keep_groups);
	ok(pol.session.n_io == 1 && pol.session.io_max[0].major == 8 &&
		   pol.session.io_max[0].minor == 32,
	   "io_max replaced whole (%d devices)", pol.session.n_io);
	ok(pol.caps == (lb_caps_default() & ~(1ULL << 5 /* CAP_KILL */)),
	   "capabilities = default, -kill is relative to the built-in "
	   "default, not to the earlier file's list");
	put("conf.d/30-lists.conf", "[group.students]\ngroups =\n");
	ok(load() == 0, "reloaded (%s)", err.msg);
	resolve("alice", "students");
	is_int(pol.n_keep_groups, 0, "groups = : back to none");
	is_int(pol.session.n_io, 2, "io_max from loginbox.conf again");
	put("conf.d/30-lists.conf", NULL);
}

static void t_errors(void)
{
	put("loginbox.conf", "[group.students]\nmemory_max = 1G\n");
	put("conf.d/10-ok.conf", "[group.students]\npids_max = 10\n");
	put("conf.d/40-bad.conf", "[group.students]\nmemory_max = lots\n");
	put("conf.d/90-ok.conf", "[group.students]\nmemory_max = 2G\n");
	ok(load() < 0 && strstr(err.msg, at("conf.d/40-bad.conf")) &&
		   strstr(err.msg, "[group.students] memory_max: \"lots\""),
	   "a bad value names its file, section and key, even when a later "
	   "file sets the key (%s)", err.msg);
	ok(!strstr(err.msg, "10-ok") && !strstr(err.msg, "90-ok"),
	   "and only that file");
	put("conf.d/40-bad.conf", "[group.students]\nmemroy_max = 1G\n");
	ok(load() < 0 && strstr(err.msg, at("conf.d/40-bad.conf")) &&
		   strstr(err.hint, "memory_max"),
	   "unknown key in a drop-in (%s / %s)", err.msg, err.hint);
	put("conf.d/40-bad.conf", "[group.students]\npids_max = 1\n"
				  "pids_max = 2\n");
	ok(load() < 0 && strstr(err.msg, "40-bad.conf: line 3") &&
		   strstr(err.msg, "set twice"),
	   "a key twice in ONE file is still an error (%s)", err.msg);
	put("conf.d/40-bad.conf", "[global]\ndefault = group.nope\n");
	ok(load() < 0 && strstr(err.msg, at("conf.d/40-bad.conf")) &&
		   strstr(err.msg, "no section [group.nope]"),
	   "default naming a missing section names the file that set it "
	   "(%s)", err.msg);
	put("conf.d/40-bad.conf", NULL);
	put("conf.d/90-ok.conf", NULL);
	put("conf.d/10-ok.conf", NULL);
}

static void t_priorities(void)
{
	/* Which section wins does not depend on the file order. */
	put("loginbox.conf", "[group.a]\npriority = 10\nimage = a\n"
			     "[group.b]\npriority = 5\nimage = b\n");
	put("conf.d/10-b.conf", "[group.b]\nimage = b2\n");
	ok(load() == 0, "loaded (%s)", err.msg);
	{
		const char *groups[] = { "a", "b" };

		lb_policy_resolve(&cfg, "u", groups, 2, &pol, &err);
	}
	is_str(pol.section, "group.a", "a later file mentioning [group.b] "
	       "does not change priorities");
	put("conf.d/10-b.conf", "[group.b]\npriority = 10\n");
	ok(load() == 0, "loaded (%s)", err.msg);
	{
		const char *groups[] = { "a", "b" };

		ok(lb_policy_resolve(&cfg, "u", groups, 2, &pol, &err) < 0 &&
			   strstr(err.msg, "both match with priority 10"),
		   "a drop-in raising a priority into a tie: refused (%s)",
		   err.msg);
	}
	put("conf.d/10-b.conf", NULL);
}

static void t_print(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	char want[256];

	put("loginbox.conf", "[group.students]\nmemory_max = 1G\n");
	put("conf.d/50-site.conf", "[group.students]\nmemory_max = 2G\n");
	ok(load() == 0, "loaded (%s)", err.msg);
	resolve("alice", "students");
	f = open_memstream(&out, &len);
	lb_policy_print_origin(&pol, &origin, f);
	fclose(f);
	snprintf(want, sizeof(want), "\nmemory_max = 2G                  # "
		 "%s [group.students]\n", at("conf.d/50-site.conf"));
	ok(out && strstr(out, want), "memory_max line names the drop-in");
	ok(out && strstr(out, "\nshell = /bin/bash                # built-in "
			      "default\n"),
	   "a default says so");
	snprintf(want, sizeof(want), "# section: group.students (from %s, %s)",
		 at("loginbox.conf"), at("conf.d/50-site.conf"));
	ok(out && strstr(out, want), "header lists the section's files");
	if (out && !strstr(out, want))
		diag("%s", out);
	free(out);
	put("conf.d/50-site.conf", NULL);
}

int main(void)
{
	char path[128];

	if (!mkdtemp(dir))
		return fprintf(stderr, "mkdtemp failed\n"), 1;
	snprintf(confd, sizeof(confd), "%s/conf.d", dir);
	if (mkdir(confd, 0755) < 0)
		return fprintf(stderr, "mkdir failed\n"), 1;
	chmod(dir, 0755);
	t_order_and_last_wins();
	t_reset();
	t_lists();
	t_errors();
	t_priorities();
	t_print();
	put("loginbox.conf", NULL);
	rmdir(confd);
	snprintf(path, sizeof(path), "%s", dir);
	ok(rmdir(path) == 0, "temporary directory left empty");
	return done_testing();
}
