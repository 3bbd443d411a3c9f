# shellcheck shell=bash disable=SC2154 # bats' run sets $output and $status
# harness/zoo.bash: the Bats library every exhibit's test.bats loads with
# `load ../../harness/zoo`. It loads bats-support and bats-assert, builds the
# exhibit's programs once per file, and gives the tests:
#
#   zoo_run DET PROG [VAR=value...]    `run` PROG (broken, fixed, or another
#                       program of the exhibit) under detector DET, with the
#                       settings PROG's Knobs: line gives DET; the VAR=value
#                       given here are what this test changes on purpose.
#                       A detector ZOO_WITHOUT leaves out skips the test.
#   zoo_run_expected DET PROG [VAR=value...]
#                       zoo_run, then assert what PROG's Expect: line says DET
#                       does, judged by lib/verdict.bash (the same judge as
#                       the demo and the matrix)
#   zoo_assert_status NAME|N           status NAME (CLEAN, HANG, ...) or N,
#                                      or fail showing the trimmed report
#   zoo_assert_blames_bug_line         the last run's report cites a BUG-marked
#                                      line of one of its sources
#   zoo_assert_clean                   status CLEAN, no report, result clean
#   zoo_assert_no_ipc_left             no IPC object of the test's runs is left
#   zoo_assert_every_schedule_fails    the last run (under explore) failed on
#                                      every schedule it explored
#   sched_shortest                     from lib/sched.bash: the shortest
#                                      failing schedule in explore's output
#   zoo_ipc_hold / zoo_ipc_list / zoo_fds   from lib/run.bash, for os checks
#
# Every IPC object a run makes is removed when the run ends; a test that
# holds them (zoo_ipc_hold) has them removed when its file ends, also when it
# fails (teardown_file; `zoo test` sweeps again after Ctrl-C).
#
# The grading hook: with ZOO_FIXED=path/to/attempt.c, every run of `fixed`
# builds and runs that file instead of the exhibit's fixed.c, judged by
# fixed.c's Expect: and Knobs: lines (a file without the exhibit's plumbing,
# a learner's copy, gets broken.c's put back: zoo_restore); ZOO_FIXED_WORKSPACE=DIR does the same
# with DIR/<act>/<NN-slug>/exercise.c. ZOO_FIXED_SOURCE is the file the fixed
# program is built from (fixed.c, the attempt, or the attempt restored), for
# tests that build a variant of it. With ZOO_VERDICTS=DIR, each run writes
# its verdict to DIR/<test number> (tab-separated: detector, program,
# promise, verdict, status, the program's result line; then one line per
# report headline) and its trimmed report to DIR/<test number>.report: what
# `zoo check` explains a failure from. Each test is bounded by
# BATS_TEST_TIMEOUT (15 s), each run by ZOO_RUN_TIMEOUT (12 s).

_zoo_lib=$(dirname "${BASH_SOURCE[0]}")/lib
for _zoo_file in core header report verdict run sched; do
	# shellcheck source=/dev/null
	source "$_zoo_lib/$_zoo_file.bash"
done
unset _zoo_lib _zoo_file
bats_load_library bats-support
bats_load_library bats-assert

