// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Config parsing: every value kind, every error path, and the file checks
 * (on temporary files: unit tests never read /etc).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strparse.h"
#include "tap.h"

static struct lb_config cfg; /* 800 KiB: not on the stack */
static struct lb_err err;

static int parse(const char *text)
{
	lb_err_clear(&err);
	return lb_config_parse_string(&cfg, text, "test.conf", &err);
}

/* Parse "[group.g]\n<line>\n" and return the section (NULL on error). */
static const struct lb_section *one(const char *line)
{
	char text[1024];

	snprintf(text, sizeof(text), "[group.g]\n%s\n", line);
	if (parse(text) < 0)
		return NULL;
	return lb_config_find(&cfg, "group.g");
}

static void bad(const char *line, const char *want)
{
	const struct lb_section *s = one(line);
	char label[256], *nl;

	snprintf(label, sizeof(label), "%s", line);
	while ((nl = strchr(label, '\n')))
		*nl = '|';
	ok(!s && strstr(err.msg, want), "rejected: %s (%s%s%s)", label,
	   err.msg, err.hint[0] ? " / " : "", err.hint);
}

static void t_full(void)
{
	static const char text[] =
		"; the design's example\n"
		"[global]\n"
		"on_error = allow\n"
		"default = group.students\n"
		"limits = required\n"
		"\n"
		"[group.students]\n"
		"image = debian-12\n"
		"network = none\n"
		"hostname = %u-box\n"
		"inside_uid = root\n"
		"upper = persistent\n"
		"upper_size = 2G\n"
		"home = tmpfs\n"
		"shell = /bin/zsh\n"
		"seccomp = none\n"
		"capabilities = chown, cap_kill\n"
		"groups = audio, video\n"
		"priority = 10\n"
		"memory_max = 2G      ; per session\n"
		"memory_high = 1536M\n"
		"memory_swap_max = 0\n"
		"cpu_max = 1.5\n"
		"cpu_weight = 200\n"
		"pids_max = 512\n"
		"io_weight = 50\n"
		"io_max = \"8:0 rbps=10M wiops=100; 259:0 wbps=max riops=20\"\n"
		"user_memory_max = 4G\n"
		"user_pids_max = max\n"
		"user_io_max = 8:16 wbps=1M\n"
		"box = yes\n"
		"\n"
		"[user.alice]\n"
		"pids_max = 1024\n"
		"on_error = deny\n";
	const struct lb_section *s, *u;
	const struct lb_policy *v;

	ok(parse(text) == 0, "full example parses (%s)", err.msg);
	is_int(cfg.on_error, LB_ON_ERROR_ALLOW, "global on_error");
	is_int(cfg.limits, LB_LIMITS_REQUIRED, "global limits");
	is_str(cfg.default_section, "group.students", "global default");
	is_str(cfg.global_source, "test.conf", "global source");
	is_int(cfg.n_sections, 2, "two sections");
	is_int(cfg.n_files, 1, "one file recorded");
	s = lb_config_find(&cfg, "group.students");
	u = lb_config_find(&cfg, "user.alice");
	if (!ok(s && u, "sections found"))
		return;
	v = &s->values;
	is_int(s->kind, LB_SEC_GROUP, "group kind");
	is_str(s->target, "students", "group target");
	is_str(s->source, "test.conf", "group source");
	is_int(u->kind, LB_SEC_USER, "user kind");
	is_str(u->target, "alice", "user target");
	ok(v->boxed, "box = yes");
	is_str(v->image, "debian-12", "image");
	is_str(v->hostname, "%u-box", "hostname");
	is_int(v->inside_uid, LB_INSIDE_ROOT, "inside_uid");
	is_int(v->upper, LB_UPPER_PERSISTENT, "upper");
	ok(v->upper_size == 2ULL << 30, "upper_size 2G");
	is_int(v->home, LB_HOME_TMPFS, "home");
	is_str(v->shell, "/bin/zsh", "shell");
	is_int(v->seccomp, LB_SECCOMP_NONE, "seccomp");
	ok(v->caps == ((1ULL << CAP_CHOWN) | (1ULL << CAP_KILL)),
	   "capabilities list");
	is_int(v->n_keep_groups, 2, "two kept groups");
	is_str(v->keep_groups[1], "video", "kept group name");
	is_int(v->priority, 10, "priority");
	ok(v->session.memory_max == 2ULL << 30, "memory_max, comment cut");
	ok(v->session.memory_high == 1536ULL << 20, "memory_high");
	ok(v->session.memory_swap_max == 0, "memory_swap_max 0 allowed");
	ok(v->session.cpu_max == 1500, "cpu_max 1.5 = 1500 millicores");
	ok(v->session.cpu_weight == 200, "cpu_weight");
	ok(v->session.pids_max == 512, "pids_max");
	ok(v->session.io_weight == 50, "io_weight");
	is_int(v->session.n_io, 2, "io_max: two devices");
	ok(v->session.io_max[0].major == 8 && v->session.io_max[0].minor == 0 &&
		   v->session.io_max[0].rbps == 10ULL << 20 &&
		   v->session.io_max[0].wiops == 100 &&
		   v->session.io_max[0].wbps == LB_UNLIMITED,
	   "io_max: first device");
	ok(v->session.io_max[1].major == 259 &&
		   v->session.io_max[1].wbps == LB_UNLIMITED &&
		   v->session.io_max[1].riops == 20,
	   "io_max: second device");
	ok(v->user.memory_max == 4ULL << 30, "user_memory_max in .user");
	ok(v->user.pids_max == LB_UNLIMITED, "user_pids_max = max");
	ok(v->user.n_io == 1 && v->user.io_max[0].minor == 16, "user_io_max");
	ok(v->session.pids_max != v->user.pids_max, "session/user separate");
	ok(s->set_mask & LB_KEY_BIT(LB_KEY_USER_IO_MAX), "set_mask: user_io_max");
	ok(!(s->set_mask & LB_KEY_BIT(LB_KEY_ON_ERROR)), "set_mask: on_error "
	   "not set in the group");
	ok(u->set_mask == (LB_KEY_BIT(LB_KEY_PIDS_MAX) |
			   LB_KEY_BIT(LB_KEY_ON_ERROR)),
	   "set_mask: exactly the user's two keys");
	ok(u->values.session.pids_max == 1024, "user section value");
}

