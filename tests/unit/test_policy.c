// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy resolution: who is boxed, by which section, with what values. */
#include "policy.h"

#include <stdio.h>
#include <unistd.h>

#include "strparse.h"
#include "tap.h"
#include "user.h"

static struct lb_config cfg, cfg2;
static struct lb_policy p;
static struct lb_err err;

static const char conf[] =
	"[global]\n"
	"on_error = allow\n"
	"[group.students]\n"
	"priority = 10\n"
	"image = img-a\n"
	"memory_max = 2G\n"
	"user_memory_max = 4G\n"
	"[group.staff]\n"
	"priority = 20\n"
	"image = img-b\n"
	"on_error = deny\n"
	"[group.lab]\n"
	"image = img-c\n"
	"[group.tie1]\n"
	"priority = 5\n"
	"[group.tie2]\n"
	"priority = 5\n"
	"[group.exempt]\n"
	"priority = 100\n"
	"box = no\n"
	"[user.alice]\n"
	"pids_max = 1024\n"
	"image = img-alice\n"
	"[user.zed]\n"
	"image = img-z\n"
	"[user.breakglass]\n"
	"box = no\n";

#define G(...) ((const char *const[]){ __VA_ARGS__ })

static int resolve(const char *user, const char *const *groups, int n)
{
	lb_err_clear(&err);
	return lb_policy_resolve(&cfg, user, groups, n, &p, &err);
}

static void t_defaults(void)
{
	lb_policy_defaults(&p);
	ok(p.boxed, "defaults: boxed");
	is_str(p.image, "host", "defaults: image host");
	is_str(p.hostname, "%u-box", "defaults: hostname");
	is_str(p.shell, "/bin/bash", "defaults: shell");
	ok(p.upper_size == 1ULL << 30, "defaults: upper_size 1G");
	ok(p.network == LB_NET_NONE && p.inside_uid == LB_INSIDE_SELF &&
		   p.upper == LB_UPPER_TMPFS && p.home == LB_HOME_BIND &&
		   p.seccomp == LB_SECCOMP_DEFAULT,
	   "defaults: enums");
	ok(p.caps == lb_caps_default(), "defaults: caps");
	ok(p.on_error == LB_ON_ERROR_DENY && p.limits == LB_LIMITS_BEST_EFFORT,
	   "defaults: deny, best-effort");
	ok(p.session.memory_max == LB_UNLIMITED &&
		   p.session.cpu_max == LB_UNLIMITED &&
		   p.session.pids_max == LB_UNLIMITED &&
		   p.user.io_weight == LB_UNLIMITED && p.session.n_io == 0 &&
		   p.n_keep_groups == 0 && p.priority == 0,
	   "defaults: limits unset");
}

