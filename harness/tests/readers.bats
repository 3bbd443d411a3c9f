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

@test "without a Demo: line, the demo's detector is the first on the Expect: line that sees the bug" {
	sed -i 's/^ \* Expect: tsan=[a-z-]*/ * Expect: tsan=missed helgrind=false-positive/' "$SRC"
	run zoo_main_detector "$SRC"
	assert_output stress
	sed -i 's/^ \* Expect: /&drd=report /' "$SRC"
	run zoo_main_detector "$SRC"
	assert_output drd
	ZOO_WITHOUT=valgrind run zoo_main_detector "$SRC" # DRD left out: the next that sees it
	assert_output stress
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

@test "a sanitizer's options on a Knobs: line are added to the harness's own, which stay in force" {
	sed -i 's/^ \* Knobs: .*/ * Knobs: asan ASAN_OPTIONS=help=1:detect_stack_use_after_return=1/' "$SRC"
	run zoo_knobs "$SRC" asan
	assert_output 'ASAN_OPTIONS=help=1:detect_stack_use_after_return=1'
	(zoo_build harness/tests/fixtures/procs) >&2
	local -a knobs
	mapfile -t knobs < <(zoo_knobs "$SRC" asan)
	run zoo_detect asan "$ZOO_ROOT/build" harness/tests/fixtures/procs/shares ZOO_ITERS=5 "${knobs[@]}"
	# help=1 prints every flag with its value: the Knobs' own, and the harness's
	assert_equal "$(grep -A1 -E $'^\tdetect_stack_use_after_return$' <<<"$output" | grep -o 'Current Value: [a-z0-9]*')" 'Current Value: true'
	assert_equal "$(grep -A1 -E $'^\texitcode$' <<<"$output" | grep -o 'Current Value: [0-9]*')" "Current Value: $ZOO_S_REPORT"
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
		'false-positive <- false positive' 'clean <- clean' 'hang <- hang caught' 'invariant <- invariant violated' \
		'missed <- clean' 'missed <- hang caught' 'missed <- invariant violated')"
}

