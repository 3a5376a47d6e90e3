#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Isolation facts, checked from inside a box as an attacker would: ids and
# maps, privileges, seccomp, namespaces, processes, mounts, network, files,
# fds, environment, supplementary groups; for inside_uid = self and root.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 123

W=$LBT_TMP/t30
mkdir -p "$W/www"
chmod 755 "$W" "$W/www"
echo lbt-host-secret-page >"$W/www/marker"
AHOME=$(getent passwd lbt-alice | cut -d: -f6)
RHOME=$(getent passwd lbt-root | cut -d: -f6)
AUID=$(id -u lbt-alice)
AGID=$(id -g lbt-alice)
RUID=$(id -u lbt-root)
TAG=lbt$$

# Host-side things the box must not reach.
start_http_server "$W/www" || diag "host http.server did not start"
t_check "host: the host's http service on 127.0.0.1:$HTTP_PORT answers on the host" \
	curl -sf -m 5 "http://127.0.0.1:$HTTP_PORT/marker"
touch "/tmp/lbt-hostfile-$TAG"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(5)
s.settimeout(60)
try:
    while True:
        c, _ = s.accept(); c.sendall(b"host-abstract\n"); c.close()
except Exception:
    pass
' "lbt-abstract-$TAG" &
ABS_PID=$!
track_pid "$ABS_PID"

HOST_HOSTNAME=$(hostname)
declare -A HOSTNS
for ns in user pid mnt uts ipc net cgroup; do
	HOSTNS[$ns]=$(readlink "/proc/self/ns/$ns")
done

# The probe: everything is printed as KEY=value lines.
cat >"$W/probe.sh" <<EOF
HTTP_PORT=$HTTP_PORT
TAG=$TAG
RHOME=$RHOME
EOF
cat >>"$W/probe.sh" <<'EOF'
echo "HOSTNAME=$(hostname)"
echo "ID_U=$(id -u)"
echo "ID_G=$(id -G)"
echo "ID=$(id)"
echo "PID1=$(cat /proc/1/comm)"
echo "NPROC=$(ls /proc | grep -c '^[0-9]')"
echo "PSCOMM=$(ps -e -o comm= | sort -u | tr '\n' ' ')"
echo "PSARGS=$(ps -e -o pid=,args= | awk '$1 != 1' | tr '\n' '|')"
echo "UIDMAP=$(tr -s ' ' <  /proc/self/uid_map | sed 's/^ //' | tr '\n' '/')"
echo "GIDMAP=$(tr -s ' ' <  /proc/self/gid_map | sed 's/^ //' | tr '\n' '/')"
echo "SETGROUPS=$(cat /proc/self/setgroups)"
for k in NoNewPrivs Seccomp CapBnd CapEff CapPrm CapAmb Groups; do
	echo "$k=$(sed -n "s/^$k:[[:space:]]*//p" /proc/self/status | sed 's/ *$//')"
done
for ns in user pid mnt uts ipc net cgroup; do
	echo "NS_$ns=$(readlink /proc/self/ns/$ns)"
done
echo "ENVOWNER=$(stat -c '%U %G' /usr/bin/env)"
echo "HOSTTMPFILE=$(test -e /tmp/lbt-hostfile-$TAG && echo visible || echo absent)"
echo "TMPLIST=$(ls -A /tmp | tr '\n' ' ')"
echo "HOMES=$(ls -A /home | tr '\n' ' ')"
echo "RUNLB=$(test -e /run/loginbox && echo visible || echo absent)"
echo "VARLIBLB=$(ls -A /var/lib/loginbox 2>&1 | tr '\n' ' ')"
f="$HOME/from-box-$TAG"
echo "written in the box" >"$f" && echo "HOMEWRITE=ok"
if touch /etc/lbtest-$TAG 2>/dev/null; then echo "ETCTOUCH=ok"; else echo "ETCTOUCH=denied"; fi
if { echo "lbt:x:4242:4242::/:/bin/sh" >>/etc/passwd; } 2>/dev/null; then echo "PASSWDAPPEND=ok"; else echo "PASSWDAPPEND=denied"; fi
echo "SHADOW=$(head -c 100 /etc/shadow 2>/dev/null | tr -c 'a-zA-Z0-9:$.\n' '_' | head -n 1)"
echo "GSHADOW=$(head -c 100 /etc/gshadow 2>/dev/null | head -n 1)"
keys=""
for k in /etc/ssh/ssh_host_*_key; do
	[ -e "$k" ] || continue
	if grep -q PRIVATE "$k" 2>/dev/null; then keys="$keys readable:$k"; fi
