#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output, $stderr and $stderr_lines
# harness/tests/scan.bats: `zoo scan`, the detector battery on a program of
# one's own (harness/cmd/scan), on the fixtures in fixtures/scan/: racy.c (two
# threads increment a plain int) and its twin race_free.c (the same under a
# mutex). Each scan builds three variants and runs seven detectors: a few
# seconds each. Every temporary file lives under the test's own folder.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup_file() {
	export BATS_TEST_TIMEOUT=50
}

setup() {
	ZOO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	FIXTURES=$BATS_TEST_DIRNAME/fixtures/scan
	export ZOO_WORKSPACE=$BATS_TEST_TMPDIR/workspace NO_COLOR=1
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

# Whatever a scan made in TMPDIR is gone when it ends.
teardown() {
	[[ -z $(ls -A "$TMPDIR") ]] || fail "scan left in TMPDIR: $(ls -A "$TMPDIR")"
}

scan() {
	"$ZOO_ROOT/harness/zoo" scan "$@"
}

# A small program written into the test's folder; its behaviour is argv[1].
write_misbehaving() {
	cat >"$BATS_TEST_TMPDIR/misbehaving.c" <<-'EOF'
		#include <pthread.h>
		#include <stdlib.h>
		#include <string.h>

		static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

		int main(int argc, char **argv)
		{
			if (argc > 1 && strcmp(argv[1], "abort") == 0)
				abort();
			pthread_mutex_lock(&lock);
			pthread_mutex_lock(&lock); /* a default mutex taken twice: waits forever */
			return 0;
		}
	EOF
}

@test "zoo scan --help describes the command and exits 0" {
	run scan --help
	assert_success
	assert_output --partial 'zoo scan FILE.c [-v] [--detectors LIST] [-- ARGS...]'
	assert_output --partial 'ZOO_RUN_TIMEOUT'
}

@test "racy.c: tsan, helgrind and drd report the race on its line; asan, memcheck and stress run clean" {
	local line
	line=$(grep -n 'counter++' "$FIXTURES/racy.c" | cut -d: -f1)
	run scan -v "$FIXTURES/racy.c"
	assert_failure 1
	assert_output --partial '--- tsan: report ---'
	assert_line --regexp "^      at add racy\.c:$line\$"
	assert_line --index 0 --regexp '^detector +verdict +first report line +time$'
	assert_line --regexp "^tsan +report +ThreadSanitizer: data race at racy\.c:$line +[0-9]+\.[0-9] s$"
	assert_line --regexp "^helgrind +report +Helgrind: possible data race during (read|write) at racy\.c:$line +[0-9.]+ s$"
	assert_line --regexp "^drd +report +DRD: conflicting (load|store) at racy\.c:$line +[0-9.]+ s$"
	assert_line --regexp '^asan +clean +- +[0-9.]+ s$'
	assert_line --regexp '^memcheck +clean +- +[0-9.]+ s$'
	assert_line --regexp '^stress +clean +- +[0-9.]+ s$'
	assert_line --regexp '^os +clean +- +[0-9.]+ s$'
	assert_line 'racy.c: report: tsan, helgrind, drd; clean: asan, memcheck, stress, os'
	refute_output --partial $'\e['

}

@test "the words after -- reach the program: racy.c with 0 rounds has no race to report" {
	run scan "$FIXTURES/racy.c" -- 0
	assert_success
	local det
	for det in tsan helgrind drd asan memcheck stress os; do
		assert_line --regexp "^$det +clean +- +[0-9]+\.[0-9] s$"
	done
	assert_line 'racy.c: clean under all 7 detectors'
}

@test "a program that never ends is stopped after ZOO_RUN_TIMEOUT and called a timeout" {
	write_misbehaving
	# 3 s: enough for DRD to start and report on a loaded machine first
	ZOO_RUN_TIMEOUT=3 run scan --detectors stress,drd "$BATS_TEST_TMPDIR/misbehaving.c"
	assert_failure 1
	assert_line --regexp '^stress +timeout +no end after 3 s: a hang, or just slow +[0-9.]+ s$'
	# DRD names the cause even though it had to be stopped.
	assert_line --regexp '^drd +timeout +DRD: recursive locking not allowed at misbehaving\.c:12 '
	assert_line 'misbehaving.c: timeout: stress, drd'
}

@test "a program that crashes is called crashed, with the signal" {
	write_misbehaving
	run scan --detectors stress,memcheck "$BATS_TEST_TMPDIR/misbehaving.c" -- abort
	assert_failure 1
	assert_line --regexp '^stress +crashed \(SIGABRT\) '
	assert_line --regexp '^memcheck +crashed \(SIGABRT\) '
	refute_output --partial 'Aborted'
}

@test "a missing file gets one line and status 2" {
	run --separate-stderr scan "$BATS_TEST_TMPDIR/x.c"
	assert_failure 2
	assert_equal "$stderr" "zoo: no such file: $BATS_TEST_TMPDIR/x.c"
	assert_output ''
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr scan x.c
	assert_equal "$stderr" 'zoo: no such file: x.c'
}

@test "a program that does not build: the compiler's first errors, one zoo line, status 2" {
	printf 'int main(void)\n{\n\treturn 0\n}\n' >"$BATS_TEST_TMPDIR/broken build.c"
	run --separate-stderr scan "$BATS_TEST_TMPDIR/broken build.c"
	assert_failure 2
	assert_output ''
	assert_equal "${stderr_lines[-1]}" "zoo: $BATS_TEST_TMPDIR/broken build.c does not build with the zoo's flags (-std=c11 -Wall -Wextra -Werror, gcc and clang); the first errors are above"
	# The errors cite the file by the name it was given.
	[[ $stderr == *"$BATS_TEST_TMPDIR/broken build.c:3"*error* ]] || fail "no error citing line 3: $stderr"
	((${#stderr_lines[@]} <= 11)) || fail "${#stderr_lines[@]} lines of errors"
}

@test "bad usage gets one line and status 2" {
	local bad
	for bad in '' '--bogus' '--detectors lint' "$FIXTURES/racy.c $FIXTURES/race_free.c" "$BATS_TEST_DIRNAME/quiz.bats"; do
		# shellcheck disable=SC2086 # one word an argument
		run --separate-stderr scan $bad
		assert_failure 2
		assert_equal "${#stderr_lines[@]}" 1
		assert_regex "$stderr" '^zoo: '
	done
	ZOO_RUN_TIMEOUT=soon run --separate-stderr scan "$FIXTURES/racy.c"
	assert_failure 2
	assert_equal "$stderr" "zoo: ZOO_RUN_TIMEOUT='soon' is not a whole number of seconds from 1 to 9999"
}
