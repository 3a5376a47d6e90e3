#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attacks on what issue 11 added (session = user): the box's keeper (a
# root process on the host, init's parent), the per-login cgroup leaves
# (cgroup.procs of the node and of each login's leaf are box root's),
# LOGINBOX_LOGIN (the environment names the login a program runs for), and
# ssh -A through init and the login's loginbox-shell (which runs on the
# host as the user and connects only to sshd's socket of its own login).
# From inside a box (the user, box root) and from the user's own host
# process (a cron job, say), which can play sshd for loginbox-shell.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

W=$LBT_TMP/h94
rm -rf "$W"
mkdir -p "$W"
chmod 755 "$W"
install -m 0755 "$(dirname "$0")/h_94_agent_parent.py" "$W/parent.py"
install -m 0644 "$(dirname "$0")/h_94_agent_flood.py" "$W/flood.py"

# Every box of these tests is a session = user box (the shape with a
# keeper), for both test groups.
conf_user() { base_conf | sed 's/^session = login$/session = user/' | write_conf; }
conf_user
AUID=$(lbt_uid lbt-alice)

# start_agent NAME: an ssh-agent of the test (root, the ssh client's side)
# on $W/NAME.sock with a fresh key; prints the key's fingerprint.
start_agent() {
	local i
	ssh-keygen -q -t ed25519 -N '' -C "lbt-h94-$1" -f "$W/$1" || return 1
	ssh-agent -D -a "$W/$1.sock" >"$W/$1.agent.log" 2>&1 &
	track_pid $!
	for i in $(seq 1 50); do [ -S "$W/$1.sock" ] && break; sleep 0.1; done
	SSH_AUTH_SOCK="$W/$1.sock" ssh-add -q "$W/$1" 2>>"$W/$1.agent.log" || return 1
	ssh-keygen -lf "$W/$1.pub" | awk '{print $2}'
}
fpA=$(start_agent keyA)
fpB=$(start_agent keyB)
t_like "$fpA $fpB" '^SHA256:.* SHA256:' "two test agents (alice's and bob's ssh clients), each with a key"

# A root socket on the host, the stand-in for docker.sock or a root
# daemon that trusts its peers' uids: it counts the connections it gets.
: >"$W/root.count"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f: f.write("x\n")
    c.sendall(b"ROOT-SECRET\n"); c.close()' "$W/root.sock" "$W/root.count" &
track_pid $!
for _ in $(seq 1 50); do [ -S "$W/root.sock" ] && break; sleep 0.1; done
chmod 0666 "$W/root.sock"
t_is "$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(64).decode().strip())' "$W/root.sock" 2>&1)" ROOT-SECRET \
	"control: the root socket answers anyone who connects (and counts it)"
: >"$W/root.count"

# ============================================================== keeper
SSH_AUTH_SOCK="$W/keyA.sock" hc_box_start lbt-alice -A
A_SID=$HC_SID A_INIT=$HC_INIT A_PID=$HC_PID
if [ -z "$A_SID" ] || [ -z "$A_INIT" ]; then
	tap_fail "a login of lbt-alice (ssh -A) that stays came up" "$(cat "$HC_OUT")"
	exit 0
fi
K=$(ps -o ppid= -p "$A_INIT" | tr -d ' ')
kargs=$(tr '\0' ' ' <"/proc/$K/cmdline" 2>/dev/null)
t_like "$kargs" "^loginbox-helper keep $A_SID $A_INIT [0-9]+ \$" \
	"control: init's parent (pid $K) is the box's keeper ($kargs)"
t_is "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$K/status")" 0000 "keeper: runs as root (so the user cannot signal or trace it)"
kcg=$(grep '^0::' "/proc/$K/cgroup")
t_like "$kcg" '/loginbox/keepers$' "keeper: in loginbox/keepers ($kcg), beside the users' nodes"
t_unlike "$kcg" "/s$A_SID|\\.scope|/u$AUID" "keeper: not in the box's node (whose cgroup.kill it writes), the login's scope or the user's node"
for ns in mnt net pid user ipc uts cgroup; do
	t_is "$(readlink "/proc/$K/ns/$ns")" "$(readlink "/proc/$$/ns/$ns")" \
		"keeper: in the host's $ns namespace (the helper's private mount namespace, with the box's root, does not live on in it)"
