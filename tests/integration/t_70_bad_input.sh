#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input fails closed with a message the user and the admin can act on,
# and leaves nothing behind: no subordinate ids, too few, a missing image,
# images with hostile symlinks, a broken config; on_error = allow lets the
# login in unboxed; a sane busybox image boots.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t70
mkdir -p "$W"
reset_conf
HOST_HOSTNAME=$(hostname)

# refused NAME USER ERE: an ssh login of USER is refused, and the client
# gets a loginbox message matching ERE; nothing is left behind.
refused() {
	local name=$1 u=$2 re=$3 rc
	ssh_as "$u" 'echo "@@RAN@@"; hostname' >"$W/out" 2>"$W/err"
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out"; then
		tap_ok "$name: the ssh login is refused"
	else
		tap_fail "$name: the ssh login is refused" "status $rc" "stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
	fi
	# sshd shows PAM's messages with the login messages, on the session's
	# stdout (display_loginmsg), not on stderr: look at both.
	cat "$W/out" "$W/err" >"$W/both"
	if grep -q 'loginbox' "$W/both" && grep -Eq -- "$re" "$W/both"; then
		tap_ok "$name: the client is told why (/$re/)"
	else
		tap_fail "$name: the client is told why (/$re/)" "stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
	fi
	assert_no_leftovers "$name: nothing is left behind" 5
}

# helper_says NAME USER ERE: `loginbox run -u USER` fails naming the problem.
helper_says() {
	local out rc
	out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u "$2" -- true 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -Eq -- "$3"; then
		tap_ok "$1: loginbox run names the problem"
	else
		tap_fail "$1: loginbox run names the problem (/$3/)" "status $rc" "$out"
	fi
}

# ---- subordinate ids
refused "no subuid/subgid range (lbt-nosub)" lbt-nosub '/etc/subuid'
helper_says "no subuid/subgid range (lbt-nosub)" lbt-nosub 'lbt-nosub has no range in /etc/subuid'
refused "a range of 1000 ids (lbt-small)" lbt-small '/etc/subuid.*65536|65536.*/etc/subuid'
helper_says "a range of 1000 ids (lbt-small)" lbt-small '1000'

# A subuid range but no subgid range.
cp -p /etc/subgid "$W/subgid.bak"
sed -i '/^lbt-bob:/d' /etc/subgid
refused "a subuid range but no subgid range" lbt-bob '/etc/subgid'
cat "$W/subgid.bak" >/etc/subgid

# ---- images
img_conf() { # IMAGE [EXTRA-LINE...]: lbt-bob boxed on IMAGE with /bin/sh
	{
		base_conf
		printf '[user.lbt-bob]\nimage = %s\nshell = /bin/sh\n' "$1"
		shift
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} | write_conf
}

img_conf nosuch
refused "image = nosuch (missing image)" lbt-bob 'nosuch'
helper_says "image = nosuch (missing image)" lbt-bob 'image nosuch.*/var/lib/loginbox/images/nosuch'

