#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The device program on the box's cgroup v2 node (devcg.c), on this hybrid
# host, where the v2 hierarchy (/sys/fs/cgroup/unified) has no
# controllers: a device program needs none, and the kernel runs the
# program of a task's v2 cgroup whatever the v1 hierarchies say.  A box's
# /dev holds only its own nodes, so the test plants more into a live
# box's /dev from outside (real root, through /proc/PID/root), mode 0666:
# what refuses them must be the program, not the node's mode.  The
# planted kmsg node opens from outside the box's cgroup (the control);
# inside, an unlisted device gets EPERM, a listed one and a base one open.
# The same is proven on pure cgroup v2 in the VM tier (tests/vm/guest.sh).
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t89
mkdir -p "$W"
trap reset_conf EXIT

if [ ! -c /dev/kvm ]; then
	tap_skip "device program: a listed device" "this host has no /dev/kvm"
	exit 0
fi
KVM=$(stat -c '%t %T' /dev/kvm)
KMAJ=$((16#${KVM% *}))
KMIN=$((16#${KVM#* }))

conf() { # alice's devices
	{
		base_conf
		printf '[user.lbt-alice]\ndevices = %s\n' "$1"
	} | write_conf
}

PROBE='echo "@@UP@@"
for i in $(seq 300); do [ -e /dev/lbt-ready ] && break; sleep 0.1; done
for n in lbt-kvm lbt-null lbt-kmsg; do
	python3 -c "import os
try:
    os.close(os.open(\"/dev/$n\", os.O_RDWR)); print(\"$n=ok\")
except OSError as e:
    print(\"$n=\" + os.strerror(e.errno))"
done'

# probe USER: a login running PROBE; plants the nodes once it is up.
# Prints the login's output; HOSTOPEN= the control from outside.
probe() {
	local u=$1 id="" init="" d hostopen=""
	ssh_as "$u" "$PROBE" >"$W/out" 2>&1 &
	local pid=$!
	for _ in $(seq 150); do
		if grep -q '@@UP@@' "$W/out"; then
			for id in $(test_session_ids); do
				[ "$(session_field "$id" user)" = "$u" ] || continue
				init=$(session_field "$id" init_pid)
				[ -n "$init" ] && [ -d "/proc/$init/root/dev" ] && break 2
			done
		fi
		sleep 0.1
	done
	if [ -n "$init" ]; then
		d=/proc/$init/root/dev
		mknod -m 666 "$d/lbt-kvm" c "$KMAJ" "$KMIN" &&
			mknod -m 666 "$d/lbt-null" c 1 3 &&
			mknod -m 666 "$d/lbt-kmsg" c 1 11
		# before the box is let go (it ends after its opens)
		hostopen=$(python3 -c "import os
try:
    os.close(os.open('$d/lbt-kmsg', os.O_RDONLY)); print('ok')
except OSError as e:
    print(os.strerror(e.errno))" 2>&1 | tr '\n' ' ' | sed 's/ $//')
		touch "$d/lbt-ready"
	fi
	wait "$pid"
	cat "$W/out"
	echo "HOSTOPEN=$hostopen"
	echo "INIT=$init"
}

conf /dev/kvm
out=$(probe lbt-alice)
t_like "$out" '@@UP@@' "alice (devices = /dev/kvm): the login ran in the box"
t_like "$(kv "$out" INIT)" '^[0-9]+$' "alice: the nodes were planted into the live box's /dev"
t_is "$(kv "$out" HOSTOPEN)" ok "control: the planted kmsg node opens from outside the box's cgroup"
t_is "$(kv "$out" lbt-kvm)" ok "alice: a planted node of the listed device (kvm) opens"
t_is "$(kv "$out" lbt-null)" ok "alice: a planted node of a base device (null) opens"
t_is "$(kv "$out" lbt-kmsg)" "Operation not permitted" \
	"alice: an unlisted device (kmsg, mode 0666) is refused with EPERM by the program"

conf none
out=$(probe lbt-alice)
t_like "$out" '@@UP@@' "alice (no devices): the login ran in the box"
t_is "$(kv "$out" lbt-null)" ok "no devices: a base device still opens"
t_is "$(kv "$out" lbt-kvm)" "Operation not permitted" \
	"no devices: kvm (mode 0666) is refused with EPERM by the program"
clean_test_sessions
assert_no_leftovers "device program: nothing left behind" 10
