#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Joins served by the box's keeper (docs/JOIN_SPEED.md): a login that joins
# a live session = user box starts no loginbox-helper; the keeper's socket
# is root's alone; a killed keeper or a changed policy sends the login to
# the helper, which still joins or builds as before.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"

W=$LBT_TMP/t97
mkdir -p "$W"
chmod 755 "$W"
start_syslog "$W/syslog"

conf_a() { { base_conf; printf '[user.lbt-alice]\nsession = user\nlinger = no\n'; } | write_conf; }
conf_a
uid=$(lbt_uid lbt-alice)

# Hold the box with a background ssh login.
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

# ---- the keeper's socket and the user's index: root's alone
SOCK=$LB_RUN/$S1/join
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
t_is "$(stat -c '%F %a %U' "$SOCK" 2>&1)" "socket 600 root" "the keeper listens on $SOCK, mode 0600, root's"
t_like "$(stat -c '%a %U' "$LB_RUN/$S1" 2>&1)" "^7[01][01] root\$" "in the session directory, root's, writable by root only"
t_is "$(cat "$LB_RUN/users/$uid.box" 2>&1)" "$S1" "users/UID.box names the box"
t_is "$(stat -c '%a %U' "$LB_RUN/users" 2>&1)" "700 root" "in $LB_RUN/users, 0700, root's"

# The socket answers root (an unknown version: "fallback") ...
probe='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("CONNECT=%s" % e.__class__.__name__); sys.exit(0)
s.send(b"V9\0open\0x\0y\0\0")
print("REPLY=%s" % s.recv(100).decode())
'
t_is "$(python3 -c "$probe" "$SOCK" 2>&1)" "REPLY=fallback" "root reaches the keeper (an unknown request version: fallback)"
# ... and no user reaches it (a 0600 socket of root's: EACCES).
t_is "$(setpriv --reuid "$(lbt_uid lbt-plain)" --regid "$(id -g lbt-plain)" --clear-groups \
	/usr/bin/python3 -c "$probe" "$SOCK" 2>&1)" "CONNECT=PermissionError" \
	"an unboxed user cannot connect to the keeper's socket"

# ---- a joining su and ssh start no helper
n_keeper() { syslog_lines "event=join box=$1 .*via=keeper" | wc -l; }
n_join() { syslog_lines "event=join box=$1 " | wc -l; }
k0=$(n_keeper "$S1")
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION; echo L=$LOGINBOX_LOGIN; grep ^0:: /proc/self/cgroup' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "su lbt-alice -c joins the held box"
L=$(kv_opt "$out" L)
t_like "$out" "0::/login-$L\$" "its command runs in its own cgroup leaf (login-$L)"
syslog_has "the join was served by the keeper (event=join via=keeper)" "event=join box=$S1 .*service=su.*via=keeper"
CG=$(session_field "$S1" cgroup)
if [ -n "$CG" ] && [ -d "$CG" ]; then
	for _ in $(seq 1 50); do [ ! -e "$CG/login-$L" ] && break; sleep 0.1; done
	t_check "the su's leaf went with its close (served by the keeper)" test ! -e "$CG/login-$L"
else
	tap_skip "the su's leaf went with its close" "the box has no cgroup node on this host"
