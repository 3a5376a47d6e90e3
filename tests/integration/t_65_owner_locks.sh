#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Who owns a box's user namespace and which subordinate ranges may be used;
# disk uppers that are never reused and orphans swept by gc; per-user
# teardown locks: one user's slow teardown does not hold up another user's
# login, and a held lock is waited for a bounded time only.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t65
mkdir -p "$W"
chmod 755 "$W"
reset_conf
BOOT=$(cat /proc/sys/kernel/random/boot_id)
OTHER_BOOT=11111111-2222-3333-4444-555555555555

first_subuid() { awk -v u="$1" '$1 == u {print $2; exit}' "$LBT_TMP/subids"; }

# ---- the box's user namespace is owned by the user's first subuid
ALICE_SUB=$(first_subuid lbt-alice)
if bg_session lbt-alice owner 'echo IN=$(hostname); sleep 60'; then
	bg_wait owner IN=
	t_is "$(kv "$(cat "$W/owner.out")" IN)" lbt-alice-box "namespace owner: the login runs in its box"
	init=$(session_field "$SID" init_pid)
	owner=$(ns_owner "$init" 2>&1)
	t_is "$owner" "$ALICE_SUB" "namespace owner: /proc/$init/ns/user is owned by lbt-alice's first subuid ($ALICE_SUB), not root"
	t_isnt "$owner" "$(id -u lbt-alice)" "namespace owner: not the user's own uid"
	t_like "$(grep '^Uid:' "/proc/$init/status")" "^Uid:[[:space:]]+$ALICE_SUB[[:space:]]+$ALICE_SUB[[:space:]]+$ALICE_SUB[[:space:]]+$ALICE_SUB\$" \
		"namespace owner: init runs as box root (real, effective, saved and fs uid $ALICE_SUB)"
	stop_pid "$BG_PID"
else
	tap_fail "namespace owner: a background login of lbt-alice" "no session"
fi
assert_no_leftovers "namespace owner: nothing remains"

# ---- subordinate ranges that others hold are refused
# refused_login NAME USER ERE FIX: the login is refused (its marker never
# printed) and the client is told why; loginbox run prints the fix.
refused_login() {
	local rc
	ssh_as "$2" 'echo "@@RAN@@"' >"$W/out" 2>"$W/err"
	rc=$?
	cat "$W/out" "$W/err" >"$W/both"
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/both" && grep -Eq -- "$3" "$W/both"; then
		tap_ok "$1: the login is refused naming the conflict (/$3/)"
	else
		tap_fail "$1: the login is refused naming the conflict (/$3/)" "status $rc" "$(cat "$W/both")"
	fi
	out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u "$2" -- true 2>&1)
	t_like "$out" "$4" "$1: loginbox run gives the fix ($4)"
}

cp -p /etc/subuid "$W/subuid.bak"
restore_subuid() { cat "$W/subuid.bak" >/etc/subuid; }
trap restore_subuid EXIT
out=$(ssh_as lbt-bob 'echo "@@RAN@@"' 2>&1)
t_like "$out" '@@RAN@@' "subid ranges: lbt-bob logs in with its own range (positive control)"

# a range holding an account's uid: lbt-bob's range starts at lbt-alice's uid
ALICE_UID=$(id -u lbt-alice)
sed -i "s/^lbt-bob:[0-9]*:[0-9]*\$/lbt-bob:$ALICE_UID:65536/" /etc/subuid
grep -q "^lbt-bob:$ALICE_UID:65536\$" /etc/subuid || diag "could not rewrite lbt-bob's /etc/subuid line"
refused_login "a range holding an account's uid" lbt-bob \
	"/etc/subuid: the range of lbt-bob \\($ALICE_UID-$((ALICE_UID + 65535))\\) holds uid [0-9]+ of [a-z0-9_.-]+ \\(/etc/passwd line [0-9]+\\)" \
	"usermod --del-subuids $ALICE_UID-$((ALICE_UID + 65535)) lbt-bob"
restore_subuid
assert_no_leftovers "a range holding an account's uid: nothing is left behind" 5

# two users' ranges overlap: lbt-plain declares lbt-alice's last id
echo "lbt-plain:$((ALICE_SUB + 65535)):1" >>/etc/subuid
n=$(wc -l </etc/subuid)
m=$(grep -n "^lbt-alice:$ALICE_SUB:" /etc/subuid | head -n 1 | cut -d: -f1)
refused_login "two users' overlapping ranges" lbt-alice \
	"/etc/subuid line $n: the range of lbt-plain \\($((ALICE_SUB + 65535))-$((ALICE_SUB + 65535))\\) overlaps the range of lbt-alice \\($ALICE_SUB-$((ALICE_SUB + 65535)), line $m\\)" \
	"usermod --del-subuids $((ALICE_SUB + 65535))-$((ALICE_SUB + 65535)) lbt-plain"
