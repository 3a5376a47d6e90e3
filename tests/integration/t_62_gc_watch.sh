#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `loginbox gc --watch SECONDS` (the main process of loginbox.service):
# it keeps running and sweeps, pass after pass, the boxes whose login is
# gone.  A login that ends without close_session (pamtester open_session
# alone) leaves its session directory for gc: first shown to be there and
# to stay without a watcher, then removed by the watcher; a second one
# made while it runs is removed by a later pass.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 11

W=$LBT_TMP/t62
mkdir -p "$W"
reset_conf

# stale_box: a box whose login process is gone; prints its id.
stale_box() {
	local before new
	before=$(test_session_ids)
	timeout -k 5 "$LBT_T" pamtester lbt-pamtester lbt-alice open_session >"$W/pt.out" 2>&1 || return 1
	new=$(test_session_ids | grep -vxF -e "${before:-@none@}" | head -n 1)
	[ -n "$new" ] && echo "$new"
}
# init_gone SID: the box's init has ended (its login is gone: init saw it
# through its pidfd); polled for 10 s.
init_gone() {
	local i pid start
	pid=$(session_field "$1" init_pid)
	start=$(session_field "$1" init_start)
	for i in $(seq 1 100); do
		[ "$(proc_start "$pid")" != "$start" ] && return 0
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# gone_within SID SECONDS: the session directory disappears (polled).
gone_within() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -e "$LB_RUN/$1" ] || return 0
		sleep 0.1
	done
	return 1
}

# ---- control: without a watcher, the stale box stays
s1=$(stale_box)
t_like "$s1" '^[0-9]+$' "control: pamtester open_session alone built a box ($s1)"
t_check "control: its init ends with the login" init_gone "$s1"
# Nothing sweeps it for 3 s (bounded look, not a synchronisation: a
# sweep here would be a bug in this control, not a race of the watcher).
gone_within "$s1" 3 && tap_fail "control: without a watcher the stale box's directory stays" "$LB_RUN/$s1 went away" ||
	tap_ok "control: without a watcher the stale box's directory stays ($LB_RUN/$s1)"

# ---- the watcher
"$LB_ADMIN" gc --watch 1 >"$W/watch.out" 2>&1 &
WPID=$!
track_pid "$WPID"
if gone_within "$s1" 10; then
	tap_ok "gc --watch 1: the stale box is removed"
else
	tap_fail "gc --watch 1: the stale box is removed" "$LB_RUN/$s1 still there" "$(cat "$W/watch.out")"
fi
for i in $(seq 1 50); do grep -q "^gc: session $s1 " "$W/watch.out" && break; sleep 0.1; done
t_like "$(cat "$W/watch.out")" "^gc: session $s1 \\(lbt-alice\\): removed$" "gc --watch: it says which box it removed"
s2=$(stale_box)
t_like "$s2" '^[0-9]+$' "a second stale box while the watcher runs ($s2)"
if gone_within "$s2" 10; then
	tap_ok "gc --watch 1: a later pass removes the second one too"
else
	tap_fail "gc --watch 1: a later pass removes the second one too" "$LB_RUN/$s2 still there" "$(cat "$W/watch.out")"
fi
t_check "gc --watch: still running after its passes" kill -0 "$WPID"
t_is "$(grep -vc '^gc: ' "$W/watch.out")" 0 "gc --watch: no error in its output"
stop_pid "$WPID"
t_check "the watcher ended when told (by pid)" sh -c "! kill -0 $WPID 2>/dev/null"
assert_no_leftovers "gc --watch: nothing is left behind"
exit 0
