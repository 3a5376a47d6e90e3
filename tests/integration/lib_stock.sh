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
