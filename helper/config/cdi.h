/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices a policy gives a box (`devices = ...` in loginbox.conf(5)):
 * plain host device paths (/dev/kvm) and Container Device Interface
 * names (nvidia.com/gpu=0), resolved into the nodes, read-only mounts
 * and environment the box gets.
 *
 * CDI spec files (*.json, *.yaml, *.yml) are read from /etc/cdi and /var/run/cdi (a device in
 * both: /var/run/cdi wins, as the CDI spec says).  They are checked like
 * config files (lb_trusted_read: root-owned, not group/world-writable,
 * no symlink) because whoever writes them decides which host files a
 * box sees.  The subset understood: cdiVersion 0.3.0 to 0.8.0, kind,
 * devices[].name, containerEdits with env, deviceNodes (path, hostPath),
 * mounts (hostPath, containerPath, bind only; always mounted read-only,
 * nosuid, nodev) and hooks, of which only the library cache update is
 * supported (as ldconfig run inside the box, never by host root).
 */
#ifndef LB_CDI_H
#define LB_CDI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"

#define LB_DEV_MAX_NODES 64
#define LB_DEV_MAX_MOUNTS 256
#define LB_DEV_MAX_ENV 64
#define LB_DEV_PATH_MAX 256

struct lb_dev_node {
	char path[LB_DEV_PATH_MAX]; /* in the box, under /dev/ */
	char host[LB_DEV_PATH_MAX]; /* on the host */
	mode_t type;                /* S_IFCHR or S_IFBLK */
	dev_t rdev;
};

struct lb_dev_mount {
	char host[LB_DEV_PATH_MAX];
	char target[LB_DEV_PATH_MAX]; /* absolute, in the box */
};

struct lb_devset {
	int n_nodes, n_mounts, n_env;
	struct lb_dev_node nodes[LB_DEV_MAX_NODES];
	struct lb_dev_mount mounts[LB_DEV_MAX_MOUNTS];
	char env[LB_DEV_MAX_ENV][512]; /* NAME=VALUE */
	bool ldconfig;                 /* a spec asked for the cache update */
	int n_ld_dirs;                 /* its --folder arguments */
	char ld_dirs[8][LB_DEV_PATH_MAX];
};

/* The spec directories, lowest priority first. */
extern const char *const lb_cdi_dirs[];

/* cdi_names.c: is `s` a device name the config accepts (syntax only)?
 * A "vendor/class" kind?  An absolute path without "..", "." or "//"? */
bool lb_device_name_valid(const char *s);
bool lb_cdi_kind_valid(const char *s, size_t len);
bool lb_dev_path_valid(const char *s);

/*
 * Add device `name` (a /dev path or a CDI name) to `out`, reading specs
 * from `dirs` (NULL-terminated, lowest priority first).  check_owner is
 * false only in unit tests.  Errors name the spec file and the device.
 */
int lb_device_resolve(const char *name, const char *const *dirs,
		      bool check_owner, struct lb_devset *out,
		      struct lb_err *err);

/* cdi_yaml.c: a YAML spec as the json-c tree parse_json builds (aliases,
 * tags, several documents and duplicate keys refused); NULL on error. */
struct json_object;
struct json_object *lb_cdi_yaml_parse(const char *text, size_t len,
				      const char *file, struct lb_err *err);

/* Is `name` a spec file name we read (*.json, *.yaml, *.yml)? */
bool lb_cdi_spec_name(const char *name);

/*
 * Look for kind/dev in spec text read from `file` (its suffix picks the
 * format): 1 found (edits applied to out), 0 not there, <0 error naming
 * the file.  What spec_lookup does after the trusted read; the fuzz
 * target calls it directly.
 */
int lb_cdi_spec_text(const char *text, size_t len, const char *file,
		     const char *kind, const char *dev, struct lb_devset *out,
		     struct lb_err *err);

/* Every device of the policy (lb_cdi_dirs, owner checked); out zeroed. */
int lb_devices_resolve(const struct lb_policy *p, struct lb_devset *out,
		       struct lb_err *err);

#endif
