#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# devices = LIST (loginbox.conf(5)): a CDI spec of the test's own vendor
# naming /dev/kvm, a mounted file and a variable; inside the box the node
# works for the box's user (KVM_GET_API_VERSION answers 12, though the
# host node is root-only), the file is there read-only, the variable is
# set; a box without the device has none of it; a plain /dev path works
# the same; a device that is not there refuses the login naming it;
# `loginbox check` says which devices are missing, `loginbox show` lists
# a box's devices.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t88
mkdir -p "$W"
SPEC_DIR=/etc/cdi
SPEC=$SPEC_DIR/lbt-test.json
YSPEC=$SPEC_DIR/lbt-test.yaml
MADE_DIR=no
[ -d "$SPEC_DIR" ] || { mkdir -m 0755 "$SPEC_DIR" && MADE_DIR=yes; }
LIB=$W/lib
mkdir -p "$LIB"
chmod 755 "$W" "$LIB"
echo "lbt-driver-library-$$" >"$LIB/libtest.so.1"
chmod 644 "$LIB/libtest.so.1"

ZLIB=$(readlink -f /lib/x86_64-linux-gnu/libz.so.1)

cleanup() {
	rm -f "$SPEC" "$YSPEC"
	[ "$MADE_DIR" = yes ] && rmdir "$SPEC_DIR" 2>/dev/null
	reset_conf
}
trap cleanup EXIT

cat >"$SPEC" <<EOF
{
  "cdiVersion": "0.6.0",
  "kind": "lbt.example/vm",
  "containerEdits": {
    "mounts": [{"hostPath": "$LIB/libtest.so.1",
                "containerPath": "/opt/lbt-driver/libtest.so.1",
                "options": ["ro", "nosuid", "nodev", "bind"]},
               {"hostPath": "$ZLIB",
                "containerPath": "/opt/lbt-driver/liblbtz.so.1",
                "options": ["ro", "nosuid", "nodev", "bind"]}],
    "hooks": [{"hookName": "createContainer", "path": "/usr/bin/nvidia-ctk",
               "args": ["nvidia-ctk", "hook", "update-ldcache",
                        "--folder", "/opt/lbt-driver"]}]
  },
  "devices": [
    {"name": "kvm", "containerEdits": {
      "env": ["LBT_DEVICE=kvm-on"],
      "deviceNodes": [{"path": "/dev/kvm"}]}},
    {"name": "gone", "containerEdits": {
      "deviceNodes": [{"path": "/dev/lbt-no-such-node"}]}}
  ]
}
EOF
chmod 644 "$SPEC"

if [ ! -c /dev/kvm ]; then
	tap_skip "devices: a CDI device in the box" "this host has no /dev/kvm"
	exit 0
fi
t_is "$(stat -c '%u %a' /dev/kvm | sed 's/ 6[06]0$/ root-only/; s/^0 600$/0 root-only/')" \
	"0 root-only" "host: /dev/kvm is root's, not the test users' (so a bind would not do)"

conf() { # alice's devices, bob's devices
	{
		base_conf
		printf '[user.lbt-alice]\ndevices = %s\n' "$1"
		[ -n "${2:-}" ] && printf '[user.lbt-bob]\ndevices = %s\n' "$2"
	} | write_conf
}

PROBE='echo "@@RAN@@"
echo "API=$(python3 -c "import os, fcntl; fd = os.open(\"/dev/kvm\", os.O_RDWR); print(fcntl.ioctl(fd, 0xAE00))" 2>&1 | tail -n 1)"
echo "NODE=$(stat -c "%t:%T %U %a" /dev/kvm 2>&1)"
echo "DEVS=$(find /dev -mindepth 1 -not -path "/dev/pts*" -exec sh -c "[ -c \"\$1\" ] || [ -b \"\$1\" ]" sh {} \; -print | sort | tr "\n" " ")"
echo "LIB=$(cat /opt/lbt-driver/libtest.so.1 2>&1)"
echo "LIBW=$(awk "\$5 == \"/opt/lbt-driver/libtest.so.1\" { print \$6 }" /proc/self/mountinfo)"
echo "ENV=${LBT_DEVICE:-unset}"
echo "LDC=$(/sbin/ldconfig -p | grep -c "=> /opt/lbt-driver/")"'

conf lbt.example/vm=kvm
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" '^device lbt.example/vm=kvm \[user.lbt-alice\]: ok \(1 node, 2 mounts, 1 variable, ldconfig\)$' \
	"check: the CDI device resolves (nodes, mounts, variables counted)"

HOSTNODE=$(stat -c '%t:%T' /dev/kvm)
out=$(ssh_as lbt-alice "$PROBE" 2>&1)
t_like "$out" '@@RAN@@' "alice: the login with a device ran in the box"
t_is "$(kv "$out" API)" 12 "alice: KVM_GET_API_VERSION on the box's /dev/kvm answers 12"
t_is "$(kv "$out" NODE)" "$HOSTNODE lbt-alice 600" \
	"alice: the node is the host's device, owned by the box's user, mode 600"
t_is "$(kv "$out" DEVS)" "/dev/full /dev/kvm /dev/null /dev/ptmx /dev/random /dev/tty /dev/urandom /dev/zero " \
	"alice: /dev holds the base nodes and the listed device, nothing else"
