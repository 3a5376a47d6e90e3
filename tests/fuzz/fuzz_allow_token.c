// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * on_error = allow tokens (/run/loginbox/allow-HEX) as loginbox-shell and
 * gc parse them with lb_token_parse().  Root writes them, but a damaged
 * or truncated one must not crash loginbox-shell, and a parsed shell
 * must be a NUL-terminated word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "allow_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_token t;
	char *buf;

	/* the readers take at most 511 bytes and add a NUL */
	if (size > 511)
		size = 511;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&t, 0xa5, sizeof(t));
	if (lb_token_parse(buf, &t) == 0) {
		size_t n = strnlen(t.shell, sizeof(t.shell));

		if (n == 0 || n >= sizeof(t.shell) || strpbrk(t.shell, " \t\n"))
			abort();
	}
	free(buf);
	return 0;
}
