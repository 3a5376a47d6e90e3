#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ssh -X for boxed users, attacked through the gate that turns it on
# (`loginbox sshd-config`, x11_blocked / lb_pam_env_open) and through
# loginbox-xauth, with Debian's own sshd stack (lib_stock.sh) changed the
# ways an admin plausibly changes it.  sshd's session child runs
# XAuthLocation through /bin/sh on the host, as the user, with every host
# group, in the login's environment: the boxed user's ~/.pam_environment
# names a library (LD_PRELOAD) whose constructor records where it runs,
# and a host path for xauth to write (XAUTHORITY).
#
# Each case first shows the attack ran (the login is in the box and its
# environment holds ~/.pam_environment's marker variable), then that X11
# stays off for the boxed user with the drop-in's own reason, sshd refuses
# the forwarding, and no marker with the host's uid_map appears.
set -u
. "$(dirname "$0")/../integration/lib.sh"
STOCK=$LBT_TMP/h97
. "$LBT_DIR/lib_stock.sh"

lb_ensure_packages "$LBT_TMP/apt-h97.log" xauth xvfb x11-utils gcc libc6-dev ||
	{ diag_file "$LBT_TMP/apt-h97.log"; tap_fail "install xauth, xvfb, x11-utils, gcc"; exit 1; }

AHOME=$(getent passwd lbt-alice | cut -d: -f6)
MARKS=$AHOME/.lbt-h97
HOSTFILE=/tmp/lbt-h97-xauthority.$$
XVFB_PID=
cleanup_h97() {
	[ -n "$XVFB_PID" ] && stop_pid "$XVFB_PID"
	rm -rf "$MARKS"
	rm -f "$AHOME/.pam_environment" "$AHOME/h97.so" "$AHOME/.Xauthority" \
		"$HOSTFILE" "$HOSTFILE"-c "$HOSTFILE"-l "$HOSTFILE"-n
	return 0
}
trap cleanup_h97 EXIT
stock_setup

cat >"$STOCK/x.c" <<'EOC'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void lbt_mark(void)
{
	char map[128] = "", exe[256] = "", path[512];
	FILE *f;
	if (getuid() == 0)
		return;
	f = fopen("/proc/self/uid_map", "r");
	if (f) {
		if (!fgets(map, sizeof(map), f))
			map[0] = '\0';
		fclose(f);
	}
	map[strcspn(map, "\n")] = '\0';
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0)
		exe[0] = '\0';
	snprintf(path, sizeof(path), "%s/m.%d", MARKDIR, (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "uid_map=%s\nexe=%s\n", map, exe);
	fclose(f);
}
EOC
mkdir -p "$MARKS"
gcc -shared -fPIC -DMARKDIR="\"$MARKS\"" -o "$AHOME/h97.so" "$STOCK/x.c"
chown -R lbt-alice: "$MARKS" "$AHOME/h97.so"

