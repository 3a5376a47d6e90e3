// SPDX-License-Identifier: GPL-2.0-or-later
#include "reply.h"

#include <stdio.h>
#include <string.h>

#include "paths.h"

#define ERR_ADMIN "error-admin "
#define ERR_USER "error "

void lb_reply_format_open(unsigned long id, pid_t init_pid, char *buf,
			  size_t len)
{
	snprintf(buf, len, "ok %lu %d", id, (int)init_pid);
}

void lb_reply_format_error(const struct lb_err *err, char *buf, size_t len)
{
	char msg[sizeof(err->msg)];
	char *nl;

	/* A newline in the message would move the rest into the hint. */
	snprintf(msg, sizeof(msg), "%s", err->msg);
	while ((nl = strchr(msg, '\n')))
		*nl = ' ';
	snprintf(buf, len, "%s%s\n%s", err->admin ? ERR_ADMIN : ERR_USER, msg,
		 err->hint);
}

enum lb_reply lb_reply_parse(const char *buf, const char **args,
			     struct lb_err *err)
{
	const char *msg, *hint;
	char text[sizeof(err->msg)];
	bool admin;
	size_t n;

	if (!strncmp(buf, "ok", 2) && (buf[2] == '\0' || buf[2] == ' ')) {
		if (args)
			*args = buf + 2;
		return LB_REPLY_OK;
	}
	if (!strncmp(buf, ERR_ADMIN, strlen(ERR_ADMIN))) {
		admin = true;
		msg = buf + strlen(ERR_ADMIN);
	} else if (!strncmp(buf, ERR_USER, strlen(ERR_USER))) {
		admin = false;
		msg = buf + strlen(ERR_USER);
	} else {
		return LB_REPLY_NONE;
	}
	hint = strchr(msg, '\n');
	n = hint ? (size_t)(hint - msg) : strlen(msg);
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	memcpy(text, msg, n);
	text[n] = '\0';
	if (!n) /* a refusal must say something the admin can act on */
		snprintf(text, sizeof(text), "%s reported an error without a "
			 "message", LB_HELPER_PATH);
	if (admin)
		lb_fail_admin(err, 0, "%s", text);
	else
		lb_fail(err, 0, "%s", text);
	if (hint && hint[1])
		lb_hint(err, "%s", hint + 1);
	return LB_REPLY_ERROR;
}
