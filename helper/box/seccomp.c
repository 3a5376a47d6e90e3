// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp filters of programs in the box, loaded last, right before
 * exec (minijail's order, spawn.c).  They are compiled once per box, in
 * the helper, to BPF, so each login only pays for prctl(PR_SET_SECCOMP).
 *
 * seccomp = default: one deny-list filter.  It makes EPERM of what a box
 * never needs and what has a history of kernel exploits reachable from
 * user namespaces: kernel modules, kexec, bpf, perf_event_open, the
 * keyring (keys are not namespaced: a boxed user could read or poison
 * another box's keys), io_uring (most container runtimes deny it after a
 * long CVE list), userfaultfd (race-widening in exploits),
 * open_by_handle_at (the "shocker" escape), and three tty ioctls:
 * TIOCSTI and TIOCLINUX push bytes into a terminal's input queue (with
 * `su` a boxed process could type into root's terminal, CVE-2016-7545
 * style) and TIOCSETD switches a tty's line discipline, which loads and
 * runs rarely used ldisc code (n_gsm, n_hdlc, slcan: CVE-2017-2636,
 * CVE-2023-6546 and more).  The ioctl request is compared on its low 32
 * bits: the kernel truncates `cmd` to unsigned int, so high bits must not
 * bypass the rule.  The rules cover the i386 and x32 ABIs too, or those
 * would be a way around them.
 *
 * seccomp = strict: the same deny-list filter and, stacked on it, an
 * allow list modelled on Docker's default profile (loginbox's own list,
 * below).  The kernel runs every filter and the most restrictive answer
 * wins, which is how "everything of the list except these ioctls" is
 * expressed: libseccomp cannot write "allow ioctl unless cmd is X" in one
 * filter (an unconditional allow swallows the conditional deny).
 * The allow list:
 *   - default action EPERM; clone3 answers ENOSYS, because seccomp cannot
 *     read clone3's flags (they are behind a pointer): glibc then falls
 *     back to clone, whose flags are checked;
 *   - only the native x86_64 ABI: any i386 (int 0x80) or x32 system call
 *     kills the process.  Debian runs no 32-bit code by default, and the
 *     compat entry points are a separate kernel attack surface
 *     (CVE-2010-3081, CVE-2014-0038 in x32's recvmmsg);
 *   - sockets: AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK for route,
 *     sock_diag, audit, uevents and generic netlink; not
 *     NETLINK_NETFILTER (nf_tables is the door of many recent exploits:
 *     CVE-2022-32250, CVE-2023-32233, CVE-2024-1086); no AF_PACKET
 *     (CVE-2020-14386, CVE-2017-7308), whatever capabilities are granted;
 *   - namespaces and mounts (mount, umount2, pivot_root, the new mount
 *     API, unshare and clone with CLONE_NEW* flags, setns) only when the
 *     policy gives nested user namespaces or box root holds sys_admin,
 *     as Docker ties them to CAP_SYS_ADMIN;
 *   - personality only for the values programs use (query, UNAME26,
 *     ADDR_NO_RANDOMIZE), not READ_IMPLIES_EXEC and the like.
 */
#include "box.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include "macros.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef TIOCSETD
#define TIOCSETD 0x5423
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char *const denied[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "create_module", "bpf", "perf_event_open", "keyctl",
	"add_key", "request_key", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "userfaultfd", "open_by_handle_at", "acct",
	"swapon", "swapoff", "reboot", "syslog", "lookup_dcookie", "uselib",
	"iopl", "ioperm", "nfsservctl", "vm86", "vm86old", "fanotify_init",
	NULL};

/* ioctl requests denied in every filtered box (see the top). */
static const unsigned long denied_ioctls[] = {TIOCSTI, TIOCLINUX, TIOCSETD};

/* seccomp = strict: allowed without condition.  Names libseccomp does not
 * know on this system are skipped (they stay EPERM). */
static const char *const allowed[] = {
	/* files: read, write, seek, sync */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
	"pwritev", "preadv2", "pwritev2", "lseek", "open", "openat", "openat2",
	"creat", "close", "close_range", "dup", "dup2", "dup3", "fcntl",
	"flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
	"truncate", "ftruncate", "fallocate", "fadvise64", "readahead",
	"sendfile", "copy_file_range", "splice", "tee", "vmsplice",
	/* files: metadata and directories */
	"stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir",
	"mkdirat", "rmdir", "rename", "renameat", "renameat2", "link",
	"linkat", "unlink", "unlinkat", "symlink", "symlinkat", "chmod",
	"fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown",
	"fchownat", "umask", "utime", "utimes", "utimensat", "futimesat",
	"mknod", "mknodat", "chroot", "getxattr", "lgetxattr", "fgetxattr",
	"setxattr", "lsetxattr", "fsetxattr", "listxattr", "llistxattr",
	"flistxattr", "removexattr", "lremovexattr", "fremovexattr",
	"inotify_init", "inotify_init1", "inotify_add_watch",
	"inotify_rm_watch", "memfd_create",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "pkey_mprotect",
	"pkey_alloc", "pkey_free", "madvise", "mlock", "mlock2", "munlock",
	"mlockall", "munlockall", "mincore", "msync", "membarrier",
	"get_mempolicy",
	/* processes and threads */
	"fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
	"waitid", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
	"rt_tgsigqueueinfo", "getpid", "getppid", "gettid", "getpgid",
	"setpgid", "getpgrp", "getsid", "setsid", "set_tid_address",
	"set_robust_list", "get_robust_list", "futex", "futex_waitv",
	"futex_wake", "futex_wait", "futex_requeue", "rseq", "arch_prctl",
	"prctl", "seccomp", "landlock_create_ruleset", "landlock_add_rule",
	"landlock_restrict_self", "capget", "capset", "restart_syscall",
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open",
	"pidfd_send_signal", "pidfd_getfd", "set_thread_area",
	"get_thread_area",
	/* scheduling and limits */
	"sched_yield", "sched_getaffinity", "sched_setaffinity",
	"sched_getparam", "sched_setparam", "sched_getscheduler",
	"sched_setscheduler", "sched_get_priority_max",
	"sched_get_priority_min", "sched_rr_get_interval", "sched_getattr",
	"sched_setattr", "getpriority", "setpriority", "ioprio_get",
	"ioprio_set", "getrlimit", "setrlimit", "prlimit64", "getrusage",
	"times", "getcpu", "sysinfo", "uname", "getrandom",
	/* credentials (the kernel checks the capabilities) */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
	"getgroups", "setuid", "setgid", "setreuid", "setregid", "setresuid",
	"setresgid", "setgroups", "setfsuid", "setfsgid",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
	"rt_sigsuspend", "rt_sigtimedwait", "sigaltstack", "signalfd",
	"signalfd4", "pause", "alarm",
	/* time */
	"nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
	"gettimeofday", "time", "timer_create", "timer_settime",
	"timer_gettime", "timer_getoverrun", "timer_delete", "timerfd_create",
	"timerfd_settime", "timerfd_gettime", "getitimer", "setitimer",
	/* waiting for events */
	"poll", "ppoll", "select", "pselect6", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "eventfd", "eventfd2", "pipe", "pipe2", "io_setup",
	"io_destroy", "io_submit", "io_getevents", "io_pgetevents",
	"io_cancel",
	/* sockets (socket(2) itself is conditional) */
	"socketpair", "bind", "connect", "listen", "accept", "accept4",
	"getsockname", "getpeername", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "sendmmsg", "recvmmsg", "setsockopt", "getsockopt",
	"shutdown",
	/* System V and POSIX IPC (the box's own ipc namespace) */
	"shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop",
	"semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open",
	"mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
	"mq_getsetattr",
	NULL};

/* Allowed in strict only with nested_userns = yes or sys_admin. */
static const char *const allowed_ns[] = {
	"mount", "umount2", "pivot_root", "setns", "fsopen", "fsconfig",
	"fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	"sethostname", "setdomainname", NULL};

#define CLONE_NS_FLAGS                                                         \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |           \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static int add_names(scmp_filter_ctx ctx, uint32_t act,
		     const char *const *names)
{
	size_t i;
	int r;

	for (i = 0; names[i]; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, act, nr, 0);
		/* -EDOM: not a system call of this ABI (vm86 on x86_64) */
		if (r < 0 && r != -EDOM)
			return r;
	}
	return 0;
}

