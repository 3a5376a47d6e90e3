// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp filter of programs in the box, loaded last, right before
 * exec (STYLE.md: minijail's order).  It is compiled once per box, in the
 * helper, to BPF, so each login only pays for prctl(PR_SET_SECCOMP).
 *
 * "default" denies with EPERM what a box never needs and what has a
 * history of kernel exploits reachable from user namespaces:
 * kernel modules, kexec, bpf, perf_event_open, the keyring (keys are not
 * namespaced: a boxed user could read or poison another box's keys),
 * io_uring (most container runtimes deny it after a long CVE list),
 * userfaultfd (race-widening in exploits), open_by_handle_at (the
 * "shocker" escape), and the TIOCSTI/TIOCLINUX ioctls, which push bytes
 * into a terminal's input queue: with `su` a boxed process could type
 * into root's terminal (DESIGN.md hard spot 5, CVE-2016-7545-style).  The
 * ioctl request is compared on its low 32 bits (the kernel truncates
 * `cmd` to unsigned int, so high bits must not bypass the rule).
 */
#include "box.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include "macros.h"

static const char *const denied[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "create_module", "bpf", "perf_event_open", "keyctl",
	"add_key", "request_key", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "userfaultfd", "open_by_handle_at", "acct",
	"swapon", "swapoff", "reboot", "syslog", "lookup_dcookie", "uselib",
	"iopl", "ioperm", "nfsservctl", "vm86", "vm86old", "fanotify_init",
	NULL};

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

int sc_compile(enum lb_seccomp mode, void **prog, size_t *len,
	       struct lb_err *err)
{
	scmp_filter_ctx ctx;
	cleanup_close int mfd = -1;
	const uint32_t arches[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
	off_t size;
	size_t i;
	int r;

	*prog = NULL;
	*len = 0;
	if (mode == LB_SECCOMP_NONE)
		return 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return lb_fail(err, ENOMEM, "seccomp_init");
	/* The same rules for the 32-bit ABIs, or they would be a bypass. */
	for (i = 0; i < ARRAY_SIZE(arches); i++) {
		r = seccomp_arch_add(ctx, arches[i]);
		if (r < 0 && r != -EEXIST)
			goto fail;
	}
	for (i = 0; denied[i]; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0 && r != -EDOM)
			goto fail;
	}
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI));
	if (r < 0)
		goto fail;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
				     TIOCLINUX));
	if (r < 0)
		goto fail;
	mfd = memfd_create("loginbox-seccomp", MFD_CLOEXEC);
	if (mfd < 0) {
		r = -errno;
		goto fail;
	}
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		goto fail;
	seccomp_release(ctx);
	size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    (*prog = malloc((size_t)size)) == NULL)
		return lb_fail(err, EINVAL, "seccomp: bad exported program");
	if (pread(mfd, *prog, (size_t)size, 0) != size) {
		free(*prog);
		*prog = NULL;
		return lb_fail(err, errno, "seccomp: read program");
	}
	*len = (size_t)size;
	return 0;
fail:
	seccomp_release(ctx);
	return lb_fail(err, -r, "build seccomp filter");
}

int sc_load(const void *prog, size_t len, struct lb_err *err)
{
	struct sock_fprog fp = {
		.len = (unsigned short)(len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)prog};

	if (!prog)
		return 0;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
		return lb_fail(err, errno, "load seccomp filter");
	return 0;
}