static void t_values(void)
{
	const struct lb_section *s;

	s = one("capabilities = default");
	ok(s && s->values.caps == lb_caps_default(), "caps: default");
	s = one("capabilities = none");
	ok(s && s->values.caps == 0, "caps: none");
	s = one("capabilities = default, +sys_ptrace, -kill, -cap_chown");
	ok(s && s->values.caps == ((lb_caps_default() |
				    (1ULL << CAP_SYS_PTRACE)) &
				   ~(1ULL << CAP_KILL) & ~(1ULL << CAP_CHOWN)),
	   "caps: default with adjustments");
	s = one("capabilities = CAP_NET_ADMIN");
	ok(s && s->values.caps == 1ULL << CAP_NET_ADMIN, "caps: upper case");
	ok(lb_caps_default() & (1ULL << CAP_SETFCAP) &&
		   !(lb_caps_default() & (1ULL << CAP_MKNOD)) &&
		   !(lb_caps_default() & (1ULL << CAP_NET_RAW)),
	   "caps default: docker's minus mknod, net_raw");
	is_int(__builtin_popcountll(lb_caps_default()), 12,
	       "caps default: twelve capabilities");
	s = one("groups = none");
	ok(s && s->values.n_keep_groups == 0 &&
		   (s->set_mask & LB_KEY_BIT(LB_KEY_GROUPS)),
	   "groups: none is set, empty");
	s = one("groups = Domain_Admins,wheel,wheel");
	ok(s && s->values.n_keep_groups == 2, "groups: upper case, dedup");
	s = one("hostname = \"%h-%u\"");
	ok(s && strcmp(s->values.hostname, "%h-%u") == 0, "quoted value");
	s = one("Memory_Max = 1G");
	ok(s && s->values.session.memory_max == 1ULL << 30,
	   "keys are case-insensitive (iniparser lowers them)");
	s = one("priority = -1000");
	ok(s && s->values.priority == -1000, "priority -1000");
	s = one("cpu_max = max");
	ok(s && s->values.session.cpu_max == LB_UNLIMITED, "cpu_max = max");
	s = one("image = host");
	ok(s && strcmp(s->values.image, "host") == 0, "image host");
	s = one("io_max = none");
	ok(s && s->values.session.n_io == 0 &&
		   (s->set_mask & LB_KEY_BIT(LB_KEY_IO_MAX)),
	   "io_max = none");
	s = one("box = no");
	ok(s && !s->values.boxed, "box = no");
	s = one("upper_size = 1T");
	ok(s && s->values.upper_size == 1ULL << 40, "upper_size 1T");

	bad("memory_max = 4X", "test.conf: [group.g] memory_max: \"4X\" is "
	    "not a size (use e.g. 512M, 2G or max)");
	bad("memory_max = 010", "is not a size");
	bad("memory_max = 0x10", "is not a size");
	bad("memory_max = -1", "is not a size");
	bad("memory_max = 18446744073709551616G", "is not a size");
	bad("memory_max = 512K", "is less than 1M");
	bad("memory_high = 1.5G", "is not a size");
	/* max: an unbounded disk or persistent layer, the admin's choice */
	s = one("upper_size = max");
	ok(s && s->values.upper_size == LB_UNLIMITED, "upper_size max");
	s = one("tmpfs_size = 256M");
	ok(s && s->values.tmpfs_size == 256ULL << 20, "tmpfs_size 256M");
	bad("tmpfs_size = max", "is not a size (use e.g. 512M, 2G)");
	bad("tmpfs_size = 512K", "is not between 1M and 1T");
	bad("upper_size = 2T", "is not between 1M and 1T");
	bad("upper_size = 512K", "is not between 1M and 1T");
	bad("cpu_max = 0", "cpu_max: \"0\" is not a number of cores");
	bad("cpu_max = 1.2345", "is not a number of cores");
	bad("cpu_max = 4097", "is not a number of cores");
	bad("cpu_weight = 0", "is not an integer from 1 to 10000");
	bad("cpu_weight = 10001", "is not an integer from 1 to 10000");
	bad("cpu_weight = max", "is not an integer");
	bad("pids_max = 4194305", "or max");
	bad("pids_max = 4G", "pids_max: \"4G\" is not an integer");
	bad("io_weight = 1e3", "io_weight");
	bad("priority = 1001", "is not an integer from -1000 to 1000");
	bad("priority = 010", "priority: \"010\"");
	bad("priority = +5", "priority");
	bad("box = y", "box: \"y\" is not yes or no");
	bad("network = host", "network: \"host\" is not one of: none");
	bad("upper = ram", "is not one of: tmpfs, disk, persistent");
	bad("home = yes", "is not one of: bind, tmpfs, none");
	bad("inside_uid = 0", "is not one of: self, root");
	bad("seccomp = off", "seccomp");
	bad("on_error = ignore", "on_error");
	bad("limits = strict", "is not one of: best-effort, required");
	bad("image = ../etc", "is not an image name");
	bad("image = .hidden", "is not an image name");
	bad("image = a/b", "is not an image name");
	bad("image = a..b", "is not an image name");
	bad("image = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaa", "is not an image name");
	bad("shell = bin/sh", "is not an absolute path");
	bad("shell = /bin/../sbin/x", "is not an absolute path");
	bad("shell = /bin/my shell", "is not an absolute path");
	bad("hostname = %x-box", "unknown %x");
	bad("hostname = box%", "lone %");
	bad("hostname = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaa", "is longer than 63 characters");
	bad("capabilities = chown,,kill", "empty item");
	bad("capabilities = chown,", "empty item");
	bad("capabilities = nosuch", "unknown capability \"nosuch\"");
	bad("capabilities = 12", "unknown capability");
	bad("capabilities = +chown", "bad item \"+chown\"");
	bad("capabilities = default, chown", "bad item \"chown\"");
	bad("capabilities = chown, default", "unknown capability \"default\"");
	bad("groups = -x", "is not a group name");
	bad("groups = a b", "is not a group name");
	bad("groups = a,,b", "is not a group name");
	bad("groups = g1,g2,g3,g4,g5,g6,g7,g8,g9,g10,g11,g12,g13,g14,g15,g16,"
	    "g17", "more than 16 groups");
	bad("io_max = 8:0", "has no limit");
	bad("io_max = sda rbps=1M", "MAJOR:MINOR");
	bad("io_max = 8:x rbps=1M", "is not a MAJOR:MINOR device");
	bad("io_max = 8:0 rbps=1X", "rbps=\"1X\" is not a size");
	bad("io_max = 8:0 riops=1M", "riops=\"1M\" is not a number");
	bad("io_max = 8:0 speed=1", "is not rbps, wbps, riops or wiops");
	bad("io_max = 8:0 rbps", "is not key=value");
	bad("io_max = \"8:0 rbps=1M; 8:0 wbps=1M\"", "listed twice");
	bad("io_max = \"8:0 rbps=1M;\"", "MAJOR:MINOR");
	bad("io_max = 8:0 rbps=1M; 8:16 wbps=2M",
	    "';' starts a comment in an unquoted value");
	ok(one("io_max = 8:0 rbps=1M ; a comment") != NULL,
	   "io_max: a real trailing comment is fine");
	bad("imagee = host", "test.conf: [group.g] imagee: unknown key");
	ok(strstr(err.hint, "did you mean image?") != NULL,
	   "unknown key: hint suggests image (%s)", err.hint);
	bad("frobnicate = 1", "frobnicate: unknown key");
	ok(strstr(err.hint, "loginbox.conf(5)") != NULL,
	   "unknown key: hint points at loginbox.conf(5) (%s)", err.hint);
	bad("default = none", "default: unknown key");
	ok(strstr(err.hint, "only valid in [global]") != NULL,
	   "default in a group: hint (%s)", err.hint);
	bad("image = host\nimage = debian", "line 3: [group.g] image is set twice");
}

