/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The box builder: what the helper knows about the box it builds, and the
 * phases of box_open() (box.c), one file each:
 *
 *   session.c       session ids, /run/loginbox/ID, the state file
 *   subid_source.c  the user's subordinate ids (files or libsubid)
 *   limits.c        the session's cgroup node and its limits
 *   userns.c        user namespaces: owner, the idmapped layer's namespace
 *   rootfs.c        the root: idmapped lower layer, upper layer, overlay
 *   mounts.c        what goes on top: /dev, /tmp, /run, home, masks
 *   devices.c       the policy's device nodes
 *   kfs.c           /proc and /sys with runc's masks, locked in the box
 *   init.c          the box's PID 1: finishing the root inside, event loop
 *   spawn.c         starting a program inside: pty, privilege drop, exec
 *   caps.c          bounding set and capabilities
 *   seccomp.c       the seccomp filter
 *
 * Only the helper links these.  What the admin command shares with it has
 * headers of its own and never needs struct lb_box's phases: session.h
 * (state file, locks), teardown.h (ending boxes, gc), cgroup.h (the
 * hierarchy, killing a node), net.h (network modes), join.h, logins.h,
 * audit_box.h.  The Makefile checks that loginbox links no builder code.
 */
#ifndef LB_BOX_H
#define LB_BOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"
#include "idmap.h"
#include "proc.h"
#include "subid.h"
#include "session.h"
#include "lxcfs.h"
#include "userns.h"
#include "user.h"

#define LB_MAX_KEEP_GIDS (LB_MAX_KEEP_GROUPS + 1)

struct lb_box {
	/* identity and policy */
	struct lb_user user;
	struct lb_policy pol;
	char service[64];
	struct lb_subid_range subuid, subgid;
	struct lb_idmap uidmap, gidmap;       /* the box's user namespace */
	char image_version[65];       /* store image: the version pinned */
	int image_nenv;               /* its config's Env ("K=V") */
	char **image_env;
	gid_t groups[LB_MAX_KEEP_GIDS];       /* host gids the box keeps */
	int ngroups;
	uid_t inside_uid;                     /* the user's uid in the box */
	gid_t inside_gid;
	uid_t root_host_uid;                  /* host uid of box root */
	gid_t root_host_gid;

	/* session */
	bool joined;          /* session = user: a live box was joined */
	bool via_keeper;      /* served by the box's keeper (keeper_serve.c):
			       * the user's lock without waiting */
	unsigned long id;
	char hostname[64];
	char dir[128];        /* /run/loginbox/ID */
	int dirfd;            /* O_PATH|O_DIRECTORY on dir */
	pid_t owner_pid;      /* the login process (sshd, su, login) */
	int owner_pidfd;      /* held by init: the box ends with its login */
	unsigned long long owner_start; /* its start time (proc.h) */
	int logins_fd;        /* listening root-only socket (logins.h) */
	int user_lock_fd;     /* session = user: the per-user lock, held */
	char hash[20];        /* of the resolved policy (join.c) */

	/* cgroup */
	bool have_cgroup;
	char cg_path[256];    /* absolute path of the session node */
	int cgfd;             /* session node, for CLONE_INTO_CGROUP */
	int login_cgfd;       /* this login's leaf login-PID, or -1 */
	bool have_devcg;      /* the device program is attached (devcg.c) */
	bool use_lxcfs;       /* lxcfs = yes and LXCFS is running */

	/* the built box */
	int control_fd;       /* listening control socket, inherited by init */
	pid_t init_pid;
	int init_pidfd;
	int netns_fd;
	int host_mntns_fd;    /* to leave the private mount ns on abort */
	int persist_lock_fd;  /* flock on a persistent upper, held by init */

	/* seccomp program, compiled in the helper, used by init for spawns */
	void *bpf;
	size_t bpf_len;

	/* devices = ...: nodes, mounts, environment (cdi.h), or NULL */
	struct lb_devset *devs;

	/* disk/persistent upper, removed on teardown when not persistent */
	char upper_dir[256];

	/* network (net.c): also in the state file, for teardown, gc, show */
	char net_mode[8];     /* none | bridge | pasta */
	char net_if[16];      /* host end of the veth pair, "" if none */
	char net_addr[16];    /* the box's IPv4 address, "" if none */
	char net_addr6[48];   /* its IPv6 address (bridge_subnet6), "" if none */

