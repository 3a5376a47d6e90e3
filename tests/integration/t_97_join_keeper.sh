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

# ---- a changed policy: the keeper sends the login to the helper, which
# builds a new box (the old one stays with its login)
{ base_conf; printf '[user.lbt-alice]\nsession = user\nlinger = no\nhostname = t97-new\n'; } | write_conf
out=$(su_c_as lbt-alice 'echo S=$LOGINBOX_SESSION; echo H=$(hostname)' 2>&1)
S2=$(kv_opt "$out" S)
t_isnt "${S2:-none}" "$S1" "after a policy change su gets a new box, not the held one"
t_is "$(kv_opt "$out" H)" "t97-new" "the new box has the new policy"
t_is "$(n_keeper "$S1")" "$((k0 + 3))" "the keeper of the old box served no join after the change"
syslog_has "the new box was built by the helper (event=start box=$S2)" "event=start box=$S2 "
conf_a

# ---- a killed keeper: the next join goes through the helper
init=$(session_field "$S1" init_pid)
keeper=$(ps -o ppid= -p "$init" 2>/dev/null | tr -d ' ')
t_like "$(tr '\0' ' ' <"/proc/$keeper/cmdline" 2>/dev/null)" "^loginbox-helper keep $S1 " "init's parent is the box's keeper"
kill -KILL "$keeper"
for _ in $(seq 1 50); do kill -0 "$keeper" 2>/dev/null || break; sleep 0.1; done
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
stop_syslog
reset_conf
