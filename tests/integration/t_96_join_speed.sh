#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cost of a JOINING login (session = user, issue 11 "Speed"): a measurement,
# printed as diagnostics; the tests are that the timed logins really joined
# their held boxes, and by the path meant.  Interleaved, LBT_JOIN_N rounds
# (default 60):
#   `su lbt-alice -c true`  joins alice's box through its keeper (no helper)
#   `su lbt-bob -c true`    joins bob's box through the helper: that box's
#                           keeper is killed and its socket removed, so the
#                           module forks loginbox-helper open and close as
#                           every join did before the keeper served them
#   `su lbt-plain -c true`  unboxed
# median and p95 of each and of the per-round differences to the unboxed
# su.  Then where a keeper join's time goes: the module's two round trips
# (open, close) from a strace of one su, and the helper runs of one bob su.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"

W=$LBT_TMP/t96
mkdir -p "$W"
chmod 755 "$W"
N=${LBT_JOIN_N:-60}
start_syslog "$W/syslog"

{ base_conf; printf '[user.lbt-alice]\nsession = user\n[user.lbt-bob]\nsession = user\n'; } | write_conf

# hold USER: a background ssh login holding USER's box; its id.
hold() {
	local u=$1 s="" _
	timeout -k 5 300 ssh "${SSH_OPTS[@]}" "$u@127.0.0.1" 'echo S=$LOGINBOX_SESSION; sleep 280' \
		>"$W/hold.$u.out" 2>"$W/hold.$u.err" &
	track_pid "$!"
	echo "$!" >"$W/hold.$u.pid"
	for _ in $(seq 1 50); do
		s=$(kv_opt "$(cat "$W/hold.$u.out")" S)
		[ -n "$s" ] && break
		sleep 0.2
	done
	echo "$s"
}
SA=$(hold lbt-alice)
SB=$(hold lbt-bob)
t_check "a held session = user box for lbt-alice ($SA)" test -n "$SA"
t_check "a held session = user box for lbt-bob ($SB)" test -n "$SB"

# bob's box without its keeper: its joins are the helper's, as before.
kb=$(ps -o ppid= -p "$(session_field "$SB" init_pid)" 2>/dev/null | tr -d ' ')
t_like "$(tr '\0' ' ' <"/proc/$kb/cmdline" 2>/dev/null)" "^loginbox-helper keep $SB " "bob's box has a keeper (pid $kb)"
kill -KILL "$kb"
for _ in $(seq 1 50); do kill -0 "$kb" 2>/dev/null || break; sleep 0.1; done
rm -f "$LB_RUN/$SB/join"

n_via() { syslog_lines "event=join box=$1 .*via=keeper" | wc -l; }
n_join() { syslog_lines "event=join box=$1 " | wc -l; }
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv "$out" S)" "$SA" "su lbt-alice -c joins the held box"
out=$(su_c_as lbt-bob 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv "$out" S)" "$SB" "su lbt-bob -c joins the held box"

ns() { date +%s%N; }
: >"$W/k"
: >"$W/h"
: >"$W/p"
for _ in $(seq 1 5); do su_c_as lbt-alice true; su_c_as lbt-bob true; su_c_as lbt-plain true; done >/dev/null 2>&1
# (the warm-up's 6 joins of each box recorded before counting on)
for _ in $(seq 1 25); do [ "$(n_join "$SA")" -ge 6 ] && [ "$(n_join "$SB")" -ge 6 ] && break; sleep 0.2; done
ka=$(n_via "$SA")
ja=$(n_join "$SA")
jb=$(n_join "$SB")
for _ in $(seq 1 "$N"); do
	t0=$(ns); su_c_as lbt-alice true >/dev/null 2>&1; t1=$(ns)
	su_c_as lbt-bob true >/dev/null 2>&1; t2=$(ns)
	su_c_as lbt-plain true >/dev/null 2>&1; t3=$(ns)
	echo $(((t1 - t0) / 1000)) >>"$W/k"
	echo $(((t2 - t1) / 1000)) >>"$W/h"
	echo $(((t3 - t2) / 1000)) >>"$W/p"
