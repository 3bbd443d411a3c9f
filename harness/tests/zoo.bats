#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output, $stderr and $status
# harness/tests/zoo.bats: the dispatcher harness/zoo and the subcommands
# deps, test, demo, mutants and resolve, one end-to-end run each, and the bad
# inputs every one must refuse with one line. The learner's, quiz, scan and
# matrix subcommands have their own files beside this one; the readers they
# share are tested in readers.bats. Runs use 1.07, the fastest exhibit.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

setup_file() {
	export BATS_TEST_TIMEOUT=90
}

setup() {
	ZOO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export NO_COLOR=1 TMPDIR=$BATS_TEST_TMPDIR
}

zoo() {
	"$ZOO_ROOT/harness/zoo" "$@"
}

@test "every program's --help lists the knobs it reads and no other, and refuses one it does not read" {
	local ex prog knob reads help
	for ex in $(zoo resolve); do
		for prog in broken fixed; do
			help=$("$ZOO_ROOT/build/plain/$ex/$prog" --help)
			reads=$(sed -n 's/^[[:space:]]*[.]reads = "\(.*\)",$/\1/p' "$ZOO_ROOT/$ex/$prog.c")
			! grep -qE '^[[:space:]]*[.]widen_us = [1-9]' "$ZOO_ROOT/$ex/$prog.c" || reads+=" ZOO_WIDEN"
			for knob in ZOO_ITERS ZOO_THREADS ZOO_WIDEN ZOO_SEED; do
				if [[ " $reads " == *" $knob "* ]]; then
					grep -q "^  $knob=" <<<"$help" || fail "$ex/$prog --help does not list $knob, which it reads"
				else
					! grep -q "^  $knob=" <<<"$help" || fail "$ex/$prog --help lists $knob, which it does not read"
					run -2 --separate-stderr env "$knob=1" "$ZOO_ROOT/build/plain/$ex/$prog"
					assert_equal "$stderr" "$prog: $knob is set, but this program does not read it (try --help)"
				fi
			done
		done
	done
}

