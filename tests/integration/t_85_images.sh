#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real images (loginbox(8) IMAGES): `loginbox image import` of a rootfs
# tarball (.tar.zst), a directory, an OCI layout made by hand (two layers,
# a whiteout and an opaque directory, an Env) and as an archive, a docker
# save archive, and an OCI layout made by umoci; logins over ssh on each
# see the image's files, the user's passwd entry and the image's Env; an
# update leaves a running box on its version (loginbox list says it is
# superseded) and gc keeps what a box uses.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images_lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/t85
mkdir -p "$W"
chmod 755 "$W"
STORE=/var/lib/loginbox/store
lb_ensure_packages "$W/apt.log" busybox-static zstd xz-utils umoci ||
	diag "apt-get failed: $(tail -n 5 "$W/apt.log")"
reset_conf

img_conf() { # IMAGE: lbt-bob boxed on IMAGE with /bin/sh
	{
		base_conf
		printf '[user.lbt-bob]\nimage = %s\nshell = /bin/sh\n' "$1"
	} | write_conf
}
imp() { # NAME SOURCE [ARGS]: import, output in $W/imp.out
	timeout -k 5 120 "$LB_ADMIN" image import "$@" >"$W/imp.out" 2>&1
}
cleanup_images() {
	# shellcheck disable=SC2046
	img_drop $("$LB_ADMIN" image list 2>/dev/null | awk 'NR > 1 && $1 ~ /^lbt-/ {print $1}')
}
cleanup_images

# ---- the images
R=$W/root
img_test_root "$R"
mkdir -p "$R/opt/old" "$R/etc/gone"
echo base >"$R/etc/motd"
echo keep >"$R/etc/keep"
echo a >"$R/opt/old/a"
echo 'owned by bob' >"$R/opt/bobs"
chown lbt-bob "$R/opt/bobs"
chmod 4755 "$R/bin/busybox"
tar -C "$R" -cf - . | zstd -q -o "$W/rootfs.tar.zst"
L2=$W/l2
mkdir -p "$L2/etc" "$L2/opt/old"
echo v2 >"$L2/etc/motd"
: >"$L2/etc/.wh.keep"
: >"$L2/opt/old/.wh..wh..opq"
echo new >"$L2/opt/old/b"
tar -C "$R" -czf "$W/l1.tar.gz" .
tar -C "$L2" -cf "$W/l2.tar" .
ENV='["PATH=/opt/tool/bin:/usr/bin:/bin","LBT_IMG=oci-v1","HOME=/nothere"]'
img_oci "$W/oci" v1 "$ENV" "$W/l1.tar.gz" "$W/l2.tar"
(cd "$W/oci" && tar -cf "$W/oci.tar" .)
gzip -dc "$W/l1.tar.gz" >"$W/l1.tar"
img_docker_save "$W/docker.tar" lbt/docker:v1 '["LBT_IMG=docker"]' "$W/l1.tar" "$W/l2.tar"

# ---- imports
imp lbt-rootfs "$W/rootfs.tar.zst"
t_is "$?" 0 "import a rootfs tarball (.tar.zst)" "$(cat "$W/imp.out")"
t_like "$(cat "$W/imp.out")" '1 setuid/setgid bit dropped' "import: the setuid bit is dropped and said so"
imp lbt-dir "$R"
t_is "$?" 0 "import a directory" "$(cat "$W/imp.out")"
imp lbt-oci "$W/oci:v1"
t_is "$?" 0 "import an OCI layout directory by tag" "$(cat "$W/imp.out")"
t_like "$(cat "$W/imp.out")" '2 layers' "OCI layout: two layers"
imp lbt-ociarch "$W/oci.tar"
t_is "$?" 0 "import an OCI archive (its only manifest)" "$(cat "$W/imp.out")"
t_like "$(cat "$W/imp.out")" '2 layers \(2 shared\)' "OCI archive: its layers are shared with the layout's, not unpacked again"
imp lbt-docker "$W/docker.tar:v1"
t_is "$?" 0 "import a docker save archive by tag" "$(cat "$W/imp.out")"
out=$("$LB_ADMIN" image list 2>&1)
for n in lbt-rootfs lbt-dir lbt-oci lbt-ociarch lbt-docker; do
	t_like "$out" "^$n " "image list shows $n"
