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