static void t_structure(void)
{
	static const char *const bad_sections[] = {
		"[foo]", "[group.a b]", "[group.]", "[user.]", "[group.-x]",
		"[user..x]", "[group.a/b]", "[group.a:b]", "[groups.a]",
		"[group.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]", NULL,
	};
	char text[256];
	int i;

	for (i = 0; bad_sections[i]; i++) {
		snprintf(text, sizeof(text), "%s\npids_max = 5\n",
			 bad_sections[i]);
		ok(parse(text) < 0 && strstr(err.msg, "unknown section"),
		   "section %s rejected (%s)", bad_sections[i], err.msg);
	}
	ok(parse("[Group.Students]\nimage = host\n") == 0 &&
		   lb_config_find(&cfg, "group.students"),
	   "section names are lowered (iniparser)");
	ok(parse("[group.a-b_c.d]\n[user.x1]\n") == 0 && cfg.n_sections == 2,
	   "names with - _ . digits");
	ok(parse("[group.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n") == 0,
	   "32-character name");
	ok(parse("[]\nx = 1\n") < 0 && strstr(err.msg, "malformed section"),
	   "[] rejected (%s)", err.msg);
	ok(parse("[a]b]\n") < 0 && strstr(err.msg, "malformed section"),
	   "[a]b] rejected");
	ok(parse("image = host\n[group.a]\n") < 0 &&
		   strstr(err.msg, "outside any section"),
	   "key before any section (%s)", err.msg);
	ok(parse("[group.a]\njust words\n") < 0 &&
		   strstr(err.msg, "test.conf: line 2: syntax error"),
	   "syntax error names file and line (%s)", err.msg);
	ok(parse("[group.a]\nx = 1\n[group.b]\n[group.a]\n") < 0 &&
		   strstr(err.msg, "line 4: [group.a] appears twice"),
	   "section twice in one file (%s)", err.msg);
	ok(parse("[group.a]\nimage = host\n[group.b]\nimage = host\n") == 0,
	   "same key in two sections is fine");
	ok(parse("[global]\nbogus = 1\n") < 0 &&
		   strstr(err.msg, "[global] bogus: unknown key") &&
		   strstr(err.hint, "on_error, default, limits, max_linger, "
				    "bridge_subnet, bridge_subnet6, bridge_dns and "
				    "image_*"),
	   "unknown global key lists the valid ones (%s)", err.hint);
	ok(parse("[global]\nimage_max_ratio = 50\nimage_max_bytes = 2G\n"
		 "image_keep_setuid = no\n") == 0,
	   "[global] image_* keys parse");
	ok(parse("[global]\nimage_max_ratio = lots\n") < 0 &&
		   strstr(err.msg, "image_max_ratio"),
	   "a bad image_max_ratio names the key (%s)", err.msg);
	ok(parse("[global]\nimage_max_entry = 5\n") < 0 &&
		   strstr(err.hint, "image_max_entries"),
	   "an unknown image_ key lists the image keys (%s)", err.hint);
	ok(parse("[global]\nbridge_subnet = 10.203.0.0/16\n") == 0,
	   "bridge_subnet = 10.203.0.0/16");
	ok(parse("[global]\nbridge_subnet = 10.203.0.1/16\n") < 0 &&
		   strstr(err.msg, "no host bits"),
	   "bridge_subnet with host bits refused (%s)", err.msg);
	ok(parse("[global]\nbridge_subnet = 10.0.0.0/8\n") < 0,
	   "bridge_subnet wider than /16 refused");
	ok(parse("[global]\nbridge_subnet = 10.0.0.0/30\n") < 0,
	   "bridge_subnet narrower than /29 refused");
	ok(parse("[global]\nbridge_dns = not-an-ip\n") < 0 &&
		   strstr(err.msg, "not an IPv4 address"),
	   "bridge_dns must be an address (%s)", err.msg);
	ok(parse("[group.a]\nnetwork = bridge\n") == 0,
	   "network = bridge is a value");
	ok(parse("[global]\nimage = host\n") < 0, "policy key in [global]");
	ok(parse("[global]\ndefault = group.nope\n[group.a]\n") < 0 &&
		   strstr(err.msg, "default: no section [group.nope]"),
	   "default naming a missing section (%s)", err.msg);
	ok(parse("[global]\ndefault = students\n") < 0 &&
		   strstr(err.msg, "is not none or a section name"),
	   "default must be a section name");
	ok(parse("[global]\ndefault = none\n") == 0 &&
		   cfg.default_section[0] == '\0',
	   "default = none");
	ok(parse("[user.bob]\n[global]\ndefault = user.bob\n") == 0,
	   "default may name a section defined before [global]");
	ok(parse("") == 0 && cfg.n_sections == 0, "empty config");
	ok(parse("[group.a]\nmulti = a\\\n  b\n") < 0 &&
		   strstr(err.msg, "multi: unknown key"),
	   "continuation lines join (%s)", err.msg);
	{
		static char big[2048];

		memset(big, 'x', sizeof(big) - 1);
		memcpy(big, "[group.a]\nimage = ", 18);
		ok(parse(big) < 0 && strstr(err.msg, "line 2"),
		   "over-long line (%s)", err.msg);
	}

	/* two sources into one config, as conf.d does (merging: t_merge) */
	lb_config_init(&cfg);
	ok(lb_config_add_string(&cfg, "[group.a]\n", "one.conf", &err) == 0 &&
		   lb_config_add_string(&cfg, "[group.b]\n", "two.conf",
					&err) == 0,
	   "two files, different sections");
	ok(lb_config_add_string(&cfg, "[group.a]\n", "three.conf", &err) == 0 &&
		   cfg.n_sections == 2,
	   "a section in two files is one section (%s)", err.msg);
	lb_config_init(&cfg);
	ok(lb_config_add_string(&cfg, "[global]\n", "one.conf", &err) == 0 &&
		   lb_config_add_string(&cfg, "[global]\n", "two.conf",
					&err) == 0,
	   "[global] in two files (%s)", err.msg);
	lb_config_init(&cfg);
	ok(lb_config_add_string(&cfg, "[global]\ndefault = group.late\n",
				"one.conf", &err) == 0 &&
		   lb_config_add_string(&cfg, "[group.late]\n", "two.conf",
					&err) == 0 &&
		   lb_config_finish(&cfg, &err) == 0,
	   "default may name a section of a later file");
	is_int(cfg.n_files, 2, "both files recorded");

	/* lb_config_init clears only the scalars: a config loaded into a
	 * used one must read as if loaded into a fresh one (no key of an
	 * earlier section, file or [global] survives). */
	lb_config_init(&cfg);
	ok(lb_config_add_string(&cfg, "[global]\non_error = allow\n"
				"[group.a]\nimage = host\nmemory_max = 1G\n"
				"[group.b]\nsession = user\n", "old.conf",
				&err) == 0,
	   "a used config (%s)", err.msg);
	lb_config_init(&cfg);
	ok(lb_config_add_string(&cfg, "[group.b]\n", "new.conf", &err) == 0,
	   "loaded again (%s)", err.msg);
	{
		const struct lb_section *s = lb_config_find(&cfg, "group.b");

		ok(cfg.n_sections == 1 && cfg.n_files == 1 && s &&
			   s->set_mask == 0 && s->file_mask == 1 &&
			   !strcmp(s->source, "new.conf") &&
			   !lb_config_find(&cfg, "group.a") &&
			   cfg.global_mask == 0 && cfg.on_error == 0,
		   "nothing of the earlier load is left");
	}
}

