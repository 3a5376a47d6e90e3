// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device program of a box's cgroup v2 node: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program, attached with BPF_CGROUP_DEVICE, that lets the box's processes
 * open exactly the base devices of its /dev (null, zero, full, random,
 * urandom, tty, ptmx, its pts) and the devices its policy lists, and
 * nothing else; mknod of any device is denied.
 *
 * Why, when the box's /dev holds only those nodes: a device node can reach
 * a box by other ways than its /dev (a node in an image layer, on a
 * filesystem mounted into the box, an fd passed in by open), and only
 * the device cgroup checks the device itself, at open and mknod time,
 * whatever the node's owner, mode or path.  The kernel runs the program
 * of the task's default (v2) cgroup even on a hybrid host where the v1
 * hierarchies hold the controllers (devcgroup_check_permission runs the
 * BPF program, then the v1 rules), and a device program needs no
 * controller enabled: it is attached wherever the box has a v2 node.
 *
 * The program is built here from raw instructions (no compiler or libbpf
 * at run time).  Loading and attaching need CAP_BPF/CAP_SYS_ADMIN and
 * CAP_NET_ADMIN in the initial user namespace, so the box (root only in
 * its own user namespace) can neither load one nor detach ours; its
 * cgroupfs is read-only anyway.  Attached without BPF_F_ALLOW_OVERRIDE or
 * BPF_F_ALLOW_MULTI: no descendant node may add a program of its own.
 * The program goes with the node when teardown removes it.
 * docs/SECURITY.md, "Devices".
 */
#include "box.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "cdi.h"
#include "macros.h"

/* Instruction encoders (the kernel's are not uapi). */
#define I(c, d, s, o, i)                                                       \
	((struct bpf_insn){.code = (c),                                        \
			   .dst_reg = (d),                                     \
			   .src_reg = (s),                                     \
			   .off = (o),                                         \
			   .imm = (i)})
#define LDX_W(d, s, o) I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_REG(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_IMM(d, i) I(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i) I(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JSET_IMM(d, i, o) I(BPF_JMP | BPF_JSET | BPF_K, d, 0, o, i)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#define ANY_MINOR (-1)

struct devrule {
	int type; /* BPF_DEVCG_DEV_CHAR or _BLOCK */
	int major, minor;
};

/* What every box's /dev holds (mounts.c make_dev) and its own devpts. */
static const struct devrule base_rules[] = {
    {BPF_DEVCG_DEV_CHAR, 1, 3},		  /* null */
    {BPF_DEVCG_DEV_CHAR, 1, 5},		  /* zero */
    {BPF_DEVCG_DEV_CHAR, 1, 7},		  /* full */
    {BPF_DEVCG_DEV_CHAR, 1, 8},		  /* random */
    {BPF_DEVCG_DEV_CHAR, 1, 9},		  /* urandom */
    {BPF_DEVCG_DEV_CHAR, 5, 0},		  /* tty */
    {BPF_DEVCG_DEV_CHAR, 5, 2},		  /* ptmx */
    {BPF_DEVCG_DEV_CHAR, 136, ANY_MINOR}, /* pts/N */
};

#define MAX_RULES (ARRAY_SIZE(base_rules) + LB_DEV_MAX_NODES + 1)
/* 6 instructions of prologue, at most 4 per rule, 4 of epilogue */
#define MAX_INSNS (6 + 4 * MAX_RULES + 4)

/*
 * r2 = access (MKNOD|READ|WRITE), r3 = type, r4 = major, r5 = minor;
 * mknod denied; each rule: a match returns 1 (allow); else 0 (EPERM).
 */
static size_t build_prog(const struct devrule *rules, size_t n,
			 struct bpf_insn *p)
{
	size_t k = 0, i, deny_at;
	size_t jumps[MAX_RULES * 3 + 1];
	size_t nj = 0;

