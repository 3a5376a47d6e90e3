#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Leaked fds and ptrace: no process of a box holds a host file, and nobody
# (box root, a nested namespace's root, the user's own host processes)
# can ptrace, setns into or read the box's init; the host-side relay
# (loginbox-shell) cannot be ptraced by the user either.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

reset_conf

# ---- leaked fds, seen from inside: a pty login, su, and box root's view
# of every process of its box.  Anything but pipes, sockets, anon inodes,
# the box's /dev and /proc is a leak (a host file or directory).
leak_re='(/run/loginbox|/var/lib/loginbox|/etc/loginbox|/dev/vda|/sys/fs/cgroup|/home/lbt-(bob|plain)|/tmp/lbt-integration)'
P=$(hc_put lbt-alice)
out=$(pty_run --expect "$PROMPT_RE" --send "python3 $P FDS fds; ls -l /proc/self/fd/ | sed 's/^/LS /'; $(marker_cmd TTY '$(tty)')exit\n" -- \
	ssh "${SSH_OPTS[@]}" -tt lbt-alice@127.0.0.1 2>&1 | sed 's/\x1b\[[?0-9;]*[a-zA-Z]//g')
t_like "$(marker "$out" TTY)" '^/dev/pts/[0-9]+$' "pty login: control: the shell's terminal is a pty of the box ($(marker "$out" TTY))"
fds=$(kv "$out" FDS | tr '|' '\n')
t_like "$fds" '^[0-9]+:0:/dev/pts/' "pty login: control: the fds of the box's processes were listed" || true
[ -z "$fds" ] && diag "pty output:" "$(printf '%s' "$out" | tr -d '\r' | tail -n 30)"
t_unlike "$fds" "$leak_re" "pty login: no box process holds a host path (control socket, state, disk, cgroup, other homes)"
t_unlike "$(printf '%s\n' "$out" | grep '^LS ' | tr -d '\r' | grep -v -- '-> /proc/[0-9]*/fd$')" ' ([3-9]|[0-9]{2}) -> ' "pty login: the shell has only fds 0-2 (and ls its own)"
out=$(su_as lbt-alice "python3 $P FDS fds; ls -l /proc/self/fd/ | sed 's/^/LS /'; echo @@SU=\$LOGINBOX_SESSION@@" 2>&1)
t_like "$(marker "$out" SU)" '^[0-9]+$' "su: control: the command ran in a box (session $(marker "$out" SU))"
t_unlike "$(kv "$out" FDS | tr '|' '\n')" "$leak_re" "su: no box process holds a host path"
t_unlike "$(printf '%s\n' "$out" | grep '^LS ' | tr -d '\r' | grep -v -- '-> /proc/[0-9]*/fd$')" ' ([3-9]|[0-9]{2}) -> ' "su: the command has only fds 0-2 (and ls its own)"
rm -f "$P"
P=$(hc_put lbt-root)
out=$(ssh_as lbt-root "sleep 30 </dev/null >/dev/null 2>&1 & python3 $P FDS fds; kill \$!" 2>&1)
fds=$(kv "$out" FDS | tr '|' '\n')
t_like "$fds" '^[0-9]+:1:/dev/null' "root: control: box root lists the fds of other box processes (a background sleep)"
t_unlike "$fds" '^1:' "root: box root cannot list the fds of init (PID 1)"
t_unlike "$fds" "$leak_re" "root: no process of the box holds a host path"

# ---- ptrace of init from inside
for u in lbt-alice lbt-root; do
	P=$(hc_put "$u")
	out=$(ssh_as "$u" "python3 $P INIT read /proc/1/comm \; CHILD ptrace_child \; PT ptrace 1 \; ENV open /proc/1/environ r \; MEM open /proc/1/mem r" 2>&1)
	t_is "$(kv "$out" INIT)" loginbox-init "${u#lbt-}: control: PID 1 is loginbox-init"
	t_is "$(kv "$out" CHILD)" OK "${u#lbt-}: control: ptrace itself works in the box (PTRACE_SEIZE of its own child)"
	t_is "$(kv "$out" PT)" EPERM "${u#lbt-}: PTRACE_SEIZE of the box's init is refused (EPERM)"
	t_is "$(kv "$out" MEM)" EACCES "${u#lbt-}: /proc/1/mem of the box's init cannot be opened (EACCES)"
	rm -f "$P"
done
P=$(hc_put lbt-alice)
out=$(ssh_as lbt-alice "unshare -Ur python3 $P UID read /proc/self/uid_map \; PT ptrace 1 \; ENV open /proc/1/environ r" 2>&1)
t_like "$(kv "$out" UID)" '^ *0 +1' "nested userns: control: the probe is root of a nested user namespace"
t_is "$(kv "$out" PT)" EPERM "nested userns: PTRACE_SEIZE of the box's init is refused (EPERM)"
t_is "$(kv "$out" ENV)" EACCES "nested userns: /proc/1/environ of init cannot be opened (EACCES)"
rm -f "$P"

