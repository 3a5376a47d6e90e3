// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sshd's xauth commands as loginbox-xauth parses them (xauth_cmd.h).  The
 * input is a line sshd wrote, but the user can run loginbox-xauth with
 * any input: nothing may crash, and whatever passes must come back out
 * as exactly the line read (so nothing but sshd's forms reaches xauth)
 * with a display number of digits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xauth_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_xauth_cmd c;
	char out[2048];
	char *buf;
	int n;

	if (size > 4096)
		size = 4096;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (memchr(buf, '\n', size) == NULL && lb_xauth_cmd_parse(buf, &c) == 0) {
		n = lb_xauth_cmd_format(&c, out, sizeof(out));
		if (n < 1 || out[n - 1] != '\n' || (size_t)n != strlen(buf) + 1 ||
		    memcmp(out, buf, (size_t)n - 1))
			abort();
		if (!c.number[0] || strspn(c.number, "0123456789") != strlen(c.number))
			abort();
	}
	free(buf);
	return 0;
}
