#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An image deeper than one overlay mount may stack (LB_IMAGE_MAX_LAYERS,
# 12: the kernel's fsconfig string holds 255 bytes and Debian 12's 6.1 has
# no `lowerdir+`): `loginbox image import` flattens the bottom layers into
# one at import.  A 15-layer OCI layout becomes 12 layers; a login sees
# the same tree overlayfs would have shown for all 15: whiteouts and an
# opaque directory inside the flattened part, a whiteout that crosses the
# flattened boundary, and every upper layer's file.  A second import of
# the same image shares every layer, the flattened one too.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images_lib.sh"
. "$(dirname "$0")/../shlib.sh"
t_plan 14

W=$LBT_TMP/t86
mkdir -p "$W"
chmod 755 "$W"
lb_ensure_packages "$W/apt.log" busybox-static ||
	diag "apt-get failed: $(tail -n 5 "$W/apt.log")"
reset_conf
imp() { # NAME SOURCE: import, output in $W/imp.out
	timeout -k 5 180 "$LB_ADMIN" image import "$@" >"$W/imp.out" 2>&1
}
img_drop lbt-flat lbt-flat2

# layer 1: a busybox rootfs with the test users
R=$W/l1
img_test_root "$R"
mkdir -p "$R/opt"
tar -C "$R" -cf "$W/l1.tar" .
# layer 2: files the flattened part will hide again
mkdir -p "$W/l2/etc" "$W/l2/opt/d"
echo two >"$W/l2/etc/f2"
echo x >"$W/l2/opt/d/x"
tar -C "$W/l2" -cf "$W/l2.tar" .
# layer 3: a whiteout of f2 and an opaque /opt/d (marker listed first, as
# docker and umoci write it) with a file of its own
mkdir -p "$W/l3/etc" "$W/l3/opt/d"
: >"$W/l3/etc/.wh.f2"
: >"$W/l3/opt/d/.wh..wh..opq"
echo y >"$W/l3/opt/d/y"
tar -C "$W/l3" --no-recursion -cf "$W/l3.tar" . ./etc ./etc/.wh.f2 ./opt ./opt/d \
	./opt/d/.wh..wh..opq ./opt/d/y
# layer 4: the last flattened layer (15 - 12 + 1 = 4 are flattened)
mkdir -p "$W/l4/etc"
echo four >"$W/l4/etc/f4"
tar -C "$W/l4" -cf "$W/l4.tar" .
# layer 5: a whiteout of a file of the flattened layer
mkdir -p "$W/l5/etc"
: >"$W/l5/etc/.wh.f4"
tar -C "$W/l5" -cf "$W/l5.tar" .
LAYERS="$W/l1.tar $W/l2.tar $W/l3.tar $W/l4.tar $W/l5.tar"
for i in $(seq 6 15); do
	mkdir -p "$W/l$i/opt"
	echo "$i" >"$W/l$i/opt/l$i"
	tar -C "$W/l$i" -cf "$W/l$i.tar" .
	LAYERS="$LAYERS $W/l$i.tar"
done
# shellcheck disable=SC2086
img_oci "$W/oci" deep '["LBT_IMG=deep"]' $LAYERS
t_is "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(len(m["layers"]))' \
	"$W/oci/blobs/sha256/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"][7:])' "$W/oci/index.json")")" \
	15 "the test image's manifest lists 15 layers"

imp lbt-flat "$W/oci:deep"
t_is "$?" 0 "import a 15-layer OCI layout" "$(cat "$W/imp.out")"
t_like "$(cat "$W/imp.out")" '12 layers \(0 shared\)' "import: 15 layers are stacked as 12 (the bottom 4 flattened)" "$(cat "$W/imp.out")"
out=$("$LB_ADMIN" image show lbt-flat 2>&1)
t_is "$(echo "$out" | grep -c '^layer ')" 12 "image show lists 12 layers" "$out"

{
	base_conf
	printf '[user.lbt-bob]\nimage = lbt-flat\nshell = /bin/sh\n'
} | write_conf
out=$(ssh_as lbt-bob 'echo "WHO=$(id -un)"; echo "F2=$(cat /etc/f2 2>&1)"; echo "D=$(ls /opt/d | tr "\n" " ")"; echo "F4=$(cat /etc/f4 2>&1)"; echo "L=$(ls /opt | grep -c "^l")"; echo "L15=$(cat /opt/l15)"; echo "L6=$(cat /opt/l6)"; echo "I=$LBT_IMG"' 2>&1)
t_is "$(kv "$out" WHO)" lbt-bob "a login on the flattened image runs (positive control)" "$out"
t_like "$(kv "$out" F2)" 'No such file' "a whiteout inside the flattened layers hides the file of a layer below it"
t_is "$(kv "$out" D)" "y " "an opaque directory inside the flattened layers hides what layers below it put there"
t_like "$(kv "$out" F4)" 'No such file' "a whiteout above the flattened layer hides a file of that layer"
t_is "$(kv "$out" L)" 10 "every layer above the flattened one is there (10 files)"
t_is "$(kv "$out" L15)" 15 "the top layer's file"
t_is "$(kv "$out" L6)" 6 "the lowest unflattened layer's file"
t_is "$(kv "$out" I)" deep "the image's Env"

imp lbt-flat2 "$W/oci:deep"
t_like "$(cat "$W/imp.out")" '12 layers \(12 shared\)' "a second import shares all 12 layers, the flattened one too" "$(cat "$W/imp.out")"

reset_conf
img_drop lbt-flat lbt-flat2
assert_no_leftovers "flatten: nothing of these sessions remains" 5