@test "zoo --help lists every subcommand, and each answers --help with its own usage" {
	local file sub help
	help=$(zoo --help)
	for file in "$ZOO_ROOT"/harness/cmd/*; do
		sub=$(basename "$file")
		grep -qE "^  zoo $sub( |\$)" <<<"$help" || fail "zoo --help does not list $sub"
		run -0 zoo "$sub" --help
		assert_line --index 0 --regexp "^zoo $sub( |\$)"
	done
}

@test "an unknown subcommand gets one line and status 2" {
	run -2 --separate-stderr zoo frobnicate
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$output" ''
	[[ $stderr == "zoo: unknown command 'frobnicate'"* ]]
}

@test "resolve names an exhibit by slug, number, path and act" {
	run -0 zoo resolve lost-wakeup 1.3 act1-threads/06-false-sharing/ 07-volatile-counter
	assert_equal "${lines[*]}" "act1-threads/01-lost-wakeup act1-threads/03-lock-order-inversion act1-threads/06-false-sharing act1-threads/07-volatile-counter"
	run -0 zoo resolve act1-threads
	assert_equal "${#lines[@]}" "$(find "$ZOO_ROOT/act1-threads" -name broken.c | wc -l)"
}

@test "a misspelt exhibit gets one line with the closest names and status 2" {
	for sub in resolve test demo mutants; do
		run -2 --separate-stderr zoo "$sub" lost-wakup
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$stderr" "zoo: no exhibit or act named 'lost-wakup' (did you mean: lost-wakeup?); 'make help' and README.md list them"
	done
}

@test "make with a wrong EX stops before building anything, in one line" {
	run -2 --separate-stderr make -s -C "$ZOO_ROOT" test EX=no-such-exhibit
	assert_equal "${#stderr_lines[@]}" 1
	assert_output ''
	[[ $stderr == *"zoo: no exhibit or act named 'no-such-exhibit'"* ]]
}

@test "deps finds every package installed and says nothing" {
	run -0 --separate-stderr zoo deps
	assert_output ''
	assert_equal "$stderr" ''
}

@test "demo shows the rule, the BUG lines, both runs and a summary row" {
	run -0 zoo demo volatile-counter
	assert_output --partial 'Rule R9: volatile is not a concurrency primitive.'
	assert_output --regexp 'line [0-9]+: .*BUG\(R9\)'
	assert_output --partial 'broken.c under tsan with ZOO_ITERS=200000 (expected: report)'
	assert_output --regexp 'broken\.c:[0-9]+ <- BUG line'
	assert_output --partial 'fixed.c under tsan with ZOO_ITERS=200000 (expected: clean)'
	assert_output --regexp 'act1-threads/07-volatile-counter +tsan +report at BUG line [0-9.]+s +clean [0-9.]+s'
	refute_output --partial $'\e['
}

@test "demo --step waits for Enter before each step" {
	# No terminal here, so the prompts read standard input: three Enters.
	run -0 zoo demo --step volatile-counter <<<$'\n\n\n'
	assert_output --partial '[Enter: run broken.c under tsan]'
	assert_output --partial '[Enter: run fixed.c under tsan]'
}

@test "demo --step does not go on until Enter comes" {
	# A pipe that stays open and silent: the demo must stop at its first prompt.
	mkfifo "$BATS_TEST_TMPDIR/keys"
	exec 7<>"$BATS_TEST_TMPDIR/keys"
	run -124 timeout 1 "$ZOO_ROOT/harness/zoo" demo --step volatile-counter <&7
	exec 7<&-
	assert_output --partial '[Enter: run broken.c under tsan]'
	refute_output --partial 'broken.c under tsan (expected'
}

@test "test counts the tests of a detector ZOO_WITHOUT leaves out as skipped, not passed" {
	ZOO_WITHOUT=valgrind run -0 zoo test --filter 'Helgrind|ThreadSanitizer' volatile-counter
	assert_line --regexp '^ok [0-9]+ 1\.07 volatile-counter: broken\.c: Helgrind .* # skip helgrind left out: ZOO_WITHOUT=valgrind$'
	assert_line 'tests: 3 passed, 0 failed, 2 skipped'
}

@test "demo of an exhibit whose Knobs: line applies uses those settings" {
	run -0 zoo demo lock-order-inversion
	assert_output --partial 'broken.c under tsan with ZOO_THREADS=1'
	assert_output --partial 'lock-order-inversion (potential deadlock)'
}

@test "test runs one exhibit in Bats' TAP, names each test after its exhibit, ends with a countable line, and writes JUnit" {
	run -0 zoo test --filter 'single worker|workers started together' --junit "$BATS_TEST_TMPDIR/report.xml" volatile-counter
	assert_line --index 0 'Running 1 test file(s), 3 at a time.'
	assert_line --regexp '^ok 1 1\.07 volatile-counter: broken\.c: a single worker loses nothing'
	assert_line --regexp '^ok 2 1\.07 volatile-counter: fixed\.c: counts all 20000000 increments with the workers started together'
	assert_line 'tests: 2 passed, 0 failed'
	refute_output --partial $'\e['
	assert_equal "$(find "$TMPDIR" -maxdepth 1 -name 'zoo-test.*' | wc -l)" 0
	run grep -c '<testcase ' "$BATS_TEST_TMPDIR/report.xml"
	assert_output 2
	run -2 --separate-stderr zoo test --jobs 0 volatile-counter
	assert_equal "$stderr" "zoo: test: --jobs '0' is not a whole number from 1 to 8"
}

@test "mutants finds a mutant caught, and refuses a patch that no longer applies" {
	local copy=$BATS_TEST_TMPDIR/zoo-copy ex=act1-threads/07-volatile-counter
	helpers_copy_zoo "$copy" "$ex"
	rm "$copy/$ex"/mutants/*
	# A whole copy of fixed.c with one line changed; one that does not even
	# build (which would fail every test, and prove nothing); a stale patch.
	{ echo '/* The counter is volatile again */'; sed 's/^static atomic_long counter; .*/static volatile long counter;/; s/atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);.*/counter++;/; s/atomic_load_explicit(&counter, memory_order_relaxed)/counter/' "$copy/$ex/fixed.c"; } >"$copy/$ex/mutants/volatile.c"
	printf '/* Does not build */\n#error "a mutant"\n' >"$copy/$ex/mutants/no-build.c"
	printf 'A stale patch\n--- fixed.c\n+++ fixed.c\n@@ -1,1 +1,1 @@\n-no such line\n+still none\n' \
		>"$copy/$ex/mutants/stale.patch"
	run -1 "$copy/harness/zoo" mutants --patches volatile-counter
	assert_output --regexp 'volatile\.c +caught by [1-5] of 5 +The counter is volatile again'
	assert_output --regexp 'no-build\.c +BROKEN +does not build, so it proves nothing: Does not build'
	assert_output --regexp 'stale\.patch +BROKEN'
	assert_line 'mutants: 1 caught, 2 survived or did not apply, 0 did not build'
}

@test "mutants makes its own from fixed.c's FIX lines: deleted, a while turned into if, and one that does not build is skipped" {
	local copy=$BATS_TEST_TMPDIR/zoo-copy ex=act1-threads/07-volatile-counter
	helpers_copy_zoo "$copy" "$ex"
	# Keep two FIX markers: the flag's declaration (deleted, it cannot build)
	# and the acquire loop (deleted, or made an if: main reads too early).
	sed -i -E '/_Atomic|atomic_bool|acquire/!s@ */\* FIX\([^*]*\*/@@' "$copy/$ex/fixed.c"
	run -0 "$copy/harness/zoo" mutants --fix-lines volatile-counter
	assert_output --regexp 'FIX line [0-9]+ deleted +no build +deletes: static atomic_bool total_ready;'
	assert_output --regexp 'FIX line [0-9]+ deleted +caught by [1-5] of 5 +deletes: while \(!atomic_load_explicit'
	assert_output --regexp 'FIX line [0-9]+ while->if +caught by [1-5] of 5 +makes it: if \(!atomic_load_explicit'
	assert_line 'mutants: 2 caught, 0 survived or did not apply, 1 did not build'
	run -2 --separate-stderr "$copy/harness/zoo" mutants --frob
	assert_equal "$stderr" "zoo: mutants: unknown option '--frob' (try --help)"
}
