#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attacks on how a box's init is born (userns.c, userns_clone_rooted): a
# first process, euid the user's first subordinate uid, born in the box's
# node with the box's user and cgroup namespaces, clones init into the
# leaf init/ (CLONE_PARENT) and exits; init/cgroup.procs and the node's
# are box root's for that clone.  Here: the box's cgroup namespace is
# rooted at its node (no host cgroup path in the box, for a box of each
# session mode: the first process is the helper's or the keeper-fork's
# child); init's parent is the helper's side, never the login process;
# init/cgroup.procs is host root's again before init runs any program of
# the box (the image's /sbin/ldconfig, which init runs during its set-up
# for a CDI device's update-ldcache hook, is such a program: a hostile
# image's ldconfig saw init's leaf as box root's before the fix); and the
# keeper, whose NSS warm-up runs before the spare of a join is forked,
# holds nothing new after a join.
set -u
. "$(dirname "$0")/../integration/lib.sh"

W=$LBT_TMP/h96
rm -rf "$W"
mkdir -p "$W"
chmod 755 "$W"
SPEC_DIR=/etc/cdi
SPEC=$SPEC_DIR/lbt-h96.json
MADE_DIR=no
IMG=lbt-h96img
cleanup96() {
	rm -f "$SPEC"
	[ "$MADE_DIR" = yes ] && rmdir "$SPEC_DIR" 2>/dev/null
	rm -rf "${LB_IMAGES:?}/$IMG"
	reset_conf
}
trap cleanup96 EXIT

# in-box probe: where the program and PID 1 are, what /sys/fs/cgroup is
# shown as (mountinfo: its root field is the mount's root, /), and
# whether anything of the host's cgroup tree shows.
# shellcheck disable=SC2016
PROBE='echo "@@S=$LOGINBOX_SESSION@@"
echo "@@SELF=$(grep "^0::" /proc/self/cgroup)@@"
echo "@@ONE=$(grep "^0::" /proc/1/cgroup)@@"
mi=$(awk "\$5 == \"/sys/fs/cgroup\" {for (i = 7; i < NF; i++) if (\$i == \"-\") print \$4, \$(i + 1)}" /proc/self/mountinfo)
echo "@@MI=$mi@@"
echo "@@HOSTPATH=$( { cat /proc/self/cgroup /proc/1/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo; } | grep -c -e loginbox -e "/\.\./" -e "/u[0-9]*/s[0-9]")@@"'

