#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The box's control socket: a second boxed user (lbt-bob) against
# lbt-alice's box (the socket, its directory, init's /proc), init's own
# SO_PEERCRED check with the socket's mode opened up, forged and malformed
# control messages from the user's own host process, forged session ids.
set -u
. "$(dirname "$0")/../integration/lib.sh"
t_plan 50
. "$(dirname "$0")/classic_lib.sh"

reset_conf
AHOME=$(hc_home lbt-alice)
TAG=lbt$$
W=$LBT_TMP/h75
mkdir -p "$W"

if ! hc_box_start lbt-alice; then
	tap_fail "a login of lbt-alice that stays came up" "$(cat "$HC_OUT")"
	exit 0
fi
SOCK=$LB_RUN/$HC_SID/control
DIR=$LB_RUN/$HC_SID
t_check "control: alice's control socket exists ($SOCK)" test -S "$SOCK"

# ---- the user's own client reaches init: the control for everything below
rm -f "$AHOME/ctl-$TAG"
out=$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$SOCK" run "echo inside >\$HOME/ctl-$TAG; cat /proc/1/comm >>\$HOME/ctl-$TAG" 2>&1)
t_is "$(kv "$out" R)" "EXIT:0" "control: alice's own client gets her program run (exit status 0)"
t_is "$(tr '\n' ' ' <"$AHOME/ctl-$TAG" 2>/dev/null)" "inside loginbox-init " "control: the program ran inside alice's box (PID 1 is loginbox-init)"
rm -f "$AHOME/ctl-$TAG"

# ---- lbt-bob against alice's box
out=$(hc_as lbt-bob python3 "$HC_PROBE" R ctl "$SOCK" run "echo bob >\$HOME/ctl-$TAG" \; LS readlink "$DIR/state" \; ST read "$DIR/state" 2>&1)
t_is "$(kv "$out" R)" CONNECT:EACCES "bob: connecting to alice's control socket (mode 0600) is refused (EACCES)"
out=$(hc_as lbt-bob ls "$DIR" 2>&1)
t_like "$out" "cannot open directory.*Permission denied" "bob: alice's session directory cannot be listed (0711)"
out=$(hc_as lbt-bob ls "$DIR/root/" 2>&1)
t_like "$out" "Permission denied" "bob: the box's root under the session directory cannot be listed"
# The logins socket (join and leave, docs/SECURITY.md "Lifetime of a
# box") is root's alone: the user's own host process cannot reach it.
t_is "$(stat -c '%F %U %a' "$DIR/logins" 2>&1)" "socket root 600" "control: the box's logins socket exists, root's, mode 0600"
out=$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$DIR/logins" run "true" 2>&1)
t_is "$(kv "$out" R)" CONNECT:EACCES "alice's own host process cannot connect to her box's logins socket (EACCES)"
# Open the socket's mode: now only init's own check (SO_PEERCRED) stands.
chmod 0666 "$SOCK"
out=$(hc_as lbt-bob python3 "$HC_PROBE" R ctl "$SOCK" run "echo bob >\$HOME/ctl-$TAG; echo bob >/tmp/ctl-$TAG" 2>&1)
t_unlike "$(kv "$out" R)" '^CONNECT:' "bob, socket opened up (0666): control: bob's connect reaches init ($(kv "$out" R))"
# (SO_PEERCRED gives init the peer's uid as seen in the box: bob's is
# not mapped there and reads as the overflow uid)
t_like "$(kv "$out" R)" "^(SEND:EPIPE,)?ERROR:connection refused: not this box's user \\(peer uid 65534 in the box\\)\$" "bob, socket opened up: init's own refusal (SO_PEERCRED), no program"
t_check "bob, socket opened up: nothing was written into alice's home" test ! -e "$AHOME/ctl-$TAG"
out=$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$SOCK" run "test -e /tmp/ctl-$TAG && echo yes >\$HOME/ctl-$TAG; true" 2>&1)
t_is "$(kv "$out" R)" "EXIT:0" "bob, socket opened up: control: alice's box still answers her"
t_check "bob, socket opened up: bob's program never ran in alice's box (no /tmp file inside)" test ! -e "$AHOME/ctl-$TAG"
# lbt-root (box root of its own box, uid 0 of nobody's) gets nothing either
out=$(hc_as lbt-root python3 "$HC_PROBE" R ctl "$SOCK" run "true" 2>&1)
t_like "$(kv "$out" R)" "^(SEND:EPIPE,)?ERROR:connection refused: not this box's user" "lbt-root, socket opened up: init's own refusal"
chmod 0600 "$SOCK"
rm -f "$AHOME/ctl-$TAG"