SNAP_BEFORE=$(snapshot_host_root)
# hostile: a standard directory of the image is a symlink
for v in etc:/ proc:/host/proc dev:/ dev:/dev tmp:/ tmp:/tmp sys:/sys run:/ home:/etc; do
	d=${v%%:*}
	target=${v#*:}
	img=lbt-evil-$d-$(printf '%s' "$target" | tr -c 'a-z0-9' '_')
	make_image "$img"
	rm -rf "${LB_IMAGES:?}/$img/$d"
	ln -s "$target" "$LB_IMAGES/$img/$d"
	img_conf "$img"
	refused "image with $d -> $target" lbt-bob "$d"
	helper_says "image with $d -> $target" lbt-bob "$d"
done
# hostile: the image directory itself
make_image lbt-good
ln -sfn lbt-good "$LB_IMAGES/lbt-link"
img_conf lbt-link
refused "image that is a symlink to another image" lbt-bob 'lbt-link'
make_image lbt-gw
chmod 0775 "$LB_IMAGES/lbt-gw"
img_conf lbt-gw
refused "image directory writable by its group" lbt-bob 'lbt-gw'
make_image lbt-notroot
chown lbt-plain "$LB_IMAGES/lbt-notroot"
img_conf lbt-notroot
refused "image directory not owned by root" lbt-bob 'lbt-notroot'
SNAP_AFTER=$(snapshot_host_root)
if [ "$SNAP_BEFORE" = "$SNAP_AFTER" ]; then
	tap_ok "hostile images: the host's /, /etc and /dev are untouched"
else
	tap_fail "hostile images: the host's /, /etc and /dev are untouched" \
		"$(diff <(printf '%s\n' "$SNAP_BEFORE") <(printf '%s\n' "$SNAP_AFTER") | head -n 20)"
fi
for p in /pts /shm /null /lbt-on-disk; do
	[ -e "$p" ] && diag "unexpected on the host: $p"
done

# ---- a sane busybox image boots
img_conf lbt-good
out=$(ssh_as lbt-bob 'echo "H=$(hostname)"; echo "LS=$(ls / | tr "\n" " ")"; echo "P1=$(cat /proc/1/comm)"; echo "BB=$(ls /bin/busybox)"' 2>&1)
rc=$?
t_is "$rc" 0 "busybox image: the login works"
t_is "$(kv "$out" H)" lbt-bob-box "busybox image: hostname works inside"
t_like "$(kv "$out" LS)" '(^| )bin .*etc .*proc ' "busybox image: ls / shows the image's root"
t_is "$(kv "$out" P1)" loginbox-init "busybox image: PID 1 is loginbox-init"
t_is "$(kv "$out" BB)" /bin/busybox "busybox image: the image's busybox is there"
# The design wants the user known inside any image, even one whose own
# /etc/passwd does not list them (DESIGN.md, "A box on an image ...").
make_image lbt-nopw
rm -f "$LB_IMAGES/lbt-nopw/etc/passwd" "$LB_IMAGES/lbt-nopw/etc/group"
img_conf lbt-nopw
out=$(ssh_as lbt-bob 'echo "WHO=$(id -un 2>/dev/null)"; echo "PW=$(grep -c "^lbt-bob:" /etc/passwd 2>/dev/null)"' 2>&1)
t_is "$(kv "$out" WHO)" lbt-bob "image without the user in its /etc/passwd: the user is still known inside (id -un)"
assert_no_leftovers "images: nothing of these sessions remains"

# ---- broken config refuses boxed logins
# broken NAME: the config just written is broken; a boxed login is refused.
broken() {
	refused "broken config ($1)" lbt-alice "$2"
}
{ base_conf; printf '[group.lbt-docker\nimage = host\n'; } | write_conf
broken "syntax error" "$LB_CONF"
{ base_conf; printf '[user.lbt-alice]\nimagee = host\n'; } | write_conf
broken "unknown key" "imagee"
{ base_conf; printf '[user.lbt-alice]\nupper_size = 4X\n'; } | write_conf
broken 'bad value "4X"' "4X"
base_conf | write_conf
chmod 0666 "$LB_CONF"
broken "world-writable file" "writable"
chmod 0644 "$LB_CONF"
{ base_conf; printf '[group.lbt-docker]\nimage = host\n'; } | write_conf
broken "two groups tie on priority" "lbt-docker"
mkdir -p "$LB_CONFD"
base_conf | write_conf
printf '[user.lbt-alice]\nhostname = x\n' >"$LB_CONFD/lbt-70.conf"
chown lbt-plain "$LB_CONFD/lbt-70.conf"
broken "conf.d file not owned by root" "lbt-70.conf"
rm -f "$LB_CONFD/lbt-70.conf"
reset_conf
out=$(ssh_as lbt-alice 'hostname' 2>&1)
t_is "$out" lbt-alice-box "a fixed config: boxed logins work again"

# ---- a service that cannot be boxed: pam_loginbox.so deny
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamdeny lbt-alice open_session close_session 2>&1)
rc=$?
t_isnt "$rc" 0 "PAM option deny: a boxed user's session is refused"
t_like "$out" 'not available for boxed' "PAM option deny: with a message saying so"
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamdeny lbt-plain open_session close_session 2>&1)
rc=$?
t_is "$rc" 0 "PAM option deny: an unboxed user's session is allowed"
assert_no_leftovers "PAM option deny: no box was built" 3

