// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resolving the devices of a policy (cdi.h).  JSON specs are parsed with
 * json-c, depth-bounded, YAML specs into the same json-c tree by
 * cdi_yaml.c; every field we use is type-checked, and a spec
 * we do not fully understand is refused whole, naming the file: half of a
 * spec would be a box with some of a driver's nodes but not its
 * libraries, or libraries without the hook that makes them loadable.
 */
#include "cdi.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macros.h"
#include "trusted_file.h"

const char *const lb_cdi_dirs[] = {"/etc/cdi", "/var/run/cdi", NULL};

#define CDI_SPEC_MAX (4U << 20) /* bytes of one spec file */
#define CDI_DEPTH 16

static const char *const cdi_versions[] = {"0.3.0", "0.4.0", "0.5.0",
					   "0.6.0", "0.7.0", "0.8.0", NULL};

/* --- building the set ---------------------------------------------------- */

static int add_node(struct lb_devset *out, const char *path, const char *host,
		    const char *file, struct lb_err *err)
{
	struct stat st;
	int i;

	if (!lb_dev_path_valid(path) || strncmp(path, "/dev/", 5) != 0)
		return lb_fail(err, 0, "%s: device node path \"%s\" is not a "
				       "path under /dev/", file, path);
	if (!lb_dev_path_valid(host))
		return lb_fail(err, 0, "%s: device node host path \"%s\" is "
				       "not an absolute path", file, host);
	if (stat(host, &st) < 0) {
		lb_fail(err, errno, "%s: device node %s is missing", file,
			host);
		return lb_hint(err, "load the driver, or regenerate the CDI "
				    "spec (nvidia-ctk cdi generate)");
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return lb_fail(err, 0, "%s: %s is not a device node", file,
			       host);
	for (i = 0; i < out->n_nodes; i++)
		if (!strcmp(out->nodes[i].path, path))
			return 0;
	if (out->n_nodes >= LB_DEV_MAX_NODES)
		return lb_fail(err, 0, "%s: more than %d device nodes", file,
			       LB_DEV_MAX_NODES);
	snprintf(out->nodes[i].path, LB_DEV_PATH_MAX, "%s", path);
	snprintf(out->nodes[i].host, LB_DEV_PATH_MAX, "%s", host);
	out->nodes[i].type = st.st_mode & S_IFMT;
	out->nodes[i].rdev = st.st_rdev;
	out->n_nodes++;
	return 0;
}

static const char *str_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An optional array field: NULL when absent, error when not an array. */
static int array_field(json_object *o, const char *key, json_object **arr,
		       const char *file, struct lb_err *err)
{
	*arr = NULL;
	if (!json_object_object_get_ex(o, key, arr) || !*arr ||
	    json_object_is_type(*arr, json_type_null)) {
		*arr = NULL;
		return 0;
	}
	if (!json_object_is_type(*arr, json_type_array))
		return lb_fail(err, 0, "%s: \"%s\" is not a list", file, key);
	return 0;
}

static int edit_env(json_object *edits, const char *file,
		    struct lb_devset *out, struct lb_err *err)
{
	json_object *arr;
	size_t i, n;
	int k;

	if (array_field(edits, "env", &arr, file, err) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *s, *eq;
		size_t nl;

		if (!json_object_is_type(v, json_type_string))
			return lb_fail(err, 0, "%s: env entry %zu is not a "
					       "string", file, i);
		s = json_object_get_string(v);
		eq = strchr(s, '=');
		if (!eq || eq == s || strlen(s) >= 512 ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
			      "wxyz0123456789_") != (size_t)(eq - s) ||
		    isdigit((unsigned char)s[0]))
			return lb_fail(err, 0, "%s: env entry \"%.60s\" is not "
					       "NAME=VALUE", file, s);
		/* LD_PRELOAD and friends from a spec would be run by every
		 * program of the box: the driver's libraries are found
		 * through the library cache instead. */
		if (!strncmp(s, "LD_", 3))
			return lb_fail(err, 0, "%s: env entry %.*s is refused "
					       "(loader variables)", file,
				       (int)(eq - s), s);
		nl = (size_t)(eq - s) + 1;
		for (k = 0; k < out->n_env; k++)
			if (!strncmp(out->env[k], s, nl))
				break;
		if (k == out->n_env && out->n_env >= LB_DEV_MAX_ENV)
			return lb_fail(err, 0, "%s: more than %d environment "
					       "variables", file,
				       LB_DEV_MAX_ENV);
		snprintf(out->env[k], sizeof(out->env[k]), "%s", s);
		if (k == out->n_env)
			out->n_env++;
	}
	return 0;
}

