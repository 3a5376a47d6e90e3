# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers of the classic attacks (h_50 .. h_85), sourced after
# ../integration/lib.sh.  Not a test file itself (run.sh runs h_*.sh only).

HC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HC_PROBE_SRC=$HC_DIR/classic_probe.py
# The host-side copy, readable by the test users.
HC_PROBE=$LBT_TMP/classic_probe.py
install -m 0755 "$HC_PROBE_SRC" "$HC_PROBE"

hc_home() { getent passwd "$1" | cut -d: -f6; }

# The classic attacks run where nested user namespaces are allowed
# (nested_userns = yes, not the default): the defences they attack must
# hold even then (h_30_kernel covers the default, where none can be made).
# base_conf (lib.sh) gains the key in both test groups, so every
# write_conf and reset_conf of these files keeps it.
eval "$(declare -f base_conf | sed '1s/^base_conf/_hc_base_conf/')"
base_conf() {
	_hc_base_conf | sed -e '/^\[group\.lbt-boxed\]$/a nested_userns = yes' \
		-e '/^\[group\.lbt-rootbox\]$/a nested_userns = yes'
}
reset_conf

# hc_put USER: the probe in USER's home (the box sees it there); prints
# its path, the same inside and outside (home = bind).
hc_put() {
	local h
	h=$(hc_home "$1")
	install -o "$1" -g "$(id -g "$1")" -m 0755 "$HC_PROBE_SRC" "$h/.lbt-probe.py"
	echo "$h/.lbt-probe.py"
}

# hc_as USER CMD...: CMD as a host process of USER (not boxed: the
# user's own processes outside the box, e.g. a cron job), no groups.
hc_as() {
	local u=$1
	shift
	timeout -k 5 "$LBT_T" setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
		env -i PATH=/usr/bin:/bin HOME=/ "$@"
}

# hc_box_start USER [SSH-OPTION...]: a login of USER that stays for 90 s
# (after running $HC_CMD, when set: its output is in $HC_OUT).
# Sets HC_PID (the ssh client, tracked), HC_SID (the session id), HC_INIT
# (the init's host pid), HC_SHELLPID (the box shell's pid, as seen inside).
# Returns 1 when the login did not come up.
hc_box_start() {
	local u=$1 out
	shift
	HC_OUT=$LBT_TMP/hc-box.$u.$$.$RANDOM
	timeout -k 5 120 ssh "${SSH_OPTS[@]}" "$@" "$u@127.0.0.1" \
		"${HC_CMD:+$HC_CMD; }"'echo "@@SID=$LOGINBOX_SESSION@@"; echo "@@PID=$$@@"; exec sleep 90' \
		>"$HC_OUT" 2>&1 &
	HC_PID=$!
	track_pid "$HC_PID"
	HC_SID="" HC_INIT="" HC_SHELLPID=""
	for _ in $(seq 1 100); do
		out=$(cat "$HC_OUT")
		HC_SID=$(marker "$out" SID)
		HC_SHELLPID=$(marker "$out" PID)
		[ -n "$HC_SID" ] && [ -n "$HC_SHELLPID" ] && break
		sleep 0.1
	done
	[ -n "$HC_SID" ] || return 1
	HC_INIT=$(session_field "$HC_SID" init_pid)
	[ -n "$HC_INIT" ]
}

hc_box_stop() {
	[ -n "${HC_PID:-}" ] && stop_pid "$HC_PID"
	HC_PID=""
}

# hc_host_pid_of INITPID COMM: the host pid of the box process named COMM
# (a child of the box's init).
hc_host_pid_of() {
	local p
	for p in $(pgrep -P "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
		pgrep -P "$p" -x "$2" && return 0
	done
	return 1
}

# hc_refused NAME TEXT ERE: the refusal's own text is there.
hc_refused() { t_like "$2" "$3" "$1"; }
