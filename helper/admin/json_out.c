// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON output of the admin command (json_out.h), written with json-c so
 * every string is escaped right: user names, image names and config file
 * paths are the admin's, but a state file or cgroup value must never be
 * able to break the document a monitoring tool parses.
 */
#include "json_out.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../box/session.h"
#include "config_keys.h"
#include "policy.h"
#include "proc.h"
#include "user.h"

static int fail(const struct lb_err *err)
{
	char text[1200];

	fprintf(stderr, "loginbox: %s\n", lb_err_text(err, text, sizeof(text)));
	return 1;
}

static int root_only(void)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "loginbox: this command must be run as root\n");
	return -1;
}

/* Print and free; 1 when stdout fails (a full disk, a closed pipe). */
static int emit(json_object *o)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = printf("%s\n", s) < 0 || fflush(stdout) != 0;

	json_object_put(o);
	return r;
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

static void add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* The fields `loginbox list` prints, by the names loginbox(8) lists. */
static json_object *state_object(const struct lb_state *st)
{
	json_object *o = json_object_new_object();
	long long age = (long long)time(NULL) - st->created;

	add_int(o, "id", (int64_t)st->id);
	add_str(o, "user", st->user);
	add_int(o, "uid", (int64_t)st->uid);
	add_int(o, "init_pid", st->init_pid);
	add_int(o, "login_pid", st->owner_pid);
	add_str(o, "service", st->service);
	add_str(o, "image", st->image);
	add_str(o, "upper", st->upper);
	add_str(o, "cgroup", st->cgroup);
	add_int(o, "created", st->created);
	add_int(o, "age_seconds", age < 0 ? 0 : age);
	json_object_object_add(
		o, "alive",
		json_object_new_boolean(proc_start_time(st->init_pid) ==
					st->init_start));
	return o;
}

int lb_json_list(void)
{
	json_object *boxes;
	unsigned long *ids = NULL;
	struct lb_err err;
	int n, i;

	lb_err_clear(&err);
	if (root_only() < 0)
		return 1;
	n = session_list(&ids, &err);
	if (n < 0)
		return fail(&err);
	boxes = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct lb_state st;

		/* A box that ends between readdir and here is not listed. */
		if (session_read_state(ids[i], &st, &err) == 0)
			json_object_array_add(boxes, state_object(&st));
	}
	free(ids);
	return emit(boxes);
}

/* One cgroup file: a number (memory.current), or "key value" lines as an
 * object of numbers (cpu.stat).  Absent files leave the field out. */
static void add_cg(json_object *o, const char *cg, const char *file,
		   const char *key, bool keyed)
{
	char path[320], line[256];
	json_object *kv = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sp, *end;
		long long v;

		line[strcspn(line, "\n")] = '\0';
		if (!keyed) {
			errno = 0;
			v = strtoll(line, &end, 10);
			if (!errno && end != line && !*end)
				add_int(o, key, v);
			break;
		}
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp++ = '\0';
		errno = 0;
		v = strtoll(sp, &end, 10);
		if (errno || end == sp || *end)
			continue;
		if (!kv)
			kv = json_object_new_object();
		add_int(kv, line, v);
	}
	fclose(f);
	if (kv)
		json_object_object_add(o, key, kv);
}

/* "leaves": {"init": {...}, "login-PID": {...}}: each leaf's usage, the
 * same fields as the box's (helper/box/cgroup.c). */
static void add_leaves(json_object *o, const char *cg)
{
	json_object *leaves = json_object_new_object();
	struct dirent *de;
	DIR *d = opendir(cg);

	while (d && (de = readdir(d))) {
		json_object *l;
		char leaf[384];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(leaf, sizeof(leaf), "%s/%s", cg, de->d_name);
		l = json_object_new_object();
		add_cg(l, leaf, "memory.current", "memory_current", false);
		add_cg(l, leaf, "pids.current", "pids_current", false);
		add_cg(l, leaf, "cpu.stat", "cpu_stat", true);
		json_object_object_add(leaves, de->d_name, l);
	}
	if (d)
		closedir(d);
	json_object_object_add(o, "leaves", leaves);
}

int lb_json_show(const char *idstr)
{
	json_object *o, *ph;
	struct lb_state st;
	struct lb_err err;
	unsigned long id;
	int i;

	lb_err_clear(&err);
	if (session_parse_id(idstr, &id) < 0) {
		fprintf(stderr, "usage: loginbox show [--json] ID\n");
		return 2;
	}
	if (root_only() < 0)
		return 1;
	if (session_read_state(id, &st, &err) < 0)
		return fail(&err);
	o = state_object(&st);
	add_str(o, "upper_dir", st.upper_dir);
	{
		json_object *n = json_object_new_object();

		add_str(n, "mode", st.net_mode[0] ? st.net_mode : "none");
		if (!strcmp(st.net_mode, "bridge")) {
			add_str(n, "host_interface", st.net_if);
			add_str(n, "address", st.net_addr);
			add_str(n, "address6", st.net_addr6);
			add_str(n, "egress", st.net_egress[0] ? st.net_egress
							      : "any");
			add_str(n, "never", "this host, loopback, link-local, "
				"multicast, other boxes");
		}
		json_object_object_add(o, "network", n);
	}
	if (st.cgroup[0]) {
		add_cg(o, st.cgroup, "memory.current", "memory_current", false);
		add_cg(o, st.cgroup, "pids.current", "pids_current", false);
		add_cg(o, st.cgroup, "cpu.stat", "cpu_stat", true);
		add_leaves(o, st.cgroup);
	}
	ph = json_object_new_object();
	for (i = 0; i < st.n_phases; i++)
		add_int(ph, st.phase_name[i], (int64_t)st.phase_usec[i]);
	json_object_object_add(o, "build_phases_usec", ph);
	return emit(o);
}

int lb_json_policy(const char *name)
{
	struct lb_policy_origin org;
	struct lb_policy p;
	struct lb_user u;
	struct lb_err err;
	json_object *o, *keys;
	char buf[1024];
	int r, i;

	lb_err_clear(&err);
	if (lb_user_lookup(name, &u, &err) < 0)
		return fail(&err);
	r = lb_policy_load(&u, &p, &org, &err);
	if (r < 0)
		return fail(&err);
	o = json_object_new_object();
	add_str(o, "user", u.name);
	add_int(o, "uid", (int64_t)u.uid);
	json_object_object_add(o, "boxed", json_object_new_boolean(r == 1));
	add_str(o, "section", p.section);
	add_str(o, "section_files",
		org.section_files[0] ? org.section_files : p.source);
	add_str(o, "user_section", p.user_section);
	add_str(o, "user_section_files", p.user_section[0] ? org.user_files : "");
	add_str(o, "login_shell", u.shell);
	/* Every key, spelled as loginbox.conf(5) reads it (so a value is a
	 * string whatever its kind), with where it came from. */
	keys = json_object_new_object();
	for (i = 0; i < LB_KEY__COUNT; i++) {
		json_object *k = json_object_new_object();

		lb_key_format(&lb_keys[i], &p, buf, sizeof(buf));
		add_str(k, "value", buf);
		add_str(k, "file", org.key[i].file);
		add_str(k, "section", org.key[i].file[0] ? org.key[i].section
							 : "");
		json_object_object_add(keys, lb_keys[i].name, k);
	}
	json_object_object_add(o, "keys", keys);
	return emit(o);
}
