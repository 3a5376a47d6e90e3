// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * h_20_ucounts.sh: make user namespaces until the kernel refuses, and keep
 * them.  Each one is made by a clone(CLONE_NEWUSER) child that shares our
 * fd table and opens its /proc/self/ns/user: the fd holds the namespace
 * after the child is gone, so no process per namespace is needed.  When
 * the fd table is full, this process stays as the holder and a forked
 * copy goes on.  Prints "NEST=count ERR=errno-name", then holds for
 * argv[2] seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 * 1024] __attribute__((aligned(16)));

static int child(void *arg)
{
	(void)arg;
	return open("/proc/self/ns/user", O_RDONLY) < 0 ? (errno & 0x7f) : 0;
}

int main(int argc, char **argv)
{
	long max = argc > 1 ? atol(argv[1]) : 100, n = 0;
	unsigned hold = argc > 2 ? (unsigned)atoi(argv[2]) : 60;
	struct rlimit rl;
	int err = 0, st;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (n < max) {
		pid_t pid = clone(child, stack + sizeof(stack),
				  CLONE_VM | CLONE_FILES | CLONE_NEWUSER | SIGCHLD,
				  NULL);

		if (pid < 0) {
			err = errno;
			break;
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
			err = EIO;
			break;
		}
		if (WEXITSTATUS(st) == EMFILE) {
			/* fd table full: hold these, go on in a copy */
			pid = fork();
			if (pid < 0) {
				err = errno;
				break;
			}
			if (pid > 0) {
				sleep(hold);
				return 0;
			}
			close_range(3, ~0U, 0);
			continue;
		}
		if (WEXITSTATUS(st) != 0) {
			err = WEXITSTATUS(st);
			break;
		}
		n++;
	}
	printf("NEST=%ld ERR=%s\n", n,
	       err == ENOSPC ? "ENOSPC" : err == EPERM ? "EPERM"
				 : err ? strerror(err) : "none");
	fflush(stdout);
	sleep(hold);
	return 0;
}
