// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * su's command line as lb_su_argv_check() reads it, against glibc's own
 * getopt_long with util-linux 2.38 su's option table.  The input is split
 * at NUL bytes into arguments (argv[0] is "su").
 *
 * The security property, checked differentially: whenever getopt_long
 * (what su itself runs) accepts the whole command line and sees -s, -m,
 * -p or a long form of them, the module's verdict is not LB_SU_OK, since
 * that shell would start on the host.  Besides: no crash, no read past an
 * argument, `what` a readable string.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "su_argv.h"

#define MAX_ARGS 32

static const struct option su_longopts[] = {
	{"command", required_argument, NULL, 'c'},
	{"session-command", required_argument, NULL, 'C'},
	{"fast", no_argument, NULL, 'f'},
	{"login", no_argument, NULL, 'l'},
	{"preserve-environment", no_argument, NULL, 'p'},
	{"pty", no_argument, NULL, 'P'},
	{"shell", required_argument, NULL, 's'},
	{"group", required_argument, NULL, 'g'},
	{"supp-group", required_argument, NULL, 'G'},
	{"user", required_argument, NULL, 'u'},
	{"whitelist-environment", required_argument, NULL, 'w'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* 1: su's getopt loop would run another shell (and accept the line);
 * 0: it would not; -1: su itself refuses the line (an unknown option, a
 * missing argument, or runuser's -u). */
static int getopt_other_shell(int argc, char **argv)
{
	int c, other = 0;

	optind = 0; /* GNU: reinitialise, scanning from argv[1] */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:fg:G:lmpPs:u:hVw:", su_longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
		case 'm':
		case 'p':
			other = 1;
			break;
		case '?':
		case ':':
		case 'u': /* su: "invalid option" */
			return -1;
		case 'h':
		case 'V': /* su prints and exits: no shell */
			return 0;
		default:
			break;
		}
	}
	return other;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char su[] = "su";
	char *buf, *argv[MAX_ARGS + 2], *copy[MAX_ARGS + 2];
	const char *what = NULL;
	enum lb_su_verdict v;
	size_t i, start = 0;
	int argc = 1, g;

	if (size > 4096)
		size = 4096;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = su;
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;

	v = lb_su_argv_check(argc, argv, &what);
	if (v != LB_SU_OK && v != LB_SU_OTHER_SHELL && v != LB_SU_UNREADABLE)
		abort();
	if (what && strlen(what) > 1 << 20)
		abort();

	/* getopt_long permutes its argv: give it a copy of the pointers */
	memcpy(copy, argv, sizeof(char *) * (size_t)(argc + 1));
	g = getopt_other_shell(argc, copy);
	if (g == 1 && v == LB_SU_OK)
		abort(); /* su would run the caller's shell on the host */
	free(buf);
	return 0;
}
