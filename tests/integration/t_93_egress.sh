#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# network = bridge under an egress policy, from inside real boxes: what the
# list allows answers (positive control first), what it does not is
# rejected on the host (admin-prohibited: "No route to host", and the
# table's egress counter moves); the never-reachable set stays closed even
# when egress names it; DNS by name through a resolver on a loopback
# address of the host (the 127.0.0.53 stub case: DNAT on the gateway);
# IPv6 out through bridge_subnet6; egress = none still resolves names;
# `loginbox show/policy/check` say what is enforced; a foreign forward
# chain ending in an unconditional reject is detected with its message;
# logout and gc after kill -9 leave no element.  Test host: a network
# namespace of our own (198.18.0.1 and fd93:0:0:1::1); boxes get
# 198.19.253.0/24 and fd93:0:0:b0::/64.  Nothing leaves this machine.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../shlib.sh"
# shellcheck source=net_lib.sh
. "$(dirname "$0")/net_lib.sh"
. "$(dirname "$0")/syslog_lib.sh"

W=$LBT_TMP/t93
mkdir -p "$W"
chmod 755 "$W"
UPNS=lbt-up93
UP=198.18.0.1
HOSTIP=198.18.0.254
UP6=fd93:0:0:1::1
HOST6=fd93:0:0:1::fe
SUBNET=198.19.253.0/24
GW=198.19.253.1
SUBNET6=fd93:0:0:b0::/64
DNSLO=127.0.0.77

if ! lb_ensure_packages "$W/apt.log" nftables curl iproute2; then
	tap_fail "nftables installed" "$(tail -n 5 "$W/apt.log")"
	exit 0
fi
if nft list table inet loginbox >/dev/null 2>&1; then
	tap_skip "egress" "an inet loginbox table exists on this host: not ours to change"
	exit 0
fi
if [ ! -e /proc/sys/net/ipv6/conf/all/forwarding ]; then
	tap_skip "egress" "IPv6 is disabled on this host"
	exit 0
fi

FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
FWD60=$(cat /proc/sys/net/ipv6/conf/all/forwarding)
# accept_ra of every interface: forwarding6 may move 1 to 2 (restored)
for f in /proc/sys/net/ipv6/conf/*/accept_ra; do
	echo "$f $(cat "$f")"
done >"$W/accept_ra.before"
cleanup() {
	ip netns del "$UPNS" 2>/dev/null
	ip link del lbt-up93 2>/dev/null
	ip addr del "$DNSLO/32" dev lo 2>/dev/null
	nft delete table inet lbtfw93 2>/dev/null
	nft delete table ip lbtnat93 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	echo "$FWD60" >/proc/sys/net/ipv6/conf/all/forwarding
	while read -r f v; do
		[ -e "$f" ] && echo "$v" >"$f" 2>/dev/null
	done <"$W/accept_ra.before"
	reset_conf
	stop_syslog
}
trap cleanup EXIT
start_syslog "$W/syslog"

# ---- the test host: TCP 8080 (allowed), 8081 (not allowed), UDP 9000
# (allowed), 9001 (not), HTTP on IPv6 8086 (allowed)
ip netns add "$UPNS"
ip link add lbt-up93 type veth peer name eth0 netns "$UPNS"
ip addr add "$HOSTIP/24" dev lbt-up93
ip -6 addr add "$HOST6/64" dev lbt-up93 nodad
ip link set lbt-up93 up
ip -n "$UPNS" link set lo up
ip -n "$UPNS" addr add "$UP/24" dev eth0
ip -n "$UPNS" -6 addr add "$UP6/64" dev eth0 nodad
ip -n "$UPNS" link set eth0 up
mkdir -p "$W/www"
echo "upstream-ok" >"$W/www/m"
chmod -R a+rX "$W/www"
for port in 8080 8081; do
	ip netns exec "$UPNS" python3 -m http.server --bind "$UP" --directory "$W/www" $port >"$W/http$port.log" 2>&1 &
	track_pid $!
done
ip netns exec "$UPNS" python3 -m http.server --bind "$UP6" --directory "$W/www" 8086 >"$W/http6.log" 2>&1 &
track_pid $!
udp_echo "$UPNS" "$UP" 9000 9001
# host listeners on its own addresses, IPv4 and IPv6
python3 -m http.server --bind "$HOSTIP" --directory "$W/www" 8082 >"$W/h4.log" 2>&1 &
track_pid $!
python3 -m http.server --bind "$HOST6" --directory "$W/www" 8087 >"$W/h6.log" 2>&1 &
track_pid $!
# the host's resolver on a loopback address (what a 127.0.0.53 stub is):
# upstream.lbt. -> 198.18.0.1, over UDP
ip addr add "$DNSLO/32" dev lo
dns_server - "$DNSLO" "$UP"
for _ in $(seq 1 50); do
	curl -s -m 1 "http://$UP:8081/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://[$UP6]:8086/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$HOSTIP:8082/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://[$HOST6]:8087/m" >/dev/null 2>&1 && break
	sleep 0.1
done
t_is "$(curl -s -m 2 "http://$UP:8081/m")" "upstream-ok" "the test host's 8081 answers the host (so a refusal from a box is the egress rule's)"
t_is "$(curl -s -m 2 "http://[$UP6]:8086/m")" "upstream-ok" "the test host answers over IPv6 from the host"
t_is "$(getent ahostsv4 upstream.lbt 2>/dev/null | head -n 1 | awk '{print $1}')" "" "upstream.lbt is not a name the host itself resolves (the box's answer comes from the test resolver)"
t_like "$(python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x08upstream\x03lbt\x00\x00\x01\x00\x01", ("'"$DNSLO"'", 53))
d = s.recv(512); print(socket.inet_ntoa(d[-4:]))' 2>&1)" "^$UP\$" "the loopback resolver answers on the host"

EGRESS="$UP/32:8080/tcp, $UP:9000/udp, [$UP6]:8086/tcp, $HOSTIP/32, [$HOST6]:8087/tcp, $SUBNET, 169.254.0.0/16"
egress_conf() { # EGRESS-OF-BOB
	base_conf | sed 's|^network = none$|network = bridge\negress = '"$EGRESS"'|' |
		sed "s|^default = none\$|default = none\\nbridge_subnet = $SUBNET\\nbridge_subnet6 = $SUBNET6\\nbridge_dns = $DNSLO|"
	printf '\n[user.lbt-bob]\nnetwork = bridge\negress = %s\n' "$1"
}
egress_conf none | write_conf
t_like "$("$LB_ADMIN" check 2>&1)" "note: \[group.lbt-boxed\] network = bridge: .* egress = $UP/32:8080/tcp, $UP/32:9000/udp, \[$UP6/128\]:8086/tcp" "loginbox check reports the group's egress, normalized"
t_like "$("$LB_ADMIN" policy lbt-alice 2>&1)" "egress += $UP/32:8080/tcp" "loginbox policy prints egress"

egress_count() { nft list chain inet loginbox from_box 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*comment "egress".*/\1/p'; }
PROBE='probe() { timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && echo connected" 2>&1 | head -n 1 | sed "s/^.*connect: //"; }
udp() { timeout 3 bash -c "exec 4<>/dev/udp/$1/$2; echo hi >&4; timeout 2 head -c 7 <&4"; }'

