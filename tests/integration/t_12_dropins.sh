#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# conf.d drop-ins merge into the packaged config (loginbox.conf(5) MERGING):
# a drop-in [global] on_error = deny is accepted and changes what a login
# does; a group section split across files gives one policy, last value
# wins, an empty value resets; `loginbox policy` names each value's file;
# a bad value in a drop-in fails closed naming that drop-in.
set -u
. "$(dirname "$0")/lib.sh"

W=$LBT_TMP/t12
mkdir -p "$W"
mkdir -p "$LB_CONFD"
HOST_HOSTNAME=$(hostname)
SITE=$LB_CONFD/lbt-50-site.conf

# dropin NAME: stdin -> $LB_CONFD/NAME (root, 0644).  Our names start with
# lbt- so that reset_conf removes them.
dropin() {
	cat >"$LB_CONFD/$1"
	chown root:root "$LB_CONFD/$1"
	chmod 0644 "$LB_CONFD/$1"
}

# ---- the issue's example: [global] on_error = deny in a drop-in
# The packaged file says on_error = allow, and lbt-bob's box cannot be
# built (no such image): without the drop-in his login goes in unboxed.
rm -f "$LB_CONFD"/lbt-*.conf
{ base_conf | sed 's/^on_error = deny/on_error = allow/'; printf '[user.lbt-bob]\nimage = nosuch\n'; } | write_conf
out=$(ssh_as lbt-bob 'echo "H=$(hostname)"; exit 7' 2>"$W/err")
rc=$?
t_is "$rc" 7 "without the drop-in: on_error = allow lets lbt-bob's login run"
t_is "$(kv "$out" H)" "$HOST_HOSTNAME" "without the drop-in: that login is unboxed (the host's hostname)"

dropin lbt-50-site.conf <<-'EOF'
	[global]
	on_error = deny
EOF
out=$("$LB_ADMIN" check 2>&1)
rc=$?
t_is "$rc" 0 "check: a drop-in [global] next to loginbox.conf's [global] is accepted"
t_unlike "$out" 'already defined' "check: no 'already defined' error"
t_like "$out" "^read $SITE\$" "check: the drop-in was read"
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_like "$out" "^on_error = deny +# $SITE \\[global\\]\$" \
	"policy: on_error = deny, naming the drop-in and [global]"

# Same login, now refused: prove a login of the same kind still runs
# (alice, boxed), then that bob's is refused with loginbox's own message.
out=$(ssh_as lbt-alice 'echo "H=$(hostname)"' 2>&1)
t_is "$(kv "$out" H)" lbt-alice-box "with the drop-in: a buildable box still logs in (boxed)"
ssh_as lbt-bob 'echo "@@RAN@@"; hostname' >"$W/out" 2>"$W/err"
rc=$?
if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out"; then
	tap_ok "with the drop-in: lbt-bob's login is refused (on_error = deny took effect)"
else
	tap_fail "with the drop-in: lbt-bob's login is refused (on_error = deny took effect)" \
		"status $rc" "stdout: $(cat "$W/out")" "stderr: $(cat "$W/err")"
fi
cat "$W/out" "$W/err" >"$W/both"
if grep -q 'loginbox' "$W/both" && grep -q 'nosuch' "$W/both"; then
	tap_ok "with the drop-in: the client is told why (image nosuch)"
else
	tap_fail "with the drop-in: the client is told why (image nosuch)" "$(cat "$W/both")"
fi
assert_no_leftovers "with the drop-in: the refused login left nothing behind" 5

# An empty value puts the key back to its default: here that is deny
# again (loginbox.conf's allow is overridden, not restored).
printf '[global]\non_error =\n' | dropin lbt-50-site.conf
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_like "$out" '^on_error = deny +# built-in default$' \
	"policy: on_error = (empty) in a drop-in is the built-in default"

# ---- a group section split across files
reset_conf
dropin lbt-20-a.conf <<-'EOF'
	[group.lbt-boxed]
	hostname = a-%u
	home = tmpfs