/* seccomp = default, and the first filter of strict. */
static int sc_deny_ctx(scmp_filter_ctx *out)
{
	const uint32_t arches[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	*out = NULL;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(arches); i++) {
		r = seccomp_arch_add(ctx, arches[i]);
		if (r < 0 && r != -EEXIST)
			goto fail;
	}
	r = add_names(ctx, SCMP_ACT_ERRNO(EPERM), denied);
	if (r < 0)
		goto fail;
	for (i = 0; i < ARRAY_SIZE(denied_ioctls); i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
				     1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
						denied_ioctls[i]));
		if (r < 0)
			goto fail;
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}

/* The allow list of seccomp = strict (see the top). */
static int sc_allow_ctx(const struct lb_policy *pol, scmp_filter_ctx *out)
{
	static const unsigned long personas[] = {
		0, UNAME26, ADDR_NO_RANDOMIZE, UNAME26 | ADDR_NO_RANDOMIZE,
		0xffffffffUL};
	static const int families[] = {AF_UNIX, AF_INET, AF_INET6};
	/* routes and addresses (getaddrinfo, ip), ss, audit (login, sshd,
	 * sudo), udev events, generic netlink; not NETLINK_NETFILTER */
	static const int netlinks[] = {NETLINK_ROUTE, NETLINK_SOCK_DIAG,
				       NETLINK_AUDIT, NETLINK_KOBJECT_UEVENT,
				       NETLINK_GENERIC};
	bool ns = pol->nested_userns ||
		  (pol->inside_uid == LB_INSIDE_ROOT &&
		   (pol->caps & (1ULL << CAP_SYS_ADMIN)));
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	*out = NULL;
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return -ENOMEM;
	/* Only the native ABI is in this filter: i386 and x32 calls meet
	 * the "bad architecture" action. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		goto fail;
	r = add_names(ctx, SCMP_ACT_ALLOW, allowed);
	if (r == 0 && ns)
		r = add_names(ctx, SCMP_ACT_ALLOW, allowed_ns);
	if (r < 0)
		goto fail;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r < 0)
		goto fail;
	/* clone(flags, ...) on x86_64: flags is the first argument. */
	if (ns)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 0);
	else
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS,
					     0));
	if (r < 0)
		goto fail;
	if (ns)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unshare), 0);
	else
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unshare), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ,
					     CLONE_NS_FLAGS | CLONE_NEWTIME, 0));
	if (r < 0)
		goto fail;
	/* ioctl is allowed here; the deny-list filter under this one
	 * refuses TIOCSTI, TIOCLINUX and TIOCSETD. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 0);
	for (i = 0; r == 0 && i < ARRAY_SIZE(personas); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality),
				     1, SCMP_A0(SCMP_CMP_EQ, personas[i]));
	for (i = 0; r == 0 && i < ARRAY_SIZE(families); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, (uint64_t)families[i]));
	/* Equality only: an inequality on a 64-bit argument the kernel
	 * truncates to int would let high bits through. */
	for (i = 0; r == 0 && i < ARRAY_SIZE(netlinks); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
				     SCMP_A2(SCMP_CMP_EQ, (uint64_t)netlinks[i]));
	if (r < 0)
		goto fail;
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}