static void t_files(void)
{
	char dir[] = "/tmp/lb-config-XXXXXX", file[64], link[64];
	static const char text[] = "[group.a]\nimage = host\n";
	int fd;

	lb_err_clear(&err);
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(file, sizeof(file), "%s/loginbox.conf", dir);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	if (write(fd, text, sizeof(text) - 1) < 0)
		diag("write failed");
	close(fd);
	chmod(file, 0644);
	ok(lb_config_load_file(&cfg, file, false, &err) == 0 &&
		   lb_config_find(&cfg, "group.a") &&
		   strcmp(cfg.sections[0].source, file) == 0,
	   "file 0644 loads, source recorded (%s)", err.msg);
	/* Both the refusal and the pass of the owner check, as root and
	 * not: root hands the file to another uid for the refusal. */
	if (geteuid() != 0) {
		ok(lb_config_load_file(&cfg, file, true, &err) < 0 &&
			   strstr(err.msg, "not root"),
		   "owner check refuses a user's file (%s)", err.msg);
		skip("owner check passes a root-owned file",
		     "not root: cannot make one");
	} else {
		ok(lb_config_load_file(&cfg, file, true, &err) == 0,
		   "owner check passes a root-owned file (%s)", err.msg);
		ok(chown(file, 65534, 65534) == 0 &&
			   lb_config_load_file(&cfg, file, true, &err) < 0 &&
			   strstr(err.msg, "not root"),
		   "owner check refuses a file of uid 65534, as root (%s)",
		   err.msg);
		if (chown(file, 0, 0) < 0)
			diag("chown back failed");
	}
	/* The writable refusals without the owner check: as a user, the
	 * owner refusal would otherwise answer first, for the wrong reason. */
	chmod(file, 0666);
	ok(lb_config_load_file(&cfg, file, false, &err) < 0 &&
		   strstr(err.msg, "writable by group or others") &&
		   strstr(err.hint, "chmod go-w"),
	   "world-writable refused (%s / %s)", err.msg, err.hint);
	chmod(file, 0620);
	ok(lb_config_load_file(&cfg, file, false, &err) < 0 &&
		   strstr(err.msg, "writable by group or others"),
	   "group-writable refused (%s)", err.msg);
	chmod(file, 0600);
	if (symlink(file, link) < 0)
		diag("symlink failed");
	ok(lb_config_load_file(&cfg, link, false, &err) < 0 &&
		   strstr(err.msg, "symbolic link"),
	   "symlink refused (O_NOFOLLOW) (%s)", err.msg);
	ok(lb_config_load_file(&cfg, dir, false, &err) < 0,
	   "directory refused (%s)", err.msg);
	unlink(link);
	fd = open(file, O_WRONLY | O_TRUNC);
	if (write(fd, "[group.a]\n\0x=1\n", 15) < 0)
		diag("write failed");
	close(fd);
	ok(lb_config_load_file(&cfg, file, false, &err) < 0 &&
		   strstr(err.msg, "NUL"),
	   "NUL byte refused (%s)", err.msg);
	fd = open(file, O_WRONLY | O_TRUNC);
	if (write(fd, "[group.a]\nimagee = x\n", 21) < 0)
		diag("write failed");
	close(fd);
	ok(lb_config_load_file(&cfg, file, false, &err) < 0 &&
		   strncmp(err.msg, file, strlen(file)) == 0,
	   "errors name the real path (%s)", err.msg);
	unlink(file);
	ok(lb_config_load_file(&cfg, file, false, &err) < 0 &&
		   err.errnum == ENOENT,
	   "missing file (%s)", err.msg);
	rmdir(dir);
}

static void t_keys(void)
{
	int k, dup = 0;

	for (k = 0; k < LB_KEY__COUNT; k++) {
		char text[128];

		if (!lb_config_key_name((enum lb_key)k))
			dup++;
		snprintf(text, sizeof(text), "[group.g]\n%s = x\n",
			 lb_config_key_name((enum lb_key)k));
		parse(text); /* fills nothing; checks the name is known */
		if (strstr(err.msg, "unknown key"))
			dup++;
	}
	is_int(dup, 0, "every key id has a name the parser knows");
	ok(lb_config_key_name(LB_KEY__COUNT) == NULL, "out of range id");
	is_str(lb_config_key_name(LB_KEY_USER_IO_MAX), "user_io_max",
	       "table order matches enum lb_key");
}

int main(void)
{
	t_full();
	t_values();
	t_structure();
	t_files();
	t_keys();
	return done_testing();
}