ZOO_EXHIBIT=${ZOO_EXHIBIT:-${BATS_TEST_DIRNAME#"$ZOO_ROOT"/}}
# shellcheck disable=SC2034 # Bats reads it
if [[ ${ZOO_NAME_PREFIX-} == 1 && " ${ZOO_ACTS[*]} " == *" ${ZOO_EXHIBIT%%/*} "* && ${ZOO_EXHIBIT#*/} == [0-9][0-9]-* ]]; then
	BATS_TEST_NAME_PREFIX="$(zoo_title "$ZOO_EXHIBIT"): "
elif [[ ${ZOO_NAME_PREFIX-} == 1 ]]; then
	BATS_TEST_NAME_PREFIX="$ZOO_EXHIBIT: " # the harness's fixtures, an act's runtime
fi

setup_file() {
	zoo_setup_file
}

teardown_file() {
	zoo_teardown_file
}

zoo_setup_file() {
	export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-15}
	export ZOO_IPC_REGISTRY=$BATS_FILE_TMPDIR/ipc-runs
	(zoo_build "$ZOO_EXHIBIT") >&2 || fail "the exhibit's programs do not build"
	if [[ -z ${ZOO_FIXED-} && -n ${ZOO_FIXED_WORKSPACE-} ]]; then
		ZOO_FIXED=$ZOO_FIXED_WORKSPACE/$ZOO_EXHIBIT/exercise.c
	fi
	export ZOO_FIXED_SOURCE=$ZOO_ROOT/$ZOO_EXHIBIT/fixed.c
	if [[ -n ${ZOO_FIXED-} ]]; then
		[[ $ZOO_FIXED == /* ]] || ZOO_FIXED=$PWD/$ZOO_FIXED
		[[ -f $ZOO_FIXED ]] || fail "ZOO_FIXED=$ZOO_FIXED: no such file"
		# A learner's copy lacks the plumbing that forces the schedule
		# (lib/header.bash): the build puts it back, lines still numbered
		# as theirs. A build failure fails every run of `fixed`, not the
		# file: each fixed-side test then says why, and Bats' reports stay whole.
		if ! ZOO_FIXED_SOURCE=$(zoo_attempt_build "$ZOO_EXHIBIT" "$ZOO_FIXED" "$BATS_FILE_TMPDIR/learner" \
			2>"$BATS_FILE_TMPDIR/build.log"); then
			[[ -z ${ZOO_VERDICTS-} ]] || cp "$BATS_FILE_TMPDIR/build.log" "$ZOO_VERDICTS/build.log"
		else
			rm -f "$BATS_FILE_TMPDIR/build.log"
		fi
		export ZOO_FIXED
	fi
}

zoo_teardown_file() {
	zoo_ipc_sweep_registry "$ZOO_IPC_REGISTRY"
}

# The sources a run of PROG may cite: the exhibit's, with a learner's attempt
# in the place of fixed.c.
zoo_test_sources() {
	local f
	for f in $(zoo_sources "$ZOO_EXHIBIT"); do
		if [[ $1 == fixed && -n ${ZOO_FIXED-} && $(basename "$f") == fixed.c ]]; then
			echo "$ZOO_FIXED"
		else
			echo "$f"
		fi
	done
}

# The plain build of PROG that zoo_run runs: the exhibit's, or the attempt's.
zoo_binary() {
	if [[ $1 == fixed && -n ${ZOO_FIXED-} ]]; then
		echo "$BATS_FILE_TMPDIR/learner/plain/$(zoo_attempt_name "$ZOO_FIXED")"
	else
		echo "$ZOO_ROOT/build/plain/$ZOO_EXHIBIT/$1"
	fi
}

zoo_run() {
	local detector=$1 prog=$2 root=$ZOO_ROOT/build name=$ZOO_EXHIBIT/$2 header
	local -a knobs
	header=$ZOO_ROOT/$ZOO_EXHIBIT/$prog.c
	shift 2
	! zoo_left_out "$detector" || skip "$detector left out: ZOO_WITHOUT=valgrind"
	if [[ $prog == fixed && -n ${ZOO_FIXED-} ]]; then
		root=$BATS_FILE_TMPDIR/learner name=$(zoo_attempt_name "$ZOO_FIXED")
		if [[ -f $BATS_FILE_TMPDIR/build.log ]]; then
			grep -E ': (fatal )?error: ' "$BATS_FILE_TMPDIR/build.log" | head -n 3
			fail "$(basename "$ZOO_FIXED") does not build with -Wall -Wextra -Werror"
		fi
	fi
	mapfile -t knobs < <(zoo_knobs "$header" "$detector")
	run zoo_detect "$detector" "$root" "$name" "${knobs[@]}" "$@" 3>&-
	ZOO_LAST_PROGRAM=$prog ZOO_LAST_DETECTOR=$detector
	ZOO_LAST_PROMISE=$(zoo_expect "$header" "$detector")
	mapfile -t ZOO_LAST_SOURCES < <(zoo_test_sources "$prog")
	ZOO_LAST_VERDICT=$(zoo_verdict "$status" "$ZOO_LAST_PROMISE" "${ZOO_LAST_SOURCES[@]}" <<<"$output")
	[[ -z ${ZOO_VERDICTS-} ]] || zoo_record_verdict
}

zoo_record_verdict() {
	local file=$ZOO_VERDICTS/$BATS_SUITE_TEST_NUMBER result
	local name=$ZOO_LAST_PROGRAM
	[[ $name != fixed || -z ${ZOO_FIXED-} ]] || name=$(zoo_attempt_name "$ZOO_FIXED")
	result=$(grep -E "^$name: " <<<"$output" | tail -n 1 || true)
	printf 'run\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ZOO_LAST_DETECTOR" "$ZOO_LAST_PROGRAM" "${ZOO_LAST_PROMISE:--}" \
		"$ZOO_LAST_VERDICT" "$status" "$result" >>"$file"
	zoo_report_headlines "${ZOO_LAST_SOURCES[@]}" <<<"$output" | sed 's/^/headline\t/' >>"$file"
	zoo_report_trim "${ZOO_LAST_SOURCES[@]}" <<<"$output" >"$file.report"
}

zoo_show_report() {
	echo "-- the run's report, trimmed (status $status) --"
	zoo_report_trim "${ZOO_LAST_SOURCES[@]}" <<<"$output" | head -n 40
}

zoo_assert_status() {
	local want=$1 name="ZOO_S_$1"
	[[ $want =~ ^[0-9]+$ ]] || want=${!name?unknown status $1}
	[[ $status == "$want" ]] && return 0
	zoo_show_report
	case $status in
		124 | 137) fail "the run timed out after ${ZOO_RUN_TIMEOUT:-12} s: the program's own watchdog did not fire" ;;
		*) fail "expected exit status $want, got $status" ;;
	esac
}

zoo_fail_blame() {
	zoo_show_report
	fail "the report cites {$(zoo_report_blamed "${ZOO_LAST_SOURCES[@]}" <<<"$output" | paste -sd, -)}, none of them a BUG line {$(zoo_bug_lines "${ZOO_LAST_SOURCES[@]}" | paste -sd, -)}"
}

zoo_assert_blames_bug_line() {
	zoo_report_blames_bug "${ZOO_LAST_SOURCES[@]}" <<<"$output" || zoo_fail_blame
}

zoo_assert_clean() {
	local reports
	zoo_assert_status CLEAN
	reports=$(zoo_report_headlines "${ZOO_LAST_SOURCES[@]}" <<<"$output" | cut -f1)
	[[ -z $reports ]] || { zoo_show_report; fail "a clean run, and yet a report: $reports"; }
	assert_output --partial ': clean'
}

zoo_assert_no_ipc_left() {
	local prefix key left=''
	# No registry means no run was recorded: nothing was checked.
	[[ -s $ZOO_IPC_REGISTRY ]] || fail "no run of this test recorded its IPC names in $ZOO_IPC_REGISTRY"
	while read -r prefix key; do
		left+=$(zoo_ipc_list "$prefix" "$key")
	done <"$ZOO_IPC_REGISTRY"
	[[ -z $left ]] || fail "IPC objects left behind: $left"
}

zoo_assert_every_schedule_fails() {
	local failed explored
	read -r failed explored < <(sched_counts <<<"$output")
	[[ -n $explored && $failed == "$explored" ]] && return 0
	zoo_show_report
	fail "expected every schedule to fail; explore says ${failed:-?} of ${explored:-?}"
}

zoo_run_expected() {
	local detector=$1 prog=$2 verdict
	zoo_run "$@"
	[[ -n $ZOO_LAST_PROMISE ]] || fail "$prog.c's Expect: line says nothing of $detector"
	verdict=$ZOO_LAST_VERDICT
	# A learner's attempt may use a fix the detector understands (a mutex
	# where fixed.c uses atomics): clean keeps a false-positive promise there.
	[[ $ZOO_LAST_PROMISE == false-positive && $verdict == clean && -n ${ZOO_FIXED-} ]] && verdict="false positive"
	if ! zoo_keeps "$ZOO_LAST_PROMISE" "$verdict"; then
		[[ $ZOO_LAST_PROMISE == report && $verdict == report* ]] && zoo_fail_blame
		zoo_show_report
		[[ $verdict == "timed out" ]] &&
			fail "the run timed out after ${ZOO_RUN_TIMEOUT:-12} s: the program's own watchdog did not fire"
		fail "$prog.c promises $detector=$ZOO_LAST_PROMISE, and the run measured: $verdict (status $status)"
	fi
	case $ZOO_LAST_PROMISE in
		clean) zoo_assert_clean ;;
		hang) assert_output --partial 'hang caught by the watchdog' ;;
	esac
}
