#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# loginbox check on good and bad config files; loginbox policy picks the
# winning section (priority, user sections, conf.d, default, box = no).
set -u
. "$(dirname "$0")/lib.sh"
t_plan 44

D=$LBT_TMP/conf-check
mkdir -p "$D"
chmod 755 "$D"

# conf NAME: stdin -> $D/NAME, root-owned, 0644; prints the path.
conf() {
	cat >"$D/$1"
	chown root:root "$D/$1"
	chmod 0644 "$D/$1"
	echo "$D/$1"
}

# check_bad NAME FILE ERE...: loginbox check FILE exits 1 and its message
# matches every ERE.
check_bad() {
	local name=$1 f=$2 out rc re
	shift 2
	out=$("$LB_ADMIN" check "$f" 2>&1)
	rc=$?
	if [ "$rc" -ne 1 ]; then
		tap_fail "$name" "loginbox check $f: status $rc, expected 1" "output: $out"
		return
	fi
	for re in "$@"; do
		if ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
			tap_fail "$name" "message does not match /$re/:" "$out"
			return
		fi
	done
	tap_ok "$name"
}

# ---- the install: nothing of ours is setuid, setgid or has file capabilities
for f in "$LB_SHELL" "$LB_ADMIN" "$LB_HELPER" "$LB_PAM_MODULE"; do
	mode=$(stat -c '%a %U' "$f" 2>&1)
	caps=$(getcap "$f" 2>/dev/null)
	if [ "${mode%% *}" -lt 1000 ] 2>/dev/null && [ "${mode#* }" = root ] && [ -z "$caps" ]; then
		tap_ok "install: $f is root's, not setuid/setgid, no file capabilities ($mode)"
	else
		tap_fail "install: $f is root's, not setuid/setgid, no file capabilities" "mode/owner: $mode" "caps: $caps"
	fi
done
out=$(setpriv --reuid=lbt-plain --regid=lbt-plain --clear-groups "$LB_HELPER" open lbt-plain sshd 2>&1)
rc=$?
t_refused "install: loginbox-helper refuses to run for a non-root caller" "$rc" "$out" 2 \
	'^loginbox-helper: must be started as root'
for sub in "list" "gc" "kill 1" "run -u lbt-plain -- true"; do
	# shellcheck disable=SC2086
	out=$(setpriv --reuid=lbt-plain --regid=lbt-plain --clear-groups "$LB_ADMIN" $sub 2>&1)
	rc=$?
	t_refused "install: loginbox $sub refuses a non-root caller" "$rc" "$out" nonzero \
		'^loginbox: this command must be run as root$'
done

# ---- good file
good=$(conf good.conf <<-'EOF'
	[global]
	on_error = deny
	default = none

	[group.lbt-boxed]
	image = host
	hostname = %u-box
	upper_size = 2G
	pids_max = 512
	priority = 10

	[user.lbt-alice]
	pids_max = 1024
EOF
)
out=$("$LB_ADMIN" check "$good" 2>&1)
rc=$?
t_is "$rc" 0 "check: a valid file passes (exit 0)"
t_like "$out" '^ok: 2 sections' "check: a valid file reports its sections"

# ---- bad files: every message names file, section and key
f=$(conf unknown-key.conf <<-'EOF'
	[group.lbt-boxed]
	imagee = host
EOF
)
check_bad "check: unknown key is an error naming file, section and key" \
	"$f" "unknown-key\.conf" '\[group\.lbt-boxed\]' 'imagee' 'unknown key'

f=$(conf bad-size.conf <<-'EOF'
	[group.lbt-boxed]
	upper_size = 4X
EOF
)
check_bad 'check: bad value "4X" is an error naming file, section, key and value' \
	"$f" "bad-size\.conf" '\[group\.lbt-boxed\]' 'upper_size' '4X'

f=$(conf octal.conf <<-'EOF'
	[group.lbt-boxed]
	pids_max = 010
EOF
)
check_bad 'check: "010" is not silently read as octal 8 (strict numbers)' \
	"$f" "octal\.conf" 'pids_max' '010'

f=$(conf bool.conf <<-'EOF'
	[group.lbt-boxed]
	box = yolo
EOF
)
check_bad 'check: "box = yolo" is not read as a boolean by its first letter' \
	"$f" "bool\.conf" '\[group\.lbt-boxed\]' 'box'

