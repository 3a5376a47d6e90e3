#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# linger (session = user): a box whose last login ended but which still has
# processes (tmux, a nohup job) stays that long; it ends when the time is
# over, at once when nothing is left in it, at max_linger at the latest, and
# at the next `loginbox gc` when the account is locked.  A box that ends on
# its own is torn down at once by its keeper (helper/box/keeper.h): no gc
# runs between its end and the check that nothing of it is left.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t96
mkdir -p "$W"
chmod 755 "$W"

# linger_conf LINGER [GLOBAL-LINE]: lbt-alice with session = user.
linger_conf() {
	base_conf | if [ -n "${2:-}" ]; then sed "s/^\[global\]\$/[global]\n$2/"; else cat; fi
	printf '[user.lbt-alice]\nsession = user\nlinger = %s\n' "$1"
}

alice_box() {
	local id
	for id in $(test_session_ids); do
		[ "$(session_field "$id" user)" = lbt-alice ] && echo "$id"
	done | tail -n 1
}

# box_state ID: the STATE column of `loginbox list` for box ID (ID USER
# INIT SERVICE AGE IMAGE ALIVE SESSION LOGINS STATE VERSION).
box_state() { "$LB_ADMIN" list 2>/dev/null | awk -v id="$1" '$1 == id {print $10}'; }

# wait_state ID STATE: until `loginbox list` shows it (the client returns
# before sshd's close_session has run); prints the state it saw last.
wait_state() {
	local i st=""
	for i in $(seq 1 50); do
		st=$(box_state "$1")
		[ "$st" = "$2" ] && break
		sleep 0.1
	done
	echo "$st"
}

# wait_gone ID SECONDS: until box ID is gone from the host (its init
# ended and its keeper tore it down: no `loginbox gc` involved).
wait_gone() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ ! -e "$LB_RUN/$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# keepers_of ID: pids of live `loginbox-helper keep ID` processes (a
# zombie's cmdline is empty).
keepers_of() {
	local p
	for p in /proc/[0-9]*; do
		case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in
		"loginbox-helper keep $1 "*) echo "${p#/proc/}" ;;
		esac
	done
}

# no_keeper ID: polls (5 s) until no keeper of box ID is left; prints
# what is left then.
no_keeper() {
	local i
	for i in $(seq 1 50); do
		[ -z "$(keepers_of "$1")" ] && return 0
		sleep 0.1
	done
	keepers_of "$1"
}

# ---- tmux survives the logout and is found by the next login
if lb_ensure_packages "$W/apt.log" tmux; then
	linger_conf 30min | write_conf
	out=$(ssh_as lbt-alice 'tmux new-session -d -s lbtwork "sleep 600" && echo "S=$LOGINBOX_SESSION"' 2>&1)
	S=$(kv "$out" S)
	t_like "$S" '^[0-9]+$' "tmux: the first login started a tmux session in its box"
	t_is "$(wait_state "$S" lingering)" lingering "after logout the box lingers (loginbox list: lingering)"
	init=$(session_field "$S" init_pid)
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$init/status" 2>/dev/null)
	t_like "$(tr '\0' ' ' <"/proc/${ppid:-0}/cmdline" 2>/dev/null)" "^loginbox-helper keep $S $init " \
		"the lingering box's init is its keeper's child (not PID 1's, not a login's)"
	diag "keeper $ppid memory: $(awk '/^(Rss|Pss|Private_Clean|Private_Dirty):/ {printf "%s %s kB  ", $1, $2}' "/proc/$ppid/smaps_rollup" 2>/dev/null)"
	out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; tmux ls' 2>&1)
	t_is "$(kv "$out" S)" "$S" "the next login joins the lingering box"
	t_like "$out" '^lbtwork: ' "tmux ls in the next login finds the session started before the logout"
	"$LB_ADMIN" kill "$S" >/dev/null 2>&1
	assert_no_leftovers "tmux: loginbox kill ends the lingering box" 10
	t_is "$(no_keeper "$S")" "" "tmux: the keeper ended with its box"
else
	tap_skip "tmux across a logout" "tmux could not be installed: $(tail -n 1 "$W/apt.log")"
fi

# ---- a nohup job finishes after the logout
linger_conf 30min | write_conf
rm -f ~lbt-alice/lbt-nohup-marker
out=$(ssh_as lbt-alice 'nohup sh -c "sleep 3; echo finished >~/lbt-nohup-marker" >/dev/null 2>&1 & echo "S=$LOGINBOX_SESSION"' 2>&1)
S=$(kv "$out" S)
if [ -e ~lbt-alice/lbt-nohup-marker ]; then
	tap_fail "nohup: the job had not finished when the login ended" "marker already there"
