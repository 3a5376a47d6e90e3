#!/bin/bash
# Runs as PID 1 of the VM tier's guest (pure cgroup v2, Debian 6.1 kernel),
# on the host's root with a tmpfs overlay.  Prints TAP; ends with
# "VM: done" and powers off.
set -u
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname lbvm
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
finish() { echo "VM: done"; sync; echo o >/proc/sysrq-trigger; sleep 5; poweroff -f; }
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
	  echo "image = host"; echo "limits = required"; cat; } >/etc/loginbox/loginbox.conf
	chmod 0644 /etc/loginbox/loginbox.conf
}
run() { timeout 120 loginbox run -u "$@"; }
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
[ "$out" = "0::/" ]; ok $? "cgroup namespace: the box's node is its root ($out)"

# 2. Fork bomb stops at pids_max; the host (this guest) survives.
out=$(run lbvm-a -- bash -c 'for i in $(seq 100); do sleep 30 & done 2>/dev/null
	echo procs=$(ls /proc | grep -c "^[0-9]")
	bomb() { bomb | bomb & }; timeout 5 bash -c "$(declare -f bomb); bomb" 2>/dev/null
	echo alive' 2>&1)
procs=$(echo "$out" | sed -n 's/^procs=//p')
[ -n "$procs" ] && [ "$procs" -le 40 ]; ok $? "fork bomb: at most pids_max=40 processes in the box ($procs)"
echo "$out" | grep -qx alive; ok $? "fork bomb: the login's shell survives"
[ "$(echo ok)" = ok ] && [ -z "$(leftovers)" ]; ok $? "fork bomb: host fine, box torn down"

# 3. Memory hog is OOM-killed inside the box only.
out=$(run lbvm-a -- bash -c 'python3 -c "b = bytearray(256 << 20); print(\"not killed\")"
	echo "rc=$?"; echo survived' 2>&1)
echo "$out" | grep -qx 'rc=137'; ok $? "memory hog over memory_max=64M is killed (SIGKILL)"
echo "$out" | grep -qx survived; ok $? "memory hog: the shell of the login survives"

# 4. CPU hog is throttled to cpu_max.
conf <<'C'
cpu_max = 0.25
C
run lbvm-a -- bash -c 'timeout 6 bash -c "while :; do :; done"' >/dev/null 2>&1 &
bg=$!
sleep 4
stat=$(cat /sys/fs/cgroup/loginbox/u$uid_a/s*/cpu.stat 2>/dev/null)
max=$(cat /sys/fs/cgroup/loginbox/u$uid_a/s*/cpu.max 2>/dev/null)
show=$(loginbox list 2>&1; loginbox show "$(ls /run/loginbox | grep -E '^[0-9]+$' | head -n1)" 2>&1)
wait $bg
thr=$(echo "$stat" | awk '/^nr_throttled/{print $2}')
[ "$max" = "25000 100000" ]; ok $? "cpu_max=0.25 written as cpu.max '25000 100000' ($max)"
[ -n "$thr" ] && [ "$thr" -gt 0 ]; ok $? "cpu hog is throttled (nr_throttled=$thr)"
echo "$show" | grep -q 'cpu.stat'; ok $? "loginbox show reports cpu usage of a live box"
echo "$show" | grep -q 'pids.current'; ok $? "loginbox show reports pids.current"

# 5. Two sessions of one user stay within the user-wide limits.
conf <<'C'
user_pids_max = 30
user_memory_max = 100M
memory_swap_max = 0
C
run lbvm-a -- bash -c 'for i in $(seq 20); do sleep 20 & done; python3 -c "
import time; b = bytearray(60 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(12)"; echo A-survived' >/tmp/a.out 2>&1 &
a=$!
sleep 5
out=$(run lbvm-a -- bash -c 'for i in $(seq 20); do sleep 10 & done 2>/dev/null
	echo procs=$(ls /proc | grep -c "^[0-9]")
	python3 -c "b = bytearray(60 << 20); b[::4096] = b\"x\" * len(b[::4096])"; echo "rc=$?"' 2>&1)
upids=$(cat /sys/fs/cgroup/loginbox/u$uid_a/pids.max 2>/dev/null)
wait $a
procs=$(echo "$out" | sed -n 's/^procs=//p')
[ "$upids" = 30 ]; ok $? "user_pids_max written on the user's node ($upids)"
[ -n "$procs" ] && [ "$procs" -lt 20 ]; ok $? "second session gets what the first left of user_pids_max ($procs < 20)"
echo "$out" | grep -qx 'rc=137'; ok $? "second session's allocation over user_memory_max=100M is killed"
grep -qx A-survived /tmp/a.out; ok $? "first session survives the second one's OOM"

# 6. Nothing is left.
sleep 1
[ -z "$(leftovers)" ]; ok $? "teardown: no cgroup node, no session dir ($(leftovers | tr '\n' ' '))"
[ ! -e /sys/fs/cgroup/loginbox/u$uid_a ]; ok $? "the user's node went with their last session"