static int edit_nodes(json_object *edits, const char *file,
		      struct lb_devset *out, struct lb_err *err)
{
	json_object *arr;
	size_t i, n;

	if (array_field(edits, "deviceNodes", &arr, file, err) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *path, *host;

		if (!json_object_is_type(v, json_type_object) ||
		    !(path = str_field(v, "path")))
			return lb_fail(err, 0, "%s: deviceNodes entry %zu has "
					       "no path", file, i);
		host = str_field(v, "hostPath");
		if (add_node(out, path, host && host[0] ? host : path, file,
			     err) < 0)
			return -1;
	}
	return 0;
}

static int edit_mounts(json_object *edits, const char *file,
		       struct lb_devset *out, struct lb_err *err)
{
	json_object *arr;
	size_t i, n;
	int k;

	if (array_field(edits, "mounts", &arr, file, err) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *host, *target, *type;

		if (!json_object_is_type(v, json_type_object) ||
		    !(host = str_field(v, "hostPath")) ||
		    !(target = str_field(v, "containerPath")))
			return lb_fail(err, 0, "%s: mounts entry %zu needs "
					       "hostPath and containerPath",
				       file, i);
		type = str_field(v, "type");
		if (type && type[0] && strcmp(type, "bind") != 0)
			return lb_fail(err, 0, "%s: mount of %s has type %.40s"
					       "; only bind mounts are "
					       "supported", file, target, type);
		if (!lb_dev_path_valid(host) || !lb_dev_path_valid(target))
			return lb_fail(err, 0, "%s: mount %.100s -> %.100s: "
					       "not absolute paths", file,
				       host, target);
		if (!strncmp(target, "/proc", 5) || !strncmp(target, "/sys", 4))
			return lb_fail(err, 0, "%s: mount target %s is under "
					       "/proc or /sys", file, target);
		for (k = 0; k < out->n_mounts; k++)
			if (!strcmp(out->mounts[k].target, target))
				break;
		if (k < out->n_mounts)
			continue;
		if (out->n_mounts >= LB_DEV_MAX_MOUNTS)
			return lb_fail(err, 0, "%s: more than %d mounts", file,
				       LB_DEV_MAX_MOUNTS);
		snprintf(out->mounts[k].host, LB_DEV_PATH_MAX, "%s", host);
		snprintf(out->mounts[k].target, LB_DEV_PATH_MAX, "%s", target);
		out->n_mounts++;
	}
	return 0;
}

/* A hook is a program a spec names, meant to run as root against the
 * container's root: on a root the box can write that is host root
 * running whatever the box planted.  Only the library cache update is
 * honoured, as ldconfig inside the box (with the box's own rights). */
static int edit_hooks(json_object *edits, const char *file,
		      struct lb_devset *out, struct lb_err *err)
{
	json_object *arr;
	size_t i, n;

	if (array_field(edits, "hooks", &arr, file, err) < 0)
		return -1;
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i), *args;
		const char *path = NULL;
		bool ldcache = false;
		size_t j, na;

		if (json_object_is_type(v, json_type_object))
			path = str_field(v, "path");
		if (!path)
			return lb_fail(err, 0, "%s: hooks entry %zu has no "
					       "path", file, i);
		if (array_field(v, "args", &args, file, err) < 0)
			return -1;
		na = args ? json_object_array_length(args) : 0;
		for (j = 0; j < na; j++) {
			json_object *a = json_object_array_get_idx(args, j);

			if (json_object_is_type(a, json_type_string) &&
			    !strcmp(json_object_get_string(a),
				    "update-ldcache"))
				ldcache = true;
		}
		/* nvidia-ctk hook update-ldcache --folder DIR ...: the
		 * directories go to ldconfig's command line. */
		for (j = 0; ldcache && j + 1 < na; j++) {
			json_object *a = json_object_array_get_idx(args, j);
			json_object *d = json_object_array_get_idx(args, j + 1);
			const char *dir;
			int k;

			if (!json_object_is_type(a, json_type_string) ||
			    strcmp(json_object_get_string(a), "--folder") != 0)
				continue;
			if (!json_object_is_type(d, json_type_string) ||
			    !lb_dev_path_valid(dir = json_object_get_string(d)))
				return lb_fail(err, 0, "%s: update-ldcache "
						       "--folder needs an "
						       "absolute path", file);
			for (k = 0; k < out->n_ld_dirs; k++)
				if (!strcmp(out->ld_dirs[k], dir))
					break;
			if (k < out->n_ld_dirs)
				continue;
			if (out->n_ld_dirs >= (int)ARRAY_SIZE(out->ld_dirs))
				return lb_fail(err, 0, "%s: too many "
						       "update-ldcache folders",
					       file);
			snprintf(out->ld_dirs[out->n_ld_dirs++],
				 LB_DEV_PATH_MAX, "%s", dir);
		}
		if (!ldcache) {
			const char *a1 = NULL;

			if (na > 1 && json_object_is_type(
					      json_object_array_get_idx(args, na > 2 ? 2 : 1),
					      json_type_string))
				a1 = json_object_get_string(
					json_object_array_get_idx(args, na > 2 ? 2 : 1));
			lb_fail(err, 0, "%s: hook %.100s%s%.60s is not "
					"supported", file, path, a1 ? " " : "",
				a1 ? a1 : "");
			return lb_hint(err, "loginbox never runs a spec's hooks "
					    "as root; only update-ldcache is "
					    "supported (as ldconfig in the box)"
					    ": generate the spec without the "
					    "other hooks");
		}
		out->ldconfig = true;
	}
	return 0;
}