f=$(conf syntax.conf <<-'EOF'
	[group.lbt-boxed
	image = host
EOF
)
check_bad "check: a syntax error names the file and line" \
	"$f" "syntax\.conf" 'line 1'

f=$(conf gw.conf <"$good")
chmod 0664 "$f"
check_bad "check: a group-writable file is refused" "$f" "gw\.conf" 'writable'

f=$(conf ww.conf <"$good")
chmod 0646 "$f"
check_bad "check: a world-writable file is refused" "$f" "ww\.conf" 'writable'

ln -sf "$good" "$D/link.conf"
check_bad "check: a symlinked config file is refused" "$D/link.conf" "link\.conf" 'symbolic link'

f=$(conf notroot.conf <"$good")
chown lbt-plain "$f"
check_bad "check: a config file not owned by root is refused" "$f" "notroot\.conf" 'owned by|not root'

# ---- the installed config
out=$("$LB_ADMIN" check 2>&1)
rc=$?
t_is "$rc" 0 "check: the test config in $LB_CONF is valid"
t_like "$out" "^read $LB_CONF\$" "check: lists the files it read"

chmod 0666 "$LB_CONF"
out=$("$LB_ADMIN" check 2>&1)
rc=$?
chmod 0644 "$LB_CONF"
if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q "$LB_CONF.*writable"; then
	tap_ok "check: a world-writable $LB_CONF is refused, naming it"
else
	tap_fail "check: a world-writable $LB_CONF is refused, naming it" "status $rc" "$out"
fi

# ---- policy
first_line() { printf '%s\n' "$1" | head -n 1; }

out=$("$LB_ADMIN" policy lbt-plain 2>&1)
t_is "$(first_line "$out")" "# user lbt-plain is not boxed" "policy: an unboxed user is reported as not boxed"

out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_is "$(first_line "$out")" "# section: group.lbt-boxed (from $LB_CONF)" \
	"policy: a group member gets the group section, with its file"
t_like "$out" '^inside_uid = self +#.*$' "policy: prints the effective values (inside_uid = self)"

out=$("$LB_ADMIN" policy lbt-root 2>&1)
t_like "$out" '^inside_uid = root +#.*$' "policy: lbt-root gets inside_uid = root from group.lbt-rootbox"

out=$("$LB_ADMIN" policy lbt-no-such-user 2>&1)
rc=$?
t_refused "policy: an unknown user is an error naming the user" "$rc" "$out" nonzero 'lbt-no-such-user'


# priority: alice is in lbt-boxed and lbt-docker
write_conf <<-'EOF'
	[global]
	on_error = deny
	[group.lbt-boxed]
	hostname = low-%u
	priority = 10
	[group.lbt-docker]
	hostname = high-%u
	priority = 20
EOF
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_is "$(first_line "$out")" "# section: group.lbt-docker (from $LB_CONF)" \
	"policy: the group section with the higher priority wins"
t_like "$out" '^hostname = high-%u +#.*$' "policy: values come from the winning section"
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_is "$(first_line "$out")" "# section: group.lbt-boxed (from $LB_CONF)" \
	"policy: a user in only the lower group gets that group"

# user section overrides the group
write_conf <<-'EOF'
	[global]
	on_error = deny
	[group.lbt-boxed]
	hostname = grp-%u
	pids_max = 100
	[user.lbt-alice]
	pids_max = 200
EOF
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_like "$out" '^# user section: user\.lbt-alice' "policy: a user section is reported"
t_like "$out" '^pids_max = 200 +#.*$' "policy: a user section overrides the group's value"
t_like "$out" '^hostname = grp-%u +#.*$' "policy: keys not in the user section come from the group"
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_like "$out" '^pids_max = 100 +#.*$' "policy: another user's section does not apply"

# tie: two groups with the same priority fail closed
write_conf <<-'EOF'
	[global]
	on_error = deny
	[group.lbt-boxed]
	hostname = a
	[group.lbt-docker]
	hostname = b
EOF
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q 'group.lbt-boxed' &&
	printf '%s' "$out" | grep -q 'group.lbt-docker'; then
	tap_ok "policy: two matching groups of equal priority are an error naming both"
else
	tap_fail "policy: two matching groups of equal priority are an error naming both" "status $rc" "$out"
fi

# box = no in a user section exempts the user
write_conf <<-'EOF'
	[global]
	on_error = deny
	[group.lbt-boxed]
	image = host
	[user.lbt-bob]
	box = no
EOF
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_like "$(first_line "$out")" '^# user lbt-bob is not boxed' "policy: box = no in [user.X] exempts the user"

# default = SECTION boxes users of no group
write_conf <<-'EOF'
	[global]
	on_error = deny
	default = group.lbt-rootbox
	[group.lbt-rootbox]
	image = host
	hostname = dflt-%u
EOF
out=$("$LB_ADMIN" policy lbt-plain 2>&1)
t_is "$(first_line "$out")" "# section: group.lbt-rootbox (from $LB_CONF)" \
	"policy: default = SECTION applies to users in no boxed group"
t_like "$out" "warning: lbt-plain's login shell is /bin/bash" \
	"policy: warns that a boxed user's login shell is not loginbox-shell"

# conf.d files are read after the main file, and named
base_conf | write_conf
mkdir -p "$LB_CONFD"
cat >"$LB_CONFD/lbt-50.conf" <<-'EOF'
	[user.lbt-bob]
	hostname = confd-%u
	[group.lbt-docker]
	hostname = docker-%u
	priority = 5
EOF
chmod 0644 "$LB_CONFD/lbt-50.conf"
out=$("$LB_ADMIN" check 2>&1)
t_like "$out" "^read $LB_CONFD/lbt-50.conf\$" "check: reads $LB_CONFD/*.conf"
out=$("$LB_ADMIN" policy lbt-bob 2>&1)
t_like "$out" '^hostname = confd-%u +#.*$' "policy: a user section from conf.d applies"
out=$("$LB_ADMIN" policy lbt-alice 2>&1)
t_is "$(first_line "$out")" "# section: group.lbt-docker (from $LB_CONFD/lbt-50.conf)" \
	"policy: names the conf.d file the winning section came from"
chmod 0666 "$LB_CONFD/lbt-50.conf"
out=$("$LB_ADMIN" check 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q "lbt-50.conf.*writable"; then
	tap_ok "check: a world-writable conf.d file is refused, naming it"
else
	tap_fail "check: a world-writable conf.d file is refused, naming it" "status $rc" "$out"
fi
rm -f "$LB_CONFD/lbt-50.conf"
ln -s "$good" "$LB_CONFD/lbt-51.conf"
out=$("$LB_ADMIN" check 2>&1)
rc=$?
rm -f "$LB_CONFD/lbt-51.conf"
if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q "lbt-51.conf.*symbolic link"; then
	tap_ok "check: a symlink in conf.d is refused, naming it"
else
	tap_fail "check: a symlink in conf.d is refused, naming it" "status $rc" "$out"
fi

reset_conf
exit 0
