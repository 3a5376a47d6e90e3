#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# seccomp = strict (helper/box/seccomp.c): the allow list stacked on the
# deny list.  A strict box is proven first (two filters loaded, and a call
# the allow list leaves out answers EPERM where a default box gets the
# kernel's own answer), then everyday tools must work in it: apt, git,
# python3, gcc, ssh.
set -u
. "$(dirname "$0")/lib.sh"

AHOME=$(getent passwd lbt-alice | cut -d: -f6)
W=$AHOME/lbt-t35
rm -rf "$W"
install -d -o lbt-alice -g "$(id -g lbt-alice)" -m 0755 "$W"

{ base_conf; printf '[user.lbt-alice]\nseccomp = strict\n'; } | write_conf

# The program of the ABI check: getpid through the i386 entry point.
cat >"$W/i386.c" <<'EOF'
#include <stdio.h>
int main(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	printf("I386=%s\n", r > 0 ? "ok" : "error");
	return 0;
}
EOF
cat >"$W/hello.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static void *run(void *arg) { return arg; }
int main(void)
{
	pthread_t t;
	void *r;

	if (pthread_create(&t, NULL, run, "thread") || pthread_join(t, &r))
		return 1;
	printf("HELLO=%s\n", (char *)r);
	return 0;
}
EOF
chown lbt-alice: "$W"/*.c

PROBE='echo FILTERS=$(sed -n "s/^Seccomp_filters:[[:space:]]*//p" /proc/self/status)
unshare -U true 2>&1 | sed "s/^/UNSHARE: /"
setarch -X true 2>&1 | sed "s/^/PERSONA: /"
setarch -R true && echo NORANDOM=ok'

out=$(ssh_as lbt-alice "$PROBE" 2>&1)
t_is "$(kv "$out" FILTERS)" 2 "strict: two filters are loaded (deny list + allow list)"
t_like "$out" '^UNSHARE: unshare: unshare failed: Operation not permitted$' \
	"strict: unshare(CLONE_NEWUSER) answers the allow list's EPERM"
t_like "$out" '^PERSONA: setarch: .*Operation not permitted' "strict: personality(READ_IMPLIES_EXEC) refused"
t_is "$(kv "$out" NORANDOM)" ok "strict: personality(ADDR_NO_RANDOMIZE) allowed (setarch -R)"
# the same in a default box: the kernel's own answers
reset_conf
out=$(ssh_as lbt-alice "$PROBE" 2>&1)
t_is "$(kv "$out" FILTERS)" 1 "default (control): one filter"
t_like "$out" '^UNSHARE: unshare: unshare failed: No space left on device$' \
	"default (control): unshare answers the kernel's ENOSPC (nested_userns = no)"
t_unlike "$out" '^PERSONA: ' "default (control): personality(READ_IMPLIES_EXEC) works"
if gcc -static -O1 -o "$W/i386" "$W/i386.c" 2>"$W/gcc.log"; then
	chown lbt-alice: "$W/i386"
	out=$(ssh_as lbt-alice "$W/i386; echo STATUS=\$?" 2>&1)
	t_is "$(kv "$out" I386)" ok "default (control): the i386 entry point answers"
	{ base_conf; printf '[user.lbt-alice]\nseccomp = strict\n'; } | write_conf
	out=$(ssh_as lbt-alice "$W/i386; echo STATUS=\$?" 2>&1)
	t_is "$(kv "$out" STATUS)" 159 "strict: an i386 system call kills the process (SIGSYS, 128+31)"
	t_unlike "$out" '^I386=' "strict: the i386 call never returned"
else
	tap_skip "strict: i386 system calls kill the process" "no static gcc: $(head -n 1 "$W/gcc.log")"
fi

# Everyday tools in a strict box.
{ base_conf; printf '[user.lbt-alice]\nseccomp = strict\n'; } | write_conf
out=$(ssh_as lbt-alice "cd $W && {
	echo FILTERS=\$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/self/status)
	apt-get --version | head -n 1 | sed 's/^/APTGET=/'
	apt-cache policy bash | sed -n 's/^ *Installed: /APTPOLICY=/p'
	git init -q repo && cd repo && echo hi >f && git add f &&
		git -c user.name=t -c user.email=t@e commit -qm first &&
		echo GIT=\$(git log --format=%s) && cd ..
	python3 -c 'import hashlib, sqlite3, ssl, subprocess, threading; t = threading.Thread(target=print, args=(\"PYTHON=\" + str(subprocess.run([\"true\"]).returncode),)); t.start(); t.join()'
	gcc -pthread -o hello hello.c && ./hello
	ssh -V 2>&1 | sed 's/^/SSHV=/'
	ssh-keygen -q -t ed25519 -N '' -f key && echo KEYGEN=\$(cut -d' ' -f1 key.pub)
}" 2>&1)
t_is "$(kv "$out" FILTERS)" 2 "tools: the shell runs under strict"
t_like "$(kv "$out" APTGET)" '^apt [0-9]' "strict: apt-get --version"
t_like "$(kv "$out" APTPOLICY)" '^[0-9]' "strict: apt-cache policy (no network)"
t_is "$(kv "$out" GIT)" first "strict: git init, add, commit, log"
t_is "$(kv "$out" PYTHON)" 0 "strict: python3 with threads, ssl, sqlite3, subprocess"
t_is "$(kv "$out" HELLO)" thread "strict: gcc compiles and the program runs threads"
t_like "$(kv "$out" SSHV)" '^OpenSSH_' "strict: ssh -V"
t_is "$(kv "$out" KEYGEN)" ssh-ed25519 "strict: ssh-keygen"
[ "$(kv "$out" HELLO)" = thread ] || diag "$out"

reset_conf
rm -rf "$W"
assert_no_leftovers "seccomp strict"
