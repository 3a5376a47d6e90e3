#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# network = pasta, from inside real ssh logins: outbound TCP, UDP (IPv4 and,
# when the host has a default IPv6 route, IPv6) and DNS by name to a test
# host (a network namespace of our own at 198.18.0.1, routed from the
# host's 198.18.0.254); a 127.0.0.53 stub on the host is replaced by the
# upstream list systemd-resolved keeps; never reachable: the host's
# loopback, the host's interface address, link-local (a listener at
# 169.254.169.254 on the test host), another box; pasta runs as the user's
# first subordinate uid with no groups, in the box's cgroup leaf; teardown
# and gc after kill -9 leave no pasta process, record or nft element; a
# missing pasta refuses the login with what to install, leaving nothing.
# All traffic stays on this machine.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../shlib.sh"
# shellcheck source=net_lib.sh
. "$(dirname "$0")/net_lib.sh"

W=$LBT_TMP/t94
mkdir -p "$W"
chmod 755 "$W"
UPNS=lbt-up94
UP=198.18.0.1
HOSTIP=198.18.0.254
UP6=fd94::1
HOST6=fd94::fe
LL=169.254.169.254

if ! lb_ensure_packages "$W/apt.log" nftables curl iproute2 passt; then
	tap_fail "nftables and passt installed" "$(tail -n 5 "$W/apt.log")"
	exit 0
fi
if nft list table inet loginbox >/dev/null 2>&1; then
	tap_skip "network = pasta" "an inet loginbox table exists on this host: not ours to change"
	exit 0
fi
HAVE6=
ip -6 route show default | grep -q . && HAVE6=1
STUB=
[ -e /run/systemd/resolve ] || STUB=1

cleanup() {
	umount /usr/bin/passt 2>/dev/null
	umount /etc/resolv.conf 2>/dev/null
	[ -n "$STUB" ] && rm -rf /run/systemd/resolve
	ip netns del "$UPNS" 2>/dev/null
	ip link del lbt-up94 2>/dev/null
	ip route del "$LL/32" 2>/dev/null
	nft delete table inet loginbox 2>/dev/null
	reset_conf
}
trap cleanup EXIT

# ---- the test host (IPv4, and IPv6 when the host routes IPv6)
ip netns add "$UPNS"
ip link add lbt-up94 type veth peer name eth0 netns "$UPNS"
ip addr add "$HOSTIP/24" dev lbt-up94
ip link set lbt-up94 up
ip -n "$UPNS" link set lo up
ip -n "$UPNS" addr add "$UP/24" dev eth0
ip -n "$UPNS" addr add "$LL/32" dev lo
ip -n "$UPNS" link set eth0 up
ip -n "$UPNS" route add default via "$HOSTIP"
if [ -n "$HAVE6" ]; then
	ip addr add "$HOST6/64" dev lbt-up94 nodad
	ip -n "$UPNS" addr add "$UP6/64" dev eth0 nodad
	ip -n "$UPNS" route add default via "$HOST6"
fi
ip route add "$LL/32" via "$UP" dev lbt-up94
mkdir -p "$W/www"
echo "upstream-ok" >"$W/www/m"
chmod -R a+rX "$W/www"
ip netns exec "$UPNS" python3 -m http.server --bind "$UP" --directory "$W/www" 8080 >"$W/http.log" 2>&1 &
track_pid $!
ip netns exec "$UPNS" python3 -m http.server --bind "$LL" --directory "$W/www" 8081 >"$W/ll.log" 2>&1 &
track_pid $!
if [ -n "$HAVE6" ]; then
	ip netns exec "$UPNS" python3 -m http.server --bind "$UP6" --directory "$W/www" 8086 >"$W/http6.log" 2>&1 &
	track_pid $!
fi
udp_echo "$UPNS" "$UP" 9000
# a DNS server on the test host: upstream.lbt. -> 198.18.0.1
dns_server "$UPNS" "$UP" "$UP"
# host listeners on its own addresses: what a box must not reach
python3 -m http.server --bind "$HOSTIP" --directory "$W/www" 8082 >"$W/h1.log" 2>&1 &
track_pid $!
python3 -m http.server --bind 127.0.0.1 --directory "$W/www" 8083 >"$W/h2.log" 2>&1 &
track_pid $!
# python starts slowly on a loaded machine: up to 60 s
for _ in $(seq 1 300); do
	curl -s -m 1 "http://$UP:8080/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$LL:8081/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://$HOSTIP:8082/m" >/dev/null 2>&1 &&
		curl -s -m 1 "http://127.0.0.1:8083/m" >/dev/null 2>&1 && break
	sleep 0.1
