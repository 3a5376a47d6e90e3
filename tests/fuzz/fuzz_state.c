// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session state file (/run/loginbox/ID/state) as session_read_state()
 * parses it: `loginbox list/kill/gc`, teardown and the helper read it.
 * It is root-written, but it carries the user name, the image and phase
 * names; a damaged file must not crash its readers.  Every text field
 * must come out NUL-terminated within its array.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

#define FZ_TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_state st;
	char *buf;
	int i;

	/* fs_read_small() reads at most 4095 bytes and adds a NUL */
	if (size > 4095)
		size = 4095;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	session_parse_state(buf, &st);
	if (!FZ_TERMINATED(st.user) || !FZ_TERMINATED(st.service) ||
	    !FZ_TERMINATED(st.image) || !FZ_TERMINATED(st.cgroup) ||
	    !FZ_TERMINATED(st.upper) || !FZ_TERMINATED(st.upper_dir))
		abort();
	if (st.n_phases < 0 || st.n_phases > 16)
		abort();
	for (i = 0; i < st.n_phases; i++)
		if (!FZ_TERMINATED(st.phase_name[i]))
			abort();
	free(buf);
	return 0;
}
