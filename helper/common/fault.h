/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only fault points (tests/integration/t_98_faults.sh).
 *
 * LB_FAULT("point") marks a step of building or tearing down a box.  In
 * a normal build it is nothing at all.  Built with -DLB_FAULT_POINTS
 * (`make FAULTS=1`, into build-fault/; never packaged, installed only by
 * that test) it reads LB_FAULT_FILE once per process, the first time a
 * point is passed, and when the file names this point it acts there:
 *
 *   stop  renames the process (comm) to "lb-fault-stop", then
 *         raise(SIGSTOP): the test finds the exact process at the exact
 *         step and kills it with -9.  A box's init is PID 1 of its
 *         namespace, which ignores signals it sends itself: it waits in
 *         pause() instead (still killable from the host)
 *   kill  raise(SIGKILL) on the spot (_exit for that init)
 *
 * The file: one line "POINT ACTION", a regular file owned by root, mode
 * 0600, not a symlink (O_NOFOLLOW), so nobody but root arms a point even
 * in a fault build.  It is read once and cached: loginbox-init is cloned
 * from the helper and inherits the cache, because after it becomes box
 * root it can no longer read a root-only file.  A point that fires
 * unlinks the file (when it still can), so one arming stops one process.
 */
#ifndef LB_FAULT_H
#define LB_FAULT_H

#define LB_FAULT_FILE "/run/loginbox-fault"

#ifndef LB_FAULT_POINTS

#define LB_FAULT(point) ((void)0)

#else

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

static inline void lb_fault(const char *point)
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

#define LB_FAULT(point) lb_fault(point)

#endif /* LB_FAULT_POINTS */
#endif /* LB_FAULT_H */
