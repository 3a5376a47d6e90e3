# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# network = bridge tests (t_95_network.sh, tests/hostile/h_92_network.sh):
# a "test host" upstream of this machine, in a network namespace of our
# own, so that no box traffic ever leaves the machine.  Sourced after
# lib.sh, with W (the file's work dir) set.

UP=198.18.0.1          # the test host
HOSTIP=198.18.0.254    # this machine's end of the test link
SUBNET=198.19.255.0/24 # the boxes (the bridge's default subnet)

# net_prereqs WHAT: nftables, curl and iproute2 are there, and the host's
# inet loginbox table is not someone else's; otherwise one TAP line (WHAT
# names the skipped part) and the test file ends.
net_prereqs() {
	if ! lb_ensure_packages "$W/apt.log" nftables curl iproute2; then
		tap_fail "nftables installed" "$(tail -n 5 "$W/apt.log")"
		exit 0
	fi
	if nft list table inet loginbox >/dev/null 2>&1; then
		tap_skip "$1" "an inet loginbox table exists on this host: not ours to change"
		exit 0
	fi
}

# upstream_host NS VETH: the test host as namespace NS, linked by veth
# VETH ($HOSTIP/24 here, $UP/24 on its eth0), with an http server on
# $UP:8080 serving $W/www/m ("upstream-ok"; tracked, ended by run.sh).
# The caller removes NS and VETH (its cleanup) and polls for the server.
upstream_host() {
	local ns=$1 veth=$2
	ip netns add "$ns" || return 1
	ip link add "$veth" type veth peer name eth0 netns "$ns" || return 1
	ip addr add "$HOSTIP/24" dev "$veth"
	ip link set "$veth" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$UP/24" dev eth0
	ip -n "$ns" link set eth0 up
	mkdir -p "$W/www"
	echo "upstream-ok" >"$W/www/m"
	chmod -R a+rX "$W/www"
	ip netns exec "$ns" python3 -m http.server --bind "$UP" --directory "$W/www" 8080 \
		>"$W/http.log" 2>&1 &
	track_pid $!
}

# netns_prefix NS: sets NSRUN to what runs a command in network namespace
# NS ("ip netns exec NS", which execs it), or nothing when NS is "-".  The
# servers below start as `"${NSRUN[@]}" python3 ... &`, so $! is the server
# itself, which run.sh ends by pid (a wrapper shell's pid would leave the
# server running, holding the tier lock's fd).
netns_prefix() {
	NSRUN=()
	[ "$1" = - ] || NSRUN=(ip netns exec "$1")
}

# udp_echo NS ADDR PORT...: answers every datagram on ADDR:PORT with
# "pong:" + its payload (tracked, ended by run.sh; log $W/udp.log).
udp_echo() {
	local addr=$2
	netns_prefix "$1"
	shift 2
	"${NSRUN[@]}" python3 -c '
import select, socket, sys
ss = []
for p in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], int(p)))
    ss.append(s)
while True:
    for s in select.select(ss, [], [])[0]:
        d, a = s.recvfrom(100)
        s.sendto(b"pong:" + d, a)' "$addr" "$@" >"$W/udp.log" 2>&1 &
	track_pid $!
}

# dns_server NS ADDR ANSWER: a DNS server on ADDR:53/udp that knows one
# name, upstream.lbt. -> ANSWER (A), NXDOMAIN for every other (tracked;
# log $W/dns.log).
dns_server() {
	netns_prefix "$1"
	"${NSRUN[@]}" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
want = b"\x08upstream\x03lbt\x00"
while True:
    d, a = s.recvfrom(512)
    q = d[12:]
    i = 0
    while q[i]:
        i += q[i] + 1
    qname, qtail = q[:i + 1], q[i + 1:i + 5]
    qtype = struct.unpack(">H", qtail[:2])[0]
    ans, an, rc = b"", 0, 0
    if qname.lower() != want:
        rc = 3
    elif qtype == 1:
        ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(sys.argv[2])
        an = 1
    s.sendto(d[:2] + struct.pack(">HHHHH", 0x8180 | rc, 1, an, 0, 0) + qname + qtail + ans, a)' "$2" "$3" >"$W/dns.log" 2>&1 &
	track_pid $!
}
