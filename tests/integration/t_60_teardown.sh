#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing of a session remains after any kind of logout (session dir, box
# init, cgroup node, mounts, disk upper, processes); a crashed login (its
# sshd [priv] process killed) ends its box at once and leaves its dir to
# `loginbox gc` and the user's next open_session; loginbox list/show/kill.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 66

W=$LBT_TMP/t60
mkdir -p "$W"
chmod 755 "$W"

# session_exists ID: its dir is there and its init is alive.
session_alive() {
	local init
	[ -d "$LB_RUN/$1" ] || return 1
	init=$(session_field "$1" init_pid)
	[ -n "$init" ] && [ -d "/proc/$init" ] &&
		[ "$(cat "/proc/$init/comm" 2>/dev/null)" = loginbox-init ]
}

# check_held NAME USER TAG PID: PID is a login (a background client whose
# box runs hold_cmd TAG; output in $W/TAG.out).  It printed its session id
# from inside and its state is live (recorded); released, it ends with
# status 0; then nothing of it remains.  Three TAP lines (plus whatever
# $HELD_EXTRA SID adds while the login is held).
check_held() {
	local name=$1 u=$2 tag=$3 pid=$4 sid rc
	sid=$(wait_marker "$W/$tag.out" S 20)
	if [ -n "$sid" ] && session_proof "$sid"; then
		tap_ok "$name: the login runs in box $sid (id printed inside, state live)"
	else
		tap_fail "$name: the login runs in a box" "$(tail -n 20 "$W/$tag.out")"
	fi
	[ -n "${HELD_EXTRA:-}" ] && "$HELD_EXTRA" "$sid"
	release_login "$u" "$tag"
	wait "$pid"
	rc=$?
	unrelease_login "$u" "$tag"
	t_is "$rc/$(marker "$(cat "$W/$tag.out")" HELD | grep -c '^[0-9]')" 0/1 \
		"$name: released, the login ends with status 0"
	assert_session_gone "$name: nothing remains" "$sid"
}

# ---- every kind of logout, each seen live first
ssh_as lbt-alice "$(hold_cmd cmd lbt-alice)" >"$W/cmd.out" 2>&1 &
check_held "logout of ssh CMD" lbt-alice cmd $!

pty_run --expect "$PROMPT_RE" --send "$(hold_cmd tt lbt-alice); exit\\n" -- \
	ssh -tt "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 >"$W/tt.out" 2>&1 &
check_held "logout of an interactive ssh -tt login" lbt-alice tt $!

# sftp runs no command: its box is found as the new session of the user
# while sftp waits for its next batch line.
rm -f "$W/sftp.fifo"
mkfifo "$W/sftp.fifo"
before=$(test_session_ids)
timeout -k 5 "$LBT_T" sftp "${SCP_OPTS[@]}" -b "$W/sftp.fifo" lbt-alice@127.0.0.1 >"$W/sftp.out" 2>&1 &
spid=$!
exec 7>"$W/sftp.fifo"
echo 'pwd' >&7
sid=$(wait_new_session lbt-alice "$before" 20)
if [ -n "$sid" ] && session_proof "$sid"; then
	tap_ok "end of an sftp session: the session runs in box $sid (state live)"
else
	tap_fail "end of an sftp session: the session runs in a box" "$(cat "$W/sftp.out")"
fi
echo 'bye' >&7
exec 7>&-
wait "$spid"
rc=$?
t_is "$rc" 0 "end of an sftp session: sftp ran its batch and exited 0"
assert_session_gone "end of an sftp session: nothing remains" "$sid"

su_as lbt-alice "$(hold_cmd su lbt-alice)" >"$W/su.out" 2>&1 &
check_held "end of su - USER -c" lbt-alice su $!

login_as lbt-alice "$(hold_cmd login lbt-alice); exit\\n" >"$W/login.out" 2>&1 &
check_held "logout of a console login (login -f)" lbt-alice login $!

