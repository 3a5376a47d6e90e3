#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/net.sh PREFIX USER: network = bridge and pasta against a plain veth pair
# between two namespaces, in the same run (called by bench/run.sh with its
# private install; USER is boxed there; `sudo LBB_ONLY=net make bench` runs
# this part alone).  Measures:
#   - iperf3 TCP throughput: plain veth ns -> ns, a routed path with the
#     bridge's topology but no firewall (a diagnostic row: what the extra
#     hop costs, apart from the rules), and box -> test host for bridge and
#     pasta.  LBN_REPS rounds of LBN_SECS s each, every round runs each
#     path once, in a random order; the ratio to plain is taken per round
#     (the plain run of the same round) and its median reported;
#   - TCP connect latency (curl's time_connect, median of LBN_ROUNDS);
#   - what each mode adds to a box build: LBN_ROUNDS rounds of one
#     `loginbox run --timing` per mode (none, bridge, pasta) in a random
#     order; the medians of the helper's "network" phase and of
#     helper_total, and each mode minus none.
# Every address is on this machine: namespaces of our own in 198.18.0.0/15.
# Targets (issue 12): bridge >= 90% of plain veth, adds < 2 ms to a build;
# pasta >= 50%, adds < 15 ms.
set -u
P=$1
U=$2
CONF=$P/etc/loginbox.conf
ADMIN=$P/sbin/loginbox
N=${LBN_ROUNDS:-20}
SECS=${LBN_SECS:-5}
REPS=${LBN_REPS:-7}
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
	local p ns
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cp -p "$T/conf.bak" "$CONF"
	"$ADMIN" gc >/dev/null 2>&1
	for ns in lbb-up lbb-pa lbb-pb lbb-rr lbb-rb lbb-ru; do
		ip netns del $ns 2>/dev/null
	done
	ip link del lbb-up0 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	rm -rf "$T"
}
trap cleanup EXIT

