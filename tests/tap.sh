# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC3043 # local: dash and bash have it
#
# The one TAP library of every test tier (unit, fuzz, integration, hostile,
# VM, package).  Sourced, not run; POSIX sh plus `local` (dash and bash).
#
#   tap_init TIER          counters in $TAP_DIR (made when unset, exported:
#                          test files run as child processes share them)
#   tap_plan N             prints "1..N" first; the summary counts tests
#                          that were planned but never ran as failed
#   tap_ok NAME            ok N - NAME
#   tap_fail NAME [DIAG..] not ok N - NAME, DIAG lines as "# " comments
#   tap_skip NAME REASON   ok N - NAME # SKIP REASON (a reason is required)
#   tap_result STATUS NAME ok when STATUS is 0, else not ok
#   tap_absorb FILE NAME   a child's TAP output (a unit program, the VM
#                          guest): shown, its ok/not ok/SKIP counted, and
#                          one failure more when it has no plan or did not
#                          run it exactly
#   tap_summary            the last line: "TIER: N passed, M failed, K
#                          skipped"; status 0 only when nothing failed
#
# Every tier ends with that same line, so one grep reads any of them.

tap_init() {
	# Counters are shared with child processes of the same tier only: a
	# tier started from another (the unit tests in the package tier's
	# dpkg-buildpackage) counts on its own.
	if [ "${TAP_TIER:-}" != "$1" ]; then
		TAP_DIR=
		TAP_OWN_DIR=
	fi
	TAP_TIER=$1
	if [ -z "${TAP_DIR:-}" ]; then
		TAP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tap.XXXXXX") || return 1
		TAP_OWN_DIR=$TAP_DIR
	fi
	mkdir -p "$TAP_DIR" || return 1
	export TAP_DIR TAP_TIER
}

# tap_done: remove the counters tap_init made itself (after tap_summary).
tap_done() {
	[ -n "${TAP_OWN_DIR:-}" ] && rm -rf "$TAP_OWN_DIR"
	TAP_OWN_DIR=
}

tap_count() { # COUNTER -> its value (0 when never bumped)
	cat "$TAP_DIR/$1" 2>/dev/null || echo 0
}

_tap_add() { # COUNTER N -> prints the new value
	local f="$TAP_DIR/$1" v
	v=$(cat "$f" 2>/dev/null) || v=0
	v=$((v + $2))
	echo "$v" >"$f"
	echo "$v"
}

tap_plan() {
	echo "1..$1"
	echo "$1" >"$TAP_DIR/plan"
}

diag() { # TEXT... (each line prefixed with "# ")
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE [LABEL]: show (the end of) a file as TAP comments.
diag_file() {
	[ -s "$1" ] || return 0
	[ -n "${2:-}" ] && diag "--- ${2}:"
	tail -n 40 "$1" | sed 's/^/#   /'
}

tap_ok() {
	local n
	n=$(_tap_add n 1)
	_tap_add pass 1 >/dev/null
	echo "ok $n - $1"
}

tap_fail() {
	local n name=$1
	shift
	n=$(_tap_add n 1)
	_tap_add fail 1 >/dev/null
	echo "not ok $n - $name"
	[ $# -gt 0 ] && diag "$@"
	return 0
}

tap_skip() {
	local n
	if [ -z "${2:-}" ]; then
		tap_fail "$1" "skipped without a reason (tap_skip NAME REASON)"
		return 0
	fi
	n=$(_tap_add n 1)
	_tap_add skip 1 >/dev/null
	echo "ok $n - $1 # SKIP $2"
}

tap_result() {
	if [ "$1" = 0 ]; then tap_ok "$2"; else tap_fail "$2" "status $1"; fi
}

# tap_absorb FILE NAME: FILE holds the TAP output of one child (its own
# numbering and plan).  Status 1 when it failed or ran short.
tap_absorb() {
	local f=$1 name=$2 p x s planned ran
	cat "$f"
	p=$(tr -d '\r' <"$f" | grep '^ok ' | grep -vc '# SKIP')
	s=$(tr -d '\r' <"$f" | grep '^ok ' | grep -c '# SKIP')
	x=$(tr -d '\r' <"$f" | grep -c '^not ok ')
	planned=$(tr -d '\r' <"$f" | sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' | head -n 1)
	ran=$((p + s + x))
	_tap_add n "$ran" >/dev/null
	_tap_add pass "$p" >/dev/null
	_tap_add skip "$s" >/dev/null
	_tap_add fail "$x" >/dev/null
	if [ -z "$planned" ]; then
		tap_fail "$name printed its plan"
		return 1
	elif [ "$ran" -lt "$planned" ]; then
		tap_fail "$name ran its planned $planned tests" "it ran $ran"
		return 1
	elif [ "$ran" -gt "$planned" ]; then
		tap_fail "$name ran its planned $planned tests" "it ran $ran, more than planned"
		return 1
	fi
	[ "$x" -eq 0 ]
}

tap_summary() {
	local n p f s plan
	n=$(tap_count n)
	p=$(tap_count pass)
	f=$(tap_count fail)
	s=$(tap_count skip)
	plan=$(cat "$TAP_DIR/plan" 2>/dev/null)
	if [ -n "$plan" ] && [ "$n" -lt "$plan" ]; then
		echo "# planned $plan tests, ran $n: $((plan - n)) did not run"
		f=$((f + plan - n))
	elif [ -n "$plan" ] && [ "$n" -gt "$plan" ]; then
		echo "# planned $plan tests, ran $n"
		f=$((f + 1))
	fi
	echo "$TAP_TIER: $p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
}
