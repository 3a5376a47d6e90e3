#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# network = bridge against box root (lbt-root, inside_uid = root, which
# holds CAP_NET_ADMIN over its own netns): it may add any address to its
# eth0 and send from it, but only its leased address gets through (the
# host's src4 set, which box root cannot touch); its own nftables rules, had
# it any, are in its netns and do not bind the host's.  Test host in a
# namespace of our own at 198.18.0.1; boxes get 198.19.255.0/24.
set -u
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../shlib.sh"

W=$LBT_TMP/h92
mkdir -p "$W"
chmod 755 "$W"
# shellcheck source=../integration/net_lib.sh
. "$(dirname "$0")/../integration/net_lib.sh"
UPNS=lbt-up92
SPOOF=198.19.255.250

net_prereqs "anti-spoofing"
FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
	ip netns del "$UPNS" 2>/dev/null
	ip link del lbt-up92 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	reset_conf
}
trap cleanup EXIT

upstream_host "$UPNS" lbt-up92
# the test host answers the spoofed address too (a route back), so only
# the host's rules can stop the exchange
ip -n "$UPNS" route add "$SUBNET" via "$HOSTIP"
for _ in $(seq 1 50); do
	curl -s -m 1 "http://$UP:8080/m" >/dev/null 2>&1 && break
	sleep 0.1
done

make_root_image
base_conf | sed "s|^default = none\$|default = none\\nbridge_subnet = $SUBNET|" |
	sed 's/^inside_uid = root$/inside_uid = root\nnetwork = bridge/' | write_conf

out=$(ssh_as lbt-root "echo \"@@ME=\$(id -u)@@\"
echo \"@@OWN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)@@\"
echo \"@@ADDERR=\$(ip addr add $SPOOF/32 dev eth0 2>&1 | head -n 1)@@\"
ip -4 -o addr show eth0 | grep -q '$SPOOF/' && echo '@@ADDED=yes@@'
echo \"@@SPOOF=\$(curl -sS -m 3 --interface $SPOOF http://$UP:8080/m 2>&1)@@\"
echo \"@@AGAIN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)@@\"" 2>&1)
t_is "$(marker "$out" ME)" 0 "lbt-root is root in its box"
t_is "$(marker "$out" OWN)" "upstream-ok" "from its leased address the box reaches the test host (positive control)"
if [ "$(marker "$out" ADDED)" = yes ]; then
	tap_ok "box root adds $SPOOF to its eth0"
	t_like "$(marker "$out" SPOOF)" "Connection timed out|timed out after" "from the spoofed source nothing gets through (dropped on the host: a timeout)"
	drops=$(nft list chain inet loginbox from_box 2>/dev/null | sed -n 's/.*ip saddr != @src4 counter packets \([0-9]*\).*/\1/p')
	t_like "${drops:-0}" '^[1-9]' "the host's anti-spoofing rule counted the dropped packets"
else
	# the capability policy leaves box root without CAP_NET_ADMIN: the
	# attack stops one step earlier, and the host's rule stays the backstop
	t_like "$(marker "$out" ADDERR)" "Operation not permitted" "box root cannot add $SPOOF to its eth0 (no CAP_NET_ADMIN)"
	tap_skip "spoofed source dropped on the host" "box root could not add the address"
fi
t_is "$(marker "$out" AGAIN)" "upstream-ok" "the leased address still works after the attempt"

# box root claims the host's own address ($HOSTIP) as its source: a reply
# would go to the host, so the box cannot tell; the host's anti-spoofing
# counter must move by the attempt.  And box root's own nftables (in its
# netns) cannot open what egress closes on the host.
base_conf | sed "s|^default = none\$|default = none\\nbridge_subnet = $SUBNET|" |
	sed 's/^inside_uid = root$/inside_uid = root\nnetwork = bridge\negress = '"$UP"':8080\/tcp/' | write_conf
drops_now() { nft list chain inet loginbox from_box 2>/dev/null | sed -n 's/.*saddr != @src4 counter packets \([0-9]*\).*/\1/p'; }
d0=$(drops_now)
out=$(ssh_as lbt-root "echo \"@@OWN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)@@\"
ip addr add $HOSTIP/32 dev eth0 2>/dev/null && echo '@@ADDED=yes@@'
echo \"@@HOST=\$(curl -sS -m 3 --interface $HOSTIP http://$UP:8080/m 2>&1)@@\"
nft flush ruleset 2>/dev/null; nft add table inet mine 2>/dev/null && echo '@@NFT=yes@@'
echo \"@@OTHER=\$(timeout 5 bash -c 'exec 3<>/dev/tcp/$UP/8081 && echo connected' 2>&1 | head -n 1 | sed 's/^.*connect: //')@@\"" 2>&1)
t_is "$(marker "$out" OWN)" "upstream-ok" "egress = $UP:8080/tcp: box root reaches it (positive control)"
if [ "$(marker "$out" ADDED)" = yes ]; then
	t_like "$(marker "$out" HOST)" "timed out|Connection timed out" "box root sending as the host ($HOSTIP): nothing comes back"
	d1=$(drops_now)
	t_like "$((${d1:-0} - ${d0:-0}))" '^[1-9]' "the host's anti-spoofing rule dropped the packets claiming the host's address"
else
	tap_skip "spoofing the host's address" "box root could not add $HOSTIP"
	tap_skip "anti-spoofing counter" "box root could not add $HOSTIP"
fi
t_like "$(marker "$out" OTHER)" "No route to host" "after box root's own nftables changes, $UP:8081 (not in egress) is still rejected by the host"
assert_no_leftovers "nothing of the spoofing box remains"
assert_no_leftovers "nothing of the box remains"
