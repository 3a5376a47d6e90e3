#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sshd's port forwardings live in the box's network namespace: -L and -D
# cannot reach a host service on 127.0.0.1 (with and without -N), -L
# reaches a service inside the box, -R makes a host service reachable
# inside the box only.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 12

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

mkdir -p "$W/boxwww"
chmod 755 "$W/boxwww"
echo lbt-box-page >"$W/boxwww/marker"
chmod 644 "$W/boxwww/marker"
# A server the login starts inside its box on 127.0.0.1:PORT.
box_server_cmd() {
	echo "mkdir -p /tmp/w && echo lbt-box-page >/tmp/w/marker && exec python3 -m http.server --bind 127.0.0.1 --directory /tmp/w $1"
}
# box_server_in SID PORT: for a login that runs no command (-N), the same
# server started from the host in the box's network namespace; sets BOXSRV.
box_server_in() {
	local init
	init=$(session_field "$1" init_pid)
	nsenter -t "$init" -n python3 -m http.server --bind 127.0.0.1 --directory "$W/boxwww" "$2" \
		>"$W/boxsrv.log" 2>&1 &
	BOXSRV=$!
	track_pid "$BOXSRV"
}

# fwd_session NAME VARIANT USER SSH-FORWARD-ARGS...: one ssh login with the
# forwardings, and a server inside its box on $B ("-N": started from the
# host in the box's network namespace); sets FWD_PID and BOXSRV.
fwd_session() {
	local name=$1 variant=$2 u=$3 before sid
	shift 3
	BOXSRV=""
	before=$(test_session_ids)
	if [ "$variant" = -N ]; then
		fwd_start "$name" -N "$@" "$u@127.0.0.1"
		sid=$(wait_new_session "$u" "$before" 20) && box_server_in "$sid" "$B"
	else
		fwd_start "$name" "$@" "$u@127.0.0.1" "$(box_server_cmd "$B")"
	fi
}

# ---- -L to the host's 127.0.0.1 service.  Positive control in the same
# session: a second -L to the box's own 127.0.0.1:B brings the box's page.
for variant in "-N" ""; do
	L=$(free_port)
	L2=$(free_port)
	B=$(free_port)
	fwd_session "L$variant" "$variant" lbt-alice -L "$L:127.0.0.1:$HTTP_PORT" -L "$L2:127.0.0.1:$B"
	must_not_reach "-L ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through the tunnel (while the box's own service is)" \
		lbt-host-page '^lbt-box-page$' curl -s -m 2 "http://127.0.0.1:$L2/marker" -- \
		curl -s -m 5 "http://127.0.0.1:$L/marker"
	[ -n "$BOXSRV" ] && stop_pid "$BOXSRV"
	stop_pid "$FWD_PID"
done

# ---- -D (SOCKS) to the host's 127.0.0.1 service.  Positive control: the
# box's own 127.0.0.1:B comes through the same SOCKS port.
for variant in "-N" ""; do
	D=$(free_port)
	B=$(free_port)
	fwd_session "D$variant" "$variant" lbt-alice -D "$D"
	must_not_reach "-D ${variant:-with a command}: a host service on 127.0.0.1 is not reachable through SOCKS (while the box's own service is)" \
		lbt-host-page '^lbt-box-page$' curl -s -m 2 --socks5-hostname "127.0.0.1:$D" "http://127.0.0.1:$B/marker" -- \
		curl -s -m 5 --socks5-hostname "127.0.0.1:$D" "http://127.0.0.1:$HTTP_PORT/marker"
	must_not_reach "-D ${variant:-with a command}: nor by the name localhost" \
		lbt-host-page '^lbt-box-page$' curl -s -m 2 --socks5-hostname "127.0.0.1:$D" "http://localhost:$B/marker" -- \
		curl -s -m 5 --socks5-hostname "127.0.0.1:$D" "http://localhost:$HTTP_PORT/marker"
	[ -n "$BOXSRV" ] && stop_pid "$BOXSRV"
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
	must_not_reach "-R -N: the forwarded port listens in the box's network namespace, not on the host" \
		lbt-host-page '^lbt-host-page$' nsenter -t "$init" -n curl -s -m 2 "http://127.0.0.1:$R/marker" -- \
		curl -s -m 5 "http://127.0.0.1:$R/marker"
fi
stop_pid "$FWD_PID"

stop_pid "$HTTP_PID"
assert_no_leftovers "forwarding: nothing of these sessions remains after logout"
exit 0