done
echo "HOSTKEYS=${keys:-none-readable}"
echo "FDS=$(ls /proc/self/fd | tr '\n' ' ')"
echo "ENVNAMES=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort | tr '\n' ' ')"
echo "NETDEVS=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
echo "IPLINK=$(ip -o link 2>&1 | cut -d: -f2,3 | tr '\n' '|')"
if curl -s -m 3 "http://127.0.0.1:$HTTP_PORT/marker" >/dev/null 2>&1; then echo "HOSTHTTP=reached"; else echo "HOSTHTTP=unreachable"; fi
echo "MOUNTINFO=$(awk '{print $4, $5, $10, $11}' /proc/self/mountinfo | tr '\n' '|')"
echo "MOUNTINFO_RAW_LB=$(grep -c /run/loginbox /proc/self/mountinfo)"
echo "MOUNTINFO_OTHERHOMES=$(grep -c -e lbt-bob -e lbt-plain -e lbt-root -e lbt-alice /proc/self/mountinfo)"
python3 - "$RHOME" <<'PY'
import ctypes, errno, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
def sc(name, nr, *a):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_ulong(x) for x in a])
    e = ctypes.get_errno()
    print("SC_%s=%s" % (name, "OK" if r >= 0 else errno.errorcode.get(e, str(e))))
buf = ctypes.create_string_buffer(b"\x06" * 8)
sc("TIOCSTI", 16, 0, 0x5412, ctypes.addressof(buf))
sc("TIOCSTI_HIGHBITS", 16, 0, 0x5412 | (1 << 32), ctypes.addressof(buf))
sc("TIOCLINUX", 16, 0, 0x541C, ctypes.addressof(buf))
sc("keyctl", 250, 0, 0xfffffffd, 0)
sc("add_key", 248, 0, 0, 0, 0, 0)
sc("bpf", 321, 0, 0, 0)
sc("perf_event_open", 298, 0, 0, 0xffffffff, 0xffffffff, 0)
sc("init_module", 175, 0, 0, 0)
sc("finit_module", 313, 0xffffffff, 0, 0)
sc("kexec_load", 246, 0, 0, 0, 0)
# lo is up: a server on the box's own loopback answers
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname(), timeout=3)
print("LOOPBACK=ok")
# the host's abstract unix socket belongs to the host's net namespace
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.settimeout(3)
    s.connect("\0lbt-abstract-" + os.environ.get("TAG", ""))
    print("ABSTRACT=reached:" + s.recv(64).decode().strip())
except OSError as e:
    print("ABSTRACT=unreachable")
# a file of a host group not kept by the policy stays closed, whatever
# groups box root gives itself
try:
    try:
        os.setgroups(list(range(0, 65536, 1))[:65536])
    except OSError:
        pass
    open(sys.argv[1] + "/lbt-docker-only").read()
    print("DOCKERFILE=readable")
except FileNotFoundError:
    print("DOCKERFILE=missing")
except OSError:
    print("DOCKERFILE=denied")
# a mask cannot be taken off
r = libc.umount2(b"/etc/shadow", 2)
print("UMOUNT_SHADOW=%s" % ("OK" if r == 0 else errno.errorcode.get(ctypes.get_errno())))
PY
EOF

probe() { # USER -> output file
	ssh_as "$1" "TAG=$TAG bash -s" <"$W/probe.sh" >"$W/$1.out" 2>"$W/$1.err"
	echo $? >"$W/$1.rc"
}

# expected_map ID START: the box map of one identity-mapped id.
expected_map() {
	local id=$1 s=$2
	echo "0 $s $id/$id $id 1/$((id + 1)) $((s + id + 1)) $((65536 - id - 1))/"
}