# bg_seen SID: both background jobs run (seen on the host as lbt-alice's
# "sleep 300" and "sleep 301"); they join the proof of the session.
bg_seen() {
	local i pids=""
	for i in $(seq 1 50); do
		pids=$(pgrep -u lbt-alice -f '^sleep 30[01]$' | tr '\n' ' ')
		[ "$(echo $pids | wc -w)" -eq 2 ] && break
		sleep 0.1
	done
	t_is "$(echo $pids | wc -w)" 2 "logout with background jobs: nohup and setsid jobs are running first ($pids)"
	for p in $pids; do proof_add_pid "$1" "$p"; done
}
HELD_EXTRA=bg_seen
ssh_as lbt-alice "nohup sleep 300 >/dev/null 2>&1 & setsid sleep 301 </dev/null >/dev/null 2>&1 & $(hold_cmd bg lbt-alice)" >"$W/bg.out" 2>&1 &
check_held "logout with background processes left in the box (nohup, setsid)" lbt-alice bg $!
HELD_EXTRA=""

ssh_as lbt-root "echo data >/etc/lbt-upper-file && mkdir -p /var/tmp/lbt && echo '@@''W=ok@@'; $(hold_cmd root lbt-root)" >"$W/root.out" 2>&1 &
check_held "logout of an inside_uid = root login that wrote to /" lbt-root root $!
t_is "$(marker "$(cat "$W/root.out")" W)" ok "inside_uid = root login: its writes to / succeeded"

# pamtester open_session only: the process ends without close_session (and
# this proves the stack builds a box for the open+close check below)
out=$(timeout -k 5 "$LBT_T" pamtester -v lbt-pamtester lbt-alice open_session 2>&1)
rc=$?
t_is "$rc" 0 "pamtester open_session (no close): succeeds"
left=$(test_session_ids)
t_isnt "$left" "" "pamtester open_session (no close): its box is there after pamtester exited"
for id in $left; do session_proof "$id" || diag "not live: $id"; done
"$LB_ADMIN" gc >/dev/null 2>&1
assert_session_gone "pamtester open_session (no close): loginbox gc removes the box" "$(echo $left | cut -d' ' -f1)"

# pamtester: open and close in one process
out=$(timeout -k 5 "$LBT_T" pamtester -v lbt-pamtester lbt-alice open_session close_session 2>&1)
rc=$?
t_is "$rc" 0 "pamtester open_session close_session: succeeds for a boxed user"
assert_no_leftovers "pamtester open_session close_session: nothing remains"

# a killed client: sshd notices the dropped connection and closes the session
if bg_session lbt-alice client 'sleep 60' && session_proof "$SID"; then
	stop_pid "$BG_PID"
	assert_session_gone "the ssh client killed mid-session: sshd's close_session removes everything" "$SID"
else
	tap_fail "the ssh client killed mid-session: sshd's close_session removes everything" "no session"
fi

# ---- upper = disk: the per-session upper exists during the session only
{ base_conf; printf '[user.lbt-root]\nupper = disk\nupper_size = max\n'; } | write_conf
if bg_session lbt-root disk 'echo disk-data >/etc/lbt-on-disk; echo WROTE; sleep 60' && session_proof "$SID"; then
	for i in $(seq 1 25); do grep -q WROTE "$W/disk.out" && break; sleep 0.2; done
	# ID-BOOTID: never a leftover of an earlier boot's same id (t_65)
	d="$LB_SESSIONS/$SID-$(cat /proc/sys/kernel/random/boot_id)"
	if [ -d "$d" ] && [ "$(find "$d" -name lbt-on-disk | wc -l)" -ge 1 ]; then
		tap_ok "upper = disk: the session's writes to / land in $d"
	else
		tap_fail "upper = disk: the session's writes to / land in $d" "$(ls -la "$d" 2>&1)"
	fi
	stop_pid "$BG_PID"
	assert_session_gone "upper = disk: after logout $d is gone" "$SID"
	[ -e "$d" ] && diag "$(ls -la "$d" 2>&1)"
else
	tap_fail "upper = disk: the session's writes to / land in the disk upper" "no session"
fi

