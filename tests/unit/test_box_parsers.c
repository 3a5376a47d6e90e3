// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The box's parsers of input it does not trust (linked with the box code,
 * Makefile BOX_UNIT_BINS):
 *  - spawn_parse: a LB_MSG_SPAWN message from the boxed user's client over
 *    the control socket; every byte is hostile.  A parsed request holds
 *    exactly argc and envc strings inside the message, each ending at a
 *    NUL within it; the mode's argument count is enforced.
 *  - session_parse_state: the session state file that list, kill, gc and
 *    teardown read (it carries the user, image and phase names); every
 *    field stays NUL-terminated in its array, unknown keys are ignored.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "box.h"
#include "spawn.h"
#include "tap.h"

static union {
	struct lb_msg_spawn m;
	char c[1024];
} u;

/* A spawn message: header, then the strings given (each with its NUL);
 * returns its length. */
static size_t msg(uint32_t mode, uint32_t argc, uint32_t envc,
		  const char *const *s, int ns)
{
	char *p = (char *)(&u.m + 1);
	int i;

	memset(&u, 0, sizeof(u));
	u.m.hdr.magic = LB_PROTO_MAGIC;
	u.m.hdr.type = LB_MSG_SPAWN;
	u.m.mode = mode;
	u.m.pty = 1;
	u.m.rows = 24;
	u.m.cols = 80;
	u.m.argc = argc;
	u.m.envc = envc;
	for (i = 0; i < ns; i++) {
		size_t n = strlen(s[i]) + 1;

		memcpy(p, s[i], n);
		p += n;
	}
	u.m.hdr.len = (uint32_t)(p - u.c);
	return (size_t)(p - u.c);
}

static int parse(size_t len, struct spawn_req *r, struct lb_err *err)
{
	memset(err, 0, sizeof(*err));
	return spawn_parse(u.c, len, r, err);
}

static void refused(size_t len, const char *want, const char *name)
{
	struct spawn_req r;
	struct lb_err err;
	char text[128];

	/* lb_fail appends strerror(EPROTO) */
	snprintf(text, sizeof(text), "%s: %s", want, strerror(EPROTO));
	is_int(parse(len, &r, &err), -1, "spawn: %s is refused", name);
	is_str(err.msg, text, "spawn: %s: its own message", name);
	spawn_free(&r);
}

static void test_spawn(void)
{
	static const char *const s3[] = {"ls", "-l", "TERM=xterm"};
	static const char *const s1[] = {"echo hi"};
	struct spawn_req r;
	struct lb_err err;
	size_t len;

	len = msg(LB_SPAWN_EXEC, 2, 1, s3, 3);
	is_int(parse(len, &r, &err), 0, "spawn: exec ls -l, one variable");
	is_int(r.mode, LB_SPAWN_EXEC, "spawn: mode");
	ok(r.pty && r.rows == 24 && r.cols == 80, "spawn: pty 24x80");
	is_int(r.argc, 2, "spawn: argc");
	is_int(r.envc, 1, "spawn: envc");
	ok(r.argv && !strcmp(r.argv[0], "ls") && !strcmp(r.argv[1], "-l") &&
		   !r.argv[2],
	   "spawn: argv, NULL-terminated");
	ok(r.envv && !strcmp(r.envv[0], "TERM=xterm") && !r.envv[1],
	   "spawn: envv, NULL-terminated");
	ok(r.argv[0] > u.c && r.envv[0] + strlen(r.envv[0]) < u.c + len,
	   "spawn: the strings point into the message");
	ok(r.fds[0] == -1 && r.fds[1] == -1 && r.fds[2] == -1,
	   "spawn: no fds before the caller attaches them");
	spawn_free(&r);

	len = msg(LB_SPAWN_COMMAND, 1, 0, s1, 1);
	is_int(parse(len, &r, &err), 0, "spawn: command with one string");
	spawn_free(&r);
	len = msg(LB_SPAWN_LOGIN, 0, 0, NULL, 0);
	is_int(parse(len, &r, &err), 0, "spawn: a login shell with nothing");
	is_int(r.argc + r.envc, 0, "spawn: ... no strings");
	spawn_free(&r);

	/* the last string loses its NUL: it would run past the message */
	len = msg(LB_SPAWN_EXEC, 2, 1, s3, 3);
	refused(len - 1, "unterminated string", "a string without its NUL");
	/* more strings announced than the message holds */
	len = msg(LB_SPAWN_EXEC, 2, 2, s3, 3);
	refused(len, "unterminated string", "envc beyond the message");
	len = msg(LB_SPAWN_EXEC, 4096, 4096, s3, 3);
	refused(len, "unterminated string", "4096 + 4096 strings announced, 3 sent");
	len = msg(LB_SPAWN_EXEC, 4097, 0, s3, 3);
	refused(len, "bad spawn header", "argc over the limit");
	len = msg(LB_SPAWN_EXEC, 0, UINT32_MAX, s3, 3);
	refused(len, "bad spawn header", "envc UINT32_MAX");
	len = msg(0, 0, 0, NULL, 0);
	refused(len, "bad spawn header", "mode 0");
	len = msg(LB_SPAWN_SHELL + 1, 0, 0, NULL, 0);
	refused(len, "bad spawn header", "a mode past the last");
	len = msg(LB_SPAWN_COMMAND, 2, 0, s3, 2);
	refused(len, "bad spawn argument count", "command with two strings");
	len = msg(LB_SPAWN_COMMAND, 0, 0, NULL, 0);
	refused(len, "bad spawn argument count", "command without its string");
	len = msg(LB_SPAWN_EXEC, 0, 1, s3 + 2, 1);
	refused(len, "bad spawn argument count", "exec without argv[0]");
	refused(sizeof(u.m) - 1, "bad spawn message", "a message shorter than its header");
	len = msg(LB_SPAWN_EXEC, 2, 1, s3, 3);
	u.m.hdr.type = LB_MSG_SIGNAL;
	refused(len, "bad spawn message", "another message type");
}

