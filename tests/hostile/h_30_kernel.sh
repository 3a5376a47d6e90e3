#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's attack surface from inside a box (docs/SECURITY.md, "Kernel
# attack surface"):
#   - the masks of /proc and /sys hold against box root with every
#     capability and no seccomp filter: the kernel itself (MNT_LOCKED)
#     refuses umount, lazy umount, move, remount rw, a non-recursive bind
#     and a new proc or sysfs instance;
#   - box root can write no file of /proc/sys or /sys but those of the
#     box's own namespaces (an allow list);
#   - nested_userns = no: unshare -U fails with the kernel's ENOSPC,
#     also without seccomp; nested_userns = yes is the positive control,
#     and shows the door it opens (AF_PACKET, nf_tables, tc);
#   - TIOCSETD is refused by default and strict, not by seccomp = none;
#   - the home bind is nosuid,nodev down to the user's own submounts.
set -u
. "$(dirname "$0")/../integration/lib.sh"

W=$LBT_TMP/h30
mkdir -p "$W"
chmod 755 "$W"
AHOME=$(getent passwd lbt-alice | cut -d: -f6)
BHOME=$(getent passwd lbt-bob | cut -d: -f6)
RHOME=$(getent passwd lbt-root | cut -d: -f6)
LAST=$(cat /proc/sys/kernel/cap_last_cap)
ALLCAPS=$(capsh --decode="$(printf '%x' $(((1 << (LAST + 1)) - 1)))" | cut -d= -f2 | sed 's/cap_//g')

# The widest box root a policy allows: every capability, no filter.
conf_wide() {
	base_conf
	printf '[user.lbt-root]\ncapabilities = %s\nseccomp = none\n' "$ALLCAPS"
}
conf_wide | write_conf

# ----------------------------------------------------------- masks ---

MASKED_FILES="/proc/kcore /proc/keys /proc/key-users /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/sysrq-trigger"
MASKED_DIRS="/proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap"

# Positive control on the host: what exists unmasked there.
HOST_FILES="" HOST_DIRS=""
for f in $MASKED_FILES; do
	[ -f "$f" ] && HOST_FILES="$HOST_FILES $f"