# ---- a hostile disk upper: teardown does not follow box root's symlinks
mkdir -p "$W/victim/sub"
echo keep >"$W/victim/f"
echo keep >"$W/victim/sub/g"
chmod -R 755 "$W/victim"
# links_seen SID: the hostile links are in the session's disk upper.
links_seen() {
	local upd n
	upd=$(session_field "$1" upper_dir)
	n=$(find "$upd" -type l \( -name evil -o -name link -o -name rootlink -o -name flink -o -name etc \) 2>/dev/null | wc -l)
	t_is "$n" 5 "upper = disk with hostile symlinks: the 5 links are in the session's upper $upd first"
}
HELD_EXTRA=links_seen
ssh_as lbt-root "ln -s $W/victim /evil; mkdir -p /d/e; ln -s $W/victim /d/e/link; ln -s / /rootlink; ln -s $W/victim/f /d/flink; ln -s /etc /d/etc; mkdir -p /deep/a/b/c; chmod 000 /deep/a; $(hold_cmd evil lbt-root)" >"$W/evil.out" 2>&1 &
check_held "upper = disk with hostile symlinks and a mode-000 dir" lbt-root evil $!
HELD_EXTRA=""
if [ "$(cat "$W/victim/f" "$W/victim/sub/g" 2>&1)" = "$(printf 'keep\nkeep')" ] && [ -e /etc/passwd ]; then
	tap_ok "upper = disk with hostile symlinks: nothing they point to was removed"
else
	tap_fail "upper = disk with hostile symlinks: nothing they point to was removed" "$(ls -laR "$W/victim" 2>&1)"
fi

# ---- upper = persistent: kept for the user between logins (by design)
{ base_conf; printf '[user.lbt-root]\nupper = persistent\nupper_size = max\n'; } | write_conf
ssh_as lbt-root 'echo kept >/etc/lbt-persist' >/dev/null 2>&1
out=$(ssh_as lbt-root 'cat /etc/lbt-persist' 2>&1)
t_is "$out" kept "upper = persistent: a file written to / is there at the next login"
t_is "$(ls -d "$LB_USERSDIR/lbt-root" 2>/dev/null)" "$LB_USERSDIR/lbt-root" \
	"upper = persistent: it is kept in $LB_USERSDIR/lbt-root"
# A second concurrent session cannot share the upper (overlayfs): it must
# still work, and the first session's writes must persist.
unrelease_login lbt-root p1
if bg_session lbt-root persist1 "echo first >/etc/lbt-p1 && echo '@@''WROTE=1@@'; $(hold_cmd p1 lbt-root)"; then
	wait_marker "$W/persist1.out" WROTE 20 >/dev/null || diag "the first session did not write"
	out=$(ssh_as lbt-root 'echo "S2=$LOGINBOX_SESSION"; echo second >/etc/lbt-p2 && echo "W2=ok"' 2>&1)
	t_is "$(kv "$out" W2)" ok "upper = persistent: a second concurrent session works too"
	t_check "upper = persistent: the first session was still live meanwhile" session_alive "$SID"
	release_login lbt-root p1
	wait "$BG_PID"
	unrelease_login lbt-root p1
	out=$(ssh_as lbt-root 'cat /etc/lbt-p1' 2>&1)
	t_is "$out" first "upper = persistent: the first session's writes persist"
else
	tap_fail "upper = persistent: a second concurrent session works too" "no first session"
fi
assert_no_leftovers "upper = persistent: besides the kept upper, nothing of the sessions remains"
rm -rf "${LB_USERSDIR:?}/lbt-root"
reset_conf

# ---- loginbox list / show / kill
if bg_session lbt-alice listed 'sleep 60'; then
	out=$("$LB_ADMIN" list 2>&1)
	t_like "$out" "^$SID +lbt-alice +[0-9]+ +sshd-loginbox-test +[0-9]+ +host +yes( |\$)" \
		"loginbox list: shows the live box (id, user, init, service, image, alive)"
	out=$("$LB_ADMIN" show "$SID" 2>&1)
	t_like "$out" "^user +lbt-alice \\(uid $(id -u lbt-alice)\\)\$" "loginbox show ID: names the user and uid"
	owner=$(session_field "$SID" owner_pid)
	t_like "$out" "^login pid +$owner\$" "loginbox show ID: names the login's process"
	out=$("$LB_ADMIN" kill "$SID" 2>&1)
	rc=$?
	t_is "$rc" 0 "loginbox kill ID: exits 0"
	[ "$rc" -ne 0 ] && diag "loginbox kill $SID said: $out"
	for i in $(seq 1 50); do kill -0 "$BG_PID" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$BG_PID" 2>/dev/null; then
		tap_fail "loginbox kill ID: the user's login ends" "the ssh client still runs after 10 s"
	else
		tap_ok "loginbox kill ID: the user's login ends"
	fi
	stop_pid "$BG_PID"
	assert_no_leftovers "loginbox kill ID: nothing of the box remains"