static void test_state(void)
{
	char buf[4096], longname[400];
	struct lb_state st;

	snprintf(buf, sizeof(buf),
		 "id=42\nuser=alice\nuid=1000\ninit_pid=777\ninit_start=123456\n"
		 "owner_pid=555\nowner_start=999\nservice=sshd\nimage=host\n"
		 "cgroup=/sys/fs/cgroup/loginbox/u1000/s42\nupper=tmpfs\n"
		 "session=login\nnet=bridge\nnet_addr=198.19.255.2\n"
		 "phase.gc=120\nphase.rootfs=3400\nnonsense\nunknown=1\n");
	session_parse_state(buf, &st);
	is_int((long long)st.id, 42, "state: id");
	is_str(st.user, "alice", "state: user");
	is_int(st.uid, 1000, "state: uid");
	is_int(st.init_pid, 777, "state: init_pid");
	is_int((long long)st.init_start, 123456, "state: init_start");
	is_int(st.owner_pid, 555, "state: owner_pid");
	is_str(st.service, "sshd", "state: service");
	is_str(st.cgroup, "/sys/fs/cgroup/loginbox/u1000/s42", "state: cgroup");
	is_str(st.net_mode, "bridge", "state: net");
	is_str(st.net_addr, "198.19.255.2", "state: net_addr");
	is_int(st.n_phases, 2, "state: two phases");
	ok(st.n_phases == 2 && !strcmp(st.phase_name[1], "rootfs") &&
		   st.phase_usec[1] == 3400,
	   "state: phase.rootfs=3400");

	/* over-long values are cut inside their arrays, never past them */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(buf, sizeof(buf), "user=%s\nimage=%s\nnet=%s\nphase.%s=1\n",
		 longname, longname, longname, longname);
	session_parse_state(buf, &st);
	is_int((long long)strlen(st.user), (long long)sizeof(st.user) - 1,
	       "state: a long user is cut to its array");
	is_int((long long)strlen(st.image), (long long)sizeof(st.image) - 1,
	       "state: a long image is cut to its array");
	is_int((long long)strlen(st.net_mode), (long long)sizeof(st.net_mode) - 1,
	       "state: a long net is cut to its array");
	is_int((long long)strlen(st.phase_name[0]),
	       (long long)sizeof(st.phase_name[0]) - 1,
	       "state: a long phase name is cut to its array");

	/* at most 16 phases are kept */
	buf[0] = '\0';
	for (int i = 0; i < 20; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "phase.p%d=%d\n", i, i);
	session_parse_state(buf, &st);
	is_int(st.n_phases, 16, "state: 20 phases, 16 kept");

	/* a damaged file: no fields at all, and a file id 0 (read_state
	 * refuses a file whose id is not the session's) */
	snprintf(buf, sizeof(buf), "\n\n=\n==\nid\n");
	session_parse_state(buf, &st);
	ok(st.id == 0 && !st.user[0] && st.n_phases == 0,
	   "state: a damaged file gives an empty state");
}

int main(void)
{
	test_spawn();
	test_state();
	return done_testing();
}
