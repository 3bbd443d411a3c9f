#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output, $stderr and $stderr_lines
# harness/tests/scan.bats: `zoo scan`, the detector battery on a program of
# one's own (harness/zoo-scan), on the fixtures in fixtures/scan/: racy.c (two
# threads increment a plain int) and its twin race_free.c (the same under a
# mutex). Each scan builds three variants and runs six detectors: a few
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
	"$ZOO_ROOT/harness/zoo-scan" scan "$@"
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
	assert_output --partial 'zoo scan FILE.c [-v] [-- ARGS...]'
	assert_output --partial 'ZOO_RUN_TIMEOUT'
}

@test "racy.c: tsan, helgrind and drd report the race on its line; asan, memcheck and stress run clean" {
	local line
	line=$(grep -n 'counter++' "$FIXTURES/racy.c" | cut -d: -f1)
	run scan "$FIXTURES/racy.c"
	assert_failure 1
	assert_line --index 0 --regexp '^detector +verdict +first report line +time$'
	assert_line --regexp "^tsan +report +WARNING: ThreadSanitizer: data race at racy\.c:$line +[0-9]+\.[0-9] s$"
	assert_line --regexp "^helgrind +report +Possible data race during (read|write) of size 4 by thread #[0-9]+ at racy\.c:$line +[0-9.]+ s$"
	assert_line --regexp "^drd +report +Conflicting (load|store) by thread [0-9]+ size 4 at racy\.c:$line +[0-9.]+ s$"
	assert_line --regexp '^asan +clean +- +[0-9.]+ s$'
	assert_line --regexp '^memcheck +clean +- +[0-9.]+ s$'
	assert_line --regexp '^stress +clean +- +[0-9.]+ s$'
	assert_line 'racy.c: report: tsan, helgrind, drd; clean: asan, memcheck, stress'
	assert_equal "${#lines[@]}" 8
}

@test "race_free.c: all six detectors run clean and the scan exits 0" {
	run scan "$FIXTURES/race_free.c"
	assert_success
	local det
	for det in tsan helgrind drd asan memcheck stress; do
		assert_line --regexp "^$det +clean +- +[0-9]+\.[0-9] s$"
	done
	assert_line 'race_free.c: clean under all 6 detectors'
	refute_output --partial $'\e['
}

@test "the words after -- reach the program: racy.c with 0 rounds has no race to report" {
	run scan "$FIXTURES/racy.c" -- 0
	assert_success
	assert_line 'racy.c: clean under all 6 detectors'
	run scan -v "$FIXTURES/racy.c" -- 3
	assert_failure 1
	assert_output --partial '--- tsan: report ---'
	assert_output --partial 'counter = 6 (expected 6)'
}

@test "a program that never ends is stopped after ZOO_RUN_TIMEOUT and called a timeout" {
	write_misbehaving
	ZOO_RUN_TIMEOUT=1 run scan "$BATS_TEST_TMPDIR/misbehaving.c"
	assert_failure 1
	assert_line --regexp '^tsan +timeout +no end after 1 s: a hang, or just slow +[0-9.]+ s$'
	assert_line --regexp '^stress +timeout +no end after 1 s: a hang, or just slow +[0-9.]+ s$'
	# DRD names the cause even though it had to be stopped.
	assert_line --regexp '^drd +timeout +Recursive locking not allowed.* at misbehaving\.c:12 '
	assert_line 'misbehaving.c: timeout: tsan, helgrind, drd, asan, memcheck, stress'
}

@test "a program that crashes is called crashed, with the signal" {
	write_misbehaving
	run scan "$BATS_TEST_TMPDIR/misbehaving.c" -- abort
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
	for bad in '' '--bogus' "$FIXTURES/racy.c $FIXTURES/race_free.c" "$BATS_TEST_DIRNAME/quiz.bats"; do
		# shellcheck disable=SC2086 # one word an argument
		run --separate-stderr scan $bad
		assert_failure 2
		assert_equal "${#stderr_lines[@]}" 1
		assert_regex "$stderr" '^zoo: '
	done
	ZOO_RUN_TIMEOUT=soon run --separate-stderr scan "$FIXTURES/racy.c"
	assert_failure 2
	assert_equal "$stderr" "zoo: ZOO_RUN_TIMEOUT='soon' is not a whole number of seconds from 1 to 9999"
	run --separate-stderr "$ZOO_ROOT/harness/zoo-scan" bogus
	assert_failure 2
	assert_equal "$stderr" "zoo: unknown command 'bogus' (zoo-scan serves: scan; try --help)"
}
