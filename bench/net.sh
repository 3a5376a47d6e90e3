#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/net.sh PREFIX USER: network = bridge and pasta against a plain veth pair
# between two namespaces, in the same run (called by bench/run.sh with its
# private install; USER is boxed there; `sudo LBB_ONLY=net make bench` runs
# this part alone).  Measures:
#   - iperf3 TCP throughput: plain veth ns -> ns, box -> test host for
#     bridge and pasta, and three diagnostic rows: the bridge's topology
#     (routed /32 veth, one more hop) in namespaces of our own without a
#     firewall, the same with a copy of the live `inet loginbox` table
#     (what the rules and conntrack cost, apart from the box), and pasta
#     the other way (test host -> box, iperf3 -R).  LBN_REPS rounds of LBN_SECS s each, every round runs each
#     path once, in a random order; the ratio to plain is taken per round
#     (the plain run of the same round) and its median reported;
#   - TCP connect latency (curl's time_connect, median of LBN_ROUNDS);
#   - what each mode adds to a box build: LBN_ROUNDS rounds of one
#     `loginbox run --timing` per mode (none, bridge, pasta) in a random
#     order; the medians of the helper's "network" phase and of
#     helper_total, and each mode minus none; in the same rounds, pasta
#     started alone (same options, namespaces of its own, no loginbox):
#     what of the pasta build is pasta's own start.
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
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
cleanup() {
	local p ns
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cp -p "$T/conf.bak" "$CONF"
	"$ADMIN" gc >/dev/null 2>&1
	for ns in lbb-up lbb-pa lbb-pb lbb-rr lbb-rb lbb-ru lbb-rf lbb-fb lbb-fu; do
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
# routed, the bridge's topology in namespaces of our own: client CNS
# A.2/32 -> router RNS (forwarding) -> test host UNS B.1; the router's
# client end is named lbh0 so that a copy of loginbox's table matches it.
routed() { # CNS RNS UNS A B
	netns "$1"
	netns "$2"
	netns "$3"
	ip -n "$2" link add lbh0 type veth peer name eth0 netns "$1"
	ip -n "$2" link add r1 type veth peer name eth0 netns "$3"
	ip -n "$2" addr add "$4.1" peer "$4.2" dev lbh0
	ip -n "$1" addr add "$4.2" peer "$4.1" dev eth0
	ip -n "$2" addr add "$5.254/24" dev r1
	ip -n "$3" addr add "$5.1/24" dev eth0
	ip -n "$2" link set lbh0 up
	ip -n "$2" link set r1 up
	ip -n "$1" link set eth0 up
	ip -n "$3" link set eth0 up
	ip -n "$1" route add default via "$4.1"
	ip -n "$3" route add "$4.0/24" via "$5.254"
	ip netns exec "$2" sysctl -qw net.ipv4.ip_forward=1
}
routed lbb-rb lbb-rr lbb-ru 198.18.4 198.18.3  # no firewall
routed lbb-fb lbb-rf lbb-fu 198.18.6 198.18.7  # loginbox's table, below
# test host for the boxes: lbb-up 198.18.0.1, the host 198.18.0.254
netns lbb-up
ip link add lbb-up0 type veth peer name eth0 netns lbb-up
ip addr add 198.18.0.254/24 dev lbb-up0
ip link set lbb-up0 up
ip -n lbb-up addr add 198.18.0.1/24 dev eth0
ip -n lbb-up link set eth0 up
mkdir -p "$T/www" && echo ok >"$T/www/m"
for ns in lbb-pb lbb-ru lbb-fu lbb-up; do
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
		ip netns exec lbb-fu bash -c 'exec 3<>/dev/tcp/198.18.7.1/5201' 2>/dev/null &&
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

# The live table (made by a first bridge box) into lbb-rf, with the
# elements a box with egress = any gets: lbh0 and its address.
use bridge
"$ADMIN" run -u "$U" -- true >/dev/null 2>&1
nft list table inet loginbox >"$T/lb.nft" && ip netns exec lbb-rf nft -f "$T/lb.nft" &&
	ip netns exec lbb-rf nft "add element inet loginbox src4 { \"lbh0\" . 198.18.6.2 }" &&
	ip netns exec lbb-rf nft "add element inet loginbox eg_any { \"lbh0\" }" ||
	say "the copy of the loginbox table could not be loaded: its row measures no firewall"

gbps() { python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }
ms_median() { awk '{printf "%.3f\n", $1 * 1000}' | median; }

# --- throughput: REPS interleaved rounds
iperf() { # PATH -> Gbit/s
	case $1 in
	plain) ip netns exec lbb-pa iperf3 -J -t "$SECS" -c 198.18.2.2 | gbps ;;
	routed) ip netns exec lbb-rb iperf3 -J -t "$SECS" -c 198.18.3.1 | gbps ;;
	routed-fw) ip netns exec lbb-fb iperf3 -J -t "$SECS" -c 198.18.7.1 | gbps ;;
	pasta-R) use pasta && "$ADMIN" run -u "$U" -- iperf3 -R -J -t "$SECS" -c 198.18.0.1 2>/dev/null | gbps ;;
	*) use "$1" && "$ADMIN" run -u "$U" -- iperf3 -J -t "$SECS" -c 198.18.0.1 2>/dev/null | gbps ;;
	esac
}
PATHS="plain routed routed-fw ${MODES#none }"
case $MODES in *pasta) PATHS="$PATHS pasta-R" ;; esac
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

