#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# on_error = allow as a way out of the box: a user who can make their own
# box fail on purpose must be refused, never let in unboxed.  Attacks: their
# own login shell (what chsh lets them change), resource limits they choose
# for su, a persistent upper box root makes unusable (a FIFO the helper
# would read).
set -u
. "$(dirname "$0")/../integration/lib.sh"

W=$LBT_TMP/h40
mkdir -p "$W"
HOST_HOSTNAME=$(hostname)
allow_conf() { base_conf | sed 's/^on_error = deny/on_error = allow/'; }

# no_shell NAME OUT: OUT (client output) shows no shell ran, and a loginbox
# refusal matching ERE.
no_shell() {
	local name=$1 out=$2 re=$3
	if printf '%s' "$out" | grep -q '@@RAN@@'; then
		tap_fail "$name: no shell ran" "hostname '$(marker "$out" H)'" "$out"
	else
		tap_ok "$name: no shell ran (neither boxed nor unboxed)"
	fi
	t_like "$out" "loginbox: your session could not be started in its box \\(.*$re" \
		"$name: the refusal says why (/$re/)"
}

# ---- 1. the login shell: chsh lets a user pick another shell of /etc/shells
allow_conf | write_conf
usermod -s /bin/bash lbt-alice
t_like "$(getent passwd lbt-alice)" ':/bin/bash$' "chsh: lbt-alice's passwd shell is now /bin/bash (the attacker's step)"
out=$(ssh_as lbt-alice 'echo @@RAN@@; echo "@@H=$(hostname)@@"' 2>&1)
no_shell "own login shell /bin/bash, on_error = allow" "$out" 'login shell is /bin/bash'
usermod -s "$LB_SHELL" lbt-alice
assert_no_leftovers "own login shell: nothing is left behind" 5

# ---- 2. rlimits of su's caller reach the module and the helper
# lbt-plain knows lbt-alice's password (t_50 does the same with a good
# limit): with a low RLIMIT_NOFILE the box cannot be built.
allow_conf | write_conf
refusals=0
hostshells=0
boxes=0
for n in 5 6 7 8 9 10 12 14 16 20; do
	out=$(pty_run --expect '[Pp]assword: ?$' --send "$LBT_PASSWORD\\n" -- \
		unshare -m sh -c 'mount --bind "$1" /etc/pam.d/su && exec su lbt-plain -c "ulimit -n $2; su lbt-alice -c '\''echo @@RAN@@; echo @@H=\$(hostname)@@'\''"' \
		sh "$LBT_TMP/pam-su" "$n" 2>&1)
	h=$(marker "$out" H)
	if [ "$h" = "$HOST_HOSTNAME" ]; then
		hostshells=$((hostshells + 1))
		diag "ulimit -n $n: a shell on the host: $(printf '%s' "$out" | tr '\r\n' '  ' | cut -c1-300)"
	elif [ "$h" = lbt-alice-box ]; then
		boxes=$((boxes + 1))
	elif printf '%s' "$out" | grep -q 'loginbox: your session could not be started in its box'; then
		refusals=$((refusals + 1))
		[ "$refusals" = 1 ] && diag "ulimit -n $n: $(printf '%s' "$out" | grep -o 'loginbox: your session[^.]*' | head -n 1)"
	fi
done
diag "su with ulimit -n 5..20: $refusals refused by loginbox, $boxes boxed, $hostshells on the host"
t_isnt "$refusals" 0 "su under a low RLIMIT_NOFILE: the user did make the box fail (the attacker's step)"
t_is "$hostshells" 0 "su under a low RLIMIT_NOFILE, on_error = allow: never a shell on the host"
assert_no_leftovers "su under a low RLIMIT_NOFILE: nothing is left behind" 10

# ---- 3. a FIFO in the persistent upper, where the helper reads /etc/group
rm -rf "${LB_USERSDIR:?}/lbt-root"
{ allow_conf; printf '[user.lbt-root]\nupper = persistent\nupper_size = max\n'; } | write_conf
out=$(ssh_as lbt-root 'echo "@@H=$(hostname)@@"; rm -f /etc/group && mkfifo /etc/group && test -p /etc/group && echo "@@FIFO=p@@"' 2>&1)
t_is "$(marker "$out" H)/$(marker "$out" FIFO)" lbt-root-box/p "box root made /etc/group a FIFO in its persistent upper (the attacker's step)"
start=$(date +%s)
out=$(ssh_as lbt-root 'echo @@RAN@@; echo "@@H=$(hostname)@@"' 2>&1)
no_shell "a FIFO at /etc/group of the persistent upper, on_error = allow" "$out" '/etc/group'
t_check "a FIFO at /etc/group: the helper does not hang on it (refused in $(($(date +%s) - start))s)" \
	test $(($(date +%s) - start)) -lt 20
rm -rf "${LB_USERSDIR:?}/lbt-root"
assert_no_leftovers "a FIFO in the persistent upper: nothing is left behind" 5

reset_conf
exit 0
