#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# network = bridge, from inside real boxes: outbound TCP and UDP through NAT
# to a test host (a network namespace of our own at 198.18.0.1, routed from
# the host's 198.18.0.254); never reachable: the host's addresses (the
# gateway, the test link's), link-local (a listener at 169.254.169.254 on
# the test host), another box; a box's listener is not reachable from the
# host; teardown and gc after kill -9 leave no veth, element, lease; bad
# input (no subnet, a foreign forward drop) refuses and leaves nothing.
# All traffic stays on this machine: boxes get 198.19.255.0/24.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/t95
mkdir -p "$W"
chmod 755 "$W"
# shellcheck source=net_lib.sh
. "$(dirname "$0")/net_lib.sh"
UPNS=lbt-up
GW=198.19.255.1
LL=169.254.169.254

net_prereqs "network = bridge"

FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
	ip netns del "$UPNS" 2>/dev/null
	ip link del lbt-up0 2>/dev/null
	ip route del "$LL/32" 2>/dev/null
	nft delete table ip lbtfw 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	reset_conf
}
trap cleanup EXIT

# ---- the test host
upstream_host "$UPNS" lbt-up0
ip -n "$UPNS" addr add "$LL/32" dev lo
# link-local traffic that got past the rules would land on the test host,
# never on a real metadata service
ip route add "$LL/32" via "$UP" dev lbt-up0
ip netns exec "$UPNS" python3 -m http.server --bind "$LL" --directory "$W/www" 8081 >"$W/ll.log" 2>&1 &
track_pid $!
udp_echo "$UPNS" "$UP" 9000
# a DNS server on the test host: upstream.lbt. -> 198.18.0.1
dns_server "$UPNS" "$UP" "$UP"
# host listeners on its own addresses: what a box must not reach
python3 -m http.server --bind "$HOSTIP" --directory "$W/www" 8082 >"$W/h1.log" 2>&1 &
track_pid $!
for _ in $(seq 1 50); do
	curl -s -m 1 "http://$UP:8080/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$LL:8081/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$HOSTIP:8082/m" >/dev/null 2>&1 && break
	sleep 0.1
done
t_is "$(curl -s -m 2 "http://$LL:8081/m")" "upstream-ok" "the link-local listener answers the host (so a refusal from a box is the rules')"

bridge_conf() {
	base_conf | sed 's/^network = none$/network = bridge/' |
		sed "s|^default = none\$|default = none\\nbridge_subnet = $SUBNET\\nbridge_dns = $UP|"
}
bridge_conf | write_conf

# probe HOST PORT: bash's own connect message (connected / refused / no route)
PROBE='probe() { timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && echo connected" 2>&1 | head -n 1 | sed "s/^.*connect: //"; }'