done
t_is "$(stat -c '%a %U' "$STORE")" "700 root" "the store is 0700 root"
t_is "$(find "$STORE/layers" -mindepth 2 -user root | head -n 3)" "" "no file of the store is owned by host root"
t_is "$(find "$STORE/layers" -perm /6000 -type f | head -n 3)" "" "no setuid/setgid file in the store"
out=$("$LB_ADMIN" image show lbt-oci 2>&1)
t_like "$out" 'env +LBT_IMG=oci-v1' "image show lists the image's Env"

# ---- logins on each
BOXCMD='echo "M=$(cat /etc/motd)"; echo "KEEP=$(cat /etc/keep 2>&1)"; echo "OLD=$(ls /opt/old | tr "\n" " ")"; echo "PW=$(grep -c "^lbt-bob:" /etc/passwd)"; echo "WHO=$(id -un)"; echo "P=$PATH"; echo "I=$LBT_IMG"; echo "H=$HOME"; echo "BB=$(stat -c "%u %a" /bin/busybox)"; echo "BOB=$(stat -c %U /opt/bobs)"'
for n in lbt-rootfs lbt-dir; do
	img_conf "$n"
	out=$(ssh_as lbt-bob "$BOXCMD" 2>&1)
	t_is "$(kv "$out" M)" base "$n: login sees the image's /etc/motd" "$out"
	t_is "$(kv "$out" PW)" 1 "$n: the user's passwd entry is there"
	t_is "$(kv "$out" WHO)" lbt-bob "$n: id -un names the user"
	t_is "$(kv "$out" BB)" "0 755" "$n: image files are box root's, setuid bit dropped"
	t_is "$(kv "$out" BOB)" lbt-bob "$n: a file of the user in the image is the user's"
done
for n in lbt-oci lbt-ociarch; do
	img_conf "$n"
	out=$(ssh_as lbt-bob "$BOXCMD" 2>&1)
	t_is "$(kv "$out" M)" v2 "$n: the upper layer's /etc/motd wins" "$out"
	t_like "$(kv "$out" KEEP)" 'No such file' "$n: a whiteout hides /etc/keep"
	t_is "$(kv "$out" OLD)" "b " "$n: an opaque directory hides the lower layer's files"
	t_is "$(kv "$out" P)" /opt/tool/bin:/usr/bin:/bin "$n: PATH comes from the image's Env"
	t_is "$(kv "$out" I)" oci-v1 "$n: the image's other Env variables too"
	t_is "$(kv "$out" H)" /home/lbt-bob "$n: HOME stays loginbox's (the policy wins)"
	t_is "$(kv "$out" PW)" 1 "$n: the user's passwd entry is there"
done
img_conf lbt-docker
out=$(ssh_as lbt-bob "$BOXCMD" 2>&1)
t_is "$(kv "$out" M)" v2 "docker save: login sees the top layer" "$out"
t_is "$(kv "$out" I)" docker "docker save: the config's Env"
t_like "$(kv "$out" KEEP)" 'No such file' "docker save: a whiteout hides /etc/keep"

# ---- umoci (a real tool, local sources only)
if command -v umoci >/dev/null; then
	U=$W/umoci
	umoci init --layout "$U" >/dev/null 2>&1 &&
		umoci new --image "$U:t" >/dev/null 2>&1 &&
		umoci unpack --rootless --image "$U:t" "$W/bundle" >/dev/null 2>&1 &&
		cp -a "$R/." "$W/bundle/rootfs/" &&
		echo umoci >"$W/bundle/rootfs/etc/motd" &&
		umoci repack --image "$U:t" "$W/bundle" >/dev/null 2>&1 &&
		umoci config --image "$U:t" --config.env LBT_IMG=umoci >/dev/null 2>&1
	imp lbt-umoci "$U:t"
	t_is "$?" 0 "import an OCI layout written by umoci" "$(cat "$W/imp.out")"
	img_conf lbt-umoci
	out=$(ssh_as lbt-bob "$BOXCMD" 2>&1)
	t_is "$(kv "$out" M)" umoci "umoci image: login sees its files" "$out"
	t_is "$(kv "$out" I)" umoci "umoci image: its Env"
