#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output, $lines and $status
# harness/tests/readers.bats: the harness's one-place readers, on small
# fixtures and without running a detector: a program's header and markers
# (lib/header.bash), a detector's report (lib/report.bash, on reports
# recorded in fixtures/reports/), the verdict table (lib/verdict.bash), the
# status table, the explanation `zoo check` gives from recorded verdicts, and
# the facts that must stay in one place.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup() {
	local lib
	for lib in core header report verdict run workspace; do
		# shellcheck source=/dev/null
		source "$BATS_TEST_DIRNAME/../lib/$lib.bash"
	done
	REPORTS=$BATS_TEST_DIRNAME/fixtures/reports
	SRC=$BATS_TEST_TMPDIR/broken.c
	cp "$BATS_TEST_DIRNAME/fixtures/header/broken.c" "$SRC"
}

@test "a header field is read whole, its wrapped lines joined" {
	run zoo_header_field Bug "$SRC"
	assert_output "the first lock is taken by the caller's order, which differs between callers."
	run zoo_header_field Rule "$SRC"
	assert_output 'R4: acquire in one fixed order.'
	run zoo_expect "$SRC" stress
	assert_output hang
	run zoo_expect "$SRC" drd
	assert_output ''
	run zoo_main_detector "$SRC"
	assert_output tsan
}

@test "a Knobs: line gives each detector its settings, a later group winning" {
	run zoo_knobs "$SRC" tsan
	assert_output $'ZOO_ITERS=5\nZOO_THREADS=1\nZOO_ITERS=7'
	run zoo_knobs "$SRC" drd
	assert_output 'ZOO_ITERS=5'
	run zoo_knobs "$BATS_TEST_DIRNAME/../../act1-threads/03-lock-order-inversion/broken.c" tsan
	assert_output 'ZOO_THREADS=1'
}

@test "a Knobs: line naming an unknown detector or a malformed setting is refused in one line" {
	sed -i 's/^ \* Knobs: .*/ * Knobs: tsan ZOO_ITERS=5; valgrind ZOO_ITERS=1/' "$SRC"
	run -2 --separate-stderr zoo_knobs "$SRC" tsan
	assert_output ''
	assert_regex "$stderr" "^zoo: .*Knobs: unknown detector 'valgrind'"
	sed -i 's/^ \* Knobs: .*/ * Knobs: tsan ZOO_ITERS 5/' "$SRC"
	run -2 zoo_knobs "$SRC" tsan
	assert_output --regexp "^zoo: .*'ZOO_ITERS' is not ZOO_VAR=value"
}

@test "BUG lines are named file:line across every source given" {
	printf 'int x; /* BUG(R5): in a header */\n' >"$BATS_TEST_TMPDIR/shared.h"
	run zoo_bug_lines "$SRC" "$BATS_TEST_TMPDIR/shared.h"
	assert_output $'broken.c:13\nbroken.c:14\nshared.h:1'
}

@test "the quiz copy drops the header and every marker; the bugs table numbers its lines" {
	run zoo_strip quiz "$SRC"
	refute_output --partial 'BUG('
	refute_output --partial 'FIX('
	refute_output --partial 'Rule R4'
	assert_line --index 0 '#include "zoo.h"'
	assert_line --index 3 $'\tlock(a);' # bats' lines leave out the blank ones
	run zoo_strip bugs "$SRC"
	assert_line --index 0 $'5\t13\tR4\tlock(a);\tBUG(R4): first'
	assert_line --index 1 $'6\t14\tR4\tlock(b);\tBUG(R4): second'
}

@test "the exercise copy keeps the rule and drops the fields that tell the bug" {
	run zoo_strip exercise "$SRC"
	assert_line ' * Rule R4: acquire in one fixed order.'
	refute_output --regexp 'Bug:|Expect:|Knobs:|which differs|BUG\(|FIX\('
	assert_line $'\tlock(b);'
}

@test "a ThreadSanitizer report: trimmed to its headline and program frames, and read" {
	run zoo_report_trim broken.c <"$REPORTS/tsan-race.txt"
	assert_line 'WARNING: ThreadSanitizer: data race (pid=19501)'
	assert_line '      at producer broken.c:25'
	refute_output --partial '0x'\''s thread'
	refute_output --regexp 'Thread T[0-9]+ .*created'
	run zoo_report_blamed broken.c <"$REPORTS/tsan-race.txt"
	assert_output $'broken.c:25\nbroken.c:40'
	run zoo_report_headlines broken.c <"$REPORTS/tsan-race.txt"
	assert_output $'ThreadSanitizer: data race\tbroken.c:25, broken.c:40'
}

@test "Helgrind's and DRD's reports are read the same way, without Valgrind's chatter" {
	run zoo_report_headlines broken.c <"$REPORTS/helgrind-lock-order.txt"
	assert_output $'Helgrind: lock order violated\tbroken.c:36, broken.c:40'
	run zoo_report_trim broken.c <"$REPORTS/helgrind-lock-order.txt"
	refute_output --regexp '^==[0-9]+=='
	run zoo_report_headlines broken.c <"$REPORTS/drd-recursive.txt"
	assert_output $'DRD: recursive locking not allowed\tbroken.c:43, broken.c:121'
}

