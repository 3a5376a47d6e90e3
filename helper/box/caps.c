// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Capabilities of a program started in the box.  Everything here acts in
 * the box's user namespace: box root's capabilities never reach the host.
 * The bounding set is trimmed to the policy before the ids change (that
 * needs CAP_SETPCAP), and ambient capabilities are always cleared, so a
 * user running as themselves inside has no capability at all and box root
 * has at most the policy's set.
 */
#include "box.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

int caps_drop_bounding(uint64_t keep, struct lb_err *err)
{
	int c;

	for (c = 0; c <= CAP_LAST_CAP + 23 && c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			return lb_fail(err, errno, "drop capability %d from "
						   "the bounding set", c);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return lb_fail(err, errno, "clear ambient capabilities");
	return 0;
}

int caps_set_final(uint64_t keep, bool root_inside, struct lb_err *err)
{
	cap_t caps = cap_init(); /* all clear */
	int c, r;

	if (!caps)
		return lb_fail(err, errno, "cap_init");
	if (root_inside) {
		for (c = 0; c < 64; c++) {
			cap_value_t v = c;

			if (!(keep & (1ULL << c)) || !CAP_IS_SUPPORTED(v))
				continue;
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		}
	}
	r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return lb_fail(err, errno, "cap_set_proc");
	return 0;
}