/*
 * The compiled form handed to sc_load: one or more BPF programs back to
 * back, each after a header slot (one struct sock_filter) whose `k`
 * holds the program's length in instructions.
 */
static int append_prog(scmp_filter_ctx ctx, void **prog, size_t *len,
		       struct lb_err *err)
{
	cleanup_close int mfd = -1;
	struct sock_filter head = {0};
	off_t size;
	char *p;
	int r;

	mfd = memfd_create("loginbox-seccomp", MFD_CLOEXEC);
	if (mfd < 0)
		return lb_fail(err, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return lb_fail(err, -r, "export seccomp filter");
	size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return lb_fail(err, EINVAL, "seccomp: bad exported program");
	p = realloc(*prog, *len + sizeof(head) + (size_t)size);
	if (!p)
		return lb_fail(err, ENOMEM, "seccomp program");
	*prog = p;
	head.k = (uint32_t)(size / sizeof(struct sock_filter));
	memcpy(p + *len, &head, sizeof(head));
	if (pread(mfd, p + *len + sizeof(head), (size_t)size, 0) != size)
		return lb_fail(err, errno, "seccomp: read program");
	*len += sizeof(head) + (size_t)size;
	return 0;
}

int sc_compile(const struct lb_policy *pol, void **prog, size_t *len,
	       struct lb_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	*prog = NULL;
	*len = 0;
	if (pol->seccomp == LB_SECCOMP_NONE)
		return 0;
	r = sc_deny_ctx(&ctx);
	if (r < 0)
		return lb_fail(err, -r, "build seccomp filter");
	r = append_prog(ctx, prog, len, err);
	seccomp_release(ctx);
	if (r < 0 || pol->seccomp != LB_SECCOMP_STRICT)
		goto out;
	r = sc_allow_ctx(pol, &ctx);
	if (r < 0) {
		lb_fail(err, -r, "build the seccomp = strict filter");
		goto out;
	}
	r = append_prog(ctx, prog, len, err);
	seccomp_release(ctx);
out:
	if (r < 0) {
		free(*prog);
		*prog = NULL;
		*len = 0;
	}
	return r < 0 ? -1 : 0;
}

int sc_load(const void *prog, size_t len, struct lb_err *err)
{
	const char *p = prog;
	size_t off = 0;

	if (!prog)
		return 0;
	while (off + sizeof(struct sock_filter) <= len) {
		const struct sock_filter *head = (const void *)(p + off);
		size_t n = head->k;
		struct sock_fprog fp = {
			.len = (unsigned short)n,
			.filter = (struct sock_filter *)(head + 1)};

		if (n == 0 || n > BPF_MAXINSNS ||
		    off + (n + 1) * sizeof(struct sock_filter) > len)
			return lb_fail(err, EINVAL, "bad seccomp program");
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
			return lb_fail(err, errno, "load seccomp filter");
		off += (n + 1) * sizeof(struct sock_filter);
	}
	return 0;
}