@test "a report blames a BUG line only when one of its stacks cites one" {
	local src=$BATS_TEST_TMPDIR/broken.c
	seq 1 50 | sed 's/$/;/' >"$src"
	sed -i '25s/$/ \/* BUG(R1): here *\//' "$src"
	zoo_report_blames_bug "$src" <"$REPORTS/tsan-race.txt"
	sed -i '25s/ \/\* BUG.*//; 30s/$/ \/* BUG(R1): elsewhere *\//' "$src"
	run ! zoo_report_blames_bug "$src" <"$REPORTS/tsan-race.txt"
	run zoo_verdict "$ZOO_S_REPORT" report "$src" <"$REPORTS/tsan-race.txt"
	assert_output 'report elsewhere'
}

@test "every exit status has its verdict, and each promise is kept by its verdict only" {
	local promise verdict
	run zoo_verdict "$ZOO_S_CLEAN" clean </dev/null
	assert_output clean
	run zoo_verdict "$ZOO_S_HANG" hang </dev/null
	assert_output 'hang caught'
	run zoo_verdict "$ZOO_S_INVARIANT" invariant </dev/null
	assert_output 'invariant violated'
	run zoo_verdict "$ZOO_S_USAGE" clean </dev/null
	assert_output 'bad usage'
	run zoo_verdict 124 hang </dev/null
	assert_output 'timed out'
	run zoo_verdict "$ZOO_S_REPORT" report </dev/null
	assert_output 'report, no line'
	run zoo_verdict "$ZOO_S_REPORT" false-positive </dev/null
	assert_output 'false positive'
	for promise in "${ZOO_PROMISES[@]}"; do
		for verdict in clean 'hang caught' 'invariant violated' 'report at BUG line' 'report, no line' 'false positive' 'report elsewhere' 'timed out'; do
			if zoo_keeps "$promise" "$verdict"; then
				echo "$promise <- $verdict"
			fi
		done
	done >"$BATS_TEST_TMPDIR/kept"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/kept")" "$(printf '%s\n' 'report <- report at BUG line' 'report-no-line <- report, no line' \
		'false-positive <- false positive' 'clean <- clean' 'hang <- hang caught' 'invariant <- invariant violated')"
}

@test "the status numbers come from exit-status.def, and no other harness file writes one" {
	assert_equal "$ZOO_S_CLEAN $ZOO_S_INVARIANT $ZOO_S_USAGE $ZOO_S_HANG $ZOO_S_REPORT" \
		"$(sed -n 's/^ZOO_STATUS([A-Z]*, *\([0-9]*\),.*/\1/p' "$ZOO_ROOT/harness/exit-status.def" | paste -sd' ' -)"
	# The report status, the only one that is no small number, written out
	# anywhere in the shell or the tests would be a second copy of the table.
	local -a tests
	mapfile -t tests < <(zoo_exhibits | sed "s|\$|/test.bats|; s|^|$ZOO_ROOT/|")
	run grep -rnE '(^|[^0-9.x])66([^0-9]|$)' "$ZOO_ROOT/harness/zoo" "$ZOO_ROOT/harness/cmd" "$ZOO_ROOT/harness/lib" \
		"$ZOO_ROOT/harness/zoo.bash" "${tests[@]}"
	assert_output ''
}

@test "check explains a failed test from its recorded verdicts, never from Bats' prose" {
	local rec=$BATS_TEST_TMPDIR/3
	printf 'run\ttsan\tfixed\tclean\treport at BUG line\t%s\tfixed: hang caught by the watchdog: no progress for 1500 ms waiting for x\n' "$ZOO_S_REPORT" >"$rec"
	printf 'headline\tThreadSanitizer: lock-order-inversion (potential deadlock)\texercise.c:36, exercise.c:32\n' >>"$rec"
	run grade_explain "$rec"
	assert_line --index 0 'tsan: report (the test expects: clean)'
	assert_line --index 1 'your program: hang caught by the watchdog: no progress for 1500 ms waiting for x'
	assert_line --index 2 'ThreadSanitizer: lock-order-inversion (potential deadlock) at exercise.c:36, exercise.c:32'
	printf 'run\tstress\tfixed\tclean\tclean\t0\tfixed: clean: the invariant held: 3 of 4\n' >"$rec"
	run grade_explain "$rec"
	assert_output "the run kept its promise, but the test's own check of the output failed"
}

@test "COURSE.md's exhibit index lists every exhibit, with its number, folder and rule" {
	local ex rule
	run grep -cE '^\| [0-9]\.[0-9]{2} \| \[' "$ZOO_ROOT/COURSE.md"
	assert_output "$(zoo_exhibits | wc -l)"
	for ex in $(zoo_exhibits); do
		rule=$(zoo_header_field Rule "$ZOO_ROOT/$ex/broken.c" | sed 's/:.*//')
		grep -qF "| $(zoo_number "$ex") | [$(zoo_slug "$ex")]($ex/) | $rule |" "$ZOO_ROOT/COURSE.md" ||
			fail "COURSE.md has no row '| $(zoo_number "$ex") | [$(zoo_slug "$ex")]($ex/) | $rule |'"
	done
}

@test "every command file starts with its own usage line, and zoo --help lists them all" {
	local f sub
	run "$ZOO_ROOT/harness/zoo" --help
	for f in "$ZOO_ROOT"/harness/cmd/*; do
		sub=$(basename "$f")
		[[ $(zoo_usage "$f" | head -n 1) == "zoo $sub"* ]] || fail "harness/cmd/$sub does not open with 'zoo $sub'"
		assert_line --regexp "^  zoo $sub( |\$)"
		grep -q '^zoo_main()' "$f" || fail "harness/cmd/$sub has no zoo_main"
	done
}
