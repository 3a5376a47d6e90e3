#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped pam-auth-update profile (conf/pam-configs/loginbox) makes a
# `required` line, and through the system stack it makes (Debian's own
# /etc/pam.d/su and sshd including that common-session) a box that cannot
# be built refuses the login: an `optional` line would let it go on
# (docs/SECURITY.md, "Invariants", fail closed).
#
# pam-auth-update itself writes the line, in a private mount namespace
# over copies of /etc/pam.d, /var/lib/pam, debconf's cache and
# /usr/share/pam-configs: nothing on the host changes.
set -u
. "$(dirname "$0")/lib.sh"
STOCK=$LBT_TMP/t82
. "$(dirname "$0")/lib_stock.sh"
t_plan 13

REPO=${LBT_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
PROFILE=/usr/share/pam-configs/loginbox
W=$LBT_TMP/t82w
rm -rf "$W"
mkdir -p "$W"
reset_conf
trap reset_conf EXIT

t_check "the installed profile is the repository's" cmp "$REPO/conf/pam-configs/loginbox" "$PROFILE"

# ---- pam-auth-update --enable loginbox, on copies
cp -a /etc/pam.d "$W/pam.d"
cp -a /var/lib/pam "$W/varlibpam"
cp -a /var/cache/debconf "$W/debconf"
cp -a /usr/share/pam-configs "$W/pam-configs"
# A common-session that already lists the module (make quickstart) is
# made again by pam-auth-update from its profiles: start from one without.
sed -i '/pam_loginbox\.so/d' "$W/pam.d/common-session"
out=$(unshare -m sh -c 'mount --bind "$1/pam.d" /etc/pam.d &&
	mount --bind "$1/varlibpam" /var/lib/pam &&
	mount --bind "$1/debconf" /var/cache/debconf &&
	mount --bind "$1/pam-configs" /usr/share/pam-configs &&
	DEBIAN_FRONTEND=noninteractive exec pam-auth-update --package --force --enable loginbox' sh "$W" 2>&1)
t_is "$?" 0 "pam-auth-update --enable loginbox runs (on copies) ($(printf '%s' "$out" | tail -n 1))"
line=$(grep -E '^[^#]*pam_loginbox\.so' "$W/pam.d/common-session")
t_is "$(printf '%s\n' "$line" | grep -c .)" 1 "the profile puts exactly one pam_loginbox line in common-session"
t_like "$line" '^session[[:space:]]+required[[:space:]]+pam_loginbox\.so[[:space:]]*$' \
	"the profile's line is \`required\` ('$(printf '%s' "$line" | tr '\t' ' ')')"
n_sysd=$(grep -n 'pam_systemd\.so' "$W/pam.d/common-session" | head -n 1 | cut -d: -f1)
n_lb=$(grep -n 'pam_loginbox\.so' "$W/pam.d/common-session" | head -n 1 | cut -d: -f1)
if [ -z "$n_sysd" ]; then
	tap_skip "the line comes after pam_systemd" "no pam_systemd line in this host's common-session"
elif [ -n "$n_lb" ] && [ "$n_lb" -gt "$n_sysd" ]; then
	tap_ok "the line comes after pam_systemd (line $n_lb, pam_systemd $n_sysd)"
else
	tap_fail "the line comes after pam_systemd" "pam_loginbox at line '$n_lb', pam_systemd at $n_sysd"
fi

# ---- the system stack with that common-session: su, and sshd
stock_setup
cp "$W/pam.d/common-session" "$STOCK/common-session"
chmod 644 "$STOCK/common-session"
RAN='echo "@@H=$(hostname)@@"; echo "@@S=${LOGINBOX_SESSION:-none}@@"'
out=$(in_stock_ns timeout -k 5 "$LBT_T" su - lbt-alice -c "$RAN" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "stock su, profile's line: control: lbt-alice lands in her box"
port=$(start_stock_sshd t82 sshd-stock) || port=""
if [ -n "$port" ]; then
	out=$(ssh_port "$port" lbt-alice "$RAN" 2>&1)
	t_is "$(marker "$out" H)" lbt-alice-box "stock sshd, profile's line: control: lbt-alice lands in her box"
else
	tap_fail "stock sshd, profile's line: control: lbt-alice lands in her box" "the second sshd did not start"
fi
assert_no_leftovers "controls: nothing is left behind" 5

# A box that cannot be built (a missing image, on_error = deny).
{ base_conf; printf '[user.lbt-alice]\nimage = lbt-t82-nosuch\n'; } | write_conf
out=$(in_stock_ns timeout -k 5 "$LBT_T" su - lbt-alice -c "$RAN" 2>&1)
t_refused "stock su, profile's line: a box that cannot be built refuses the login" "$?" "$out" nonzero \
	'loginbox: your session could not be started in its box \(.*lbt-t82-nosuch' '@@H='
if [ -n "$port" ]; then
	out=$(ssh_port "$port" lbt-alice "$RAN" 2>&1)
	t_refused "stock sshd, profile's line: a box that cannot be built refuses the login" "$?" "$out" nonzero \
		'loginbox: your session could not be started in its box \(.*lbt-t82-nosuch' '@@H='
	stop_stock_sshd t82
else
	tap_fail "stock sshd, profile's line: a box that cannot be built refuses the login" "the second sshd did not start"
fi
# The counterfactual the profile avoids: the same failure with the line
# `optional` goes on past the module (only loginbox-shell, which finds no
# box, then stops it).
sed 's/^\(session[[:space:]]*\)required\([[:space:]]*pam_loginbox\.so\)/\1optional\2/' \
	"$W/pam.d/common-session" >"$STOCK/common-session"
t_like "$(grep pam_loginbox "$STOCK/common-session")" 'optional' "counterfactual: the line made optional"
out=$(in_stock_ns timeout -k 5 "$LBT_T" su - lbt-alice -c "$RAN" 2>&1)
t_like "$out" 'this login has no box' "counterfactual, optional: PAM lets the failed session through (loginbox-shell is what stops it)"
assert_no_leftovers "refusals: nothing is left behind" 5
reset_conf
exit 0