done
# Besides /dev/null: the pidfd of its own init (it watches init's end
# with it) and the listening join socket (keeper_serve.c); and of its
# spare (the handler of the next connection, forked ahead) a pidfd and the
# read end of the pipe the spare signals "busy" on.  Nothing else.
# fds_of PID: those of PID, by kind, in fd order.
fds_of() {
	local f l ino p out=""
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f")
		case $l in
		/dev/null) out="${out}null " ;;
		anon_inode:\[pidfd\])
			p=$(awk '/^Pid:/ {print $2}' "/proc/$1/fdinfo/${f##*/}")
			if [ "$p" = "$A_INIT" ]; then
				out="${out}init-pidfd "
			elif [ "$p" = "${SPARE:-x}" ]; then
				out="${out}spare-pidfd "
			else
				out="${out}pidfd:$p "
			fi
			;;
		pipe:*) out="${out}pipe " ;;
		socket:*)
			ino=${l#socket:[}
			ino=${ino%]}
			# /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path;
			# Flags 00010000 is a listening socket, Type 0005 SEQPACKET
			if awk -v i="$ino" '$7 == i && $4 == "00010000" && $5 == "0005" {f=1} END {exit !f}' /proc/net/unix; then
				out="${out}listening-seqpacket "
			else
				out="$out$l "
			fi
			;;
		*) out="$out${f##*/}=$l " ;;
		esac
	done
	echo "$out"
}
SPARE=""
for _ in $(seq 1 25); do
	for c in $(ps -o pid= --ppid "$K"); do
		[ "$c" != "$A_INIT" ] && tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q "^loginbox-helper keep $A_SID " && SPARE=$c
	done
	[ -n "$SPARE" ] && break
	sleep 0.2
done
t_like "${SPARE:-none}" '^[0-9]+$' "control: the keeper's spare handler (its other child, pid ${SPARE:-none})"
t_is "$(fds_of "$K")" "null null null init-pidfd listening-seqpacket pipe spare-pidfd " "keeper: holds only /dev/null, its init's pidfd, its listening join socket and its spare's pidfd and pipe (no lock, no directory, nothing of the login)"
t_is "$(fds_of "${SPARE:-0}")" "null null null init-pidfd listening-seqpacket pipe " "spare: holds what the keeper had when it forked, and the pipe's write end (no lock, no directory, nothing of a login)"
t_is "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/${SPARE:-0}/status" 2>&1)" 0000 "spare: runs as root"
t_is "$(grep '^0::' "/proc/${SPARE:-0}/cgroup" 2>&1)" "$kcg" "spare: in the keeper's cgroup"
t_is "$(tr '\0' '\n' <"/proc/${SPARE:-0}/environ" | grep -c .)" 0 "spare: an empty environment"
out=$(hc_as lbt-alice kill -9 "${SPARE:-0}" 2>&1)
t_like "$out" 'Operation not permitted' "spare: the user's own host process cannot kill it (EPERM)"
t_is "$(stat -c '%F %a %U' "$LB_RUN/$A_SID/join" 2>&1)" "socket 600 root" "keeper: its join socket is root's alone (0600)"
t_is "$(tr '\0' '\n' <"/proc/$K/environ" | grep -c .)" 0 "keeper: an empty environment (nothing of the login's)"
t_is "$(readlink "/proc/$K/cwd")" / "keeper: its working directory is the host's /"
out=$(hc_as lbt-alice kill -9 "$K" 2>&1)
t_like "$out" 'Operation not permitted' "keeper: the user's own host process cannot kill it (EPERM)"
t_check "keeper: still there after the kill attempt" kill -0 "$K"
out=$(ssh_as lbt-alice 'echo "@@S=$LOGINBOX_SESSION@@"; echo "@@N=$(ls /proc | grep -c "^[0-9]")@@"; echo "@@K=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" " " | grep -c "loginbox-helper kee[p]")@@"' 2>&1)
t_is "$(marker "$out" S)" "$A_SID" "control: a second login joins the box with the keeper"
t_is "$(marker "$out" K)" 0 "keeper: invisible from the box (it sees $(marker "$out" N) processes, none of them the keeper)"

