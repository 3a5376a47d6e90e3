// SPDX-License-Identifier: GPL-2.0-or-later
/* CDI spec files and device names (cdi.h): what is read, what is refused,
 * and that every refusal names the spec file. */
#include "cdi.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static char d1[64], d2[64];
static struct lb_devset set;
static struct lb_err err;

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(p, 0644);
}

static void drop(const char *dir, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static int resolve(const char *name)
{
	const char *dirs[] = {d1, d2, NULL};

	memset(&set, 0, sizeof(set));
	lb_err_clear(&err);
	return lb_device_resolve(name, dirs, false, &set, &err);
}

/* A spec of kind test.example/t holding one device "x" with `edits`. */
static void spec(const char *version, const char *edits)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"cdiVersion\": \"%s\", \"kind\": \"test.example/t\",\n"
		 " \"devices\": [{\"name\": \"x\", \"containerEdits\": %s}]}\n",
		 version, edits);
	put(d1, "t.json", text);
}

static void refused(const char *what, const char *want)
{
	int r = resolve("test.example/t=x");

	ok(r < 0 && strstr(err.msg, want) && strstr(err.msg, "t.json"),
	   "refused, naming the file: %s (%s%s%s)", what, err.msg,
	   err.hint[0] ? " / " : "", err.hint);
}

static void t_names(void)
{
	static const char *const good[] = {
		"/dev/kvm", "/dev/dri/card0", "nvidia.com/gpu=0",
		"nvidia.com/gpu=all", "vendor-x.io/class_y=dev.1:a", NULL};
	static const char *const bad[] = {
		"/etc/passwd", "/dev/", "/dev/../etc/shadow", "/dev//kvm",
		"/dev/./kvm", "nvidia.com/gpu", "nvidia.com=0", "/gpu=0",
		"nvidia.com/=0", "nvidia.com/gpu=", "nvidia.com/gpu=-1",
		"nv idia.com/gpu=0", "nvidia.com/gpu=a b", "dev/kvm", "", NULL};
	int i;

	for (i = 0; good[i]; i++)
		ok(lb_device_name_valid(good[i]), "name accepted: %s", good[i]);
	for (i = 0; bad[i]; i++)
		ok(!lb_device_name_valid(bad[i]), "name refused: \"%s\"",
		   bad[i]);
}

