#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input fails closed with a message the user and the admin can act on,
# and leaves nothing behind: no subordinate ids, too few, a missing image,
# images with hostile symlinks, a broken config; on_error = allow lets the
# login in unboxed; a sane busybox image boots.
set -u
. "$(dirname "$0")/lib.sh"
t_plan 119

W=$LBT_TMP/t70
mkdir -p "$W"
reset_conf
HOST_HOSTNAME=$(hostname)

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
refused_ssh "no subuid/subgid range (lbt-nosub)" lbt-nosub '/etc/subuid'
helper_says "no subuid/subgid range (lbt-nosub)" lbt-nosub 'lbt-nosub has no range in /etc/subuid'
refused_ssh "a range of 1000 ids (lbt-small)" lbt-small '/etc/subuid.*65536|65536.*/etc/subuid'
helper_says "a range of 1000 ids (lbt-small)" lbt-small '1000'

# A subuid range but no subgid range.
cp -p /etc/subgid "$W/subgid.bak"
sed -i '/^lbt-bob:/d' /etc/subgid
refused_ssh "a subuid range but no subgid range" lbt-bob '/etc/subgid'
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
refused_ssh "image = nosuch (missing image)" lbt-bob 'nosuch'
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
	refused_ssh "image with $d -> $target" lbt-bob "$d"
	helper_says "image with $d -> $target" lbt-bob "$d"
done
# hostile: the image directory itself
make_image lbt-good
ln -sfn lbt-good "$LB_IMAGES/lbt-link"
img_conf lbt-link
refused_ssh "image that is a symlink to another image" lbt-bob 'lbt-link'
make_image lbt-gw
chmod 0775 "$LB_IMAGES/lbt-gw"
img_conf lbt-gw
refused_ssh "image directory writable by its group" lbt-bob 'lbt-gw'
make_image lbt-notroot
chown lbt-plain "$LB_IMAGES/lbt-notroot"
img_conf lbt-notroot
refused_ssh "image directory not owned by root" lbt-bob 'lbt-notroot'
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
# /etc/passwd does not list them (a box on an image knows its user: loginbox.conf(5), image).
make_image lbt-nopw
rm -f "$LB_IMAGES/lbt-nopw/etc/passwd" "$LB_IMAGES/lbt-nopw/etc/group"
img_conf lbt-nopw
out=$(ssh_as lbt-bob 'echo "WHO=$(id -un 2>/dev/null)"; echo "PW=$(grep -c "^lbt-bob:" /etc/passwd 2>/dev/null)"' 2>&1)
t_is "$(kv "$out" WHO)" lbt-bob "image without the user in its /etc/passwd: the user is still known inside (id -un)"
t_is "$(kv "$out" PW)" 1 "image without the user in its /etc/passwd: the box's /etc/passwd lists them once"
assert_no_leftovers "images: nothing of these sessions remains"

# ---- broken config refuses boxed logins
# broken NAME: the config just written is broken; a boxed login is refused.
broken() {
	refused_ssh "broken config ($1)" lbt-alice "$2"
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

# ---- a service that cannot be boxed: pam_loginbox.so deny.  The stacks
# list the module twice, as a service's own line does next to the line
# pam-auth-update puts in common-session (lib.sh, setup_pam).
# Positive control first: the same stack without deny builds one box for
# lbt-alice (so "no box" below is the deny line's doing).
before=$(test_session_ids)
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamdouble lbt-alice open_session 2>&1)
rc=$?
t_is "$rc" 0 "module listed twice (own line + common-session): open_session succeeds"
new=$(test_session_ids | grep -cvxF -e "${before:-@none@}")
t_is "$new" 1 "module listed twice: exactly one box is built for the login"
"$LB_ADMIN" gc >/dev/null 2>&1
assert_no_leftovers "module listed twice: loginbox gc removes that box" 5
for svc in lbt-pamdeny lbt-pamdeny-after; do
	case $svc in
	lbt-pamdeny) where="deny line first, module again in common-session" ;;
	*) where="module in common-session first, deny line after" ;;
	esac
	out=$(timeout -k 5 "$LBT_T" pamtester "$svc" lbt-alice open_session close_session 2>&1)
	rc=$?
	t_refused "PAM option deny ($where): a boxed user's session is refused, saying why" \
		"$rc" "$out" 1 "loginbox: $svc is not available for boxed accounts"
	assert_no_leftovers "PAM option deny ($where): no box remains" 3
	out=$(timeout -k 5 "$LBT_T" pamtester "$svc" lbt-plain open_session close_session 2>&1)
	rc=$?
	t_is "$rc" 0 "PAM option deny ($where): an unboxed user's session is allowed"
done

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

# Listed twice in the stack: one token, and close_session removes it.
# Positive control: open_session alone leaves exactly one token.
toks_before=$(ls "$LB_RUN" 2>/dev/null | grep '^allow-')
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamdouble lbt-bob open_session 2>&1)
rc=$?
toks_new=$(ls "$LB_RUN" 2>/dev/null | grep '^allow-' | grep -vxF -e "${toks_before:-@none@}")
t_is "$rc/$(printf '%s' "$toks_new" | grep -c .)" 0/1 \
	"on_error = allow, module listed twice: open_session lets the login in with exactly one token"