done
# The timed joins went the way meant: every alice join by the keeper,
# every bob join by the helper (none by a keeper).
for _ in $(seq 1 25); do [ "$(n_join "$SB")" -ge $((jb + N)) ] && [ "$(n_via "$SA")" -ge $((ka + N)) ] && break; sleep 0.2; done
t_is "$(($(n_join "$SA") - ja))/$(($(n_via "$SA") - ka))" "$N/$N" "the $N timed alice joins were all served by the keeper"
t_is "$(($(n_join "$SB") - jb))/$(n_via "$SB")" "$N/0" "the $N timed bob joins were all the helper's"

stat_ms() { # FILE: "median p95" in ms
	sort -n "$1" | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; p=a[int(NR*0.95+0.5)]; printf "median %.2f p95 %.2f", m/1000, p/1000}'
}
paste "$W/k" "$W/p" | awk '{print $1-$2}' >"$W/dk"
paste "$W/h" "$W/p" | awk '{print $1-$2}' >"$W/dh"
diag "load: $(cut -d' ' -f1-3 /proc/loadavg)"
diag "keeper join su -c true (N=$N): $(stat_ms "$W/k") ms"
diag "helper join su -c true (N=$N): $(stat_ms "$W/h") ms"
diag "unboxed su -c true (N=$N): $(stat_ms "$W/p") ms"
diag "added by a keeper join, per round: $(stat_ms "$W/dk") ms"
diag "added by a helper join, per round: $(stat_ms "$W/dh") ms"

# Where a keeper join goes: the module's two round trips (open, close:
# connect to the keeper's socket -> its reply, the keeper's fork of a
# handler and the join or leave included), in one su.
for k in 1 2 3; do
	strace -f -ttt -T --seccomp-bpf -e trace=connect,recvmsg -o "$W/sk.$k" \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c true' \
		sh "$LBT_TMP/pam-su" lbt-alice >/dev/null 2>&1
done
diag "keeper round trips in one joining su (connect -> reply: open, close), ms:"
for k in 1 2 3; do
	diag "  $(awk '/connect\(.*\/join"/ {t=$2} /recvmsg/ && t {d=$NF; gsub(/[<>]/, "", d); printf "%.2f  ", ($2+d-t)*1000; t=0}' "$W/sk.$k")"
done
# The helper's runs in one bob su, as before the keeper served joins.
for k in 1 2 3; do
	strace -f -ttt --seccomp-bpf -e trace=execve,exit_group,vfork,clone,clone3 -o "$W/st.$k" \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c true' \
		sh "$LBT_TMP/pam-su" lbt-bob >/dev/null 2>&1
done
diag "helper runs in one bob su (execve -> exit_group), ms:"
for k in 1 2 3; do
	diag "  $(awk '/execve\("[^"]*loginbox-helper"/ {split($0,a," "); st[$1]=$2; arg[$1]=$0}
		/exit_group/ && ($1 in st) {match(arg[$1], /"(open|close)"/); printf "%s %.2f  ", substr(arg[$1], RSTART, RLENGTH), ($2-st[$1])*1000; delete st[$1]}' "$W/st.$k")"
done
# Full syscall trace of one joining su, kept for reading (LBT_JOIN_TRACE=FILE).
if [ -n "${LBT_JOIN_TRACE:-}" ]; then
	strace -f -ttt -T -s 80 -o "$LBT_JOIN_TRACE" \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c true' \
		sh "$LBT_TMP/pam-su" lbt-alice >/dev/null 2>&1
fi

stop_pid "$(cat "$W/hold.lbt-alice.pid")"
stop_pid "$(cat "$W/hold.lbt-bob.pid")"
assert_no_leftovers "both held boxes end with their logins (bob's without its keeper); nothing remains" 15
stop_syslog
reset_conf