# ---- outbound TCP, UDP; the box's address
out=$(ssh_as lbt-alice "$PROBE
echo ADDR=\$(ip -4 -o addr show eth0 | awk '{print \$4}')
echo PEER=\$(ip -4 -o addr show eth0 | awk '{print \$6}')
echo ROUTE=\$(ip -4 route show default)
echo HTTP=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
exec 4<>/dev/udp/$UP/9000; echo hi >&4; echo UDP=\$(timeout 3 head -c 7 <&4)
echo LO=\$(probe 127.0.0.1 22)
echo GW=\$(probe $GW 22)
echo HOSTIP=\$(probe $HOSTIP 8082)
echo LL=\$(probe $LL 8081)
echo AGAIN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
echo RESOLV=\$(grep nameserver /etc/resolv.conf)
echo NAME=\$(getent hosts upstream.lbt)
echo BYNAME=\$(curl -sS -m 5 http://upstream.lbt:8080/m 2>&1)" 2>&1)
t_like "$(kv "$out" ADDR)" '^198\.19\.255\.[0-9]+$' "the box has an address from bridge_subnet on eth0"
t_is "$(kv "$out" PEER)" "$GW/32" "its peer is the gateway, a /32"
t_like "$(kv "$out" ROUTE)" "^default via $GW dev eth0" "its default route is the gateway on eth0"
t_is "$(kv "$out" HTTP)" "upstream-ok" "TCP from the box to the test host (NAT)"
t_is "$(kv "$out" UDP)" "pong:hi" "UDP from the box to the test host and back"
t_is "$(kv "$out" LO)" "Connection refused" "127.0.0.1 in the box is the box's own loopback (the host's sshd is not there)"
t_is "$(kv "$out" GW)" "No route to host" "the gateway (a host address) refuses with admin-prohibited"
t_is "$(kv "$out" HOSTIP)" "No route to host" "the host's interface address is unreachable though a listener is there"
t_is "$(kv "$out" LL)" "No route to host" "link-local 169.254.169.254 is unreachable though a listener is there"
t_is "$(kv "$out" AGAIN)" "upstream-ok" "the same box still reaches the test host after the refusals"
t_is "$(kv "$out" RESOLV)" "nameserver $UP" "the box's own /etc/resolv.conf names bridge_dns"
t_like "$(kv "$out" NAME)" "^$UP +upstream\.lbt" "DNS by name from the box (the test host's resolver)"
t_is "$(kv "$out" BYNAME)" "upstream-ok" "HTTP by name from the box"
assert_no_leftovers "network = bridge: the logout leaves nothing"

# no veth, element or lease of ours remains
net_leftovers() {
	ip -o link show | awk -F': ' '{print $2}' | grep '^lbh' | sed 's/^/veth /'
	nft list set inet loginbox src4 2>/dev/null | grep -o 'lbh[0-9]* \. [0-9.]*' | sed 's/^/element /'
	find "$LB_RUN/net" -mindepth 1 -maxdepth 1 ! -name ".*" -printf "lease %f\n" 2>/dev/null
}
t_is "$(net_leftovers)" "" "after logout: no lbh* veth, no src4 element, no lease"

# ---- another box, and the host, against a box's listener
bg_session lbt-bob bob "$PROBE
python3 -m http.server --bind 0.0.0.0 8090 >/dev/null 2>&1 &
for i in \$(seq 1 50); do [ \"\$(probe 127.0.0.1 8090)\" = connected ] && break; sleep 0.1; done
echo SELF=\$(probe 127.0.0.1 8090)
sleep 20"
BSID=$SID BOB=$BG_PID
bg_wait bob '^SELF='
BADDR=$(session_field "$BSID" net_addr)
t_is "$(kv "$(cat "$W/bob.out")" SELF)" "connected" "bob's box listens on 8090 (positive control)"
t_like "$BADDR" '^198\.19\.255\.' "bob's state file records the box's address"
t_is "$(session_field "$BSID" net)" "bridge" "the state file records network = bridge"
t_like "$("$LB_ADMIN" show "$BSID" 2>&1)" "^network +bridge $BADDR/32 via host veth lbh$BSID" "loginbox show gives the mode, address and veth"
hostp=$(timeout 5 bash -c "exec 3<>/dev/tcp/$BADDR/8090 && echo connected" 2>&1 | head -n 1 | sed 's/^.*connect: //')
t_is "$hostp" "No route to host" "the host cannot connect to a box's listener"
out=$(ssh_as lbt-alice "$PROBE
echo UP=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
echo BOB=\$(probe $BADDR 8090)" 2>&1)
t_is "$(kv "$out" UP)" "upstream-ok" "alice's box reaches the test host (positive control)"
t_is "$(kv "$out" BOB)" "No route to host" "alice's box cannot reach bob's box"

# ---- kill -9 of the box's init, then gc
IPID=$(session_field "$BSID" init_pid)
t_like "$(ip -o link show "lbh$BSID" 2>&1)" "lbh$BSID" "bob's box has its host veth lbh$BSID"
kill -9 "$IPID"
stop_pid "$BOB"
"$LB_ADMIN" gc >"$W/gc.out" 2>&1
assert_no_leftovers "kill -9 of a bridged box's init, then gc: nothing remains"
t_is "$(net_leftovers)" "" "after kill -9 and gc: no veth, element or lease"

# ---- bad input: refused with the reason, nothing half-built
# refused NAME ERE: an ssh login of lbt-alice is refused, the client is told
# why (sshd prints PAM's messages on stdout); no veth, element, lease.
refused() {
	local out
	out=$(ssh_as lbt-alice 'echo "@@RAN@@"' 2>&1)
	t_unlike "$out" '@@RAN@@' "$1: the login is refused"
	t_like "$out" "$2" "$1: the client is told why (/$2/)"
	t_is "$(net_leftovers)" "" "$1: no veth, element or lease"
	assert_no_leftovers "$1: nothing remains" 5
}
base_conf | sed 's/^network = none$/network = bridge/' | write_conf
refused "no bridge_subnet" 'no \[global\] bridge_subnet'

bridge_conf | write_conf
nft add table ip lbtfw
nft 'add chain ip lbtfw lbtforward { type filter hook forward priority 0; policy drop; }'
refused "a foreign forward chain with policy drop" 'table `ip lbtfw` chain `lbtforward` drops forwarded packets'
nft delete table ip lbtfw
out=$(ssh_as lbt-alice "curl -sS -m 5 http://$UP:8080/m" 2>&1)
t_like "$out" '^upstream-ok' "without the foreign drop the same login works again"
assert_no_leftovers "and leaves nothing"
