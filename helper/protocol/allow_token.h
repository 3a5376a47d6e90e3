/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * on_error = allow tokens: /run/loginbox/allow-HEX, root-owned, written by
 * pam_loginbox when a boxed login may go on unboxed, read by
 * loginbox-shell, swept by gc.  One line: "UID PID START SHELL", where PID
 * and START (proc.h) name the login process: the token is worth something
 * only while that very process lives.
 */
#ifndef LB_ALLOW_TOKEN_H
#define LB_ALLOW_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LB_TOKEN_PREFIX "allow-"

struct lb_token {
	unsigned long uid;
	pid_t pid;
	unsigned long long start;
	char shell[256];
};

/* The token line for `uid` and `shell`, naming the calling process. */
int lb_token_format(char *buf, size_t len, uid_t uid, const char *shell);

/* Parse a token line; 0 on success. */
int lb_token_parse(const char *text, struct lb_token *t);

/* Is the login that made the token still the same live process? */
bool lb_token_live(const struct lb_token *t);

#endif
