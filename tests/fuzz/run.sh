#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the libFuzzer targets (tests/fuzz/fuzz.mk builds them).
#
#   tests/fuzz/run.sh check 0 build-fuzz/fuzz_config ...
#       every input of tests/fuzz/corpus/NAME/ once, no mutation
#   tests/fuzz/run.sh fuzz SECONDS build-fuzz/fuzz_config ...
#       fuzz each target for SECONDS over build-fuzz/corpus/NAME/ (seeded
#       from the checked-in corpus); findings in build-fuzz/findings/NAME/
#
# TAP through tests/tap.sh, one test per target, plan first; the last line
# is always "fuzz: N passed, M failed, K skipped"; the exit status is
# non-zero when a target crashed, leaked or hung.
mode=$1
secs=$2
shift 2
here=$(dirname "$0")
. "$here/../tap.sh"
tap_init fuzz || exit 1
trap tap_done EXIT
tap_plan $#
failed_names=""
# A hang is a finding: 10 s for one input is far beyond any parser here.
opts="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds="$here/corpus/$name"
	log=$(dirname "$bin")/fuzz_$name.$mode.log
	case $mode in
	check)
		inputs=$(find "$seeds" -type f 2>/dev/null | sort)
		if [ -z "$inputs" ]; then
			tap_fail "$name: no inputs in $seeds"
			failed_names="$failed_names $name"
			continue
		fi
		# shellcheck disable=SC2086 # one argument per input file
		"$bin" $opts $inputs >"$log" 2>&1
		rc=$?
		what="$(echo "$inputs" | wc -l) inputs"
		;;
	fuzz)
		work=$(dirname "$bin")/corpus/$name
		findings=$(dirname "$bin")/findings/$name
		mkdir -p "$work" "$findings"
		"$bin" $opts -max_total_time="$secs" -max_len=8192 \
			-artifact_prefix="$findings/" "$work" "$seeds" \
			>"$log" 2>&1
		rc=$?
		what="$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" |
			awk '{print $2}') execs, $(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" |
			tail -n 1), corpus $(find "$work" -type f | wc -l)"
		;;
	*)
		echo "usage: $0 check|fuzz SECONDS BINARY..." >&2
		exit 2
		;;
	esac
	if [ "$rc" -eq 0 ]; then
		tap_ok "$name ($what)"
	else
		tap_fail "$name (exit $rc; $log):" "$(grep -aE 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" |
			head -n 5)"
		failed_names="$failed_names $name"
	fi
done
[ -z "$failed_names" ] || echo "# failed:$failed_names"
tap_summary
