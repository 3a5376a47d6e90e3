/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config, wrapped once: read strictly into a typed, immutable policy.
 *
 * /etc/loginbox/loginbox.conf, then /etc/loginbox/conf.d/ *.conf sorted by
 * name, are opened with O_NOFOLLOW, checked (regular file, owned by root, not
 * group/world writable; same for the directories), handed to iniparser 4.1
 * through /proc/self/fd/N, and turned into an immutable typed struct
 * lb_config.  Every value is read as a string and parsed strictly
 * (strparse.h).  Unknown sections and keys and bad values are errors naming
 * file, section and key.
 *
 * The files merge like systemd drop-ins: a section may appear in several
 * files, and for each section and key the last file's value wins (a list is
 * replaced whole); an empty value puts the key back to its default, as if no
 * earlier file had set it.  Within one file a section or a key appears once.
 * Each set key remembers its file so that `loginbox policy` can say where
 * every effective value came from.
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "egress.h"

#define LB_NAME_MAX 64      /* image, user and group names */
#define LB_SECTION_MAX 80   /* "group." + name */
#define LB_TEMPLATE_MAX 64  /* hostname template */
#define LB_MAX_SECTIONS 256
#define LB_MAX_KEEP_GROUPS 16
#define LB_MAX_IO 8
#define LB_MAX_DEVICES 16
#define LB_DEVICE_NAME_MAX 128

enum lb_on_error { LB_ON_ERROR_DENY, LB_ON_ERROR_ALLOW };
enum lb_network { LB_NET_NONE, LB_NET_BRIDGE, LB_NET_PASTA };
enum lb_inside { LB_INSIDE_SELF, LB_INSIDE_ROOT };
enum lb_upper { LB_UPPER_TMPFS, LB_UPPER_DISK, LB_UPPER_PERSISTENT };
enum lb_home { LB_HOME_BIND, LB_HOME_TMPFS, LB_HOME_NONE };
enum lb_seccomp { LB_SECCOMP_DEFAULT, LB_SECCOMP_NONE, LB_SECCOMP_STRICT };
enum lb_limits { LB_LIMITS_BEST_EFFORT, LB_LIMITS_REQUIRED };
/* user: one box per user, every login joins it; login: one per login */
enum lb_session { LB_SESSION_USER, LB_SESSION_LOGIN };

/* One io_max line: "DEVICE rbps=.. wbps=.. riops=.. wiops=.." (major:minor). */
struct lb_io_max {
	unsigned major, minor;
	uint64_t rbps, wbps, riops, wiops; /* LB_UNLIMITED = not set / max */
};

/* cgroup v2 limits; LB_UNLIMITED means "not set" for every field. */
struct lb_limits_set {
	uint64_t memory_max, memory_high, memory_swap_max; /* bytes */
	uint64_t cpu_max;    /* millicores */
	uint64_t cpu_weight; /* 1..10000 */
	uint64_t pids_max;
	uint64_t io_weight;  /* 1..10000 */
	int n_io;
	struct lb_io_max io_max[LB_MAX_IO];
};

/*
 * The effective policy for one user.  Defaults (documented in
 * loginbox.conf(5)) are filled by lb_policy_defaults(); a winning group
 * section overlays them, then a [user.NAME] section overlays that.
 */
struct lb_policy {
	bool boxed;                    /* box = yes|no */
	char section[LB_SECTION_MAX];  /* winning section, "" for none */
	char user_section[LB_SECTION_MAX]; /* [user.X] that overlaid it, or "" */
	char source[256];              /* first file with `section` (see
					  lb_policy_origin for each key's) */
	int priority;

	char image[LB_NAME_MAX];       /* "host" or a directory name */
	enum lb_network network;
	char net_subnet[24];           /* [global] bridge_subnet, IPv4 CIDR */
	char net_dns[48];              /* [global] bridge_dns, IPv4 address */
	char net_subnet6[48];          /* [global] bridge_subnet6, IPv6 CIDR */
	char egress[LB_EGRESS_MAX];    /* any | none | LIST (egress.h) */
	char hostname[LB_TEMPLATE_MAX]; /* template, %u %h %s %% */
	enum lb_inside inside_uid;
	enum lb_upper upper;
	uint64_t upper_size;           /* bytes or LB_UNLIMITED: bound of the upper layer */
	enum lb_home home;
	uint64_t tmpfs_size;           /* bytes; /tmp, /dev/shm, a tmpfs home (each) */
	char shell[256];               /* absolute path inside the box */
	enum lb_seccomp seccomp;
	uint64_t caps;                 /* bounding set for root-in-box, bit = CAP_* */
	bool nested_userns;            /* user namespaces inside the box */
	int n_keep_groups;             /* host groups kept inside (if member) */
	char keep_groups[LB_MAX_KEEP_GROUPS][LB_NAME_MAX];
	enum lb_on_error on_error;
	enum lb_limits limits;         /* required | best-effort */

