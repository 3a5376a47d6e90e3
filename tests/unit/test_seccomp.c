// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp filters (helper/box/seccomp.c): each rule is first read in
 * the compiled filter (seccomp_export_pfc), then proven on the real
 * kernel: a child loads the filters and makes the call, and the same call
 * is made without a filter, so a result the kernel gives anyway proves
 * nothing.
 */
#include "../../helper/box/seccomp.c"

#include <fcntl.h>
#include <linux/netlink.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "config_keys.h"
#include "tap.h"

static char *pfc(scmp_filter_ctx ctx)
{
	static char buf[1 << 18];
	int fd = memfd_create("pfc", 0);
	ssize_t n;

	if (fd < 0 || seccomp_export_pfc(ctx, fd) < 0)
		return strcpy(buf, "(export failed)");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

enum probe {
	P_TIOCSETD,
	P_TIOCSETD_HIGH,
	P_TIOCSTI,
	P_TIOCGWINSZ,
	P_CLONE3,
	P_UNSHARE_USER,
	P_UNSHARE_FILES,
	P_PACKET,
	P_NETFILTER,
	P_NETFILTER_HIGH,
	P_NETLINK_ROUTE,
	P_INET,
	P_PERSONA_RIE,
	P_PERSONA_QUERY,
	P_MOUNT,
	P_I386,
	P_KEYCTL,
};

/* The call of a probe: its result, or -errno. */
static long call(enum probe p)
{
	long r = 0;
	int master, slave, ldisc = 0;
	char c = 'x';
	struct winsize ws;

	switch (p) {
	case P_TIOCSETD:
	case P_TIOCSETD_HIGH:
	case P_TIOCSTI:
	case P_TIOCGWINSZ:
		if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
			return -1000;
		if (p == P_TIOCSETD)
			r = syscall(SYS_ioctl, slave, TIOCSETD, &ldisc);
		else if (p == P_TIOCSETD_HIGH)
			r = syscall(SYS_ioctl, slave,
				    (unsigned long)TIOCSETD | (1UL << 32), &ldisc);
		else if (p == P_TIOCSTI)
			r = syscall(SYS_ioctl, slave, TIOCSTI, &c);
		else
			r = syscall(SYS_ioctl, slave, TIOCGWINSZ, &ws);
		break;
	case P_CLONE3: {
		/* an invalid size: EINVAL from the kernel, ENOSYS from us */
		r = syscall(SYS_clone3, NULL, 0);
		break;
	}
	case P_UNSHARE_USER:
		r = syscall(SYS_unshare, CLONE_NEWUSER);
		break;
	case P_UNSHARE_FILES:
		r = syscall(SYS_unshare, CLONE_FILES);
		break;
	case P_PACKET:
		r = syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
		break;
	case P_NETFILTER:
		r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
		break;
	case P_NETFILTER_HIGH:
		r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW,
			    NETLINK_NETFILTER | (1UL << 32));
		break;
	case P_NETLINK_ROUTE:
		r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		break;
	case P_INET:
		r = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
		break;
	case P_PERSONA_RIE:
		r = syscall(SYS_personality, READ_IMPLIES_EXEC);
		break;
	case P_PERSONA_QUERY:
		r = syscall(SYS_personality, 0xffffffffUL);
		break;
	case P_MOUNT:
		r = syscall(SYS_mount, "none", "/nonexistent-lbt", "tmpfs", 0,
			    NULL);
		break;
	case P_I386: {
		long ret;

		/* getpid through the i386 entry point (20 there) */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		return ret > 0 ? 1 : ret;
	}
	case P_KEYCTL:
		r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
		break;
	}
	return r < 0 ? -errno : (r > 0 ? 1 : 0);
}

/* Run a probe in a child with `prog` loaded (or none): "rN" with the
 * result, or "sN" when the child died of signal N. */
static const char *run(const void *prog, size_t len, enum probe p)
{
	static char out[32];
	int fds[2], st;
	long r;
	pid_t pid;

	if (pipe(fds) < 0)
		return "pipe";
	pid = fork();
	if (pid == 0) {
		struct lb_err err;

		close(fds[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    sc_load(prog, len, &err) < 0)
			_exit(99);
		r = call(p);
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(98);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r))
		r = -10000;
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		snprintf(out, sizeof(out), "s%d", WTERMSIG(st));
	else if (WEXITSTATUS(st))
		snprintf(out, sizeof(out), "x%d", WEXITSTATUS(st));
	else
		snprintf(out, sizeof(out), "r%ld", r);
	return out;
}

