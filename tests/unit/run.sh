#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run unit test binaries (TAP producers), show their output, and sum up.
#
#   tests/unit/run.sh build/tests/test_config build/tests/test_policy ...
#
# It prints its plan first ("# unit: plan N programs"), and counts every
# program against it.  A binary that exits 77 is skipped (its "1..0 # SKIP
# why" line says why) and counted as skipped in the last line.  A binary
# that crashes, exits non-zero, or runs fewer tests than it planned counts
# as one failure on top of its "not ok" lines.  The last line is always
# "unit: N passed, M failed, K skipped"; the exit status is non-zero when
# anything failed.

passed=0
failed=0
skipped=0
skipped_names=""
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

planned_programs=$#
ran_programs=0
echo "# unit: plan $planned_programs programs"
for t in "$@"; do
	name=$(basename "$t")
	ran_programs=$((ran_programs + 1))
	echo "# $name"
	"$t" >"$tmp" 2>&1
	rc=$?
	cat "$tmp"
	if [ "$rc" -eq 77 ]; then
		why=$(sed -n 's/^1\.\.0 # SKIP //p' "$tmp" | head -n 1)
		[ -n "$why" ] || why="exit 77, no reason given"
		echo "# SKIP $name: $why"
		skipped=$((skipped + 1))
		skipped_names="$skipped_names $name"
		continue
	fi
	p=$(grep -c '^ok ' "$tmp")
	f=$(grep -c '^not ok ' "$tmp")
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tmp" | head -n 1)
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		failed=$((failed + 1))
	elif [ -z "$planned" ]; then
		echo "not ok - $name printed no plan"
		failed=$((failed + 1))
	elif [ "$planned" -ne $((p + f)) ]; then
		echo "not ok - $name planned $planned tests, ran $((p + f))"
		failed=$((failed + 1))
	fi
done

if [ "$ran_programs" -ne "$planned_programs" ] || [ "$planned_programs" -eq 0 ]; then
	echo "not ok - planned $planned_programs programs, ran $ran_programs"
	failed=$((failed + 1))
fi
[ "$skipped" -eq 0 ] || echo "# skipped $skipped:$skipped_names"
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
