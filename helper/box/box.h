/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the helper knows about the box it builds.  Filled step by step by
 * box_open() (box.c); each concern lives in its own file:
 *
 *   session.c   session ids, /run/loginbox/ID, the state file
 *   cgroup.c    the cgroup v2 nodes (loginbox/uUID/sID), kill, removal
 *   userns.c    user namespaces: the idmap namespace, writing the maps
 *   rootfs.c    the root: idmapped lower layer, upper layer, overlay
 *   mounts.c    what goes on top: /dev, /tmp, /run, home, masks
 *   kfs.c       /proc and /sys with runc's masks, locked in the box
 *   fsutil.c    fd-based path handling (openat2 RESOLVE_IN_ROOT), rm -rf
 *   init.c      the box's PID 1: finishing the root inside, event loop
 *   net.c       bringing lo up
 *   spawn.c     starting a program inside: pty, privilege drop, exec
 *   caps.c      bounding set and capabilities
 *   seccomp.c   the seccomp filter
 *   teardown.c  ending a box, gc
 */
#ifndef LB_BOX_H
#define LB_BOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"
#include "idmap.h"
#include "subid.h"
#include "user.h"

#define LB_MAX_KEEP_GIDS (LB_MAX_KEEP_GROUPS + 1)

struct lb_box {
	/* identity and policy */
	struct lb_user user;
	struct lb_policy pol;
	char service[64];
	struct lb_subid_range subuid, subgid;
	struct lb_idmap uidmap, gidmap;       /* the box's user namespace */
	struct lb_idmap img_uidmap, img_gidmap; /* idmapped lower layer */
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
void box_release(struct lb_box *b);

/* box.c: the whole "open" step, and the init entry point. */
int box_open(struct lb_box *b, const char *user, const char *service,
	     pid_t owner_pid, struct lb_err *err);

/* session.c */
int session_create(struct lb_box *b, struct lb_err *err);
int session_write_state(const struct lb_box *b, struct lb_err *err);

struct lb_state {
	unsigned long id;
	char user[64];
	uid_t uid;
	pid_t init_pid;
	unsigned long long init_start;  /* /proc/PID/stat starttime */
	pid_t owner_pid;
	unsigned long long owner_start;
	char service[64];
	char image[64];
	char image_version[65];         /* "" for host or a directory image */
	char cgroup[256];
	char upper[16];
	char upper_dir[256];
	long long created;              /* unix time */
	char session[8];                /* "user" or "login" */
	char hash[20];                  /* policy hash (join.c) */
	char net_mode[8];
	char net_if[16];
	char net_addr[16];
	int n_phases;                   /* phase.NAME=usec lines */
	char phase_name[16][24];
	unsigned long long phase_usec[16];
};

int session_read_state(unsigned long id, struct lb_state *st,
		       struct lb_err *err);
/* Parse a state file's text (NUL-terminated, cut up in place) into st. */
void session_parse_state(char *buf, struct lb_state *st);
/* Iterate over session ids in LB_RUNDIR; returns the count, ids in *out
 * (malloc'ed). */
int session_list(unsigned long **out, struct lb_err *err);
int session_parse_id(const char *s, unsigned long *id);
/* flock /run/loginbox/users/UID.lock, waiting at most timeout_ms; the fd,
 * or <0 (-EWOULDBLOCK, err untouched, when timeout_ms is 0 and it is held). */
int session_lock_user(uid_t uid, unsigned timeout_ms, struct lb_err *err);
/* The name of session id's disk upper under LB_DISK_DIR: ID-BOOTID. */
int session_upper_name(unsigned long id, char *out, size_t len,
		       struct lb_err *err);

#include "proc.h"

/* subid_source.c: /etc/subuid|subgid, or libsubid when nsswitch.conf
 * names another `subid:` source. */
int subid_lookup(bool gid, const struct lb_user *u, uint32_t need,
		 struct lb_subid_range *out, struct lb_err *err);

/* devices.c: the policy's device nodes in the box's /dev, their mounts */
int devices_nodes(const struct lb_box *b, int rootfd, struct lb_err *err);
int devices_mounts(const struct lb_box *b, int rootfd, struct lb_err *err);
/* In the box's init, after pivot_root: ldconfig for update-ldcache. */
int devices_ldconfig(const struct lb_box *b, struct lb_err *err);

/* cgroup.c */
int cg_create(struct lb_box *b, struct lb_err *err);
/* limits.c: enable controllers and write the policy's limits. */
int cg_apply_limits(struct lb_box *b, int rootfd, int lbfd, int ufd,
		    struct lb_err *err);
int cg_kill_and_remove(const char *cg_path, struct lb_err *err);
/* mount point of the cgroup v2 hierarchy, or NULL; *pure says whether it
 * is the only hierarchy (no v1 controllers). */
const char *cg_v2_root(bool *pure);

/* userns.c */
struct clone_args;
/* clone3 (flags must hold CLONE_NEWUSER) with the new user namespace owned
 * by `owner`, the user's first subordinate uid; 0 in the child. */
pid_t userns_clone_owned(struct clone_args *ca, uid_t owner,
			 struct lb_err *err);
int userns_make_idmap_fd(const struct lb_idmap *uids,
			 const struct lb_idmap *gids, uid_t owner,
			 struct lb_err *err);
int userns_write_maps(pid_t pid, const struct lb_idmap *uids,
		      const struct lb_idmap *gids, bool setgroups_allow,
		      struct lb_err *err);

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

/* net.c */
int net_lo_up(struct lb_err *err);

/*
 * One table of operations per network mode (net.c), chosen once from the
 * policy: setup runs in the helper once the box's netns exists (b->netns_fd),
 * teardown from the state file; both are per BOX, never per login.
 */
struct lb_net_ops {
	const char *name;
	int (*setup)(struct lb_box *b, struct lb_err *err);
	void (*teardown)(const struct lb_state *st);
	void (*gc)(bool verbose);
};
extern const struct lb_net_ops net_ops_none, net_ops_bridge, net_ops_pasta;
const struct lb_net_ops *net_ops_for(enum lb_network m);
int net_setup(struct lb_box *b, struct lb_err *err);
void net_teardown(const struct lb_state *st);
void net_gc(bool verbose);
/* net_bridge.c: the box's own /etc/resolv.conf (network = bridge), in the
 * session's upper; rootfd is the new root. */
int net_resolv_conf(const struct lb_box *b, int rootfd, struct lb_err *err);

/* net_pasta.c: the box's /etc/resolv.conf (network = pasta); box ID's
 * pasta process and its uid, from its record (0, or <0 if none). */
int net_pasta_resolv_conf(const struct lb_box *b, int rootfd,
			  struct lb_err *err);
int net_pasta_read(unsigned long id, uid_t *uid, pid_t *pid);

/* nft.c: libnftables, one transaction per call; out gets the output
 * (list commands) when non-NULL. */
int nft_run(const char *cmds, char *out, size_t outlen, struct lb_err *err);

/* rtnl.c: the few rtnetlink requests a veth pair needs. */
int rtnl_open(struct lb_err *err);
int rtnl_veth(int fd, const char *name, const char *peer, int peer_netns_fd,
	      struct lb_err *err);
int rtnl_addr_p2p(int fd, int ifindex, uint32_t local, uint32_t peer,
		  struct lb_err *err);
int rtnl_up(int fd, int ifindex, struct lb_err *err);
int rtnl_default_route(int fd, int ifindex, uint32_t gw, struct lb_err *err);
int rtnl_del(int fd, const char *name); /* -errno */

/* caps.c */
int caps_drop_bounding(uint64_t keep, struct lb_err *err);
int caps_set_final(uint64_t keep, bool root_inside, struct lb_err *err);

/* seccomp.c: the policy's filters as one buffer of programs (NULL for
 * seccomp = none), and loading them all. */
int sc_compile(const struct lb_policy *pol, void **prog, size_t *len,
	       struct lb_err *err);
int sc_load(const void *prog, size_t len, struct lb_err *err);

/* teardown.c */
int teardown_session(unsigned long id, struct lb_err *err);
/* The same, for a caller that holds the user's lock (session_lock_user). */
int teardown_session_held(unsigned long id, struct lb_err *err);
/* Tear down boxes whose login or init is gone; returns how many. */
int teardown_gc(bool verbose, struct lb_err *err);
/* The same for one user's boxes only (the login path: another user's slow
 * teardown is never this login's business). */
int teardown_gc_user(uid_t uid, struct lb_err *err);

#endif
