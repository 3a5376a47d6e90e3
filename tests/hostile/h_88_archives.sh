#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile image archives (docs/SECURITY.md "Images"): `..` and absolute
# paths, symlinks and hardlinks that point out of the layer, device nodes,
# setuid bits, a path that is a file and then a directory, huge entries,
# decompression bombs, too many entries, too long paths, blobs whose
# digest does not match.  Each is either refused with its own message and
# leaves nothing in the store, or imported with the danger removed; the
# host outside the store is never written.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/images_lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/h88
mkdir -p "$W"
chmod 755 "$W"
STORE=/var/lib/loginbox/store
MK="python3 $(dirname "$0")/h_88_mktar.py"
lb_ensure_packages "$W/apt.log" busybox-static ||
	diag "apt-get failed: $(tail -n 5 "$W/apt.log")"
reset_conf
for n in $("$LB_ADMIN" image list 2>/dev/null | awk 'NR > 1 && $1 ~ /^lbt-/ {print $1}'); do
	"$LB_ADMIN" image rm "$n" >/dev/null 2>&1
done
"$LB_ADMIN" image gc >/dev/null 2>&1
SNAP_BEFORE=$(snapshot_host_root)
layers_now() { ls "$STORE/layers" 2>/dev/null | wc -l; }

# refused NAME KIND ERE [SOURCE]: importing the archive fails with a message
# matching ERE, and nothing is left: no name, no new layer, no tmp.
refused() {
	local name=$1 kind=$2 re=$3 src=${4:-} before out rc
	[ -n "$src" ] || { src=$W/$kind.tar; $MK "$kind" "$src"; }
	before=$(layers_now)
	out=$(timeout -k 5 120 "$LB_ADMIN" image import "lbt-h-$kind" "$src" 2>&1)
	rc=$?
	t_isnt "$rc" 0 "$name: the import is refused"
	t_like "$out" "$re" "$name: saying why (/$re/)"
	t_is "$(test -e "$STORE/images/lbt-h-$kind" && echo there)$(layers_now)$(ls -A "$STORE/tmp")" \
		"$before" "$name: nothing is left in the store"
}
# imported KIND: the archive imports (its dangers removed); the layer dir in
# $LAYER.
imported() {
	local kind=$1 out
	$MK "$kind" "$W/$kind.tar"
	out=$(timeout -k 5 120 "$LB_ADMIN" image import "lbt-h-$kind" "$W/$kind.tar" 2>&1)
	t_is "$?" 0 "$kind: imported" 
	IMP_OUT=$out
	LAYER=$STORE/layers/$("$LB_ADMIN" image show "lbt-h-$kind" | awk '/^layer/ {print $2; exit}')
}

refused "entry ../escape" dotdot 'climbs out of the layer'
refused "absolute entry /tmp/..." abs 'has an absolute path'
refused "hardlink to ../../../etc/shadow" hardlink 'climbs out of the layer'
refused "hardlink to /etc/shadow" hardlink2 'has an absolute path'
refused "hardlink through a symlink of the layer" hlchain 'no such file in this layer'
refused "a 1 TB entry" huge 'goes over the limit of [0-9]+ bytes per import \(image_max_bytes\)'
refused "a 6000-byte path" longpath 'the limit is 4096 \(image_max_path\)'
mkdir -p "$W/bomb"
head -c 300M /dev/zero >"$W/bomb/zero"
tar -C "$W/bomb" -cf - . | gzip -1 >"$W/bomb.tar.gz"
rm -rf "$W/bomb"
refused "a decompression bomb (300 MB of zeros in $(($(stat -c %s "$W/bomb.tar.gz") / 1024)) KB)" bomb \
	'decompression bomb\? \(image_max_ratio\)' "$W/bomb.tar.gz"
# [global] limits: image_max_entries from the config.
base_conf | sed 's/^\[global\]$/[global]\nimage_max_entries = 100/' | write_conf
t_is "$("$LB_ADMIN" check 2>&1 >/dev/null; echo $?)" 0 "loginbox check accepts image_max_entries"
refused "3000 entries with image_max_entries = 100" entries 'more than 100 entries \(image_max_entries\)'
base_conf | sed 's/^\[global\]$/[global]\nimage_max_ratio = lots/' | write_conf
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" 'image_max_ratio' "loginbox check refuses image_max_ratio = lots, naming the key"
reset_conf

