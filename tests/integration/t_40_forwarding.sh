#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sshd's port forwardings live in the box's network namespace: -L and -D
# cannot reach a host service on 127.0.0.1 (with and without -N), -L
# reaches a service inside the box, -R makes a host service reachable
# inside the box only.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t40
mkdir -p "$W/www"
chmod 755 "$W" "$W/www"
echo lbt-host-page >"$W/www/marker"
start_http_server "$W/www" || diag "host http.server did not start"
t_check "host: the test http service answers on the host's 127.0.0.1:$HTTP_PORT" \
	curl -sf -m 5 "http://127.0.0.1:$HTTP_PORT/marker"

# fwd_start NAME SSH-ARGS...: a background ssh (tracked); sets FWD_PID.
fwd_start() {
	local name=$1
	shift
	timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" "$@" >"$W/$name.log" 2>&1 &
	FWD_PID=$!
	track_pid "$FWD_PID"
}

# must_not_reach NAME CURL-ARGS...: the page does not come through.
must_not_reach() {
	local name=$1 out
	shift
	out=$(curl -s -m 5 "$@" 2>&1)
	if printf '%s' "$out" | grep -q lbt-host-page; then
		tap_fail "$name" "the host's page came through: $out"
	else
		tap_ok "$name"
	fi
}

# ---- -L to the host's 127.0.0.1 service
for variant in "-N" ""; do
	L=$(free_port)
	# shellcheck disable=SC2086
	if [ -n "$variant" ]; then
		fwd_start L$variant $variant -L "$L:127.0.0.1:$HTTP_PORT" lbt-alice@127.0.0.1
	else
		fwd_start L -L "$L:127.0.0.1:$HTTP_PORT" lbt-alice@127.0.0.1 'sleep 20'
	fi
	if wait_port "$L" 10; then
		must_not_reach "-L ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through the tunnel" \
			"http://127.0.0.1:$L/marker"
	else
		tap_fail "-L ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through the tunnel" \
			"the forwarding never listened on $L" "$(cat "$W/L$variant.log")"
	fi
	stop_pid "$FWD_PID"
done

# ---- -D (SOCKS) to the host's 127.0.0.1 service
for variant in "-N" ""; do
	D=$(free_port)
	# shellcheck disable=SC2086
	if [ -n "$variant" ]; then
		fwd_start D$variant $variant -D "$D" lbt-alice@127.0.0.1
	else
		fwd_start D -D "$D" lbt-alice@127.0.0.1 'sleep 20'
	fi
	if wait_port "$D" 10; then
		must_not_reach "-D ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through SOCKS" \
			--socks5-hostname "127.0.0.1:$D" "http://127.0.0.1:$HTTP_PORT/marker"
		must_not_reach "-D ${variant:-with a command}: nor by the name localhost" \
			--socks5-hostname "127.0.0.1:$D" "http://localhost:$HTTP_PORT/marker"
	else
		tap_fail "-D ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through SOCKS" \
			"the SOCKS port never listened on $D" "$(cat "$W/D$variant.log")"
	fi
	stop_pid "$FWD_PID"
done

# ---- -L reaches a service inside the box (the tunnel's far end is the box)
L=$(free_port)
B=$(free_port)
fwd_start Lbox -L "$L:127.0.0.1:$B" lbt-alice@127.0.0.1 \
	"mkdir -p /tmp/w && echo lbt-box-page >/tmp/w/marker && exec python3 -m http.server --bind 127.0.0.1 --directory /tmp/w $B"
out=""
for i in $(seq 1 50); do
	out=$(curl -s -m 2 "http://127.0.0.1:$L/marker" 2>/dev/null)
	[ "$out" = lbt-box-page ] && break
	sleep 0.2
done
t_is "$out" lbt-box-page "-L: a service on the box's own 127.0.0.1 is reachable through the tunnel"
stop_pid "$FWD_PID"

# ---- -R: the host service appears inside the box
R=$(free_port)
out=$(ssh_as lbt-alice -R "$R:127.0.0.1:$HTTP_PORT" "curl -s -m 5 http://127.0.0.1:$R/marker" 2>&1)
t_is "$out" lbt-host-page "-R: the forwarded host service is reachable inside the box at 127.0.0.1:$R"

# ---- -R -N: the listener is in the box's network namespace, not the host's
R=$(free_port)
before=$(test_session_ids | sort)
fwd_start RN -N -R "$R:127.0.0.1:$HTTP_PORT" lbt-bob@127.0.0.1
sid=""
for i in $(seq 1 50); do
	for id in $(test_session_ids); do
		printf '%s\n' "$before" | grep -qx "$id" && continue
		[ "$(session_field "$id" user)" = lbt-bob ] && sid=$id
	done
	[ -n "$sid" ] && break
	sleep 0.2
done
if [ -z "$sid" ]; then
	tap_fail "-R -N: a box was built for the session" "$(cat "$W/RN.log")"
else
	tap_ok "-R -N: a box was built for the session ($sid)"
	init=$(session_field "$sid" init_pid)
	out=""
	for i in $(seq 1 25); do
		out=$(nsenter -t "$init" -n curl -s -m 2 "http://127.0.0.1:$R/marker" 2>&1)
		[ "$out" = lbt-host-page ] && break
		sleep 0.2
	done
	t_is "$out" lbt-host-page "-R -N: the forwarded port listens in the box's network namespace"
	must_not_reach "-R -N: the forwarded port does not listen on the host" "http://127.0.0.1:$R/marker"
fi
stop_pid "$FWD_PID"

stop_pid "$HTTP_PID"
assert_no_leftovers "forwarding: nothing of these sessions remains after logout"
exit 0
