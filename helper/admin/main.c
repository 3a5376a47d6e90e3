// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loginbox(8): the admin command.
 *
 *   loginbox check [FILE]          validate the config (or one file)
 *   loginbox doctor [--json]       is the host ready: one line per check
 *                                  (doctor.h)
 *   loginbox sshd-config [--write] the sshd drop-in for the boxed groups
 *   loginbox policy [--json] USER  effective policy and the section that won
 *   loginbox run -u USER [-- CMD]  build USER's box as a login would, run
 *                                  CMD (or a login shell) in it, tear down
 *   loginbox list [--json]         live boxes
 *   loginbox show [--json] ID      one box in detail
 *   loginbox kill ID               end a box now
 *   loginbox gc                    end boxes whose login is gone
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../box/audit_box.h"
#include "../box/session.h"
#include "../box/teardown.h"
#include "../box/join.h"
#include "../box/logins.h"
#include "../box/net.h"
#include "client.h"
#include "config.h"
#include "devices_report.h"
#include "doctor.h"
#include "helper_call.h"
#include "hostdoors.h"
#include "json_out.h"
#include "paths.h"
#include "policy.h"
#include "policy_nss.h"
#include "proc.h"
#include "strparse.h"
#include "../image/image.h"

static int die_err(const struct lb_err *err)
{
	char text[1200];

	fprintf(stderr, "loginbox: %s\n", lb_err_text(err, text, sizeof(text)));
	return 1;
}

static int need_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "loginbox: this command must be run as root\n");
		return -1;
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct lb_config *cfg = calloc(1, sizeof(*cfg));
	struct lb_err err;
	int r, i;

	lb_err_clear(&err);
	if (!cfg)
		return 1;
	r = argc > 1 ? lb_config_load_file(cfg, argv[1], true, &err)
		     : lb_config_load(cfg, &err);
	if (r == 0)
		r = lb_policy_check_config(cfg, &err);
	if (r < 0) {
		free(cfg);
		return die_err(&err);
	}
	for (i = 0; i < cfg->n_files; i++)
		printf("read %s\n", cfg->files[i]);
	printf("ok: %d section%s", cfg->n_sections,
	       cfg->n_sections == 1 ? "" : "s");
	for (i = 0; i < cfg->n_sections; i++)
		printf("%s[%s]", i ? " " : ": ", cfg->sections[i].name);
	printf("\n");
	lb_policy_groups_report(cfg, stdout);
	r = lb_net_check(cfg, stdout);
	if (lb_net_check_pasta(cfg, stdout) < 0)
		r = -1;
	/* The config is valid either way: findings are warnings, one line
	 * each, and do not change the exit status.  The host around the
	 * config (PAM, sshd, kernel, ids, images) is doctor's (doctor.h). */
	lb_devices_report(cfg, stdout);
	if (argc <= 1)
		printf("note: run loginbox doctor for the host (PAM stacks, "
		       "sshd, kernel, cgroups, subordinate ids, images)\n");
	free(cfg);
	return r < 0 ? 1 : 0;
}

/* loginbox sshd-config [--write]: print the drop-in, or install it
 * (written beside, then renamed: sshd never reads half a file). */