done
for d in $MASKED_DIRS; do
	[ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && HOST_DIRS="$HOST_DIRS $d"
done
diag "masked paths present on this host:$HOST_FILES$HOST_DIRS"
t_like "$(head -c 200 /proc/timer_list 2>&1)" 'Timer List' \
	"host: /proc/timer_list has content on the host (positive control)"
t_isnt "$(ls -A /sys/firmware 2>/dev/null)" "" \
	"host: /sys/firmware is not empty on the host (positive control)"

cat >"$W/masks.py" <<'PYEOF'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC = 1, 32, 4096, 8192, 16384
def res(r):
    return "OK" if r == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
def mount(src, dst, fs, flags):
    return res(libc.mount(src and src.encode(), dst.encode(), fs and fs.encode(), flags, None))
def content(p):
    try:
        if os.path.isdir(p):
            return "dir:" + ",".join(sorted(os.listdir(p)))
        with open(p, "rb") as f:
            return "file:%d" % len(f.read(4096))
    except OSError as e:
        return "err:" + errno.errorcode.get(e.errno, "?")
print("CAPEFF=" + [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])
print("SECCOMP=" + [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0])
os.makedirs("/tmp/lbt-mv/d", exist_ok=True)
open("/tmp/lbt-mv/f", "w").close()
for p in sys.argv[1:]:
    k = p.replace("/", "_")
    isdir = os.path.isdir(p)
    print("BEFORE%s=%s" % (k, content(p)))
    print("UMOUNT%s=%s" % (k, res(libc.umount2(p.encode(), 0))))
    print("LAZY%s=%s" % (k, res(libc.umount2(p.encode(), 2))))
    print("MOVE%s=%s" % (k, mount(p, "/tmp/lbt-mv/" + ("d" if isdir else "f"), None, MS_MOVE)))
    print("REMOUNTRW%s=%s" % (k, mount(None, p, None, MS_REMOUNT | MS_BIND)))
    # Mounting on top is allowed (it hides more, it reveals nothing);
    # taking our own mount off again must leave the mask in place.
    over = mount("/etc/hostname" if not isdir else "/tmp/lbt-mv/d", p, None, MS_BIND)
    print("OVER%s=%s" % (k, over))
    if over == "OK":
        print("OVERUMOUNT%s=%s" % (k, res(libc.umount2(p.encode(), 0))))
    print("AFTER%s=%s" % (k, content(p)))
# The whole of /proc and /sys: locked too.
for p in ("/proc", "/sys"):
    k = p.replace("/", "_")
    print("UMOUNT%s=%s" % (k, res(libc.umount2(p.encode(), 2))))
    print("REMOUNTRW%s=%s" % (k, mount(None, p, None, MS_REMOUNT | MS_BIND)))
os.makedirs("/tmp/lbt-new", exist_ok=True)
# a bind without MS_REC would show what the masks cover
print("BIND_PROC=" + mount("/proc", "/tmp/lbt-new", None, MS_BIND))
print("BIND_SYS=" + mount("/sys", "/tmp/lbt-new", None, MS_BIND))
# a fresh instance would have no masks
print("NEW_PROC=" + mount("proc", "/tmp/lbt-new", "proc", 0))
print("NEW_SYSFS=" + mount("sysfs", "/tmp/lbt-new", "sysfs", 0))
r = mount("/proc", "/tmp/lbt-new", None, MS_BIND | MS_REC)
print("RBIND_PROC=" + r)
if r == "OK":
    print("RBIND_TIMER_LIST=" + content("/tmp/lbt-new/timer_list"))
    libc.umount2(b"/tmp/lbt-new", 2)
PYEOF
install -m 0644 "$W/masks.py" "$RHOME/lbt-masks.py"
out=$(ssh_as lbt-root "python3 $RHOME/lbt-masks.py $HOST_FILES $HOST_DIRS" 2>&1)
rm -f "$RHOME/lbt-masks.py"
# all of them but sys_resource, which nested_userns = no takes away
t_is "$(kv "$out" CAPEFF)" "$(printf '%016x' $((((1 << (LAST + 1)) - 1) & ~(1 << 24))))" \
	"box root holds every capability for this attack (sys_resource aside)"
t_is "$(kv "$out" SECCOMP)" 0 "box root runs without a seccomp filter: the kernel answers"
for p in $HOST_FILES $HOST_DIRS; do
	k=${p//\//_}
	if [ -d "$p" ]; then want="dir:"; else want="file:0"; fi
	t_is "$(kv "$out" "BEFORE$k")" "$want" "$p: masked in the box (empty)"
	t_is "$(kv "$out" "UMOUNT$k")" EINVAL "$p: umount refused (EINVAL: locked)"
	t_is "$(kv "$out" "LAZY$k")" EINVAL "$p: umount -l refused"
	t_is "$(kv "$out" "MOVE$k")" EINVAL "$p: mount --move refused"
	t_is "$(kv "$out" "REMOUNTRW$k")" EPERM "$p: remount,bind,rw refused (EPERM: read-only is locked)"
	t_is "$(kv "$out" "AFTER$k")" "$want" "$p: still masked after the attempts (mount on top included: $(kv "$out" "OVER$k")/$(kv "$out" "OVERUMOUNT$k"))"
done
t_is "$(kv "$out" UMOUNT_proc)" EINVAL "/proc: umount -l refused"
t_is "$(kv "$out" UMOUNT_sys)" EINVAL "/sys: umount -l refused"
t_is "$(kv "$out" REMOUNTRW_sys)" EPERM "/sys: remount rw refused"
t_is "$(kv "$out" BIND_PROC)" EINVAL "bind of /proc without its masks refused"
t_is "$(kv "$out" BIND_SYS)" EINVAL "bind of /sys without its masks refused"
t_is "$(kv "$out" NEW_PROC)" EPERM "a new proc instance refused (no fully visible proc)"
t_is "$(kv "$out" NEW_SYSFS)" EPERM "a new sysfs instance refused"
if [ "$(kv "$out" RBIND_PROC)" = OK ]; then
	t_is "$(kv "$out" RBIND_TIMER_LIST)" "file:0" "a recursive bind of /proc carries the mask of timer_list"
fi

# The same in a nested user namespace with a fresh pid namespace, where
# box root would own everything new (nested_userns = yes for this one).
{ conf_wide; printf 'nested_userns = yes\n'; } | write_conf
install -m 0644 "$W/masks.py" "$RHOME/lbt-masks.py"
out=$(ssh_as lbt-root "unshare -Umpf --map-root-user sh -c 'echo NESTED=\$(cat /proc/self/uid_map | wc -l); python3 $RHOME/lbt-masks.py /proc/timer_list /sys/firmware'" 2>&1)
rm -f "$RHOME/lbt-masks.py"
t_is "$(kv "$out" NESTED)" 1 "nested: the probe runs in a nested user namespace"
t_is "$(kv "$out" BEFORE_proc_timer_list)" "file:0" "nested: /proc/timer_list still masked"
t_is "$(kv "$out" UMOUNT_proc_timer_list)" EINVAL "nested: umount of the mask refused"
t_is "$(kv "$out" MOVE_sys_firmware)" EINVAL "nested: move of /sys/firmware's mask refused"
t_is "$(kv "$out" NEW_PROC)" EPERM "nested: a new proc for the new pid namespace refused"
t_is "$(kv "$out" AFTER_sys_firmware)" "dir:" "nested: /sys/firmware still empty"
conf_wide | write_conf

# ------------------------------------------- writable kernel files ---

# Every file of /proc (but the per-process ones) and of /sys that box root
# can open for writing (nothing is written).
cat >"$W/writable.py" <<'PYEOF'
import os
for top in ("/proc", "/sys"):
    for dirpath, dirs, files in os.walk(top):
        if dirpath == "/proc":
            dirs[:] = [d for d in dirs if not d.isdigit() and d not in ("self", "thread-self")]
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.islink(p):  # /proc/mounts and the like: into /proc/self
                continue
            try:
                fd = os.open(p, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
            except OSError:
                continue
            os.close(fd)
            print("W " + p)
print("WALKED=1")
PYEOF
install -m 0644 "$W/writable.py" "$RHOME/lbt-writable.py"
out=$(ssh_as lbt-root "python3 $RHOME/lbt-writable.py" 2>&1)
rm -f "$RHOME/lbt-writable.py"
t_is "$(kv "$out" WALKED)" 1 "writable walk ran as box root in the box"
writable=$(printf '%s\n' "$out" | sed -n 's/^W //p')
diag "writable as box root: $(printf '%s\n' "$writable" | wc -l) files"
# What belongs to the box's own namespaces:
#   net.*                    the box's net namespace (CAP_NET_ADMIN there)
#   kernel.ns_last_pid       the box's pid namespace
#   kernel.{shm,msg,sem}*, fs.mqueue.*   the box's ipc namespace
#   kernel.hostname, domainname          the box's uts namespace
#   kernel.pid_max           the box's pid namespace (per namespace
#                            since Linux 6.14)
#   /proc/pressure/*         0666 on the host too: a write registers a PSI
#                            trigger polled through the writer's own fd
#   /proc/sys/user.*         only with CAP_SYS_RESOURCE: never with
#                            nested_userns = no
#   /proc/self/... style files of the box's own processes are not walked
ALLOWED='^/proc/sys/net/|^/proc/sys/kernel/(ns_last_pid|pid_max)$|^/proc/pressure/(io|cpu|memory|irq)$|^/proc/sys/kernel/(shmmax|shmall|shmmni|shm_rmid_forced|shm_next_id|msgmax|msgmnb|msgmni|msg_next_id|sem|sem_next_id|auto_msgmni)$|^/proc/sys/fs/mqueue/|^/proc/sys/kernel/(hostname|domainname)$'
t_unlike "$(printf '%s\n' "$writable" | grep -Ev "$ALLOWED")" '.' \
	"box root can write no kernel file outside the box's own namespaces"
t_like "$writable" '^/proc/sys/net/' "box root can write its own net.* (the walk sees writable files)"
t_unlike "$writable" '^/proc/sys/user/' "box root cannot write user.* (nested_userns = no)"
t_unlike "$writable" '^/sys/' "nothing of /sys is writable"

# ---------------------------------------------------- nested userns ---

NSPROBE='echo MAX=$(cat /proc/sys/user/max_user_namespaces); unshare -U true 2>&1 && echo UNSHARE=ok'
out=$(ssh_as lbt-alice "$NSPROBE" 2>&1)
t_is "$(kv "$out" MAX)" 0 "nested_userns = no: user.max_user_namespaces is 0 in the box"
t_like "$out" '^unshare: unshare failed: No space left on device$' \
	"nested_userns = no: unshare -U fails with the kernel's ENOSPC"
t_unlike "$out" '^UNSHARE=ok' "nested_userns = no: no nested user namespace"
out=$(ssh_as lbt-root "$NSPROBE; echo CAPBND=\$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status); echo 5 2>&1 >/proc/sys/user/max_user_namespaces; echo MAX2=\$(cat /proc/sys/user/max_user_namespaces)" 2>&1)
t_like "$out" 'No space left on device' "nested_userns = no: box root without seccomp cannot unshare -U either"
bnd=$(kv "$out" CAPBND)
t_is "$(((0x$bnd >> 24) & 1))" 0 "nested_userns = no: sys_resource is not in box root's bounding set although the policy lists it"
t_like "$out" 'max_user_namespaces: Permission denied' "nested_userns = no: box root cannot raise the limit"
t_is "$(kv "$out" MAX2)" 0 "nested_userns = no: the limit stays 0"

# The door a nested user namespace opens, and what strict keeps shut.
cat >"$W/net.py" <<'PYEOF'
import errno, socket, struct, subprocess
def e(x):
    return errno.errorcode.get(x.errno, str(x.errno))
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close(); print("PACKET=OK")
except OSError as x:
    print("PACKET=" + e(x))
try:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    # NFT_MSG_GETTABLE dump: (NFNL_SUBSYS_NFTABLES << 8) | 1
    s.send(struct.pack("=IHHII", 20, (10 << 8) | 1, 0x301, 1, 0) + struct.pack("=BBH", 0, 0, 0))
    data = s.recv(65536)
    ln, typ = struct.unpack("=IH", data[:6])
    if typ == 2:  # NLMSG_ERROR
        err = -struct.unpack("=i", data[16:20])[0]
        print("NFT=" + (errno.errorcode.get(err, str(err)) if err else "OK"))
    else:
        print("NFT=OK")
except OSError as x:
    print("NFT=" + e(x))
r = subprocess.run(["/usr/sbin/tc", "qdisc", "replace", "dev", "lo", "root", "pfifo"], capture_output=True, text=True)
print("TC=" + ("OK" if r.returncode == 0 else r.stderr.strip().replace("\n", " ")))
PYEOF
install -m 0644 "$W/net.py" "$AHOME/lbt-net.py"
install -m 0644 "$W/net.py" "$BHOME/lbt-net.py"
out=$(ssh_as lbt-alice 'python3 ~/lbt-net.py' 2>&1)
t_is "$(kv "$out" PACKET)" EPERM "default box user: AF_PACKET refused"
t_is "$(kv "$out" NFT)" EPERM "default box user: nf_tables refused (no CAP_NET_ADMIN)"
t_like "$(kv "$out" TC)" 'Operation not permitted' "default box user: tc refused"
{ conf_wide; printf '[user.lbt-bob]\nnested_userns = yes\n'; } | write_conf
out=$(ssh_as lbt-bob 'unshare -Urn sh -c "echo NESTED=1; python3 ~/lbt-net.py"' 2>&1)
t_is "$(kv "$out" NESTED)" 1 "nested_userns = yes: unshare -Urn works (positive control)"
t_is "$(kv "$out" PACKET)" OK "nested_userns = yes: AF_PACKET reachable in a nested netns (the door)"
t_is "$(kv "$out" NFT)" OK "nested_userns = yes: nf_tables reachable in a nested netns (the door)"
t_is "$(kv "$out" TC)" OK "nested_userns = yes: tc reachable in a nested netns (the door)"
[ "$(kv "$out" TC)" = OK ] || diag "$out"
{ conf_wide; printf '[user.lbt-bob]\nnested_userns = yes\nseccomp = strict\n'; } | write_conf
out=$(ssh_as lbt-bob 'unshare -Urn sh -c "echo NESTED=1; python3 ~/lbt-net.py"' 2>&1)
t_is "$(kv "$out" NESTED)" 1 "strict + nested_userns = yes: unshare -Urn works"
t_is "$(kv "$out" PACKET)" EPERM "strict: AF_PACKET refused even with CAP_NET_RAW in a nested netns"
t_is "$(kv "$out" NFT)" EPERM "strict: NETLINK_NETFILTER refused even with CAP_NET_ADMIN in a nested netns"
rm -f "$AHOME/lbt-net.py" "$BHOME/lbt-net.py"

# ------------------------------------------------------------ TIOCSETD ---

cat >"$W/setd.py" <<'PYEOF'
import errno, fcntl, os, struct, termios
m, s = os.openpty()
try:
    fcntl.ioctl(s, termios.TIOCSETD, struct.pack("i", 0))
    print("SETD=OK")
except OSError as x:
    print("SETD=" + errno.errorcode.get(x.errno, "?"))
PYEOF
for u in lbt-alice lbt-bob lbt-root; do
	h=$(getent passwd $u | cut -d: -f6)
	install -m 0644 "$W/setd.py" "$h/lbt-setd.py"
done
{ conf_wide; printf '[user.lbt-bob]\nseccomp = strict\n'; } | write_conf
out=$(ssh_as lbt-root "python3 $RHOME/lbt-setd.py" 2>&1)
t_is "$(kv "$out" SETD)" OK "seccomp = none: TIOCSETD on a pty works (positive control)"
[ "$(kv "$out" SETD)" = OK ] || diag "$out"
out=$(ssh_as lbt-alice 'python3 ~/lbt-setd.py' 2>&1)
t_is "$(kv "$out" SETD)" EPERM "seccomp = default: TIOCSETD refused"
out=$(ssh_as lbt-bob 'python3 ~/lbt-setd.py' 2>&1)
t_is "$(kv "$out" SETD)" EPERM "seccomp = strict: TIOCSETD refused"
for u in lbt-alice lbt-bob lbt-root; do
	rm -f "$(getent passwd $u | cut -d: -f6)/lbt-setd.py"
done

# ------------------------------------------------------ the home bind ---

# A mount of the user's own under their home (without nosuid, nodev) is
# carried into the box by the recursive bind: it must arrive nosuid,nodev.
reset_conf
mkdir -p "$AHOME/lbt-sub"
chown lbt-alice: "$AHOME/lbt-sub"
if mount -t tmpfs -o size=1m,mode=0755 lbt-h30 "$AHOME/lbt-sub"; then
	host=$(awk -v p="$AHOME/lbt-sub" '$5 == p {print $6}' /proc/self/mountinfo)
	t_unlike "$host" 'nosuid|nodev' "host: the submount under the home has suid and devices on (positive control)"
	out=$(ssh_as lbt-alice "awk -v p=\"$AHOME/lbt-sub\" '\$5 == p {print \"SUB=\" \$6}' /proc/self/mountinfo" 2>&1)
	t_like "$(kv "$out" SUB)" 'nosuid' "box: the submount under the home is nosuid"
	t_like "$(kv "$out" SUB)" 'nodev' "box: the submount under the home is nodev"
	umount "$AHOME/lbt-sub"
else
	tap_skip "submount of the home is nosuid,nodev" "cannot mount a tmpfs under $AHOME"
fi
rmdir "$AHOME/lbt-sub"

reset_conf
assert_no_leftovers "kernel attacks"
