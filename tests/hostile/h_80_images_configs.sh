#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile images and configs: a setuid-root binary and device nodes in an
# image are inert inside; an image whose /etc/passwd is a symlink to a
# host secret or a FIFO (the helper, as root, adds the user to it) is
# refused without reading through it or hanging; config files that a
# user could have written (group-writable, a symlink, owned by the boxed
# user) are refused with a message naming the file.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

reset_conf
W=$LBT_TMP/h80
mkdir -p "$W"
AUID=$(id -u lbt-alice)

img_conf() { # USER IMAGE
	{ base_conf; printf '[user.%s]\nimage = %s\nshell = /bin/sh\n' "$1" "$2"; } | write_conf
}

# refused NAME USER ERE: the login is refused, the client is told (ERE).
refused() {
	local rc
	ssh_as "$2" 'echo "@@RAN@@"' >"$W/out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out"; then
		tap_ok "$1: the login is refused"
	else
		tap_fail "$1: the login is refused" "status $rc: $(cat "$W/out")"
	fi
	if grep -q loginbox "$W/out" && grep -Eq -- "$3" "$W/out"; then
		tap_ok "$1: the message names it (/$3/)"
	else
		tap_fail "$1: the message names it (/$3/)" "$(cat "$W/out")"
	fi
}

# ---- setuid binaries and device nodes in an image
make_image lbt-suid
mkdir -p "$LB_IMAGES/lbt-suid/lbtsuid"
cp /usr/bin/busybox "$LB_IMAGES/lbt-suid/lbtsuid/id"
chmod 6755 "$LB_IMAGES/lbt-suid/lbtsuid/id"
mknod -m 0666 "$LB_IMAGES/lbt-suid/lbt-zero" c 1 5
read -r VMAJ VMIN <<<"$(awk '$4 ~ /^(vd|sd|nvme|xvd)[a-z0-9]*$/ {print $1, $2; exit}' /proc/partitions)"
mknod -m 0666 "$LB_IMAGES/lbt-suid/lbt-disk" b "${VMAJ:-8}" "${VMIN:-0}"
t_is "$(head -c 4 "$LB_IMAGES/lbt-suid/lbt-zero" | od -An -tx1 | tr -d ' ')" 00000000 \
	"image: control: the image's device node lbt-zero (1:5) works on the host"
img_conf lbt-alice lbt-suid
out=$(ssh_as lbt-alice 'echo "@@LS=$(/bin/busybox stat -c "%A %u" /lbtsuid/id)@@"; echo "@@EUID=$(/lbtsuid/id -u)@@"; echo "@@EGID=$(/lbtsuid/id -g)@@"; echo "@@Z=$(head -c 4 /lbt-zero 2>&1 | od -An -tx1 | tr -d " ")@@"; head -c 1 /lbt-zero 2>&1 | sed "s/^/ZE=/"; head -c 1 /lbt-disk 2>&1 | sed "s/^/DE=/"' 2>&1)
t_is "$(marker "$out" LS)" "-rwsr-sr-x 0" "image, alice: control: inside, /lbtsuid/id is setuid and setgid root"
t_is "$(marker "$out" EUID)" "$AUID" "image, alice: running it gives no privilege (euid stays $AUID: nosuid, no_new_privs)"
t_is "$(marker "$out" EGID)" "$(id -g lbt-alice)" "image, alice: nor the setgid bit (egid stays the user's)"
t_like "$(kv "$out" ZE)" 'Permission denied' "image, alice: the image's device node 1:5 cannot be opened (nodev)"
t_like "$(kv "$out" DE)" 'Permission denied' "image, alice: the image's block device ${VMAJ:-8}:${VMIN:-0} (the host's disk) cannot be opened"
img_conf lbt-root lbt-suid
out=$(ssh_as lbt-root 'echo "@@ID=$(id -u)@@"; ls -l /lbt-disk | cut -c1 | sed "s/^/T=/"; head -c 1 /lbt-zero 2>&1 | sed "s/^/ZE=/"; head -c 1 /lbt-disk 2>&1 | sed "s/^/DE=/"; mknod /tmp/lbt-mem c 1 1 2>&1 | sed "s/^/MK=/"' 2>&1)
t_is "$(marker "$out" ID)" 0 "image, box root: control: the probe runs as box root"
t_is "$(kv "$out" T)" b "image, box root: control: /lbt-disk is a block device inside"
t_like "$(kv "$out" ZE)" 'Permission denied' "image, box root: the device node cannot be opened even by box root (nodev)"
t_like "$(kv "$out" DE)" 'Permission denied' "image, box root: the host's disk node cannot be opened by box root"
t_like "$(kv "$out" MK)" 'Operation not permitted' "image, box root: mknod of /dev/mem's numbers is refused (kernel: no mknod in a user namespace)"
reset_conf
rm -rf "${LB_IMAGES:?}/lbt-suid"