	struct lb_limits_set session;  /* per session */
	struct lb_limits_set user;     /* user_* keys: all sessions of a user */

	enum lb_session session_mode;  /* session = user | login */
	uint64_t linger;               /* seconds; 0 no, LB_UNLIMITED yes */
	uint64_t max_linger;           /* seconds: the cap of linger */
	int n_devices;                 /* devices = /dev paths, CDI names (cdi.h) */
	char devices[LB_MAX_DEVICES][LB_DEVICE_NAME_MAX];
	uint64_t shm_size;             /* bytes of /dev/shm; LB_UNLIMITED = default */
	bool lxcfs;                    /* /proc files from LXCFS (kfs_lxcfs.c) */
};

/*
 * Key ids: bit (1 << id) in lb_section.set_mask records that a section set
 * the key.  The order is the order of `loginbox policy` output.
 */
enum lb_key {
	LB_KEY_BOX,
	LB_KEY_IMAGE,
	LB_KEY_NETWORK,
	LB_KEY_EGRESS,
	LB_KEY_HOSTNAME,
	LB_KEY_INSIDE_UID,
	LB_KEY_UPPER,
	LB_KEY_UPPER_SIZE,
	LB_KEY_HOME,
	LB_KEY_TMPFS_SIZE,
	LB_KEY_SHELL,
	LB_KEY_SECCOMP,
	LB_KEY_CAPABILITIES,
	LB_KEY_NESTED_USERNS,
	LB_KEY_GROUPS,
	LB_KEY_PRIORITY,
	LB_KEY_ON_ERROR,
	LB_KEY_LIMITS,
	/* per session (lb_policy.session) */
	LB_KEY_MEMORY_MAX,
	LB_KEY_MEMORY_HIGH,
	LB_KEY_MEMORY_SWAP_MAX,
	LB_KEY_CPU_MAX,
	LB_KEY_CPU_WEIGHT,
	LB_KEY_PIDS_MAX,
	LB_KEY_IO_WEIGHT,
	LB_KEY_IO_MAX,
	/* all sessions of a user (lb_policy.user), "user_" + the above */
	LB_KEY_USER_MEMORY_MAX,
	LB_KEY_USER_MEMORY_HIGH,
	LB_KEY_USER_MEMORY_SWAP_MAX,
	LB_KEY_USER_CPU_MAX,
	LB_KEY_USER_CPU_WEIGHT,
	LB_KEY_USER_PIDS_MAX,
	LB_KEY_USER_IO_WEIGHT,
	LB_KEY_USER_IO_MAX,
	LB_KEY_SESSION,
	LB_KEY_LINGER,
	LB_KEY_MAX_LINGER,
	LB_KEY_DEVICES,
	LB_KEY_SHM_SIZE,
	LB_KEY_LXCFS,
	LB_KEY__COUNT
};

#define LB_KEY_BIT(k) (1ULL << (k))

/* One parsed section: the keys it set (bitmask over lb_key ids) and values. */
struct lb_section {
	char name[LB_SECTION_MAX]; /* "group.students", "user.alice" */
	char source[256];          /* file it came from */
	enum { LB_SEC_GROUP, LB_SEC_USER } kind;
	char target[LB_NAME_MAX];  /* group or user name */
	uint64_t set_mask;         /* which keys this section sets */
	struct lb_policy values;   /* only the fields in set_mask are meaningful */
	uint64_t file_mask;        /* bit i: lb_config.files[i] has this section */
	uint8_t key_file[LB_KEY__COUNT]; /* index in lb_config.files of the
					    file whose value won */
};

#define LB_MAX_FILES 64 /* loginbox.conf + conf.d (bits of file_mask) */

struct lb_config {
	/* [global] */
	enum lb_on_error on_error;
	enum lb_limits limits;
	uint64_t max_linger;       /* when LB_KEY_MAX_LINGER is in global_mask */
	char net_subnet[24];       /* bridge_subnet (net_bridge.c) */
	char net_dns[48];          /* bridge_dns */
	char net_subnet6[48];      /* bridge_subnet6 */
	char default_section[LB_SECTION_MAX]; /* "" = none: unmatched users not boxed */
	char default_source[256];  /* file whose default = won, "" if none */
	char global_source[256];   /* first file with [global], "" if none */
	uint64_t global_mask;      /* table keys set in [global] (on_error, limits) */
	uint8_t global_file[LB_KEY__COUNT]; /* index in files[] of each */
	struct {                   /* [global] image_*: 0 = built-in default */
		uint64_t max_bytes, max_entries, max_path, max_ratio;
		bool keep_setuid;
	} image;
	int n_sections;
	int n_files;
	/* The two tables stay last: lb_config_init clears everything
	 * before them, and each entry as it is filled. */
	struct lb_section sections[LB_MAX_SECTIONS];
	char files[LB_MAX_FILES][256]; /* files read, in order */
};

