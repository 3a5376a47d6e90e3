// SPDX-License-Identifier: GPL-2.0-or-later
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	/* A zombie has exited: for us it is gone. */
	if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
		return 0;
	for (i = 3; i <= 22 && p; i++) {
		p = strchr(p + 1, ' ');
		if (i == 21 && p)
			start = strtoull(p + 1, NULL, 10);
	}
	return start;
}

