#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# on_error = allow lets a login in unboxed only after a failure the user
# cannot cause (a missing image); failures a user can cause on purpose (their
# own persistent upper broken by box root, no or too few subordinate ids, an
# NSS lookup error) refuse, with the refusal's own message to the client and
# in syslog (LOG_AUTHPRIV).  inside_uid = root with image = host is refused by
# `loginbox check` and at login; user names are checked before they become
# paths.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t75
mkdir -p "$W"
HOST_HOSTNAME=$(hostname)
HOST_UIDMAP="0 0 4294967295"

# ---- syslog: the module's pam_syslog lines (LOG_AUTHPRIV) go to /dev/log.
# This machine runs no syslog daemon: catch them ourselves, on /dev/log
# (syslog_lib.sh).
. "$(dirname "$0")/syslog_lib.sh"
start_syslog "$W/syslog"
trap stop_syslog EXIT

# refused_anyway NAME USER ERE [SYSLOG-ERE]: with on_error = allow, an ssh
# login of USER is refused (nothing ran, neither boxed nor unboxed), the
# client is told ERE, and syslog says the login was refused although
# on_error = allow (or matches SYSLOG-ERE: failures before the policy is
# known).
refused_anyway() {
	local name=$1 u=$2 re=$3 rc
	local slog=${4:-"user $u: login refused, box not built \\(on_error = allow does not cover this failure: the user can cause it\\): .*$re"}
	: >"$SYSLOG"
	ssh_as "$u" 'echo "@@RAN@@"; echo "@@H=$(hostname)@@"' >"$W/out" 2>"$W/err"
	rc=$?
	cat "$W/out" "$W/err" >"$W/both"
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/both"; then
		tap_ok "$name: on_error = allow: the login is refused, not let in unboxed"
	else
		tap_fail "$name: on_error = allow: the login is refused, not let in unboxed" \
			"status $rc, hostname '$(marker "$(cat "$W/both")" H)'" "$(cat "$W/both")"
	fi
	if grep -q 'loginbox: your session could not be started' "$W/both" &&
		grep -Eq -- "$re" "$W/both"; then
		tap_ok "$name: the client is told why (/$re/)"
	else
		tap_fail "$name: the client is told why (/$re/)" "$(cat "$W/both")"
	fi
	syslog_has "$name: syslog (authpriv): refused, on_error = allow does not cover it" "$slog"
	assert_no_leftovers "$name: nothing is left behind" 5
}

allow_conf() { base_conf | sed 's/^on_error = deny/on_error = allow/'; }

# ---- (a) positive control: a missing image is the admin's: unboxed login
{ allow_conf; printf '[user.lbt-bob]\nimage = lbt-nosuch\n'; } | write_conf
: >"$SYSLOG"
out=$(ssh_as lbt-bob 'echo "@@H=$(hostname)@@"; echo "@@M=$(tr -s " " </proc/self/uid_map | sed "s/^ //")@@"' 2>&1)
t_is "$(marker "$out" H)" "$HOST_HOSTNAME" "missing image, on_error = allow: the login runs, with the host's hostname"
t_is "$(marker "$out" M)" "$HOST_UIDMAP" "missing image, on_error = allow: unboxed (uid_map $HOST_UIDMAP)"
syslog_has "missing image, on_error = allow: syslog says it let the login in unboxed" \
	"user lbt-bob: box not built, login allowed unboxed \\(on_error = allow in \\[group.lbt-boxed\\]\\): image lbt-nosuch"
assert_no_leftovers "missing image, on_error = allow: nothing remains" 5

# The helper not installed (missing, not executable) is the admin's too.
allow_conf | write_conf
for how in missing not-executable; do
	case $how in
	missing) mv "$LB_HELPER" "$LB_HELPER.lbt-away" ;;
	not-executable) chmod 0644 "$LB_HELPER" ;;
	esac
	: >"$SYSLOG"
	out=$(ssh_as lbt-bob 'echo "@@H=$(hostname)@@"; echo "@@M=$(tr -s " " </proc/self/uid_map | sed "s/^ //")@@"' 2>&1)
	case $how in
	missing) mv "$LB_HELPER.lbt-away" "$LB_HELPER" ;;
	not-executable) chmod 0755 "$LB_HELPER" ;;
	esac
	t_is "$(marker "$out" H)/$(marker "$out" M)" "$HOST_HOSTNAME/$HOST_UIDMAP" \
		"helper $how, on_error = allow: an unboxed login (host hostname, uid_map)"
	syslog_has "helper $how, on_error = allow: syslog says why it let the login in" \
		"user lbt-bob: box not built, login allowed unboxed .*cannot run $LB_HELPER"
done
t_check "the helper is back in place" test -x "$LB_HELPER"
assert_no_leftovers "helper not installed, on_error = allow: nothing remains" 5