# ============================================== inside_uid = self (alice)
probe lbt-alice
A=$(cat "$W/lbt-alice.out")
t_is "$(cat "$W/lbt-alice.rc")" 0 "self: the probe ran over ssh (status 0)"
[ -s "$W/lbt-alice.err" ] && diag_file "$W/lbt-alice.err" "probe stderr"
g() { kv "$A" "$1"; }

A_SUB=$(awk '$1 == "lbt-alice" {print $2}' "$LBT_TMP/subids")
t_is "$(g HOSTNAME)" "lbt-alice-box" "self: hostname is the template's (%u-box)"
t_is "$(g ID_U)" "$AUID" "self: the user keeps their uid inside"
t_is "$(g ID_G)" "$AGID" "self: only the primary group inside (lbt-docker does not follow)"
t_unlike "$(g ID)" 'lbt-docker|lbt-boxed' "self: id names no host supplementary group"
t_is "$(g Groups)" "$AGID" "self: /proc/self/status Groups is only the primary gid"
t_is "$(g PID1)" "loginbox-init" "self: PID 1 is loginbox-init"
t_unlike "$(g PSARGS | tr '|' '\n')" 'sshd|http\.server|process_api|lbt-abstract' \
	"self: ps -e shows no host process (sshd, the host's servers) besides the box's init"
# at least init and the probe's shell: 0 would mean /proc was not read
t_between "$(g NPROC)" 2 10 "self: /proc lists only this login's few processes ($(g NPROC))"
t_is "$(g UIDMAP)" "$(expected_map "$AUID" "$A_SUB")" \
	"self: uid_map = box root from the first subuid, the user's uid to itself, rest of the range"
t_is "$(g GIDMAP)" "$(expected_map "$AGID" "$(awk -F: '$1 == "lbt-alice" {print $2}' /etc/subgid)")" \
	"self: gid_map built the same way from the subgid range"
t_unlike "$(g UIDMAP | tr '/' '\n')" '^0 0 ' "self: host root (0 0) is not mapped"
t_is "$(g SETGROUPS)" deny "self: setgroups is denied inside"
t_is "$(g NoNewPrivs)" 1 "self: NoNewPrivs is 1"
t_is "$(g Seccomp)" 2 "self: a seccomp filter is loaded (Seccomp: 2)"
t_is "$(g CapBnd)" 0000000000000000 "self: the bounding set is empty"
t_is "$(g CapEff)" 0000000000000000 "self: no effective capabilities"
for ns in user pid mnt uts ipc net cgroup; do
	v=$(g "NS_$ns")
	if [ -n "$v" ] && [ "$v" != "${HOSTNS[$ns]}" ]; then
		tap_ok "self: own $ns namespace ($v, host ${HOSTNS[$ns]})"
	else
		tap_fail "self: own $ns namespace" "inside '$v', host '${HOSTNS[$ns]}'"
	fi
done
t_is "$(g ENVOWNER)" "root root" "self: ls -l /usr/bin/env shows root root (idmapped image)"
t_is "$(g HOSTTMPFILE)" absent "self: /tmp is private (a file made in the host's /tmp is invisible)"
t_is "$(g HOMES)" "lbt-alice " "self: /home shows only the user's own home"
t_is "$(g RUNLB)" absent "self: /run/loginbox (other boxes' control sockets) is not visible"
t_is "$(g HOMEWRITE)" ok "self: the user can write to their home inside"
if [ "$(cat "$AHOME/from-box-$TAG" 2>/dev/null)" = "written in the box" ]; then
	tap_ok "self: the home is the real one (a file written inside appears on the host)"
else
	tap_fail "self: the home is the real one (a file written inside appears on the host)" \
		"$AHOME/from-box-$TAG: $(ls -l "$AHOME/from-box-$TAG" 2>&1)"
