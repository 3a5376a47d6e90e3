// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * init's parse of a LB_MSG_SPAWN message (spawn_parse): the bytes come
 * from the boxed user's client over the control socket, so every one is
 * hostile.  A parsed request must hold exactly argc and envc strings that
 * lie inside the message and end at a NUL within it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spawn_req r;
	struct lb_err err = {0};
	char *msg = malloc(size ? size : 1);
	int i;

	if (!msg)
		abort();
	/* init receives into a buffer of its own: an exact-size copy lets
	 * ASan see any read past the message. */
	memcpy(msg, data, size);
	if (spawn_parse(msg, size, &r, &err) == 0) {
		if (r.argc < 0 || r.envc < 0 || !r.argv || !r.envv ||
		    r.argv[r.argc] || r.envv[r.envc])
			abort();
		for (i = 0; i < r.argc; i++)
			if (r.argv[i] < msg || r.argv[i] + strlen(r.argv[i]) >=
						    msg + size)
				abort();
		for (i = 0; i < r.envc; i++)
			if (r.envv[i] < msg || r.envv[i] + strlen(r.envv[i]) >=
						    msg + size)
				abort();
		if (r.mode < LB_SPAWN_LOGIN || r.mode > LB_SPAWN_SHELL)
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	spawn_free(&r); /* as init does on both paths */
	free(msg);
	return 0;
}