# ---- (b) failures the user can cause
# 1. box root breaks its own persistent upper: /etc/passwd (which the helper
# completes for a directory image) made a symlink, or a directory.
for how in symlink directory; do
	rm -rf "${LB_USERSDIR:?}/lbt-root"
	{ allow_conf; printf '[user.lbt-root]\nupper = persistent\nupper_size = max\n'; } | write_conf
	case $how in
	symlink) cmd='rm -f /etc/passwd && ln -s /nonexistent /etc/passwd' ;;
	directory) cmd='rm -f /etc/passwd && mkdir /etc/passwd' ;;
	esac
	out=$(ssh_as lbt-root "echo \"@@H=\$(hostname)@@\"; echo \"@@U=\$(id -u)@@\"; $cmd && echo @@BROKEN=yes@@" 2>&1)
	t_is "$(marker "$out" H)" lbt-root-box "upper $how: the first login ran in the box"
	t_is "$(marker "$out" BROKEN)" yes "upper $how: box root replaced /etc/passwd in its persistent upper by a $how (uid $(marker "$out" U))"
	assert_no_leftovers "upper $how: the first session ended" 5
	case $how in
	symlink) re='open /etc/passwd: Too many levels of symbolic links' ;;
	directory) re='(/etc/passwd in the box is not a regular file|open /etc/passwd: Is a directory)' ;;
	esac
	refused_anyway "persistent upper broken by box root ($how)" lbt-root "$re"
done
rm -rf "${LB_USERSDIR:?}/lbt-root"

# 2. subordinate ids: none, too few (the user's own entry in a directory
# service can be like that: always the user's failure).
allow_conf | write_conf
refused_anyway "no subuid/subgid range (lbt-nosub)" lbt-nosub 'lbt-nosub has no range in /etc/subuid'
refused_anyway "a range of 1000 ids (lbt-small)" lbt-small '/etc/subuid.*65536|65536.*/etc/subuid'

# 3. an NSS lookup that fails: one of lbt-bob's groups has a name longer than
# loginbox takes (a directory service can serve that).
cp -p /etc/group "$W/group.bak"
long=lbt-$(printf 'g%.0s' $(seq 70))
gid=59000
while getent group "$gid" >/dev/null; do gid=$((gid + 1)); done
echo "$long:x:$gid:lbt-bob" >>/etc/group
refused_anyway "a group name NSS returns is too long" lbt-bob "group $gid: name longer than" \
	"login refused, box not built: user lbt-bob: group $gid: name longer than"
cat "$W/group.bak" >/etc/group

# ---- (c) inside_uid = root with image = host
# Positive control: in its directory image, lbt-root logs in as box root.
allow_conf | write_conf
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" '^ok: ' "check: the suite's config (root in a directory image) is fine"
out=$(ssh_as lbt-root 'echo "@@U=$(id -u)@@"; echo "@@H=$(hostname)@@"' 2>&1)
t_is "$(marker "$out" U)/$(marker "$out" H)" 0/lbt-root-box "root in lbt-rootimg: the login runs as box root"
for oe in allow deny; do
	{ base_conf | sed "s/^on_error = deny/on_error = $oe/; s/^image = lbt-rootimg/image = host/"; } | write_conf
	grep -q '^image = host$' "$LB_CONF" || diag "the config was not changed as meant"
	out=$("$LB_ADMIN" check 2>&1)
	rc=$?
	t_isnt "$rc" 0 "check, on_error = $oe: inside_uid = root with image = host fails"
	t_like "$out" "$LB_CONF: \\[group.lbt-rootbox\\] inside_uid: root with image = host" \
		"check, on_error = $oe: the message names file, section and key"
	t_like "$out" 'set image = NAME in \[group.lbt-rootbox\], NAME a directory image under /var/lib/loginbox/images' \
		"check, on_error = $oe: the message says how to fix it"
	: >"$SYSLOG"
	ssh_as lbt-root 'echo @@RAN@@' >"$W/both" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/both"; then
		tap_ok "login, on_error = $oe: lbt-root is refused"
	else
		tap_fail "login, on_error = $oe: lbt-root is refused" "status $rc" "$(cat "$W/both")"
	fi
	t_like "$(cat "$W/both")" 'inside_uid: root with image = host .*needs a directory image under /var/lib/loginbox/images' \
		"login, on_error = $oe: the client is told why, and what to use instead"
	syslog_has "login, on_error = $oe: syslog names the combination" \
		'user lbt-root: login refused, box not built: user lbt-root: .*inside_uid: root with image = host'
	out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-root -- true 2>&1)
	t_like "$out" 'inside_uid: root with image = host' "loginbox run, on_error = $oe: refused with the message"
done
assert_no_leftovers "inside_uid = root, image = host: nothing is left behind" 5
reset_conf

# ---- (d) user names are checked before they become paths
for name in '../x' 'a/b' '..'; do
	out=$("$LB_ADMIN" run -u "$name" -- true 2>&1)
	rc=$?
	t_isnt "$rc" 0 "loginbox run -u '$name': refused"
	t_like "$out" "user name \"$(printf '%s' "$name" | sed 's/\./\\./g')\" is not one loginbox accepts" \
		"loginbox run -u '$name': the message names the rule"
done
out=$("$LB_ADMIN" policy '../x' 2>&1)
t_like "$out" 'user name "\.\./x" is not one loginbox accepts' "loginbox policy '../x': refused with the message"
# The module, given a name NSS would never return (pamtester passes it as is).
: >"$SYSLOG"
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamtester '../lbt-x' open_session 2>&1)
rc=$?
t_isnt "$rc" 0 "pam_loginbox, user '../lbt-x': the session is refused"
t_like "$out" 'user name "\.\./lbt-x" is not one loginbox accepts' "pam_loginbox, user '../lbt-x': the message is shown"
syslog_has "pam_loginbox, user '../lbt-x': syslog names it" 'login refused, box not built: user name "\.\./lbt-x" is not one loginbox accepts'
ls "$LB_USERSDIR" 2>/dev/null | grep -q 'lbt-x' && tap_fail "no path was made from '../lbt-x'" || tap_ok "no path was made from '../lbt-x'"

stop_syslog
trap - EXIT
exit 0