cgns_case() { # MODE USER: a box of that session mode
	local mode=$1 u=$2 out sid init cg pp ppargs
	{ base_conf | sed "s/^session = login\$/session = $mode/"; } | write_conf
	unrelease_login "$u" h96
	timeout -k 5 60 ssh "${SSH_OPTS[@]}" "$u@127.0.0.1" "$PROBE; $(hold_cmd h96 "$u")" >"$W/$mode.out" 2>&1 &
	local cpid=$!
	sid=$(wait_marker "$W/$mode.out" S 20)
	wait_marker "$W/$mode.out" HOSTPATH 10 >/dev/null
	out=$(cat "$W/$mode.out")
	t_like "$sid" '^[0-9]+$' "session = $mode: control: the login ran in box ${sid:-none} (marker from inside)"
	t_like "$(marker "$out" SELF)" '^0::/login-[0-9]+$' "session = $mode: the login's program sees itself in its leaf, at the root of the box's own tree ($(marker "$out" SELF))"
	t_is "$(marker "$out" ONE)" "0::/init" "session = $mode: the box's PID 1 is in init/, seen from the node (the namespace the first process made is rooted at the node)"
	t_is "$(marker "$out" MI)" "/ cgroup2" "session = $mode: the box's /sys/fs/cgroup is a cgroup2 mount of its namespace's root"
	t_is "$(marker "$out" HOSTPATH)" 0 "session = $mode: no host cgroup path (loginbox/uUID/sID, ..) in the box's /proc/self/cgroup, /proc/1/cgroup or the mountinfo line of /sys/fs/cgroup"
	init=$(session_field "$sid" init_pid)
	cg=$(session_field "$sid" cgroup)
	t_like "$(grep '^0::' "/proc/${init:-0}/cgroup" 2>&1)" "^0::/.*loginbox/u$(lbt_uid "$u")/s$sid/init\$" "session = $mode: host view: init is in its node's leaf init/"
	t_is "$(stat -c %u "$cg/init/cgroup.procs" 2>&1)" 0 "session = $mode: host: init/cgroup.procs is host root's"
	t_isnt "$(stat -c %u "$cg/cgroup.procs" 2>&1)" 0 "session = $mode: control: the node's cgroup.procs is box root's (what the first process needed)"
	pp=$(ps -o ppid= -p "${init:-0}" | tr -d ' ')
	ppargs=$(tr '\0' ' ' <"/proc/${pp:-0}/cmdline" 2>/dev/null)
	case $mode in
	user) t_like "$ppargs" "^loginbox-helper keep $sid " "session = user: init's parent is the box's keeper (CLONE_PARENT: not the first process, not the login)" ;;
	login) t_unlike "$ppargs" 'sshd|loginbox-helper' "session = login: init's parent is neither the login (sshd) nor a helper left behind (pid $pp: $ppargs)" ;;
	esac
	# no first process left: no process of the box's node outside init/
	# and the login leaves
	t_is "$(cat "$cg/cgroup.procs" 2>&1 | wc -l)" 0 "session = $mode: the node itself holds no process (the first process is gone)"
	release_login "$u" h96
	wait "$cpid"
	unrelease_login "$u" h96
}
cgns_case user lbt-alice
cgns_case login lbt-bob
assert_no_leftovers "cgroup namespace: nothing of those boxes remains" 15

# ================================ init's set-up runs a program of the box
# The image's /sbin/ldconfig runs as box root during init's set-up, while
# the helper still waits for init's answer.  A hostile one records what it
# sees of init's leaf: box root (0 in the box) must not own its
# cgroup.procs then (host root shows as the overflow uid, 65534).
if [ ! -c /dev/kvm ]; then
	tap_skip "init set-up: a CDI device with update-ldcache" "this host has no /dev/kvm"
else
	[ -d "$SPEC_DIR" ] || { mkdir -m 0755 "$SPEC_DIR" && MADE_DIR=yes; }
	cat >"$SPEC" <<-'EOF2'
	{
	  "cdiVersion": "0.6.0",
	  "kind": "lbt.example/h96",
	  "containerEdits": {
	    "hooks": [{"hookName": "createContainer", "path": "/usr/bin/nvidia-ctk",
	               "args": ["nvidia-ctk", "hook", "update-ldcache"]}]
	  },
	  "devices": [{"name": "kvm", "containerEdits": {"deviceNodes": [{"path": "/dev/kvm"}]}}]
	}
	EOF2
	chmod 644 "$SPEC"
	make_image "$IMG"
	for a in stat awk; do ln -sf busybox "$LB_IMAGES/$IMG/bin/$a"; done
	mkdir -p "$LB_IMAGES/$IMG/sbin"
	cat >"$LB_IMAGES/$IMG/sbin/ldconfig" <<-'EOF2'
	#!/bin/sh
	{
		echo "@@LDC_ID=$(id -u)@@"
		echo "@@LDC_CG=$(grep '^0::' /proc/self/cgroup)@@"
		echo "@@LDC_INIT=$(stat -c %u /sys/fs/cgroup/init/cgroup.procs 2>&1)@@"
		echo "@@LDC_NODE=$(stat -c %u /sys/fs/cgroup/cgroup.procs 2>&1)@@"
	} >/tmp/lbt-h96-ldconfig.txt
	EOF2
	chmod 0755 "$LB_IMAGES/$IMG/sbin/ldconfig"
	{
		base_conf
		printf '[user.lbt-alice]\nimage = %s\nshell = /bin/sh\ndevices = lbt.example/h96=kvm\n' "$IMG"
	} | write_conf
	out=$(ssh_as lbt-alice 'echo "@@S=$LOGINBOX_SESSION@@"; cat /tmp/lbt-h96-ldconfig.txt; echo "@@LATER=$(stat -c %u /sys/fs/cgroup/init/cgroup.procs)@@"' 2>&1)
	t_like "$(marker "$out" S)" '^[0-9]+$' "init set-up: control: the login with the device ran in its box"
	t_is "$(marker "$out" LDC_ID)" 0 "init set-up: control: the image's ldconfig ran, as box root"
	t_is "$(marker "$out" LDC_CG)" "0::/init" "init set-up: control: it ran in init's leaf, during init's set-up"
	t_is "$(marker "$out" LDC_NODE)" 0 "init set-up: control: the node's cgroup.procs is box root's (0 in the box) then"
	t_is "$(marker "$out" LDC_INIT)" 65534 "init set-up: init's leaf's cgroup.procs is already host root's (overflow uid) when a program of the box first runs"
	t_is "$(marker "$out" LATER)" 65534 "init set-up: and stays host root's"
	reset_conf