fi
t_is "$(g ETCTOUCH)" denied "self: touch /etc/... is denied to a non-root box user"
t_is "$(g SHADOW)" "" "self: /etc/shadow is empty or unreadable"
t_is "$(g GSHADOW)" "" "self: /etc/gshadow is empty or unreadable"
t_is "$(g HOSTKEYS)" none-readable "self: no ssh host private key is readable"
t_is "$(g FDS)" "0 1 2 3 " "self: no leaked fds (ls /proc/self/fd: 0 1 2 and its own)"
unexpected=""
for v in $(g ENVNAMES); do
	case $v in
	HOME | USER | LOGNAME | SHELL | PATH | PWD | SHLVL | _ | TERM | MAIL | LANG | LC_* | \
		LOGINBOX_SESSION | LOGINBOX_LOGIN | SSH_CLIENT | SSH_CONNECTION | SSH_TTY | SSH_ORIGINAL_COMMAND | \
		SSH_AUTH_SOCK | XDG_RUNTIME_DIR | TAG | OLDPWD) ;;
	*) unexpected="$unexpected $v" ;;
	esac
done
t_is "$unexpected" "" "self: no unexpected environment variables (only HOME, USER, SSH_*, ...)"
envn=" $(g ENVNAMES)"
missing=""
for v in LOGINBOX_SESSION HOME USER SHELL; do
	case $envn in *" $v "*) ;; *) missing="$missing $v" ;; esac
done
t_is "$missing" "" "self: LOGINBOX_SESSION, HOME, USER and SHELL are set"
t_is "$(g NETDEVS)" "lo " "self: the only network interface is lo"
t_like "$(g IPLINK)" '^ lo: <[^>]*\bUP\b' "self: lo is up"
t_is "$(g LOOPBACK)" ok "self: the box's own loopback carries connections"
t_is "$(g HOSTHTTP)" unreachable "self: a host TCP service on 127.0.0.1 cannot be reached"
t_is "$(g ABSTRACT)" unreachable "self: a host abstract unix socket cannot be reached"
t_is "$(g MOUNTINFO_RAW_LB)" 0 "self: /proc/self/mountinfo reveals no host path under /run/loginbox"
[ "$(g MOUNTINFO_RAW_LB)" != 0 ] && diag "mounts inside:" "$(g MOUNTINFO | tr '|' '\n' | grep /run/loginbox | head -n 3)"
t_is "$(g MOUNTINFO_OTHERHOMES | tr -d ' ')" 1 "self: mountinfo names no other user's home (only the own home bind)"
for sc in TIOCSTI TIOCSTI_HIGHBITS TIOCLINUX keyctl add_key bpf perf_event_open init_module finit_module kexec_load; do
	t_is "$(g "SC_$sc")" EPERM "self: seccomp denies $sc with EPERM"
done

# ============================================== seccomp: the filter's own answer
# The kernel refuses some of these without any filter: init_module,
# finit_module and kexec_load want a capability of the initial user
# namespace, bpf is EPERM while unprivileged bpf is off.  So the same probe
# runs in a seccomp = none box too: a syscall counts as refused by the
# filter only when its answer there differs.  Where the kernel answers
# EPERM anyway, no box can tell: that is a skip, and the rule itself is
# checked against the exported filter in the unit tests.
cat >"$W/sc.py" <<'PY'
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def sc(name, nr, *a):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_ulong(x) for x in a])
    e = ctypes.get_errno()
    print("SC_%s=%s" % (name, "OK" if r >= 0 else errno.errorcode.get(e, str(e))))
buf = ctypes.create_string_buffer(b"\x06" * 8)
sc("TIOCSTI", 16, 0, 0x5412, ctypes.addressof(buf))
sc("TIOCSTI_HIGHBITS", 16, 0, 0x5412 | (1 << 32), ctypes.addressof(buf))
sc("TIOCLINUX", 16, 0, 0x541C, ctypes.addressof(buf))
sc("keyctl", 250, 0, 0xfffffffd, 0)
sc("add_key", 248, 0, 0, 0, 0, 0)
sc("bpf", 321, 0, 0, 0)
sc("perf_event_open", 298, 0, 0, 0xffffffff, 0xffffffff, 0)
sc("init_module", 175, 0, 0, 0)
sc("finit_module", 313, 0xffffffff, 0, 0)
sc("kexec_load", 246, 0, 0, 0, 0)
print("SC_DONE=1")
PY
install -m 0644 "$W/sc.py" "$AHOME/lbt-sc.py"
SC_WITH=$(ssh_as lbt-alice 'echo "SECCOMP=$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)"; python3 ~/lbt-sc.py' 2>&1)
{ base_conf; printf '[user.lbt-alice]\nseccomp = none\n'; } | write_conf
SC_NONE=$(ssh_as lbt-alice 'echo "SECCOMP=$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)"; python3 ~/lbt-sc.py' 2>&1)
reset_conf
rm -f "$AHOME/lbt-sc.py"
t_is "$(kv "$SC_WITH" SECCOMP)/$(kv "$SC_WITH" SC_DONE)" 2/1 "seccomp comparison: the probe ran to its end in the filtered box"
t_is "$(kv "$SC_NONE" SECCOMP)/$(kv "$SC_NONE" SC_DONE)" 0/1 "seccomp comparison: the probe ran to its end in a seccomp = none box"