# ---- alice: the list
out=$(ssh_as lbt-alice "$PROBE
echo S=\$LOGINBOX_SESSION
echo ALLOW=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
echo DENY=\$(probe $UP 8081)
echo UALLOW=\$(udp $UP 9000)
echo UDENY=\$(udp $UP 9001)
echo ADDR6=\$(ip -6 -o addr show eth0 scope global | awk '{print \$4}')
echo ALLOW6=\$(curl -sS -m 5 'http://[$UP6]:8086/m' 2>&1)
echo DENY6=\$(probe $UP6 8081)
echo HOST4=\$(probe $HOSTIP 8082)
echo HOST6=\$(probe $HOST6 8087)
echo GW=\$(probe $GW 22)
echo RESOLV=\$(grep nameserver /etc/resolv.conf)
echo NAME=\$(getent hosts upstream.lbt)
echo BYNAME=\$(curl -sS -m 5 http://upstream.lbt:8080/m 2>&1)
echo AGAIN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
sleep 1" 2>&1)
ASID=$(kv "$out" S)
t_is "$(kv "$out" ALLOW)" "upstream-ok" "egress allows $UP:8080/tcp: it answers (positive control)"
c0=$(egress_count)
t_is "$(kv "$out" DENY)" "No route to host" "egress does not list $UP:8081: rejected on the host (admin-prohibited), though a listener is there"
t_like "${c0:-0}" '^[1-9]' "the table's egress reject rule counted it"
t_is "$(kv "$out" UALLOW)" "pong:hi" "egress allows $UP:9000/udp: it answers"
t_is "$(kv "$out" UDENY)" "" "egress does not list $UP:9001/udp: no answer"
t_like "$(kv "$out" ADDR6)" '^fd93:0:0:b0::[0-9a-f]+/128$' "the box has an IPv6 address from bridge_subnet6"
t_is "$(kv "$out" ALLOW6)" "upstream-ok" "IPv6 from the box to the test host (NAT66), allowed by egress"
t_is "$(kv "$out" DENY6)" "Permission denied" "egress does not list [$UP6]:8081: rejected on the host (not the test host's reset)"
t_is "$(kv "$out" HOST4)" "No route to host" "the host's IPv4 address is unreachable though egress names it"
t_is "$(kv "$out" HOST6)" "Permission denied" "the host's IPv6 address is unreachable though egress names it (ICMPv6 administratively prohibited is EACCES)"
t_is "$(kv "$out" GW)" "No route to host" "the gateway (a host address) is unreachable"
t_is "$(kv "$out" RESOLV)" "nameserver $GW" "a loopback bridge_dns: the box's resolv.conf names the gateway"
t_like "$(kv "$out" NAME)" "^$UP +upstream\.lbt" "DNS by name from the box through the host's loopback resolver"
t_is "$(kv "$out" BYNAME)" "upstream-ok" "HTTP by name from the box"
t_is "$(kv "$out" AGAIN)" "upstream-ok" "the box still reaches what egress allows after the refusals"

# ---- egress = none (bob), held open for show, the never set, kill -9
timeout -k 5 60 ssh "${SSH_OPTS[@]}" lbt-bob@127.0.0.1 "$PROBE
echo S=\$LOGINBOX_SESSION
echo NAME=\$(getent hosts upstream.lbt)
echo UP=\$(probe $UP 8080)
echo DONE=1
sleep 30" >"$W/bob.out" 2>&1 &
BOB=$!
track_pid "$BOB"
for _ in $(seq 1 150); do
	grep -q '^DONE=' "$W/bob.out" && break
	sleep 0.1
done
bob=$(cat "$W/bob.out")
BSID=$(kv "$bob" S)
t_like "$(kv "$bob" NAME)" "^$UP +upstream\.lbt" "egress = none: DNS by name still works (the one exception)"
t_is "$(kv "$bob" UP)" "No route to host" "egress = none: $UP:8080 is rejected"
show=$("$LB_ADMIN" show "$BSID" 2>&1)
t_like "$show" "network6 +fd93:0:0:b0::[0-9a-f]+/128 via host veth lbh$BSID" "loginbox show gives the IPv6 address"
t_like "$show" "egress +none \(never" "loginbox show gives the box's egress and what is never reachable"
t_is "$("$LB_ADMIN" show --json "$BSID" 2>&1 | python3 -c 'import json, sys; n = json.load(sys.stdin)["network"]; print(n["mode"], n["egress"], n["address"] == "'"$(session_field "$BSID" net_addr)"'")')" "bridge none True" "loginbox show --json has network.mode, .egress and .address"
t_like "$(nft list set inet loginbox src6 2>&1)" "\"lbh$BSID\" \. fd93:0:0:b0::" "bob's IPv6 address is in the anti-spoofing set"

# an address the host gains after the box started: refused by the input
# chain (every local address, no list kept), seen from bob's netns
LATE=198.18.0.253
ip addr add "$LATE/32" dev lbt-up93
python3 -m http.server --bind "$LATE" --directory "$W/www" 8084 >"$W/late.log" 2>&1 &
track_pid $!
for _ in $(seq 1 50); do
	curl -s -m 1 "http://$LATE:8084/m" >/dev/null 2>&1 && break
	sleep 0.1
done
boxin_count() { nft list chain inet loginbox box_in 2>/dev/null | sed -n 's/^[[:space:]]*counter packets \([0-9]*\).*reject.*/\1/p'; }
t_is "$(curl -s -m 2 "http://$LATE:8084/m")" "upstream-ok" "the host's new address $LATE answers the host (control)"
b0=$(boxin_count)
late=$(nsenter -t "$(session_field "$BSID" init_pid)" -n timeout 5 bash -c "exec 3<>/dev/tcp/$LATE/8084 && echo connected" 2>&1 | head -n 1 | sed 's/^.*connect: //')
t_is "$late" "No route to host" "an address the host gained after the box started is unreachable from it"
t_like "$(( $(boxin_count) - ${b0:-0} ))" '^[1-9]' "refused by the host's input chain (its counter moved)"

# a host DNAT (a published container port, say) does not open the host to
# a box: HOSTIP:8083 -> UP:8080 is rejected though UP:8080 is allowed
nft add table ip lbtnat93
nft 'add chain ip lbtnat93 pre { type nat hook prerouting priority dstnat; }'
nft "add rule ip lbtnat93 pre ip daddr $HOSTIP tcp dport 8083 dnat to $UP:8080"
out=$(ssh_as lbt-alice "$PROBE
echo S=\$LOGINBOX_SESSION
echo DIRECT=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
echo DNAT=\$(probe $HOSTIP 8083)" 2>&1)
t_is "$(kv "$out" DIRECT)" "upstream-ok" "alice reaches $UP:8080 directly (positive control)"
t_is "$(kv "$out" DNAT)" "No route to host" "a host DNAT rule does not take a box to it ($HOSTIP:8083)"
nft delete table ip lbtnat93
DSID=$(kv "$out" S)

# ---- elements: none of alice's after logout; bob's gone after kill -9 + gc
elements_of() { nft list table inet loginbox 2>/dev/null | grep -o "\"lbh$1\"" | sort -u; }
# the teardown of a logout may still run when the client returns: poll
for _ in $(seq 1 50); do
	[ -z "$(elements_of "$DSID")" ] && break
	sleep 0.2
done
t_is "$(elements_of "$DSID")" "" "after the second logout of alice: no element of lbh$DSID"
t_is "$(elements_of "$ASID")" "" "after alice's logout: no element of lbh$ASID in any set or map"
[ -n "$(elements_of "$ASID")" ] &&
	diag "$(nft list table inet loginbox 2>&1 | grep -v '^\s*$' | head -n 70)" "$(cat "$W/syslog" 2>/dev/null | grep -i "element" | tail -n 5)"
t_like "$(elements_of "$BSID")" "lbh$BSID" "bob's box has its elements (control)"
kill -9 "$(session_field "$BSID" init_pid)"
stop_pid "$BOB"
"$LB_ADMIN" gc >"$W/gc.out" 2>&1
t_is "$(elements_of "$BSID")" "" "kill -9 of bob's init, then gc: no element of lbh$BSID"
t_is "$(ip -o link show 2>/dev/null | grep -c ': lbh')" "0" "and no lbh* interface"
assert_no_leftovers "egress: nothing remains"

# ---- check: a bad egress names the file and key
mkdir -p "$LB_CONFD"
printf '[group.lbt-boxed]\negress = 10.1.2.3/24:443\n' >"$LB_CONFD/lbt-93.conf"
t_like "$("$LB_ADMIN" check 2>&1)" "$LB_CONFD/lbt-93.conf: \[group.lbt-boxed\] egress: \"10.1.2.3/24:443\": the address has bits set beyond its /24 prefix" "loginbox check: a bad egress names file, section, key and what is wrong"
rm -f "$LB_CONFD/lbt-93.conf"

# ---- a foreign forward chain that ends in an unconditional reject
# (firewalld's shape): detected, refused, nothing half-built
nft add table inet lbtfw93
nft 'add chain inet lbtfw93 lbtfwd { type filter hook forward priority 0; policy accept; }'
nft 'add rule inet lbtfw93 lbtfwd ct state invalid drop'
nft 'add rule inet lbtfw93 lbtfwd reject with icmpx type admin-prohibited'
out=$(ssh_as lbt-alice 'echo "@@RAN@@"' 2>&1)
t_unlike "$out" '@@RAN@@' "a foreign forward reject: the login is refused"
t_like "$out" 'table `inet lbtfw93` chain `lbtfwd` ends with `reject' "a foreign forward reject: the client is told which table and chain"
left=$(nft list table inet loginbox 2>/dev/null | grep '"lbh[0-9]')
t_is "$(printf '%s' "$left" | grep -c .)" "0" "a foreign forward reject: no element left"
[ -n "$left" ] && diag "$left" "$(grep -i "element" "$W/syslog" 2>/dev/null | tail -n 5)"
nft delete table inet lbtfw93
out=$(ssh_as lbt-alice "curl -sS -m 5 http://$UP:8080/m" 2>&1)
t_like "$out" '^upstream-ok' "without it the same login works again"
assert_no_leftovers "and leaves nothing"
