#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# session = user, from inside (README, "One box per user"): `kill -KILL -1`
# in one login ends every process of the user in the box, the other
# logins' shells and background jobs included; the box then ends with its
# last login and does not linger, even with linger set, since nothing is
# left in it.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 9

W=$LBT_TMP/t94
mkdir -p "$W"
chmod 755 "$W"
{ base_conf; printf '[user.lbt-alice]\nsession = user\nlinger = 1h\n'; } | write_conf
trap reset_conf EXIT
unrelease_login lbt-alice ka

# Login A: a nohup job, then held.
ssh_as lbt-alice "nohup sleep 301 >/dev/null 2>&1 & $(hold_cmd ka lbt-alice)" >"$W/a.out" 2>&1 &
APID=$!
track_pid "$APID"
SID=$(wait_marker "$W/a.out" S)
t_like "$SID" '^[0-9]+$' "login A runs in a box (session $SID)"
t_check "login A's box is live (proof recorded)" session_proof "$SID"
job=""
for _ in $(seq 1 50); do
	job=$(pgrep -u lbt-alice -f '^sleep 301$' | head -n 1)
	[ -n "$job" ] && break
	sleep 0.1
done
t_like "$job" '^[0-9]+$' "login A's nohup job runs (host pid $job)"
[ -n "$job" ] && proof_add_pid "$SID" "$job"

# Login B joins the box and kills everything of the user's in it.
out=$(ssh_as lbt-alice 'echo "@@S=$LOGINBOX_SESSION@@"; kill -KILL -1; echo "@@K=$?@@"' 2>&1)
t_is "$(marker "$out" S)" "$SID" "login B joins login A's box"
t_is "$(marker "$out" K)" 0 "login B: kill -KILL -1 succeeded (and spared its own shell)"
for _ in $(seq 1 100); do
	kill -0 "$APID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$APID" 2>/dev/null; then
	tap_fail "login A ends: its shell was killed by login B's kill -1" "its ssh client still runs after 10 s"
else
	tap_ok "login A ends: its shell was killed by login B's kill -1"
fi
t_unlike "$(cat "$W/a.out")" '@@HELD=' "login A never got past its hold (killed, not released)"
t_check "login A's nohup job is gone" sh -c "! kill -0 $job 2>/dev/null || [ \"\$(awk '{print \$3}' /proc/$job/stat)\" = Z ]"
assert_session_gone "the box ends with its last login and does not linger (linger = 1h, nothing left in it)" "$SID" 10
exit 0
