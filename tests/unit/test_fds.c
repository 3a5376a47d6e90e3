// SPDX-License-Identifier: GPL-2.0-or-later
/* lb_close_from_except (helper/common/fds.c): which descriptors survive. */
#include "fds.h"

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "tap.h"

static bool open_fd(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* n fds on /dev/null, at numbers from base up (dup2: fixed numbers). */
static void make_fds(int base, int n)
{
	int fd = open("/dev/null", O_RDONLY);

	for (int i = 0; i < n; i++)
		dup2(fd, base + i);
	if (fd < base || fd >= base + n)
		close(fd);
}

int main(void)
{
	int keep[] = {105, -1, 101, 1200, 103};

	make_fds(100, 10);
	make_fds(1200, 2);
	make_fds(2000, 1);
	lb_close_from_except(100, keep, 5);
	ok(open_fd(101) && open_fd(103) && open_fd(105) && open_fd(1200),
	   "the kept fds stay open, in any order, a negative entry ignored");
	ok(!open_fd(100) && !open_fd(102) && !open_fd(104) &&
		   !open_fd(106) && !open_fd(109),
	   "the fds between them are closed");
	ok(!open_fd(1201) && !open_fd(2000),
	   "and those above the last kept one (above 1024 too)");
	ok(open_fd(0) && open_fd(1) && open_fd(2), "fds below `from` stay");
	lb_close_from_except(100, NULL, 0);
	ok(!open_fd(101) && !open_fd(1200), "nothing kept: all from 100 up");
	{
		int many[17];

		make_fds(300, 17);
		for (int i = 0; i < 17; i++)
			many[i] = 300 + i;
		make_fds(400, 1);
		lb_close_from_except(300, many, 17);
		ok(open_fd(300) && open_fd(316) && open_fd(400),
		   "more kept fds than it sorts: nothing is closed");
		lb_close_from_except(300, NULL, 0);
	}
	return done_testing();
}
