#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mount tricks under a nested namespace: a non-recursive bind or clone of
# a tree with masks (it would show what the masks hide), unmounting or
# remounting a locked mask or the home's nosuid, the chroot escape, and
# whether a box's own mounts reach the host.  Box root, and a user in a
# nested user namespace, hold CAP_SYS_ADMIN over a mount namespace of
# theirs; the box's mounts came from root's namespace and are locked.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/classic_lib.sh"

reset_conf
TAG=lbt$$
AHOME=$(hc_home lbt-alice)

script='P=$1
echo "@@WHO=$(id -u):$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)@@"
mkdir -p /tmp/m /tmp/r /tmp/c/x
mount --bind / /tmp/m 2>&1 | sed "s/^/BIND=/"
if mount --rbind / /tmp/r; then
	echo "@@RBIND=ok@@"
	echo "@@RSHADOW=$(head -c 20 /tmp/r/etc/shadow | wc -c)@@"
	umount /tmp/r/etc/shadow 2>&1 | sed "s/^/UMASK=/"
	umount -l /tmp/r/home 2>&1 | sed "s/^/UHOME=/"
fi
python3 "$P" UMASK0 umount /etc/shadow ";" RWMASK remount /etc/shadow nosuid,nodev,noexec ";" \
	SUIDHOME remount "$HOME" nodev ";" DEVTMP remount /tmp nosuid ";" EXECDEV remount /dev nosuid ";" \
	OT open_tree / 0 ";" OTR open_tree / 1 ";" ESC chroot_escape /tmp/c
mount -t tmpfs lbt-'"$TAG"' /tmp/m 2>/dev/null && echo "@@OWN=$(grep -c lbt-'"$TAG"' /proc/self/mountinfo)@@"
echo "@@SHADOW=$(head -c 20 /etc/shadow | wc -c)@@"'
printf '%s\n' "$script" >"$AHOME/.lbt-mnt.sh"
chown lbt-alice "$AHOME/.lbt-mnt.sh"
P=$(hc_put lbt-alice)
RP=$(hc_put lbt-root)
RHOME=$(hc_home lbt-root)
cp "$AHOME/.lbt-mnt.sh" "$RHOME/.lbt-mnt.sh"
# Box root itself holds no CAP_SYS_ADMIN (not in the default capability
# set): it has no mount namespace of its own to play in, only a nested
# user namespace (below).
out=$(ssh_as lbt-root 'echo "@@ID=$(id -u)@@"; unshare -m true 2>&1 | sed "s/^/UNS=/"; mount -t tmpfs x /tmp 2>&1 | sed "s/^/MNT=/"' 2>&1)
t_is "$(marker "$out" ID)" 0 "root: control: the probe runs as box root"
t_like "$(kv "$out" UNS)" 'Operation not permitted' "root: box root cannot make a mount namespace (EPERM: no CAP_SYS_ADMIN)"
t_like "$(kv "$out" MNT)" 'permission denied|not permitted' "root: box root cannot mount in the box's own namespace"
for who in alice-nested root-nested; do
	case $who in
	alice-nested) out=$(ssh_as lbt-alice "unshare -Urm sh $AHOME/.lbt-mnt.sh $P" 2>&1) ;;
	root-nested) out=$(ssh_as lbt-root "unshare -Urm sh $RHOME/.lbt-mnt.sh $RP" 2>&1) ;;
	esac
	[ -z "$(marker "$out" WHO)" ] && diag "output: $out"
	t_like "$(marker "$out" WHO)" '^0:[0-9a-f]*[1-9a-f][0-9a-f]*$' "$who: control: the probe runs as root with capabilities in its mount namespace ($(marker "$out" WHO))"
	t_like "$(kv "$out" BIND)" 'wrong fs type|Invalid argument|bad option' "$who: a non-recursive bind of / (it would show under the masks) is refused (EINVAL)"
	t_is "$(kv "$out" OT)" EINVAL "$who: open_tree(OPEN_TREE_CLONE) of / without AT_RECURSIVE is refused (EINVAL)"
	t_is "$(kv "$out" OTR)" OK "$who: control: the recursive clone (masks included) is allowed"
	t_is "$(marker "$out" RBIND)" ok "$who: control: a recursive bind of / works"
	t_is "$(marker "$out" RSHADOW)" 0 "$who: the recursive bind shows /etc/shadow masked (empty)"
	if [ "$who" = root-nested ]; then
		# inside_uid = root needs a directory image (t_75): it holds
		# no host secret, so there is no mask for box root to attack
		for m in "the mask under the recursive bind cannot be unmounted" \
			"the mask on /etc/shadow cannot be unmounted" \
			"the read-only mask cannot be remounted read-write"; do
			tap_skip "$who: $m" "box root's image is a directory image without host masks (inside_uid = root with image = host is refused); alice-nested attacks the masks"
		done
	else
		t_like "$(kv "$out" UMASK)" 'Invalid argument|not permitted|not mounted|busy' "$who: the mask under the recursive bind cannot be unmounted (locked)"
		t_like "$(kv "$out" UMASK0)" '^(EINVAL|EPERM)$' "$who: the mask on /etc/shadow cannot be unmounted ($(kv "$out" UMASK0): locked)"
		t_is "$(kv "$out" RWMASK)" EPERM "$who: the read-only mask cannot be remounted read-write (EPERM: locked flag)"
	fi
	t_is "$(kv "$out" SUIDHOME)" EPERM "$who: nosuid cannot be taken off the home (EPERM: locked flag)"
	t_is "$(kv "$out" DEVTMP)" EPERM "$who: nodev cannot be taken off /tmp (EPERM: locked flag)"
	t_is "$(kv "$out" EXECDEV)" EPERM "$who: noexec cannot be taken off /dev (EPERM: locked flag)"
	# The climb ends at the root of the mount namespace: its /tmp is
	# the box's (holding the probe's c, m, r), not the host's.
	t_like "$(kv "$out" ESC)" '^in:x,out-tmp:' "$who: control: the chroot escape climbs out of its chroot"
	t_like "$(kv "$out" ESC | sed 's/.*out-tmp://' | tr ',' '\n')" '^c$' "$who: ... to the box's own root (its /tmp has the probe's dirs)"
	t_unlike "$(kv "$out" ESC | sed 's/.*out-tmp://' | tr ',' '\n')" '^lbt-integration' "$who: ... not the host's (no lbt-integration.* in its /tmp)"
	t_is "$(marker "$out" SHADOW)" 0 "$who: /etc/shadow stays empty after all of it"
	t_is "$(marker "$out" OWN)" 1 "$who: control: its own tmpfs mount is there inside"
	t_unlike "$(cat /proc/self/mountinfo)" "lbt-$TAG" "$who: the box's own mount does not reach the host's mount table"
done
rm -f "$P" "$RP" "$AHOME/.lbt-mnt.sh" "$RHOME/.lbt-mnt.sh"
assert_no_leftovers "mount tricks: nothing of these sessions remains"
exit 0