static void t_good(void)
{
	struct stat st;

	put(d1, "t.json",
	    "{\"cdiVersion\": \"0.6.0\", \"kind\": \"test.example/t\",\n"
	    " \"containerEdits\": {\"env\": [\"GLOBAL=1\"],\n"
	    "   \"mounts\": [{\"hostPath\": \"/etc/hostname\",\n"
	    "     \"containerPath\": \"/opt/t/host\", \"options\": [\"ro\"]}]},\n"
	    " \"devices\": [\n"
	    "  {\"name\": \"x\", \"containerEdits\": {\n"
	    "    \"env\": [\"T_DEV=x\", \"GLOBAL=2\"],\n"
	    "    \"deviceNodes\": [{\"path\": \"/dev/t/x\", \"hostPath\": \"/dev/null\"},\n"
	    "                      {\"path\": \"/dev/zero-t\", \"hostPath\": \"/dev/zero\", \"type\": \"c\"}]}},\n"
	    "  {\"name\": \"y\", \"containerEdits\": {\"deviceNodes\": [{\"path\": \"/dev/full\"}]}}\n"
	    " ]}\n");
	ok(resolve("test.example/t=x") == 0, "device x resolves (%s)", err.msg);
	is_int(set.n_nodes, 2, "two nodes");
	is_str(set.nodes[0].path, "/dev/t/x", "node path in the box");
	is_str(set.nodes[0].host, "/dev/null", "node host path");
	stat("/dev/null", &st);
	ok(set.nodes[0].rdev == st.st_rdev && set.nodes[0].type == S_IFCHR,
	   "node is /dev/null's char device");
	is_int(set.n_env, 2, "two variables (GLOBAL once)");
	is_str(set.env[0], "GLOBAL=2", "the device's value wins");
	is_str(set.env[1], "T_DEV=x", "device variable");
	is_int(set.n_mounts, 1, "the spec-wide mount");
	is_str(set.mounts[0].target, "/opt/t/host", "mount target");
	ok(!set.ldconfig, "no hook, no ldconfig");

	ok(resolve("test.example/t=y") == 0, "device y resolves");
	ok(set.n_nodes == 1 && !strcmp(set.nodes[0].host, "/dev/full"),
	   "hostPath defaults to path");
	ok(resolve("test.example/t=z") < 0 &&
		   strstr(err.msg, "no CDI spec") &&
		   strstr(err.msg, "test.example/t=z"),
	   "an unknown device is named (%s)", err.msg);
	ok(resolve("other.example/t=x") < 0 && strstr(err.msg, "no CDI spec"),
	   "an unknown kind is refused");

	/* The higher-priority directory wins. */
	put(d2, "u.json",
	    "{\"cdiVersion\": \"0.5.0\", \"kind\": \"test.example/t\",\n"
	    " \"devices\": [{\"name\": \"x\", \"containerEdits\": {\n"
	    "   \"env\": [\"FROM=d2\"]}}]}");
	ok(resolve("test.example/t=x") == 0 && set.n_env == 1 &&
		   !strcmp(set.env[0], "FROM=d2"),
	   "a device in the later directory wins");
	drop(d2, "u.json");

	/* Plain paths. */
	ok(resolve("/dev/null") == 0 && set.n_nodes == 1 &&
		   !strcmp(set.nodes[0].path, "/dev/null"),
	   "a plain /dev path");
	ok(resolve("/dev/lb-no-such-device") < 0 &&
		   strstr(err.msg, "missing"),
	   "a missing plain device is named (%s)", err.msg);

	/* The ldcache hook (as nvidia-ctk writes it). */
	spec("0.8.0", "{\"hooks\": [{\"hookName\": \"createContainer\", "
		      "\"path\": \"/usr/bin/nvidia-ctk\", \"args\": "
		      "[\"nvidia-ctk\", \"hook\", \"update-ldcache\", "
		      "\"--folder\", \"/usr/lib/x86_64-linux-gnu\"]}]}");
	ok(resolve("test.example/t=x") == 0 && set.ldconfig,
	   "update-ldcache becomes ldconfig in the box (%s)", err.msg);
}