static int cmd_sshd_config(int argc, char **argv)
{
	struct lb_config *cfg;
	struct lb_err err;
	char tmp[256];
	FILE *f;
	int fd;

	lb_err_clear(&err);
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--write") != 0)) {
		fprintf(stderr, "usage: loginbox sshd-config [--write]\n");
		return 2;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return 1;
	if (lb_config_load(cfg, &err) < 0) {
		free(cfg);
		return die_err(&err);
	}
	if (argc == 1) {
		lb_sshd_dropin(cfg, stdout);
		free(cfg);
		return 0;
	}
	if (need_root() < 0) {
		free(cfg);
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", LB_SSHD_DROPIN, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "loginbox: create %s: %s (is openssh-server "
				"installed? its sshd_config.d must exist)\n",
			tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(cfg);
		return 1;
	}
	lb_sshd_dropin(cfg, f);
	free(cfg);
	if (fchmod(fd, 0644) < 0 || fflush(f) != 0 || fsync(fd) < 0 ||
	    fclose(f) != 0 || rename(tmp, LB_SSHD_DROPIN) < 0) {
		fprintf(stderr, "loginbox: write %s: %s\n", LB_SSHD_DROPIN,
			strerror(errno));
		unlink(tmp);
		return 1;
	}
	printf("wrote %s (sshd reads it at its next connection)\n",
	       LB_SSHD_DROPIN);
	return 0;
}

static int cmd_policy(int argc, char **argv)
{
	struct lb_policy_origin o;
	struct lb_policy p;
	struct lb_user u;
	struct lb_err err;
	int r;

	lb_err_clear(&err);
	if (argc != 2) {
		fprintf(stderr, "usage: loginbox policy USER\n");
		return 2;
	}
	if (lb_user_lookup(argv[1], &u, &err) < 0)
		return die_err(&err);
	r = lb_policy_load(&u, &p, &o, &err);
	if (r < 0)
		return die_err(&err);
	if (r == 0) {
		printf("# user %s is not boxed%s%s%s\n", argv[1],
		       p.section[0] ? " (box = no in [" : "", p.section,
		       p.section[0] ? "])" : "");
		return 0;
	}
	lb_policy_print_origin(&p, &o, stdout);
	/* The same rule as the box build (rootfs.c, check_upper_bound). */
	if (p.upper != LB_UPPER_TMPFS && p.upper_size != LB_UNLIMITED)
		printf("# warning: upper = %s cannot be bounded to upper_size; "
		       "%s's boxes will be refused (set upper_size = max to "
		       "accept an unbounded layer on disk)\n",
		       p.upper == LB_UPPER_DISK ? "disk" : "persistent",
		       argv[1]);
	if (p.upper == LB_UPPER_TMPFS && p.upper_size == LB_UNLIMITED)
		printf("# warning: upper = tmpfs with upper_size = max: %s's "
		       "boxes will be refused (a tmpfs layer needs a size)\n",
		       argv[1]);
	if (strcmp(u.shell, LB_SHELL_PATH) != 0)
		printf("# warning: %s's login shell is %s, not %s: their logins "
		       "will be refused (usermod -s)\n",
		       argv[1], u.shell, LB_SHELL_PATH);
	return 0;
}

static unsigned long long usec_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000ULL +
	       (unsigned long long)t.tv_nsec / 1000;
}

/* --timing: one machine-readable line on stderr, microseconds per phase
 * of the helper (from the state file) and of this command. */
static void print_timing(unsigned long id, unsigned long long helper,
			 unsigned long long run)
{
	struct lb_state st;
	struct lb_err err;
	int i;

	fprintf(stderr, "timing");
	if (session_read_state(id, &st, &err) == 0)
		for (i = 0; i < st.n_phases; i++)
			fprintf(stderr, " %s=%llu", st.phase_name[i],
				st.phase_usec[i]);
	fprintf(stderr, " helper_total=%llu join+run=%llu\n",
		helper, run);
}

