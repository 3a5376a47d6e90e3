#!/bin/bash
# Runs as PID 1 of the VM tier's guest (pure cgroup v2, Debian 6.1 kernel),
# on the host's root with a tmpfs overlay.  Prints its plan first, TAP,
# and "VM: done" after its last test (not from a trap: a guest that died
# half-way never says done); powers off either way.
set -u
# Before the tmpfs on /tmp below: a checkout under /tmp would vanish.
# shellcheck source=../tap.sh
. "$(dirname "$0")/../tap.sh"
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname lbvm
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

tap_init vm
PLAN=55
tap_plan "$PLAN"
# between N MIN MAX: N is a number in MIN..MAX (a count with a lower bound)
between() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
finish() { sync; echo o >/proc/sysrq-trigger; sleep 5; poweroff -f; }
trap finish EXIT

echo "VM: kernel $(uname -r), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
groupadd lbvm
for u in lbvm-a lbvm-b; do
	useradd -m -s /usr/sbin/loginbox-shell -G lbvm "$u"
done
uid_a=$(id -u lbvm-a)
conf() {
	mkdir -p /etc/loginbox
	{ echo "[global]"; echo "on_error = deny"; echo "[group.lbvm]"
	  echo "image = host"; echo "limits = ${LIMITS:-required}"; echo "session = login"
	  cat; } >/etc/loginbox/loginbox.conf
	chmod 0644 /etc/loginbox/loginbox.conf
}
run() { timeout 120 loginbox run -u "$@" </dev/null; }
leftovers() {
	ls -d /sys/fs/cgroup/loginbox/u* /run/loginbox/[0-9]* 2>/dev/null
}

# 1. The box sees its own node as the cgroup root, and limits are written.
conf <<'C'
pids_max = 40
memory_max = 64M
memory_swap_max = 0
C
out=$(run lbvm-a -- cat /proc/self/cgroup 2>&1)
echo "$out" | grep -Eqx '0::/login-[0-9]+'; tap_result $? "cgroup namespace: the box's node is its root, the program in its login's leaf ($out)"