static void t_hostile(void)
{
	char deep[4096];
	size_t i;

	spec("9.9.9", "{}");
	refused("unknown version", "version 9.9.9");
	spec("0.6.0", "{\"deviceNodes\": [{\"path\": \"/dev/t\", "
		      "\"hostPath\": \"/dev/lb-no-such\"}]}");
	refused("missing node", "missing");
	spec("0.6.0", "{\"deviceNodes\": [{\"path\": \"/etc/shadow\", "
		      "\"hostPath\": \"/dev/null\"}]}");
	refused("node outside /dev", "not a path under /dev/");
	spec("0.6.0", "{\"deviceNodes\": [{\"path\": \"/dev/../etc/x\", "
		      "\"hostPath\": \"/dev/null\"}]}");
	refused("node path with ..", "not a path under /dev/");
	spec("0.6.0", "{\"deviceNodes\": [{\"path\": \"/dev/t\", "
		      "\"hostPath\": \"/etc/passwd\"}]}");
	refused("node that is a file", "not a device node");
	spec("0.6.0", "{\"mounts\": [{\"hostPath\": \"/etc\", "
		      "\"containerPath\": \"/usr/../etc\"}]}");
	refused("mount target with ..", "not absolute paths");
	spec("0.6.0", "{\"mounts\": [{\"hostPath\": \"/etc\", "
		      "\"containerPath\": \"/proc/sys\"}]}");
	refused("mount over /proc", "/proc");
	spec("0.6.0", "{\"mounts\": [{\"hostPath\": \"x\", "
		      "\"containerPath\": \"/opt/x\"}]}");
	refused("relative host path", "not absolute paths");
	spec("0.6.0", "{\"mounts\": [{\"hostPath\": \"none\", \"type\": "
		      "\"tmpfs\", \"containerPath\": \"/opt/x\"}]}");
	refused("non-bind mount", "only bind mounts");
	spec("0.6.0", "{\"hooks\": [{\"hookName\": \"createContainer\", "
		      "\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		      "\"id > /tmp/pwned\"]}]}");
	refused("arbitrary hook", "is not supported");
	ok(strstr(err.hint, "update-ldcache") != NULL, "hint says what is "
	   "supported");
	spec("0.6.0", "{\"env\": [\"LD_PRELOAD=/tmp/x.so\"]}");
	refused("loader variable", "LD_PRELOAD");
	spec("0.6.0", "{\"env\": [\"=x\"]}");
	refused("env without a name", "NAME=VALUE");
	spec("0.6.0", "{\"env\": \"A=B\"}");
	refused("env not a list", "not a list");
	spec("0.6.0", "{\"deviceNodes\": [{\"path\": 7}]}");
	refused("path not a string", "no path");
	spec("0.6.0", "[]");
	refused("containerEdits not an object", "not an object");

	put(d1, "t.json", "{\"cdiVersion\": \"0.6.0\", \"kind\": ");
	refused("truncated JSON", "not valid JSON");
	put(d1, "t.json", "{\"cdiVersion\": \"0.6.0\", \"kind\": "
			  "\"test.example/t\", \"devices\": []} {}");
	refused("text after the value", "text after");
	for (i = 0; i < 2000; i++)
		deep[i] = '[';
	deep[i] = '\0';
	put(d1, "t.json", deep);
	refused("nesting beyond the depth bound", "not valid JSON");
	put(d1, "t.json", "{\"cdiVersion\": \"0.6.0\", \"kind\": "
			  "\"no-slash\", \"devices\": []}");
	refused("bad kind", "not vendor/class");
	put(d1, "t.json", "{\"kind\": \"test.example/t\", \"devices\": []}");
	refused("no version", "no cdiVersion");

	/* Checked like a config file. */
	spec("0.6.0", "{}");
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/t.json", d1);
		chmod(p, 0666);
		refused("world-writable spec", "writable");
		chmod(p, 0644);
		drop(d1, "t.json");
		ok(symlink("/dev/null", p) == 0, "symlinked spec planted");
		ok(resolve("test.example/t=x") < 0 &&
			   strstr(err.msg, "symbolic link"),
		   "a symlinked spec is refused (%s)", err.msg);
		unlink(p);
	}
}

/* YAML specs fill the same set through the same checks (cdi_yaml.c). */
static void yrefused(const char *what, const char *text, const char *want)
{
	int r;

	put(d1, "t.yaml", text);
	r = resolve("test.example/t=x");
	ok(r < 0 && strstr(err.msg, want) && strstr(err.msg, "t.yaml"),
	   "YAML refused, naming the file: %s (%s)", what, err.msg);
}

