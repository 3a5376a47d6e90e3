// SPDX-License-Identifier: GPL-2.0-or-later
/* The variables no host program of a boxed login may get (envscrub.h). */
#include "envscrub.h"

#include "tap.h"

int main(void)
{
	static const char *const bad[] = {
		"LD_PRELOAD=/home/a/x.so", "LD_AUDIT=/home/a/x.so",
		"LD_LIBRARY_PATH=/home/a", "LD_ANYTHING_NEW=1", "LD_",
		"GLIBC_TUNABLES=glibc.malloc.check=3", "GCONV_PATH=/home/a",
		"LOCPATH=/home/a", "NLSPATH=/home/a/%N", "MALLOC_TRACE=/x",
		"MALLOC_CHECK_=3", "MALLOC_ARENA_MAX=1", "HOSTALIASES=/x",
		"RES_OPTIONS=debug", "LOCALDOMAIN=x", "RESOLV_HOST_CONF=/x",
		"NIS_PATH=/x", "TZDIR=/x", "GETCONF_DIR=/x", "BASH_ENV=/x",
		"ENV=/x", "SHELLOPTS=xtrace", "BASHOPTS=x", "PS4=$(id)",
		"BASH_FUNC_ls%%=() { id; }", "LD_PRELOAD", NULL,
	};
	static const char *const good[] = {
		"PATH=/usr/bin", "HOME=/home/a", "LANG=C.UTF-8", "LC_ALL=C",
		"TERM=xterm", "TMPDIR=/tmp", "LOGINBOX_SESSION=7",
		"LDFLAGS=-g", "LD=ld", "ENVIRONMENT=x", "XLD_PRELOAD=1",
		"MALLOC=1", "PS1=$ ", "SHELL=/bin/bash", "TZ=UTC", NULL,
	};
	char *env[8], a[] = "A=1", p[] = "LD_PRELOAD=x", b[] = "B=2",
		      t[] = "GLIBC_TUNABLES=x", c[] = "C=3";
	int i;

	for (i = 0; bad[i]; i++)
		ok(lb_env_dangerous(bad[i]), "dropped: %s", bad[i]);
	for (i = 0; good[i]; i++)
		ok(!lb_env_dangerous(good[i]), "kept: %s", good[i]);
	env[0] = a;
	env[1] = p;
	env[2] = b;
	env[3] = t;
	env[4] = c;
	env[5] = NULL;
	is_int(lb_env_scrub(env), 2, "scrub removes two entries");
	ok(env[0] == a && env[1] == b && env[2] == c && env[3] == NULL,
	   "scrub keeps the others in order and ends the array");
	is_int(lb_env_scrub(NULL), 0, "scrub of NULL is a no-op");
	return done_testing();
}
