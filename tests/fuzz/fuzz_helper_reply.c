// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The helper's reply as pam_loginbox and `loginbox run` read it
 * (reply.c, helper_call.c): "ok ID PID", "error MESSAGE\nHINT" or
 * "error-admin MESSAGE\nHINT", at most 1399
 * bytes.  The helper is ours and never setuid, but its reply is read by
 * a root PAM module inside sshd: any bytes must give "ok" with an id,
 * a failure with a message, or "neither".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper_call.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_err err = {0};
	struct lb_handle h;
	const char *args = NULL;
	enum lb_reply r;
	char *buf;

	/* run() receives into char[1400], at most 1399 bytes, then a NUL */
	if (size > 1399)
		size = 1399;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	r = lb_reply_parse(buf, &args, &err);
	if (r != LB_REPLY_NONE && r != LB_REPLY_OK && r != LB_REPLY_ERROR)
		abort();
	if (r == LB_REPLY_ERROR && (!memchr(err.msg, '\0', sizeof(err.msg)) ||
				    !memchr(err.hint, '\0', sizeof(err.hint)) ||
				    !err.msg[0]))
		abort();
	if (r == LB_REPLY_OK) {
		if (!args)
			abort();
		memset(&h, 0, sizeof(h));
		if (lb_helper_parse_open(args, &h) == 0 && h.id == 0)
			abort();
	}
	free(buf);
	return 0;
}