# ============================================= cgroup leaves, host side
CG=$(session_field "$A_SID" cgroup)
bsh=$(hc_host_pid_of "$A_INIT" sleep)
leaf=$(grep '^0::' "/proc/$bsh/cgroup" 2>/dev/null | sed 's/.*\///')
if [ -n "$CG" ] && [ -d "$CG/$leaf" ]; then
	t_like "$leaf" '^login-[0-9]+$' "control: the box's shell (host pid $bsh) is in its login's leaf $leaf"
	broot=$(stat -c %u "$CG/$leaf/cgroup.procs")
	t_isnt "$broot" "$AUID" "host: the leaf's cgroup.procs is box root's host uid ($broot), not the user's ($AUID)"
	t_is "$(stat -c %u "$CG/$leaf/cgroup.kill") $(stat -c %u "$CG/$leaf")" "0 0" "host: the leaf's other files and the leaf itself are host root's"
	out=$(hc_as lbt-alice sh -c "
		w() { k=\$1 f=\$2 v=\$3; e=\$( { echo \$v >\$f; } 2>&1); echo \$k=\${e:-WRITTEN}; }
		w MV_SELF $CG/$leaf/cgroup.procs \$\$
		w MV_BOX $CG/$leaf/cgroup.procs $bsh
		w KILL $CG/$leaf/cgroup.kill 1
		w TYPE $CG/$leaf/cgroup.type threaded
		e=\$(mkdir $CG/$leaf/sub 2>&1); echo MKDIR=\${e:-MADE}
		echo SELF=\$(grep '^0::' /proc/self/cgroup)" 2>&1)
	t_like "$(kv "$out" SELF)" '^0::/' "control: the user's host process ran ($(kv "$out" SELF))"
	for k in MV_SELF MV_BOX KILL TYPE MKDIR; do
		t_like "$(kv "$out" $k)" 'Permission denied' "host: the user's host process is refused $k on the login's leaf (Permission denied)"
	done
	t_unlike "$(kv "$out" SELF)" "/s$A_SID" "host: the user's host process did not get into the box's node"
	t_check "host: the box's shell is alive after the cgroup.kill attempt" kill -0 "$bsh"
else
	tap_fail "control: the box's shell is in a leaf of the box's node" "CG=$CG leaf=$leaf"
fi

# ================================================= LOGINBOX_LOGIN forged
# bob's live login: its login process's pid is a real login, of another box
hc_box_start lbt-bob
B_SID=$HC_SID B_INIT=$HC_INIT B_PID=$HC_PID
BCG=$(session_field "$B_SID" cgroup)
bbsh=$(hc_host_pid_of "$B_INIT" sleep)
bleaf=$(grep '^0::' "/proc/$bbsh/cgroup" 2>/dev/null | sed 's/.*\///')
B_LOGIN=${bleaf#login-}
t_like "$bleaf" '^login-[0-9]+$' "control: bob's login is in his box's leaf $bleaf"
bprocs=$(cat "$BCG/$bleaf/cgroup.procs" 2>/dev/null | sort | tr '\n' ' ')
A_LOGIN=${leaf#login-}
anodes=$(ls "$CG" | sort | tr '\n' ' ')
probe='echo "@@S=$LOGINBOX_SESSION@@"; echo "@@CG=$(grep "^0::" /proc/self/cgroup)@@"; echo "@@L=$LOGINBOX_LOGIN@@"'
for forged in "$B_LOGIN:bob's login process" "1:PID 1" "$A_INIT:alice's init (host pid)" "$K:the keeper" "999999999:no process"; do
	v=${forged%%:*} what=${forged#*:}
	out=$(hc_as lbt-alice env LOGINBOX_SESSION="$A_SID" LOGINBOX_LOGIN="$v" "$LB_SHELL" -c "$probe" 2>&1)
	t_is "$(marker "$out" S)" "$A_SID" "forged LOGINBOX_LOGIN=$v ($what): control: the program ran in alice's box"
	t_is "$(marker "$out" L)" "$v" "forged LOGINBOX_LOGIN=$v ($what): control: the box got the forged value"
	t_is "$(marker "$out" CG)" "0::/init" "forged LOGINBOX_LOGIN=$v ($what): the program is in init's leaf, not a leaf named by the value"
done
t_is "$(ls "$CG" | sort | tr '\n' ' ')" "$anodes" "forged LOGINBOX_LOGIN: no new leaf in alice's node"
t_is "$(cat "$BCG/$bleaf/cgroup.procs" 2>/dev/null | sort | tr '\n' ' ')" "$bprocs" "forged LOGINBOX_LOGIN: bob's leaf holds what it held"
t_check "forged LOGINBOX_LOGIN: bob's login process is alive" kill -0 "$B_LOGIN"
# The documented edge: another login of the same box (the user's own).
out=$(hc_as lbt-alice env LOGINBOX_SESSION="$A_SID" LOGINBOX_LOGIN="$A_LOGIN" "$LB_SHELL" -c "$probe" 2>&1)
t_is "$(marker "$out" CG)" "0::/$leaf" "LOGINBOX_LOGIN of the user's own other login: that leaf of the same node (usage moves between the user's own leaves, docs/SECURITY.md)"

# ============================================================== agent
# alice's -A login (keyA) is live in her box, bob's login without -A in his.
asock='SSH_AUTH_SOCK=/run/user/$(id -u)/ssh-agent.sock'
out=$(ssh_as lbt-alice "echo \"@@S=\$LOGINBOX_SESSION@@\"; $asock ssh-add -l" 2>&1)
t_is "$(marker "$out" S)" "$A_SID" "control: alice's second login (no -A) joins her box"
t_like "$out" "$(printf '%s' "$fpA" | sed 's/[+/]/./g')" "control: alice's box reaches alice's agent (keyA) through her -A login"
out=$(ssh_as lbt-bob "echo \"@@S=\$LOGINBOX_SESSION@@\"; $asock ssh-add -l; echo \"@@RC=\$?@@\"" 2>&1)
t_is "$(marker "$out" S)" "$B_SID" "cross-user: control: bob's login (no -A) ran in his box"
t_isnt "$(marker "$out" RC)" 0 "cross-user: bob's box socket gives nothing while only alice forwards an agent"
if printf '%s' "$out" | grep -qF -e "$fpA" -e "$fpB"; then
	tap_fail "cross-user: no key reaches bob's box" "$out"
else
	tap_ok "cross-user: no key reaches bob's box (alice's agent is hers only)"
fi
# now bob forwards his agent (keyB) too, in a login that stays
HC_CMD="$asock ssh-add -l" SSH_AUTH_SOCK="$W/keyB.sock" hc_box_start lbt-bob -A
B2_PID=$HC_PID
t_is "$HC_SID" "$B_SID" "control: bob's ssh -A login joins his box"
t_like "$(cat "$HC_OUT")" "$(printf '%s' "$fpB" | sed 's/[+/]/./g')" "control: bob's box reaches bob's agent (keyB)"
out=$(ssh_as lbt-alice "echo \"@@S=\$LOGINBOX_SESSION@@\"; $asock ssh-add -l" 2>&1)
t_like "$out" "$(printf '%s' "$fpA" | sed 's/[+/]/./g')" "cross-user: control: alice's box still reaches her own agent"
if printf '%s' "$out" | grep -qF -- "$fpB"; then
	tap_fail "cross-user: alice's box never reaches bob's agent" "$out"
else
	tap_ok "cross-user: alice's box never reaches bob's agent, though bob forwards one"
fi

# The user's own host process plays sshd for loginbox-shell (its parent):
# any SSH_AUTH_SOCK it offers that is not sshd's own socket of that login
# is refused with the reason, and never reaches the box.
real_a=$(find /tmp -maxdepth 2 -path '/tmp/ssh-*/agent.*' -type s -user lbt-alice 2>/dev/null | head -n 1)
real_b=$(find /tmp -maxdepth 2 -path '/tmp/ssh-*/agent.*' -type s -user lbt-bob 2>/dev/null | head -n 1)
t_like "$real_a $real_b" '^/tmp/ssh-.*/agent\.[0-9]+ /tmp/ssh-.*/agent\.[0-9]+$' "control: the real agent sockets sshd made for alice's and bob's logins"
aprobe='echo "@@S=$LOGINBOX_SESSION@@"; echo "@@SOCK=${SSH_AUTH_SOCK:-unset}@@"; ssh-add -l 2>&1 | sed "s/^/KEYS /"; true'
for case in "symlink:$W/root.sock:is not a socket of uid $AUID" \
	"child:-:is served by process [0-9]+ uid $AUID, not by this login's sshd" \
	"path:$real_a:is not this login's: its sshd is process [0-9]+, not" \
	"path:$real_b:is not this login's: its sshd is process [0-9]+, not"; do
	mode=${case%%:*} rest=${case#*:}
	target=${rest%%:*} want=${rest#*:}
	name="agent: host process as sshd, $mode ${target##*/}"
	out=$(hc_as lbt-alice python3 "$W/parent.py" "$mode" "$LB_SHELL" "$A_SID" "$target" "$aprobe" 2>&1)
	t_is "$(marker "$out" S)" "$A_SID" "$name: control: the login ran in alice's box"
	t_like "$out" "loginbox-shell: agent not forwarded into the box: SSH_AUTH_SOCK=/tmp/ssh-.*$want" "$name: refused with its reason"
	t_is "$(marker "$out" SOCK)" unset "$name: no SSH_AUTH_SOCK in the box"
	if printf '%s' "$out" | grep -qF -e "$fpA" -e "$fpB"; then
		tap_fail "$name: no key reached the box" "$out"
	else
		tap_ok "$name: no key reached the box"
	fi
done
t_is "$(grep -c x "$W/root.count")" 0 "agent: the root socket never got a connection from loginbox-shell"

# Many agent connections at once from the box: each is relayed (bounded by
# the box's pids), none leaks a descriptor in init or in the login's
# loginbox-shell on the host.
ashells=$(pgrep -u lbt-alice -x loginbox-shell | tr '\n' ' ')
fdcount() { local n=0 p; for p in "$@"; do n=$((n + $(ls "/proc/$p/fd" 2>/dev/null | wc -l))); done; echo "$n"; }
i0=$(fdcount "$A_INIT")
s0=$(fdcount $ashells)
out=$(ssh_as lbt-alice "echo \"@@S=\$LOGINBOX_SESSION@@\"; $asock python3 - 40 20" <"$W/flood.py" 2>&1)
t_is "$(marker "$out" S)" "$A_SID" "flood: control: the flood ran in alice's box"
t_is "$(marker "$out" ANSWERED)" 40 "flood: control: 40 connections held at once, each answered by alice's agent"
t_ge "$(marker "$out" HELD_RELAYS)" 40 "flood: control: a relay per held connection ($(marker "$out" HELD_RELAYS))"
t_is "$(marker "$out" SEQ_OK)" 20 "flood: 20 more one after the other, all answered"
for _ in $(seq 1 50); do
	[ "$(pgrep -P "$A_INIT" -x loginbox-agent | wc -l)" = 0 ] && [ "$(fdcount "$A_INIT")" -le "$i0" ] && break
	sleep 0.1
done
t_is "$(pgrep -P "$A_INIT" -x loginbox-agent | wc -l)" 0 "flood: every relay ended with its connection"
t_between "$(fdcount "$A_INIT")" 0 "$i0" "flood: init holds no more descriptors than before ($i0)"
t_between "$(fdcount $ashells)" 0 "$s0" "flood: alice's loginbox-shells on the host hold no more descriptors than before ($s0)"

# ======================================= cgroup leaves, box root inside
stop_pid "$A_PID"
stop_pid "$B_PID"
stop_pid "$B2_PID"
HC_PID=""
for _ in $(seq 1 100); do [ -z "$(test_session_ids)" ] && break; sleep 0.1; done
t_is "$(test_session_ids | tr '\n' ' ')" "" "control: alice's and bob's boxes ended with their logins"
kgone() { [ ! -e "/proc/$K" ] || grep -q '^State:.*Z' "/proc/$K/status" 2>/dev/null; }
for _ in $(seq 1 50); do kgone && break; sleep 0.1; done
t_check "keeper: exited with its box" kgone

{
	echo "cat >/tmp/lbt-ci.py <<'PYEOF'"
	cat "$(dirname "$0")/h_94_clone_into.py"
	echo "PYEOF"
	cat <<'EOF'
echo "@@S=$LOGINBOX_SESSION@@"
echo "@@ME=$(grep '^0::' /proc/self/cgroup)@@"
echo "@@SYSCG=$(ls /sys/fs/cgroup | grep -v '^cgroup\.\|\.' | tr '\n' ' ')@@"
python3 /tmp/lbt-ci.py init "$(grep '^0::' /proc/self/cgroup | sed 's/^0::\///')" NODE
d=$(mktemp -d)
if ! mount -t cgroup2 none "$d" 2>/tmp/e; then
	echo "@@MNT=$(tr -d '\n' </tmp/e)@@"
	exit 0
fi
echo "@@MNT=ok@@"
echo "@@LS=$(ls "$d" | grep -v '^cgroup\.\|\.' | tr '\n' ' ')@@"
mine=$(grep '^0::' /proc/self/cgroup | sed 's/^0:://')
w() { k=$1 f=$2 v=$3; e=$( { echo "$v" >"$f"; } 2>&1); echo "@@$k=${e:-WRITTEN}@@"; }
w INTO_INIT "$d/init/cgroup.procs" $$
w NODE_SUBTREE "$d/cgroup.subtree_control" +pids
w NODE_DESC "$d/cgroup.max.descendants" 1000
w NODE_KILL "$d/cgroup.kill" 1
w LEAF_TYPE "$d$mine/cgroup.type" threaded
w LEAF_SUBTREE "$d$mine/cgroup.subtree_control" +pids
e=$(mkdir "$d/lbt-new" 2>&1); echo "@@MK_NODE=${e:-MADE}@@"
e=$(mkdir "$d$mine/lbt-new" 2>&1); echo "@@MK_LEAF=${e:-MADE}@@"
echo "@@AFTER=$(grep '^0::' /proc/self/cgroup)@@"
umount "$d"
EOF
} >"$W/root-cg.sh"
out=$(ssh_as lbt-root 'sh -s' <"$W/root-cg.sh" 2>&1)
t_like "$(marker "$out" S)" '^[0-9]+$' "box root: control: lbt-root's probe ran in a box"
t_like "$(marker "$out" ME)" '^0::/login-[0-9]+$' "box root: control: its shell is in its login's leaf"
# clone3(CLONE_INTO_CGROUP) needs no writable mount, only write access
# to cgroup.procs of the target and of the common ancestor: box root's own
# leaf (the control) and its node are box root's, init's leaf is not.
t_like "$(marker "$out" SYSCG)" 'init login-[0-9]+' "box root: control: the box's /sys/fs/cgroup shows its node's leaves ($(marker "$out" SYSCG))"
t_is "$(marker "$out" CI_"$(marker "$out" ME | sed 's/^0::\///')")" "$(marker "$out" ME)" \
	"box root: control: clone3(CLONE_INTO_CGROUP) into its own leaf works through the read-only mount"
t_is "$(marker "$out" CI_init)" EACCES "box root: clone3(CLONE_INTO_CGROUP) into init's leaf is refused (EACCES: host root's cgroup.procs)"
case $(marker "$out" CI_NODE) in
EBUSY) tap_ok "box root: clone3 into the node itself: EBUSY (controllers enabled below it: no internal process)" ;;
0::/) tap_ok "box root: clone3 into the node itself (no controllers on this host): the child stays in the box's node (its namespace root)" ;;
*) tap_fail "box root: clone3 into the node itself stays within the node" "$(marker "$out" CI_NODE)" ;;
esac
case $(marker "$out" MNT) in
ok)
	t_like "$(marker "$out" LS)" 'init login-[0-9]+' "box root: control: its own cgroup2 mount shows its node's leaves ($(marker "$out" LS))"
	for k in INTO_INIT NODE_SUBTREE NODE_DESC NODE_KILL LEAF_TYPE LEAF_SUBTREE MK_NODE MK_LEAF; do
		t_like "$(marker "$out" $k)" 'Permission denied' "box root: $k refused (Permission denied: only cgroup.procs of the node and the login leaves are box root's)"
	done
	t_is "$(marker "$out" AFTER)" "$(marker "$out" ME)" "box root: still in its own leaf after the attempts"
	;;
'') tap_fail "box root: the cgroup2 mount was tried" "$out" ;;
*) tap_ok "box root: cannot mount cgroup2 at all ($(marker "$out" MNT))" ;;
esac