/* Where one effective value of a policy came from. */
struct lb_origin {
	char file[256];               /* "" = built-in default */
	char section[LB_SECTION_MAX]; /* "global", "group.x", "user.x" */
};

/* Per key of a resolved policy (lb_policy_origin, `loginbox policy`). */
struct lb_policy_origin {
	struct lb_origin key[LB_KEY__COUNT];
	char section_files[512];      /* files holding lb_policy.section */
	char user_files[512];         /* files holding lb_policy.user_section */
};

/* Fill the built-in defaults (image=host, network=none, hostname=%u-box,
 * inside_uid=self, upper=tmpfs, upper_size=1G, home=bind, tmpfs_size=1G,
 * shell=/bin/bash,
 * seccomp=default, capabilities=default, priority=0, box=yes, limits unset). */
void lb_policy_defaults(struct lb_policy *p);
/* config_net.c: the [global] network keys (bridge_subnet, bridge_dns). */
int lb_net_global(struct lb_config *cfg, const char *key, const char *val,
		  struct lb_err *err);
void lb_policy_net_globals(const struct lb_config *cfg, struct lb_policy *p);
/* `loginbox check`: what network = bridge needs; <0 when a section
 * cannot work (printed on out). */
int lb_net_check(const struct lb_config *cfg, FILE *out);
/* config_pasta.c: network = pasta.  The nameservers pasta forwards the
 * box's DNS to ("nameserver X" lines, loopback ones left out), their
 * count; `loginbox check`'s findings, <0 when a section cannot work. */
#define LB_PASTA_BIN "/usr/bin/pasta"
int lb_pasta_resolvers(char *out, size_t len, const char **source);
int lb_net_check_pasta(const struct lb_config *cfg, FILE *out);
/* "A.B.C.D/N", N in 16..29: network and prefix (host order). */
int lb_net_parse_subnet(const char *s, uint32_t *net, int *prefix);
/* "X:X::/N", N in 64..112, no host bits: network and prefix. */
int lb_net_parse_subnet6(const char *s, uint8_t net[16], int *prefix);

/* The capability set "capabilities = default" stands for. */
uint64_t lb_caps_default(void);

/*
 * Load the system config (LB_CONF_FILE + LB_CONF_DIR/ *.conf).  A missing
 * main file is an error; a missing conf.d is fine.  `cfg` is zeroed first.
 */
int lb_config_load(struct lb_config *cfg, struct lb_err *err);
/* [global] image_* keys (config_image.c): 1 if key is one, 0 if not. */
int lb_config_image_key(struct lb_config *cfg, const char *key,
			const char *val, struct lb_err *err);

/* The same for DIR/loginbox.conf + DIR/conf.d/ *.conf (lb_config_load is
 * this with LB_SYSCONFDIR; unit tests use a temporary directory, with
 * check_owner false as for lb_config_load_file). */
int lb_config_load_dir(struct lb_config *cfg, const char *dir,
		       bool check_owner, struct lb_err *err);

/* Load one file only (for `loginbox check FILE` and unit tests).  When
 * check_owner is false the root-ownership check is skipped (unit tests run
 * unprivileged); the group/world-writable check always applies. */
int lb_config_load_file(struct lb_config *cfg, const char *path,
			bool check_owner, struct lb_err *err);

/* Parse a config from an in-memory string (unit tests, fuzzing).  `name`
 * is used as the file name in messages. */
int lb_config_parse_string(struct lb_config *cfg, const char *text,
			   const char *name, struct lb_err *err);

/*
 * Building a config from several sources, as lb_config_load does:
 * lb_config_init zeroes cfg; each lb_config_add_* merges one more file
 * into it (its values win over earlier ones);
 * lb_config_finish runs the checks that need every file ([global] default
 * must name a defined section).  lb_config_load_file and
 * lb_config_parse_string are init + add + finish.
 */
void lb_config_init(struct lb_config *cfg);
int lb_config_add_file(struct lb_config *cfg, const char *path,
		       bool check_owner, struct lb_err *err);
int lb_config_add_string(struct lb_config *cfg, const char *text,
			 const char *name, struct lb_err *err);
int lb_config_finish(struct lb_config *cfg, struct lb_err *err);

/* The section called `name` ("group.students"), or NULL. */
const struct lb_section *lb_config_find(const struct lb_config *cfg,
					const char *name);

/* Config spelling of a key ("memory_max"); NULL for an invalid id. */
const char *lb_config_key_name(enum lb_key key);

/* Print the effective policy as INI-like "key = value" lines; with `o`
 * (may be NULL) each line ends in a comment naming the value's file and
 * section, or saying it is the built-in default. */
struct _IO_FILE;
void lb_policy_print(const struct lb_policy *p, struct _IO_FILE *out);
void lb_policy_print_origin(const struct lb_policy *p,
			    const struct lb_policy_origin *o,
			    struct _IO_FILE *out);

#endif
