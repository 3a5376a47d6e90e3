// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session's cgroup node (cg_create: loginbox/u<UID>/s<ID> under the
 * v2 root of cgroup.c) and its limits: the policy's per-session keys go
 * to the session node, the user_* twins to the user's node (so all
 * sessions of a user share them).  Written by the helper before the box's first process exists (it
 * is born in its node, box.c), through directory fds.
 *
 * Controllers are enabled top-down (v2 root -> loginbox -> u<UID>): all of
 * memory, cpu, pids and io the root offers, for accounting even where no
 * limit is set.  A host without them (hybrid cgroups: the v2
 * tree has no controllers) cannot enforce anything: with limits = required
 * that refuses the box, with best-effort it is logged and the box is built.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"
#include "macros.h"
#include "paths.h"
#include "strparse.h"

#define CPU_PERIOD UINT64_C(100000) /* usec; cpu_max = millicores * 100 / period */

enum { C_MEMORY = 1, C_CPU = 2, C_PIDS = 4, C_IO = 8 };

static unsigned needed(const struct lb_limits_set *l)
{
	unsigned n = 0;

	if (l->memory_max != LB_UNLIMITED || l->memory_high != LB_UNLIMITED ||
	    l->memory_swap_max != LB_UNLIMITED)
		n |= C_MEMORY;
	if (l->cpu_max != LB_UNLIMITED || l->cpu_weight != LB_UNLIMITED)
		n |= C_CPU;
	if (l->pids_max != LB_UNLIMITED)
		n |= C_PIDS;
	if (l->io_weight != LB_UNLIMITED || l->n_io > 0)
		n |= C_IO;
	return n;
}

static unsigned parse_controllers(const char *s)
{
	static const struct {
		const char *name;
		unsigned bit;
	} c[] = {{"memory", C_MEMORY}, {"cpu", C_CPU}, {"pids", C_PIDS},
		 {"io", C_IO}};
	char buf[512], *tok, *save = NULL;
	unsigned have = 0;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		for (i = 0; i < ARRAY_SIZE(c); i++)
			if (!strcmp(tok, c[i].name))
				have |= c[i].bit;
	return have;
}

/* "+memory +cpu ..." for the controllers in `which`. */
static int enable(int dfd, unsigned which, struct lb_err *err)
{
	char buf[64] = "";

	if (which & C_MEMORY)
		strcat(buf, "+memory ");
	if (which & C_CPU)
		strcat(buf, "+cpu ");
	if (which & C_PIDS)
		strcat(buf, "+pids ");
	if (which & C_IO)
		strcat(buf, "+io ");
	if (!buf[0])
		return 0;
	buf[strlen(buf) - 1] = '\0';
	return fs_write_at(dfd, "cgroup.subtree_control", buf, err);
}

