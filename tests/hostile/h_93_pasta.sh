#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# network = pasta against box root (lbt-root, inside_uid = root): pasta
# runs with box root's host uid, in the box's user namespace, so what keeps
# it out of box root's reach is the pid namespace (the box cannot name it)
# and the read-only cgroup view; what keeps box root off the host through
# pasta is the host's output chain on pasta's uid, which box root cannot
# touch.  A host-only address (198.18.93.254 on the host's lo) with a TCP
# and a UDP listener stands for the host's services.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/h93
mkdir -p "$W"
chmod 755 "$W"
HOSTONLY=198.18.93.254

if ! lb_ensure_packages "$W/apt.log" nftables curl iproute2 passt; then
	tap_fail "nftables and passt installed" "$(tail -n 5 "$W/apt.log")"
	exit 0
fi
if nft list table inet loginbox >/dev/null 2>&1; then
	tap_skip "network = pasta" "an inet loginbox table exists on this host: not ours to change"
	exit 0
fi
cleanup() {
	ip addr del "$HOSTONLY/32" dev lo 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	reset_conf
}
trap cleanup EXIT

ip addr add "$HOSTONLY/32" dev lo
mkdir -p "$W/www"
echo "host-only" >"$W/www/m"
chmod -R a+rX "$W/www"
python3 -m http.server --bind "$HOSTONLY" --directory "$W/www" 8093 >"$W/http.log" 2>&1 &
track_pid $!
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$HOSTONLY"'", 9093))
while True:
    d, a = s.recvfrom(100)
    print("got", d, flush=True)' >"$W/udp.log" 2>&1 &
track_pid $!
for _ in $(seq 1 300); do
	curl -s -m 1 "http://$HOSTONLY:8093/m" >/dev/null 2>&1 && break
	sleep 0.1
done
t_is "$(curl -s -m 2 "http://$HOSTONLY:8093/m")" "host-only" "the host-only listener answers the host (positive control)"

make_root_image
base_conf | sed 's/^inside_uid = root$/inside_uid = root\nnetwork = pasta/' | write_conf

counter() { nft list chain inet loginbox pasta_out 2>/dev/null | sed -n "s/.*counter packets \([0-9]*\).*comment \"$1\".*/\1/p"; }

mkfifo "$W/go.fifo"
exec 7<>"$W/go.fifo"
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-root@127.0.0.1 "echo \"@@ME=\$(id -u)@@\"
echo \"@@S=\$LOGINBOX_SESSION@@\"
echo \"@@MINE=\$(cat /proc/\$\$/comm)@@\"
echo \"@@SEEN=\$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c -E '^(pasta|passt)')@@\"
echo \"@@CGPROCS=\$(cat /sys/fs/cgroup/pasta/cgroup.procs 2>&1 | tr '\n' ' ')@@\"
echo READY
read -t 20 P
echo \"@@KILL=\$(kill -9 \$P 2>&1)@@\"
echo \"@@CGKILL=\$( (echo 1 >/sys/fs/cgroup/pasta/cgroup.kill) 2>&1)@@\"
echo \"@@TCP=\$(timeout 5 bash -c 'exec 3<>/dev/tcp/$HOSTONLY/8093 && echo connected' 2>&1; echo rc=\$?)@@\"
exec 4<>/dev/udp/$HOSTONLY/9093; echo attack >&4
echo DONE
sleep 30" <&7 >"$W/root.out" 2>&1 &
ROOT=$!
track_pid "$ROOT"
for _ in $(seq 1 150); do
	grep -q '^READY' "$W/root.out" && break
	sleep 0.1
done
out=$(cat "$W/root.out")
SID=$(marker "$out" S)
t_is "$(marker "$out" ME)" 0 "lbt-root is root in its box"
PPASTA=$(awk '{print $2}' "$LB_RUN/net/pasta-$SID" 2>/dev/null)
t_like "$(cat "/proc/$PPASTA/comm" 2>/dev/null)" '^(pasta|passt)' "the box has a live pasta (pid $PPASTA on the host)"
t_is "$(marker "$out" MINE)" "bash" "box root reads its own processes in /proc (positive control)"
t_is "$(marker "$out" SEEN)" "0" "no pasta process is visible in the box's /proc"
t_like "$(marker "$out" CGPROCS)" '^(0 )*$|No such file' "the box's view of pasta's cgroup leaf names no pid"
IPID=$(session_field "$SID" init_pid)
t_isnt "$(readlink "/proc/$PPASTA/ns/pid")" "$(readlink "/proc/$IPID/ns/pid")" "pasta is outside the box's pid namespace"
c0=$(( $(counter "host loopback") + $(counter "host addresses") ))
echo "$PPASTA" >&7
for _ in $(seq 1 200); do
	grep -q '^DONE' "$W/root.out" && break
	sleep 0.1
done
out=$(cat "$W/root.out")
t_like "$(marker "$out" KILL)" "No such process" "box root's kill -9 of pasta's host pid names nothing in the box"
t_like "$(marker "$out" CGKILL)" "Read-only file system|Permission denied|No such file" "box root cannot write pasta's cgroup.kill"
t_like "$(cat "/proc/$PPASTA/comm" 2>/dev/null)" '^(pasta|passt)' "pasta is still alive after both"
t_like "$(marker "$out" TCP)" "rc=124" "box root's TCP to a host-only address through pasta does not connect (timeout)"
c1=$(( $(counter "host loopback") + $(counter "host addresses") ))
[ "$c1" -gt "$c0" ] && tap_ok "the host's rules on pasta's uid refused it (counters $c0 -> $c1)" ||
	tap_fail "the host's rules on pasta's uid refused it" "counters $c0 -> $c1"
sleep_until=$((SECONDS + 3))
while [ $SECONDS -lt $sleep_until ] && ! grep -q attack "$W/udp.log"; do sleep 0.2; done
t_unlike "$(cat "$W/udp.log")" "attack" "box root's UDP to the host-only listener never arrives"
stop_pid "$ROOT"
exec 7>&-
assert_no_leftovers "nothing of the box remains"
t_is "$(ls "$LB_RUN/net" 2>/dev/null | grep '^pasta-')" "" "no pasta record remains"
