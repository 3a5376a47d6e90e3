// SPDX-License-Identifier: GPL-2.0-or-later
#include "su_argv.h"

#include <stdbool.h>
#include <string.h>

/* util-linux 2.38 login-utils/su-common.c, longopts[] and the short
 * option string "c:fg:G:lmpPs:u:hVw:" ('u' is runuser's; su refuses it
 * after parsing, which changes nothing here). */
struct su_opt {
	const char *name;
	char val;     /* the short option it stands for ('C': none) */
	bool has_arg; /* required_argument */
};

static const struct su_opt longopts[] = {
	{"command", 'c', true},
	{"session-command", 'C', true},
	{"fast", 'f', false},
	{"login", 'l', false},
	{"preserve-environment", 'p', false},
	{"pty", 'P', false},
	{"shell", 's', true},
	{"group", 'g', true},
	{"supp-group", 'G', true},
	{"user", 'u', true},
	{"whitelist-environment", 'w', true},
	{"help", 'h', false},
	{"version", 'V', false},
	{NULL, 0, false},
};

static const char shortopts_arg[] = "cgGsuw";
static const char shortopts_flag[] = "flmpPhV";

static bool other_shell(char c)
{
	return c == 's' || c == 'm' || c == 'p';
}

/* glibc getopt_long: an exact name wins, else a prefix must name one
 * option only (several prefix matches with identical definitions would
 * be accepted by glibc, but su's table has none). */
static const struct su_opt *find_long(const char *name, size_t len)
{
	const struct su_opt *hit = NULL;
	int i, n = 0;

	for (i = 0; longopts[i].name; i++) {
		if (strncmp(longopts[i].name, name, len) != 0)
			continue;
		if (strlen(longopts[i].name) == len)
			return &longopts[i];
		hit = &longopts[i];
		n++;
	}
	return n == 1 ? hit : NULL;
}

enum lb_su_verdict lb_su_argv_check(int argc, char *const argv[],
				    const char **what)
{
	int i;

	*what = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!a) {
			*what = "(null)";
			return LB_SU_UNREADABLE;
		}
		if (!strcmp(a, "--"))
			return LB_SU_OK; /* the rest goes to the shell */
		/* "-" (login) and non-options: getopt_long permutes them
		 * and goes on reading options after them. */
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct su_opt *o = find_long(name, len);

			*what = a;
			/* su would refuse these before PAM runs */
			if (!o || (!o->has_arg && eq) ||
			    (o->has_arg && !eq && i + 1 >= argc))
				return LB_SU_UNREADABLE;
			if (other_shell(o->val))
				return LB_SU_OTHER_SHELL;
			if (o->has_arg && !eq)
				i++; /* the value, whatever it looks like */
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			bool takes = strchr(shortopts_arg, *c) != NULL;

			*what = a;
			if ((!takes && !strchr(shortopts_flag, *c)) ||
			    (takes && c[1] == '\0' && i + 1 >= argc))
				return LB_SU_UNREADABLE;
			if (other_shell(*c))
				return LB_SU_OTHER_SHELL;
			if (takes) {
				if (c[1] == '\0')
					i++; /* the next word is the value */
				break; /* or the rest of this one */
			}
		}
	}
	*what = NULL;
	return LB_SU_OK;
}
