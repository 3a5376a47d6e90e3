// SPDX-License-Identifier: GPL-2.0-or-later
/* su's command line read as util-linux 2.38's su reads it: every option
 * form, the values that look like options, and what su itself refuses. */
#include "su_argv.h"

#include "tap.h"

#define MAXARGS 16

/* Split "su a b c" on spaces (no quoting needed in these cases). */
static int verdict(const char *line, const char **what)
{
	static char buf[512];
	char *argv[MAXARGS], *p;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && argc < MAXARGS - 1; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return lb_su_argv_check(argc, argv, what);
}

static void check(const char *line, int want)
{
	const char *what = NULL;
	int got = verdict(line, &what);

	ok(got == want, "%-45s -> %s%s%s", line,
	   want == LB_SU_OK	       ? "passwd shell"
	   : want == LB_SU_OTHER_SHELL ? "other shell"
				       : "unreadable",
	   what ? ", at " : "", what ? what : "");
	if (got != want)
		printf("#   got %d\n", got);
}

int main(void)
{
	static const char *const passwd_shell[] = {
		"su alice",
		"su - alice",
		"su -l alice",
		"su --login alice",
		"su alice -",
		"su -c id alice",
		"su -cid alice",
		"su --command id alice",
		"su --command=id alice",
		"su --comm=id alice",
		"su alice -c id",
		/* values that look like the refused options */
		"su -c -s alice",
		"su -c -m alice",
		"su -c --shell=/bin/sh alice",
		"su --command -p alice",
		"su -cs alice",
		"su -lc -s alice",
		"su -flc -p alice",
		"su --session-command -s alice",
		"su --session-command=-s alice",
		"su --se -s alice",
		"su -g -s alice",
		"su -G -s alice",
		"su --group -m alice",
		"su --supp-group=x -l alice",
		"su --su -s alice",
		"su -w -s alice",
		"su -w-s alice",
		"su --whitelist-environment -s alice",
		"su --wh=PATH alice",
		"su -u -s alice",
		"su --user -p alice",
		"su -P alice",
		"su --pty alice",
		"su --pt alice",
		"su -f alice",
		"su --fast alice",
		"su -h",
		"su --help",
		"su -V",
		"su --version",
		/* after "--" everything is the shell's */
		"su alice -- -s /bin/sh",
		"su -- alice -m",
		"su - alice -- -c id -p",
		NULL,
	};
	static const char *const other[] = {
		"su -s /bin/sh alice",
		"su -s/bin/sh alice",
		"su --shell /bin/sh alice",
		"su --shell=/bin/sh alice",
		"su --sh=/bin/sh alice",
		"su --she /bin/sh alice",
		"su -m alice",
		"su -p alice",
		"su --preserve-environment alice",
		"su --pr alice",
		"su --preserve alice",
		"su -lm alice",
		"su -lp alice",
		"su -fs /bin/sh alice",
		"su -Pm alice",
		"su alice -s /bin/sh",
		"su alice -c id -m",
		"su - alice --shell=/bin/sh",
		"su -c id alice -p",
		/* the case: --session-command takes a value, the -s
		 * after it is an option again */
		"su --session-command -c -s /tmp/evil alice",
		"su --session-command=x -s /tmp/evil alice",
		"su -c x -s /tmp/evil alice",
		"su -w PATH -m alice",
		NULL,
	};
	static const char *const unreadable[] = {
		"su -x alice",           /* unknown short option */
		"su -lx alice",
		"su --frobnicate alice", /* unknown long option */
		"su --s alice",          /* ambiguous: session-command, shell, supp-group */
		"su --p alice",          /* ambiguous: preserve-environment, pty */
		"su --login=yes alice",  /* no_argument with a value */
		"su --pty=1 alice",
		"su alice -c",           /* a value missing */
		"su alice --command",
		"su alice -s",
		"su alice --session-command",
		"su alice -w",
		NULL,
	};
	int i;

	for (i = 0; passwd_shell[i]; i++)
		check(passwd_shell[i], LB_SU_OK);
	for (i = 0; other[i]; i++)
		check(other[i], LB_SU_OTHER_SHELL);
	for (i = 0; unreadable[i]; i++)
		check(unreadable[i], LB_SU_UNREADABLE);
	{
		char su[] = "su", alice[] = "alice";
		char *argv[] = {su, NULL, alice, NULL};
		const char *what;

		ok(lb_su_argv_check(3, argv, &what) == LB_SU_UNREADABLE,
		   "a NULL argument is unreadable");
	}
	return done_testing();
}