static void t_resolve(void)
{
	ok(lb_config_parse_string(&cfg, conf, "test.conf", &err) == 0,
	   "config parses (%s)", err.msg);

	is_int(resolve("bob", G("bob", "students"), 2), 1, "bob is boxed");
	is_str(p.section, "group.students", "bob: group.students");
	is_str(p.source, "test.conf", "bob: source");
	is_str(p.user_section, "", "bob: no user section");
	is_str(p.image, "img-a", "bob: image");
	ok(p.session.memory_max == 2ULL << 30 && p.user.memory_max == 4ULL << 30,
	   "bob: limits");
	is_int(p.priority, 10, "bob: priority");
	is_int(p.on_error, LB_ON_ERROR_ALLOW, "bob: global on_error");
	is_str(p.shell, "/bin/bash", "bob: unset keys keep the defaults");

	is_int(resolve("carl", G("students", "staff"), 2), 1, "carl boxed");
	is_str(p.section, "group.staff", "carl: higher priority wins");
	is_str(p.image, "img-b", "carl: staff's image");
	ok(p.session.memory_max == LB_UNLIMITED,
	   "carl: no merging of the losing group's keys");
	is_int(p.on_error, LB_ON_ERROR_DENY, "carl: section overrides "
	       "on_error");
	is_int(resolve("carl", G("staff", "students"), 2), 1, "order-free");
	is_str(p.section, "group.staff", "carl: still staff");

	is_int(resolve("alice", G("alice", "students"), 2), 1, "alice boxed");
	is_str(p.section, "group.students", "alice: group section");
	is_str(p.user_section, "user.alice", "alice: user section");
	is_str(p.image, "img-alice", "alice: user beats group");
	ok(p.session.pids_max == 1024 && p.session.memory_max == 2ULL << 30,
	   "alice: user keys over group keys");

	is_int(resolve("dora", G("tie1", "tie2"), 2), -1, "tie is an error");
	ok(strstr(err.msg, "user dora") && strstr(err.msg, "group.tie1") &&
		   strstr(err.msg, "group.tie2") && strstr(err.hint, "priority"),
	   "tie: names user, both sections, hints priority (%s / %s)",
	   err.msg, err.hint);
	is_int(resolve("dora", G("tie1", "tie2", "staff"), 3), 1,
	       "a tie below the top is fine");
	is_str(p.section, "group.staff", "dora: staff");
	is_int(resolve("breakglass", G("tie1", "tie2"), 2), 0,
	       "user box = no beats a tie");
	is_str(p.section, "user.breakglass", "breakglass: section named");
	ok(!p.boxed, "breakglass: not boxed");

	is_int(resolve("erin", G("students", "exempt"), 2), 0,
	       "box = no exempts");
	is_str(p.section, "group.exempt", "erin: exempting section named");
	is_int(resolve("fred", G("fred", "nogroup"), 2), 0,
	       "no match, no default: not boxed");
	is_str(p.section, "", "fred: no section");
	is_int(resolve("fred", NULL, 0), 0, "no groups at all");

	is_int(resolve("zed", G("zed"), 1), 1, "user section only: boxed");
	is_str(p.section, "user.zed", "zed: section is the user section");
	is_str(p.user_section, "user.zed", "zed: user section");
	is_str(p.image, "img-z", "zed: image");
	is_str(p.hostname, "%u-box", "zed: defaults under the user keys");

	is_int(resolve("root", G("students"), 1), 0, "root never boxed");
	is_str(p.section, "", "root: no section");
	is_int(resolve("", G("students"), 1), 0, "empty user not boxed");
	is_int(resolve("Bob", G("Students"), 1), 0,
	       "group names match exactly");

	ok(lb_config_parse_string(&cfg, "[global]\ndefault = group.lab\n"
				  "limits = required\n"
				  "[group.lab]\nimage = img-c\n"
				  "limits = best-effort\n"
				  "[group.x]\npriority = -5\n",
				  "t2.conf", &err) == 0,
	   "config with default");
	is_int(resolve("gina", G("gina"), 1), 1, "default applies");
	is_str(p.section, "group.lab", "gina: default section");
	is_int(p.limits, LB_LIMITS_BEST_EFFORT, "gina: section limits");
	is_int(resolve("hank", G("x"), 1), 1, "a matching group beats default");
	is_str(p.section, "group.x", "hank: group.x even at priority -5");
	is_int(p.limits, LB_LIMITS_REQUIRED, "hank: global limits");
}

static const char print_conf[] =
	"[group.students]\nmemory_max = 1536M\ncpu_max = 0.25\n"
	"capabilities = default, -kill, +sys_admin\n"
	"groups = audio, video\nupper_size = 1048577K\n"
	"io_max = \"8:0 rbps=1M wiops=7; 8:16 wbps=3G\"\n"
	"user_io_max = 8:0 riops=5\nuser_pids_max = max\n"
	"[user.alice]\nhostname = %h-%u\n";

static char *print_policy(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	lb_policy_print(&p, f);
	fclose(f);
	return out;
}