# sc_differs NAME WITH NONE: the filter answers EPERM, and the kernel alone
# answers something else.
sc_differs() {
	local name=$1 w=$2 n=$3
	case $n in "<no "*) tap_fail "$name" "the seccomp = none probe printed nothing for it ($n)"; return ;; esac
	if [ "$w" != EPERM ]; then
		tap_fail "$name" "the filtered box got '$w', expected EPERM (without a filter: '$n')"
	elif [ "$n" = EPERM ]; then
		tap_skip "$name" "the kernel answers EPERM without a filter too, so no box can tell (the rule is checked on the exported filter in the unit tests)"
	else
		tap_ok "$name"
	fi
}
for sc in TIOCSTI TIOCSTI_HIGHBITS TIOCLINUX keyctl add_key bpf perf_event_open init_module finit_module kexec_load; do
	w=$(kv "$SC_WITH" "SC_$sc")
	n=$(kv "$SC_NONE" "SC_$sc")
	sc_differs "self: the filter, not the kernel, refuses $sc (EPERM; $n without a filter)" "$w" "$n"
done

# ============================================== inside_uid = root (lbt-root)
# lbt-root is boxed in the directory image lbt-rootimg (inside_uid = root on
# the host image is refused: t_75_on_error.sh).  The /etc/shadow and host
# key checks below show that no host secret reaches box root through it.
install -o root -g lbt-docker -m 0040 /dev/null "$RHOME/lbt-docker-only"
echo docker-secret >"$RHOME/lbt-docker-only"
t_is "$(setpriv --reuid=lbt-root --regid=lbt-root --init-groups cat "$RHOME/lbt-docker-only" 2>&1)" docker-secret \
	"host: lbt-root, a member of lbt-docker, can read the lbt-docker file outside a box"
probe lbt-root
A=$(cat "$W/lbt-root.out")
t_is "$(cat "$W/lbt-root.rc")" 0 "root: the probe ran over ssh (status 0)"
[ -s "$W/lbt-root.err" ] && diag_file "$W/lbt-root.err" "probe stderr"
R_SUB=$(awk '$1 == "lbt-root" {print $2}' "$LBT_TMP/subids")
t_is "$(g ID_U)" 0 "root: id -u is 0 inside"
t_like "$(g UIDMAP)" "^0 $R_SUB " "root: box root is the user's first subuid ($R_SUB)"
t_unlike "$(g UIDMAP | tr '/' '\n')" '^0 0 ' "root: host root (0 0) is not mapped"
t_is "$(g ETCTOUCH)" ok "root: box root can create /etc/lbtest-... inside"
if [ -e "/etc/lbtest-$TAG" ]; then
	tap_fail "root: the file made in the box's /etc does not appear on the host" "/etc/lbtest-$TAG exists on the host"
	rm -f "/etc/lbtest-$TAG"
else
	tap_ok "root: the file made in the box's /etc does not appear on the host"
