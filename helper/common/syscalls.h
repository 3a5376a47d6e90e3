/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw wrappers for syscalls glibc 2.36 does not wrap (openat2, clone3).
 * The new mount API (open_tree, move_mount, fsopen, fsconfig, fsmount,
 * mount_setattr) and pidfd_open/pidfd_send_signal come from glibc itself.
 */
#ifndef LB_SYSCALLS_H
#define LB_SYSCALLS_H

#include <linux/openat2.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static inline int lb_openat2(int dirfd, const char *path, uint64_t flags,
			     uint64_t mode, uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static inline pid_t lb_clone3(struct clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

#endif
