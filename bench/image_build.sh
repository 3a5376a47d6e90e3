#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/image_build.sh PREFIX USER: what a three-layer store image costs a
# box build, against the `host` image in the same run (called by
# bench/run.sh with its private install; USER is boxed there).  Imports a
# three-layer OCI layout made by hand (a busybox rootfs with USER in its
# passwd, a data layer, a small top layer) into the private install's
# store, then times `loginbox run -u USER -- true` with image = host and
# image = that store image, interleaved, LBI_ROUNDS (20) rounds each after
# a warm-up, and prints median and p95 of both, their ratio, and the
# helper's rootfs phase (`--timing`).  The config and the store are put
# back as they were.
set -u
P=$1
U=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CONF=$P/etc/loginbox.conf
ADMIN=$P/sbin/loginbox
N=${LBI_ROUNDS:-20}
say() { printf 'bench-image: %s\n' "$*" >&2; }
# shellcheck source=../tests/integration/images_lib.sh
. "$HERE/../tests/integration/images_lib.sh"

T=$(mktemp -d /tmp/lbbimg.XXXXXX) || exit 1
chmod 755 "$T"
cp -p "$CONF" "$T/conf.bak"
cleanup() {
	cp -p "$T/conf.bak" "$CONF"
	"$ADMIN" gc >/dev/null 2>&1
	"$ADMIN" image rm lbb3 >/dev/null 2>&1
	"$ADMIN" image gc >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the image: three layers, the user in its passwd
img_busybox_root "$T/l1"
getent passwd root "$U" >"$T/l1/etc/passwd"
getent group root "$(id -gn "$U")" >"$T/l1/etc/group"
ln -sf busybox "$T/l1/bin/true"
tar -C "$T/l1" -czf "$T/l1.tar.gz" .
mkdir -p "$T/l2/usr/share/data"
head -c 8M /dev/urandom >"$T/l2/usr/share/data/blob"
tar -C "$T/l2" -czf "$T/l2.tar.gz" .
mkdir -p "$T/l3/etc"
echo lbb3 >"$T/l3/etc/motd"
tar -C "$T/l3" -cf "$T/l3.tar" .
img_oci "$T/oci" b '["PATH=/usr/bin:/bin"]' "$T/l1.tar.gz" "$T/l2.tar.gz" "$T/l3.tar"
"$ADMIN" image import lbb3 "$T/oci:b" >"$T/import.log" 2>&1 ||
	{ say "import failed: $(cat "$T/import.log")"; exit 1; }

conf() { # IMAGE
	sed -e "s/^image = .*/image = $1/" "$T/conf.bak" >"$CONF.new" &&
		printf 'shell = /bin/sh\n' >>"$CONF.new" &&
		chmod 0644 "$CONF.new" && mv -f "$CONF.new" "$CONF"
}
# one IMAGE: wall ms of one build, then the rootfs phase's ms (or -)
one() {
	local s e out ph
	conf "$1"
	s=$(date +%s%N)
	out=$("$ADMIN" run --timing -u "$U" -- true 2>&1) || { echo "FAIL $out"; return 1; }
	e=$(date +%s%N)
	ph=$(printf '%s\n' "$out" | sed -n 's/^timing.* rootfs=\([0-9]*\).*/\1/p' | head -n 1)
	echo "$(((e - s) / 1000)) ${ph:--}"
}
for img in host lbb3; do one "$img" >/dev/null || { say "a box on $img cannot be built"; exit 1; }; done
: >"$T/host" && : >"$T/lbb3"
for _ in $(seq 1 "$N"); do
	for img in host lbb3; do
		r=$(one "$img") || { say "$r"; exit 1; }
		echo "$r" >>"$T/$img"
	done
done
python3 - "$T/host" "$T/lbb3" "$(cat "$T/import.log")" <<-'EOF'
	import statistics, sys
	def load(p):
	    rows = [l.split() for l in open(p) if l.strip()]
	    wall = sorted(int(r[0]) / 1000 for r in rows)
	    ph = sorted(float(r[1]) / 1000 for r in rows if r[1] != "-")
	    return wall, ph
	def p95(xs):
	    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
	h, hp = load(sys.argv[1])
	s, sp = load(sys.argv[2])
	print()
	print("box build on a 3-layer store image vs the host image (%d interleaved rounds)" % len(h))
	print("  (%s)" % sys.argv[3].strip())
	print("  %-18s %10s %10s %14s" % ("", "median ms", "p95 ms", "rootfs phase"))
	for name, w, p in (("image = host", h, hp), ("image = lbb3", s, sp)):
	    print("  %-18s %10.2f %10.2f %14s" % (name, statistics.median(w), p95(w),
	          "%.2f" % statistics.median(p) if p else "-"))
	print("  3-layer / host (median): %.2fx" % (statistics.median(s) / statistics.median(h)))
EOF