else
	tap_fail "loginbox list: shows the live box" "no session"
fi
out=$("$LB_ADMIN" list 2>&1)
t_unlike "$out" ' lbt-' "loginbox list: no test box is listed once all logged out"

# ---- a crashed login: sshd's [priv] process killed with SIGKILL
# crash_login USER NAME: start a login, kill -9 exactly its [priv] process.
crash_login() {
	CRASH_OK=no
	bg_session "$1" "$2" 'sleep 60' || return 1
	owner=$(session_field "$SID" owner_pid)
	cmd=$(tr '\0' ' ' <"/proc/$owner/cmdline" 2>/dev/null)
	case $cmd in
	*"$1 [priv]"*) ;;
	*)
		diag "session $SID: login pid $owner is '$cmd', not sshd's [priv] process"
		return 1
		;;
	esac
	# only that session's [priv]: its parent is our sshd
	[ "$(ps -o ppid= -p "$owner" | tr -d ' ')" = "$(cat "$LBT_TMP/sshd.mainpid")" ] || return 1
	kill -9 "$owner"
	CRASH_OK=yes
}

# box_processes_gone ID: init has ended (gone or a zombie nobody reaped
# yet: the host's PID 1 here reaps late) and no process of the user runs.
box_processes_gone() {
	local init st
	init=$(session_field "$1" init_pid)
	[ -n "$init" ] || return 1
	st=$(awk '{print $3}' "/proc/$init/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] || return 1
	[ -z "$(ps -o pid=,stat= -u "$2" 2>/dev/null | awk '$2 !~ /^Z/')" ]
}


# wait_owner_reaped: sshd has reaped the killed [priv] process ($owner):
# it has seen the crash.  Polled with a bound instead of a sleep.
wait_owner_reaped() {
	local i
	for i in $(seq 1 100); do
		[ -d "/proc/$owner" ] || return 0
		sleep 0.1
	done
	diag "the killed [priv] process $owner is still there after 10 s"
}


if crash_login lbt-alice crash1; then
	wait_owner_reaped
	# with session = login the box ends with its login (init holds a
	# pidfd of it); the session dir and node wait for gc
	for i in $(seq 1 50); do box_processes_gone "$SID" lbt-alice && break; sleep 0.2; done
	if box_processes_gone "$SID" lbt-alice && [ -d "$LB_RUN/$SID" ]; then
		tap_ok "kill -9 of sshd [priv]: the box's processes end at once; its dir waits for gc"
	else
		tap_fail "kill -9 of sshd [priv]: the box's processes end at once; its dir waits for gc" \
			"$(ps -o pid=,stat=,args= -u lbt-alice 2>&1; ls -d "$LB_RUN/$SID" 2>&1)"
	fi
	out=$("$LB_ADMIN" list 2>&1)
	t_like "$out" "^$SID +lbt-alice " "kill -9 of sshd [priv]: loginbox list still shows the box"
	out=$("$LB_ADMIN" gc 2>&1)
	rc=$?
	t_is "$rc" 0 "loginbox gc: exits 0"
	t_like "$out" '^gc: [1-9][0-9]* box(es)? removed$' "loginbox gc: reports the box it removed"
	line=$(printf '%s\n' "$out" | grep -a "session $SID ")
	if [ -n "$line" ] && printf '%s' "$line" | LC_ALL=C grep -q '^[[:print:]]*$' &&
		printf '%s' "$line" | grep -q 'removed$'; then
		tap_ok "loginbox gc: the line for session $SID is readable text ending in 'removed'"
	else
		tap_fail "loginbox gc: the line for session $SID is readable text ending in 'removed'" \
			"got: $(printf '%s' "$line" | od -c | head -n 4)"
	fi
	stop_pid "$BG_PID"
	assert_no_leftovers "kill -9 of sshd [priv]: after loginbox gc nothing remains"
else
	tap_fail "kill -9 of sshd [priv]: the box stays until loginbox gc" "could not set up the crashed login"
	stop_pid "$BG_PID"
fi

if crash_login lbt-alice crash2; then
	old=$SID
	wait_owner_reaped
	for i in $(seq 1 50); do box_processes_gone "$old" lbt-alice && break; sleep 0.2; done
	# another user's login leaves it alone (never waits for someone
	# else's teardown); the same user's next login sweeps it
	# open_session sweeps at most once a second ($LB_RUN/.gc holds the
	# last sweep's time): wait until a sweep is due, by that file's state.
	for i in $(seq 1 30); do
		[ -e "$LB_RUN/.gc" ] || break
		[ "$(date +%s)" -gt "$(stat -c %Y "$LB_RUN/.gc")" ] && break
		sleep 0.1
	done
	ssh_as lbt-bob 'true' >/dev/null 2>&1
	if [ -d "$LB_RUN/$old" ]; then
		tap_ok "another user's open_session leaves the stale box to its user's login or gc"
	else
		tap_fail "another user's open_session leaves the stale box to its user's login or gc" "$LB_RUN/$old is gone"
	fi
	touch -d '-10 sec' "$LB_RUN/.gc"
	ssh_as lbt-alice 'true' >/dev/null 2>&1
	if [ -d "$LB_RUN/$old" ]; then
		tap_fail "the user's next open_session sweeps the stale box" "$LB_RUN/$old is still there"
	else
		tap_ok "the user's next open_session sweeps the stale box"
	fi
	stop_pid "$BG_PID"
	assert_no_leftovers "stale box swept by open_session: nothing remains"
else
	tap_fail "the next open_session sweeps the stale box" "could not set up the crashed login"
	stop_pid "$BG_PID"
fi

# ---- loginbox kill racing the login's own close_session (sshd notices the
# box ended and closes the session at the same moment): kill must still
# succeed and leave nothing.
fails=""
for k in $(seq 1 25); do
	bg_session lbt-alice race$k 'exec sleep 60' || { fails="$fails no-session"; break; }
	out=$("$LB_ADMIN" kill "$SID" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] && fails="$fails|try $k, session $SID: status $rc: $out"
	wait "$BG_PID" 2>/dev/null
done
t_is "$fails" "" "loginbox kill racing sshd's close_session: exits 0 every time (25 tries)"
assert_no_leftovers "loginbox kill racing sshd's close_session: nothing remains (no empty session dir)"
# an empty session dir left by the race would count against later tests
for id in $(test_session_ids); do rmdir "$LB_RUN/$id" 2>/dev/null; done

# ---- loginbox run
out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-alice -- sh -c 'echo "H=$(hostname)"; echo "P=$(cat /proc/1/comm)"; exit 3' 2>&1)
rc=$?
t_is "$rc" 3 "loginbox run: exits with the command's status (3)"
t_is "$(kv "$out" H)" lbt-alice-box "loginbox run: the command runs in the user's box"
assert_no_leftovers "loginbox run: nothing remains after it returns"