static int cmd_run(int argc, char **argv)
{
	const char *user = NULL;
	bool timing = false;
	unsigned long long t0, t1, t2;
	struct lb_handle h;
	struct lb_user u;
	struct lb_err err;
	int netns, i, status = 0;
	pid_t pid;

	lb_err_clear(&err);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-u") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--timing"))
			timing = true;
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			break;
	}
	if (!user) {
		fprintf(stderr, "usage: loginbox run [--timing] -u USER "
				"[-- CMD [ARG...]]\n");
		return 2;
	}
	if (need_root() < 0)
		return 1;
	if (lb_user_lookup(user, &u, &err) < 0)
		return die_err(&err);
	t0 = usec_now();
	if (lb_helper_open(user, "loginbox-run", &h, &netns, &err) < 0)
		return die_err(&err);
	close(netns);
	t1 = usec_now();
	pid = fork();
	if (pid == 0) {
		char *env[] = {NULL, NULL, NULL};
		char term[128], login[48];
		int ws;

		/* the box's login is this command (our parent now): its
		 * cgroup leaf (helper/box/init.c) */
		snprintf(login, sizeof(login), "%s=%d", LB_ENV_LOGIN,
			 (int)getppid());
		env[0] = login;
		if (getenv("TERM")) {
			snprintf(term, sizeof(term), "TERM=%s", getenv("TERM"));
			env[1] = term;
		}
		/* The box only talks to its user. */
		if (setgroups(1, &u.gid) < 0 || setresgid(u.gid, u.gid, u.gid) < 0 ||
		    setresuid(u.uid, u.uid, u.uid) < 0) {
			perror("loginbox: drop to user");
			_exit(1);
		}
		if (lb_client_run(h.id, i < argc ? LB_SPAWN_EXEC : LB_SPAWN_LOGIN,
				  argv + i, argc - i, env, &ws, &err) < 0) {
			die_err(&err);
			_exit(1);
		}
		lb_client_exit_like(ws);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	t2 = usec_now();
	if (timing) /* read before teardown removes the state */
		print_timing(h.id, t1 - t0, t2 - t1);
	if (lb_helper_close(&h, &err) < 0)
		die_err(&err);
	if (timing)
		fprintf(stderr, "timing teardown=%llu\n", usec_now() - t2);
	if (pid < 0)
		return 1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The logins box id serves, from its init ("K COUNT PID:START..."), or
 * NULL when init does not answer. */
static const char *box_logins(unsigned long id, char *buf, size_t cap)
{
	struct lb_err e;

	lb_err_clear(&e);
	if (logins_request(id, "Q", -1, buf, cap, &e) < 0 || buf[0] != 'K')
		return NULL;
	return buf + 2;
}

/* session = user: is a newer box of the same user built with another
 * policy (join.c)?  Then this one takes no new logins. */
static bool box_stale(const struct lb_state *st)
{
	struct lb_policy pol;
	struct lb_user u;
	struct lb_err e;
	char hash[20];

	if (strcmp(st->session, "user") != 0 || !st->hash[0])
		return false;
	lb_err_clear(&e);
	if (lb_user_lookup(st->user, &u, &e) < 0 ||
	    lb_policy_load(&u, &pol, NULL, &e) <= 0)
		return true;
	join_hash(&pol, hash, sizeof(hash));
	return strcmp(hash, st->hash) != 0;
}

static void print_state(const struct lb_state *st, bool header)
{
	long long age = (long long)time(NULL) - st->created;
	bool alive = proc_start_time(st->init_pid) == st->init_start;
	char buf[LB_MAX_LOGINS * 40 + 32];
	const char *l = alive ? box_logins(st->id, buf, sizeof(buf)) : NULL;
	char cur[80] = "";

	if (header)
		printf("%-8s %-16s %-8s %-14s %-8s %-12s %-5s %-7s %-6s %-9s %s\n",
		       "ID", "USER", "INIT", "SERVICE", "AGE", "IMAGE", "ALIVE",
		       "SESSION", "LOGINS", "STATE", "VERSION");
	/* A store image: the version the box runs on, and whether a newer
	 * import has superseded it (it keeps running on its own). */
	if (st->image_version[0])
		image_current_vid(st->image, cur, sizeof(cur));
	printf("%-8lu %-16s %-8d %-14s %-8lld %-12s %-5s %-7s %-6d %-9s %.12s%s\n",
	       st->id, st->user, (int)st->init_pid, st->service, age,
	       st->image, alive ? "yes" : "no",
	       st->session[0] ? st->session : "login", l ? atoi(l) : 0,
	       !alive		   ? "ended"
	       : box_stale(st)	   ? "stale"
	       : l && atoi(l) == 0 ? "lingering"
				   : "live",
	       st->image_version[0] ? st->image_version : "-",
	       st->image_version[0] && strcmp(cur, st->image_version)
		       ? " (superseded)"
		       : "");
}

static int cmd_list(void)
{
	unsigned long *ids = NULL;
	struct lb_err err;
	int n, i;

	lb_err_clear(&err);
	if (need_root() < 0) /* who is logged in where is the admin's */
		return 1;
	n = session_list(&ids, &err);
	if (n < 0)
		return die_err(&err);
	for (i = 0; i < n; i++) {
		struct lb_state st;

		if (session_read_state(ids[i], &st, &err) == 0)
			print_state(&st, i == 0);
	}
	if (n == 0)
		printf("no boxes\n");
	free(ids);
	return 0;
}

static void print_cg_file(const char *cg, const char *file)
{
	char path[320], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		printf("%-16s %s\n", file, buf);
	}
	fclose(f);
}

/* One cgroup file's first number ("usage_usec N" for a keyed file), or
 * false when the file or key is not there (no controller on this host). */
static bool cg_number(const char *dir, const char *file, const char *key,
		      unsigned long long *v)
{
	char path[384], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = key ? strlen(key) : 0;

		if (key && (strncmp(line, key, n) != 0 || line[n] != ' '))
			continue;
		found = sscanf(line + (key ? n + 1 : 0), "%llu", v) == 1;
	}
	fclose(f);
	return found;
}

