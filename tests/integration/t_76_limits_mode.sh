#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `limits` on a host whose cgroup v2 tree has no controllers (hybrid
# cgroups, as this test machine): `limits = required` refuses a policy that
# sets limits, naming the missing controllers and the fixes; `best-effort`
# (the default) builds the box and leaves a LOG_AUTHPRIV warning
# (docs/SECURITY.md "Limits").  Where the controllers exist the limits are
# enforced for real: the VM tier (tests/vm/guest.sh) runs every box with
# limits = required.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog_lib.sh"
t_plan 12

W=$LBT_TMP/t76
mkdir -p "$W"
reset_conf
start_syslog "$W/syslog"
trap 'stop_syslog; reset_conf' EXIT
RAN='echo "@@H=$(hostname)@@"'

cg2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
ctl=$(cat "$cg2/cgroup.controllers" 2>/dev/null)
diag "cgroup2 at '$cg2', controllers: '$ctl'"
if [ -z "$cg2" ] || printf '%s' "$ctl" | grep -qw pids; then
	for i in $(seq 1 12); do
		tap_skip "limits mode on a host without controllers ($i)" \
			"this host's cgroup v2 tree has a pids controller ('$ctl'): the VM tier proves the limits"
	done
	exit 0
fi
tap_ok "control: this host's cgroup v2 tree ($cg2) offers no pids controller ('$ctl')"

# Positive control: limits = required with no limit set builds the box
# (the refusal below is about the controllers, not the key).
{ base_conf; printf '[user.lbt-alice]\nlimits = required\n'; } | write_conf
out=$(ssh_as lbt-alice "$RAN" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "limits = required, no limit set: the box is built (control)"

# required + a limit: refused.
{ base_conf; printf '[user.lbt-alice]\nlimits = required\npids_max = 200\n'; } | write_conf
: >"$SYSLOG"
out=$(ssh_as lbt-alice "$RAN" 2>&1)
t_refused "limits = required, pids_max set: the login is refused, naming the missing controller" "$?" "$out" nonzero \
	'loginbox: your session could not be started in its box \(.*offers no pids controller' '@@H='
syslog_has "limits = required: syslog (authpriv) has the refusal with the fix" \
	'user lbt-alice: login refused, box not built: .*offers no pids controller.*limits = best-effort'
out=$(timeout -k 5 "$LBT_T" "$LB_ADMIN" run -u lbt-alice -- sh -c 'echo @@RAN@@' 2>&1)
t_refused "limits = required: loginbox run refuses too, naming the controller" "$?" "$out" nonzero \
	'offers no pids controller' '@@RAN@@'
t_like "$out" 'limits = best-effort' "limits = required: the message names limits = best-effort as a way out"
assert_no_leftovers "limits = required: nothing of the refused box remains" 5

# best-effort + a limit: built, and warned about.
{ base_conf; printf '[user.lbt-alice]\nlimits = best-effort\npids_max = 200\nmemory_max = 512M\n'; } | write_conf
: >"$SYSLOG"
out=$(ssh_as lbt-alice 'echo "@@H=$(hostname)@@"; echo "@@S=$LOGINBOX_SESSION@@"' 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "limits = best-effort, pids_max set: the box is built"
sid=$(marker "$out" S)
syslog_has "limits = best-effort: a warning (authpriv) names the missing controllers and the box" \
	"user lbt-alice: policy .* offers no (memory pids|memory|pids) .*controller.*limits = best-effort: box $sid built without them"
w=$(syslog_lines "limits = best-effort: box $sid built without them" | head -n 1)
t_like "$w" '^<84>' "limits = best-effort: the line is authpriv.warning (<84>)"
# The default is best-effort.
{ base_conf; printf '[user.lbt-alice]\npids_max = 200\n'; } | write_conf
out=$(ssh_as lbt-alice "$RAN" 2>&1)
t_is "$(marker "$out" H)" lbt-alice-box "limits unset (best-effort by default), pids_max set: the box is built"
assert_no_leftovers "limits: nothing is left behind" 5
exit 0
