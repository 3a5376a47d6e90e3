// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What on_error = allow may let in unboxed, the helper's reply that carries
 * it to the module, the user-name rule, and the inside_uid = root with
 * image = host refusal.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "policy.h"
#include "reply.h"
#include "tap.h"
#include "user.h"

static struct lb_config cfg;

/* What the module sees after the helper failed with `sent`. */
static struct lb_err through_reply(const struct lb_err *sent)
{
	struct lb_err got;
	char buf[1400];

	lb_err_clear(&got);
	lb_reply_format_error(sent, buf, sizeof(buf));
	if (lb_reply_parse(buf, NULL, &got) != LB_REPLY_ERROR)
		lb_fail(&got, 0, "not an error reply: %s", buf);
	return got;
}

static void t_err_class(void)
{
	struct lb_err e;

	lb_err_clear(&e);
	lb_fail_admin(&e, ENOENT, "image %s: missing", "x");
	ok(e.admin, "lb_fail_admin marks the failure as the admin's");
	is_str(e.msg, "image x: missing: No such file or directory",
	       "lb_fail_admin formats like lb_fail");
	lb_prefix(&e, "rootfs");
	lb_hint(&e, "create it");
	ok(e.admin, "lb_prefix and lb_hint keep the class");
	lb_fail(&e, EAGAIN, "fork");
	ok(!e.admin, "a later lb_fail on the same err is the user's again");
	lb_err_clear(&e);
	ok(!e.admin, "a cleared err is not the admin's");
}

static void t_reply(void)
{
	struct lb_err e, got;
	const char *args = NULL;
	char buf[1400];

	lb_err_clear(&e);
	lb_fail_admin(&e, 0, "image nosuch: /var/lib/loginbox/images/nosuch");
	lb_hint(&e, "create it");
	lb_reply_format_error(&e, buf, sizeof(buf));
	is_str(buf, "error-admin image nosuch: /var/lib/loginbox/images/nosuch\n"
		    "create it", "an admin failure is sent as error-admin");
	got = through_reply(&e);
	ok(got.admin, "error-admin is read back as the admin's");
	is_str(got.msg, e.msg, "error-admin: the message comes back");
	is_str(got.hint, "create it", "error-admin: the hint comes back");

	lb_fail(&e, 0, "user x: /etc/subuid: no range");
	lb_reply_format_error(&e, buf, sizeof(buf));
	is_str(buf, "error user x: /etc/subuid: no range\n",
	       "any other failure is sent as error");
	got = through_reply(&e);
	ok(!got.admin, "error is read back as a refusal");
	is_str(got.hint, "", "an empty hint stays empty");

	lb_fail(&e, 0, "line one\nline two");
	lb_hint(&e, "h");
	got = through_reply(&e);
	is_str(got.msg, "line one line two",
	       "a newline in the message does not move text into the hint");
	is_str(got.hint, "h", "... and the hint is the hint");

	lb_err_clear(&got);
	is_int(lb_reply_parse("ok 42 4711", &args, &got), LB_REPLY_OK,
	       "ok ID PID is ok");
	is_str(args, " 42 4711", "ok: the rest of the line is handed back");
	is_int(lb_reply_parse("ok", &args, &got), LB_REPLY_OK, "a bare ok is ok");
	is_int(lb_reply_parse("okay", &args, &got), LB_REPLY_NONE,
	       "okay is not ok");
	is_int(lb_reply_parse("", &args, &got), LB_REPLY_NONE,
	       "no reply is not a reply");
	is_int(lb_reply_parse("error-adminx y", &args, &got), LB_REPLY_NONE,
	       "error-adminx is not a reply");
	is_int(lb_reply_parse("Error-admin y", &args, &got), LB_REPLY_NONE,
	       "the kinds are case-sensitive");
}

/* The decision of pam_loginbox, over what reaches it from the helper. */
static void t_allow_decision(void)
{
	static const struct {
		bool admin;
		const char *what;
	} cases[] = {
		{true, "image nosuch: /var/lib/loginbox/images/nosuch: No such "
		       "file or directory"},
		{true, "cannot run /usr/libexec/loginbox/loginbox-helper: No "
		       "such file or directory"},
		/* a limit hit: user_pids_max filled from a live box */
		{false, "cgroup (limits = required): mkdir loginbox/u1000/s7: "
			"Resource temporarily unavailable"},
		{false, "box init: fork: Resource temporarily unavailable"},
		/* user_memory_max filled from a live box */
		{false, "box init: Cannot allocate memory"},
		/* the user's own persistent upper, broken by box root */
		{false, "image img: open /etc/passwd: Too many levels of "
			"symbolic links"},
		/* a full /var */
		{false, "upper layer (/var/lib/loginbox/users/x/upper): mkdir: "
			"No space left on device"},
		{false, "user x: /etc/subuid: no range"},
		{false, "getpwnam_r x: Input/output error"},
	};
	struct lb_policy allow, deny;
	size_t i;

	lb_policy_defaults(&allow);
	allow.on_error = LB_ON_ERROR_ALLOW;
	lb_policy_defaults(&deny);
	deny.on_error = LB_ON_ERROR_DENY;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lb_err e, got;

		lb_err_clear(&e);
		if (cases[i].admin)
			lb_fail_admin(&e, 0, "%s", cases[i].what);
		else
			lb_fail(&e, 0, "%s", cases[i].what);
		got = through_reply(&e);
		is_int(lb_policy_allows_unboxed(&allow, &got), cases[i].admin,
		       "on_error = allow %s: %s",
		       cases[i].admin ? "lets in unboxed" : "still refuses",
		       cases[i].what);
		ok(!lb_policy_allows_unboxed(&deny, &got),
		   "on_error = deny refuses: %s", cases[i].what);
	}
	{
		struct lb_err e;

		lb_err_clear(&e);
		lb_fail_admin(&e, 0, "image missing");
		ok(!lb_policy_allows_unboxed(NULL, &e),
		   "no policy (a broken config): refused");
	}
}

