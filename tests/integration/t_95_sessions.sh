#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# session = user: every login of a user joins the user's one box (same
# processes, network, mounts, hostname); the box ends with its last login.
# The patterns of issue 11: a Jupyter-style tunnel from a second
# connection, the VS Code pattern (a server started by one connection,
# reached through SOCKS by a later one), su and login into an existing
# box, ControlMaster, kill -9 of one login, 10 simultaneous first logins;
# session = login still gives each login its own box.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 32

W=$LBT_TMP/t95
mkdir -p "$W"
chmod 755 "$W"

# alice: session = user; bob stays on the suite's session = login.
user_conf() { base_conf; printf '[user.lbt-alice]\nsession = user\n'; }
user_conf | write_conf

# logins_of ID: how many logins box ID serves (loginbox show).
logins_of() { "$LB_ADMIN" show "$1" 2>/dev/null | sed -n 's/^logins  *//p'; }

# wait_logins ID N: until box ID serves N logins (bounded).
wait_logins() {
	local i
	for i in $(seq 1 50); do
		[ "$(logins_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

alice_boxes() {
	local id
	for id in $(test_session_ids); do
		[ "$(session_field "$id" user)" = lbt-alice ] && echo "$id"
	done
}

# ---- two logins, one box
PORT=$(free_port)
if bg_session lbt-alice first "cd /tmp && echo box-page >page && exec python3 -m http.server --bind 127.0.0.1 $PORT"; then
	FIRST=$BG_PID S1=$SID
	t_is "$(session_field "$S1" session)" user "session = user: the state file says so"
	out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; echo "H=$(hostname)"; echo "P=$(cat /tmp/page)"; echo "N=$(readlink /proc/self/ns/net)"; echo "PY=$(pgrep -c -f [h]ttp.server)"' 2>&1)
	t_is "$(kv "$out" S)" "$S1" "a second ssh login joins the first login's box (same session id)"
	t_is "$(kv "$out" P)" box-page "the second login sees the first login's /tmp (same mounts)"
	t_is "$(kv "$out" PY)" 1 "the second login sees the first login's server process (same pid namespace)"
	t_is "$(kv "$out" H)" lbt-alice-box "the second login has the box's hostname"
	t_is "$(alice_boxes | wc -l | tr -d ' ')" 1 "two logins, one box"
	out=$(ssh_as lbt-alice 'echo "X=$XDG_RUNTIME_DIR"; echo "XS=$(stat -c %U:%a "$XDG_RUNTIME_DIR")"; touch "$XDG_RUNTIME_DIR/lbt-x" && echo XW=yes' 2>&1)
	t_is "$(kv "$out" X)" "/run/user/$(id -u lbt-alice)" "XDG_RUNTIME_DIR is /run/user/UID inside the box"
	t_is "$(kv "$out" XS)" "lbt-alice:700" "XDG_RUNTIME_DIR exists, owned by the user, mode 0700"
	t_is "$(kv "$out" XW)" yes "XDG_RUNTIME_DIR is writable by the user"
	t_is "$(ssh_as lbt-alice 'ls "$XDG_RUNTIME_DIR" | grep -vx ssh-agent.sock' 2>&1)" lbt-x "XDG_RUNTIME_DIR is the box's: the next login sees what the last one left there (beside the box's agent socket)"

	# The Jupyter tunnel: `ssh -N -L` from another connection reaches the
	# server the first login started inside the box.
	L=$(free_port)
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" -N -L "$L:localhost:$PORT" lbt-alice@127.0.0.1 >"$W/tunnel.log" 2>&1 &
	TUN=$!
	track_pid "$TUN"
	if wait_port "$L" 10 && wait_logins "$S1" 2; then
		t_like "$(curl -s -m 5 "http://127.0.0.1:$L/page" 2>&1)" '^box-page$' \
			"ssh -N -L from a second connection reaches the server started in the first login (Jupyter pattern)"
	else
		tap_fail "ssh -N -L from a second connection reaches the server started in the first login (Jupyter pattern)" \
			"no tunnel on $L" "$(cat "$W/tunnel.log")"
	fi
	stop_pid "$TUN"

	# The VS Code pattern: ssh -T -D PORT srv bash, then SOCKS to the
	# server another connection started.
	D=$(free_port)
	# bash reads its commands from a FIFO we hold open, as VS Code's
	# server script does from the connection.
	rm -f "$W/socks.in"
	mkfifo "$W/socks.in"
	exec 7<>"$W/socks.in"
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" -T -D "$D" lbt-alice@127.0.0.1 bash <"$W/socks.in" >"$W/socks.log" 2>&1 &
	SOCKS=$!
	track_pid "$SOCKS"
	if wait_port "$D" 10; then
		t_like "$(curl -s -m 5 --socks5-hostname "127.0.0.1:$D" "http://localhost:$PORT/page" 2>&1)" '^box-page$' \
			"ssh -T -D srv bash: SOCKS reaches the server another connection started (VS Code pattern)"
	else
		tap_fail "ssh -T -D srv bash: SOCKS reaches the server another connection started (VS Code pattern)" \
			"no SOCKS port $D" "$(cat "$W/socks.log")"
	fi
	exec 7>&-
	stop_pid "$SOCKS"

	# su and shadow's login join the existing box too.
	out=$(su_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; echo "PY=$(pgrep -c -f [h]ttp.server)"' 2>&1)
	t_is "$(kv "$out" S)" "$S1" "su - into a user who has a box joins it"
	t_is "$(kv "$out" PY)" 1 "su: the joined box has the first login's processes"
	out=$(login_as lbt-alice "$(marker_cmd S '$LOGINBOX_SESSION')exit\n" 2>&1)
	t_is "$(marker "$out" S)" "$S1" "shadow's login into an existing box joins it"

	# ControlMaster: a multiplexed second session is in the same box.
	CM=$W/cm.sock
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" -o ControlMaster=yes -o ControlPath="$CM" -N lbt-alice@127.0.0.1 >"$W/cm.log" 2>&1 &
	CMP=$!
	track_pid "$CMP"
	for _ in $(seq 1 50); do [ -S "$CM" ] && break; sleep 0.1; done
	out=$(timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" -o ControlPath="$CM" lbt-alice@127.0.0.1 'echo "S=$LOGINBOX_SESSION"' 2>&1)
	t_is "$(kv "$out" S)" "$S1" "ControlMaster: a multiplexed session runs in the same box"
	stop_pid "$CMP"

	# Cost of joining: `su USER -c true` into the live box vs an unboxed
	# user, median of 15 each (a measurement, printed; not a test).
	median_ms() { # CMD...: median wall time of 15 runs, in ms
		local i t0 t1
		for i in $(seq 1 15); do
			t0=$(date +%s%N)
			"$@" >/dev/null 2>&1
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000))
		done | sort -n | sed -n 8p | awk '{printf "%.2f", $1 / 1000}'
	}
	j=$(median_ms su_c_as lbt-alice true)
	p=$(median_ms su_c_as lbt-plain true)
	diag "join cost: su lbt-alice -c true into the live box: median $j ms; unboxed su lbt-plain -c true: $p ms"

	# `loginbox show` lists the logins, list the session kind and count.
	bg_session lbt-alice second 'sleep 60'
	SECOND=$BG_PID
	t_is "$SID" "$S1" "a third, background login joins the same box"
	if wait_logins "$S1" 2; then
		tap_ok "loginbox show: the box serves 2 logins"
	else
		tap_fail "loginbox show: the box serves 2 logins" "$("$LB_ADMIN" show "$S1" 2>&1)"
	fi
	t_like "$("$LB_ADMIN" list 2>&1)" "^$S1 +lbt-alice .* yes +user +2 +live +[^ ]+$" \
		"loginbox list: the session kind, the number of logins, live"

	# kill -9 of the first login's sshd [priv]: the other login and the
	# box stay.
	owner=$(session_field "$S1" owner_pid)
	case $(tr '\0' ' ' <"/proc/$owner/cmdline" 2>/dev/null) in
	*"lbt-alice [priv]"*)
		kill -9 "$owner"
		wait_logins "$S1" 1
		t_is "$(logins_of "$S1")" 1 "kill -9 of one login's sshd [priv]: that login leaves the box's set"
		out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; echo "SL=$(pgrep -c -x sleep)"' 2>&1)
		t_is "$(kv "$out" S)" "$S1" "kill -9 of one login's sshd [priv]: the box lives on for the others"
		t_is "$(kv "$out" SL)" 1 "kill -9 of one login's sshd [priv]: the other login's program still runs"
		;;
	*) tap_fail "kill -9 of one login's sshd [priv]" "owner pid $owner is not sshd [priv]" ;;
	esac
	stop_pid "$SECOND"
	stop_pid "$FIRST"
	assert_no_leftovers "session = user: when the last login ends, the box ends and nothing remains" 10
