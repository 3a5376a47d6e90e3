#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run unit test binaries (TAP producers), show their output, and sum up.
#
#   tests/unit/run.sh build/tests/test_config build/tests/test_policy ...
#
# A binary that exits 77 is skipped (its "1..0 # SKIP why" line says why).
# A binary that crashes, exits non-zero, or runs fewer tests than it
# planned counts as one failure on top of its "not ok" lines.  The last
# line is always "unit: N passed, M failed"; the exit status is non-zero
# when anything failed.

passed=0
failed=0
skipped=0
skipped_names=""
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

for t in "$@"; do
	name=$(basename "$t")
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

[ "$skipped" -eq 0 ] || echo "# skipped $skipped:$skipped_names"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