fi
t_is "$(g PASSWDAPPEND)" ok "root: box root can append to the box's /etc/passwd"
t_unlike "$(cat /etc/passwd)" '^lbt:x:4242' "root: the host's /etc/passwd is untouched"
# the default bounding set, from the policy's capabilities line
want=$("$LB_ADMIN" policy lbt-root | sed -n 's/^capabilities = \([^#]*\).*/\1/p' | python3 -c '
import sys
names = ["chown","dac_override","dac_read_search","fowner","fsetid","kill","setgid",
 "setuid","setpcap","linux_immutable","net_bind_service","net_broadcast","net_admin",
 "net_raw","ipc_lock","ipc_owner","sys_module","sys_rawio","sys_chroot","sys_ptrace",
 "sys_pacct","sys_admin","sys_boot","sys_nice","sys_resource","sys_time",
 "sys_tty_config","mknod","lease","audit_write","audit_control","setfcap",
 "mac_override","mac_admin","syslog","wake_alarm","block_suspend","audit_read",
 "perfmon","bpf","checkpoint_restore"]
m = 0
for n in sys.stdin.read().replace(",", " ").split():
    m |= 1 << names.index(n.strip().lower().replace("cap_", ""))
print("%016x" % m)')
t_is "$(g CapBnd)" "$want" "root: CapBnd is the policy's default capability set"
t_unlike "$(printf '%s' "$want")" '^$' "root: the default capability set could be computed"
t_is "$(g NoNewPrivs)" 1 "root: NoNewPrivs is 1"
t_is "$(g Seccomp)" 2 "root: seccomp is on"
# setgroups is allowed for box root (docs/SECURITY.md, 6): it must still not
# reach a host group the policy does not keep (lbt-root is in lbt-docker).
t_unlike "$(g ID)" 'lbt-docker' "root: the host group lbt-docker does not follow lbt-root into the box"
t_is "$(g DOCKERFILE)" denied \
	"root: box root cannot read a file of the host group lbt-docker (mode 0040), even after setgroups"
t_is "$(g ENVOWNER)" "root root" "root: /usr/bin/env is owned by root inside"
t_is "$(g SHADOW)" "" "root: /etc/shadow is empty or unreadable even for box root"
t_is "$(g HOSTKEYS)" none-readable "root: no ssh host private key is readable by box root"
t_unlike "$(g UMOUNT_SHADOW)" '^OK$' "root: box root cannot unmount the mask on /etc/shadow"
t_is "$(g HOMES)" "lbt-root " "root: /home shows only the user's own home"
t_is "$(g HOSTHTTP)" unreachable "root: a host TCP service on 127.0.0.1 cannot be reached"
t_is "$(g NETDEVS)" "lo " "root: the only network interface is lo"
t_is "$(g SC_TIOCSTI)" EPERM "root: seccomp denies TIOCSTI for box root too"
t_is "$(g SC_init_module)" EPERM "root: seccomp denies init_module for box root"
t_is "$(g SC_keyctl)" EPERM "root: seccomp denies keyctl for box root"
t_is "$(g MOUNTINFO_RAW_LB)" 0 "root: mountinfo reveals no host path under /run/loginbox"

# ============================================== other syscall ABIs, escapes
# The seccomp filter must hold for the i386 (int 0x80) and x32 entry points
# too, not only for x86_64 syscall numbers.
if command -v gcc >/dev/null 2>&1; then
	cat >"$W/abi.c" <<'CEOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
static char ch = '\n'; /* below 4 GiB: built -no-pie */
static const char *name(long r)
{
	if (r >= 0) return "OK";
	if (r == -EPERM) return "EPERM";
	if (r == -ENOSYS) return "ENOSYS";
	return strerror((int)-r);
}
static long i386(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}
int main(void)
{
	long r;
	printf("IA32_TIOCSTI=%s\n", name(i386(54, 0, 0x5412, (long)&ch)));
	printf("IA32_TIOCLINUX=%s\n", name(i386(54, 0, 0x541C, (long)&ch)));
	printf("IA32_KEYCTL=%s\n", name(i386(288, 0, -3, 0)));
	r = syscall(0x40000000L + 514, 0L, 0x5412L, &ch);
	printf("X32_TIOCSTI=%s\n", name(r < 0 ? -errno : r));
	return 0;
}
CEOF
	if gcc -O1 -no-pie -static -o "$W/abi" "$W/abi.c" 2>"$W/abi.log"; then
		install -m 0755 "$W/abi" "$AHOME/lbt-abi"
		install -m 0755 "$W/abi" "$RHOME/lbt-abi"
		# the same program without a filter: the kernel's own answers
		{ base_conf; printf '[user.lbt-alice]\nseccomp = none\n[user.lbt-root]\nseccomp = none\n'; } | write_conf
		declare -A ABI_NONE
		for u in lbt-alice lbt-root; do
			h=$(getent passwd "$u" | cut -d: -f6)
			ABI_NONE[$u]=$(ssh_as "$u" "$h/lbt-abi" 2>&1)
		done
		reset_conf
		for u in lbt-alice lbt-root; do
			h=$(getent passwd "$u" | cut -d: -f6)
			out=$(ssh_as "$u" "$h/lbt-abi" 2>&1)
			none=${ABI_NONE[$u]}
			sc_differs "$u: TIOCSTI through the i386 ABI (int 0x80) is refused by the filter ($(kv "$none" IA32_TIOCSTI) without)" \
				"$(kv "$out" IA32_TIOCSTI)" "$(kv "$none" IA32_TIOCSTI)"
			sc_differs "$u: TIOCLINUX through the i386 ABI is refused by the filter ($(kv "$none" IA32_TIOCLINUX) without)" \
				"$(kv "$out" IA32_TIOCLINUX)" "$(kv "$none" IA32_TIOCLINUX)"
			sc_differs "$u: keyctl through the i386 ABI is refused by the filter ($(kv "$none" IA32_KEYCTL) without)" \
				"$(kv "$out" IA32_KEYCTL)" "$(kv "$none" IA32_KEYCTL)"
			# x32: a kernel built without x32 answers ENOSYS by itself
			x=$(kv "$out" X32_TIOCSTI)
			xn=$(kv "$none" X32_TIOCSTI)
			if [ "$x" = EPERM ] && [ "$xn" != EPERM ]; then
				tap_ok "$u: TIOCSTI through the x32 ABI is refused by the filter (EPERM; $xn without)"
			elif [ "$x" = ENOSYS ] && [ "$xn" = ENOSYS ]; then
				tap_skip "$u: TIOCSTI through the x32 ABI is refused by the filter" \
					"this kernel has no x32 ABI: ENOSYS with and without the filter, so no box can tell"
			else
				tap_fail "$u: TIOCSTI through the x32 ABI is refused" "filtered: '$x', without a filter: '$xn'"
			fi
		done
		rm -f "$AHOME/lbt-abi" "$RHOME/lbt-abi"
	else
		tap_skip "TIOCSTI through the i386 and x32 ABIs is denied" \
			"cannot build a static -no-pie test program: $(head -n 1 "$W/abi.log")"
	fi
else
	tap_skip "TIOCSTI through the i386 and x32 ABIs is denied" "no gcc to build the test program"
fi

# A nested user namespace does not take the masks off.
cat >"$W/nested.py" <<'PYEOF'
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
for name, p in (("SHADOW", b"/etc/shadow"), ("HOME", b"/home"), ("ROOT", b"/")):
    r = libc.umount2(p, 2)
    print("UMOUNT_%s=%s" % (name, "OK" if r == 0 else errno.errorcode[ctypes.get_errno()]))
try:
    print("SHADOW=" + open("/etc/shadow", "rb").read(40).decode(errors="replace").split("\n")[0])
except OSError:
    print("SHADOW=")
print("HOMES=" + " ".join(sorted(os.listdir("/home"))))
PYEOF
install -m 0644 "$W/nested.py" "$AHOME/lbt-nested.py"
# nested user namespaces are off by default (h_30_kernel.sh): on for this
{ base_conf; printf '[user.lbt-alice]\nnested_userns = yes\n'; } | write_conf
out=$(ssh_as lbt-alice 'unshare -Urm sh -c "echo NESTED_MAP=\$(tr -s \" \" </proc/self/uid_map)"; unshare -Urm python3 ~/lbt-nested.py' 2>&1)
reset_conf
rm -f "$AHOME/lbt-nested.py"
t_like "$(kv "$out" NESTED_MAP)" '^ ?0 [0-9]+ 1$' "self, nested user namespace: the probe runs in one (nested_userns = yes)"
t_unlike "$(kv "$out" UMOUNT_SHADOW)" '^OK$' "self, nested user namespace: the mask on /etc/shadow cannot be unmounted"
t_unlike "$(kv "$out" UMOUNT_HOME)" '^OK$' "self, nested user namespace: the tmpfs hiding other homes cannot be unmounted"
t_is "$(kv "$out" SHADOW)" "" "self, nested user namespace: /etc/shadow stays empty or unreadable"
t_is "$(kv "$out" HOMES)" "lbt-alice" "self, nested user namespace: still only the own home"

# Box root cannot look into the box's init (it holds host fds), nor end it
# from inside (a stop would show as State T: polled for 2 s, not slept).
out=$(ssh_as lbt-root 'for f in fd cwd root environ map_files; do if ls /proc/1/$f/ >/dev/null 2>&1 || cat /proc/1/$f >/dev/null 2>&1; then echo "P1_$f=open"; else echo "P1_$f=denied"; fi; done; kill -9 1; kill -STOP 1; i=0; while [ $i -lt 20 ] && ! grep -q "^State:[[:space:]]*T" /proc/1/status; do sleep 0.1; i=$((i + 1)); done; echo "INIT=$(cat /proc/1/comm) $(sed -n "s/^State:[[:space:]]*//p" /proc/1/status)"; kill -CONT 1' 2>&1)
for f in fd cwd root environ map_files; do
	t_is "$(kv "$out" "P1_$f")" denied "root: box root cannot open /proc/1/$f of the box's init"
done
t_like "$(kv "$out" INIT)" '^loginbox-init [SR]' "root: kill -9 / -STOP of PID 1 from inside the box is ignored"

# ============================================== policy knobs seen from inside
{
	base_conf
	printf '[user.lbt-alice]\nhome = tmpfs\nhostname = %%u-on-%%h\n'
	printf '[user.lbt-bob]\nhome = none\nseccomp = none\n'
	printf '[user.lbt-root]\ncapabilities = chown, kill\n'
} | write_conf
short=$(hostname | cut -d. -f1)
out=$(ssh_as lbt-alice 'echo "H=$(hostname)"; echo "LS=$(ls -A ~ | tr "\n" " ")"; touch ~/lbt-tmpfs-file && echo "W=ok"' 2>&1)
t_is "$(kv "$out" H)" "lbt-alice-on-$short" "hostname = %u-on-%h: %h is the host's short name"
t_is "$(kv "$out" LS)" "" "home = tmpfs: the home inside starts empty"
t_is "$(kv "$out" W)" ok "home = tmpfs: the home is writable"
if [ -e "$AHOME/lbt-tmpfs-file" ]; then
	tap_fail "home = tmpfs: writes do not reach the real home" "$AHOME/lbt-tmpfs-file exists"
	rm -f "$AHOME/lbt-tmpfs-file"
else
	tap_ok "home = tmpfs: writes do not reach the real home"
fi
out=$(ssh_as lbt-bob 'echo "HOMES=$(ls -A /home | tr "\n" " ")"; echo "SC=$(sed -n "s/^Seccomp:[[:space:]]*//p" /proc/self/status)"; echo "NNP=$(sed -n "s/^NoNewPrivs:[[:space:]]*//p" /proc/self/status)"' 2>&1)
t_is "$(kv "$out" HOMES)" "" "home = none: no home inside, and no other home"
t_is "$(kv "$out" SC)" 0 "seccomp = none: no filter is loaded"
t_is "$(kv "$out" NNP)" 1 "seccomp = none: NoNewPrivs is still set"
out=$(ssh_as lbt-root 'sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status' 2>&1)
t_is "$out" 0000000000000021 "capabilities = chown, kill: CapBnd is exactly those two"
reset_conf

# ============================================== groups = kept host groups
{ base_conf; printf '[user.lbt-alice]\ngroups = lbt-docker\n[user.lbt-bob]\ngroups = lbt-docker\n'; } | write_conf
out=$(ssh_as lbt-alice 'id -Gn' 2>&1)
t_is "$out" "lbt-alice lbt-docker" "groups = lbt-docker: the kept host group follows the user in"
out=$(ssh_as lbt-bob 'id -Gn' 2>&1)
t_is "$out" "lbt-bob" "groups = lbt-docker: a user not in that group does not get it"
reset_conf

stop_pid "$ABS_PID"
stop_pid "$HTTP_PID"
rm -f "/tmp/lbt-hostfile-$TAG" "$AHOME/from-box-$TAG" "$RHOME/lbt-docker-only"
assert_no_leftovers "isolation: nothing of these sessions remains after logout"
exit 0