else
	tap_fail "session = user: a first login" "$(cat "$W/first.err")"
fi
clean_test_sessions

# ---- 10 simultaneous first logins build exactly one box
# Each login holds (hold_cmd) until all ten are seen in their box, so
# they overlap for certain (no sleep decides it).
unrelease_login lbt-alice par
for i in $(seq 1 10); do
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 "$(hold_cmd par lbt-alice)" \
		>"$W/par.$i.out" 2>"$W/par.$i.err" &
	echo $! >"$W/par.$i.pid"
done
for i in $(seq 1 10); do wait_marker "$W/par.$i.out" S >/dev/null; done
ids=$(for i in $(seq 1 10); do marker "$(cat "$W/par.$i.out")" S; done | sort -u)
n=$(for i in $(seq 1 10); do marker "$(cat "$W/par.$i.out")" S; done | grep -c .)
release_login lbt-alice par
for i in $(seq 1 10); do wait "$(cat "$W/par.$i.pid")"; done
unrelease_login lbt-alice par
t_is "$n" 10 "10 simultaneous first logins: all ten ran in a box, at the same time"
t_is "$(printf '%s\n' "$ids" | grep -c .)" 1 "10 simultaneous first logins: one box ($(echo $ids))"
assert_no_leftovers "10 simultaneous logins: the box ends with the last" 10