# ---- forged and malformed messages from alice's own host process
start=$(proc_start "$HC_INIT")
forged() { # KIND WANT-ERE NAME
	local r
	r=$(kv "$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$SOCK" "$1" "echo forged >\$HOME/ctl-$TAG" 2>&1)" R)
	t_like "$r" "$2" "forged message ($1): $3 ($r)"
}
forged badmagic '^EOF$' "init closes the connection, runs nothing"
forged shortlen '^EOF$' "a header length shorter than the message: closed, nothing run"
forged longlen '^EOF$' "a header length longer than the message: closed, nothing run"
forged bigargc '^ERROR:bad spawn header: ' "argc = 2^32-1 is refused by init's own check"
forged manystrings '^ERROR:(bad spawn header|unterminated string): ' "argc = 5000 with one string is refused"
forged unterminated '^ERROR:unterminated string: ' "a string without its NUL is refused"
forged badmode '^ERROR:bad spawn header: ' "spawn mode 99 is refused"
forged cmd0args '^ERROR:bad spawn argument count: ' "a command spawn without its command is refused"
forged signal_first '^(EOF|TIMEOUT)$' "a SIGNAL before any program kills nothing"
forged exit_forged '^(EOF|TIMEOUT)$' "an EXIT sent to init is ignored"
forged huge '^(EOF|SEND:EMSGSIZE|SEND:ENOBUFS)$' "a message over the protocol's maximum is not taken"
t_check "forged messages: nothing forged ran in the box" test ! -e "$AHOME/ctl-$TAG"
# More fds than a spawn carries (3): the kernel cuts the control data
# (MSG_CTRUNC) and init drops the message and the connection.
forged manyfds '^EOF$' "23 fds attached to a spawn: the connection is closed, nothing run"
t_check "forged messages: nothing forged ran in the box" test ! -e "$AHOME/ctl-$TAG"
t_is "$(proc_start "$HC_INIT")" "$start" "forged messages: the box's init is still the same process"
out=$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$SOCK" run "ls /proc/1/fd >/dev/null 2>&1 || echo denied >\$HOME/ctl-$TAG.fd; ls /proc/self/fd | tr '\n' ' ' >\$HOME/ctl-$TAG.own" 2>&1)
t_is "$(cat "$AHOME/ctl-$TAG.own" 2>/dev/null)" "0 1 2 3 " "manyfds: a later program has only fds 0-2 (the 20 extra fds went nowhere)"
rm -f "$AHOME/ctl-$TAG" "$AHOME/ctl-$TAG.fd" "$AHOME/ctl-$TAG.own"

# ---- forged session ids: loginbox-shell run by the user's host process
for sid in "../../tmp/x" "${HC_SID}abc" "-$HC_SID" "99999999999999999999999" " $HC_SID" "0" "allow-../../etc/passwd" "allow-$TAG"; do
	out=$(hc_as lbt-bob env LOGINBOX_SESSION="$sid" "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
	if printf '%s' "$out" | grep -q '@@RAN@@'; then
		tap_fail "forged LOGINBOX_SESSION='$sid': loginbox-shell runs nothing" "$out"
	else
		t_like "$out" 'this login has no box|connect to box|ended the session' "forged LOGINBOX_SESSION='$sid': loginbox-shell runs nothing and says why"
	fi
done
out=$(hc_as lbt-bob env LOGINBOX_SESSION="$HC_SID" "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
t_unlike "$out" '@@RAN@@' "forged LOGINBOX_SESSION = alice's live session, used by bob: nothing runs"
t_like "$out" 'connect to box .*Permission denied|ended the session' "forged LOGINBOX_SESSION = alice's live session: loginbox-shell says why"

# ---- the tools run by a user: loginbox-helper is never setuid, so run
# by lbt-plain (an unboxed local user) or by alice's own host process it
# can end nothing; the admin command says it is root's.
start=$(proc_start "$HC_INIT")
for u in lbt-plain lbt-alice; do
	out=$(hc_as "$u" sh -c "$LB_HELPER close $HC_SID 3>/dev/null; echo rc=\$?; $LB_HELPER gc 3>/dev/null; echo rc=\$?" 2>&1)
	t_is "$(proc_start "$HC_INIT")" "$start" "$u runs loginbox-helper close $HC_SID and gc: alice's box's init lives on"
	t_check "$u runs loginbox-helper close and gc: the session directory is still there" test -f "$DIR/state"
	t_like "$out" 'loginbox-helper: must be started as root' "$u runs loginbox-helper: it refuses, saying it is root's to start"
	out=$(hc_as "$u" "$LB_ADMIN" kill "$HC_SID" 2>&1)
	t_like "$out" 'must be run as root' "$u runs loginbox kill: refused, it is root's"
done
out=$(hc_as lbt-alice python3 "$HC_PROBE" R ctl "$SOCK" run "true" 2>&1)
t_is "$(kv "$out" R)" "EXIT:0" "after the tools run by users: alice's box still answers her"

hc_box_stop
assert_no_leftovers "control socket attacks: nothing of these sessions remains"
exit 0