	/* How long each step of box_open took (bench/, loginbox run --timing) */
	int n_phases;
	struct {
		const char *name;
		uint64_t usec;
	} phase[16];
	uint64_t t_mark;
};

/* Close the current phase: record the time since the previous mark. */
void box_phase(struct lb_box *b, const char *name);

void box_init(struct lb_box *b);

/* box.c: the whole "open" step, and the init entry point. */
int box_open(struct lb_box *b, const char *user, const char *service,
	     pid_t owner_pid, struct lb_err *err);

/*
 * Everything of "open" before joining or building: the user, the policy,
 * the login process (owner_pidfd: a pidfd of owner_pid, taken over, whose
 * pid the caller has checked; -1: open one, owner_pid must be our parent),
 * devices, ids and maps, the user's stale boxes.  box_open is this, then
 * join_box, then the build; the keeper (keeper_serve.c) is this, then
 * join_box only.
 */
int box_resolve(struct lb_box *b, const char *user, const char *service,
		pid_t owner_pid, int owner_pidfd, struct lb_err *err);

/* session.c: the builder's part (the rest: session.h) */
int session_create(struct lb_box *b, struct lb_err *err);
int session_write_state(const struct lb_box *b, struct lb_err *err);

/* subid_source.c: /etc/subuid|subgid, or libsubid when nsswitch.conf
 * names another `subid:` source. */
int subid_source_lookup(bool gid, const struct lb_user *u, uint32_t need,
		 struct lb_subid_range *out, struct lb_err *err);

/* devices.c: the policy's device nodes in the box's /dev, their mounts */
int devices_nodes(const struct lb_box *b, int rootfd, struct lb_err *err);
int devices_mounts(const struct lb_box *b, int rootfd, struct lb_err *err);
/* In the box's init, after pivot_root: ldconfig for update-ldcache. */
int devices_ldconfig(const struct lb_box *b, struct lb_err *err);

/* limits.c: the session's node loginbox/uUID/sID, controllers enabled
 * and the policy's limits written (killing and removal: cgroup.h). */
int cg_create(struct lb_box *b, struct lb_err *err);
/* limits.c: before init exists, its leaf init/ (the fd, init is cloned
 * into it) and the node's cgroup.procs given to box root; the moment init
 * is born there (before its maps: it has run nothing), cg_init_leaf_seal
 * gives init/cgroup.procs back to host root; cg_box_leaves enables the
 * controllers below the node (cg_enable_below: every controller dfd
 * has). */
int cg_init_leaf(struct lb_box *b, struct lb_err *err);
int cg_init_leaf_seal(struct lb_box *b, int leaf, struct lb_err *err);
int cg_box_leaves(struct lb_box *b, struct lb_err *err);
int cg_enable_below(int dfd, struct lb_err *err);
/* devcg.c: the device program on the box's v2 node */
int devcg_attach(struct lb_box *b, struct lb_err *err);

/* rootfs.c + mounts.c: build the root under b->dir/root in the helper's
 * private mount namespace. */
int rootfs_build(struct lb_box *b, struct lb_err *err);
int mounts_populate(struct lb_box *b, int rootfd, struct lb_err *err);
/* kfs.c: /proc and /sys with their masks, in init's pid and net
 * namespaces, before init copies the mount namespace. */
int kfs_mount(const struct lb_box *b, struct lb_err *err);

/* init.c: the helper's argv area, which init overwrites so that the box
 * sees "loginbox-init" in /proc/1/cmdline rather than the helper's
 * arguments (user and service). */
extern char *init_title_area;
extern size_t init_title_len;

/* init.c: runs in the clone child; never returns. */
struct init_args {
	struct lb_box *box;
	int sync_fd; /* socketpair end to the helper */
};
int init_main(void *arg);

/* caps.c */
int caps_drop_bounding(uint64_t keep, struct lb_err *err);
int caps_set_final(uint64_t keep, bool root_inside, struct lb_err *err);

/* seccomp.c: the policy's filters as one buffer of programs (NULL for
 * seccomp = none), and loading them all. */
int sc_compile(const struct lb_policy *pol, void **prog, size_t *len,
	       struct lb_err *err);
int sc_load(const void *prog, size_t len, struct lb_err *err);

#endif
