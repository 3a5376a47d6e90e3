#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Attacks on network = pasta and network = bridge (issue 12), from real
# boxes and from the host's rules' point of view:
#   1. mixed modes: a pasta box lives, then a bridge login builds the
#      bridge's part of the one `inet loginbox` table.  The bridge used to
#      replace the table whenever its own chains were missing, deleting
#      pasta_uids and pasta_output: the live pasta box then reached the
#      host's own addresses.  The pasta box must stay refused.
#   2. route_localnet on a bridged box's host end (a loopback resolver):
#      box root hand-crafts frames (AF_PACKET) to 127.0.0.1 and to the
#      resolver's loopback address on ports other than the DNAT'ed 53, and
#      to the resolver's port 53 directly (not through the gateway): the
#      host's listeners there must get nothing, the input chain counts the
#      refusals; the same crafted frame to the test host arrives (control).
# Test host: a namespace of our own at 198.18.0.1; boxes get
# 198.19.252.0/24; the host-only address 198.18.95.254 is on the host's lo.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/h95
mkdir -p "$W"
chmod 755 "$W"
# shellcheck source=../integration/net_lib.sh
. "$(dirname "$0")/../integration/net_lib.sh"
UPNS=lbt-up95
SUBNET=198.19.252.0/24
GW=198.19.252.1
HOSTONLY=198.18.95.254
DNSLO=127.0.0.95

net_prereqs "network attacks"
if ! lb_ensure_packages "$W/apt.log" passt; then
	tap_fail "passt installed" "$(tail -n 5 "$W/apt.log")"
	exit 0
fi
FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
	ip netns del "$UPNS" 2>/dev/null
	ip link del lbt-up95 2>/dev/null
	ip addr del "$HOSTONLY/32" dev lo 2>/dev/null
	ip addr del "$DNSLO/32" dev lo 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	reset_conf
}
trap cleanup EXIT

upstream_host "$UPNS" lbt-up95
ip -n "$UPNS" route add "$SUBNET" via "$HOSTIP"
# a UDP logger on the test host (the crafted frames' positive control)
ip netns exec "$UPNS" python3 -u -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$UP"'", 9095))
while True:
    d, a = s.recvfrom(100)
    print("got", d, a, flush=True)' >"$W/up_udp.log" 2>&1 &
track_pid $!
# the host's own services: HTTP on a host-only address, UDP loggers on
# 127.0.0.1 and on the loopback resolver's address (other ports than 53)
ip addr add "$HOSTONLY/32" dev lo
ip addr add "$DNSLO/32" dev lo
mkdir -p "$W/www"
echo "host-only" >"$W/www/h"
chmod -R a+rX "$W/www"
python3 -m http.server --bind "$HOSTONLY" --directory "$W/www" 8095 >"$W/hostonly.log" 2>&1 &
track_pid $!
python3 -u -c '
import select, socket
ss = []
for a, p in (("127.0.0.1", 9095), ("'"$DNSLO"'", 9095)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, p))
    ss.append(s)
while True:
    for s in select.select(ss, [], [])[0]:
        d, a = s.recvfrom(100)
        print("got", d, a, s.getsockname(), flush=True)' >"$W/lo_udp.log" 2>&1 &
track_pid $!
dns_server - "$DNSLO" "$UP"
for _ in $(seq 1 100); do
	curl -s -m 1 "http://$UP:8080/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$HOSTONLY:8095/h" >/dev/null 2>&1 && break
	sleep 0.1
done
t_is "$(curl -s -m 2 "http://$HOSTONLY:8095/h")" "host-only" "the host-only listener answers the host (control)"

make_root_image
# lbt-root (box root) uses pasta, the lbt-boxed users the bridge with a
# loopback resolver (DNAT on the gateway, route_localnet on the host end)
mixed_conf() { # ROOT-MODE
	base_conf | sed "s|^default = none\$|default = none\\nbridge_subnet = $SUBNET\\nbridge_dns = $DNSLO|" |
		sed 's/^network = none$/network = bridge/' |
		sed 's/^inside_uid = root$/inside_uid = root\nnetwork = '"$1"'/'
}
mixed_conf pasta | write_conf

