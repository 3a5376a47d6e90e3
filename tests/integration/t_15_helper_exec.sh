#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How the module starts loginbox-helper (docs/SECURITY.md, "Invariants"):
# fork + exec of the compiled-in path with a fixed environment (PATH only:
# nothing of the login's environment), fds 0-2 on /dev/null and only the
# reply socket on fd 3, whatever the login process holds.
#
# A probe stands in for the helper at its installed path for one login:
# it records its own environment and fds, and those of its parent (the su
# process the module runs in: the positive control that the caller had
# more), then execs the real helper, so the login is built as usual.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 11

W=$LBT_TMP/t15
mkdir -p "$W"
chmod 755 "$W"
reset_conf
REAL=$LB_HELPER.lbt-real
LOG=$W/helper.log

cat >"$W/probe.c" <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void fds(const char *dir, const char *tag, int skip, FILE *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX], t[PATH_MAX];
	ssize_t n;

	if (!d) {
		fprintf(out, "%s=cannot open %s\n", tag, dir);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (skip && atoi(e->d_name) == dirfd(d)))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		t[n < 0 ? 0 : n] = '\0';
		fprintf(out, "%s=%s %s\n", tag, e->d_name, t);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	FILE *m = fmemopen(buf, sizeof(buf), "w");
	char pe[64], pf[64], env[65536];
	ssize_t n;
	int fd, i;

	(void)argc;
	fds("/proc/self/fd", "FD", 1, m);
	for (i = 0; environ[i]; i++)
		fprintf(m, "ENV=%s\n", environ[i]);
	snprintf(pf, sizeof(pf), "/proc/%d/fd", (int)getppid());
	fds(pf, "PFD", 0, m);
	snprintf(pe, sizeof(pe), "/proc/%d/environ", (int)getppid());
	fd = open(pe, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, env, sizeof(env) - 1);
	for (i = 0; n > 0 && i < n; i += strlen(env + i) + 1) {
		env[n] = '\0';
		if (!strncmp(env + i, "LBT_CANARY=", 11))
			fprintf(m, "PENV=%s\n", env + i);
	}
	fprintf(m, "ARG1=%s\n", argv[1] ? argv[1] : "");
	fclose(m);
	fd = open(LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)!write(fd, buf, strlen(buf));
		close(fd);
	}
	execv(REAL, argv);
	return 127;
}
EOF
cc_out=$(gcc -O -Wall -DLOG="\"$LOG\"" -DREAL="\"$REAL\"" -o "$W/probe" "$W/probe.c" 2>&1)
t_is "$?" 0 "the stand-in helper compiles ($cc_out)"

restore_helper() {
	[ -e "$REAL" ] && mv -f "$REAL" "$LB_HELPER"
	return 0
}
trap restore_helper EXIT
mv "$LB_HELPER" "$REAL"
install -o root -g root -m 0755 "$W/probe" "$LB_HELPER"
: >"$LOG"

# The login: su from root, with a canary variable and an extra fd 7.
echo lbt-canary-file >"$W/canary"
out=$(LBT_CANARY=lbt-t15 su_as lbt-alice 'echo "@@S=$LOGINBOX_SESSION@@"' 7<"$W/canary" 2>&1)
restore_helper
trap - EXIT
t_check "the real helper is back at $LB_HELPER" sh -c "test -x '$LB_HELPER' && ! cmp -s '$LB_HELPER' '$W/probe' && test ! -e '$REAL'"
t_like "$(marker "$out" S)" '^[0-9]+$' "control: the login was built through the stand-in (session $(marker "$out" S))"
# The open call's record: from its ARG1 line back to the previous one.
rec=$(awk '/^ARG1=/ {if ($0 == "ARG1=open") {print blk; exit} blk=""; next} {blk = blk $0 "\n"}' "$LOG")
t_like "$rec" '^ENV=' "control: the stand-in recorded the open call"
t_like "$(printf '%s\n' "$rec" | grep '^PENV=')" '^PENV=LBT_CANARY=lbt-t15$' \
	"control: the login process (the helper's parent) has LBT_CANARY in its environment"
t_like "$(printf '%s\n' "$rec" | grep '^PFD=7 ')" "^PFD=7 $W/canary\$" \
	"control: the login process holds fd 7 on the canary file"
t_is "$(printf '%s\n' "$rec" | grep '^ENV=' | tr '\n' ' ')" "ENV=PATH=/usr/sbin:/usr/bin:/sbin:/bin " \
	"the helper's environment is PATH alone (no LBT_CANARY, nothing of the login's)"
fdl=$(printf '%s\n' "$rec" | grep '^FD=' | sed 's/^FD=//' | sort -n)
t_is "$(printf '%s\n' "$fdl" | awk '{print $1}' | tr '\n' ' ')" "0 1 2 3 " "the helper has fds 0-3 and no other"
t_is "$(printf '%s\n' "$fdl" | awk '$1 <= 2 {print $2}' | sort -u)" /dev/null "fds 0-2 are /dev/null"
t_like "$(printf '%s\n' "$fdl" | awk '$1 == 3 {print $2}')" '^socket:\[[0-9]+\]$' "fd 3 is the reply socket"
assert_no_leftovers "helper exec: nothing of the login remains"
exit 0