# ---- on_error = allow: an unboxed login when the box cannot be built
{ base_conf | sed 's/^on_error = deny/on_error = allow/'; printf '[user.lbt-bob]\nimage = nosuch\n'; } | write_conf
out=$(ssh_as lbt-bob 'echo "H=$(hostname)"; echo "P=$(readlink /proc/self/ns/pid)"; exit 7' 2>"$W/err")
rc=$?
t_is "$rc" 7 "on_error = allow: the login succeeds although the box cannot be built"
t_is "$(kv "$out" H)" "$HOST_HOSTNAME" "on_error = allow: the login is unboxed (the host's hostname)"
t_is "$(kv "$out" P)" "$(readlink /proc/self/ns/pid)" "on_error = allow: the login is in the host's pid namespace"
out=$(ssh_as lbt-alice 'hostname' 2>&1)
t_is "$out" lbt-alice-box "on_error = allow: users whose box can be built still get one"
assert_no_leftovers "on_error = allow: nothing remains (not even the allow token)"

{ base_conf; printf '[user.lbt-bob]\nimage = nosuch\non_error = allow\n'; } | write_conf
out=$(ssh_as lbt-bob 'hostname' 2>&1)
t_is "$out" "$HOST_HOSTNAME" "on_error = allow in the user's section: unboxed login"
{ base_conf; printf '[user.lbt-bob]\nimage = nosuch\non_error = deny\n'; } | write_conf
refused "on_error = deny in the user's section" lbt-bob 'nosuch'

# the allow token cannot be reused by another user or after logout
{ base_conf | sed 's/^on_error = deny/on_error = allow/'; printf '[user.lbt-bob]\nimage = nosuch\n'; } | write_conf
out=$(ssh_as lbt-bob 'echo "TOKEN=$LOGINBOX_SESSION"' 2>&1)
tok=$(kv "$out" TOKEN)
reset_conf
if [ -n "$tok" ]; then
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
		env -i LOGINBOX_SESSION="$tok" PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! printf '%s' "$out" | grep -q '@@RAN@@'; then
		tap_ok "on_error = allow: the token does not work after its login ended"
	else
		tap_fail "on_error = allow: the token does not work after its login ended" "status $rc" "$out"
	fi
fi
out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
	env -i LOGINBOX_SESSION=1 PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && ! printf '%s' "$out" | grep -q '@@RAN@@'; then
	tap_ok "loginbox-shell without a box (forged LOGINBOX_SESSION) refuses to run anything"
else
	tap_fail "loginbox-shell without a box (forged LOGINBOX_SESSION) refuses to run anything" "status $rc" "$out"
fi

# another user's live session id gets nothing either
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 'echo "S=$LOGINBOX_SESSION"; sleep 20' >"$W/alice.out" 2>&1 &
apid=$!
track_pid "$apid"
asid=""
for i in $(seq 1 50); do
	asid=$(kv "$(cat "$W/alice.out")" S)
	[ -n "$asid" ] && break
	sleep 0.2
done
if [ -n "$asid" ]; then
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
		env -i LOGINBOX_SESSION="$asid" PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@ $(id -un)"' 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! printf '%s' "$out" | grep -q '@@RAN@@'; then
		tap_ok "loginbox-shell with another user's live session id refuses to run anything"
	else
		tap_fail "loginbox-shell with another user's live session id refuses to run anything" "status $rc" "$out"
	fi
else
	tap_fail "loginbox-shell with another user's live session id refuses to run anything" "alice's login did not start"
fi
stop_pid "$apid"

reset_conf
assert_no_leftovers "bad input: nothing of any of these sessions remains"
exit 0