static void t_yaml(void)
{
	char *bomb;
	size_t i, n;

	/* As nvidia-ctk cdi generate writes it (keys sorted, a quoted
	 * device name, a document start marker). */
	put(d1, "t.yaml",
	    "---\n"
	    "cdiVersion: 0.5.0\n"
	    "containerEdits:\n"
	    "  deviceNodes:\n"
	    "  - path: /dev/t/ctl\n"
	    "    hostPath: /dev/zero\n"
	    "  env:\n"
	    "  - T_VISIBLE=void\n"
	    "  hooks:\n"
	    "  - args:\n"
	    "    - nvidia-ctk\n"
	    "    - hook\n"
	    "    - update-ldcache\n"
	    "    - --folder\n"
	    "    - /usr/lib/x86_64-linux-gnu\n"
	    "    hookName: createContainer\n"
	    "    path: /usr/bin/nvidia-ctk\n"
	    "  mounts:\n"
	    "  - containerPath: /opt/t/host\n"
	    "    hostPath: /etc/hostname\n"
	    "    options:\n"
	    "    - ro\n"
	    "    - nosuid\n"
	    "    - nodev\n"
	    "    - bind\n"
	    "devices:\n"
	    "- containerEdits:\n"
	    "    deviceNodes:\n"
	    "    - path: /dev/t/0\n"
	    "      hostPath: /dev/null\n"
	    "  name: \"0\"\n"
	    "- name: x\n"
	    "  containerEdits:\n"
	    "- name: 1\n"
	    "  containerEdits: {env: [T_DEV=1]}\n"
	    "kind: test.example/t\n");
	ok(resolve("test.example/t=0") == 0, "YAML device 0 resolves (%s)",
	   err.msg);
	ok(set.n_nodes == 2 && !strcmp(set.nodes[0].path, "/dev/t/ctl") &&
		   !strcmp(set.nodes[1].host, "/dev/null"),
	   "YAML: the spec-wide and the device's nodes");
	ok(set.n_env == 1 && !strcmp(set.env[0], "T_VISIBLE=void"),
	   "YAML: environment");
	ok(set.n_mounts == 1 && !strcmp(set.mounts[0].target, "/opt/t/host"),
	   "YAML: mount");
	ok(set.ldconfig && set.n_ld_dirs == 1 &&
		   !strcmp(set.ld_dirs[0], "/usr/lib/x86_64-linux-gnu"),
	   "YAML: update-ldcache hook and its folder");
	ok(resolve("test.example/t=x") == 0 && set.n_nodes == 1,
	   "YAML: an empty containerEdits is no edits (%s)", err.msg);
	ok(resolve("test.example/t=1") == 0 && set.n_env == 2 &&
		   !strcmp(set.env[1], "T_DEV=1"),
	   "YAML: an unquoted number as name, flow style (%s)", err.msg);
	drop(d1, "t.yaml");
	put(d1, "t.yml", "cdiVersion: 0.6.0\nkind: test.example/t\n"
			 "devices: [{name: x}]\n");
	ok(resolve("test.example/t=x") == 0, ".yml is read too (%s)",
	   err.msg);
	drop(d1, "t.yml");

	/* The same validation as JSON. */
	yrefused("unknown version",
		 "cdiVersion: 9.9.9\nkind: test.example/t\ndevices: []\n",
		 "version 9.9.9");
	yrefused("missing node",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices:\n"
		 "- name: x\n  containerEdits:\n    deviceNodes:\n"
		 "    - path: /dev/t\n      hostPath: /dev/lb-no-such\n",
		 "missing");
	yrefused("node outside /dev",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices:\n"
		 "- name: x\n  containerEdits:\n    deviceNodes:\n"
		 "    - path: /etc/shadow\n      hostPath: /dev/null\n",
		 "not a path under /dev/");
	yrefused("mount target with ..",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices:\n"
		 "- name: x\n  containerEdits:\n    mounts:\n"
		 "    - {hostPath: /etc, containerPath: /usr/../etc}\n",
		 "not absolute paths");
	yrefused("arbitrary hook",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices:\n"
		 "- name: x\n  containerEdits:\n    hooks:\n"
		 "    - {hookName: createContainer, path: /bin/sh,\n"
		 "       args: [sh, -c, id]}\n",
		 "is not supported");
	yrefused("env that is a mapping",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices:\n"
		 "- name: x\n  containerEdits:\n    env: {A: B}\n",
		 "not a list");
	yrefused("version as a list",
		 "cdiVersion: [0.6.0]\nkind: test.example/t\ndevices: []\n",
		 "no cdiVersion");

	/* What YAML adds. */
	yrefused("an alias",
		 "cdiVersion: 0.6.0\nkind: test.example/t\n"
		 "x: &a [/dev/null]\ndevices:\n- name: x\n"
		 "  containerEdits: {env: *a}\n",
		 "aliases are not supported");
	/* "Billion laughs": nine levels of ten aliases each. */
	n = 64 << 10;
	bomb = malloc(n);
	if (!bomb)
		abort();
	i = (size_t)snprintf(bomb, n, "cdiVersion: 0.6.0\nkind: "
				      "test.example/t\na0: &a0 [lol]\n");
	for (int l = 1; l < 10; l++) {
		i += (size_t)snprintf(bomb + i, n - i, "a%d: &a%d [", l, l);
		for (int k = 0; k < 10; k++)
			i += (size_t)snprintf(bomb + i, n - i, "%s*a%d",
					      k ? ", " : "", l - 1);
		i += (size_t)snprintf(bomb + i, n - i, "]\n");
	}
	snprintf(bomb + i, n - i, "devices: [{name: x}]\n");
	yrefused("an alias bomb", bomb, "aliases are not supported");
	free(bomb);
	yrefused("a tag",
		 "cdiVersion: !!binary MC42LjA=\nkind: test.example/t\n"
		 "devices: []\n", "tags are not supported");
	yrefused("a custom tag on a mapping",
		 "cdiVersion: 0.6.0\nkind: test.example/t\n"
		 "devices: !x [{name: x}]\n", "tags are not supported");
	yrefused("a duplicate key",
		 "cdiVersion: 0.6.0\nkind: other.example/t\n"
		 "kind: test.example/t\ndevices: []\n", "twice");
	yrefused("two documents",
		 "cdiVersion: 0.6.0\nkind: test.example/t\ndevices: []\n"
		 "---\ncdiVersion: 0.6.0\n", "more than one YAML document");
	yrefused("a complex key",
		 "? [a, b]\n: c\ncdiVersion: 0.6.0\n",
		 "not a plain string");
	yrefused("broken YAML", "cdiVersion: 0.6.0\nkind: [\n",
		 "not valid YAML");
	yrefused("a NUL in a string",
		 "cdiVersion: \"0.6.0\\0x\"\nkind: test.example/t\n",
		 "NUL");
	yrefused("an empty file", "", "YAML");
	yrefused("a scalar document", "just text\n", "not a mapping");
	{
		char deep[4096];

		for (i = 0; i < 2000; i++)
			deep[i] = '[';
		deep[i] = '\0';
		yrefused("nesting beyond the bound", deep, "nested too deep");
		snprintf(deep, sizeof(deep), "cdiVersion: 0.6.0\nkind: "
			 "test.example/t\ndevices: [[[[[[[[[[[[[[[[[[x]]]]]"
			 "]]]]]]]]]]]]]\n");
		yrefused("nesting beyond the depth bound", deep,
			 "nested too deep");
	}
	drop(d1, "t.yaml");
}

