/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading su's command line the way util-linux su does, to tell whether a
 * non-root caller asked for another shell than the target's passwd shell.
 *
 * util-linux su runs the caller's choice of shell for -s/--shell, or the
 * caller's $SHELL for -m/-p/--preserve-environment, when the target's
 * passwd shell is listed in /etc/shells (loginbox-shell is): that shell
 * would start on the host, outside the box.  The parser follows su's
 * option table in Debian 12's util-linux 2.38 exactly (getopt_long,
 * "c:fg:G:lmpPs:u:hVw:" plus the long names and their unambiguous
 * prefixes, options anywhere before "--"); an argument vector it cannot
 * read the same way su would is reported as such, and the caller refuses.
 */
#ifndef LB_SU_ARGV_H
#define LB_SU_ARGV_H

enum lb_su_verdict {
	LB_SU_OK = 0,		/* the target's passwd shell will run */
	LB_SU_OTHER_SHELL = 1,	/* -s, -m, -p or their long forms */
	LB_SU_UNREADABLE = -1,	/* not what su 2.38 accepts: refuse */
};

/* argv[0] is su's own name.  *what names the option that decided (or the
 * argument that could not be read); it points into argv or is static. */
enum lb_su_verdict lb_su_argv_check(int argc, char *const argv[],
				    const char **what);

#endif