# 2. Fork bomb stops at pids_max; the host (this guest) survives.  dash,
# not bash: bash retries a failed fork with growing sleeps.
# At the limit nothing more can fork, so count with the builtin echo.
out=$(run lbvm-a -- sh -c 'for i in $(seq 100); do sleep 8 & echo started; done 2>/dev/null
	wait' 2>&1)
procs=$(echo "$out" | grep -c '^started$')
t0=$(date +%s)
out=$(run lbvm-a -- sh -c 'timeout -s KILL 10 sh -c "b() { b | b & }; b" 2>/dev/null
	echo alive' 2>&1)
echo "# fork bomb run took $(( $(date +%s) - t0 )) s"
# The box's init and shell count too: some 35 sleeps fit, never 0 or 41.
between "$procs" 20 40; tap_result $? "fork bomb: pids_max=40 stops the sleeps between 20 and 40 ($procs started)"
echo "$out" | grep -qx alive; tap_result $? "fork bomb: the login's shell survives"
[ "$(echo ok)" = ok ] && [ -z "$(leftovers)" ]; tap_result $? "fork bomb: host fine, box torn down"

# 3. Memory hog is OOM-killed inside the box only.
out=$(run lbvm-a -- bash -c 'python3 -c "b = bytearray(256 << 20); print(\"not killed\")"
	echo "rc=$?"; echo survived' 2>&1)
echo "$out" | grep -qx 'rc=137'; tap_result $? "memory hog over memory_max=64M is killed (SIGKILL)"
echo "$out" | grep -qx survived; tap_result $? "memory hog: the shell of the login survives"

# 4. CPU hog is throttled to cpu_max.
conf <<'C'
cpu_max = 0.25
C
run lbvm-a -- bash -c 'timeout 6 bash -c "while :; do :; done"' >/dev/null 2>&1 &
bg=$!
# poll for the state (throttled at least once), not a fixed sleep
for i in $(seq 100); do
	stat=$(cat /sys/fs/cgroup/loginbox/u$uid_a/s*/cpu.stat 2>/dev/null)
	[ "$(echo "$stat" | awk '/^nr_throttled/{print $2}')" -gt 0 ] 2>/dev/null && break
	sleep 0.1
done
max=$(cat /sys/fs/cgroup/loginbox/u$uid_a/s*/cpu.max 2>/dev/null)
show=$(loginbox list 2>&1; loginbox show "$(ls /run/loginbox | grep -E '^[0-9]+$' | head -n1)" 2>&1)
wait $bg
thr=$(echo "$stat" | awk '/^nr_throttled/{print $2}')
[ "$max" = "25000 100000" ]; tap_result $? "cpu_max=0.25 written as cpu.max '25000 100000' ($max)"
[ -n "$thr" ] && [ "$thr" -gt 0 ]; tap_result $? "cpu hog is throttled (nr_throttled=$thr)"
echo "$show" | grep -q 'cpu.stat'; tap_result $? "loginbox show reports cpu usage of a live box"
echo "$show" | grep -q 'pids.current'; tap_result $? "loginbox show reports pids.current"

# 5. Two sessions of one user stay within the user-wide limits.
conf <<'C'
user_pids_max = 30
C
run lbvm-a -- sh -c 'for i in $(seq 20); do sleep 20 & done; wait; echo A-survived' >/tmp/a.out 2>&1 &
a=$!
for i in $(seq 60); do
	[ "$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.current 2>/dev/null || echo 0)" -ge 20 ] && break
	sleep 0.5
done
upids=$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.max 2>/dev/null)
first=$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.current 2>/dev/null)
out=$(run lbvm-a -- sh -c 'echo B-ran; for i in $(seq 20); do sleep 5 & echo started; done 2>/dev/null; wait' 2>&1)
wait $a
procs=$(echo "$out" | grep -c '^started$')
[ "$upids" = 30 ]; tap_result $? "user_pids_max written on the user's node (pids.max=$upids)"
between "$first" 20 30; tap_result $? "the first session holds its 20 sleeps before the second starts (pids.current=$first)"
echo "$out" | grep -qx B-ran && between "$procs" 1 19
tap_result $? "second session runs, and gets only what the first left of user_pids_max=30 (1 <= $procs < 20)"
grep -qx A-survived /tmp/a.out; tap_result $? "the first session is unharmed"

# A user who fills user_pids_max from a live box makes their next box fail:
# a failure they cause, so the helper reports it as one on_error = allow
# must not cover ("error", not "error-admin"; without its reply socket the
# helper prints the reply on stderr).
conf <<'C'
user_pids_max = 30
C
# bash, not dash: dash exits at the first failed fork, bash goes on (and
# the session with it, holding the limit full).
run lbvm-a -- bash -c 'for i in $(seq 40); do sleep 20 & done 2>/dev/null; wait' >/dev/null 2>&1 &
a=$!
for i in $(seq 60); do
	[ "$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.current 2>/dev/null || echo 0)" -ge 30 ] && break
	sleep 0.5
done
full=$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.current 2>/dev/null)
reply=$(timeout 60 /usr/libexec/loginbox/loginbox-helper open lbvm-a vmtest 3>&- 2>&1 </dev/null)
wait $a
[ "${full:-0}" -ge 30 ]; tap_result $? "user_pids_max=30 filled from a live box (pids.current=$full)"
echo "$reply" | grep -q '^loginbox-helper: error '; tap_result $? "the next box fails, reported as the user's failure: $reply"
! echo "$reply" | grep -q 'error-admin'; tap_result $? "a limit hit is never error-admin (on_error = allow refuses it)"

conf <<'C'
user_memory_max = 100M
memory_swap_max = 0
C
hog='python3 -c "import time; b = bytearray(60 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(15)"'
run lbvm-a -- sh -c "$hog; echo A-rc=\$?; echo A-survived" >/tmp/a.out 2>&1 &
a=$!
for i in $(seq 120); do
	[ "$(cat /sys/fs/cgroup/loginbox/u$uid_a/memory.current 2>/dev/null || echo 0)" -gt 60000000 ] && break
	sleep 0.5
done
umem=$(cat /sys/fs/cgroup/loginbox/u$uid_a/memory.max 2>/dev/null)
out=$(run lbvm-a -- sh -c "$hog; echo B-rc=\$?" 2>&1)
events=$(cat /sys/fs/cgroup/loginbox/u$uid_a/memory.events 2>/dev/null | tr '\n' ' ')
wait $a
[ "$umem" = 104857600 ]; tap_result $? "user_memory_max written on the user's node (memory.max=$umem)"
{ echo "$out" | grep -qx 'B-rc=137' || grep -qx 'A-rc=137' /tmp/a.out; }
tap_result $? "two sessions over user_memory_max=100M together: one allocation is OOM-killed ($(echo "$out" | grep rc=) $(grep rc= /tmp/a.out); $events)"
grep -qx A-survived /tmp/a.out; tap_result $? "the first session's login survives the OOM"