# --- pasta alone: its start (exec to the exit of its first process,
# which is when loginbox's helper goes on) with loginbox's options, as
# the last uid of USER's subordinate range, in a user and network
# namespace of that uid's, with a tun node of its own; no loginbox.
PU=$(awk -F: -v u="$U" '$1 == u {print $2 + $3 - 1; exit}' /etc/subuid)
GW=$(ip -4 route show default | awk '{print $3; exit}')
pasta_alone() { # -> microseconds, or nothing
	local pid d t
	d=$(mktemp -d "$T/pa.XXXXXX") && chown "$PU:$PU" "$d" || return
	setpriv --reuid "$PU" --regid "$PU" --clear-groups unshare -U -n -r sleep 60 &
	pid=$!
	for _ in $(seq 1 200); do # until its namespaces are there (bounded)
		[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] &&
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.01
	done
	t=$(unshare -m bash -c "mount --make-rprivate / && mount -t tmpfs -o mode=0755,size=64k tmpfs /dev/net &&
		mknod -m 0600 /dev/net/tun c 10 200 && chown $PU:$PU /dev/net/tun &&
		exec setpriv --reuid $PU --regid $PU --clear-groups --inh-caps=-all bash -c '
		s=\$EPOCHREALTIME; pasta --quiet --netns /proc/$pid/ns/net --userns /proc/$pid/ns/user \
		--pid $d/pid -t none -u none -T none -U none --no-map-gw --config-net \
		--ns-ifname eth0 --mtu 65520 ${GW:+--dns-forward $GW} >/dev/null 2>&1 || exit 1
		e=\$EPOCHREALTIME; echo \$s \$e'" | awk '{printf "%d\n", ($2 - $1) * 1e6}')
	[ -s "$d/pid" ] && kill "$(cat "$d/pid")" 2>/dev/null
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$d"
	echo "$t"
}

# --- build cost: N interleaved rounds of one build per mode (and of
# pasta alone)
BUILDS=$MODES
[ -n "${MODES##*pasta*}" ] || [ -z "$PU" ] || BUILDS="$BUILDS alone"
: >"$T/build"
for _ in $(seq 1 "$N"); do
	for m in $(shuffled $BUILDS); do
		if [ "$m" = alone ]; then
			t=$(pasta_alone)
			[ -n "$t" ] && echo "alone $t $t" >>"$T/build"
			continue
		fi
		use "$m"
		"$ADMIN" run --timing -u "$U" -- true 2>&1 >/dev/null |
			sed -n "s/.* network=\([0-9]*\).* helper_total=\([0-9]*\).*/$m \1 \2/p" >>"$T/build"
	done
done
col_median() { awk -v m="$1" -v c="$2" '$1 == m {print $c}' "$T/build" | median; }
declare -A NET TOT
for m in $BUILDS; do
	NET[$m]=$(col_median "$m" 2)
	TOT[$m]=$(col_median "$m" 3)
done
use none

minus() { # A B -> A - B, or - when either is missing
	case "$1$2" in *-* | "") echo - ;; *) echo $(($1 - $2)) ;; esac
}
row() { # LABEL PATH [CONNECT [NOTE]]
	local g c a
	read -r g c a <<<"$(tput_row "$2")"
	printf '  %-36s %7s %7s  %-26s %8s   %s\n' "$1" "$g" "$c" "${a:--}" "${3:-}" "${4:-}"
	[ "$2" = bridge ] && BR_PCT=$c
	[ "$2" = pasta ] && PA_PCT=$c
}
BR_PCT=- PA_PCT=-
printf '\nnetwork (bench/net.sh: %s rounds of %s s iperf3, paths in random order in each round,\n' "$REPS" "$SECS"
printf '  %% of the plain run of the same round, medians; %s connects; %s builds per mode; load %s -> %s)\n' \
	"$N" "$N" "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-36s %7s %7s  %-26s %8s\n' "path" "Gbit/s" "% plain" "% plain, each round" "conn. ms"
