// SPDX-License-Identifier: GPL-2.0-or-later
/* Closing all descriptors but a few: fds.h. */
#include "fds.h"

#include <unistd.h>

void lb_close_from_except(int from, const int *keep, size_t n)
{
	int sorted[16];
	size_t m = 0, i, j;
	unsigned lo = (unsigned)from;

	/* the kept fds at or above from, in order (insertion sort: a
	 * handful); with more than fit, close nothing rather than a kept
	 * one */
	for (i = 0; i < n; i++) {
		int v = keep[i];

		if (v < from)
			continue;
		if (m == sizeof(sorted) / sizeof(sorted[0]))
			return;
		for (j = m; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
		m++;
	}
	for (i = 0; i < m; i++) {
		if ((unsigned)sorted[i] > lo)
			close_range(lo, (unsigned)sorted[i] - 1, 0);
		if ((unsigned)sorted[i] + 1 > lo)
			lo = (unsigned)sorted[i] + 1;
	}
	close_range(lo, ~0U, 0);
}
