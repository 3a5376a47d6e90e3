#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup leaves (issue 11): cgroup v2 has processes only in leaves, so a
# box's node loginbox/uUID/sID holds none itself: init is in sID/init, the
# programs of each login in sID/login-PID (PID: the login process on the
# host), limits stay on sID.  `loginbox show` lists each leaf's usage (this
# host's unified hierarchy has no controllers: cpu.stat only; the VM tier
# proves memory and pids).  A login's leaf goes when it leaves, the node
# with the box; gc removes a leaf whose login left while something it
# started still ran there.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t89
mkdir -p "$W"
chmod 755 "$W"

printf '%s\n[user.lbt-alice]\nsession = user\nlinger = no\n' "$(base_conf)" | write_conf

# bg_login NAME CMD: an ssh login of lbt-alice running CMD in the
# background; sets SID and BG_PID.
bg_login() {
	local name=$1 cmd=$2 i
	SID=""
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 \
		"echo S=\$LOGINBOX_SESSION; echo L=\$LOGINBOX_LOGIN; echo CG=\$(grep '^0::' /proc/self/cgroup); $cmd" \
		>"$W/$name.out" 2>"$W/$name.err" &
	BG_PID=$!
	track_pid "$BG_PID"
	for i in $(seq 1 50); do
		SID=$(kv_opt "$(cat "$W/$name.out")" S)
		[ -n "$SID" ] && [ -n "$(kv_opt "$(cat "$W/$name.out")" CG)" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.2
	done
	diag "no session id from the background login $name:" "$(cat "$W/$name.out" "$W/$name.err")"
	return 1
}

# wait_path_gone PATH SECONDS
wait_path_gone() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ ! -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

uid=$(lbt_uid lbt-alice)
hold=$(getent passwd lbt-alice | cut -d: -f6)
rm -f "$hold"/.lbt-t89-*

# ---- two logins of one box: each its own leaf, init in init/
bg_login one "while [ ! -e ~/.lbt-t89-one ]; do sleep 0.1; done"
S=$SID
L1=$(kv_opt "$(cat "$W/one.out")" L)
t_like "$S" '^[0-9]+$' "the first login runs in a box"
CG=$(session_field "$S" cgroup)
t_like "$CG" "/loginbox/u$uid/s$S\$" "the box's node is loginbox/u$uid/s$S"
t_is "$(kv_opt "$(cat "$W/one.out")" CG)" "0::/login-$L1" \
	"the first login's shell is in its own leaf login-PID (PID = its login process, LOGINBOX_LOGIN)"
init=$(session_field "$S" init_pid)
t_like "$(cat "/proc/$init/cgroup" 2>/dev/null)" "^0::/.*loginbox/u$uid/s$S/init\$" \
	"the box's init is in the leaf init/ (host view)"
t_is "$(cat "$CG/cgroup.procs" 2>/dev/null | wc -l)" 0 "the box's node itself holds no process"

bg_login two "while [ ! -e ~/.lbt-t89-two ]; do sleep 0.1; done"
t_is "$SID" "$S" "the second login joins the same box"
L2=$(kv_opt "$(cat "$W/two.out")" L)
t_isnt "$L2" "$L1" "the second login is another login process"
t_is "$(kv_opt "$(cat "$W/two.out")" CG)" "0::/login-$L2" "the second login's shell is in its own leaf login-$L2"

show=$("$LB_ADMIN" show "$S" 2>&1)
t_like "$show" "leaf +init( |\$)" "loginbox show lists the init leaf"
t_like "$show" "leaf +login-$L1 .*cpu\\.usage_usec=[0-9]+" "loginbox show: the first login's leaf with its cpu usage"
t_like "$show" "leaf +login-$L2 .*cpu\\.usage_usec=[0-9]+" "loginbox show: the second login's leaf with its cpu usage"
if [ -e "$CG/memory.current" ]; then
	t_like "$show" "leaf +login-$L1 .*memory\\.current=[0-9]+" "loginbox show: memory per login (controller present)"
else
	tap_skip "loginbox show: memory per login" "this host's cgroup v2 has no memory controller (hybrid); the VM tier checks it"
fi
json=$("$LB_ADMIN" show --json "$S" 2>&1)
t_is "$(printf '%s' "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(d["leaves"])))' 2>&1)" \
	"$(printf '%s\n' init "login-$L1" "login-$L2" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"loginbox show --json: leaves init, login-$L1, login-$L2"

# ---- a login that leaves takes its leaf along; something it left running
# keeps the leaf until gc finds it empty
touch "$hold/.lbt-t89-two"
chmod 644 "$hold/.lbt-t89-two"
wait "$BG_PID" 2>/dev/null
if wait_path_gone "$CG/login-$L2" 5; then
	tap_ok "the second login's leaf is removed when it leaves"
else
	tap_fail "the second login's leaf is removed when it leaves" "$(ls "$CG")"
fi
t_check "the first login's leaf stays while it is logged in" test -d "$CG/login-$L1"

bg_login three "nohup sleep 3 >/dev/null 2>&1 & echo NOHUP=\$!"
L3=$(kv_opt "$(cat "$W/three.out")" L)
wait "$BG_PID" 2>/dev/null
t_like "$(cat "$CG/login-$L3/cgroup.procs" 2>/dev/null | head -n 1)" '^[0-9]+$' \
	"a login that left with a nohup job running: its leaf stays, holding the job"
for _ in $(seq 1 60); do [ -z "$(cat "$CG/login-$L3/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
"$LB_ADMIN" gc >/dev/null 2>&1
if wait_path_gone "$CG/login-$L3" 2; then
	tap_ok "gc removes the leaf once the job ended (the box lives on)"
else
	tap_fail "gc removes the leaf once the job ended (the box lives on)" "$(ls "$CG")"
fi
t_check "gc left the live login's leaf alone" test -d "$CG/login-$L1"

# ---- the node goes with the box
touch "$hold/.lbt-t89-one"
chmod 644 "$hold/.lbt-t89-one"
for p in $(jobs -p); do wait "$p" 2>/dev/null; done
if wait_path_gone "$CG" 5; then
	tap_ok "the box's node and its leaves go with its last login"
else
	tap_fail "the box's node and its leaves go with its last login" "$(find "$CG" -maxdepth 1 2>&1)"
fi
assert_no_leftovers "cgroup leaves: nothing left" 10

# ---- session = login: the same layout
reset_conf
out=$(ssh_as lbt-bob 'echo S=$LOGINBOX_SESSION; echo L=$LOGINBOX_LOGIN; echo CG=$(grep "^0::" /proc/self/cgroup)' 2>&1)
t_is "$(kv_opt "$out" CG)" "0::/login-$(kv_opt "$out" L)" "session = login: the login's programs are in its leaf too"
assert_no_leftovers "session = login: nothing left" 10

rm -f "$hold"/.lbt-t89-*
clean_test_sessions
reset_conf