# 5b. The box sees its own limits: cgroup2 read-only at /sys/fs/cgroup,
# rooted at its node, memory.max the smaller of the session's and the
# user-wide limit; /dev/shm never bigger than that limit.
conf <<'C'
memory_max = 200M
user_memory_max = 96M
shm_size = 1G
C
out=$(run lbvm-a -- sh -c 'echo "MAX=$(cat /sys/fs/cgroup/memory.max)"
	echo "FS=$(stat -f -c %T /sys/fs/cgroup)"
	echo "PROCS=$(cat /sys/fs/cgroup/*/cgroup.procs | wc -l)"
	echo "NODE=$(cat /sys/fs/cgroup/cgroup.procs | wc -l)"
	echo "RO=$(mkdir /sys/fs/cgroup/x 2>&1)"
	echo "SHM=$(df -B1 --output=size /dev/shm | tail -n 1 | tr -d " ")"' 2>&1)
kvv() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }
[ "$(kvv FS)" = cgroup2fs ]; tap_result $? "the box has cgroup2 at /sys/fs/cgroup ($(kvv FS))"
[ "$(kvv MAX)" = 100663296 ]; tap_result $? "memory.max in the box is the user-wide 96M, smaller than the session's 200M ($(kvv MAX))"
n_procs=$(kvv PROCS)
[ -n "$n_procs" ] && [ "$n_procs" -ge 1 ] && [ "$n_procs" -le 6 ]; tap_result $? "its root is the box's node: only the box's processes, in its leaves ($n_procs)"
[ "$(kvv NODE)" = 0 ]; tap_result $? "the node itself holds no process (cgroup v2: processes only in leaves) ($(kvv NODE))"
echo "$(kvv RO)" | grep -q 'Read-only file system'; tap_result $? "the box's cgroup is read-only ($(kvv RO))"
[ "$(kvv SHM)" = 100663296 ]; tap_result $? "shm_size = 1G is bounded by the 96M limit (/dev/shm size $(kvv SHM))"

# 5c. Leaves (init/, login-PID/) under the box's node: the limits stay on
# the node and bound the leaves together; usage is per leaf.
conf <<'C'
pids_max = 40
memory_max = 64M
C
run lbvm-a -- sh -c 'sleep 6 & sleep 6 & python3 -c "b = b\"x\" * (8 << 20); import time; time.sleep(6)"' >/dev/null 2>&1 &
bg=$!
leaf=""
for i in $(seq 100); do
	leaf=$(ls -d /sys/fs/cgroup/loginbox/u$uid_a/s*/login-* 2>/dev/null | head -n 1)
	[ -n "$leaf" ] && [ "$(cat "$leaf/memory.current" 2>/dev/null || echo 0)" -gt 8000000 ] && break
	sleep 0.1
done
node=${leaf%/*}
show=$(loginbox show "${node##*/s}" 2>&1)
[ "$(cat "$node/pids.max" 2>/dev/null)" = 40 ] && [ "$(cat "$leaf/pids.max" 2>/dev/null)" = max ]
tap_result $? "pids_max is on the box's node (40), not on the login's leaf ($(cat "$leaf/pids.max" 2>/dev/null))"
[ "$(cat "$node/cgroup.subtree_control" 2>/dev/null | grep -c memory)" = 1 ] && [ -z "$(cat "$node/cgroup.procs" 2>/dev/null)" ] && [ -n "$(cat "$node/init/cgroup.procs" 2>/dev/null)" ]
tap_result $? "controllers enabled below the node; init in init/, nothing in the node itself"
echo "$show" | grep -Eq "^leaf +login-[0-9]+ memory\.current=[0-9]+ pids\.current=[3-9] cpu\.usage_usec=[0-9]+"
tap_result $? "loginbox show: the login's leaf with memory, pids and cpu ($(echo "$show" | grep '^leaf' | tr '\n' ' '))"
echo "$show" | grep -Eq "^leaf +init memory\.current=[0-9]+ pids\.current=1 "
tap_result $? "loginbox show: the init leaf holds init alone"
wait $bg

# 5d. limits = best-effort where the controllers exist enforces them too
# (it only warns where they are missing: t_76_limits_mode.sh).
LIMITS=best-effort conf <<'C'
pids_max = 40
C
out=$(run lbvm-a -- cat /sys/fs/cgroup/pids.max 2>&1)
[ "$out" = 40 ]; tap_result $? "limits = best-effort with controllers: the box's pids.max is 40 ($out)"