static int apply_edits(json_object *parent, const char *file,
		       struct lb_devset *out, struct lb_err *err)
{
	json_object *edits;

	if (!json_object_object_get_ex(parent, "containerEdits", &edits) ||
	    json_object_is_type(edits, json_type_null))
		return 0;
	if (!json_object_is_type(edits, json_type_object))
		return lb_fail(err, 0, "%s: containerEdits is not an object",
			       file);
	if (edit_env(edits, file, out, err) < 0 ||
	    edit_nodes(edits, file, out, err) < 0 ||
	    edit_mounts(edits, file, out, err) < 0 ||
	    edit_hooks(edits, file, out, err) < 0)
		return -1;
	return 0;
}

static json_object *parse_json(const char *text, size_t len, const char *file,
			       struct lb_err *err)
{
	struct json_tokener *tok = json_tokener_new_ex(CDI_DEPTH);
	json_object *root;
	enum json_tokener_error je;

	if (!tok) {
		lb_fail(err, ENOMEM, "json tokener");
		return NULL;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	je = json_tokener_get_error(tok);
	if (je == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len) {
		json_object_put(root);
		root = NULL;
		json_tokener_free(tok);
		lb_fail(err, 0, "%s: text after the JSON value", file);
		return NULL;
	}
	json_tokener_free(tok);
	if (!root || je != json_tokener_success) {
		json_object_put(root);
		lb_fail(err, 0, "%s: not valid JSON (%s)", file,
			json_tokener_error_desc(je == json_tokener_success
							? json_tokener_error_parse_eof
							: je));
		return NULL;
	}
	return root;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t l = strlen(s), n = strlen(suf);

	return l > n && !strcmp(s + l - n, suf);
}

bool lb_cdi_spec_name(const char *name)
{
	return name[0] != '.' &&
	       (has_suffix(name, ".json") || has_suffix(name, ".yaml") ||
		has_suffix(name, ".yml"));
}

/* The parsed tree of either format (cdi_yaml.c builds the same). */
static int spec_apply(json_object *root, const char *file, const char *kind,
		      const char *dev, struct lb_devset *out,
		      struct lb_err *err)
{
	json_object *devs, *v;
	const char *ver, *k;
	size_t i, n;

	if (!json_object_is_type(root, json_type_object))
		return lb_fail(err, 0, "%s: not a CDI spec (not a mapping)",
			       file);
	ver = str_field(root, "cdiVersion");
	k = str_field(root, "kind");
	if (!ver || !k)
		return lb_fail(err, 0, "%s: not a CDI spec (no cdiVersion or "
				       "kind)", file);
	for (i = 0; cdi_versions[i] && strcmp(cdi_versions[i], ver); i++)
		;
	if (!cdi_versions[i]) {
		lb_fail(err, 0, "%s: CDI version %.20s is not supported", file,
			ver);
		return lb_hint(err, "loginbox reads versions 0.3.0 to 0.8.0");
	}
	if (!lb_cdi_kind_valid(k, strlen(k)))
		return lb_fail(err, 0, "%s: kind \"%.60s\" is not "
				       "vendor/class", file, k);
	if (strcmp(k, kind) != 0)
		return 0;
	if (!json_object_object_get_ex(root, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array))
		return lb_fail(err, 0, "%s: no devices list", file);
	n = json_object_array_length(devs);
	for (i = 0; i < n; i++) {
		const char *dn;

		v = json_object_array_get_idx(devs, i);
		if (!json_object_is_type(v, json_type_object) ||
		    !(dn = str_field(v, "name")))
			return lb_fail(err, 0, "%s: device %zu has no name",
				       file, i);
		if (strcmp(dn, dev) != 0)
			continue;
		if (apply_edits(root, file, out, err) < 0 ||
		    apply_edits(v, file, out, err) < 0)
			return -1;
		return 1;
	}
	return 0;
}

int lb_cdi_spec_text(const char *text, size_t len, const char *file,
		     const char *kind, const char *dev, struct lb_devset *out,
		     struct lb_err *err)
{
	json_object *root;
	int r;

