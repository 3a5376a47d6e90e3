# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Debian's own PAM stacks for the tests that need them (t_80_stock_stacks,
# tests/hostile/h_10_env): /etc/pam.d/sshd, su and login exactly as
# shipped, with the pam_loginbox line that `pam-auth-update --enable
# loginbox` puts in common-session.  Nothing on the host changes: the files
# are bound over /etc/pam.d in private mount namespaces only.  Sourced after
# lib.sh; STOCK is the work directory.
#
#   stock_setup                 $STOCK/common-session, sshd-stock, sshd-scrub
#   in_stock_ns CMD...          CMD with that common-session and Debian's
#                               sshd stack (su, login, doctor, sshd-config)
#   in_stock_ns_sshd VARIANT CMD...  the same with $STOCK/VARIANT as sshd's
#   start_stock_sshd NAME VARIANT [EXTRA_CONFIG_FILE]
#                               a second sshd (PAM service sshd-loginbox-test)
#                               with $STOCK/VARIANT as its stack; prints the port
#   ssh_port PORT USER [SSH-OPTION...] CMD

: "${STOCK:?set STOCK before sourcing lib_stock.sh}"

stock_setup() {
	mkdir -p "$STOCK"
	chmod 755 "$STOCK"
	# common-session as pam-auth-update writes it with the loginbox
	# profile (Session-Type: Additional, priority 0: the last line).
	{
		grep -v 'pam_loginbox\.so' /etc/pam.d/common-session
		printf 'session\trequired\tpam_loginbox.so \n'
	} >"$STOCK/common-session"
	# Debian's file as shipped: without what quickstart (or an admin)
	# added for loginbox
	grep -v -e 'pam_loginbox\.so' -e '^# loginbox' /etc/pam.d/sshd >"$STOCK/sshd-stock"
	{
		cat "$STOCK/sshd-stock"
		printf '# loginbox: after pam_env user_readenv=1\n'
		printf '%s\n' 'session [success=ok ignore=ignore module_unknown=ignore default=bad] pam_loginbox.so scrub'
	} >"$STOCK/sshd-scrub"
	chmod 644 "$STOCK"/common-session "$STOCK"/sshd-*
}

in_stock_ns() {
	in_stock_ns_sshd sshd-stock "$@"
}

# in_stock_ns_sshd VARIANT CMD...: the same with /etc/pam.d/sshd as
# $STOCK/VARIANT (what `loginbox sshd-config` and doctor read for sshd)
in_stock_ns_sshd() {
	local variant=$1
	shift
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session &&
		mount --bind "$2" /etc/pam.d/sshd && shift 2 && exec "$@"' \
		sh "$STOCK/common-session" "$STOCK/$variant" "$@"
}

# start_stock_sshd NAME VARIANT [EXTRA]: sshd in its own mount namespace
# where /etc/pam.d/sshd-loginbox-test is $STOCK/VARIANT (Debian's sshd
# stack) and common-session has the loginbox line.  Prints the port.
start_stock_sshd() {
	local name=$1 variant=$2 extra=${3:-/dev/null} d port pid
	d="$STOCK/srv.$name"
	mkdir -p "$d"
	chmod 755 "$d"
	port=$(free_port)
	cp "$LBT_TMP/hostkey" "$d/hostkey"
	lb_sshd_config "$d" "$port" "$LBT_TMP/authorized_keys" <"$extra"
	ln -sf /usr/sbin/sshd "$d/sshd-loginbox-test"
	unshare -m sh -c 'mount --bind "$1" /etc/pam.d/common-session &&
		mount --bind "$2" /etc/pam.d/sshd-loginbox-test &&
		exec "$3" -f "$4" -D -e' sh "$STOCK/common-session" \
		"$STOCK/$variant" "$d/sshd-loginbox-test" "$d/sshd_config" \
		>>"$d/sshd.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	echo "$pid" >"$d/pid"
	wait_port "$port" 10 || { diag_file "$d/sshd.log" "sshd $name"; return 1; }
	echo "$port"
}

stop_stock_sshd() { # NAME
	stop_pid "$(cat "$STOCK/srv.$1/pid" 2>/dev/null)"
}