else
	tap_ok "nohup: the job had not finished when the login ended"
fi
for _ in $(seq 1 100); do [ -s ~lbt-alice/lbt-nohup-marker ] && break; sleep 0.1; done
t_is "$(cat ~lbt-alice/lbt-nohup-marker 2>/dev/null)" finished "nohup: the job finished after the logout (linger)"
# with nothing left in it, the lingering box ends at once
if wait_gone "$S" 5; then
	tap_ok "linger: once the last process of the box ended, the box ends"
else
	tap_fail "linger: once the last process of the box ended, the box ends" "$("$LB_ADMIN" list 2>&1)"
fi
assert_no_leftovers "linger: nothing of the ended box is left, without gc (cgroup node included)" 5
rm -f ~lbt-alice/lbt-nohup-marker

# ---- a box with nothing left does not linger at all
out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"' 2>&1)
t_like "$(kv "$out" S)" '^[0-9]+$' "linger with nothing left: the login ran in a box"
assert_no_leftovers "linger with nothing left: the box ends with the login" 5

# ---- linger expiry, and max_linger caps linger = yes
for how in expiry cap; do
	case $how in
	expiry) linger_conf 2s | write_conf ;;
	cap) linger_conf yes 'max_linger = 2s' | write_conf ;;
	esac
	out=$(ssh_as lbt-alice 'nohup sleep 600 >/dev/null 2>&1 & echo "S=$LOGINBOX_SESSION"' 2>&1)
	S=$(kv "$out" S)
	t_is "$(wait_state "$S" lingering)" lingering "linger $how: the box lingers with a process left"
	if wait_gone "$S" 10; then
		tap_ok "linger $how: the box ends when the time is over"
	else
		tap_fail "linger $how: the box ends when the time is over" "$("$LB_ADMIN" list 2>&1)"
	fi
	assert_no_leftovers "linger $how: nothing remains, without gc" 5
done

# ---- a locked account's lingering box is ended by gc
linger_conf 1h | write_conf
out=$(ssh_as lbt-alice 'nohup sleep 600 >/dev/null 2>&1 & echo "S=$LOGINBOX_SESSION"' 2>&1)
S=$(kv "$out" S)
t_is "$(wait_state "$S" lingering)" lingering "locked account: the box lingered first"
"$LB_ADMIN" gc >/dev/null 2>&1
t_is "$(wait_state "$S" lingering)" lingering "locked account: gc leaves the box of an unlocked account"
usermod -L lbt-alice
"$LB_ADMIN" gc >/dev/null 2>&1
usermod -U lbt-alice
assert_no_leftovers "locked account (usermod -L): gc ends its lingering box" 10

# ---- a killed login process: the box (no linger) goes at once, no gc
linger_conf no | write_conf
rm -f ~lbt-alice/.lbt-t93-go
ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; i=0; while [ ! -e ~/.lbt-t93-go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done' >"$W/kill.out" 2>&1 &
client=$!
for _ in $(seq 1 100); do S=$(kv_opt "$(cat "$W/kill.out")" S); [ -n "$S" ] && break; sleep 0.1; done
t_like "$S" '^[0-9]+$' "killed login: the login runs in a box"
login=$(session_field "$S" owner_pid)
if [ -n "$login" ] && [ "$(proc_start "$login")" = "$(session_field "$S" owner_start)" ]; then
	kill -KILL "$login"
	if wait_gone "$S" 5; then
		tap_ok "killed login: its box is torn down at once by its keeper (kill -9 of sshd's privileged process)"
	else
		tap_fail "killed login: its box is torn down at once by its keeper (kill -9 of sshd's privileged process)" "$("$LB_ADMIN" list 2>&1)"
	fi
else
	tap_fail "killed login: its box is torn down at once by its keeper (kill -9 of sshd's privileged process)" "no live login process '$login'"
fi
touch ~lbt-alice/.lbt-t93-go
wait "$client" 2>/dev/null
rm -f ~lbt-alice/.lbt-t93-go
assert_no_leftovers "killed login: nothing left, without gc" 5
t_is "$(no_keeper "$S")" "" "killed login: the keeper ended with its box"

clean_test_sessions
reset_conf