for t in $toks_new; do rm -f "${LB_RUN:?}/$t"; done
out=$(timeout -k 5 "$LBT_T" pamtester lbt-pamdouble lbt-bob open_session close_session 2>&1)
t_is "$?" 0 "on_error = allow, module listed twice: open_session close_session succeeds"
assert_no_leftovers "on_error = allow, module listed twice: close_session leaves no token" 3

{ base_conf; printf '[user.lbt-bob]\nimage = nosuch\non_error = allow\n'; } | write_conf
out=$(ssh_as lbt-bob 'hostname' 2>&1)
t_is "$out" "$HOST_HOSTNAME" "on_error = allow in the user's section: unboxed login"
{ base_conf; printf '[user.lbt-bob]\nimage = nosuch\non_error = deny\n'; } | write_conf
refused_ssh "on_error = deny in the user's section" lbt-bob 'nosuch'

# The allow token works for its own login only: not for another user
# while the login is live (the token file proven there), not after logout.
NOBOX_RE='loginbox-shell: this login has no box'
{ base_conf | sed 's/^on_error = deny/on_error = allow/'; printf '[user.lbt-bob]\nimage = nosuch\n'; } | write_conf
unrelease_login lbt-bob tok
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-bob@127.0.0.1 "$(hold_cmd tok lbt-bob)" >"$W/tok.out" 2>&1 &
tpid=$!
track_pid "$tpid"
tok=$(wait_marker "$W/tok.out" S 20)
case $tok in allow-*) ;; *) tok="" ;; esac
if [ -n "$tok" ] && [ -f "$LB_RUN/$tok" ]; then
	tap_ok "on_error = allow: the live unboxed login has its token $LB_RUN/$tok"
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-alice --regid=lbt-alice --clear-groups \
		env -i LOGINBOX_SESSION="$tok" PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
	rc=$?
	t_refused "on_error = allow: another user (lbt-alice) cannot use lbt-bob's live token" \
		"$rc" "$out" 1 "$NOBOX_RE" '@@RAN@@'
	t_check "on_error = allow: the token is still there during that try" test -f "$LB_RUN/$tok"
else
	tap_fail "on_error = allow: the live unboxed login has its token" "printed '$tok'" "$(cat "$W/tok.out")"
	tap_fail "on_error = allow: another user (lbt-alice) cannot use lbt-bob's live token" "no token"
	tap_fail "on_error = allow: the token is still there during that try" "no token"
fi
release_login lbt-bob tok
wait "$tpid"
rc=$?
unrelease_login lbt-bob tok
t_is "$rc/$(marker "$(cat "$W/tok.out")" HELD | grep -c '^[0-9]')" 0/1 "on_error = allow: the unboxed login ran to its end"
reset_conf
if [ -n "$tok" ]; then
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
		env -i LOGINBOX_SESSION="$tok" PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
	rc=$?
	t_refused "on_error = allow: the token does not work after its login ended" "$rc" "$out" 1 "$NOBOX_RE" '@@RAN@@'
else
	tap_fail "on_error = allow: the token does not work after its login ended" "no token"
fi
out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
	env -i LOGINBOX_SESSION=999999999 PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
rc=$?
[ -e "$LB_RUN/999999999" ] && diag "a session 999999999 exists: the forged-id check below is not about a missing box"
t_refused "loginbox-shell without a box (forged LOGINBOX_SESSION=999999999) refuses to run anything" \
	"$rc" "$out" 1 '^loginbox-shell: connect to box 999999999 \(/run/loginbox/999999999/[^)]*\): No such file or directory' '@@RAN@@'
out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
	env -i LOGINBOX_SESSION=12x PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@"' 2>&1)
rc=$?
t_refused "loginbox-shell with a malformed LOGINBOX_SESSION refuses to run anything" \
	"$rc" "$out" 1 "$NOBOX_RE" '@@RAN@@'

# another user's live session id gets nothing either (the control socket's
# mode stops lbt-bob; the session is proven live first)
unrelease_login lbt-alice other
timeout -k 5 "$LBT_T" ssh "${SSH_OPTS[@]}" lbt-alice@127.0.0.1 "$(hold_cmd other lbt-alice)" >"$W/alice.out" 2>&1 &
apid=$!
track_pid "$apid"
asid=$(wait_marker "$W/alice.out" S 20)
if [ -n "$asid" ] && session_proof "$asid"; then
	out=$(timeout -k 5 "$LBT_T" setpriv --reuid=lbt-bob --regid=lbt-bob --clear-groups \
		env -i LOGINBOX_SESSION="$asid" PATH=/usr/bin:/bin "$LB_SHELL" -c 'echo "@@RAN@@ $(id -un)"' 2>&1)
	rc=$?
	t_refused "loginbox-shell with another user's live session id ($asid) refuses to run anything" \
		"$rc" "$out" 1 "^loginbox-shell: connect to box $asid \\(/run/loginbox/$asid/[^)]*\\): Permission denied" '@@RAN@@'
else
	tap_fail "loginbox-shell with another user's live session id refuses to run anything" "alice's login did not start" "$(cat "$W/alice.out")"
fi
release_login lbt-alice other
wait "$apid"
unrelease_login lbt-alice other
assert_session_gone "another user's session: alice's box is gone after her logout" "$asid"

reset_conf
assert_no_leftovers "bad input: nothing of any of these sessions remains"
exit 0
