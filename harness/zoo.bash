# shellcheck shell=bash disable=SC2154 # bats' run sets $output and $status
# harness/zoo.bash: the Bats library every exhibit's test.bats loads with
# `load ../../harness/zoo`. It loads bats-support and bats-assert, builds the
# exhibit's programs once per file (setup_file), and gives the tests:
#
#   zoo_run DET PROG [VAR=value...]    `run` PROG (broken, fixed, or another
#                       program of the exhibit) under detector DET (tsan,
#                       helgrind, drd, asan, memcheck, stress) with a timeout
#   zoo_run_expected DET PROG [VAR=value...]
#                       zoo_run, then assert what PROG's Expect: line says DET
#                       does, by zoo_verdict and zoo_keeps in lib.bash (the
#                       same judge as the demo and the matrix): report (status
#                       66, blaming a BUG line), report-no-line (66, a report
#                       citing no line of the program), clean (0),
#                       hang (3, the watchdog fired), invariant (1),
#                       false-positive (66 on the fixed program, or 0 for an
#                       attempt the detector understands; the test itself must
#                       check the report is not about the real bug)
#   zoo_assert_status N                status N, or fail showing the trimmed report
#   zoo_assert_blames_bug_line [SRC]   the report cites a BUG-marked line of SRC
#   zoo_assert_clean                   status 0, no detector report, result clean
#
# The grading hook: with ZOO_FIXED=path/to/attempt.c in the environment, every
# run of `fixed` builds and runs that file instead of the exhibit's fixed.c,
# and is judged by fixed.c's Expect: line. Each test is bounded by
# BATS_TEST_TIMEOUT (15 s) and each run by ZOO_RUN_TIMEOUT (12 s).

# shellcheck source=harness/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
bats_load_library bats-support
bats_load_library bats-assert

ZOO_EXHIBIT=${BATS_TEST_DIRNAME#"$ZOO_ROOT"/}

setup_file() {
	zoo_setup_file
}

zoo_setup_file() {
	export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-15}
	(zoo_build "$ZOO_EXHIBIT") >&2 || fail "the exhibit's programs do not build"
	if [[ -n ${ZOO_FIXED-} ]]; then
		[[ $ZOO_FIXED == /* ]] || ZOO_FIXED=$PWD/$ZOO_FIXED
		[[ -f $ZOO_FIXED ]] || fail "ZOO_FIXED=$ZOO_FIXED: no such file"
		make -s --no-print-directory -C "$ZOO_ROOT" learner SRC="$ZOO_FIXED" \
			OUT="$BATS_FILE_TMPDIR/learner" NAME=fixed INC="$BATS_TEST_DIRNAME" >&2 ||
			fail "ZOO_FIXED=$ZOO_FIXED does not build with -Wall -Wextra -Werror"
		export ZOO_FIXED
	fi
}

zoo_program() {
	if [[ $1 == fixed && -n ${ZOO_FIXED-} ]]; then
		echo "$BATS_FILE_TMPDIR/learner" fixed
	else
		echo "$ZOO_ROOT/build" "$ZOO_EXHIBIT/$1"
	fi
}

zoo_run() {
	local detector=$1 root name
	read -r root name < <(zoo_program "$2")
	shift 2
	run zoo_detect "$detector" "$root" "$name" "$@" 3>&-
}

zoo_show_report() {
	echo "-- the run's report, trimmed (status $status) --"
	zoo_trim "$BATS_TEST_DIRNAME"/*.c ${ZOO_FIXED:+"$ZOO_FIXED"} <<<"$output" | head -n 40
}

zoo_assert_status() {
	[[ $status == "$1" ]] && return 0
	zoo_show_report
	case $status in
		124 | 137) fail "the run timed out after ${ZOO_RUN_TIMEOUT:-12} s: the program's own watchdog did not fire" ;;
		*) fail "expected exit status $1, got $status" ;;
	esac
}

zoo_assert_blames_bug_line() {
	local src=$BATS_TEST_DIRNAME/${1:-broken.c}
	zoo_blames_bug_line "$src" <<<"$output" && return 0
	zoo_show_report
	fail "the report cites lines {$(zoo_blamed_lines "$src" <<<"$output" | paste -sd, -)} of $(basename "$src"), none of them a BUG line {$(zoo_bug_lines "$src" | paste -sd, -)}"
}

zoo_assert_clean() {
	zoo_assert_status "$(zoo_status CLEAN)"
	refute_output --partial 'WARNING: ThreadSanitizer'
	refute_output --partial 'ERROR: AddressSanitizer'
	refute_output --partial 'runtime error:'
	assert_output --partial ': clean'
}

zoo_run_expected() {
	local detector=$1 prog=$2 src expect verdict
	src=$BATS_TEST_DIRNAME/$prog.c
	expect=$(zoo_expect "$src" "$detector")
	[[ -n $expect ]] || fail "$prog.c's Expect: line says nothing of $detector"
	zoo_run "$@"
	verdict=$(zoo_verdict "$src" "$status" "$expect" <<<"$output")
	# The detector misreads correct code where the promise is false-positive;
	# a learner's fix it happens to understand (say, one built on a mutex)
	# may run clean. The test itself checks the report is not the real bug.
	[[ $expect == false-positive && $verdict == clean ]] && verdict="false positive"
	if ! zoo_keeps "$expect" "$verdict"; then
		zoo_show_report
		[[ $expect == report && $verdict == report* ]] &&
			fail "the report cites lines {$(zoo_blamed_lines "$src" <<<"$output" | paste -sd, -)} of $prog.c, none of them a BUG line {$(zoo_bug_lines "$src" | paste -sd, -)}"
		[[ $verdict == "timed out" ]] &&
			fail "the run timed out after ${ZOO_RUN_TIMEOUT:-12} s: the program's own watchdog did not fire"
		fail "$prog.c promises $detector=$expect, and the run measured: $verdict (status $status)"
	fi
	case $expect in
		clean) zoo_assert_clean ;;
		hang) assert_output --partial 'hang caught by the watchdog' ;;
	esac
}