static void fmt_u64(char *buf, size_t len, uint64_t v)
{
	if (v == LB_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static int put(int dfd, const char *file, uint64_t v, struct lb_err *err)
{
	char buf[32];

	if (v == LB_UNLIMITED || faccessat(dfd, file, F_OK, 0) < 0)
		return 0; /* not set, or its controller is not there */
	fmt_u64(buf, sizeof(buf), v);
	if (fs_write_at(dfd, file, buf, err) < 0)
		return lb_prefix(err, "limit %s = %s", file, buf);
	return 0;
}

static int write_limits(int dfd, const struct lb_limits_set *l,
			struct lb_err *err)
{
	char buf[256];
	int i;

	if (put(dfd, "memory.max", l->memory_max, err) < 0 ||
	    put(dfd, "memory.high", l->memory_high, err) < 0 ||
	    put(dfd, "memory.swap.max", l->memory_swap_max, err) < 0 ||
	    put(dfd, "pids.max", l->pids_max, err) < 0 ||
	    put(dfd, "cpu.weight", l->cpu_weight, err) < 0)
		return -1;
	if (l->cpu_max != LB_UNLIMITED && faccessat(dfd, "cpu.max", F_OK, 0) == 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64,
			 l->cpu_max * CPU_PERIOD / 1000, CPU_PERIOD);
		if (fs_write_at(dfd, "cpu.max", buf, err) < 0)
			return lb_prefix(err, "limit cpu.max = %s", buf);
	}
	if (faccessat(dfd, "io.max", F_OK, 0) < 0)
		return 0; /* no io controller: best-effort said so */
	if (l->io_weight != LB_UNLIMITED) {
		snprintf(buf, sizeof(buf), "default %" PRIu64, l->io_weight);
		if (fs_write_at(dfd, "io.weight", buf, err) < 0)
			return lb_prefix(err, "limit io.weight");
	}
	for (i = 0; i < l->n_io; i++) {
		const struct lb_io_max *io = &l->io_max[i];
		char r[24], w[24], ri[24], wi[24];

		fmt_u64(r, sizeof(r), io->rbps);
		fmt_u64(w, sizeof(w), io->wbps);
		fmt_u64(ri, sizeof(ri), io->riops);
		fmt_u64(wi, sizeof(wi), io->wiops);
		snprintf(buf, sizeof(buf), "%u:%u rbps=%s wbps=%s riops=%s wiops=%s",
			 io->major, io->minor, r, w, ri, wi);
		if (fs_write_at(dfd, "io.max", buf, err) < 0)
			return lb_prefix(err, "limit io.max = %s", buf);
	}
	return 0;
}

static int cg_apply_limits(struct lb_box *b, int rootfd, int lbfd, int ufd,
		    struct lb_err *err)
{
	unsigned want = needed(&b->pol.session) | needed(&b->pol.user);
	unsigned have, missing;
	char ctl[512];
	struct lb_err e;

	have = fs_read_small(rootfd, "cgroup.controllers", ctl, sizeof(ctl),
			     &e) < 0
		       ? 0
		       : parse_controllers(ctl);
	missing = want & ~have;
	if (missing) {
		char names[32] = "";

		if (missing & C_MEMORY)
			strcat(names, " memory");
		if (missing & C_CPU)
			strcat(names, " cpu");
		if (missing & C_PIDS)
			strcat(names, " pids");
		if (missing & C_IO)
			strcat(names, " io");
		lb_fail(err, 0,
			"policy [%s] sets limits but this host's cgroup v2 "
			"tree offers no%s controller (hybrid cgroups?)",
			b->pol.section, names);
		if (b->pol.limits == LB_LIMITS_REQUIRED) {
			lb_hint(err, "boot with cgroup v2 only "
				     "(systemd.unified_cgroup_hierarchy=1) or "
				     "set limits = best-effort");
			return -1;
		}
		syslog(LOG_AUTHPRIV | LOG_WARNING,
		       "user %s: %s; limits = best-effort: box %lu built "
		       "without them",
		       b->user.name, err->msg, b->id);
	}
	/* Whatever the host offers is enabled, limits or not: it costs
	 * little and gives `loginbox show` its usage figures. */
	if (!have)
		return 0;
	if (enable(rootfd, have, err) < 0 || enable(lbfd, have, err) < 0 ||
	    enable(ufd, have, err) < 0)
		return lb_prefix(err, "enable cgroup controllers");
	if (write_limits(ufd, &b->pol.user, err) < 0)
		return lb_prefix(err, "user %s", b->user.name);
	{
		/* A box sees only its own node (cgroup namespace): its
		 * memory.max must show the limit that really applies, the
		 * smaller of the session's and the user-wide one. */
		struct lb_limits_set s = b->pol.session;

		if (b->pol.user.memory_max < s.memory_max)
			s.memory_max = b->pol.user.memory_max;
		if (write_limits(b->cgfd, &s, err) < 0)
			return lb_prefix(err, "session %lu", b->id);
	}
	return 0;
}

int cg_enable_below(int dfd, struct lb_err *err)
{
	char ctl[512];
	struct lb_err e;
	unsigned have;

	lb_err_clear(&e);
	if (fs_read_small(dfd, "cgroup.controllers", ctl, sizeof(ctl), &e) < 0)
		return 0;
	have = parse_controllers(ctl);
	return have ? enable(dfd, have, err) : 0;
}

int cg_create(struct lb_box *b, struct lb_err *err)
{
	cleanup_close int rootfd = -1, lbfd = -1, ufd = -1;
	char uname[32], sname[32];
	const char *root;
	bool pure;

	root = cg_v2_root(&pure);
	if (!root && access("/run/systemd/system", F_OK) == 0) {
		lb_fail(err, ENOENT, "no delegated cgroup %s", LB_SYSTEMD_CGROUP);
		return lb_hint(err, "systemctl enable --now loginbox.service");
	}
	if (!root)
		return lb_fail(err, ENOENT, "no cgroup v2 hierarchy mounted");
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return lb_fail(err, errno, "open %s", root);
	lbfd = cg_mkdir_open(rootfd, LB_CGROUP_NAME, err);
	if (lbfd < 0)
		return -1;
	snprintf(uname, sizeof(uname), "u%u", (unsigned)b->user.uid);
	snprintf(sname, sizeof(sname), "s%lu", b->id);
	/* Teardowns take a per-user lock that logins do not wait for: the
	 * user's node may go (their last other box ending) between the two
	 * mkdirs.  Then make it again; once our node is in it, rmdir fails. */
	for (int tries = 0;; tries++) {
		ufd = cg_mkdir_open(lbfd, uname, err);
		if (ufd < 0)
			return -1;
		b->cgfd = cg_mkdir_open(ufd, sname, err);
		if (b->cgfd >= 0)
			break;
		if (err->errnum != ENOENT || tries == 3)
			return -1;
		close(ufd);
		lb_err_clear(err);
	}
	snprintf(b->cg_path, sizeof(b->cg_path), "%s/%s/%s/%s", root,
		 LB_CGROUP_NAME, uname, sname);
	b->have_cgroup = true;
	return cg_apply_limits(b, rootfd, lbfd, ufd, err);
}

int cg_init_leaf(struct lb_box *b, struct lb_err *err)
{
	int ifd = cg_mkdir_open(b->cgfd, "init", err);

	if (ifd < 0)
		return -1;
	/* Init is born in its leaf by a first process in the node, owned
	 * by box root (userns.c: clone3's CLONE_INTO_CGROUP needs write
	 * access to the common ancestor's cgroup.procs, checked with that
	 * process's own credentials); init then puts each login's programs
	 * into their leaf the same way.  So this node's cgroup.procs is box
	 * root's (kernel/cgroup/cgroup.c, cgroup_procs_write_permission),
	 * and so is the leaf's own (cgroup_css_set_fork) until init is
	 * there (cg_init_leaf_seal gives it back before init's set-up runs
	 * any program of the box).  It moves nothing out of the node: the
	 * ancestor of a leaf and anything outside is above it, root's, and
	 * outside the box's cgroup namespace; the box's /sys/fs/cgroup is
	 * read-only. */
	if (fchownat(b->cgfd, "cgroup.procs", b->root_host_uid,
		     b->root_host_gid, 0) < 0 ||
	    fchownat(ifd, "cgroup.procs", b->root_host_uid, b->root_host_gid,
		     0) < 0) {
		lb_fail(err, errno, "chown %s/cgroup.procs", b->cg_path);
		close(ifd);
		return -1;
	}
	return ifd;
}

int cg_init_leaf_seal(struct lb_box *b, int leaf, struct lb_err *err)
{
	/* Init is in its leaf, waiting for its maps: it has run nothing yet,
	 * and its set-up runs programs of the box's image (the CDI
	 * update-ldcache hook, devices.c) before it answers.  From now on
	 * only host root puts anything in init's leaf. */
	if (fchownat(leaf, "cgroup.procs", 0, 0, 0) < 0)
		return lb_fail(err, errno, "chown %s/init/cgroup.procs back to "
					   "root",
			       b->cg_path);
	return 0;
}

int cg_box_leaves(struct lb_box *b, struct lb_err *err)
{
	return cg_enable_below(b->cgfd, err) < 0
		       ? lb_prefix(err, "%s", b->cg_path)
		       : 0;
}
