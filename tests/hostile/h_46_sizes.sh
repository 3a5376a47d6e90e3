#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A box cannot fill the host's memory or disk: every private tmpfs has a
# size and an inode count that do not depend on the host's RAM (/tmp,
# /dev/shm, a tmpfs home: tmpfs_size, 1G by default; /run and /root: 256M;
# one inode per 4 KiB), writing past them fails with ENOSPC, and a
# writable layer on disk, which loginbox cannot bound, is refused unless
# the admin writes upper_size = max.
set -u
. "$(dirname "$0")/../integration/lib.sh"
t_plan 39

W=$LBT_TMP/h46
mkdir -p "$W"
G=1073741824
M256=268435456

# statfs_cmd NAME PATH...: shell text printing "SZ_NAME=bytes" and
# "INO_NAME=inodes" of the file system at each PATH (statfs).
statfs_cmd() {
	while [ $# -ge 2 ]; do
		printf 'echo "SZ_%s=$(( $(stat -f -c "%%S*%%b" %s) ))"; echo "INO_%s=$(stat -f -c %%c %s)"; ' \
			"$1" "$2" "$1" "$2"
		shift 2
	done
}

# ---- the defaults
reset_conf
out=$(ssh_as lbt-alice "echo H=\$(hostname); $(statfs_cmd tmp /tmp shm /dev/shm run /run root /root top /)" 2>&1)
t_is "$(kv "$out" H)" lbt-alice-box "defaults: the probe ran in the box (positive control)"
t_is "$(kv "$out" SZ_tmp)" $G "defaults: /tmp is 1G (tmpfs_size), not a share of the host's RAM"
t_is "$(kv "$out" INO_tmp)" 262144 "defaults: /tmp has 262144 inodes (one per 4K)"
t_is "$(kv "$out" SZ_shm)" $G "defaults: /dev/shm is 1G (tmpfs_size)"
t_is "$(kv "$out" INO_shm)" 262144 "defaults: /dev/shm has 262144 inodes"
t_is "$(kv "$out" SZ_run)" $M256 "defaults: /run is 256M"
t_is "$(kv "$out" INO_run)" 65536 "defaults: /run has 65536 inodes"
t_is "$(kv "$out" SZ_root)" $M256 "defaults: /root is 256M"
t_is "$(kv "$out" INO_root)" 65536 "defaults: /root has 65536 inodes"
t_is "$(kv "$out" SZ_top)" $G "defaults: / (the tmpfs writable layer) is 1G (upper_size)"
t_is "$(kv "$out" INO_top)" 262144 "defaults: the writable layer has 262144 inodes"

# ---- small bounds: writing past them fails with ENOSPC
{ base_conf; printf '[user.lbt-alice]\nhome = tmpfs\ntmpfs_size = 8M\nupper_size = 16M\n'; } | write_conf
out=$(ssh_as lbt-alice "echo H=\$(hostname); $(statfs_cmd tmp /tmp home '$HOME' run /run top /)
	dd if=/dev/zero of=/tmp/small bs=1M count=1 2>/dev/null && echo W1=ok
	echo \"DD=\$(dd if=/dev/zero of=/tmp/big bs=1M count=16 2>&1 | grep -i space)\"
	echo \"TMPUSE=\$(du -sk /tmp | cut -f1)\"; rm -f /tmp/big
	cd ~ && i=0 && while [ \$i -lt 5000 ]; do if ! { : >\"f\$i\"; } 2>/tmp/ierr; then break; fi; i=\$((i + 1)); done
	echo NFILES=\$i; echo \"IERR=\$(cat /tmp/ierr)\"
	dd if=/dev/zero of=/var/tmp/small bs=1M count=4 2>/dev/null && echo UPW=ok; rm -f /var/tmp/small
	echo \"UP=\$(dd if=/dev/zero of=/var/tmp/big bs=1M count=32 2>&1 | grep -i space)\"" 2>&1)
t_is "$(kv "$out" H)" lbt-alice-box "tmpfs_size = 8M: the probe ran in the box (positive control)"
t_is "$(kv "$out" SZ_tmp)" 8388608 "tmpfs_size = 8M: /tmp is 8M"
t_is "$(kv "$out" INO_tmp)" 2048 "tmpfs_size = 8M: /tmp has 2048 inodes"
t_is "$(kv "$out" SZ_home)" 8388608 "tmpfs_size = 8M: the tmpfs home is 8M"
t_is "$(kv "$out" INO_home)" 2048 "tmpfs_size = 8M: the tmpfs home has 2048 inodes"
t_is "$(kv "$out" SZ_run)" $M256 "tmpfs_size = 8M: /run stays 256M"
t_is "$(kv "$out" SZ_top)" 16777216 "upper_size = 16M: the writable layer is 16M"
t_is "$(kv "$out" W1)" ok "tmpfs_size = 8M: writing 1M to /tmp works (positive control)"
t_like "$(kv "$out" DD)" 'No space left on device' "tmpfs_size = 8M: writing 16M to /tmp fails with ENOSPC"
used=$(kv "$out" TMPUSE)
if [ -n "$used" ] && [ "$used" -le 8192 ] && [ "$used" -gt 1024 ]; then
	tap_ok "tmpfs_size = 8M: /tmp holds ${used}K, no more than 8M"
else
	tap_fail "tmpfs_size = 8M: /tmp holds no more than 8M" "du: '$used'K" "$out"
fi
n=$(kv "$out" NFILES)
if [ -n "$n" ] && [ "$n" -ge 1000 ] && [ "$n" -lt 2048 ]; then
	tap_ok "tmpfs_size = 8M: empty files in the home stop at the inode bound ($n files)"
else
	tap_fail "tmpfs_size = 8M: empty files in the home stop at the inode bound" "created '$n'" "$out"
fi
t_like "$(kv "$out" IERR)" 'No space left on device' "tmpfs_size = 8M: the file past the inode bound fails with ENOSPC"
t_is "$(kv "$out" UPW)" ok "upper_size = 16M: writing 4M to / (the layer) works (positive control)"
t_like "$(kv "$out" UP)" 'No space left on device' "upper_size = 16M: writing 32M to / (the layer) fails with ENOSPC"
assert_no_leftovers "small bounds: nothing of the session remains"

# ---- a writable layer on disk is refused unless upper_size = max
# refused_run NAME ERE: `loginbox run -u lbt-alice` fails with a message
# matching ERE; nothing of the box is left.
refused_run() {
	local out rc
	out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-alice -- sh -c 'echo @@RAN@@' 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! printf '%s' "$out" | grep -q '@@RAN@@'; then
		tap_ok "$1: the box is refused"
	else
		tap_fail "$1: the box is refused" "status $rc" "$out"
	fi
	t_like "$out" "$2" "$1: the message says why and what to do"
	assert_no_leftovers "$1: nothing is left behind" 5
}
ran_run() {
	local out
	out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-alice -- sh -c 'echo "@@RAN=$(hostname)@@"' 2>&1)
	t_is "$(marker "$out" RAN)" lbt-alice-box "$1"
}
{ base_conf; printf '[user.lbt-alice]\nupper = disk\n'; } | write_conf
refused_run "upper = disk, upper_size 1G (default)" \
	'upper = disk: loginbox cannot bound a writable layer on disk to upper_size = 1024M.*upper_size = max'
{ base_conf; printf '[user.lbt-alice]\nupper = persistent\nupper_size = 4G\n'; } | write_conf
refused_run "upper = persistent, upper_size = 4G" \
	'upper = persistent: loginbox cannot bound .* upper_size = 4096M'
{ base_conf; printf '[user.lbt-alice]\nupper = disk\nupper_size = max\n'; } | write_conf
ran_run "upper = disk, upper_size = max: the admin's explicit choice makes the box (positive control)"
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_like "$out" '^upper_size = max' "upper = disk, upper_size = max: loginbox policy shows it"
{ base_conf; printf '[user.lbt-alice]\nupper = tmpfs\nupper_size = max\n'; } | write_conf
refused_run "upper = tmpfs, upper_size = max" 'a tmpfs layer needs a size'
{ base_conf; printf '[user.lbt-alice]\nupper = disk\n'; } | write_conf
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_like "$out" 'warning: .*upper = disk.*refused' "upper = disk without upper_size = max: loginbox policy warns"
{ base_conf; printf '[user.lbt-alice]\ntmpfs_size = max\n'; } | write_conf
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" 'tmpfs_size.*"max" is not a size' "tmpfs_size = max: loginbox check refuses it"

reset_conf
