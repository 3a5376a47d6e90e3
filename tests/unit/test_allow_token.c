// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lb_token_parse: the on_error = allow token (/run/loginbox/allow-HEX) as
 * loginbox-shell and gc read it.  Root writes it, but a damaged or
 * truncated file must not parse into a token, and what lb_token_format
 * writes must read back exactly.
 */
#include "allow_token.h"

#include <unistd.h>

#include "tap.h"

static int parse(const char *text, struct lb_token *t)
{
	memset(t, 0xa5, sizeof(*t));
	return lb_token_parse(text, t);
}

int main(void)
{
	static const char *const bad[] = {
		"",
		"\n",
		"1000",
		"1000 4242",
		"1000 4242 777",        /* no shell */
		"1000 4242 777 \n",     /* no shell, trailing blank */
		"x 4242 777 /bin/sh",   /* uid not a number */
		"1000 pid 777 /bin/sh", /* pid not a number */
		"1000 4242 start /bin/sh",
	};
	struct lb_token t;
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(parse(bad[i], &t), -1, "refused: '%.*s'",
		       (int)strcspn(bad[i], "\n"), bad[i]);

	is_int(parse("1000 4242 777 /usr/bin/bash\n", &t), 0, "a whole line parses");
	is_int((long long)t.uid, 1000, "uid");
	is_int(t.pid, 4242, "pid");
	is_int((long long)t.start, 777, "start time");
	is_str(t.shell, "/usr/bin/bash", "shell (without the newline)");

	is_int(parse("1000 4242 777 /bin/sh extra words", &t), 0,
	       "words after the shell are ignored");
	is_str(t.shell, "/bin/sh", "the shell is one word");

	/* What the module writes reads back as the calling process. */
	is_int(lb_token_format(buf, sizeof(buf), 1234, "/bin/bash"), 0,
	       "lb_token_format");
	is_int(parse(buf, &t), 0, "its line parses: '%.*s'", (int)strcspn(buf, "\n"), buf);
	is_int((long long)t.uid, 1234, "uid read back");
	is_int(t.pid, getpid(), "pid read back: this process");
	ok(t.start > 0, "start time read back (%llu)", t.start);
	is_str(t.shell, "/bin/bash", "shell read back");
	ok(lb_token_live(&t), "the token of a live process is live");
	t.start++;
	ok(!lb_token_live(&t), "another start time: not live (pid reused)");
	t.start--;
	t.pid = 0;
	ok(!lb_token_live(&t), "pid 0: never live");
	is_int(lb_token_format(buf, 8, 1234, "/bin/bash"), -1,
	       "a buffer too small is refused, not cut");
	return done_testing();
}