# ---- session = login still gives every login its own box
if bg_session lbt-alice solo 'sleep 100'; then
	A=$SID
	out=$(ssh_as lbt-bob 'echo "S=$LOGINBOX_SESSION"' 2>&1)
	B1=$(kv_opt "$out" S)
	{ base_conf; printf '[user.lbt-alice]\nsession = login\n'; } | write_conf
	out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"' 2>&1)
	B2=$(kv_opt "$out" S)
	if [ -n "$B2" ] && [ "$B2" != "$A" ]; then
		tap_ok "session = login: a login gets its own box while the user has one"
	else
		tap_fail "session = login: a login gets its own box while the user has one" "first $A, then '$B2'"
	fi
	t_like "$B1" '^[0-9]+$' "session = login (lbt-bob): the login ran in a box"
	user_conf | write_conf
	# The policy changed back to session = user, but the live box was built
	# with session = user and the same policy: still joined.
	out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"' 2>&1)
	t_is "$(kv "$out" S)" "$A" "session = user again: the live box of the same policy is joined"
	# Another policy: a new box; the old one is stale in list.
	{ user_conf; printf 'hostname = %%u-other\n'; } | write_conf
	out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; echo "H=$(hostname)"' 2>&1)
	if [ "$(kv "$out" H)" = lbt-alice-other ] && [ "$(kv "$out" S)" != "$A" ]; then
		tap_ok "another policy: the login gets a new box built with it"
	else
		tap_fail "another policy: the login gets a new box built with it" "$out"
	fi
	t_like "$("$LB_ADMIN" list 2>&1)" "^$A +lbt-alice .* stale +[^ ]+$" "another policy: loginbox list shows the old box as stale"
	stop_pid "$BG_PID"
else
	tap_fail "session = login: a first login" "$(cat "$W/solo.err")"
fi
assert_no_leftovers "session = user / login: nothing remains" 10
clean_test_sessions
reset_conf