no_host_marker() { no_host_marker_in "$MARKS" "$1"; }
penv() { # [EXTRA LINE]
	printf 'LD_PRELOAD DEFAULT=%s/h97.so\nLBT_KEEP DEFAULT=kept\n' "$AHOME"
	[ $# -gt 0 ] && printf '%s\n' "$1"
	return 0
}
penv >"$AHOME/.pam_environment"
chown lbt-alice: "$AHOME/.pam_environment"

# ---- the client's X server
start_xvfb
t_check "X11: the client's X server (Xvfb :$XN) is up" test -S "/tmp/.X11-unix/X$XN"
XSHOW='echo "@@H=$(hostname)@@"; echo "@@KEEP=${LBT_KEEP-unset}@@"; echo "@@D=${DISPLAY-unset}@@"; echo "@@XA=${XAUTHORITY-unset}@@"'

# x11_attack VARIANT WHAT REASON-REGEX: the stack VARIANT lets
# ~/.pam_environment's LD_PRELOAD reach xauth's /bin/sh; the gate must see it
x11_attack() {
	local v=$1 what=$2 reason=$3 d port out
	d=$(x11_dropin "$v")
	t_like "$d" "^# X11 forwarding is off for boxed users: $reason" \
		"$what: the drop-in keeps X11 off for boxed users and says why" || diag "$d"
	t_unlike "$d" '^XAuthLocation' "$what: no XAuthLocation in the drop-in"
	if ! port=$(start_stock_sshd "h97-$v" "$v" "$STOCK/x11-$v.conf"); then
		tap_fail "$what: sshd starts"
		return
	fi
	rm -f "$MARKS"/m.*
	out=$(xssh "$port" lbt-alice "$XSHOW" 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "$what: ssh -X as lbt-alice runs in the box" || diag "$out"
	t_is "$(marker "$out" KEEP)" kept "$what: ~/.pam_environment was read for the login (LBT_KEEP)"
	t_like "$out" 'X11 forwarding request failed' "$what: sshd refuses the X11 forwarding" ||
		diag "$out"
	no_host_marker "$what: nothing of lbt-alice's ran on the host (xauth's /bin/sh)"
	stop_stock_sshd "h97-$v"
}

# 1. sshd's own stack lists pam_loginbox.so too (without `scrub`) after
# pam_env: that line finds the box common-session's line built and returns
# without scrubbing, so it is no scrub line
{
	cat "$STOCK/sshd-stock"
	printf 'session\trequired\tpam_loginbox.so\n'
} >"$STOCK/sshd-twice"
# 2. pam_env user_readenv=1 as an auth module: sshd calls pam_setcred
# again in the session child, after the session stack and its scrub line
{
	printf 'auth\toptional\tpam_env.so user_readenv=1\n'
	cat "$STOCK/sshd-scrub"
} >"$STOCK/sshd-authenv"
# 3. a line between pam_env and the scrub line that jumps over it
{
	cat "$STOCK/sshd-stock"
	printf 'session\t[success=1 default=ignore]\tpam_permit.so\n'
	printf '%s\n' 'session [success=ok ignore=ignore module_unknown=ignore default=bad] pam_loginbox.so scrub'
} >"$STOCK/sshd-jump"
chmod 644 "$STOCK"/sshd-twice "$STOCK"/sshd-authenv "$STOCK"/sshd-jump

x11_attack sshd-twice "second box line after pam_env" \
	'/etc/pam.d/sshd line [0-9]+: pam_env.so user_readenv=1 runs after the last pam_loginbox.so line that scrubs'
x11_attack sshd-authenv "pam_env user_readenv=1 in the auth stack" \
	'/etc/pam.d/sshd line 1: pam_env.so user_readenv=1 in the auth stack runs again at pam_setcred'
x11_attack sshd-jump "a jump over the scrub line" \
	'/etc/pam.d/sshd line [0-9]+: `\[success=1 default=ignore\]` can skip the scrub line'

# 4. XAUTHORITY: with a safe stack X11 is on; a host xauth would run as
# the user with every host group: ~/.pam_environment's XAUTHORITY (not a
# loader variable) names a host file outside the box's view.  The box's
# xauth stores the cookie instead, where XAUTHORITY points in the box.
penv "XAUTHORITY DEFAULT=$HOSTFILE" >"$AHOME/.pam_environment"
d=$(x11_dropin sshd-scrub)
t_like "$d" '^XAuthLocation /usr/libexec/loginbox/loginbox-xauth$' \
	"XAUTHORITY: with the scrub line X11 is on (XAuthLocation loginbox-xauth)"
if port=$(start_stock_sshd h97-xa sshd-scrub "$STOCK/x11-sshd-scrub.conf"); then
	rm -f "$MARKS"/m.* "$HOSTFILE" "$AHOME/.Xauthority"
	out=$(xssh "$port" lbt-alice "$XSHOW"'; echo "@@XL=$(xauth list 2>&1 | head -n 1)@@"' 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "XAUTHORITY: ssh -X as lbt-alice runs in the box" || diag "$out"
	t_is "$(marker "$out" XA)" "$HOSTFILE" "XAUTHORITY: ~/.pam_environment's XAUTHORITY is in the login's environment"
	t_like "$(marker "$out" D)" '^localhost:[0-9]+\.0$' "XAUTHORITY: the box has sshd's DISPLAY (xauth ran)"
	t_like "$(marker "$out" XL)" '^lbt-alice-box/unix:[0-9]+ +MIT-MAGIC-COOKIE-1 ' \
		"XAUTHORITY: the box's xauth stored the cookie where XAUTHORITY points in the box (the box's own /tmp)" || diag "$out"
	if [ -e "$HOSTFILE" ]; then
		tap_fail "XAUTHORITY: xauth wrote nothing to the host path the user named" "$(ls -l "$HOSTFILE")"
	else
		tap_ok "XAUTHORITY: xauth wrote nothing to the host path the user named"
	fi
	no_host_marker "XAUTHORITY: nothing of lbt-alice's ran on the host"
	stop_stock_sshd h97-xa
else
	tap_fail "XAUTHORITY: sshd starts"
fi

# 5. AcceptEnv LD_PRELOAD in a Match block that `sshd -T -C user=...,
# addr=127.0.0.1` does not show: connections from 127.0.0.2 (ssh -b)
cp "$STOCK/sshd-scrub" "$STOCK/sshd-match"
penv >"$AHOME/.pam_environment"
DROPIN_EXTRA=$(printf 'Match Address 127.0.0.2\n\tAcceptEnv LBT_SENT LD_PRELOAD')
d=$(x11_dropin sshd-match)
DROPIN_EXTRA=
t_like "$d" "^# X11 forwarding is off for boxed users: /etc/ssh/sshd_config line [0-9]+: AcceptEnv LD_PRELOAD lets a client send a loader variable" \
	"AcceptEnv in a Match block: the drop-in keeps X11 off for boxed users and says why" || diag "$d"
t_unlike "$d" '^XAuthLocation' "AcceptEnv in a Match block: no XAuthLocation in the drop-in"
if port=$(start_stock_sshd h97-match sshd-match "$STOCK/x11-sshd-match.conf"); then
	rm -f "$MARKS"/m.*
	out=$(DISPLAY=":$XN" XAUTHORITY="$XAUTH_C" ssh_port "$port" lbt-alice -b 127.0.0.2 -X \
		-o ForwardX11Trusted=yes -o LogLevel=INFO -o SetEnv="LBT_SENT=sent LD_PRELOAD=$AHOME/h97.so" \
		'echo "@@H=$(hostname)@@"; echo "@@SENT=${LBT_SENT-unset}@@"' 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "AcceptEnv in a Match block: the login from 127.0.0.2 runs in the box" || diag "$out"
	t_is "$(marker "$out" SENT)" sent "AcceptEnv in a Match block: sshd applied it (the client's LBT_SENT arrived)"
	t_like "$out" 'X11 forwarding request failed' "AcceptEnv in a Match block: sshd refuses the X11 forwarding" ||
		diag "$out"
	no_host_marker "AcceptEnv in a Match block: the client's LD_PRELOAD ran nothing of lbt-alice's on the host"
	stop_stock_sshd h97-match
else
	tap_fail "AcceptEnv in a Match block: sshd starts"
fi

# 6. XAUTHORITY as in 4, with LOGINBOX_SESSION unset by ~/.pam_environment (pam_env
# runs after the box line): loginbox-xauth must not take the login for an
# unboxed one and honour XAUTHORITY (the login shell then finds no box,
# but xauth ran before it)
penv "XAUTHORITY DEFAULT=$HOSTFILE" >"$AHOME/.pam_environment"
printf 'LOGINBOX_SESSION DEFAULT=\n' >>"$AHOME/.pam_environment"
if port=$(start_stock_sshd h97-xa2 sshd-scrub "$STOCK/x11-sshd-scrub.conf"); then
	rm -f "$MARKS"/m.* "$HOSTFILE" "$AHOME/.Xauthority"
	out=$(xssh "$port" lbt-alice "$XSHOW" 2>&1)
	t_like "$out" 'loginbox-shell: this login has no box' \
		"LOGINBOX_SESSION unset: ~/.pam_environment removed it (the login shell finds no box)" || diag "$out"
	t_like "$out" "loginbox-xauth: this login is in a box.s network, but LOGINBOX_SESSION \\((unset|empty)\\) names no box: nothing stored, no xauth runs on the host" \
		"LOGINBOX_SESSION unset: loginbox-xauth still treats the login as boxed (its network namespace) and stores nothing" || diag "$out"
	if [ -e "$HOSTFILE" ]; then
		tap_fail "LOGINBOX_SESSION unset: xauth wrote nothing to the host path the user named" "$(ls -l "$HOSTFILE")"
	else
		tap_ok "LOGINBOX_SESSION unset: xauth wrote nothing to the host path the user named"
	fi
	no_host_marker "LOGINBOX_SESSION unset: nothing of lbt-alice's ran on the host"
	stop_stock_sshd h97-xa2
else
	tap_fail "LOGINBOX_SESSION unset: sshd starts"
fi

stop_pid "$XVFB_PID"
XVFB_PID=
assert_no_leftovers "h_97: nothing of these sessions remains"
exit 0