t_is "$(kv "$out" LIB)" "lbt-driver-library-$$" "alice: the spec's mount is there"
t_like "$(kv "$out" LIBW)" '^ro,nosuid,nodev' "alice: the spec's mount is read-only, nosuid, nodev"
t_is "$(kv "$out" ENV)" kvm-on "alice: the spec's variable is set"
t_is "$(kv "$out" LDC)" 1 "alice: update-ldcache ran as ldconfig in the box (the mounted library is in the box's cache)"
t_unlike "$(/sbin/ldconfig -p)" '/opt/lbt-driver' "host: the host's library cache is untouched"

out=$(ssh_as lbt-bob "$PROBE" 2>&1)
t_like "$out" '@@RAN@@' "bob (no devices): the login ran in the box"
t_like "$(kv "$out" API)" 'No such file' "bob: no /dev/kvm"
t_is "$(kv "$out" DEVS)" "/dev/full /dev/null /dev/ptmx /dev/random /dev/tty /dev/urandom /dev/zero " \
	"bob: only the base nodes"
t_like "$(kv "$out" LIB)" 'No such file' "bob: no driver file"
t_is "$(kv "$out" ENV)" unset "bob: no device variable"

# `loginbox show` of a running box lists its devices.
ssh_as lbt-alice 'echo "@@UP@@"; sleep 30' >"$W/live" 2>&1 &
LIVE=$!
id=""
for _ in $(seq 1 100); do
	grep -q '@@UP@@' "$W/live" && id=$(test_session_ids | head -n 1) && [ -n "$id" ] && break
	sleep 0.1
done
if [ -n "$id" ]; then
	out=$("$LB_ADMIN" show "$id" 2>&1)
	t_like "$out" "^device +/dev/kvm \\(c $((16#${HOSTNODE%:*})):$((16#${HOSTNODE#*:}))\\)\$" \
		"show: the running box's device is listed"
	t_unlike "$out" '/dev/null' "show: base nodes are not listed as devices"
else
	tap_fail "show: the running box's device is listed" "no live session: $(cat "$W/live")"
	tap_fail "show: base nodes are not listed as devices" "no live session"
fi
kill "$LIVE" 2>/dev/null
wait "$LIVE" 2>/dev/null
clean_test_sessions

# A plain host path, for bob this time.
conf none /dev/kvm
out=$(ssh_as lbt-bob "$PROBE" 2>&1)
t_like "$out" '@@RAN@@' "plain path: bob's login ran"
t_is "$(kv "$out" API)" 12 "plain path: /dev/kvm answers 12 in bob's box"
t_is "$(kv "$out" ENV)" unset "plain path: no variable (none was asked for)"

# The same in YAML, as nvidia-ctk cdi generate writes it.
cat >"$YSPEC" <<EOF
---
cdiVersion: 0.5.0
containerEdits:
  env:
  - LBT_YAML_SPEC=read
devices:
- containerEdits:
    deviceNodes:
    - path: /dev/kvm
    env:
    - LBT_DEVICE=yaml-kvm
  name: "kvm"
kind: lbt.example/yvm
EOF
chmod 644 "$YSPEC"
conf lbt.example/yvm=kvm
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" '^device lbt.example/yvm=kvm \[user.lbt-alice\]: ok \(1 node, 0 mounts, 2 variables\)$' \
	"check: a device of a YAML spec resolves"
out=$(ssh_as lbt-alice "$PROBE"'
echo "YAML=${LBT_YAML_SPEC:-unset}"' 2>&1)
t_like "$out" '@@RAN@@' "YAML: alice's login ran in the box"
t_is "$(kv "$out" API)" 12 "YAML: /dev/kvm of the YAML spec answers 12"
t_is "$(kv "$out" ENV)" yaml-kvm "YAML: the device's variable is set"
t_is "$(kv "$out" YAML)" read "YAML: the spec-wide variable is set"
printf 'cdiVersion: 0.6.0\nkind: lbt.example/yvm\na: &x [1]\ndevices: [{name: kvm, containerEdits: {env: *x}}]\n' >"$YSPEC"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "^warning: device lbt.example/yvm=kvm .*$YSPEC.*aliases are not supported" \
	"check: a YAML spec with an alias is refused, naming the file"
rm -f "$YSPEC"

# A device whose node is gone: check says so, the login is refused
# naming the spec file (a box without its GPU would fail later, worse).
conf lbt.example/vm=gone
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "^warning: device lbt.example/vm=gone \\[user.lbt-alice\\] is missing: .*$SPEC.*/dev/lbt-no-such-node" \
	"check: a missing device node is named with its spec file"
out=$(ssh_as lbt-bob 'echo "@@RAN@@"' 2>&1)
t_like "$out" '@@RAN@@' "missing device: a login without it still runs"
ssh_as lbt-alice 'echo "@@RAN@@"' >"$W/out" 2>"$W/err"
if ! grep -q '@@RAN@@' "$W/out" && cat "$W/out" "$W/err" | grep -q "$SPEC: device node /dev/lbt-no-such-node is missing"; then
	tap_ok "missing device: alice's login is refused, naming the node"
else
	tap_fail "missing device: alice's login is refused, naming the node" \
		"stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
fi
conf lbt.example/vm=nosuch
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" '^warning: device lbt.example/vm=nosuch \[user.lbt-alice\] is missing: .*no CDI spec' \
	"check: an unknown CDI device is reported missing"

# A spec anyone could write is refused like a config file would be.
conf lbt.example/vm=kvm
chmod 666 "$SPEC"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "^warning: device lbt.example/vm=kvm .*$SPEC.*writable" \
	"check: a world-writable spec file is refused"
chmod 644 "$SPEC"
assert_no_leftovers "devices: nothing left behind" 10