static void t_pfc(void)
{
	struct lb_policy pol = {.seccomp = LB_SECCOMP_STRICT};
	scmp_filter_ctx ctx;
	char want[64];
	const char *s;

	ok(sc_deny_ctx(&ctx) == 0, "deny filter builds");
	s = pfc(ctx);
	/* one ioctl block per ABI, each with the three requests */
	is_int(count(s, "filter for arch"), 3, "deny: x86_64, x86, x32");
	/* "$a1.lo32 & 0xffffffff == N" on x86_64, "$a1 & ..." on the others */
	snprintf(want, sizeof(want), "& 0xffffffff == %d)\n", TIOCSETD);
	is_int(count(s, want), 3, "deny: TIOCSETD on its low 32 bits, all ABIs");
	snprintf(want, sizeof(want), "& 0xffffffff == %d)\n", TIOCSTI);
	is_int(count(s, want), 3, "deny: TIOCSTI, all ABIs");
	ok(strstr(s, "\"keyctl\"") != NULL, "deny: keyctl has a rule");
	seccomp_release(ctx);

	ok(sc_allow_ctx(&pol, &ctx) == 0, "strict filter builds");
	s = pfc(ctx);
	is_int(count(s, "filter for arch"), 1, "strict: native ABI only");
	ok(strstr(s, "invalid architecture action\naction KILL_PROCESS") !=
		   NULL,
	   "strict: other ABIs kill the process");
	ok(strstr(s, "\"clone3\"") && strstr(s, "ERRNO(38)"),
	   "strict: clone3 answers ENOSYS");
	ok(strstr(s, "default action\n  action ERRNO(1)") != NULL,
	   "strict: default EPERM");
	ok(strstr(s, "\"mount\"") == NULL,
	   "strict: no mount rule without nested_userns or sys_admin");
	seccomp_release(ctx);

	pol.nested_userns = true;
	ok(sc_allow_ctx(&pol, &ctx) == 0, "strict + nested_userns builds");
	s = pfc(ctx);
	ok(strstr(s, "\"mount\"") != NULL, "strict + nested_userns: mount");
	seccomp_release(ctx);
}

struct row {
	enum probe p;
	const char *name;
	const char *deflt, *strict; /* NULL: the same as without a filter */
};

/* One filtered result against the unfiltered one: a refusal counts only
 * where the kernel itself would have answered otherwise. */
static void judge(const char *mode, const struct row *w, const char *none,
		  const char *want, const char *got)
{
	if (!want)
		is_str(got, none, "%s: %s works as without a filter", mode,
		       w->name);
	else if (!strcmp(none, want))
		skip(w->name, "%s: the kernel answers %s anyway here", mode,
		     none);
	else
		is_str(got, want, "%s: %s (without a filter: %s)", mode,
		       w->name, none);
}

static void t_kernel(void)
{
	static const struct row rows[] = {
		{P_TIOCSETD, "TIOCSETD N_TTY on a pty", "r-1", "r-1"},
		{P_TIOCSETD_HIGH, "TIOCSETD with bit 32 set", "r-1", "r-1"},
		{P_TIOCSTI, "TIOCSTI", "r-1", "r-1"},
		{P_TIOCGWINSZ, "TIOCGWINSZ", NULL, NULL},
		{P_CLONE3, "clone3", NULL, "r-38"},
		{P_UNSHARE_USER, "unshare(CLONE_NEWUSER)", NULL, "r-1"},
		{P_UNSHARE_FILES, "unshare(CLONE_FILES)", NULL, NULL},
		{P_PACKET, "socket(AF_PACKET)", NULL, "r-1"},
		{P_NETFILTER, "socket(NETLINK_NETFILTER)", NULL, "r-1"},
		{P_NETFILTER_HIGH, "socket(NETLINK_NETFILTER | 1<<32)", NULL,
		 "r-1"},
		{P_NETLINK_ROUTE, "socket(NETLINK_ROUTE)", NULL, NULL},
		{P_INET, "socket(AF_INET)", NULL, NULL},
		{P_PERSONA_RIE, "personality(READ_IMPLIES_EXEC)", NULL, "r-1"},
		{P_PERSONA_QUERY, "personality query", NULL, NULL},
		{P_MOUNT, "mount", NULL, "r-1"},
		{P_I386, "getpid through int 0x80 (i386)", NULL, "s31"},
		{P_KEYCTL, "keyctl", "r-1", "r-1"},
	};
	struct lb_policy pol = {.seccomp = LB_SECCOMP_DEFAULT};
	void *pd = NULL, *ps = NULL;
	size_t ld = 0, ls = 0, i;
	struct lb_err err;

	ok(sc_compile(&pol, &pd, &ld, &err) == 0, "compile default");
	pol.seccomp = LB_SECCOMP_STRICT;
	ok(sc_compile(&pol, &ps, &ls, &err) == 0, "compile strict");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *w = &rows[i];
		char none[32];

		snprintf(none, sizeof(none), "%s", run(NULL, 0, w->p));
		judge("default", w, none, w->deflt, run(pd, ld, w->p));
		judge("strict", w, none, w->strict, run(ps, ls, w->p));
	}
	free(pd);
	free(ps);
}

/* The keys: seccomp = strict and nested_userns, read back as written. */
static void t_keys(void)
{
	const struct lb_keydef *sc = lb_key_find("seccomp");
	const struct lb_keydef *nu = lb_key_find("nested_userns");
	struct lb_policy p;
	struct lb_err err;
	char buf[64];

	lb_policy_defaults(&p);
	ok(!p.nested_userns, "nested_userns defaults to no");
	ok(sc && lb_key_parse(sc, "strict", &p, &err) == 0 &&
		   p.seccomp == LB_SECCOMP_STRICT,
	   "seccomp = strict parses");
	lb_key_format(sc, &p, buf, sizeof(buf));
	is_str(buf, "strict", "seccomp = strict prints back");
	ok(nu && lb_key_parse(nu, "yes", &p, &err) == 0 && p.nested_userns,
	   "nested_userns = yes parses");
	ok(lb_key_parse(nu, "sometimes", &p, &err) < 0,
	   "nested_userns = sometimes is refused");
}

int main(void)
{
	t_keys();
	t_pfc();
	t_kernel();
	return done_testing();
}