probe() { # NETNS-PID ADDR PORT: "connected", or the error / rc=124
	nsenter -t "$1" -n timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3 && echo connected" 2>&1 |
		head -n 1 | sed 's/^.*connect: //'
	[ "${PIPESTATUS[0]}" = 124 ] && echo "rc=124"
}
pcount() { nft list chain inet loginbox pasta_out 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*comment "host\(.*\)".*/\1/p' | awk '{s+=$1} END {print s+0}'; }

# ---- 1. a pasta box, then a bridge login
timeout -k 5 120 ssh "${SSH_OPTS[@]}" lbt-root@127.0.0.1 'echo "@@S=$LOGINBOX_SESSION@@"; echo READY; sleep 90' \
	>"$W/root.out" 2>&1 &
ROOT=$!
track_pid "$ROOT"
for _ in $(seq 1 600); do
	grep -q '^READY' "$W/root.out" && break
	sleep 0.1
done
grep -q '^READY' "$W/root.out" || diag "$(cat "$W/root.out")" "$(ls "$LB_RUN/net" 2>&1)"
RSID=$(marker "$(cat "$W/root.out")" S)
RPID=$(session_field "$RSID" init_pid)
SUBUID=$(awk '{print $1}' "$LB_RUN/net/pasta-$RSID" 2>/dev/null)
t_like "$SUBUID" '^[1-9][0-9]*$' "lbt-root's box has a pasta (uid ${SUBUID:-none})"
t_is "$(probe "$RPID" "$UP" 8080)" "connected" "the pasta box reaches the test host (positive control)"
c0=$(pcount)
t_like "$(probe "$RPID" "$HOSTONLY" 8095)" "rc=124" "the pasta box does not reach the host-only address (before any bridge login)"
c1=$(pcount)
[ "$c1" -gt "$c0" ] && tap_ok "pasta_out refused it (counter $c0 -> $c1)" ||
	tap_fail "pasta_out refused it" "counter $c0 -> $c1"

out=$(ssh_as lbt-alice "echo \"@@S=\$LOGINBOX_SESSION@@\"
echo \"@@UP=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)@@\"" 2>&1)
t_is "$(marker "$out" UP)" "upstream-ok" "a bridge login while the pasta box lives: alice reaches the test host (the bridge's chains were built)"
t_like "$(nft list set inet loginbox pasta_uids 2>&1)" "elements = \{.*\b$SUBUID\b" "pasta's uid is still in pasta_uids after the bridge built its part of the table"
t_like "$(nft list chain inet loginbox pasta_output 2>&1)" "skuid @pasta_uids" "the pasta_output chain is still there"
t_is "$(probe "$RPID" "$UP" 8080)" "connected" "the pasta box still reaches the test host (control)"
res=$(probe "$RPID" "$HOSTONLY" 8095)
t_like "$res" "rc=124" "after the bridge login the pasta box still does not reach the host-only address"
[ "$res" = connected ] && diag "the bridge login removed the pasta box's host-side rules"
stop_pid "$ROOT"
assert_no_leftovers "nothing of the pasta and bridge boxes remains"

# ---- 2. box root on a bridge: crafted frames to the host's loopback
mixed_conf bridge | write_conf
CRAFT='import fcntl, os, socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src = sys.argv[1]
# resolve the host end MAC: one real DNS query to the gateway (allowed)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x08upstream\x03lbt\x00\x00\x01\x00\x01", (sys.argv[2], 53))
time.sleep(0.3)
mac = None
for l in open("/proc/net/arp").read().splitlines()[1:]:
    f = l.split()
    if f[0] == sys.argv[2]: mac = bytes.fromhex(f[3].replace(":", ""))
me = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
p.bind(("eth0", 0))
print("@@RAW=ok@@")
for dst, port in [a.split(":") for a in sys.argv[3:]]:
    data = b"attack-" + dst.encode()
    udp = struct.pack("!HHHH", 40000, int(port), 8 + len(data), 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(udp))
    udp = udp[:6] + struct.pack("!H", csum(ph + udp) or 0xffff) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    for _ in range(3):
        p.send(mac + me + b"\x08\x00" + ip + udp)
    print("@@SENT_%s_%s=yes@@" % (dst, port))
'
boxin() { nft list chain inet loginbox box_in 2>/dev/null | sed -n 's/^[[:space:]]*counter packets \([0-9]*\).*reject.*/\1/p'; }
b0=$(boxin)
out=$(ssh_as lbt-root "echo \"@@ME=\$(id -u)@@\"
A=\$(ip -4 -o addr show eth0 | awk '{print \$4}' | cut -d/ -f1)
echo \"@@A=\$A@@\"
python3 -c '$CRAFT' \"\$A\" $GW $UP:9095 127.0.0.1:9095 $DNSLO:9095 $DNSLO:53 2>&1 | tail -n 8
sleep 1" 2>&1)
t_is "$(marker "$out" ME)" 0 "lbt-root is root in its bridged box"
if [ "$(marker "$out" RAW)" != ok ]; then
	t_like "$out" "Operation not permitted" "box root cannot open an AF_PACKET socket (no CAP_NET_RAW): the attack stops there"
	# a policy granting net_raw (or a hole elsewhere) would let it: the
	# same frames from the box's netns, sent by host root there, stand
	# for that box root; the host's rules are what must stop them
	timeout -k 5 60 ssh "${SSH_OPTS[@]}" lbt-root@127.0.0.1 'echo "@@S=$LOGINBOX_SESSION@@"; echo READY; sleep 30' \
		>"$W/root2.out" 2>&1 &
	R2=$!
	track_pid "$R2"
	for _ in $(seq 1 600); do
		grep -q '^READY' "$W/root2.out" && break
		sleep 0.1
	done
	R2PID=$(session_field "$(marker "$(cat "$W/root2.out")" S)" init_pid)
	A=$(nsenter -t "$R2PID" -n ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)
	out=$(nsenter -t "$R2PID" -n python3 -c "$CRAFT" "$A" $GW $UP:9095 127.0.0.1:9095 $DNSLO:9095 $DNSLO:53 2>&1)
	stop_pid "$R2"
fi
if [ "$(marker "$out" RAW)" = ok ]; then
	t_is "$(marker "$out" "SENT_${DNSLO}_53")" yes "box root sent crafted frames to 127.0.0.1 and $DNSLO"
	for _ in $(seq 1 30); do
		grep -q attack "$W/up_udp.log" && break
		sleep 0.1
	done
	t_like "$(cat "$W/up_udp.log")" "attack-$UP" "a crafted frame to the test host arrives there (positive control: the frames work)"
	t_unlike "$(cat "$W/lo_udp.log")" "attack" "nothing crafted reaches the host's listeners on 127.0.0.1 or $DNSLO"
	b1=$(boxin)
	[ "${b1:-0}" -gt "${b0:-0}" ] && tap_ok "the host's input chain refused the loopback frames (counter ${b0:-0} -> $b1)" ||
		tap_fail "the host's input chain refused the loopback frames" "counter ${b0:-0} -> ${b1:-0}; $(tail -n 3 "$W/dns.log")"
	t_unlike "$(cat "$W/dns.log")" "Traceback" "the loopback resolver was not disturbed"
fi
assert_no_leftovers "nothing of the bridged box remains"