# ---- the user's own host processes against the live box
if hc_box_start lbt-alice; then
	t_is "$(cat "/proc/$HC_INIT/comm")" loginbox-init "host: control: the box's init runs as host pid $HC_INIT"
	t_check "host: control: its namespace files exist" test -e "/proc/$HC_INIT/ns/user"
	out=$(hc_as lbt-alice python3 "$HC_PROBE" CHILD ptrace_child \; PT ptrace "$HC_INIT" \
		\; ENV open "/proc/$HC_INIT/environ" r \; MEM open "/proc/$HC_INIT/mem" r \
		\; ROOT readlink "/proc/$HC_INIT/root" \; CWD readlink "/proc/$HC_INIT/cwd" \
		\; FD0 readlink "/proc/$HC_INIT/fd/3" \; EXE readlink "/proc/$HC_INIT/exe" \
		\; NSU setns "/proc/$HC_INIT/ns/user" \; NSM setns "/proc/$HC_INIT/ns/mnt" \
		\; NSP setns "/proc/$HC_INIT/ns/pid" \; NSN setns "/proc/$HC_INIT/ns/net" 2>&1)
	t_is "$(kv "$out" CHILD)" OK "host: control: the user's host process can ptrace its own child"
	t_is "$(kv "$out" PT)" EPERM "host: the user's host process cannot ptrace the box's init (EPERM)"
	for k in ENV MEM ROOT CWD FD0 EXE; do
		t_is "$(kv "$out" $k)" EACCES "host: the user's host process cannot open init's /proc/PID/$(echo $k | tr 'A-Z' 'a-z' | sed 's/fd0/fd\/3/') (EACCES)"
	done
	for k in NSU NSM NSP NSN; do
		t_is "$(kv "$out" $k)" OPEN:EACCES "host: the user's host process cannot open init's namespace file ($k: EACCES)"
	done
	out=$(hc_as lbt-alice nsenter -t "$HC_INIT" -U -m -p sh -c 'echo @@IN@@' 2>&1)
	t_unlike "$out" '@@IN@@' "host: nsenter -t <init> by the user runs nothing"
	t_like "$out" 'nsenter: .*(Permission denied|Operation not permitted)' "host: nsenter says why (permission denied)"
	# The box's shell runs as the user's own uid on the host: its
	# namespace files open, but the user namespace is root's.
	bsh=$(hc_host_pid_of "$HC_INIT" sleep)
	if [ -n "$bsh" ]; then
		# Same uid, but the box's user namespace is root's: the user's
		# host process has no capability in it, so the kernel's ptrace
		# access check (commoncap) fails.
		out=$(hc_as lbt-alice python3 "$HC_PROBE" ENV read "/proc/$bsh/comm" \; PT ptrace "$bsh" \; NSU setns "/proc/$bsh/ns/user" \; NSM setns "/proc/$bsh/ns/mnt" \; MEM open "/proc/$bsh/mem" r 2>&1)
		t_is "$(kv "$out" ENV)" sleep "host: control: the user's host process sees the box's shell (pid $bsh, same uid)"
		t_is "$(kv "$out" PT)" EPERM "host: the user's host process cannot ptrace the box's own shell (EPERM: the box's user namespace is root's)"
		t_is "$(kv "$out" NSU)" OPEN:EACCES "host: nor open its user namespace to setns into the box (EACCES)"
		t_is "$(kv "$out" NSM)" OPEN:EACCES "host: nor open its mount namespace (EACCES)"
		t_is "$(kv "$out" MEM)" EACCES "host: nor open its /proc/PID/mem (EACCES)"
	else
		tap_fail "host: the box shell's host pid is found" "children of $HC_INIT: $(pgrep -a -P "$HC_INIT")"
	fi
	# The host-side relay of the login is the user's process too.
	rel=$(pgrep -u lbt-alice -x loginbox-shell | head -n 1)
	if [ -n "$rel" ]; then
		out=$(hc_as lbt-alice python3 "$HC_PROBE" PT ptrace "$rel" \; MEM open "/proc/$rel/mem" r \; ENV open "/proc/$rel/environ" r 2>&1)
		t_is "$(kv "$out" PT)" EPERM "host: the user cannot ptrace loginbox-shell, the relay of the login's terminal (EPERM: not dumpable)"
		t_is "$(kv "$out" MEM)" EACCES "host: the user cannot open loginbox-shell's /proc/PID/mem (EACCES)"
	else
		tap_fail "host: the login's loginbox-shell runs on the host" "$(pgrep -a -u lbt-alice)"
	fi
	# A second boxed user's host process: nothing of alice's init either.
	out=$(hc_as lbt-bob python3 "$HC_PROBE" PT ptrace "$HC_INIT" \; ENV open "/proc/$HC_INIT/environ" r \; NSU setns "/proc/$HC_INIT/ns/user" 2>&1)
	t_is "$(kv "$out" PT)" EPERM "bob: lbt-bob's host process cannot ptrace alice's init (EPERM; the kernel refuses a different uid anyway)"
	t_is "$(kv "$out" ENV)" EACCES "bob: lbt-bob cannot read alice's init's environ (EACCES)"
	t_is "$(kv "$out" NSU)" OPEN:EACCES "bob: lbt-bob cannot open alice's init's user namespace (EACCES)"
	hc_box_stop
else
	tap_fail "host: a login of lbt-alice that stays came up" "$(cat "$HC_OUT")"
fi

assert_no_leftovers "fds and ptrace: nothing of these sessions remains"
exit 0
