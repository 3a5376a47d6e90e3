/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only fault points: see fault.h.  Empty unless built with
 * -DLB_FAULT_POINTS (make FAULTS=1). */
#include "fault.h"

#ifdef LB_FAULT_POINTS

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

void lb_fault(const char *point)
{
	static int loaded;
	static char want[64], action[16];
	char buf[96];
	struct stat st;
	ssize_t n;
	int fd;

	if (!loaded) {
		loaded = 1;
		fd = open(LB_FAULT_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == 0 && st.st_gid == 0 &&
		    (st.st_mode & 07777) == 0600) {
			n = read(fd, buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = '\0';
				if (sscanf(buf, "%63s %15s", want, action) != 2)
					want[0] = '\0';
			}
		}
		close(fd);
	}
	if (!want[0] || strcmp(want, point) != 0)
		return;
	want[0] = '\0'; /* once per process */
	unlink(LB_FAULT_FILE);
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "fault point %s: %s (test build)",
	       point, action);
	if (!strcmp(action, "stop")) {
		prctl(PR_SET_NAME, "lb-fault-stop", 0, 0, 0);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (!strcmp(action, "kill")) {
		raise(SIGKILL);
		_exit(137);
	}
}

#endif /* LB_FAULT_POINTS */