out=$(ssh_as lbt-bob 'echo "@@RAN@@"' 2>&1)
t_like "$out" '@@RAN@@' "two users' overlapping ranges: a user with a range of its own still logs in"
restore_subuid
trap - EXIT
out=$(ssh_as lbt-alice 'echo "@@RAN@@"' 2>&1)
t_like "$out" '@@RAN@@' "subid ranges restored: lbt-alice logs in again"
assert_no_leftovers "overlapping ranges: nothing is left behind" 5

# ---- disk uppers: never reused, orphans swept by gc
{ base_conf; printf '[user.lbt-root]\nupper = disk\nupper_size = max\n'; } | write_conf
# plant_upper NAME: a leftover upper with a file the next box must not see
plant_upper() {
	mkdir -p "$LB_SESSIONS/$1/upper/etc" "$LB_SESSIONS/$1/work"
	echo stale >"$LB_SESSIONS/$1/upper/etc/lbt-leftover"
}
next=$(head -n 1 "$LB_RUN/.next" 2>/dev/null)
[ -n "$next" ] || next=1
while [ -e "$LB_RUN/$next" ]; do next=$((next + 1)); done
# what a reboot leaves: the same id from the code before boot ids, and
# the same id of an earlier boot
plant_upper "$next"
plant_upper "$next-$OTHER_BOOT"
out=$(ssh_as lbt-root 'echo "S=$LOGINBOX_SESSION"; cat /etc/lbt-leftover 2>&1; echo "@@RAN@@"' 2>&1)
t_is "$(kv "$out" S)" "$next" "leftover uppers: the new session got the leftovers' id $next (the collision happened)"
t_like "$out" '@@RAN@@' "leftover uppers: the login ran"
t_unlike "$out" '^stale' "leftover uppers: the new box does not see a leftover's files"
t_like "$out" 'lbt-leftover: No such file' "leftover uppers: /etc/lbt-leftover does not exist in the box"
if [ -f "$LB_SESSIONS/$next/upper/etc/lbt-leftover" ] && [ -f "$LB_SESSIONS/$next-$OTHER_BOOT/upper/etc/lbt-leftover" ]; then
	tap_ok "leftover uppers: they are left alone by the login and its teardown"
else
	tap_fail "leftover uppers: they are left alone by the login and its teardown" "$(ls -la "$LB_SESSIONS" 2>&1)"
fi

# a leftover of this boot with the next id (/run cleared by hand): refused
next=$(head -n 1 "$LB_RUN/.next" 2>/dev/null)
while [ -e "$LB_RUN/$next" ]; do next=$((next + 1)); done
plant_upper "$next-$BOOT"
out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-root -- cat /etc/lbt-leftover 2>&1)
t_like "$out" "mkdir $LB_SESSIONS/$next-$BOOT: File exists" "a leftover of this boot with the same name: the box is refused, not built on it"
t_like "$out" 'loginbox gc. removes it' "a leftover of this boot: the message says what to do"
t_unlike "$out" '^stale' "a leftover of this boot: its file was never shown"
[ -f "$LB_SESSIONS/$next-$BOOT/upper/etc/lbt-leftover" ] ||
	diag "the leftover $next-$BOOT was removed by the failed login"

# gc keeps a live session's upper, removes every orphan
if bg_session lbt-root live 'echo live >/etc/lbt-live; echo WROTE; sleep 60'; then
	bg_wait live WROTE
	plant_upper "$SID-$OTHER_BOOT"
	out=$("$LB_ADMIN" gc 2>&1)
	t_like "$out" "^gc: orphan upper $LB_SESSIONS/$SID-$OTHER_BOOT: removed\$" "gc: removes an earlier boot's upper with a live session's id"
	t_like "$out" "^gc: orphan upper $LB_SESSIONS/$next-$BOOT: removed\$" "gc: removes this boot's upper whose session is gone"
	t_like "$out" "^gc: orphan upper $LB_SESSIONS/[0-9]+: removed\$" "gc: removes a bare-id upper of the old naming"
	t_unlike "$out" "orphan upper $LB_SESSIONS/$SID-$BOOT" "gc: does not touch the live session's upper"
	t_is "$(cat "$LB_SESSIONS/$SID-$BOOT/upper/etc/lbt-live" 2>&1)" live "gc: the live session's writes are still in its upper"
	left=$(ls "$LB_SESSIONS" | grep -v "^$SID-$BOOT\$" | grep -vxF -f "$LBT_TMP/baseline.sessions")
	t_is "$left" "" "gc: no other upper of ours remains"
	stop_pid "$BG_PID"
