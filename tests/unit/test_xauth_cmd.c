// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lb_xauth_cmd_*: sshd's xauth commands as loginbox-xauth reads them
 * before the box's xauth gets them.  Only sshd's two
 * forms pass; anything else of xauth's command language (source, merge,
 * extract, quoting, options) is refused before xauth runs.
 */
#include "xauth_cmd.h"

#include <string.h>

#include "tap.h"

int main(void)
{
	static const char *const bad[] = {
		"",
		"remove",
		"remove ",
		"remove unix:10.0 ",
		"remove  unix:10.0",
		"remove unix",
		"remove unix:",
		"remove unix:x",
		"remove unix:10.",
		"remove unix:10.0.0",
		"remove unix:123456.0",
		"remove unix:10.0 extra",
		"source /home/u/evil",
		"merge /home/u/evil",
		"extract - unix:10",
		"add unix:10.0 MIT-MAGIC-COOKIE-1",
		"add unix:10.0 MIT-MAGIC-COOKIE-1 abc",	 /* odd length */
		"add unix:10.0 MIT-MAGIC-COOKIE-1 zz",
		"add unix:10.0 MIT MAGIC 00",
		"add unix:10.0 \"MIT\" 00",
		"add unix:10.0 MIT-MAGIC-COOKIE-1 00 00",
		"add -f unix:10.0 MIT-MAGIC-COOKIE-1 00",
		"add unix:10.0\tMIT-MAGIC-COOKIE-1 00",
		"add $(id):10 MIT-MAGIC-COOKIE-1 00",
		"ADD unix:10.0 MIT-MAGIC-COOKIE-1 00",
	};
	struct lb_xauth_cmd c;
	char buf[2048];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(lb_xauth_cmd_parse(bad[i], &c), -1, "refused: '%s'",
		       bad[i]);

	is_int(lb_xauth_cmd_parse("remove unix:10.0", &c), 0, "remove unix:10.0");
	ok(!c.add && !strcmp(c.number, "10"), "remove: display number 10");
	is_int(lb_xauth_cmd_format(&c, buf, sizeof(buf)), 17, "remove: formatted");
	is_str(buf, "remove unix:10.0\n", "remove: written back as read");

	is_int(lb_xauth_cmd_parse("add unix:10.0 MIT-MAGIC-COOKIE-1 "
				  "acd5c124356cf443523a8451ea2ccd2b", &c),
	       0, "add unix:10.0 MIT-MAGIC-COOKIE-1 KEY");
	ok(c.add && !strcmp(c.number, "10") &&
		   !strcmp(c.proto, "MIT-MAGIC-COOKIE-1"),
	   "add: number and protocol");
	ok(lb_xauth_cmd_format(&c, buf, sizeof(buf)) > 0 &&
		   !strcmp(buf, "add unix:10.0 MIT-MAGIC-COOKIE-1 "
				"acd5c124356cf443523a8451ea2ccd2b\n"),
	   "add: written back as read");
	is_int(lb_xauth_cmd_format(&c, buf, 20), -1, "add: a short buffer is refused");

	is_int(lb_xauth_cmd_parse("add host-1/unix:7 MIT-MAGIC-COOKIE-1 00ff", &c),
	       0, "X11UseLocalhost no form: HOST/unix:N");
	is_str(c.number, "7", "HOST/unix:7: display number 7");
	return done_testing();
}
