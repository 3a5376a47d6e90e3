#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ssh -A into a box (issue 11): a real ssh-agent with a test key, a real
# `ssh -A`; in the box SSH_AUTH_SOCK is /run/user/UID/ssh-agent.sock,
# served by init and relayed to this login's own agent through its
# loginbox-shell (helper/common/agent.h).  Two logins of one box each reach
# their own agent; an SSH_AUTH_SOCK that is not sshd's socket of the login
# is refused at login with its reason and never reaches the box.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t91
mkdir -p "$W"
chmod 755 "$W"

printf '%s\n[user.lbt-alice]\nsession = user\n' "$(base_conf)" | write_conf
uid=$(lbt_uid lbt-alice)
home=$(getent passwd lbt-alice | cut -d: -f6)
rm -f "$home"/.lbt-t91-*

# start_agent NAME: an ssh-agent of the test (root, the ssh client's side)
# on $W/NAME.sock holding a fresh key $W/NAME; prints the key's
# fingerprint.
start_agent() {
	local i
	rm -f "$W/$1" "$W/$1.pub" "$W/$1.sock"
	ssh-keygen -q -t ed25519 -N '' -C "lbt-t91-$1" -f "$W/$1" || return 1
	ssh-agent -D -a "$W/$1.sock" >"$W/$1.agent.log" 2>&1 &
	track_pid $!
	for i in $(seq 1 50); do [ -S "$W/$1.sock" ] && break; sleep 0.1; done
	SSH_AUTH_SOCK="$W/$1.sock" ssh-add -q "$W/$1" 2>>"$W/$1.agent.log" || return 1
	ssh-keygen -lf "$W/$1.pub" | awk '{print $2}'
}

# has_fp NAME TEXT FP / lacks_fp NAME TEXT FP: a key's fingerprint (base64:
# '+' and '/', so compared as a fixed string) is / is not in TEXT.
has_fp() { t_check "$1" grep -qF -- "$3" <<<"$2"; }
lacks_fp() { t_check "$1" bash -c '! grep -qF -- "$1" <<<"$2"' sh "$3" "$2"; }

# ssh_agent NAME CMD: ssh -A as lbt-alice with agent NAME.
ssh_agent() {
	local name=$1
	shift
	SSH_AUTH_SOCK="$W/$name.sock" timeout -k 5 "$LBT_T" ssh -A "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 "$@"
}

fpA=$(start_agent keyA)
fpB=$(start_agent keyB)
if [ -z "$fpA" ] || [ -z "$fpB" ]; then
	tap_fail "two test agents with a key each" "$(cat "$W"/*.agent.log 2>/dev/null)"
fi
t_isnt "$fpA" "$fpB" "two test agents, each with its own key"

# ---- ssh -A: ssh-add -l in the box lists the forwarded key
out=$(ssh_agent keyA 'echo "S=$LOGINBOX_SESSION"; echo "SOCK=$SSH_AUTH_SOCK"; ssh-add -l; echo "rc=$?"' 2>&1)
t_like "$(kv "$out" S)" '^[0-9]+$' "ssh -A: the login ran in a box"
t_is "$(kv "$out" SOCK)" "/run/user/$uid/ssh-agent.sock" "ssh -A: SSH_AUTH_SOCK in the box is the box's own socket"
has_fp "ssh -A: ssh-add -l in the box lists the forwarded test key" "$out" "$fpA"
t_is "$(kv "$out" rc)" 0 "ssh -A: ssh-add -l succeeds"
assert_no_leftovers "ssh -A: nothing left after the login" 10

# ---- two logins of one box, each with its own agent
SSH_AUTH_SOCK="$W/keyA.sock" timeout -k 5 "$LBT_T" ssh -A "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 \
	'echo "S=$LOGINBOX_SESSION"; ssh-add -l | sed "s/^/FIRST /"; while [ ! -e ~/.lbt-t91-go ]; do sleep 0.1; done; ssh-add -l | sed "s/^/AGAIN /"' \
	>"$W/one.out" 2>&1 &
one=$!
track_pid "$one"
for _ in $(seq 1 100); do grep -q '^FIRST ' "$W/one.out" && break; sleep 0.1; done
S1=$(kv_opt "$(cat "$W/one.out")" S)
out=$(ssh_agent keyB 'echo "S=$LOGINBOX_SESSION"; ssh-add -l' 2>&1)
t_is "$(kv "$out" S)" "$S1" "second login: the same box as the first"
has_fp "second login: ssh-add -l lists its own agent's key" "$out" "$fpB"
lacks_fp "second login: not the first login's key" "$out" "$fpA"
touch "$home/.lbt-t91-go"
chmod 644 "$home/.lbt-t91-go"
wait "$one" 2>/dev/null
has_fp "first login: ssh-add -l lists its own key" "$(grep '^FIRST ' "$W/one.out")" "$fpA"
has_fp "first login, after the second came and went: still its own key" "$(grep '^AGAIN ' "$W/one.out")" "$fpA"
lacks_fp "first login: never the second login's key" "$(cat "$W/one.out")" "$fpB"
rm -f "$home/.lbt-t91-go"
assert_no_leftovers "two agents: nothing left" 10

# ---- an SSH_AUTH_SOCK the user points elsewhere is refused, with why
# (su keeps the caller's environment: here root's agent socket)
out=$(SSH_AUTH_SOCK="$W/keyA.sock" su_c_as lbt-alice 'echo "IN=$LOGINBOX_SESSION"; echo "SOCK=${SSH_AUTH_SOCK:-unset}"; ssh-add -l; echo "rc=$?"' 2>&1)
t_like "$(kv "$out" IN)" '^[0-9]+$' "refused pointer: the su login ran in the box"
t_like "$out" "loginbox-shell: agent not forwarded into the box: SSH_AUTH_SOCK=$W/keyA.sock is not an agent socket sshd made" \
	"refused pointer: loginbox-shell says why it does not forward SSH_AUTH_SOCK"
t_is "$(kv "$out" SOCK)" unset "refused pointer: SSH_AUTH_SOCK is not set in the box"
lacks_fp "refused pointer: the agent's key is not reachable from the box" "$out" "$fpA"
t_isnt "$(kv "$out" rc)" 0 "refused pointer: ssh-add -l in the box fails"

# ---- a box process cannot pick another target: with no agent in any
# login, the box's socket answers nothing
out=$(ssh_as lbt-alice 'echo "S=$LOGINBOX_SESSION"; SSH_AUTH_SOCK=/run/user/$(id -u)/ssh-agent.sock ssh-add -l; echo "rc=$?"' 2>&1)
t_like "$(kv "$out" S)" '^[0-9]+$' "no agent: the login (ssh without -A) ran in a box"
t_isnt "$(kv "$out" rc)" 0 "no agent: the box's socket gives nothing when no login forwards an agent"
lacks_fp "no agent: key A not reachable" "$out" "$fpA"
lacks_fp "no agent: key B not reachable" "$out" "$fpB"

rm -f "$home"/.lbt-t91-*
clean_test_sessions
reset_conf
