#!/bin/bash
# VM tier: cgroup v2 limits, enforced for real.
#
# This host has hybrid cgroups (no v2 controllers), so limits are proven in
# a qemu TCG guest running Debian's own 6.1 kernel with pure cgroup v2,
# whose root is this host's root over 9p (read-only, with a tmpfs overlay):
# the guest runs the loginbox installed here.  qemu runs with TCG only
# (-enable-kvm hangs on these VMs); the guest enters the 9p root with
# switch_root, not chroot (the kernel refuses user namespaces in a chroot).  Downloads are cached in
# tests/vm/cache/.  Prints the guest's plan and TAP, and
# "vm: N passed, M failed, 0 skipped" (planned tests that never ran count
# as failed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$here/cache
mkdir -p "$cache"

if [ "$(id -u)" != 0 ]; then
	echo "vm: must run as root (sudo make check)" >&2
	exit 1
fi
# shellcheck source=../shlib.sh
. "$top/tests/shlib.sh"
# shellcheck source=../tap.sh
. "$top/tests/tap.sh"
lb_ensure_packages "$cache/apt.log" qemu-system-x86 busybox-static cpio || {
	tail -n 20 "$cache/apt.log" >&2
	echo "vm: cannot install the packages above" >&2
	exit 1
}

# Debian's current 6.1 kernel, unpacked once.
kpkg=$(ls "$cache"/linux-image-6.1.*_amd64.deb 2>/dev/null | head -n1)
if [ -z "$kpkg" ]; then
	k=$(apt-cache depends linux-image-amd64 |
		awk '/Depends: linux-image-6/{print $2; exit}')
	(cd "$cache" && apt-get download -qq "$k" 2>/dev/null) || {
		echo "vm: cannot download $k" >&2; exit 1; }
	kpkg=$(ls "$cache"/linux-image-6.1.*_amd64.deb | head -n1)
fi
kdir=$cache/kernel
if [ ! -d "$kdir/boot" ]; then
	rm -rf "$kdir"
	dpkg -x "$kpkg" "$kdir"
fi
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
kver=${vmlinuz##*/vmlinuz-}
mods=$kdir/lib/modules/$kver/kernel

# The initramfs: static busybox, the modules for 9p and overlay, fuse (for
# lxcfs and a device to list), our init.
initrd=$cache/initrd-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/initramfs-init.sh" -nt "$initrd" ] ||
	[ "$here/run.sh" -nt "$initrd" ]; then
	ird=$(mktemp -d)
	mkdir -p "$ird"/{bin,proc,sys,dev,lib/modules}
	cp /bin/busybox "$ird/bin/busybox"
	: >"$ird/modules.order"
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
		virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay fuse; do
		f=$(find "$mods" -name "$m.ko*" | head -n1)
		[ -n "$f" ] || continue
		case $f in
		*.xz) xz -dc "$f" >"$ird/lib/modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$ird/lib/modules/$m.ko" ;;
		*) cp "$f" "$ird/lib/modules/$m.ko" ;;
		esac
		echo "$m" >>"$ird/modules.order"
	done
	install -m 0755 "$here/initramfs-init.sh" "$ird/init"
	(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"
	rm -rf "$ird"
fi

# The guest tests the installed project: install it, and undo that after.
# An install already here (make quickstart) is put back afterwards.
had_conf=0
[ -e /etc/loginbox/loginbox.conf ] && had_conf=1
prev=$(mktemp)
lb_save_install "$prev" || rm -f "$prev"
make -s -C "$top" install >/dev/null || { echo "vm: make install failed"; exit 1; }
cleanup() {
	make -s -C "$top" uninstall >/dev/null 2>&1
	[ -s "$prev" ] && lb_restore_install "$prev"
	rm -f "$prev"
	[ "$had_conf" = 1 ] || rm -rf /etc/loginbox
}
trap cleanup EXIT

log=$(mktemp)
echo "# vm: booting $kver under qemu TCG (about a minute)"
# multidevs=remap: the export spans the host's mounts (/, /run, /proc...),
# whose inode numbers may collide (qemu warns, and remaps with this).
timeout 900 qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 2 \
	-nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init lbtest=$here/guest.sh" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	</dev/null >"$log" 2>&1
rc=$?
# The guest prints its plan first and "VM: done" after its last test; a
# guest that stopped half-way misses one or both, and its missing tests
# count as failed (tests/tap.sh).
tap_init vm
# (the firmware's terminal resets, ESC c and ESC [..., may share a line
# with the guest's first output: removed before reading the lines)
tr -d '\r' <"$log" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[A-Za-z]//g' | grep -E '^(ok|not ok|#|VM:|1\.\.[0-9]+$)' | grep -v '^# vm:' >"$log.tap"
tap_absorb "$log.tap" "the VM (qemu exit $rc)"
if ! grep -q '^VM: done' "$log.tap"; then
	tap_fail "the VM finished its tests (qemu exit $rc)" "last lines:" \
		"$(tr -d '\r' <"$log" | tail -n 20)"
fi
rm -f "$log" "$log.tap"
tap_summary
rc=$?
tap_done
exit "$rc"