# ---- an empty user node left by an interrupted teardown: gc removes it,
# and never a node that still holds a session
CGL=""
for cg in /sys/fs/cgroup/unified/loginbox /sys/fs/cgroup/loginbox; do
	[ -d "$cg" ] && CGL=$cg && break
done
if [ -n "$CGL" ]; then
	BUID=$(id -u lbt-bob)
	mkdir -p "$CGL/u$BUID"
	t_check "gc: control: an empty user node $CGL/u$BUID exists (as an interrupted teardown leaves it)" test -d "$CGL/u$BUID"
	bg_session lbt-alice gcnode 'exec sleep 60' ||
		diag "the background login of lbt-alice did not start"
	AUID=$(id -u lbt-alice)
	"$LB_ADMIN" gc >/dev/null 2>&1
	if [ ! -e "$CGL/u$BUID" ] && [ -d "$CGL/u$AUID" ]; then
		tap_ok "gc: the empty user node is removed; the node of a live session stays"
	else
		tap_fail "gc: the empty user node is removed; the node of a live session stays" "$(ls -d "$CGL"/u* 2>&1)"
	fi
	stop_pid "$BG_PID"
	assert_no_leftovers "gc: nothing of the live session remains after its logout"
else
	for n in 1 2 3; do tap_skip "gc: empty user nodes ($n)" "no loginbox cgroup v2 node on this host"; done
fi

exit 0
