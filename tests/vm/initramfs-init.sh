#!/bin/busybox sh
# /init of the VM tier's initramfs: mount the host's root (9p, read-only),
# put a tmpfs overlay on it for a writable root, and switch_root into the
# guest script named on the kernel command line (lbtest=PATH).  switch_root,
# not chroot: the kernel refuses new user namespaces inside a chroot.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do
	insmod "/lib/modules/$m.ko" 2>/dev/null
done
script=$(sed -n 's/.*lbtest=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /host /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host || {
	echo "VM: cannot mount the host root over 9p"; poweroff -f; }
mount -t tmpfs -o size=3G tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work \
	/newroot || { echo "VM: overlay root failed"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$script"