# ---- an image's /etc/passwd that a root-side step would follow
SNAP=$(snapshot_host_root)
for v in abs:/etc/shadow rel:../../../../../../etc/shadow; do
	make_image "lbt-pw${v%%:*}"
	ln -sfn "${v#*:}" "$LB_IMAGES/lbt-pw${v%%:*}/etc/passwd"
	img_conf lbt-bob "lbt-pw${v%%:*}"
	refused "image with /etc/passwd -> ${v#*:}" lbt-bob "/etc/passwd.*(symbolic links|link)"
	rm -rf "${LB_IMAGES:?}/lbt-pw${v%%:*}"
done
make_image lbt-pwfifo
rm -f "$LB_IMAGES/lbt-pwfifo/etc/passwd"
mkfifo -m 0644 "$LB_IMAGES/lbt-pwfifo/etc/passwd"
img_conf lbt-bob lbt-pwfifo
t0=$(date +%s)
refused "image with /etc/passwd a FIFO" lbt-bob "/etc/passwd"
t1=$(date +%s)
if [ $((t1 - t0)) -lt $((LBT_T - 5)) ]; then
	tap_ok "image with /etc/passwd a FIFO: refused at once, no hang ($((t1 - t0)) s)"
else
	tap_fail "image with /etc/passwd a FIFO: refused at once, no hang" "it took $((t1 - t0)) s"
fi
rm -rf "${LB_IMAGES:?}/lbt-pwfifo"
t_is "$(snapshot_host_root)" "$SNAP" "hostile /etc/passwd images: the host's /, /etc and /dev are as before"
assert_no_leftovers "hostile /etc/passwd images: nothing is left behind" 5
reset_conf

# ---- config files a user could have written
mkdir -p "$LB_CONFD"
cf=$LB_CONFD/lbt-80.conf
printf '[user.lbt-alice]\nseccomp = none\n' >"$cf"
chmod 0664 "$cf"
refused "conf.d file writable by its group" lbt-alice "lbt-80.conf.*writable by group"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "lbt-80.conf.*writable by group" "conf.d file writable by its group: loginbox check names it"
chmod 0644 "$cf"
chown lbt-alice "$cf"
refused "conf.d file owned by the boxed user herself" lbt-alice "lbt-80.conf.*owned by uid $AUID"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "lbt-80.conf.*owned by uid $AUID, not root" "conf.d file owned by the boxed user: loginbox check names it"
chown root "$cf"
mv "$cf" "$W/lbt-80.conf"
ln -s "$W/lbt-80.conf" "$cf"
refused "conf.d file that is a symlink" lbt-alice "lbt-80.conf.*symbolic link"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "lbt-80.conf.*symbolic link" "conf.d symlink: loginbox check names it"
rm -f "$cf"
cp -p "$LB_CONF" "$W/main.conf"
mv "$LB_CONF" "$W/main.real"
ln -s "$W/main.real" "$LB_CONF"
refused "loginbox.conf that is a symlink" lbt-alice "loginbox.conf.*symbolic link"
rm -f "$LB_CONF"
cp -p "$W/main.conf" "$LB_CONF"
chmod 0775 "$LB_CONFD"
refused "conf.d directory writable by its group" lbt-alice "conf.d.*writable by group"
chmod 0755 "$LB_CONFD"
reset_conf
out=$(ssh_as lbt-alice 'echo "@@S=$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)@@"' 2>&1)
t_is "$(marker "$out" S)" 2 "configs: with the files fixed, logins work again, with seccomp on"
assert_no_leftovers "hostile configs: nothing is left behind"
exit 0