static void t_user_names(void)
{
	static const char *const good[] = {"alice", "lbt-alice", "_svc",
					   "Bob.Smith", "host01$", "a",
					   "alice@example.org", "1abc",
					   "abcdefghijklmnopqrstuvwxyz012345"
					   "abcdefghijklmnopqrstuvwxyz01234"};
	static const char *const bad[] = {
		"", "../x", "a/b", "/etc", ".", "..", ".hidden", "-rf",
		"a\nb", "a b", "a\tb", "a$b", "$", "a:b", "ä",
		"abcdefghijklmnopqrstuvwxyz012345"
		"abcdefghijklmnopqrstuvwxyz012345", "x\x1b[2J", "@alice",
		"a@b/c"};
	struct lb_err e;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		lb_err_clear(&e);
		is_int(lb_user_name_check(good[i], &e), 0, "name \"%s\" accepted",
		       good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lb_err_clear(&e);
		is_int(lb_user_name_check(bad[i], &e), -1,
		       "name #%zu refused", i);
		ok(strstr(e.msg, "is not one loginbox accepts") != NULL,
		   "name #%zu: the message says so (%s)", i, e.msg);
		ok(!strchr(e.msg, '\n') && !strchr(e.msg, '\x1b'),
		   "name #%zu: shown without control characters", i);
	}
	lb_err_clear(&e);
	lb_user_name_check("../x", &e);
	is_str(e.msg, "user name \"../x\" is not one loginbox accepts",
	       "the message names the name");
	lb_err_clear(&e);
	lb_user_name_check("a\nb", &e);
	is_str(e.msg, "user name \"a\\x0ab\" is not one loginbox accepts",
	       "a newline is shown escaped");
	lb_err_clear(&e);
	is_int(lb_user_lookup("../x", &(struct lb_user){0}, &e), -1,
	       "lb_user_lookup refuses ../x before NSS");
	ok(strstr(e.msg, "user name") != NULL, "... with the name's message");
	ok(!e.admin, "... and on_error = allow cannot cover it");
}

static int load(const char *text)
{
	struct lb_err e;

	lb_err_clear(&e);
	return lb_config_parse_string(&cfg, text, "t.conf", &e);
}

static void t_host_root(void)
{
	struct lb_policy p;
	struct lb_err e;

	is_int(load("[group.r]\ninside_uid = root\nimage = host\n"), 0,
	       "config: inside_uid = root, image = host parses");
	lb_err_clear(&e);
	is_int(lb_policy_check_config(&cfg, &e), -1,
	       "check: inside_uid = root with image = host is refused");
	ok(strstr(e.msg, "t.conf: [group.r] inside_uid: root with image = host")
	   != NULL, "check: the message names file, section, key (%s)", e.msg);
	ok(strstr(e.hint, "/var/lib/loginbox/images") != NULL,
	   "check: the hint points to a directory image (%s)", e.hint);

	load("[group.r]\ninside_uid = root\n");
	lb_err_clear(&e);
	is_int(lb_policy_check_config(&cfg, &e), -1,
	       "check: inside_uid = root over the default image (host) too");

	load("[group.r]\ninside_uid = root\nimage = rootimg\n"
	     "[group.s]\nimage = host\n");
	lb_err_clear(&e);
	is_int(lb_policy_check_config(&cfg, &e), 0,
	       "check: root in a directory image, self on host: fine (%s)",
	       e.msg);

	/* a [user.X] section NSS does not know, over the default section */
	load("[global]\ndefault = group.r\n[group.r]\ninside_uid = root\n"
	     "image = rootimg\n[user.lbt-nobody-here]\nimage = host\n");
	lb_err_clear(&e);
	is_int(lb_policy_check_config(&cfg, &e), -1,
	       "check: a user section turning the default's root box to host");
	ok(strstr(e.msg, "[group.r] with [user.lbt-nobody-here]") != NULL,
	   "check: both sections are named (%s)", e.msg);

	/* the login path: the effective policy */
	load("[group.r]\ninside_uid = root\n");
	lb_err_clear(&e);
	is_int(lb_policy_resolve(&cfg, "u", (const char *const[]){"r"}, 1, &p,
				 &e), 1, "resolve: boxed by [group.r]");
	is_int(lb_policy_check(&p, &e), -1,
	       "login: the effective policy is refused");
	ok(!e.admin, "login: on_error = allow cannot cover it");
	p.inside_uid = LB_INSIDE_SELF;
	is_int(lb_policy_check(&p, &e), 0, "login: inside_uid = self on host is fine");
}

int main(void)
{
	t_err_class();
	t_reply();
	t_allow_decision();
	t_user_names();
	t_host_root();
	return done_testing();
}