fi
out=$(ssh_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "an ssh login joins the held box"
for _ in $(seq 1 25); do [ "$(n_keeper "$S1")" -ge $((k0 + 2)) ] && break; sleep 0.2; done
t_is "$(n_keeper "$S1")" "$((k0 + 2))" "both joins (su, ssh) were served by the keeper"

strace -f -qq -e trace=execve -o "$W/st" \
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su "$2" -c "echo S=\$LOGINBOX_SESSION"' \
	sh "$LBT_TMP/pam-su" lbt-alice >"$W/st.out" 2>&1
t_is "$(kv_opt "$(cat "$W/st.out")" S)" "$S1" "a traced joining su joined the box"
t_like "$(cat "$W/st")" 'execve\("[^"]*/su"' "the trace saw su's execve"
t_unlike "$(cat "$W/st")" 'loginbox-helper' "no loginbox-helper was executed by the joining su (open or close)"
t_check "the held login still runs" kill -0 "$HOLD"
for _ in $(seq 1 25); do [ "$(n_keeper "$S1")" -ge $((k0 + 3)) ] && break; sleep 0.2; done
t_is "$(n_keeper "$S1")" "$((k0 + 3))" "the traced su's join was served by the keeper too"

logins_of() { "$LB_ADMIN" show "$1" 2>/dev/null | sed -n 's/^logins  *//p'; }
# Every keeper-served login left again through the keeper: the held
# login is the box's only one (no slot left behind, none counted twice).
for _ in $(seq 1 25); do [ "$(logins_of "$S1")" = 1 ] && break; sleep 0.2; done
t_is "$(logins_of "$S1")" 1 "after 3 keeper joins and leaves the box serves its held login only"
keeper_of() { ps -o ppid= -p "$(session_field "$1" init_pid)" 2>/dev/null | tr -d ' '; }

# ---- the user's lock held (a build or a teardown under way): the keeper
# does not wait for it; the helper does, then joins
LOCK=$LB_RUN/users/$uid.lock
flock -x "$LOCK" sleep 3 &
FL=$!
track_pid "$FL"
for _ in $(seq 1 50); do flock -n "$LOCK" true 2>/dev/null || break; sleep 0.05; done
if flock -n "$LOCK" true 2>/dev/null; then
	tap_fail "the test holds lbt-alice's lock $LOCK" "flock -n still gets it"
else
	tap_ok "the test holds lbt-alice's lock $LOCK, as a build or a teardown would"
fi
k0=$(n_keeper "$S1")
j0=$(n_join "$S1")
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "with the lock held, su still joins the held box"
if kill -0 "$FL" 2>/dev/null; then
	tap_fail "that su waited for the lock (it returned after the holder ended)" "the holder (pid $FL) still runs"
else
	tap_ok "that su waited for the lock (it returned after the holder ended)"
fi
for _ in $(seq 1 25); do [ "$(n_join "$S1")" -gt "$j0" ] && break; sleep 0.2; done
t_is "$(n_join "$S1")" "$((j0 + 1))" "that join was recorded"
t_is "$(n_keeper "$S1")" "$k0" "by the helper: the keeper answered fallback instead of waiting"
wait "$FL" 2>/dev/null

# ---- a stopped keeper: the login waits for it at most 2 s, then the
# helper joins; once continued it serves again.  The keeper forks the
# handler of its next connection ahead (its spare, keeper_serve.c): an
# unresponsive keeper is both stopped.
keeper=$(keeper_of "$S1")
t_like "$(tr '\0' ' ' <"/proc/$keeper/cmdline" 2>/dev/null)" "^loginbox-helper keep $S1 " "init's parent is the box's keeper (pid $keeper)"
spare_of() { # KEEPER: its child that is not init (the spare handler)
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		[ "$c" = "$(session_field "$S1" init_pid)" ] && continue
		tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q "^loginbox-helper keep $S1 " && echo "$c"
	done
}
spare=""
for _ in $(seq 1 25); do spare=$(spare_of "$keeper"); [ -n "$spare" ] && break; sleep 0.2; done
t_like "${spare:-none}" '^[0-9]+$' "the keeper has its next handler forked ahead (spare, pid ${spare:-none})"
t_is "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/${spare:-0}/status" 2>&1)" 0000 "the spare runs as root"
kill -STOP "$keeper" ${spare:+"$spare"}
k0=$(n_keeper "$S1")
j0=$(n_join "$S1")
t0=$(date +%s%N)
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
t_is "$(kv_opt "$out" S)" "$S1" "with its keeper stopped, su still joins the held box"
if [ "$ms" -ge 1900 ] && [ "$ms" -lt 10000 ]; then
	tap_ok "after the login's bounded wait for the keeper ($ms ms)"
else
	tap_fail "after the login's bounded wait for the keeper (2 s)" "took $ms ms"
fi
for _ in $(seq 1 25); do [ "$(n_join "$S1")" -gt "$j0" ] && break; sleep 0.2; done
t_is "$(n_join "$S1")/$(n_keeper "$S1")" "$((j0 + 1))/$k0" "that join was the helper's (recorded, no via=keeper)"
kill -CONT "$keeper" ${spare:+"$spare"}
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "the continued keeper's box is joined again"
for _ in $(seq 1 25); do [ "$(n_keeper "$S1")" -gt "$k0" ] && break; sleep 0.2; done
t_is "$(n_keeper "$S1")" "$((k0 + 1))" "through the keeper (the login it left waiting changed nothing)"
for _ in $(seq 1 25); do [ "$(logins_of "$S1")" = 1 ] && break; sleep 0.2; done
t_is "$(logins_of "$S1")" 1 "the box still serves its held login only"