netns() { # NAME: a namespace with lo up
	ip netns add "$1" && ip -n "$1" link set lo up
}
# plain veth pair: lbb-pa 198.18.2.1 <-> lbb-pb 198.18.2.2
netns lbb-pa
netns lbb-pb
ip link add eth0 netns lbb-pa type veth peer name eth0 netns lbb-pb
ip -n lbb-pa addr add 198.18.2.1/24 dev eth0
ip -n lbb-pb addr add 198.18.2.2/24 dev eth0
ip -n lbb-pa link set eth0 up
ip -n lbb-pb link set eth0 up
# routed, no firewall (the bridge's topology): lbb-rb 198.18.4.2/32 ->
# router lbb-rr (forwarding, no nftables) -> lbb-ru 198.18.3.1
netns lbb-rr
netns lbb-rb
netns lbb-ru
ip -n lbb-rr link add r0 type veth peer name eth0 netns lbb-rb
ip -n lbb-rr link add r1 type veth peer name eth0 netns lbb-ru
ip -n lbb-rr addr add 198.18.4.1 peer 198.18.4.2 dev r0
ip -n lbb-rb addr add 198.18.4.2 peer 198.18.4.1 dev eth0
ip -n lbb-rr addr add 198.18.3.254/24 dev r1
ip -n lbb-ru addr add 198.18.3.1/24 dev eth0
for l in "lbb-rr r0" "lbb-rr r1" "lbb-rb eth0" "lbb-ru eth0"; do
	# shellcheck disable=SC2086 # "NS DEV"
	ip -n ${l% *} link set ${l#* } up
done
ip -n lbb-rb route add default via 198.18.4.1
ip -n lbb-ru route add 198.18.4.0/24 via 198.18.3.254
ip netns exec lbb-rr sysctl -qw net.ipv4.ip_forward=1
# test host for the boxes: lbb-up 198.18.0.1, the host 198.18.0.254
netns lbb-up
ip link add lbb-up0 type veth peer name eth0 netns lbb-up
ip addr add 198.18.0.254/24 dev lbb-up0
ip link set lbb-up0 up
ip -n lbb-up addr add 198.18.0.1/24 dev eth0
ip -n lbb-up link set eth0 up
mkdir -p "$T/www" && echo ok >"$T/www/m"
for ns in lbb-pb lbb-ru lbb-up; do
	ip netns exec $ns iperf3 -s >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
ip netns exec lbb-pb python3 -m http.server --bind 198.18.2.2 --directory "$T/www" 8080 >/dev/null 2>&1 &
PIDS="$PIDS $!"
ip netns exec lbb-up python3 -m http.server --bind 198.18.0.1 --directory "$T/www" 8080 >/dev/null 2>&1 &
PIDS="$PIDS $!"
# the servers are up when their ports answer (bounded)
for _ in $(seq 1 100); do
	ip netns exec lbb-pb bash -c 'exec 3<>/dev/tcp/198.18.2.2/5201 && exec 3<>/dev/tcp/198.18.2.2/8080' 2>/dev/null &&
		ip netns exec lbb-ru bash -c 'exec 3<>/dev/tcp/198.18.3.1/5201' 2>/dev/null &&
		ip netns exec lbb-up bash -c 'exec 3<>/dev/tcp/198.18.0.1/5201 && exec 3<>/dev/tcp/198.18.0.1/8080' 2>/dev/null &&
		break
	sleep 0.1
done

# the configs of the three modes, swapped in with a rename
cp -p "$T/conf.bak" "$T/conf.none"
sed 's|^\[global\]$|[global]\nbridge_subnet = 198.19.254.0/24|' "$T/conf.bak" >"$T/conf.bridge"
printf 'network = bridge\n' >>"$T/conf.bridge"
sed 's/^network = bridge$/network = pasta/' "$T/conf.bridge" >"$T/conf.pasta"
chmod 0644 "$T/conf.bridge" "$T/conf.pasta"
MODES="none bridge"
[ -x /usr/bin/pasta ] && MODES="$MODES pasta" || say "no /usr/bin/pasta (apt install passt): pasta not measured"
use() { cp -p "$T/conf.$1" "$CONF.new" && mv "$CONF.new" "$CONF"; }
shuffled() { printf '%s\n' "$@" | shuf; }

gbps() { python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }
ms_median() { awk '{printf "%.3f\n", $1 * 1000}' | median; }

# --- throughput: REPS interleaved rounds
iperf() { # PATH -> Gbit/s
	case $1 in
	plain) ip netns exec lbb-pa iperf3 -J -t "$SECS" -c 198.18.2.2 | gbps ;;
	routed) ip netns exec lbb-rb iperf3 -J -t "$SECS" -c 198.18.3.1 | gbps ;;
	*) use "$1" && "$ADMIN" run -u "$U" -- iperf3 -J -t "$SECS" -c 198.18.0.1 2>/dev/null | gbps ;;
	esac
}
PATHS="plain routed ${MODES#none }"
: >"$T/tput"
for r in $(seq 1 "$REPS"); do
	for p in $(shuffled $PATHS); do
		echo "$r $p $(iperf "$p")" >>"$T/tput"
	done
done
# per path: median Gbit/s, and the median over rounds of path/plain
tput_row() { # PATH -> "MEDIAN-GBPS MEDIAN-PCT PCT,PCT,..."
	python3 - "$1" "$T/tput" <<'PY'
import statistics, sys
path, plain, rows = sys.argv[1], {}, []
for line in open(sys.argv[2]):
    r, p, g = line.split()
    if p == "plain":
        plain[r] = float(g)
    elif p == path:
        rows.append((r, float(g)))
pct = [100 * g / plain[r] for r, g in rows if plain.get(r)]
if path == "plain" and plain:
    print("%.2f 100 -" % statistics.median_low(plain.values()))
elif not pct:
    print("- - -")
else:
    print("%.2f %.0f %s" % (statistics.median_low(g for _, g in rows),
                            statistics.median_low(pct),
                            ",".join("%.0f" % x for x in pct)))
PY
}