/*
 * The usage of each leaf of a box's node (init/, login-PID/: cgroup v2
 * has processes only in leaves, helper/box/cgroup.c): what this host's
 * controllers give.  cpu.stat is there without any controller; memory and
 * pids need theirs.
 */
static void print_leaves(const char *cg)
{
	static const struct {
		const char *file, *key, *name;
	} f[] = {{"memory.current", NULL, "memory.current"},
		 {"pids.current", NULL, "pids.current"},
		 {"cpu.stat", "usage_usec", "cpu.usage_usec"}};
	struct dirent *de;
	DIR *d = opendir(cg);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char leaf[384];
		unsigned long long v;
		size_t i;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(leaf, sizeof(leaf), "%s/%s", cg, de->d_name);
		printf("leaf             %s", de->d_name);
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (cg_number(leaf, f[i].file, f[i].key, &v))
				printf(" %s=%llu", f[i].name, v);
		printf("\n");
	}
	closedir(d);
}

static int cmd_show(int argc, char **argv)
{
	struct lb_state st;
	struct lb_err err;
	unsigned long id;

	lb_err_clear(&err);
	if (argc != 2 || session_parse_id(argv[1], &id) < 0) {
		fprintf(stderr, "usage: loginbox show ID\n");
		return 2;
	}
	if (need_root() < 0)
		return 1;
	if (session_read_state(id, &st, &err) < 0)
		return die_err(&err);
	printf("id               %lu\nuser             %s (uid %u)\n"
	       "service          %s\nimage            %s\nupper            %s %s\n"
	       "init pid         %d\nlogin pid        %d\ncgroup           %s\n",
	       st.id, st.user, (unsigned)st.uid, st.service, st.image, st.upper,
	       st.upper_dir, (int)st.init_pid, (int)st.owner_pid,
	       st.cgroup[0] ? st.cgroup : "(none)");
	{
		char buf[LB_MAX_LOGINS * 40 + 32], *tok, *save = NULL;
		const char *l = box_logins(id, buf, sizeof(buf));

		printf("session          %s%s\n",
		       st.session[0] ? st.session : "login",
		       box_stale(&st) ? " (stale: the policy changed; new "
					"logins get a new box)" : "");
		printf("logins           %d\n", l ? atoi(l) : 0);
		/* each as "login PID (started TICKS)": pid and start time
		 * name the process (proc.h) */
		for (tok = l ? strtok_r((char *)l, " ", &save) : NULL; tok;
		     tok = strtok_r(NULL, " ", &save))
			if (strchr(tok, ':'))
				printf("login            %.*s (start %s)\n",
				       (int)(strchr(tok, ':') - tok), tok,
				       strchr(tok, ':') + 1);
	}
	printf("network          %s", st.net_mode[0] ? st.net_mode : "none");
	if (st.net_addr[0])
		printf(" %s/32 via host veth %s (rules: nft list table inet "
		       "loginbox)", st.net_addr, st.net_if);
	if (!strcmp(st.net_mode, "pasta")) {
		uid_t puid;
		pid_t ppid;

		if (net_pasta_read(id, &puid, &ppid) == 0)
			printf(" (pid %d as uid %u, in the host's pid "
			       "namespace; rules: nft list table inet "
			       "loginbox)", (int)ppid, (unsigned)puid);
		else
			printf(" (no pasta record)");
	}
	printf("\n");
	if (st.net_addr6[0])
		printf("network6         %s/128 via host veth %s\n",
		       st.net_addr6, st.net_if);
	if (!strcmp(st.net_mode, "bridge"))
		printf("egress           %s (never, whatever egress says: this "
		       "host, loopback, link-local, multicast, other boxes; "
		       "DNS: the resolvers in the box's /etc/resolv.conf)\n",
		       st.net_egress[0] ? st.net_egress : "any");
	if (st.cgroup[0]) {
		print_cg_file(st.cgroup, "memory.current");
		print_cg_file(st.cgroup, "pids.current");
		print_cg_file(st.cgroup, "cpu.stat");
		print_leaves(st.cgroup);
	}
	lb_devices_show(st.init_pid, stdout);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	struct lb_state st;
	struct lb_err err;
	unsigned long id, *ids = NULL;
	int n, i, ret = 0;

	lb_err_clear(&err);
	if (argc != 2 || (strcmp(argv[1], "all") != 0 &&
			  session_parse_id(argv[1], &id) < 0)) {
		fprintf(stderr, "usage: loginbox kill ID|all\n");
		return 2;
	}
	if (need_root() < 0)
		return 1;
	box_end_cause = "kill"; /* the audit record (audit_box.h) */
	if (!strcmp(argv[1], "all")) {
		/* Package removal: every box, as their logouts would. */
		n = session_list(&ids, &err);
		for (i = 0; i < n; i++)
			if (teardown_session(ids[i], &err) < 0)
				ret = die_err(&err);
		free(ids);
		return n < 0 ? die_err(&err) : ret;
	}
	if (session_read_state(id, &st, &err) < 0)
		return die_err(&err);
	if (teardown_session(id, &err) < 0)
		return die_err(&err);
	printf("box %lu of %s ended\n", id, st.user);
	return 0;
}

