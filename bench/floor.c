// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel floor of a box: the least a program must do to put a command
 * into the same isolation as a loginbox box, and nothing else.
 *
 *   parent (root):  clone3(NEWUSER|NEWNS|NEWPID|NEWUTS|NEWIPC|NEWNET)
 *                   write setgroups, uid_map, gid_map of the child
 *   child (pid 1):  become root of its namespace, tmpfs on /tmp, overlay
 *                   (lowerdir=/usr, userxattr) on /tmp/m, /proc in it,
 *                   pivot_root, detach the old root, exec /bin/true
 *                   (the host's /usr/bin/true: the overlay's lower is /usr)
 *
 * No policy, no config, no cgroup, no /dev, no masks, no seccomp, no
 * control socket, no teardown beyond process exit: a lower bound, not a
 * product.  Built by bench/run.sh with gcc -O2.
 *
 *   floor [-m FIRST_HOST_ID] [-t]
 *
 * -m: the host id that becomes 0 in the namespace (65536 ids are mapped;
 *     default 100000).  -t: print "floor_build_us=N" (main() to the moment
 *     before exec, CLOCK_MONOTONIC) on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(111);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

static void child(int sync_rd, int time_wr)
{
	char c;
	uint64_t t;

	/* Wait for the maps. */
	if (read(sync_rd, &c, 1) != 1)
		die("wait for maps");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("become namespace root");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		die("mount tmpfs");
	if (mkdir("/tmp/u", 0755) < 0 || mkdir("/tmp/w", 0700) < 0 ||
	    mkdir("/tmp/m", 0755) < 0)
		die("mkdir upper/work/merged");
	if (mount("overlay", "/tmp/m", "overlay", MS_NOSUID | MS_NODEV,
		  "lowerdir=/usr,upperdir=/tmp/u,workdir=/tmp/w,userxattr") < 0)
		die("mount overlay");
	if (mkdir("/tmp/m/proc", 0555) < 0 || mkdir("/tmp/m/.old", 0700) < 0)
		die("mkdir proc/.old");
	if (mount("proc", "/tmp/m/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die("mount proc");
	if (syscall(SYS_pivot_root, "/tmp/m", "/tmp/m/.old") < 0)
		die("pivot_root");
	if (chdir("/") < 0 || umount2("/.old", MNT_DETACH) < 0)
		die("detach old root");
	t = now_us();
	if (write(time_wr, &t, sizeof(t)) != sizeof(t))
		die("report time");
	execl("/bin/true", "true", (char *)NULL);
	die("exec /bin/true");
}

int main(int argc, char **argv)
{
	struct clone_args ca = {
		.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
			 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
		.exit_signal = SIGCHLD,
	};
	uint64_t t0 = now_us(), t_ready = 0;
	unsigned long first = 100000;
	int sync[2], tim[2], opt, status, report = 0;
	char path[64], map[64];
	pid_t pid;

	while ((opt = getopt(argc, argv, "m:t")) != -1) {
		if (opt == 'm')
			first = strtoul(optarg, NULL, 10);
		else if (opt == 't')
			report = 1;
		else
			return 2;
	}
	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(tim, O_CLOEXEC) < 0)
		die("pipe");
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		die("clone3");
	if (pid == 0) {
		close(sync[1]);
		close(tim[0]);
		child(sync[0], tim[1]);
	}
	close(sync[0]);
	close(tim[1]);
	snprintf(map, sizeof(map), "0 %lu 65536\n", first);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	write_file(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	write_file(path, map);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	write_file(path, map);
	if (write(sync[1], "M", 1) != 1)
		die("signal child");
	if (read(tim[0], &t_ready, sizeof(t_ready)) != sizeof(t_ready))
		t_ready = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (report && t_ready)
		printf("floor_build_us=%llu\n", (unsigned long long)(t_ready - t0));
	if (!WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}