/* Print a policy, feed it back as a section, print again: same values. */
static void t_print(void)
{
	char *out, *out2, *text, *line, *save = NULL;
	size_t o;

	ok(lb_config_parse_string(&cfg, print_conf,
				  "/etc/loginbox/loginbox.conf", &err) == 0,
	   "print: config parses (%s)", err.msg);
	resolve("alice", G("students"), 1);
	out = print_policy();
	ok(strncmp(out, "# section: group.students (from /etc/loginbox/"
			"loginbox.conf)\n# user section: user.alice\n", 80) == 0,
	   "print: header lines");
	ok(strstr(out, "\nmemory_max = 1536M\n") != NULL, "print: size");
	ok(strstr(out, "\nmemory_high = (unset)\n") != NULL, "print: unset");
	ok(strstr(out, "\ncpu_max = 0.25\n") != NULL, "print: cores");
	ok(strstr(out, "\nupper_size = 1048577K\n") != NULL,
	   "print: exact size");
	ok(strstr(out, "\nuser_pids_max = (unset)\n") != NULL,
	   "print: max is the same as unset");
	ok(strstr(out, "\ngroups = audio, video\n") != NULL, "print: groups");
	ok(strstr(out, "\ncapabilities = chown, dac_override, fowner, "
		       "fsetid, setgid, setuid, setpcap, net_bind_service, "
		       "sys_chroot, sys_admin, audit_write, setfcap\n"),
	   "print: capability names");
	ok(strstr(out, "\nio_max = \"8:0 rbps=1M wiops=7; 8:16 wbps=3G\"\n"),
	   "print: io_max");
	ok(strstr(out, "\nbox = yes\nimage = host\n") != NULL,
	   "print: stable order");

	/* round trip: the printed values, as a section, print the same */
	text = calloc(1, strlen(out) + 32);
	o = (size_t)sprintf(text, "[group.rt]\n");
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && !strstr(line, "(unset)"))
			o += (size_t)sprintf(text + o, "%s\n", line);
	free(out);
	ok(lb_config_parse_string(&cfg2, text, "rt.conf", &err) == 0,
	   "print: output parses back (%s)", err.msg);
	lb_policy_resolve(&cfg2, "alice", G("rt"), 1, &p, &err);
	out2 = print_policy();
	resolve("alice", G("students"), 1);
	out = print_policy();
	ok(strcmp(strstr(out, "\nbox"), strstr(out2, "\nbox")) == 0,
	   "print: round trip gives the same values");
	free(text);
	free(out);
	free(out2);
}

static void t_nss(void)
{
	struct lb_user *u = calloc(1, sizeof(*u));
	gid_t gid = 99;

	ok(lb_user_lookup("no-such-user-lb", u, &err) < 0 &&
		   strcmp(err.msg, "no such user no-such-user-lb (NSS)") == 0,
	   "user: unknown user (%s)", err.msg);
	if (lb_user_lookup("root", u, &err) == 0) {
		ok(u->uid == 0 && u->ngroups >= 1, "user: root, uid 0");
		ok(lb_user_in_group(u, "root", &gid) == 1 && gid == 0,
		   "user: root is in group root");
		ok(lb_user_in_group(u, "no-such-group-lb", NULL) == 0,
		   "user: not in a made-up group");
		lb_config_parse_string(&cfg, "[group.root]\n", "r.conf", &err);
		is_int(lb_policy_for(&cfg, u, &p, &err), 0,
		       "policy_for: uid 0 never boxed");
	} else {
		diag("no root in NSS: %s", err.msg);
	}
	if (lb_user_lookup("nobody", u, &err) == 0 && u->ngroups > 0 &&
	    u->group_names[0][0]) {
		char text[128];

		snprintf(text, sizeof(text), "[group.%s]\nimage = img-n\n",
			 u->group_names[0]);
		ok(lb_config_parse_string(&cfg, text, "n.conf", &err) == 0,
		   "nobody's group as a section");
		is_int(lb_policy_for(&cfg, u, &p, &err), 1,
		       "policy_for: groups come from NSS");
		is_str(p.image, "img-n", "policy_for: section applied");
	}
	free(u);
}

int main(void)
{
	t_defaults();
	t_resolve();
	t_print();
	t_nss();
	return done_testing();
}
