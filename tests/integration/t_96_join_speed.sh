#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cost of a JOINING login (session = user, issue 11 "Speed"): a measurement,
# printed as diagnostics; the only tests are that the timed logins really
# joined the held box.  Interleaved `su lbt-alice -c true` (joins) and
# `su lbt-plain -c true` (unboxed), LBT_JOIN_N rounds (default 60): median
# and p95 of each and of the per-round difference.  Then where a join's
# time goes: the helper's own runs (fork to exit, open and close) from a
# strace of one su, and the bare fork+exec+exit of the helper image.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t96
mkdir -p "$W"
chmod 755 "$W"
N=${LBT_JOIN_N:-60}

{ base_conf; printf '[user.lbt-alice]\nsession = user\n'; } | write_conf

# Hold the box with a background login.
timeout -k 5 120 ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 'echo S=$LOGINBOX_SESSION; sleep 100' \
	>"$W/hold.out" 2>"$W/hold.err" &
HOLD=$!
track_pid "$HOLD"
S1=""
for _ in $(seq 1 50); do
	S1=$(kv_opt "$(cat "$W/hold.out")" S)
	[ -n "$S1" ] && break
	sleep 0.2
done
t_check "a held session = user box for lbt-alice" test -n "$S1"

out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv "$out" S)" "$S1" "su lbt-alice -c joins the held box"

ns() { date +%s%N; }
: >"$W/j"
: >"$W/p"
for _ in $(seq 1 5); do su_c_as lbt-alice true; su_c_as lbt-plain true; done >/dev/null 2>&1
for _ in $(seq 1 "$N"); do
	t0=$(ns); su_c_as lbt-alice true >/dev/null 2>&1; t1=$(ns)
	su_c_as lbt-plain true >/dev/null 2>&1; t2=$(ns)
	echo $(((t1 - t0) / 1000)) >>"$W/j"
	echo $(((t2 - t1) / 1000)) >>"$W/p"
done
stat_ms() { # FILE: "median p95" in ms
	sort -n "$1" | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; p=a[int(NR*0.95+0.5)]; printf "median %.2f p95 %.2f", m/1000, p/1000}'
}
paste "$W/j" "$W/p" | awk '{print $1-$2}' >"$W/d"
diag "join su -c true (N=$N): $(stat_ms "$W/j") ms"
diag "plain su -c true (N=$N): $(stat_ms "$W/p") ms"
diag "added by the join, per round: $(stat_ms "$W/d") ms"

# Where it goes: the helper runs (fork -> exit) inside one joining su.
for k in 1 2 3; do
	strace -f -ttt --seccomp-bpf -e trace=execve,exit_group,vfork,clone,clone3 -o "$W/st.$k" \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c true' \
		sh "$LBT_TMP/pam-su" lbt-alice >/dev/null 2>&1
done
diag "strace (one joining su, 3 times): helper execve -> exit_group, in ms:"
for k in 1 2 3; do
	diag "$(awk '/execve\("[^"]*loginbox-helper"/ {split($0,a," "); st[$1]=$2; arg[$1]=$0}
		/exit_group/ && ($1 in st) {match(arg[$1], /"(open|close)"/); printf "%s %.2f  ", substr(arg[$1], RSTART, RLENGTH), ($2-st[$1])*1000; delete st[$1]}' "$W/st.$k")"
done
# Bare image start: fork+exec+ld.so+exit of the helper (an unknown verb).
: >"$W/e"
for _ in $(seq 1 50); do
	t0=$(ns); "$LB_HELPER" lbt-no-such-verb >/dev/null 2>&1; t1=$(ns)
	echo $(((t1 - t0) / 1000)) >>"$W/e"
done
: >"$W/t"
for _ in $(seq 1 50); do
	t0=$(ns); /bin/true; t1=$(ns)
	echo $(((t1 - t0) / 1000)) >>"$W/t"
done
# Full syscall trace of one joining su, kept for reading (LBT_JOIN_TRACE=FILE).
if [ -n "${LBT_JOIN_TRACE:-}" ]; then
	strace -f -ttt -T -s 80 -o "$LBT_JOIN_TRACE" \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c true' \
		sh "$LBT_TMP/pam-su" lbt-alice >/dev/null 2>&1
fi
diag "bare helper start+exit: $(stat_ms "$W/e") ms; /bin/true from bash: $(stat_ms "$W/t") ms"
# The identity and policy resolution alone, in a running process: the
# admin tool resolving lbt-alice's policy, less its bare start (what a
# join served by an already running process would still pay).
: >"$W/r"
: >"$W/b"
for _ in $(seq 1 50); do
	t0=$(ns); "$LB_ADMIN" policy lbt-alice >/dev/null 2>&1; t1=$(ns)
	"$LB_ADMIN" lbt-no-such-verb >/dev/null 2>&1; t2=$(ns)
	echo $(((t1 - t0) / 1000)) >>"$W/r"
	echo $(((t2 - t1) / 1000)) >>"$W/b"
done
diag "loginbox policy lbt-alice: $(stat_ms "$W/r") ms; loginbox bare start+exit: $(stat_ms "$W/b") ms"
diag "helper's libraries: $(ldd "$LB_HELPER" | awk '{print $1}' | tr '\n' ' ')"

stop_pid "$HOLD"
reset_conf