else
	tap_skip "umoci image" "umoci is not installed"
fi

# ---- an update does not touch a running box
img_conf lbt-oci
GO=$(getent passwd lbt-bob | cut -d: -f6)/.lbt85-go
rm -f "$GO"
timeout -k 5 60 ssh "${SSH_OPTS[@]}" lbt-bob@127.0.0.1 \
	'echo S=$LOGINBOX_SESSION; while [ ! -e ~/.lbt85-go ]; do echo "M=$(cat /etc/motd)"; sleep 0.2; done; echo "END=$(cat /etc/motd) $LBT_IMG"' \
	>"$W/bg.out" 2>"$W/bg.err" &
BG=$!
track_pid "$BG"
SID=""
for _ in $(seq 1 100); do
	SID=$(kv_opt "$(cat "$W/bg.out")" S)
	[ -n "$SID" ] && grep -q '^M=' "$W/bg.out" && break
	sleep 0.1
done
t_like "$SID" '^[0-9]+$' "update: a box runs on version 1" "$(cat "$W/bg.out" "$W/bg.err")"
V1=$(session_field "$SID" image_version)
t_like "$V1" '^[0-9a-f]{64}$' "update: the box's state records its image version"
t_is "$(cat "$LB_RUN/$SID/image_version" 2>/dev/null)" "$V1" "update: the box pins its version"
L3=$W/l3
mkdir -p "$L3/etc"
echo v3 >"$L3/etc/motd"
tar -C "$L3" -cf "$W/l3.tar" .
img_oci "$W/oci3" v2 '["LBT_IMG=oci-v2"]' "$W/l1.tar.gz" "$W/l2.tar" "$W/l3.tar"
imp lbt-oci "$W/oci3:v2"
t_is "$?" 0 "update: import a new version of lbt-oci (three layers)" "$(cat "$W/imp.out")"
t_like "$(cat "$W/imp.out")" '3 layers \(2 shared\)' "update: the unchanged layers are shared"
out=$("$LB_ADMIN" list 2>&1)
t_like "$out" "^$SID .*${V1:0:12} \\(superseded\\)" "update: loginbox list shows the box on a superseded version" "$out"
# lbt-ociarch is the same version: only the box holds it now.
"$LB_ADMIN" image rm lbt-ociarch >/dev/null 2>&1
out=$("$LB_ADMIN" image gc 2>&1)
t_is "$?" 0 "update: image gc runs while the box lives"
t_is "$(cat "$STORE/versions/$V1" >/dev/null 2>&1 && echo kept)" kept "update: gc keeps the version a box runs on"
out=$(ssh_as lbt-bob 'echo "M=$(cat /etc/motd)"; echo "I=$LBT_IMG"' 2>&1)
t_is "$(kv "$out" M)" v3 "update: a new login gets the new version" "$out"
t_is "$(kv "$out" I)" oci-v2 "update: with the new version's Env"
touch "$GO"
wait "$BG"
rm -f "$GO"
t_is "$(grep '^M=' "$W/bg.out" | sort -u | tr '\n' ' ')" "M=v2 " "update: the running box saw version 1's files throughout" "$(cat "$W/bg.out")"
t_is "$(kv "$(cat "$W/bg.out")" END)" "v2 oci-v1" "update: to its end"
for _ in $(seq 1 50); do
	[ -e "$LB_RUN/$SID" ] || break
	sleep 0.1
done
out=$("$LB_ADMIN" image gc 2>&1)
t_is "$(test -e "$STORE/versions/$V1" && echo kept || echo removed)" removed \
	"update: once the box ended, gc removes the superseded version" "$out"

# ---- rm, and a store name shadowing nothing of the directory images
"$LB_ADMIN" image rm lbt-dir >/dev/null 2>&1
img_conf lbt-dir
out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-bob -- true 2>&1)
t_like "$out" 'lbt-dir' "image rm: a login on the removed image is refused, naming it"

cleanup_images
t_is "$(ls "$STORE/layers" "$STORE/tmp" 2>/dev/null | grep -c '^[0-9a-f]\{64\}$')" 0 "rm + gc: no layer left of the test images"
reset_conf
assert_no_leftovers "images: nothing of these sessions remains" 5