	p[k++] = LDX_W(BPF_REG_2, BPF_REG_1,
		       offsetof(struct bpf_cgroup_dev_ctx, access_type));
	p[k++] = MOV_REG(BPF_REG_3, BPF_REG_2);
	p[k++] = AND_IMM(BPF_REG_3, 0xffff);
	p[k++] = RSH_IMM(BPF_REG_2, 16);
	p[k++] = LDX_W(BPF_REG_4, BPF_REG_1,
		       offsetof(struct bpf_cgroup_dev_ctx, major));
	p[k++] = LDX_W(BPF_REG_5, BPF_REG_1,
		       offsetof(struct bpf_cgroup_dev_ctx, minor));
	/* the deny target is patched in below */
	jumps[nj++] = k;
	p[k++] = JSET_IMM(BPF_REG_2, BPF_DEVCG_ACC_MKNOD, 0);
	for (i = 0; i < n; i++) {
		/* each test jumps past this rule's "allow" on mismatch */
		size_t start = k, end, j;

		p[k++] = JNE_IMM(BPF_REG_3, rules[i].type, 0);
		p[k++] = JNE_IMM(BPF_REG_4, rules[i].major, 0);
		if (rules[i].minor != ANY_MINOR)
			p[k++] = JNE_IMM(BPF_REG_5, rules[i].minor, 0);
		p[k++] = JA(0); /* to allow */
		end = k;
		for (j = start; j < end - 1; j++)
			p[j].off = (short)(end - j - 1);
		jumps[nj++] = end - 1; /* JA to allow, patched below */
	}
	deny_at = k;
	p[k++] = MOV_IMM(BPF_REG_0, 0);
	p[k++] = EXIT();
	p[k++] = MOV_IMM(BPF_REG_0, 1); /* allow */
	p[k++] = EXIT();
	p[jumps[0]].off = (short)(deny_at - jumps[0] - 1);
	for (i = 1; i < nj; i++)
		p[jumps[i]].off = (short)(deny_at + 2 - jumps[i] - 1);
	return k;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int devcg_attach_fd(int cgfd, const struct lb_devset *devs,
			   bool tun, struct lb_err *err)
{
	struct devrule rules[MAX_RULES];
	struct bpf_insn prog[MAX_INSNS];
	static char log[4096];
	union bpf_attr attr;
	cleanup_close int pfd = -1;
	size_t n = 0, i, ni;

	for (i = 0; i < ARRAY_SIZE(base_rules); i++)
		rules[n++] = base_rules[i];
	/* network = pasta: pasta runs in the node's leaf `pasta` and opens
	 * the tun node of its private mount namespace (net_pasta.c), under
	 * this program too.  The box itself has no tun node (its /dev is its
	 * own tmpfs) and can make none (mknod is denied here, and in its
	 * user namespace anyway). */
	if (tun)
		rules[n++] = (struct devrule){BPF_DEVCG_DEV_CHAR, 10, 200};
	for (i = 0; devs && i < (size_t)devs->n_nodes; i++) {
		rules[n].type = devs->nodes[i].type == S_IFBLK
				    ? BPF_DEVCG_DEV_BLOCK
				    : BPF_DEVCG_DEV_CHAR;
		rules[n].major = (int)major(devs->nodes[i].rdev);
		rules[n].minor = (int)minor(devs->nodes[i].rdev);
		n++;
	}
	ni = build_prog(rules, n, prog);

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)ni;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	snprintf(attr.prog_name, sizeof(attr.prog_name), "loginbox_dev");
	log[0] = '\0';
	pfd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (pfd < 0 && errno == ENOSPC) {
		/* the log is only for our own bugs; load without it */
		attr.log_buf = 0;
		attr.log_size = 0;
		attr.log_level = 0;
		pfd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	}
	if (pfd < 0) {
		lb_fail(err, errno,
			"load the device program (bpf "
			"BPF_PROG_LOAD%s%.200s)",
			log[0] ? ": " : "", log);
		return lb_hint(err, "the kernel needs CONFIG_CGROUP_BPF and "
				    "CONFIG_BPF_SYSCALL");
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)pfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = 0;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return lb_fail(err, errno,
			       "attach the device program to the "
			       "box's cgroup (BPF_PROG_ATTACH)");
	return 0;
}

int devcg_attach(struct lb_box *b, struct lb_err *err)
{
	if (!b->have_cgroup || b->cgfd < 0)
		return 0;
	if (devcg_attach_fd(b->cgfd, b->devs,
			    b->pol.network == LB_NET_PASTA, err) < 0)
		return lb_prefix(err, "cgroup %s", b->cg_path);
	b->have_devcg = true;
	return 0;
}