row "plain veth ns -> ns" plain "$PLAIN_C"
row "bridge box -> test host" bridge "${CONN[bridge]}" "target >= 90%"
[ -n "${CONN[pasta]:-}" ] && row "pasta box -> test host" pasta "${CONN[pasta]}" "target >= 50%"
row "diag: routed veth, no firewall" routed
row "diag: routed veth, loginbox's table" routed-fw
[ -n "${CONN[pasta]:-}" ] && row "diag: pasta test host -> box (-R)" pasta-R
printf '  build (us, medians)  %-12s %9s %13s %11s\n' mode network helper_total "added"
for m in $BUILDS; do
	case $m in
	none) add=- ;;
	alone) add=- ;;
	*) add=$(minus "${NET[$m]}" "${NET[none]}") ;;
	esac
	printf '  %20s %-12s %9s %13s %11s\n' "" "$([ "$m" = alone ] && echo "pasta alone" || echo "$m")" \
		"$([ "$m" = alone ] && echo "(start)" || echo "${NET[$m]}")" \
		"$([ "$m" = alone ] && echo "${NET[$m]}" || echo "${TOT[$m]}")" "$add"
done
verdict() { # VALUE OP LIMIT
	python3 -c "import sys; v=sys.argv[1]; print('-' if v in ('-','') else ('met' if float(v) $2 float(sys.argv[2]) else 'MISSED'))" "$1" "$3"
}
printf '  targets: bridge >= 90%%: %s; pasta >= 50%%: %s; bridge adds < 2000 us: %s; pasta adds < 15000 us: %s\n' \
	"$(verdict "$BR_PCT" '>=' 90)" "$(verdict "$PA_PCT" '>=' 50)" \
	"$(verdict "$(minus "${NET[bridge]}" "${NET[none]}")" '<' 2000)" \
	"$(verdict "$(minus "${NET[pasta]:--}" "${NET[none]}")" '<' 15000)"
printf '  ("added" = network phase minus that of network = none; helper_total is the whole build, noisier)\n'
if [ -n "${LBN_RAW:-}" ]; then
	cp "$T/tput" "$LBN_RAW.tput" && cp "$T/build" "$LBN_RAW.build"
fi
exit 0