# 7. The device program on the box's node (devcg.c).  The box's /dev has
# only its nodes, so the test plants more, mode 0666, into a live box's
# /dev from outside (real root, through /proc/PID/root): the program, not
# the node's mode or absence, is what must refuse them.
box_init() { # OUTFILE: wait for UP in it, print the live box's init pid
	local i id pid
	for i in $(seq 300); do
		if grep -q '^UP$' "$1" 2>/dev/null; then
			for id in $(ls /run/loginbox 2>/dev/null | grep -E '^[0-9]+$'); do
				pid=$(sed -n 's/^init_pid=//p' "/run/loginbox/$id/state" 2>/dev/null)
				[ -n "$pid" ] && [ -d "/proc/$pid/root/dev" ] &&
					{ echo "$pid"; return 0; }
			done
		fi
		sleep 0.1
	done
	return 1
}
probe_devs='echo UP
for i in $(seq 600); do [ -e /dev/lbt-ready ] && break; sleep 0.1; done
for n in fuse lbt-fuse lbt-null lbt-kmsg; do
	python3 -c "import os, sys
try:
    os.close(os.open(\"/dev/$n\", os.O_RDWR)); print(\"$n=ok\")
except OSError as e:
    print(\"$n=\" + os.strerror(e.errno))"
done'
plant() { # INIT-PID: fuse (10:229), null (1:3), kmsg (1:11), all 0666
	local d=/proc/$1/root/dev
	mknod -m 666 "$d/lbt-fuse" c 10 229 && mknod -m 666 "$d/lbt-null" c 1 3 &&
		mknod -m 666 "$d/lbt-kmsg" c 1 11
}
release() { touch "/proc/$1/root/dev/lbt-ready"; } # INIT-PID: the box goes on
conf <<'C'
devices = /dev/fuse
C
[ -c /dev/fuse ]; tap_result $? "the guest has /dev/fuse (fuse module loaded)"
run lbvm-a -- sh -c "$probe_devs" >/tmp/d.out 2>&1 &
bg=$!
init=$(box_init /tmp/d.out)
plant "$init"; tap_result $? "planted 0666 nodes into the live box's /dev (init $init)"
hostopen=$(python3 -c "import os; os.close(os.open('/proc/$init/root/dev/lbt-kmsg', os.O_RDONLY)); print('ok')" 2>&1 | tail -n 1)
release "$init"
wait $bg
out=$(cat /tmp/d.out)
kvv() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }
[ "$hostopen" = ok ]; tap_result $? "control: the planted kmsg node opens from outside the box's cgroup ($hostopen)"
[ "$(kvv fuse)" = ok ]; tap_result $? "devices = /dev/fuse: the box's own node opens ($(kvv fuse))"
[ "$(kvv lbt-fuse)" = ok ]; tap_result $? "a planted node of the listed device opens ($(kvv lbt-fuse))"
[ "$(kvv lbt-null)" = ok ]; tap_result $? "a planted node of a base device (null) opens ($(kvv lbt-null))"
[ "$(kvv lbt-kmsg)" = "Operation not permitted" ]; tap_result $? "an unlisted device (kmsg, mode 0666) is refused with EPERM ($(kvv lbt-kmsg))"
conf <<'C'
pids_max = 100
C
run lbvm-a -- sh -c "$probe_devs" >/tmp/d.out 2>&1 &
bg=$!
init=$(box_init /tmp/d.out)
plant "$init"
release "$init"
wait $bg
out=$(cat /tmp/d.out)
[ "$(kvv lbt-null)" = ok ]; tap_result $? "without devices: a base device still opens ($(kvv lbt-null))"
[ "$(kvv lbt-fuse)" = "Operation not permitted" ]; tap_result $? "without devices: fuse is refused with EPERM ($(kvv lbt-fuse))"

# 8. lxcfs = yes: free in the box shows the box's memory limit.
LXCFS_PID=""
lxcfs_start() {
	lxcfs /var/lib/lxcfs >>/tmp/lxcfs.log 2>&1 &
	LXCFS_PID=$!
	for i in $(seq 100); do
		head -n 1 /var/lib/lxcfs/proc/meminfo >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
lxcfs_stop() {
	[ -n "$LXCFS_PID" ] || return 0
	kill "$LXCFS_PID"; wait "$LXCFS_PID" 2>/dev/null
	LXCFS_PID=""
	grep -q ' /var/lib/lxcfs ' /proc/mounts && umount /var/lib/lxcfs
	! grep -q ' /var/lib/lxcfs ' /proc/mounts
}
lxcfs_start; tap_result $? "lxcfs runs in the guest ($(tail -n 2 /tmp/lxcfs.log | tr '\n' ' '))"
conf <<'C'
memory_max = 200M
lxcfs = yes
C
chk=$(loginbox check 2>&1)
echo "$chk" | grep -q '^lxcfs \[group.lbvm\]: ok (running)$'; tap_result $? "check: lxcfs is running"
out=$(run lbvm-a -- sh -c 'echo "FREE=$(free -b | awk "/^Mem:/ { print \$2 }")"
	echo "MEMINFO=$(head -n 1 /proc/meminfo)"
	echo "UMOUNT=$(umount /proc/meminfo 2>&1)"' 2>&1)
[ "$(kvv FREE)" = 209715200 ]; tap_result $? "free -b in the box: total = memory_max 200M ($(kvv FREE))"
echo "$(kvv MEMINFO)" | grep -q 'MemTotal: *204800 kB'; tap_result $? "/proc/meminfo in the box: MemTotal 204800 kB ($(kvv MEMINFO))"
[ -n "$(kvv UMOUNT)" ]; tap_result $? "the box's user cannot unmount it ($(kvv UMOUNT))"
conf <<'C'
memory_max = 200M
C
out=$(run lbvm-a -- sh -c 'echo "FREE=$(free -b | awk "/^Mem:/ { print \$2 }")"' 2>&1)
free_no=$(kvv FREE)
[ -n "$free_no" ] && [ "$free_no" != 209715200 ]; tap_result $? "lxcfs = no: free shows the guest's memory ($free_no)"

# lxcfs going away under a running box: its files fail (measured), new
# boxes need it again (limits = required refuses without).
conf <<'C'
memory_max = 200M
lxcfs = yes
C
run lbvm-a -- sh -c 'echo UP; r1=""
	for i in $(seq 900); do
		if [ -z "$r1" ] && [ -e /tmp/go1 ]; then r1=1; echo "R1=$(head -n 1 /proc/meminfo 2>&1)"; fi
		if [ -e /tmp/go2 ]; then echo "R2=$(head -n 1 /proc/meminfo 2>&1)"; break; fi
		sleep 0.1
	done' >/tmp/l.out 2>&1 &
bg=$!
init=$(box_init /tmp/l.out)
lxcfs_stop; tap_result $? "lxcfs stopped (and its mount gone) under a running box"
touch "/proc/$init/root/tmp/go1"
for i in $(seq 100); do grep -q '^R1=' /tmp/l.out && break; sleep 0.1; done
out=$(cat /tmp/l.out)
echo "$(kvv R1)" | grep -q 'Transport endpoint is not connected'; tap_result $? "running box, lxcfs stopped: /proc/meminfo fails with ENOTCONN ($(kvv R1))"
out=$(run lbvm-a -- true 2>&1)
echo "$out" | grep -q 'LXCFS is not running'; tap_result $? "no lxcfs, limits = required: the login is refused, saying why ($out)"
chk=$(loginbox check 2>&1)
echo "$chk" | grep -q '^warning: lxcfs = yes \[group.lbvm\]: .*LXCFS is not running'; tap_result $? "check warns that lxcfs is not running"
lxcfs_start
touch "/proc/$init/root/tmp/go2"
wait $bg
out=$(cat /tmp/l.out)
echo "$(kvv R2)" | grep -q 'Transport endpoint is not connected'; tap_result $? "lxcfs restarted: the running box still gets ENOTCONN ($(kvv R2))"
out=$(run lbvm-a -- sh -c 'echo "FREE=$(free -b | awk "/^Mem:/ { print \$2 }")"' 2>&1)
[ "$(kvv FREE)" = 209715200 ]; tap_result $? "a new box sees the restarted lxcfs ($(kvv FREE))"
lxcfs_stop

# 6. Nothing is left (polled: the last teardown may still be running).
for i in $(seq 50); do [ -z "$(leftovers)" ] && break; sleep 0.1; done
[ -z "$(leftovers)" ]; tap_result $? "teardown: no cgroup node, no session dir ($(leftovers | tr '\n' ' '))"
[ ! -e /sys/fs/cgroup/loginbox/u$uid_a ]; tap_result $? "the user's node went with their last session"
[ "$(($(tap_count n) + 1))" = "$PLAN" ]; tap_result $? "ran the whole plan ($(($(tap_count n) + 1)) of $PLAN)"
echo "VM: done"