# ---- a changed policy: the keeper sends the login to the helper, which
# builds a new box (the old one stays with its login)
kk=$(n_keeper "$S1")
{ base_conf; printf '[user.lbt-alice]\nsession = user\nlinger = no\nhostname = t97-new\n'; } | write_conf
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION; echo H=$(hostname)' 2>&1)
S2=$(kv_opt "$out" S)
t_isnt "${S2:-none}" "$S1" "after a policy change su gets a new box, not the held one"
t_is "$(kv_opt "$out" H)" "t97-new" "the new box has the new policy"
t_is "$(n_keeper "$S1")" "$kk" "the keeper of the old box served no join after the change"
syslog_has "the new box was built by the helper (event=start box=$S2)" "event=start box=$S2 "
conf_a

# ---- a killed keeper: the next join goes through the helper
init=$(session_field "$S1" init_pid)
keeper=$(ps -o ppid= -p "$init" 2>/dev/null | tr -d ' ')
t_like "$(tr '\0' ' ' <"/proc/$keeper/cmdline" 2>/dev/null)" "^loginbox-helper keep $S1 " "init's parent is the box's keeper"
spare=$(spare_of "$keeper")
t_like "${spare:-none}" '^[0-9]+$' "the keeper to be killed has its spare handler (pid ${spare:-none})"
kill -KILL "$keeper"
for _ in $(seq 1 50); do kill -0 "$keeper" 2>/dev/null || break; sleep 0.1; done
# (an idle spare dies with its keeper: it must not answer the next login)
# (gone, or a zombie waiting for PID 1, which reaps slowly on some hosts:
# kill -0 succeeds on a zombie)
spare_gone() { [ ! -e "/proc/${spare:-0}/stat" ] || [ "$(awk '{print $3}' "/proc/${spare:-0}/stat" 2>/dev/null)" = Z ]; }
for _ in $(seq 1 50); do spare_gone && break; sleep 0.1; done
t_check "its spare ended with it (parent-death signal)" spare_gone
j0=$(n_join "$S1")
kk=$(n_keeper "$S1")
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "with its keeper killed, su still joins the held box"
for _ in $(seq 1 25); do [ "$(n_join "$S1")" -gt "$j0" ] && break; sleep 0.2; done
t_is "$(n_join "$S1")" "$((j0 + 1))" "that join was recorded"
t_is "$(n_keeper "$S1")" "$kk" "by the helper (no via=keeper)"
out=$(ssh_as lbt-alice 'echo S=$LOGINBOX_SESSION' 2>&1)
t_is "$(kv_opt "$out" S)" "$S1" "and so does ssh"

stop_pid "$HOLD"
assert_no_leftovers "the held box (its keeper killed) and the new one end with their logins; nothing remains" 15
t_check "no keeper socket left" test ! -e "$SOCK"

# ---- the last login leaves through the keeper: it answers fallback and
# the helper ends the box as it always did
unrelease_login lbt-alice k97
timeout -k 5 120 ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 'echo S=$LOGINBOX_SESSION; sleep 100' \
	>"$W/hold2.out" 2>"$W/hold2.err" &
HOLD=$!
track_pid "$HOLD"
S3=""
for _ in $(seq 1 50); do
	S3=$(kv_opt "$(cat "$W/hold2.out")" S)
	[ -n "$S3" ] && break
	sleep 0.2
done
t_check "a second held box for lbt-alice ($S3)" test -n "$S3"
k0=$(n_keeper "$S3")
su_c_as lbt-alice "$(hold_cmd k97 lbt-alice)" >"$W/su2.out" 2>&1 &
SU=$!
track_pid "$SU"
t_is "$(wait_marker "$W/su2.out" S 20)" "$S3" "a long su joins it"
for _ in $(seq 1 25); do [ "$(n_keeper "$S3")" -gt "$k0" ] && break; sleep 0.2; done
t_is "$(n_keeper "$S3")" "$((k0 + 1))" "through the keeper"
if session_proof "$S3"; then tap_ok "box $S3 is live (proof taken)"; else tap_fail "box $S3 is live"; fi
stop_pid "$HOLD"
for _ in $(seq 1 25); do [ "$(logins_of "$S3")" = 1 ] && break; sleep 0.2; done
t_is "$(logins_of "$S3")" 1 "the ssh login left; the su is the box's last login"
release_login lbt-alice k97
wait "$SU"
t_like "$(cat "$W/su2.out")" "@@HELD=" "the su ended normally"
assert_session_gone "the su's close ended the box (keeper: fallback, then the helper's teardown)" "$S3" 15
assert_no_leftovers "nothing of it remains" 15
unrelease_login lbt-alice k97
stop_syslog
reset_conf