fi

# ================================== the keeper after its NSS warm-up
# The first spare is forked before the box's state exists; the warm-up
# (a user lookup in the keeper) runs before the spare forked after the
# first join.  Nothing of it may stay open in the keeper or its spares.
{ base_conf | sed 's/^session = login$/session = user/'; } | write_conf
unrelease_login lbt-alice h96k
timeout -k 5 60 ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 "$(hold_cmd h96k lbt-alice)" >"$W/k.out" 2>&1 &
kcpid=$!
sid=$(wait_marker "$W/k.out" S 20)
init=$(session_field "$sid" init_pid)
K=$(ps -o ppid= -p "${init:-0}" | tr -d ' ')
t_like "$(tr '\0' ' ' <"/proc/${K:-0}/cmdline" 2>/dev/null)" "^loginbox-helper keep $sid " "keeper: control: box $sid has its keeper (pid $K)"
kfds() { ls -l "/proc/$1/fd" 2>/dev/null | awk 'NR > 1 {sub(/\[[0-9]+\]/, "", $11); print $9 "=" $11}' | tr '\n' ' '; }
before=$(kfds "$K")
for i in 1 2; do
	out=$(su_c_as lbt-alice 'echo "@@J=$LOGINBOX_SESSION@@"' 2>&1)
	t_is "$(marker "$out" J)" "$sid" "keeper: control: join $i (su) ran in box $sid"
done
if grep -q '^passwd:.*systemd' /etc/nsswitch.conf; then
	t_like "$(awk '{print $6}' "/proc/$K/maps" | sort -u | tr '\n' ' ')" 'libnss_systemd' "keeper: control: the warm-up ran (libnss_systemd is loaded in the keeper)"
fi
t_is "$(kfds "$K")" "$before" "keeper: after the warm-up and two joins, the same descriptors as before ($before)"
spare=""
for _ in $(seq 1 25); do
	for c in $(ps -o pid= --ppid "$K"); do
		[ "$c" != "$init" ] && spare=$c
	done
	[ -n "$spare" ] && break
	sleep 0.2
done
t_is "$(kfds "${spare:-0}")" "0=/dev/null 1=/dev/null 2=/dev/null 3=anon_inode:[pidfd] 4=socket: 6=pipe: " "keeper: the spare forked after the warm-up holds only init's pidfd, the join socket and its pipe"
release_login lbt-alice h96k
wait "$kcpid"
unrelease_login lbt-alice h96k

clean_test_sessions
assert_no_leftovers "first process: nothing of these boxes remains" 15
exit 0
