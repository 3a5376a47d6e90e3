#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Image import speed: `sudo make bench-images`.  Builds a private copy of
# the admin command whose store is under a temp dir (it never touches
# /var/lib/loginbox), makes a three-layer OCI layout by hand (a busybox
# rootfs, LBB_IMG_MB of random data gzipped, a small top layer) and times
# `loginbox image import` cold (every layer unpacked) and warm (every layer
# shared), in ms per MB of compressed input.
set -eu
cd "$(dirname "$0")/.."
. tests/integration/images_lib.sh
MB=${LBB_IMG_MB:-64}
T=$(mktemp -d /tmp/lbb-img.XXXXXX)
trap 'rm -rf "$T"' EXIT
make -s -j2 B="$T/build" statedir="$T/state" "$T/build/loginbox" >/dev/null
L=$T/build/loginbox
img_busybox_root "$T/l1"
tar -C "$T/l1" -czf "$T/l1.tar.gz" .
mkdir -p "$T/l2/data"
head -c "${MB}M" /dev/urandom >"$T/l2/data/blob"
tar -C "$T/l2" -czf "$T/l2.tar.gz" .
mkdir -p "$T/l3/etc"
echo top >"$T/l3/etc/motd"
tar -C "$T/l3" -cf "$T/l3.tar" .
img_oci "$T/oci" b '["PATH=/usr/bin:/bin"]' "$T/l1.tar.gz" "$T/l2.tar.gz" "$T/l3.tar"
size=$(du -sk "$T/oci/blobs" | cut -f1)
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
cold=$(ms "$L" image import bench "$T/oci:b")
warm=$(ms "$L" image import bench2 "$T/oci:b")
printf 'image import, 3 layers, %d KB compressed:\n' "$size"
printf '  cold (unpack all): %d ms (%d ms/MB)\n' "$cold" $((cold * 1024 / size))
printf '  warm (all shared): %d ms\n' "$warm"
