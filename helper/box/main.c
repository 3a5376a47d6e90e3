// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loginbox-helper: builds and ends boxes for pam_loginbox and loginbox(8).
 *
 *   loginbox-helper open USER SERVICE [RHOST]   (fd 3: reply socket;
 *                                  RHOST only goes into the audit record)
 *   loginbox-helper close ID
 *   loginbox-helper gc
 *   loginbox-helper keep ID PID START   (the box's keeper: exec'ed by its
 *                                  own fork, with init as its child;
 *                                  keeper.h)
 *
 * Started by root with a fixed PATH as its whole environment; never
 * setuid.  It trusts no argument beyond the user's name (re-read through
 * NSS) and the session id: policy, ids and images come from root-owned
 * files it reads itself.
 * The reply on fd 3 is one message (reply.h): "ok ID PID" with the box's
 * network namespace attached, or an error.  The only exit is here.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "audit_box.h"
#include "box.h"
#include "fault.h"
#include "helper_call.h"
#include "join.h"
#include "keeper.h"
#include "macros.h"
#include "proto.h"
#include "reply.h"
#include "teardown.h"

static int reply(const char *text, int fd)
{
	struct lb_err err;

	return lb_proto_send(LB_HELPER_REPLY_FD, text, strlen(text),
			     fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, &err);
}

static int fail_reply(const struct lb_err *err)
{
	char buf[sizeof(err->msg) + sizeof(err->hint) + 16];

	lb_reply_format_error(err, buf, sizeof(buf));
	if (reply(buf, -1) < 0)
		fprintf(stderr, "loginbox-helper: %s\n", buf);
	return 1;
}

/*
 * The caller's resource limits are the user's choice when the caller is su
 * (`ulimit -n 7; su - boxeduser`), and a box that fails half-way under
 * them cannot always be torn down under them either.  Take PID 1's limits
 * where we may (CAP_SYS_RESOURCE), else raise each soft limit to its hard
 * one; then refuse, before anything exists, when what is left is too low
 * to build a box.  The box inherits these; its user may lower them inside.
 */
static int usable_rlimits(struct lb_err *err)
{
	static const struct {
		int res;
		const char *name;
		rlim_t min;
	} need[] = {
		{RLIMIT_NOFILE, "RLIMIT_NOFILE (ulimit -n)", 256},
		{RLIMIT_FSIZE, "RLIMIT_FSIZE (ulimit -f)", 64 << 20},
		{RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)", 256 << 20},
		{RLIMIT_AS, "RLIMIT_AS (ulimit -v)", 256 << 20},
		{RLIMIT_STACK, "RLIMIT_STACK (ulimit -s)", 1 << 20},
	};
	struct rlimit lim;
	size_t i;
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		if (prlimit(1, (__rlimit_resource_t)r, NULL, &lim) == 0 &&
		    setrlimit((__rlimit_resource_t)r, &lim) == 0)
			continue;
		if (getrlimit((__rlimit_resource_t)r, &lim) == 0 &&
		    lim.rlim_cur != lim.rlim_max) {
			lim.rlim_cur = lim.rlim_max;
			setrlimit((__rlimit_resource_t)r, &lim);
		}
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (getrlimit((__rlimit_resource_t)need[i].res, &lim) < 0)
			return lb_fail(err, errno, "getrlimit %s", need[i].name);
		if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < need[i].min) {
			lb_fail(err, 0, "the login's resource limit %s is %llu, "
				"below the %llu a box needs",
				need[i].name, (unsigned long long)lim.rlim_cur,
				(unsigned long long)need[i].min);
			return lb_hint(err, "the caller (su's user, or the "
					    "service's limits) lowered it");
		}
	}
	return 0;
}

/*
 * A login closes its session: with session = user it leaves the box's set
 * of logins and the box ends only with the last one (join.c); with
 * session = login the box ends now.  Our parent is the login process.
 */
static int do_close(unsigned long id, struct lb_err *err)
{
	cleanup_close int lockfd = -1;
	int r;

	r = join_leave(id, getppid(), JOIN_LOCK_MS, &lockfd, err);
	if (r == 0)
		r = lockfd >= 0 ? teardown_session_held(id, err)
				: teardown_session(id, err);
	else if (r > 0)
		r = 0;
	return r;
}

static int do_open(const char *user, const char *service, const char *rhost)
{
	struct lb_box b;
	struct lb_err err;
	char buf[64];

	lb_err_clear(&err);
	if (usable_rlimits(&err) < 0)
		return fail_reply(&err);
	box_init(&b);
	if (box_open(&b, user, service, getppid(), &err) < 0)
		return fail_reply(&err);
	LB_FAULT("helper:reply");
	/* Init is our child; once we exit it is reparented (box.c). */
	lb_reply_format_open(b.id, b.init_pid, buf, sizeof(buf));
	if (reply(buf, b.netns_fd) < 0) {
		/* Nobody to hand the box to: do not leave it behind.  From the
		 * host's mount namespace, where the session dir holds no
		 * mounts (in ours it holds the box's root). */
		if (b.host_mntns_fd >= 0)
			setns(b.host_mntns_fd, CLONE_NEWNS);
		do_close(b.id, &err);
		return 1;
	}
	box_audit_start(&b, rhost);
	/* Under the user's lock still: the next login of this user asks
	 * this box's keeper first (keeper.h). */
	if (b.pol.session_mode == LB_SESSION_USER)
		keeper_index_write(b.user.uid, b.id);
	return 0;
}

int main(int argc, char **argv)
{
	struct lb_err err;
	unsigned long id;

	lb_err_clear(&err);
	/* argv strings are contiguous: init reuses the area for its title. */
	if (argc > 0) {
		init_title_area = argv[0];
		init_title_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) -
					  argv[0]);
	}
	umask(022);
	openlog("loginbox-helper", LOG_PID, LOG_AUTHPRIV);
	if (geteuid() != 0) {
		fprintf(stderr, "loginbox-helper: must be started as root by "
				"pam_loginbox or loginbox(8)\n");
		return 2;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "open"))
		return do_open(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 3 && !strcmp(argv[1], "close") &&
	    session_parse_id(argv[2], &id) == 0) {
		if (do_close(id, &err) < 0)
			return fail_reply(&err);
		reply("ok", -1);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "keep") &&
	    session_parse_id(argv[2], &id) == 0 && atoi(argv[3]) > 1)
		return keeper_main(id, (pid_t)atoi(argv[3]),
				   strtoull(argv[4], NULL, 10));
	if (argc == 2 && !strcmp(argv[1], "gc"))
		return teardown_gc(true, &err) < 0 ? 1 : 0;
	fprintf(stderr, "usage: loginbox-helper open USER SERVICE [RHOST] | "
			"close ID | "
			"gc\n");
	return 2;
}