# A blob that is not what the manifest says.
mkdir -p "$W/ok/etc"
echo ok >"$W/ok/etc/ok"
tar -C "$W/ok" -cf "$W/ok.tar" .
img_oci "$W/tamper" t '[]' "$W/ok.tar"
D=$(img_sha "$W/ok.tar")
echo evil >"$W/ok/etc/ok"
tar -C "$W/ok" -cf "$W/tamper/blobs/sha256/$D" .
refused "a layer blob whose sha256 does not match" tamper "layer .*sha256 is [0-9a-f]{64}, the manifest names $D" "$W/tamper:t"
img_oci "$W/tamper2" t '[]' "$W/ok.tar"
CFG=$(grep -o '"config":{[^}]*' "$W/tamper2/blobs/sha256/$(grep -o 'sha256:[0-9a-f]*' "$W/tamper2/index.json" | cut -d: -f2)" | grep -o 'sha256:[0-9a-f]*' | cut -d: -f2)
sed -i 's/"Env":\[\]/"Env":["LD_PRELOAD=\/x"]/' "$W/tamper2/blobs/sha256/$CFG"
refused "a config blob whose sha256 does not match" tamper2 "sha256 is [0-9a-f]{64}, the image names $CFG" "$W/tamper2:t"

# Imported, dangers removed.
imported symlink
t_is "$(stat -c %F "$LAYER/etc/link")" directory "symlink /tmp then a file through it: the file lands in a directory of the layer"
t_is "$(ls /tmp/lbimg-sym-escape 2>&1 | grep -c 'No such')" 1 "symlink /tmp then a file through it: nothing is written in the host's /tmp"
imported symdir
t_is "$(ls /tmp/lbimg-sym2-escape 2>&1 | grep -c 'No such')" 1 "symlink ../../../tmp then a file through it: nothing outside the layer"
imported dev
t_like "$IMP_OUT" '2 device nodes .*dropped' "device nodes: dropped, and the import says so"
t_is "$(ls "$LAYER/etc" | tr '\n' ' ')" "ok " "device nodes: not in the layer"
imported suid
t_like "$IMP_OUT" '1 setuid/setgid bit dropped' "setuid root file: its bit is dropped, and the import says so"
t_is "$(stat -c '%a %u' "$LAYER/etc/suid")" "755 3221225472" "setuid root file: 0755, owned by the store's id base, not by host root"
imported filedir
t_is "$(cat "$LAYER/etc/x/y")" "in dir" "a path that is a file, then a directory: the directory wins"

# A hardlink to a file of the layer below is copied (a link cannot cross
# layers); seen from a box.
mkdir -p "$W/below/etc"
img_busybox_root "$W/below"
echo 'from below' >"$W/below/etc/below"
tar -C "$W/below" -cf "$W/below.tar" .
$MK hlbelow "$W/hlbelow.tar"
img_oci "$W/hl" t '[]' "$W/below.tar" "$W/hlbelow.tar"
out=$(timeout -k 5 120 "$LB_ADMIN" image import lbt-h-hl "$W/hl:t" 2>&1)
t_is "$?" 0 "hardlink into an earlier layer: imported" 
{ base_conf; printf '[user.lbt-bob]\nimage = lbt-h-hl\nshell = /bin/sh\n'; } | write_conf
out=$(ssh_as lbt-bob 'echo "C=$(cat /etc/copy)"; echo "B=$(cat /etc/below)"' 2>&1)
t_is "$(kv "$out" B)" "from below" "hardlink into an earlier layer: the box runs on the image" 
t_is "$(kv "$out" C)" "from below" "hardlink into an earlier layer: the link is a copy of the lower file" 

# The host's view: the store is root's alone.
t_is "$(stat -c '%a %U' "$STORE")" "700 root" "the store is 0700 root: host users reach nothing in it"
out=$(su_c_as lbt-plain "ls $STORE/layers" 2>&1)
t_like "$out" 'Permission denied' "a host user cannot list the store"
SNAP_AFTER=$(snapshot_host_root)
t_is "$SNAP_AFTER" "$SNAP_BEFORE" "hostile archives: the host's /, /etc and /dev are untouched"

reset_conf
for n in $("$LB_ADMIN" image list 2>/dev/null | awk 'NR > 1 && $1 ~ /^lbt-/ {print $1}'); do
	"$LB_ADMIN" image rm "$n" >/dev/null 2>&1
done
"$LB_ADMIN" image gc >/dev/null 2>&1
assert_no_leftovers "hostile archives: nothing of these sessions remains" 5
