#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup escapes: release_agent (CVE-2022-0492: mount a v1 hierarchy in a
# new user+cgroup namespace and set a release_agent that the kernel runs
# as host root), writing the box's own limits, moving out of the box's
# node to a parent node; from inside the box (user, box root, a nested
# namespace) and from the user's own host process.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

reset_conf

# ---- from inside: the box sees no cgroup tree and cannot mount one
mnt_probe='echo "@@CG=$(grep "^0::" /proc/self/cgroup)@@"; echo "@@SYSCG=$(ls -A /sys/fs/cgroup | grep -c -e loginbox -e slice)@@"; echo "@@SYSCGMNT=$(grep " /sys/fs/cgroup " /proc/self/mountinfo | cut -d" " -f6 | head -n 1)@@"
try() { # KEY FSTYPE [OPTIONS]
	k=$1 fs=$2 d=$(mktemp -d)
	if mount -t "$fs" ${3:+-o "$3"} cgroup "$d" 2>/tmp/e; then
		# With a cgroup namespace the mount shows the namespace root only;
		# release_agent exists on a hierarchy root alone.
		ra=absent; [ -e "$d/release_agent" ] && ra=$( { echo /bin/true >"$d/release_agent"; } 2>&1 | sed "s/.*: //"); [ -z "$ra" ] && ra=WRITTEN
		mk=$( { mkdir "$d/lbt-sub"; } 2>&1 | sed "s/.*: //"); [ -z "$mk" ] && { mk=MADE; rmdir "$d/lbt-sub"; }
		echo "@@$k=mounted:ra=$ra:mkdir=$mk@@"; umount "$d"
	else echo "@@$k=$(tr -d "\n" </tmp/e | sed "s/.*: //")@@"; fi
}
try M_V2 cgroup2; try M_MEMORY cgroup memory; try M_NAMED cgroup none,name=lbt; try M_RDMA cgroup rdma'
printf '%s\n' "$mnt_probe" >"$LBT_TMP/h70-mnt.sh"
for who in root nested-alice nested-root; do
	case $who in
	root) out=$(ssh_as lbt-root "sh -s" <"$LBT_TMP/h70-mnt.sh" 2>&1) ;;
	nested-alice) out=$(ssh_as lbt-alice "unshare -UrmC sh -s" <"$LBT_TMP/h70-mnt.sh" 2>&1) ;;
	nested-root) out=$(ssh_as lbt-root "unshare -UrmC sh -s" <"$LBT_TMP/h70-mnt.sh" 2>&1) ;;
	esac
	# the box's cgroup namespace is rooted at its node, a login's
	# programs are in its leaf login-PID; unshare -C roots a nested one
	# at that leaf
	case $who in
	root) want='^0::/login-[0-9]+$' ;;
	*) want='^0::/$' ;;
	esac
	t_like "$(marker "$out" CG)" "$want" "$who: control: the probe ran in the box; its cgroup is its login's leaf, or / in a nested namespace (a cgroup namespace rooted at its node)"
	t_is "$(marker "$out" SYSCG)" 0 "$who: /sys/fs/cgroup in the box shows no host node (loginbox, *.slice)"
	t_like "$(marker "$out" SYSCGMNT)" '^(|ro,.*)$' "$who: /sys/fs/cgroup is absent or the box's own node, read-only ($(marker "$out" SYSCGMNT))"
	for m in M_MEMORY M_NAMED M_RDMA; do
		r=$(marker "$out" "$m")
		case $r in
		mounted:ra=absent:mkdir=Permission\ denied | mounted:ra=Permission\ denied:mkdir=Permission\ denied | mounted:ra=Operation\ not\ permitted:mkdir=Permission\ denied)
			tap_ok "$who: $m: a v1 hierarchy mounts only as the namespace's view: no writable release_agent, no new group ($r)" ;;
		mounted*) tap_fail "$who: $m: no writable release_agent, no new group in a v1 hierarchy" "$r" ;;
		"") tap_fail "$who: $m: the v1 mount was tried" "$out" ;;
		*) tap_ok "$who: $m: a cgroup v1 hierarchy cannot be mounted ($r)" ;;
		esac
	done
	v2=$(marker "$out" M_V2)
	case $v2 in
	mounted*) tap_ok "$who: cgroup2 mounts only the box's own subtree (see the write checks below)" ;;
	"") tap_fail "$who: the cgroup2 mount was tried" "$out" ;;
	*) tap_ok "$who: cgroup2 cannot be mounted ($v2)" ;;
	esac