# ======================================== the logins cap, refused joins
# A box serves at most 64 logins (logins.h).  A login refused at the cap
# must leave nothing behind on the host: its cgroup leaf is made before
# init answers (the leaf goes with the join request), so a refused join
# that kept it would let a user holding 64 logins make the host create an
# empty cgroup (kernel memory outside every limit of the box) per refused
# attempt, kept until a full `loginbox gc`, never without the service.
# The 64 logins are held by `loginbox run` (each a login of the box like
# an ssh one, cheaper to hold); the refused ones are su and ssh logins.
conf_user
hold=()
for i in $(seq 1 64); do
	"$LB_ADMIN" run -u lbt-alice -- sh -c 'echo "@@S=$LOGINBOX_SESSION@@"; exec sleep 120' >"$W/hold.$i" 2>&1 &
	hold+=($!)
	track_pid $!
	if [ "$i" = 1 ]; then
		CAP_SID=$(wait_marker "$W/hold.1" S 20)
	fi
done
for _ in $(seq 1 300); do
	[ "$(grep -l "@@S=$CAP_SID@@" "$W"/hold.* 2>/dev/null | wc -l)" = 64 ] && break
	sleep 0.1
done
t_is "$(grep -l "@@S=${CAP_SID:-x}@@" "$W"/hold.* 2>/dev/null | wc -l)" 64 "logins cap: control: 64 logins of lbt-alice run in one box ($CAP_SID)"
CG=$(session_field "$CAP_SID" cgroup)
nleaves() { find "$CG" -mindepth 1 -maxdepth 1 -type d -name 'login-*' | wc -l; }
n0=$(nleaves)
t_is "$n0" 64 "logins cap: control: a leaf per login"
out=$(su_c_as lbt-alice 'echo "@@IN=$LOGINBOX_SESSION@@"' 2>&1)
rc=$?
t_refused "logins cap: a 65th login (su) is refused with the cap's message" "$rc" "$out" nonzero \
	"already has 64 logins in box $CAP_SID, the most one box serves" '@@IN='
for i in 1 2 3; do
	out=$(ssh_as lbt-alice 'echo "@@IN=$LOGINBOX_SESSION@@"' 2>&1)
	t_is "$(marker "$out" IN)" "" "logins cap: ssh login $i beyond the cap did not run"
done
t_is "$(nleaves)" "$n0" "logins cap: the refused logins left no cgroup leaf behind (still $n0)"
for p in "${hold[@]}"; do stop_pid "$p"; done

clean_test_sessions
assert_no_leftovers "session attacks: nothing of these boxes remains" 10
reset_conf
exit 0
