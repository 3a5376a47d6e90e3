/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What sshd writes to its XAuthLocation for an X11 forwarding, which
 * loginbox-xauth checks before the box's xauth gets it
 * (helper/xauth/main.c, docs/SECURITY.md "X11 forwarding"):
 *     remove DISPLAY
 *     add DISPLAY PROTOCOL HEXKEY
 * DISPLAY is "unix:N.S" (X11UseLocalhost yes) or "HOST/unix:N.S".
 */
#ifndef LB_XAUTH_CMD_H
#define LB_XAUTH_CMD_H

#include <stdbool.h>
#include <stddef.h>

struct lb_xauth_cmd {
	bool add;
	char display[128]; /* as sshd wrote it */
	char number[8];	   /* the display number, digits only */
	char proto[64];	   /* MIT-MAGIC-COOKIE-1 */
	char hex[1025];	   /* the key, hex, even length */
};

/* Parse one line (no newline); 0, or -1 when it is not one of sshd's. */
int lb_xauth_cmd_parse(const char *line, struct lb_xauth_cmd *c);

/* The command again, newline-terminated, for xauth -q -; its length, or
 * -1 when it does not fit. */
int lb_xauth_cmd_format(const struct lb_xauth_cmd *c, char *buf, size_t len);

#endif