static void t_config(void)
{
	static struct lb_config cfg;
	const struct lb_section *s;

	lb_err_clear(&err);
	ok(lb_config_parse_string(&cfg, "[group.g]\ndevices = /dev/kvm, "
				  "nvidia.com/gpu=0, /dev/kvm\nshm_size = 64M\n",
				  "t.conf", &err) == 0,
	   "devices and shm_size parse (%s)", err.msg);
	s = lb_config_find(&cfg, "group.g");
	ok(s && s->values.n_devices == 2 &&
		   !strcmp(s->values.devices[1], "nvidia.com/gpu=0"),
	   "devices listed once each");
	ok(s && s->values.shm_size == 64ULL << 20, "shm_size 64M");
	ok(s && !s->values.lxcfs, "lxcfs defaults to no");
	ok(lb_config_parse_string(&cfg, "[group.g]\nlxcfs = yes\n", "t.conf",
				  &err) == 0 &&
		   (s = lb_config_find(&cfg, "group.g")) && s->values.lxcfs,
	   "lxcfs = yes parses (%s)", err.msg);
	ok(lb_config_parse_string(&cfg, "[group.g]\nlxcfs = maybe\n",
				  "t.conf", &err) < 0 && strstr(err.msg, "lxcfs"),
	   "lxcfs = maybe is refused (%s)", err.msg);
	ok(lb_config_parse_string(&cfg, "[group.g]\ndevices = /etc/shadow\n",
				  "t.conf", &err) < 0 &&
		   strstr(err.msg, "not a device") && strstr(err.msg, "t.conf"),
	   "a non-device is refused (%s)", err.msg);
}

int main(void)
{
	snprintf(d1, sizeof(d1), "/tmp/lb-cdi1.XXXXXX");
	snprintf(d2, sizeof(d2), "/tmp/lb-cdi2.XXXXXX");
	if (!mkdtemp(d1) || !mkdtemp(d2))
		return 1;
	chmod(d1, 0755);
	chmod(d2, 0755);
	t_names();
	t_good();
	t_hostile();
	drop(d1, "t.json");
	t_yaml();
	t_config();
	drop(d1, "t.json");
	rmdir(d1);
	rmdir(d2);
	return done_testing();
}