# --- connect latency
connect_ms() { # URL CMD-PREFIX...
	local url=$1
	shift
	"$@" bash -c "for i in \$(seq 1 $N); do curl -s -o /dev/null -w '%{time_connect}\n' $url; done" 2>/dev/null | ms_median
}
PLAIN_C=$(connect_ms http://198.18.2.2:8080/m ip netns exec lbb-pa)
declare -A CONN
for m in ${MODES#none }; do
	use "$m"
	CONN[$m]=$(connect_ms http://198.18.0.1:8080/m "$ADMIN" run -u "$U" --)
done

# --- build cost: N interleaved rounds of one build per mode
: >"$T/build"
for _ in $(seq 1 "$N"); do
	for m in $(shuffled $MODES); do
		use "$m"
		"$ADMIN" run --timing -u "$U" -- true 2>&1 >/dev/null |
			sed -n "s/.* network=\([0-9]*\).* helper_total=\([0-9]*\).*/$m \1 \2/p" >>"$T/build"
	done
done
col_median() { awk -v m="$1" -v c="$2" '$1 == m {print $c}' "$T/build" | median; }
declare -A NET TOT
for m in $MODES; do
	NET[$m]=$(col_median "$m" 2)
	TOT[$m]=$(col_median "$m" 3)
done
use none

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\nnetwork (bench/net.sh: %s rounds of %s s iperf3, paths in random order per round; medians of %s; load %s)\n' \
	"$REPS" "$SECS" "$N" "$LOAD"
printf '  %-34s %8s %8s  %-22s %10s\n' "path" "Gbit/s" "% plain" "per round" "connect ms"
printf '  %-34s %8s %8s  %-22s %10s\n' "plain veth ns -> ns" "$(tput_row plain | cut -d' ' -f1)" 100 "" "$PLAIN_C"
read -r g c a <<<"$(tput_row routed)"
printf '  %-34s %8s %8s  %-22s %10s\n' "routed veth, no firewall (diag.)" "$g" "$c" "$a" ""
read -r BR_G BR_PCT a <<<"$(tput_row bridge)"
printf '  %-34s %8s %8s  %-22s %10s   target >= 90%%\n' "bridge box -> test host" "$BR_G" "$BR_PCT" "$a" "${CONN[bridge]}"
PA_PCT=-
if [ -n "${CONN[pasta]:-}" ]; then
	read -r PA_G PA_PCT a <<<"$(tput_row pasta)"
	printf '  %-34s %8s %8s  %-22s %10s   target >= 50%%\n' "pasta box -> test host" "$PA_G" "$PA_PCT" "$a" "${CONN[pasta]}"
fi
printf '  build, medians (us):  %-8s %10s %14s %12s\n' mode network helper_total added
for m in $MODES; do
	printf '  %22s %-8s %10s %14s %12s\n' "" "$m" "${NET[$m]}" "${TOT[$m]}" \
		"$([ "$m" = none ] && echo - || echo $((${TOT[$m]} - ${TOT[none]})))"
done
verdict() { # VALUE OP LIMIT
	python3 -c "import sys; v=sys.argv[1]; print('-' if v in ('-','') else ('met' if float(v) $2 float(sys.argv[2]) else 'MISSED'))" "$1" "$3"
}
printf '  targets: bridge >= 90%%: %s; pasta >= 50%%: %s; bridge network phase < 2000 us: %s; pasta < 15000 us: %s\n' \
	"$(verdict "$BR_PCT" '>=' 90)" "$(verdict "$PA_PCT" '>=' 50)" \
	"$(verdict "${NET[bridge]}" '<' 2000)" "$(verdict "${NET[pasta]:--}" '<' 15000)"
[ -n "${LBN_RAW:-}" ] && cp "$T/tput" "$LBN_RAW.tput" && cp "$T/build" "$LBN_RAW.build"
exit 0