else
	tap_fail "gc: keeps a live session's upper" "no session"
fi
reset_conf
assert_no_leftovers "disk uppers: nothing remains after logout"

# ---- per-user teardown locks
# lbt-root's box makes a large tree in its disk upper; its teardown (by
# loginbox kill) removes it while lbt-bob logs in.
{ base_conf; printf '[user.lbt-root]\nupper = disk\nupper_size = max\n'; } | write_conf
tree='import os
os.makedirs("/var/tmp/t", exist_ok=True)
for s in range(8):
    open("/var/tmp/t/s%d" % s, "w").close()
for d in range(300):
    os.mkdir("/var/tmp/t/d%d" % d)
    for i in range(1000):
        os.link("/var/tmp/t/s%d" % (d % 8), "/var/tmp/t/d%d/f%d" % (d, i))
print("MADE")'
if LBT_T=90 bg_session lbt-root slow "python3 -c '$tree'; sleep 60"; then
	for i in $(seq 1 600); do grep -q MADE "$W/slow.out" && break; sleep 0.1; done
	upper="$LB_SESSIONS/$SID-$BOOT"
	files=$(find "$upper/upper/var/tmp/t" -type f 2>/dev/null | wc -l)
	t_like "$files" '^[0-9]{6,}$' "slow teardown: lbt-root's upper holds a large tree ($files entries)"
	init=$(session_field "$SID" init_pid)
	t0=$(date +%s.%N)
	"$LB_ADMIN" kill "$SID" >"$W/kill.out" 2>&1 &
	KPID=$!
	track_pid "$KPID"
	# the teardown is under way once the box's init has ended
	for i in $(seq 1 100); do
		st=$(awk '{print $3}' "/proc/$init/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 0.05
	done
	t1=$(date +%s.%N)
	out=$(ssh_as lbt-bob 'echo "@@BOB@@$(hostname)"' 2>&1)
	t2=$(date +%s.%N)
	if kill -0 "$KPID" 2>/dev/null && [ -d "$upper" ]; then
		still=yes
	else
		still=no
	fi
	t_like "$out" '@@BOB@@lbt-bob-box' "slow teardown: lbt-bob's login completes (in its box) meanwhile"
	t_is "$still" yes "slow teardown: lbt-root's teardown was still running when lbt-bob's login had completed"
	wait "$KPID"
	rc=$?
	t3=$(date +%s.%N)
	t_is "$rc" 0 "slow teardown: loginbox kill exits 0 in the end"
	diag "$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
		printf "loginbox kill at 0 s; lbt-bob login from %.2f to %.2f s; teardown done at %.2f s", b - a, c - a, d - a }')"
	stop_pid "$BG_PID"
else
	tap_fail "slow teardown: a background login of lbt-root" "no session"
fi
assert_no_leftovers "slow teardown: nothing remains" 30

# a teardown waits for the same user's lock a bounded time, then says why
if bg_session lbt-alice held 'sleep 60'; then
	uid=$(id -u lbt-alice)
	mkdir -p "$LB_RUN/users"
	flock "$LB_RUN/users/$uid.lock" sleep 40 &
	FPID=$!
	track_pid "$FPID"
	for i in $(seq 1 50); do
		flock -n "$LB_RUN/users/$uid.lock" true || break
		sleep 0.1
	done
	t0=$(date +%s)
	out=$("$LB_ADMIN" kill "$SID" 2>&1)
	rc=$?
	t1=$(date +%s)
	t_isnt "$rc" 0 "held per-user lock: loginbox kill gives up"
	t_like "$out" "uid $uid: another teardown of this user's boxes still holds $LB_RUN/users/$uid.lock after 30 s" \
		"held per-user lock: the message names the lock and the wait"
	t_like "$((t1 - t0))" '^(29|3[0-9])$' "held per-user lock: it waited about 30 s ($((t1 - t0)) s), not for ever"
	stop_pid "$FPID"
	out=$("$LB_ADMIN" kill "$SID" 2>&1)
	t_is "$?" 0 "held per-user lock: once free, loginbox kill succeeds ($out)"
	stop_pid "$BG_PID"
else
	tap_fail "held per-user lock: a background login of lbt-alice" "no session"
fi
reset_conf
assert_no_leftovers "per-user locks: nothing remains"
exit 0
