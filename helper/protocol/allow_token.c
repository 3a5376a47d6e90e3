// SPDX-License-Identifier: GPL-2.0-or-later
#include "allow_token.h"

#include <stdio.h>
#include <unistd.h>

#include "proc.h"

int lb_token_format(char *buf, size_t len, uid_t uid, const char *shell)
{
	int n = snprintf(buf, len, "%u %d %llu %s\n", (unsigned)uid,
			 (int)getpid(), proc_start_time(getpid()), shell);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lb_token_parse(const char *text, struct lb_token *t)
{
	int pid;

	if (sscanf(text, "%lu %d %llu %255s", &t->uid, &pid, &t->start,
		   t->shell) != 4)
		return -1;
	t->pid = pid;
	return 0;
}

bool lb_token_live(const struct lb_token *t)
{
	return t->pid > 0 && t->start && proc_start_time(t->pid) == t->start;
}