ssh_port() { # PORT USER [SSH-OPTION...] CMD
	local port=$1 u=$2
	shift 2
	timeout -k 5 "$LBT_T" ssh "${SSH_COMMON[@]}" -p "$port" "$u@127.0.0.1" "$@"
}

# ---- for the attack tests on the host side (h_10_env, h_97_x11): a test
# library's constructor writes one marker file per process into a
# directory, with the uid_map it saw ("uid_map=..." and more lines).
HOST_MAP='0 0 4294967295'

# host_markers DIR: the markers of processes in the initial user namespace
# (the host); box_markers DIR: of processes inside a box.
host_markers() {
	local f
	for f in "$1"/m.*; do
		[ -f "$f" ] || continue
		[ "$(sed -n 's/^uid_map=//p' "$f" | tr -s ' ' | sed 's/^ //')" = "$HOST_MAP" ] &&
			echo "$f: $(tr '\n' ' ' <"$f")"
	done
}
box_markers() {
	local f
	for f in "$1"/m.*; do
		[ -f "$f" ] || continue
		[ "$(sed -n 's/^uid_map=//p' "$f" | tr -s ' ' | sed 's/^ //')" != "$HOST_MAP" ] &&
			echo "$f: $(tr '\n' ' ' <"$f")"
	done
}

# no_host_marker_in DIR NAME: a TAP result, failing with the markers when
# the library ran on the host.
no_host_marker_in() {
	local hit
	hit=$(host_markers "$1")
	if [ -z "$hit" ]; then
		tap_ok "$2"
	else
		tap_fail "$2" "the library ran on the host:" "$hit"
	fi
}

# start_xvfb: the client side's X server for ssh -X (Xvfb, no TCP, kept
# alive between clients: -noreset keeps root-window properties); sets XN
# (the display number), XAUTH_C (its cookie file) and XVFB_PID (tracked).
start_xvfb() {
	local n
	XN=
	for n in $(seq 57 99); do
		[ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { XN=$n; break; }
	done
	XAUTH_C=$STOCK/xclient.auth
	xauth -q -f "$XAUTH_C" add ":$XN" MIT-MAGIC-COOKIE-1 "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	Xvfb ":$XN" -nolisten tcp -noreset -auth "$XAUTH_C" >"$STOCK/xvfb.log" 2>&1 &
	XVFB_PID=$!
	track_pid "$XVFB_PID"
	for n in $(seq 1 100); do [ -S "/tmp/.X11-unix/X$XN" ] && break; sleep 0.1; done
}

# x11_dropin VARIANT: `loginbox sshd-config` with $STOCK/VARIANT as
# /etc/pam.d/sshd and sshd settings that are safe by themselves
# (X11Forwarding yes, no PermitUserEnvironment, AcceptEnv LANG LC_*,
# and $DROPIN_EXTRA if set); prints the drop-in and its stderr.  The
# sshd config for start_stock_sshd is $STOCK/x11-VARIANT.conf.
x11_dropin() {
	cat >"$STOCK/x11-$1.conf" <<-EOC
		Include $STOCK/loginbox-$1.conf
		Subsystem sftp /usr/lib/openssh/sftp-server
		X11Forwarding yes
		X11UseLocalhost yes
		AcceptEnv LANG LC_*
		LogLevel VERBOSE
	EOC
	[ -n "${DROPIN_EXTRA-}" ] && printf '%s\n' "$DROPIN_EXTRA" >>"$STOCK/x11-$1.conf"
	in_stock_ns_sshd "$1" sh -c 'mount --bind "$1" /etc/ssh/sshd_config && exec "$2" sshd-config' \
		sh "$STOCK/x11-$1.conf" "$LB_ADMIN" >"$STOCK/loginbox-$1.conf" 2>"$STOCK/dropin-$1.err"
	cat "$STOCK/loginbox-$1.conf" "$STOCK/dropin-$1.err"
}

# xssh PORT USER CMD: ssh -X to the sshd on PORT with start_xvfb's display
xssh() { # PORT USER CMD
	DISPLAY=":$XN" XAUTHORITY="$XAUTH_C" ssh_port "$1" "$2" -X -o ForwardX11Trusted=yes -o LogLevel=INFO "$3"
}