done

# ---- the box's cgroup2 subtree from a nested namespace: its own limits
# and its parent are host root's.
out=$(ssh_as lbt-root 'unshare -UrmC sh -c "d=\$(mktemp -d); mount -t cgroup2 none \$d 2>&1 && { echo @@MNT=ok@@; echo @@LS=\$(ls \$d | grep -c cgroup.procs)@@; echo max >\$d/cgroup.max.descendants; mkdir \$d/lbt-sub 2>&1 | sed s/^/W3:/; echo @@PARENT=\$(ls \$d/.. | grep -c loginbox)@@; }"' 2>&1)
if [ "$(marker "$out" MNT)" = ok ]; then
	t_like "$out" 'cgroup.max.descendants: Permission denied' "nested root: writing the box node's own cgroup.max.descendants is refused"
	t_is "$(marker "$out" PARENT)" 0 "nested root: the mount shows nothing above the box's node"
else
	t_like "$out" 'permission denied|Permission denied|not permitted' "nested root: cgroup2 cannot be mounted at all in a nested namespace ($(printf '%s' "$out" | head -n 1))"
fi

# ---- the user's own host process against the live box's nodes
if hc_box_start lbt-alice; then
	CG=$(session_field "$HC_SID" cgroup)
	UCG=${CG%/*}
	bsh=$(hc_host_pid_of "$HC_INIT" sleep)
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		# (processes are in the node's leaves: init/, login-PID/)
		t_like "$(cat "$CG"/*/cgroup.procs)" "^$bsh\$" "host: control: the box's shell (pid $bsh) is in a leaf of the session's node $CG"
		out=$(hc_as lbt-alice sh -c "
			w() { k=\$1 f=\$2 v=\$3; e=\$( { echo \$v >\$f; } 2>&1); echo \$k=\${e:-WRITTEN}; }
			w W_SESS $CG/cgroup.max.descendants 1
			w MV_NODE $CG/cgroup.procs $bsh
			w MV_LEAF $CG/init/cgroup.procs $bsh
			w W_USER $UCG/cgroup.max.depth 1
			w MV_USER $UCG/cgroup.procs $bsh
			w MV_LB ${UCG%/*}/cgroup.procs $bsh
			w MV_ROOT /sys/fs/cgroup/unified/cgroup.procs $bsh
			w KILL $CG/cgroup.kill 1
			w RA /sys/fs/cgroup/memory/release_agent /bin/true
			w NOR /sys/fs/cgroup/memory/notify_on_release 1
			e=\$(mkdir $CG/lbt-sub 2>&1); echo MKDIR=\${e:-MADE}" 2>&1)
		# MV_NODE, MV_LEAF: those cgroup.procs are box root's (the
		# box moves its own processes between its leaves), never the
		# user's host uid's
		for k in W_SESS W_USER MV_USER MV_LB MV_ROOT MKDIR KILL MV_NODE MV_LEAF; do
			t_like "$(kv "$out" $k)" 'Permission denied' "host: the user's host process is refused $k on the box's cgroup nodes (Permission denied: host root's files)"
		done
		t_like "$(cat "$CG"/*/cgroup.procs)" "^$bsh\$" "host: the box's shell is still in its leaf after the move attempts"
		t_check "host: the box is still alive after the cgroup.kill attempt" kill -0 "$bsh"
		for k in RA NOR; do
			t_like "$(kv "$out" $k)" 'Permission denied|No such file' "host: the user cannot write the v1 $k file (kernel permissions: host root's)"
		done
	else
		tap_skip "host: the box's cgroup nodes are host root's" "the session has no cgroup node ('$CG')"
	fi
	hc_box_stop
else
	tap_fail "a login of lbt-alice that stays came up" "$(cat "$HC_OUT")"
fi
assert_no_leftovers "cgroup attacks: nothing of these sessions remains"
exit 0