EOF
dropin lbt-30-b.conf <<-'EOF'
	[group.lbt-boxed]
	hostname = b-%u
EOF
out=$("$LB_ADMIN" check 2>&1)
rc=$?
t_is "$rc" 0 "check: [group.lbt-boxed] in loginbox.conf and two drop-ins is valid"
t_is "$(printf '%s\n' "$out" | grep '^ok:' | grep -o '\[group\.lbt-boxed\]' | wc -l)" 1 \
	"check: the section split over three files counts once"
out=$(ssh_as lbt-alice 'echo "H=$(hostname)"; echo "FS=$(stat -f -c %T "$HOME")"' 2>&1)
t_is "$(kv "$out" H)" b-lbt-alice "login: hostname from the last drop-in (lbt-30-b.conf wins over lbt-20-a.conf)"
t_is "$(kv "$out" FS)" tmpfs "login: home = tmpfs from lbt-20-a.conf applies too (keys of both files merge)"

out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_like "$out" "^# section: group\\.lbt-boxed \\(from $LB_CONF, $LB_CONFD/lbt-20-a\\.conf, $LB_CONFD/lbt-30-b\\.conf\\)\$" \
	"policy: the header lists the three files of the section"
t_like "$out" "^hostname = b-%u +# $LB_CONFD/lbt-30-b\\.conf \\[group\\.lbt-boxed\\]\$" \
	"policy: hostname names lbt-30-b.conf"
t_like "$out" "^home = tmpfs +# $LB_CONFD/lbt-20-a\\.conf \\[group\\.lbt-boxed\\]\$" \
	"policy: home names lbt-20-a.conf"
t_like "$out" "^image = host +# $LB_CONF \\[group\\.lbt-boxed\\]\$" \
	"policy: image names loginbox.conf"
t_like "$out" '^shell = /bin/bash +# built-in default$' \
	"policy: a value no file sets says it is the built-in default"

# reset in a later drop-in, and a list replaced whole
dropin lbt-40-c.conf <<-'EOF'
	[group.lbt-boxed]
	home =
	capabilities = chown
EOF
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_like "$out" '^home = bind +# built-in default$' "policy: home = (empty) in lbt-40-c.conf resets home to bind"
t_like "$out" "^capabilities = chown +# $LB_CONFD/lbt-40-c\\.conf " \
	"policy: a later list replaces the default list whole"
out=$(ssh_as lbt-alice 'echo "FS=$(stat -f -c %T "$HOME")"' 2>&1)
t_isnt "$(kv "$out" FS)" tmpfs "login: after the reset the home is not a tmpfs"
t_isnt "$(kv "$out" FS)" "" "login: (the login ran and reported its home's file system)"

# ---- a bad value in a drop-in: the whole config is invalid, fail closed
dropin lbt-60-bad.conf <<-'EOF'
	[group.lbt-boxed]
	pids_max = lots
EOF
out=$("$LB_ADMIN" check 2>&1)
rc=$?
t_is "$rc" 1 "check: a bad value in a drop-in makes the config invalid"
t_like "$out" "$LB_CONFD/lbt-60-bad\\.conf: \\[group\\.lbt-boxed\\] pids_max: \"lots\"" \
	"check: the message names the drop-in, section, key and value"
t_unlike "$out" 'lbt-40-c|lbt-30-b' "check: and no other file"
ssh_as lbt-alice 'echo "@@RAN@@"' >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err" >"$W/both"
if [ "$rc" -ne 0 ] && ! grep -q '@@RAN@@' "$W/out" && grep -q 'lbt-60-bad\.conf' "$W/both"; then
	tap_ok "login: a boxed login is refused, naming the bad drop-in"
else
	tap_fail "login: a boxed login is refused, naming the bad drop-in" "status $rc" "$(cat "$W/both")"
fi

reset_conf
out=$(ssh_as lbt-alice 'hostname' 2>&1)
t_is "$out" lbt-alice-box "reset: drop-ins removed, logins as before"
exit 0