@test "the status numbers come from exit-status.def, and no other harness file writes one" {
	assert_equal "$ZOO_S_CLEAN $ZOO_S_INVARIANT $ZOO_S_USAGE $ZOO_S_HANG $ZOO_S_UNFINISHED $ZOO_S_REPORT" \
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

@test "COURSE.md's exhibit index lists every exhibit, with its number, folder and rules" {
	local ex rule
	run grep -cE '^\| [0-9]\.[0-9]{2} \| \[' "$ZOO_ROOT/COURSE.md"
	assert_output "$(zoo_exhibits | wc -l)"
	for ex in $(zoo_exhibits); do
		rule=$(zoo_rules "$ZOO_ROOT/$ex/broken.c" | sed 's/ /, /g')
		grep -qF "| $(zoo_number "$ex") | [$(zoo_slug "$ex")]($ex/) | $rule |" "$ZOO_ROOT/COURSE.md" ||
			fail "COURSE.md has no row '| $(zoo_number "$ex") | [$(zoo_slug "$ex")]($ex/) | $rule |'"
	done
}

@test "every rule an exhibit names, in its headers and its markers, is on the card, and the card has all fourteen" {
	local ex f rule card
	card=$(zoo_card)
	assert_equal "$(wc -l <<<"$card")" 14
	assert_equal "$(cut -d' ' -f1 <<<"$card" | paste -sd' ' -)" 'R1 R2 R3 R4 R5 R6 R7 R8 R9 R10 C1 C2 C3 C4'
	assert_equal "$(cut -d' ' -f2 <<<"$card" | sort -u | wc -l)" 14
	for ex in $(zoo_exhibits); do
		for f in "$ZOO_ROOT/$ex"/*.c; do
			for rule in $(zoo_rules "$f") $(grep -oE "(BUG|FIX)\\($ZOO_RULE_RE" "$f" | sed 's/.*(//'); do
				grep -q "^$rule " <<<"$card" || fail "${f#"$ZOO_ROOT"/} names $rule, which is not on the card in COURSE.md"
			done
		done
	done
}

@test "the rules of a header: the Rule: line's first, then the Also: line's" {
	assert_equal "$(zoo_rules "$ZOO_ROOT/act1-threads/04-leaked-lock/broken.c")" 'R4 R5'
	assert_equal "$(zoo_rules "$ZOO_ROOT/act1-threads/03-lock-order-inversion/broken.c")" 'R4'
}

# FILE's lines as a compiler numbers them after its #line directives:
# "NAME:LINE<tab>text", directives left out.
as_compiled() {
	awk '/^#line / { n = $2 - 1; name = $3; gsub(/"/, "", name); next } { n++; print name ":" n "\t" $0 }' "$1"
}

@test "the plumbing goes back into every exhibit's exercise copy where it was, and each line keeps its number" {
	local ex copy=$BATS_TEST_TMPDIR/exercise.c
	for ex in $(zoo_exhibits); do
		zoo_strip exercise "$ZOO_ROOT/$ex/broken.c" >"$copy"
		run grep -cE "$ZOO_PLUMBING" "$copy"
		assert_output 0
		zoo_restore "$ZOO_ROOT/$ex/broken.c" "$copy" exercise.c >"$BATS_TEST_TMPDIR/restored.c"
		# The restored text is broken.c again, markers and blank lines aside.
		run diff <(grep -v '^#line' "$BATS_TEST_TMPDIR/restored.c" | awk '/^ \*\// && !done { done = 1; next } done' | grep -v '^[[:space:]]*$') \
			<(sed -E 's@[[:space:]]*/\*[[:space:]]*(BUG|FIX)\([^*]*\*/@@' "$ZOO_ROOT/$ex/broken.c" |
				awk '/^ \*\// && !done { done = 1; next } done' | grep -v '^[[:space:]]*$')
		[[ $status == 0 ]] || fail "$ex: the restored copy is not broken.c: $output"
		# Every line of the copy is, to the compiler, that line of exercise.c.
		run diff <(as_compiled "$BATS_TEST_TMPDIR/restored.c" | awk -F'\t' -v re="$ZOO_PLUMBING" '{ t = $0; sub(/^[^\t]*\t/, "", t) } t !~ re { print $1 }') \
			<(awk '{ print "exercise.c:" NR }' "$copy")
		[[ $status == 0 ]] || fail "$ex: the line numbers moved: $output"
	done
}

@test "plumbing whose two neighbours the learner rewrote goes after the nearest line left as it was" {
	local copy=$BATS_TEST_TMPDIR/exercise.c
	zoo_strip exercise "$ZOO_ROOT/act1-threads/03-lock-order-inversion/broken.c" >"$copy"
	sed -i 's/zoo_lock(&t->from->mutex);/zoo_lock(\&first->mutex);/; s/zoo_lock(&t->to->mutex);/zoo_lock(\&second->mutex);/' "$copy"
	run zoo_restore "$ZOO_ROOT/act1-threads/03-lock-order-inversion/broken.c" "$copy" exercise.c
	assert_success
	local restored=$output
	run grep -c 'zoo_cue_' <<<"$restored"
	assert_output 2
	# Still inside transfer(), before its (rewritten) first lock.
	run awk '/^static void transfer/ { on = 1 } on && /zoo_cue_give/ { print "cue"; exit } on && /first->mutex/ { print "lock"; exit }' <<<"$restored"
	assert_output cue
}

@test "every link in the zoo's Markdown points at a file inside the repository" {
	local f link target
	while IFS= read -r f; do
		while IFS= read -r link; do
			[[ $link != http* ]] || continue # a reference to the outside world is allowed; a path is not
			target=$(realpath -m "$(dirname "$ZOO_ROOT/$f")/$link")
			[[ $target == "$ZOO_ROOT"/* || $target == "$ZOO_ROOT" ]] || fail "$f links outside the repository: $link"
			[[ -e $target ]] || fail "$f links to $link, which does not exist"
		done < <(grep -oE '\]\([^)#]+' "$ZOO_ROOT/$f" | sed 's/^](//')
	done < <(cd "$ZOO_ROOT" && find . -name '*.md' -not -path './build/*' -not -path './workspace/*' -not -path './.git/*' | sed 's|^\./||')
}

@test "every lesson has its sections in order, the stop line after The rule, and three folded hints" {
	local ex readme
	for ex in $(zoo_exhibits); do
		readme=$ZOO_ROOT/$ex/README.md
		run grep -E '^## ' "$readme"
		assert_equal "$(head -n 7 <<<"$output" | paste -sd'|' -)" '## Symptom|## The rule|## The interleaving|## See it|## The fix|## Hints|## What each detector sees'
		run awk '/^## The rule$/ { on = 1; next } on && /^## / { exit } on && NF { last = $0 } END { print last }' "$readme"
		assert_output '*Solving the exercise? Stop here: the rest of this lesson is about this program, its bug and its fix.*'
		run lesson_hints "$readme"
		assert_equal "${#lines[@]}" 3
		run grep -cE '^<details><summary>Hint [1-3]</summary>$' "$readme"
		assert_output 3
	done
}

@test "what a learner reads before solving names no identifier of the program's bug or fix" {
	local ex before id
	for ex in $(zoo_exhibits); do
		before=$(sed '/^## The interleaving/,$d' "$ZOO_ROOT/$ex/README.md")
		# The program's own names on its BUG and FIX lines (snake_case, and not
		# the POSIX API), which would point at the answer.
		# shellcheck disable=SC2013 # one identifier a word
		for id in $(grep -hE '(BUG|FIX)\(' "$ZOO_ROOT/$ex/broken.c" "$ZOO_ROOT/$ex/fixed.c" | sed -E 's@/\*.*@@' |
			grep -oE '[A-Za-z_][A-Za-z0-9_]*_[A-Za-z0-9_]+' | grep -vE '^(pthread|PTHREAD)_' | sort -u); do
			! grep -qw -- "$id" <<<"$before" || fail "$ex/README.md names \`$id\` before the stop line"
		done
	done
}

@test "every exhibit's mutant patches still apply to its fixed.c" {
	local ex m
	for ex in $(zoo_exhibits); do
		for m in "$ZOO_ROOT/$ex"/mutants/*.patch; do
			[[ -e $m ]] || continue
			patch -s --dry-run -o /dev/null "$ZOO_ROOT/$ex/fixed.c" <"$m" >/dev/null 2>&1 ||
				fail "${m#"$ZOO_ROOT"/} no longer applies to fixed.c"
		done
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

@test "a report a lesson quotes blames a line that is still a BUG line" {
	local ex file line n
	for ex in $(zoo_exhibits); do
		while IFS=: read -r file n; do
			line=$(sed -n "${n}p" "$ZOO_ROOT/$ex/$file")
			[[ $line == *"BUG("* ]] || fail "$ex/README.md quotes $file:$n as a BUG line, and it is: $line"
		done < <(grep -oE '\b(broken|fixed)\.c:[0-9]+ <- BUG line' "$ZOO_ROOT/$ex/README.md" | sed 's/ <- BUG line//')
	done
}
