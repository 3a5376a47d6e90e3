#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run unit test binaries (TAP producers), show their output, and sum up
# with the tiers' TAP library (tests/tap.sh).
#
#   tests/unit/run.sh build/tests/test_config build/tests/test_policy ...
#
# It prints its plan first ("# unit: plan N programs"), and counts every
# program against it.  A binary that exits 77 is skipped (its "1..0 # SKIP
# why" line says why) and counted as skipped in the last line.  A binary
# that crashes, exits non-zero, or runs other than the tests it planned
# counts as one failure on top of its "not ok" lines.  The last line is
# always "unit: N passed, M failed, K skipped" (UNIT_TIER names another
# tier, e.g. the ASan run); the exit status is non-zero when anything
# failed.

. "$(dirname "$0")/../tap.sh"
tap_init "${UNIT_TIER:-unit}" || exit 1
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"; tap_done' EXIT

planned_programs=$#
ran_programs=0
echo "# unit: plan $planned_programs programs"
for t in "$@"; do
	name=$(basename "$t")
	ran_programs=$((ran_programs + 1))
	echo "# $name"
	"$t" >"$tmp" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ]; then
		cat "$tmp"
		why=$(sed -n 's/^1\.\.0 # SKIP //p' "$tmp" | head -n 1)
		[ -n "$why" ] || why="exit 77, no reason given"
		tap_skip "$name" "$why"
		continue
	fi
	f=$(grep -c '^not ok ' "$tmp")
	tap_absorb "$tmp" "$name"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		tap_fail "$name exited with status $rc"
	fi
done

if [ "$ran_programs" -ne "$planned_programs" ] || [ "$planned_programs" -eq 0 ]; then
	tap_fail "planned $planned_programs programs, ran $ran_programs"
fi
tap_summary
