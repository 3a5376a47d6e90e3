#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/net.sh PREFIX USER: network = bridge and pasta against a plain veth pair
# between two namespaces, in the same run (called by bench/run.sh with its
# private install; USER is boxed there).  Measures:
#   - iperf3 TCP throughput: plain veth ns->ns, and box -> test host
#   - TCP connect latency (curl's time_connect, median of 20)
#   - what network = bridge and pasta add to a box build (the helper's
#     "network" phase, median of 20 `loginbox run --timing`)
# Every address is on this machine: namespaces of our own in 198.18.0.0/15.
# Targets (issue 12): bridge >= 90% of plain veth, adds < 2 ms to a build;
# pasta >= 50%, adds < 15 ms.
set -u
P=$1
U=$2
CONF=$P/etc/loginbox.conf
ADMIN=$P/sbin/loginbox
N=${LBN_ROUNDS:-20}
SECS=${LBN_SECS:-3}
say() { printf 'bench-net: %s\n' "$*" >&2; }

for t in iperf3 nft curl ip; do
	command -v "$t" >/dev/null || { say "skipped: $t missing (apt install iperf3 nftables curl)"; exit 0; }
done
if nft list table inet loginbox >/dev/null 2>&1; then
	say "skipped: an inet loginbox table exists (a system install's boxes are up)"
	exit 0
fi
T=$(mktemp -d /tmp/lbbnet.XXXXXX) || exit 1
chmod 755 "$T"
FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
cp -p "$CONF" "$T/conf.bak"
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cp -p "$T/conf.bak" "$CONF"
	"$ADMIN" gc >/dev/null 2>&1
	ip netns del lbb-up 2>/dev/null
	ip netns del lbb-pa 2>/dev/null
	ip netns del lbb-pb 2>/dev/null
	ip link del lbb-up0 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	rm -rf "$T"
}
trap cleanup EXIT

# plain veth pair: lbb-pa 198.18.2.1 <-> lbb-pb 198.18.2.2
ip netns add lbb-pa
ip netns add lbb-pb
ip link add eth0 netns lbb-pa type veth peer name eth0 netns lbb-pb
ip -n lbb-pa addr add 198.18.2.1/24 dev eth0
ip -n lbb-pb addr add 198.18.2.2/24 dev eth0
ip -n lbb-pa link set eth0 up
ip -n lbb-pb link set eth0 up
ip -n lbb-pa link set lo up
ip -n lbb-pb link set lo up
# test host for the box: lbb-up 198.18.0.1, the host 198.18.0.254
ip netns add lbb-up
ip link add lbb-up0 type veth peer name eth0 netns lbb-up
ip addr add 198.18.0.254/24 dev lbb-up0
ip link set lbb-up0 up
ip -n lbb-up addr add 198.18.0.1/24 dev eth0
ip -n lbb-up link set eth0 up
ip -n lbb-up link set lo up
mkdir -p "$T/www" && echo ok >"$T/www/m"
for ns in lbb-pb lbb-up; do
	ip netns exec $ns iperf3 -s >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
ip netns exec lbb-pb python3 -m http.server --bind 198.18.2.2 --directory "$T/www" 8080 >/dev/null 2>&1 &
PIDS="$PIDS $!"
ip netns exec lbb-up python3 -m http.server --bind 198.18.0.1 --directory "$T/www" 8080 >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 1

gbps() { python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
connect_ms() { # CMD-PREFIX... : median curl time_connect in ms
	:
	for _ in $(seq 1 "$N"); do
		"$@" curl -s -o /dev/null -w '%{time_connect}\n' "$URL"
	done | awk '{printf "%.3f\n", $1 * 1000}' | median
}

PLAIN_G=$(ip netns exec lbb-pa iperf3 -J -t "$SECS" -c 198.18.2.2 | gbps)
URL=http://198.18.2.2:8080/m
PLAIN_C=$(connect_ms ip netns exec lbb-pa)

# network = none builds first (the baseline of the phase), then bridge
phase_net() {
	:
	for _ in $(seq 1 "$N"); do
		"$ADMIN" run --timing -u "$U" -- true 2>&1 >/dev/null | sed -n 's/.* network=\([0-9]*\).*/\1/p'
	done | median
}
NONE_US=$(phase_net)
sed 's|^\[global\]$|[global]\nbridge_subnet = 198.19.254.0/24|' "$T/conf.bak" >"$CONF.new"
printf 'network = bridge\n' >>"$CONF.new"
mv "$CONF.new" "$CONF"
BRIDGE_US=$(phase_net)
BRIDGE_G=$("$ADMIN" run -u "$U" -- iperf3 -J -t "$SECS" -c 198.18.0.1 2>/dev/null | gbps)
URL=http://198.18.0.1:8080/m
BRIDGE_C=$("$ADMIN" run -u "$U" -- bash -c "for i in \$(seq 1 $N); do curl -s -o /dev/null -w '%{time_connect}\n' $URL; done" 2>/dev/null |
	awk '{printf "%.3f\n", $1 * 1000}' | median)

# network = pasta (skipped without /usr/bin/pasta)
PASTA_G=- PASTA_C=- PASTA_US=-
if [ -x /usr/bin/pasta ]; then
	sed 's/^network = bridge$/network = pasta/' "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	PASTA_US=$(phase_net)
	PASTA_G=$("$ADMIN" run -u "$U" -- iperf3 -J -t "$SECS" -c 198.18.0.1 2>/dev/null | gbps)
	PASTA_C=$("$ADMIN" run -u "$U" -- bash -c "for i in \$(seq 1 $N); do curl -s -o /dev/null -w '%{time_connect}\n' $URL; done" 2>/dev/null |
		awk '{printf "%.3f\n", $1 * 1000}' | median)
fi
ppct=$(python3 -c "print('%.0f' % (100 * float('${PASTA_G/-/0}') / float('${PLAIN_G:-1}')))" 2>/dev/null)

pct=$(python3 -c "print('%.0f' % (100 * float('${BRIDGE_G:-0}') / float('${PLAIN_G:-1}')))")
printf '\nnetwork (bench/net.sh, %s s iperf3, medians of %s)\n' "$SECS" "$N"
printf '  %-28s %10s %14s\n' "path" "Gbit/s" "connect ms"
printf '  %-28s %10s %14s\n' "plain veth ns -> ns" "$PLAIN_G" "$PLAIN_C"
printf '  %-28s %10s %14s   (%s%% of plain; target >= 90%%)\n' "bridge box -> test host" "$BRIDGE_G" "$BRIDGE_C" "$pct"
printf '  %-28s %10s %14s   (%s%% of plain; target >= 50%%)\n' "pasta box -> test host" "$PASTA_G" "$PASTA_C" "$ppct"
printf '  network phase of a build: none %s us, bridge %s us, pasta %s us (targets: bridge adds < 2000 us, pasta < 15000 us)\n' "$NONE_US" "$BRIDGE_US" "$PASTA_US"