done
t_is "$(curl -s -m 2 "http://$LL:8081/m")" "upstream-ok" "the link-local listener answers the host (so a refusal from a box is the rules')"
t_is "$(curl -s -m 2 "http://127.0.0.1:8083/m")" "upstream-ok" "the host-loopback listener answers the host"
t_is "$(curl -s -m 2 "http://$HOSTIP:8082/m")" "upstream-ok" "the host-address listener answers the host"

# The host's resolver for this test: the test host (bound over
# /etc/resolv.conf in the host's mount namespace, unmounted at the end).
echo "nameserver $UP" >"$W/resolv.conf"
mount --bind "$W/resolv.conf" /etc/resolv.conf

base_conf | sed 's/^network = none$/network = pasta/' | write_conf
t_like "$("$LB_ADMIN" check 2>&1)" "note: \[group.lbt-boxed\] network = pasta: each box gets a pasta process" "loginbox check explains network = pasta"

SUBUID=$(awk -F: '$1 == "lbt-alice" {print $2; exit}' /etc/subuid)
SUBGID=$(awk -F: '$1 == "lbt-alice" {print $2; exit}' /etc/subgid)
# live PID: its comm if it runs (a zombie has ended: nothing)
live() { [ -n "$1" ] && [ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" != Z ] && cat "/proc/$1/comm" 2>/dev/null; }
# the counter of a pasta_out rule by its comment
counter() { nft list chain inet loginbox pasta_out 2>/dev/null | sed -n "s/.*counter packets \([0-9]*\).*comment \"$1\".*/\1/p"; }
# probe HOST PORT: connected, bash's connect error, or "timeout" (pasta
# 2023-03 answers a connect its host socket could not make with silence,
# not a reset: the box sees a timeout)
PROBE='probe() { local r; r=$(timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && echo connected" 2>&1); [ $? = 124 ] && r=timeout; printf "%s\n" "$r" | head -n 1 | sed "s/^.*connect: //"; }'

# ---- one box: what it reaches, then what it must not, then again
mkfifo "$W/go.fifo"
exec 7<>"$W/go.fifo"
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 "$PROBE
echo S=\$LOGINBOX_SESSION
echo MTU=\$(cat /sys/class/net/eth0/mtu)
echo HTTP=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
exec 4<>/dev/udp/$UP/9000; echo hi >&4; echo UDP=\$(timeout 3 head -c 7 <&4)
[ -n '$HAVE6' ] && echo HTTP6=\$(curl -sS -m 5 -g http://[$UP6]:8086/m 2>&1)
echo RESOLV=\$(grep nameserver /etc/resolv.conf)
echo NAME=\$(getent hosts upstream.lbt)
echo BYNAME=\$(curl -sS -m 5 http://upstream.lbt:8080/m 2>&1)
echo READY=1
read -t 20 go
echo LO=\$(probe 127.0.0.1 8083)
echo HOSTIP=\$(probe $HOSTIP 8082)
echo LL=\$(probe $LL 8081)
echo AGAIN=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
sleep 30" <&7 >"$W/alice.out" 2>&1 &
ALICE=$!
track_pid "$ALICE"
for _ in $(seq 1 150); do
	grep -q '^READY=' "$W/alice.out" && break
	sleep 0.1
done
out=$(cat "$W/alice.out")
SID=$(kv "$out" S)
t_is "$(kv "$out" HTTP)" "upstream-ok" "TCP from the box to the test host through pasta"
t_is "$(kv "$out" UDP)" "pong:hi" "UDP from the box to the test host and back"
t_is "$(kv "$out" MTU)" "65520" "the box's eth0 has MTU 65520"
if [ -n "$HAVE6" ]; then
	t_is "$(kv "$out" HTTP6)" "upstream-ok" "IPv6 TCP from the box to the test host"
else
	tap_skip "IPv6 TCP from the box" "the host has no IPv6 default route"
fi
GW=$(ip -4 route show default | awk '{print $3; exit}')
t_is "$(kv "$out" RESOLV)" "nameserver $GW" "the box's own /etc/resolv.conf names the gateway (pasta's --dns-forward)"
t_like "$(kv "$out" NAME)" "^$UP +upstream\.lbt" "DNS by name from the box (forwarded by pasta to the host's resolver)"
t_is "$(kv "$out" BYNAME)" "upstream-ok" "HTTP by name from the box"

diag "the box's build spent $(session_field "$SID" phase.network) us in its network phase (pasta's start)"
# pasta itself, while the box lives
PPID_=$(awk '{print $2}' "$LB_RUN/net/pasta-$SID" 2>/dev/null)
t_like "$PPID_" '^[0-9]+$' "the box's pasta has a record with its pid"
st=$(cat "/proc/$PPID_/status" 2>/dev/null)
t_like "$(cat "/proc/$PPID_/comm" 2>/dev/null)" '^(pasta|passt)' "that pid is a pasta process (passt.avx2 on AVX2 CPUs)"
diag "record: $(cat "$LB_RUN/net/pasta-$SID"); start in /proc: $(awk '{print $22}' "/proc/$PPID_/stat" 2>/dev/null)"
t_like "$(printf '%s\n' "$st" | grep '^Uid:')" "^Uid:[[:space:]]+$SUBUID[[:space:]]+$SUBUID[[:space:]]+$SUBUID[[:space:]]+$SUBUID\$" "pasta runs as lbt-alice's first subordinate uid ($SUBUID), every uid"
t_like "$(printf '%s\n' "$st" | grep '^Gid:')" "^Gid:[[:space:]]+$SUBGID[[:space:]]+$SUBGID[[:space:]]+$SUBGID[[:space:]]+$SUBGID\$" "and the first subordinate gid"
t_like "$(printf '%s\n' "$st" | grep '^Groups:')" '^Groups:[[:space:]]*$' "with no supplementary groups"
t_like "$(printf '%s\n' "$st" | grep '^NoNewPrivs:')" '1$' "with no_new_privs"
IPID_A=$(session_field "$SID" init_pid)
t_isnt "$(readlink "/proc/$PPID_/ns/pid")" "$(readlink "/proc/$IPID_A/ns/pid")" "pasta is not in the box's pid namespace (the box cannot name it)"
t_is "$(readlink "/proc/$PPID_/ns/net")" "$(readlink /proc/self/ns/net)" "pasta lives in the host's network namespace (its sockets are host sockets)"
t_is "$(readlink "/proc/$PPID_/ns/user")" "$(readlink "/proc/$IPID_A/ns/user")" "in the box's user namespace (it joined it as its owner)"
t_like "$(grep '^0::' "/proc/$PPID_/cgroup")" "/loginbox/u$(lbt_uid lbt-alice)/s$SID/pasta\$" "in the leaf pasta of the box's cgroup node"
t_like "$(stat -c '%a %U' /dev/net/tun)" '^600 root$' "the host's /dev/net/tun is still 0600 root"
t_like "$(nft list set inet loginbox pasta_uids 2>&1)" "elements = \{ $SUBUID \}" "the uid's element is in pasta_uids"
t_like "$("$LB_ADMIN" show "$SID" 2>&1)" "network +pasta \(pid $PPID_ as uid $SUBUID" "loginbox show gives the mode, pasta's pid and uid"

# the refusals: counters before, the probes, counters after
c_host=$(( $(counter "host loopback") + $(counter "host addresses") ))
c_never=$(counter "never4")
echo go >&7
for _ in $(seq 1 200); do
	grep -q '^AGAIN=' "$W/alice.out" && break
	sleep 0.1
done
out=$(cat "$W/alice.out")
diag "the box saw: $(grep -E '^(LO|HOSTIP|LL)=' "$W/alice.out" | tr '\n' ' ')"
t_like "$(kv "$out" LO)" "Connection refused" "127.0.0.1 in the box is the box's own loopback (the host's listener is not there)"
t_is "$(kv "$out" HOSTIP)" "timeout" "the host's interface address is not reached though a listener is there"
c_host2=$(( $(counter "host loopback") + $(counter "host addresses") ))
[ "$c_host2" -gt "$c_host" ] && tap_ok "the host's rules refused pasta's connect to $HOSTIP (counters $c_host -> $c_host2)" ||
	tap_fail "the host's rules refused pasta's connect to $HOSTIP" "counters $c_host -> $c_host2"
t_is "$(kv "$out" LL)" "timeout" "link-local 169.254.169.254 is not reached though a listener is there"
[ "$(counter never4)" -gt "${c_never:-0}" ] && tap_ok "the never4 rule refused pasta's connect to $LL (counter rose)" ||
	tap_fail "the never4 rule refused pasta's connect to $LL" "counter ${c_never:-?} -> $(counter never4)"
t_is "$(kv "$out" AGAIN)" "upstream-ok" "the same box still reaches the test host after the refusals"

# ---- another box: its listener is not reachable from alice's box or the host
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-bob@127.0.0.1 "$PROBE
echo S=\$LOGINBOX_SESSION
echo ADDR=\$(ip -4 -o addr show eth0 | awk '{print \$4}' | cut -d/ -f1)
python3 -m http.server --bind 0.0.0.0 8090 >/dev/null 2>&1 &
for i in \$(seq 1 50); do [ \"\$(probe 127.0.0.1 8090)\" = connected ] && break; sleep 0.1; done
echo SELF=\$(probe 127.0.0.1 8090)
sleep 30" >"$W/bob.out" 2>&1 &
BOB=$!
track_pid "$BOB"
for _ in $(seq 1 150); do
	grep -q '^SELF=' "$W/bob.out" && break
	sleep 0.1
done
bout=$(cat "$W/bob.out")
BSID=$(kv "$bout" S)
BADDR=$(kv "$bout" ADDR)
t_is "$(kv "$bout" SELF)" "connected" "bob's box listens on 8090 (positive control)"
hostp=$(timeout 5 bash -c "exec 3<>/dev/tcp/$BADDR/8090 && echo connected" 2>&1 | head -n 1 | sed 's/^.*connect: //')
t_is "$hostp" "Connection refused" "the host cannot connect to bob's listener at his box's address $BADDR (nothing is forwarded in)"
out=$(ssh_as lbt-alice "$PROBE
echo UP=\$(curl -sS -m 5 http://$UP:8080/m 2>&1)
echo BOB=\$(probe $BADDR 8090)" 2>&1)
t_is "$(kv "$out" UP)" "upstream-ok" "another box of alice reaches the test host (positive control)"
t_is "$(kv "$out" BOB)" "Connection refused" "alice's box cannot reach bob's box's listener"

# ---- logout of alice's first box: no pasta, no record; kill -9 of bob's init, gc
stop_pid "$ALICE"
exec 7>&-
for _ in $(seq 1 100); do
	[ -e "$LB_RUN/$SID" ] || break
	sleep 0.1
done
t_is "$(ls -d "$LB_RUN/$SID" 2>/dev/null)" "" "alice's box $SID ended with its login"
t_is "$(live "$PPID_")" "" "after logout: alice's pasta (pid $PPID_) is gone"
t_is "$(ls "$LB_RUN/net" 2>/dev/null | grep "^pasta-$SID\$")" "" "after logout: its record is gone"
t_unlike "$(nft list set inet loginbox pasta_uids 2>&1)" "$SUBUID" "after logout: no element for alice's subordinate uid"

BPID=$(awk '{print $2}' "$LB_RUN/net/pasta-$BSID" 2>/dev/null)
t_like "$(live "$BPID")" '^(pasta|passt)' "bob's box has its pasta (pid $BPID)"
IPID=$(session_field "$BSID" init_pid)
kill -9 "$IPID"
stop_pid "$BOB"
"$LB_ADMIN" gc >"$W/gc.out" 2>&1
assert_no_leftovers "kill -9 of a pasta box's init, then gc: nothing remains"
diag "gc: $(cat "$W/gc.out")"
t_is "$(live "$BPID")" "" "after kill -9 and gc: bob's pasta is gone"
t_is "$(ls "$LB_RUN/net" 2>/dev/null | grep '^pasta-')" "" "after kill -9 and gc: no pasta record"
t_unlike "$(nft list set inet loginbox pasta_uids 2>&1)" "elements" "after kill -9 and gc: pasta_uids is empty"
t_is "$(pgrep -r R,S,D -u "$SUBUID,$(awk -F: '$1 == "lbt-bob" {print $2; exit}' /etc/subuid)")" "" "no pasta process of either subordinate uid is left"

# ---- a 127.0.0.53 stub: pasta gets the upstream list systemd-resolved keeps
if [ -n "$STUB" ]; then
	mkdir -p /run/systemd/resolve
	echo "nameserver $UP" >/run/systemd/resolve/resolv.conf
	echo "nameserver 127.0.0.53" >"$W/resolv.conf"
	out=$(ssh_as lbt-alice "echo NAME=\$(getent hosts upstream.lbt)" 2>&1)
	t_like "$(kv "$out" NAME)" "^$UP +upstream\.lbt" "with a 127.0.0.53 stub: DNS by name through resolved's upstream list"
	rm -rf /run/systemd/resolve
	echo "nameserver $UP" >"$W/resolv.conf"
	assert_no_leftovers "the stub login leaves nothing"
else
	tap_skip "a 127.0.0.53 stub" "/run/systemd/resolve exists on this host: not ours to change"
fi

# ---- pasta missing: refused with what to install, nothing half-built
: >"$W/nopasta"
chmod 644 "$W/nopasta"
mount --bind "$W/nopasta" /usr/bin/passt
out=$(ssh_as lbt-alice 'echo "@@RAN@@"' 2>&1)
t_unlike "$out" '@@RAN@@' "without an executable pasta: the login is refused"
t_like "$out" "apt install passt" "the client is told what to install"
t_is "$(ls "$LB_RUN/net" 2>/dev/null | grep '^pasta-')" "" "no pasta record"
t_unlike "$(nft list set inet loginbox pasta_uids 2>&1)" "$SUBUID" "no element"
assert_no_leftovers "nothing remains" 5
umount /usr/bin/passt
out=$(ssh_as lbt-alice "curl -sS -m 5 http://$UP:8080/m" 2>&1)
t_like "$out" '^upstream-ok' "with pasta back the same login works again"
assert_no_leftovers "and leaves nothing"