	if (has_suffix(file, ".json"))
		root = parse_json(text, len, file, err);
	else
		root = lb_cdi_yaml_parse(text, len, file, err);
	if (!root)
		return -1;
	r = spec_apply(root, file, kind, dev, out, err);
	json_object_put(root);
	return r;
}

/*
 * Look for kind/dev in one spec file.  1 found (edits applied to out),
 * 0 not this file's kind or no such device, <0 error.
 */
static int spec_lookup(int dirfd, const char *dir, const char *name,
		       const char *kind, const char *dev, bool check_owner,
		       struct lb_devset *out, struct lb_err *err)
{
	char file[512];
	cleanup_free char *text = NULL;
	size_t len;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	if (lb_trusted_read(dirfd, name, file, check_owner, CDI_SPEC_MAX,
			    &text, &len, err) < 0)
		return lb_prefix(err, "CDI spec");
	return lb_cdi_spec_text(text, len, file, kind, dev, out, err);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Look in one directory, spec files in name order.  1 found, 0 not. */
static int dir_lookup(const char *dir, const char *kind, const char *dev,
		      bool check_owner, struct lb_devset *out,
		      struct lb_err *err)
{
	cleanup_close int dfd = -1;
	char *names[256];
	int n = 0, i, r = 0;
	struct dirent *de;
	DIR *d;

	dfd = lb_trusted_open(AT_FDCWD, dir, dir, true, check_owner, err);
	if (dfd < 0) {
		if (err->errnum == ENOENT)
			return 0;
		return lb_prefix(err, "CDI spec directory");
	}
	d = fdopendir(dup(dfd));
	if (!d)
		return lb_fail(err, errno, "read %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (!lb_cdi_spec_name(de->d_name))
			continue;
		if (n >= (int)ARRAY_SIZE(names))
			break;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n && r == 0; i++)
		r = spec_lookup(dfd, dir, names[i], kind, dev, check_owner,
				out, err);
	for (i = 0; i < n; i++)
		free(names[i]);
	return r;
}

int lb_device_resolve(const char *name, const char *const *dirs,
		      bool check_owner, struct lb_devset *out,
		      struct lb_err *err)
{
	char kind[128];
	const char *eq;
	int nd, i, r;

	if (!lb_device_name_valid(name))
		return lb_fail(err, 0, "\"%.80s\" is not a device name", name);
	if (name[0] == '/')
		return add_node(out, name, name, "devices", err);
	eq = strchr(name, '=');
	if ((size_t)(eq - name) >= sizeof(kind))
		return lb_fail(err, 0, "device kind too long");
	memcpy(kind, name, (size_t)(eq - name));
	kind[eq - name] = '\0';
	for (nd = 0; dirs[nd]; nd++)
		;
	/* Highest priority first: the first directory with it wins. */
	for (i = nd - 1; i >= 0; i--) {
		r = dir_lookup(dirs[i], kind, eq + 1, check_owner, out, err);
		if (r < 0)
			return lb_prefix(err, "device %s", name);
		if (r > 0)
			return 0;
	}
	lb_fail(err, ENOENT, "device %s: no CDI spec in %s defines it", name,
		"/etc/cdi or /var/run/cdi");
	return lb_hint(err, "generate the spec (for NVIDIA: nvidia-ctk cdi "
			    "generate --output=/etc/cdi/nvidia.yaml) or fix "
			    "the name (nvidia-ctk cdi list)");
}

int lb_devices_resolve(const struct lb_policy *p, struct lb_devset *out,
		       struct lb_err *err)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < p->n_devices; i++)
		if (lb_device_resolve(p->devices[i], lb_cdi_dirs, true, out,
				      err) < 0)
			return -1;
	return 0;
}