/*
 * gc --watch: the main process of loginbox.service.  Under systemd it
 * first moves into a leaf of its delegated cgroup, so the unit's node can
 * enable controllers for the boxes beside it (no internal processes).
 */
static __attribute__((noreturn)) int gc_watch(unsigned interval)
{
	struct lb_err err;

	if (access("/run/systemd/system", F_OK) == 0) {
		FILE *f;

		if (mkdir(LB_SYSTEMD_CGROUP "/supervisor", 0755) < 0 &&
		    errno != EEXIST)
			fprintf(stderr, "loginbox: mkdir %s/supervisor: %s\n",
				LB_SYSTEMD_CGROUP, strerror(errno));
		f = fopen(LB_SYSTEMD_CGROUP "/supervisor/cgroup.procs", "we");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
			fprintf(stderr, "loginbox: cannot enter %s/supervisor "
					"(is Delegate=yes set?)\n",
				LB_SYSTEMD_CGROUP);
	}
	for (;;) {
		lb_err_clear(&err);
		if (teardown_gc(true, &err) < 0)
			die_err(&err);
		fflush(stdout);
		sleep(interval);
	}
}

static int cmd_gc(int argc, char **argv)
{
	struct lb_err err;
	int n;

	lb_err_clear(&err);
	if (need_root() < 0)
		return 1;
	if (argc >= 2 && !strcmp(argv[1], "--watch"))
		return gc_watch(argc >= 3 ? (unsigned)strtoul(argv[2], NULL, 10)
					  ?: 60
					  : 60);
	n = teardown_gc(true, &err);
	if (n < 0)
		return die_err(&err);
	printf("gc: %d box%s removed\n", n, n == 1 ? "" : "es");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: loginbox check [FILE]\n"
		"       loginbox doctor [--json]\n"
		"       loginbox sshd-config [--write]\n"
		"       loginbox policy [--json] USER\n"
		"       loginbox run [--timing] -u USER [-- CMD [ARG...]]\n"
		"       loginbox list [--json]\n"
		"       loginbox show [--json] ID\n"
		"       loginbox kill ID|all\n"
		"       loginbox gc [--watch [SECONDS]]\n"
		"       loginbox image import|list|show|rm|gc ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	argc--;
	argv++;
	if (!strcmp(argv[0], "check"))
		return cmd_check(argc, argv);
	if (!strcmp(argv[0], "doctor"))
		return lb_doctor_main(argc, argv);
	if (!strcmp(argv[0], "sshd-config"))
		return cmd_sshd_config(argc, argv);
	/* --json right after the command (json_out.c) */
	if (argc == 3 && !strcmp(argv[1], "--json") &&
	    (!strcmp(argv[0], "policy") || !strcmp(argv[0], "show")))
		return argv[0][0] == 'p' ? lb_json_policy(argv[2])
					 : lb_json_show(argv[2]);
	if (argc == 2 && !strcmp(argv[0], "list") && !strcmp(argv[1], "--json"))
		return lb_json_list();
	if (!strcmp(argv[0], "policy"))
		return cmd_policy(argc, argv);
	if (!strcmp(argv[0], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[0], "list"))
		return cmd_list();
	if (!strcmp(argv[0], "show"))
		return cmd_show(argc, argv);
	if (!strcmp(argv[0], "kill"))
		return cmd_kill(argc, argv);
	if (!strcmp(argv[0], "gc"))
		return cmd_gc(argc, argv);
	if (!strcmp(argv[0], "image"))
		return cmd_image(argc, argv);
	return usage();
}
