#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2016 # bats' run sets $output, $stderr and $stderr_lines; backquotes are the programs' own
# harness/tests/quiz.bats: `zoo quiz`, interview practice (harness/cmd/quiz).
# The quiz reads only the exhibits' broken.c files: nothing is built and
# nothing is written outside the test's temporary folder.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup_file() {
	export BATS_TEST_TIMEOUT=60 # one test quizzes every exhibit: 17 s idle, over 30 s under load
}

setup() {
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../lib/core.bash"
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../lib/header.bash" # ZOO_PLUMBING
	ZOO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export ZOO_WORKSPACE=$BATS_TEST_TMPDIR/workspace NO_COLOR=1
}

quiz() {
	"$ZOO_ROOT/harness/zoo" quiz "$@"
}

# The numbered listing the quiz showed (everything before the question).
listing() {
	sed '/^Which rule/,$d' <<<"$output"
}

# The number the listing gives the line whose code is CODE.
listed_line_of() {
	listing | awk -v code="$1" '{ n = $0; sub(/\t.*/, "", n); text = $0; sub(/^[^\t]*\t/, "", text) }
		text == code { print n + 0 }'
}

# The code of the line of EXHIBIT's broken.c that carries MARKER, marker cut.
bug_code() {
	grep -F "$2" "$ZOO_ROOT/act1-threads/$1/broken.c" | sed -E 's@[[:space:]]*/\*[[:space:]]*BUG\(.*@@'
}

@test "zoo quiz --help describes the options and exits 0" {
	run quiz --help
	assert_success
	assert_output --partial 'zoo quiz [--seed N] [--exhibit EX] [--answer RULE:LINE]'
	assert_output --partial 'R4:42'
}

@test "the same seed shows the same program and gives the same verdict, twice" {
	run quiz --seed 1 --answer R4:42
	local first=$output first_status=$status
	run quiz --seed 1 --answer R4:42
	assert_equal "$output" "$first"
	assert_equal "$status" "$first_status"
	assert_output --partial 'Interview practice (seed 1)'
	assert_line --regexp '^score: [0-2]/2$'
}

@test "without --seed the quiz names the seed that asks the same program again" {
	run quiz --answer R1:1
	local seed
	seed=$(sed -n 's/^Interview practice (seed \([0-9]*\)).*/\1/p' <<<"$output")
	[[ -n $seed ]] || fail "no seed named in: ${lines[0]}"
	local first=$output
	run quiz --seed "$seed" --answer R1:1
	assert_equal "$output" "$first"
}

@test "the listing hides the header, every marker and the test plumbing, and numbers its lines like cat -n" {
	run quiz --exhibit lost-wakeup --answer R1:1
	local shown
	shown=$(listing)
	refute [ -z "$shown" ]
	refute grep -qE "BUG\\(|FIX\\(|Expect:|Rule [RC][0-9]|broken\\.c|widener|window|$ZOO_PLUMBING" <<<"$shown"
	# The first line of code is line 1, and the numbers run without a gap.
	assert_equal "$(grep -m1 -P '^ {5}1\t' <<<"$shown")" $'     1\t#include "zoo.h"'
	run bash -c 'grep -P "^ *[0-9]+\t" | awk "{ if (\$1 != NR) exit 1 }"' <<<"$shown"
	assert_success
}

@test "no exhibit's listing shows plumbing, a marker or a word about the window" {
	local ex
	for ex in $("$ZOO_ROOT/harness/zoo" resolve); do
		run quiz --exhibit "$ex" --answer R1:1
		run grep -nE "BUG\\(|FIX\\(|widener|window|$ZOO_PLUMBING" <<<"$(listing)"
		assert_failure
	done
}

@test "the right rule on a BUG line scores 2/2 and exits 0, and both lock lines of 1.03 are the line" {
	local first second
	run quiz --exhibit lock-order-inversion --answer R4:1
	first=$(listed_line_of "$(bug_code 03-lock-order-inversion "first the caller's")")
	second=$(listed_line_of "$(bug_code 03-lock-order-inversion 'then its `to`')")
	[[ $first =~ ^[0-9]+$ && $second =~ ^[0-9]+$ ]] || fail "the BUG lines' code is not in the listing once: '$first' '$second'"
	assert_line "line: wrong (the bug is on line(s) $first, $second)"
	for line in "$first" "$second"; do
		run quiz --exhibit lock-order-inversion --answer "R4:$line"
		assert_success
		assert_line 'rule: right (it is R4 lock-order: acquire in one fixed order, release by scope)'
		assert_line "line: right (the bug is on line(s) $first, $second)"
		assert_line 'score: 2/2'
	done
	assert_output --partial 'The program: 1.03 lock-order-inversion (act1-threads/03-lock-order-inversion/broken.c)'
	# shellcheck disable=SC2016 # the backquotes are the header's own
	assert_output --partial 'Bug: transfer() locks `from`, then `to`'
	assert_output --partial 'Read the lesson: act1-threads/03-lock-order-inversion/README.md'
}

@test "a rule the header names with Also: is right too, and the verdict says which is the primary one" {
	local line
	run quiz --exhibit leaked-lock --answer R5:1
	assert_line --partial 'rule: right (it is R4 lock-order: acquire in one fixed order, release by scope; also accepted: R5 one-owner)'
	line=$(listed_line_of "$(bug_code 04-leaked-lock 'leaves with bank_lock')")
	run quiz --exhibit leaked-lock --answer "R5:$line"
	assert_success
	assert_line 'score: 2/2'
	run quiz --exhibit leaked-lock --answer "R9:$line"
	assert_failure 1
	assert_line 'rule: wrong (it is R4 lock-order: acquire in one fixed order, release by scope; also accepted: R5 one-owner)'
}

@test "a rule may be answered by its short name on the card" {
	local line
	run quiz --exhibit 1.03 --answer R4:1
	line=$(listed_line_of "$(bug_code 03-lock-order-inversion 'then its `to`')")
	run quiz --exhibit 1.03 --answer "lock-order:$line"
	assert_success
	run quiz --exhibit 1.03 --answer "Lock-Order $line"
	assert_success
	run quiz --exhibit 1.03 --answer "partition:$line"
	assert_failure 1
	assert_line --partial 'rule: wrong'
}

@test "a wrong rule on the right line scores 1/2 and exits 1" {
	local line
	run quiz --exhibit 1.03 --answer R1:1
	line=$(listed_line_of "$(bug_code 03-lock-order-inversion 'then its `to`')")
	run quiz --exhibit 1.03 --answer "R1:$line"
	assert_failure 1
	assert_line 'rule: wrong (it is R4 lock-order: acquire in one fixed order, release by scope)'
	assert_line --regexp "^line: right "
	assert_line 'score: 1/2'
}

@test "the right rule on a wrong line scores 1/2 and exits 1" {
	run quiz --exhibit 1.03 --answer R4:1
	assert_failure 1
	assert_line --partial 'rule: right'
	assert_line --regexp '^line: wrong \(the bug is on line\(s\) [0-9]+, [0-9]+\)$'
	assert_line 'score: 1/2'
}

@test "every BUG line of an exhibit with several counts as the line" {
	local line want=()
	run quiz --exhibit signal-before-publish --answer R2:1
	for marker in 'the wake goes out first' 'the data comes after' 'and outside the mutex'; do
		line=$(listed_line_of "$(bug_code 02-signal-before-publish "$marker")")
		[[ $line =~ ^[0-9]+$ ]] || fail "no listed line for '$marker'"
		want+=("$line")
	done
	assert_line "line: wrong (the bug is on line(s) ${want[0]}, ${want[1]}, ${want[2]})"
	for line in "${want[@]}"; do
		run quiz --exhibit signal-before-publish --answer "R2:$line"
		assert_success
		assert_line 'score: 2/2'
	done
}

@test "the answer may be written r4:42 or R4 42" {
	run quiz --exhibit 1.03 --answer 'r4:1'
	assert_failure 1
	assert_line --partial 'rule: right'
	run quiz --exhibit 1.03 --answer 'R4 1'
	assert_failure 1
	assert_line --partial 'rule: right'
	assert_line 'score: 1/2'
}

@test "an answer in the wrong form, or naming no rule on the card, is refused with one line and status 2" {
	local bad
	for bad in 'R4-42' '4:42' 'R11:3' 'R0:3' 'C5:3' 'R4:' 'R4:x' 'lock order' 'no-such-rule:3' ''; do
		run --separate-stderr quiz --exhibit 1.03 --answer "$bad"
		assert_failure 2
		assert_equal "$stderr" 'zoo: answer as RULE:LINE, e.g. R4:42 or lock-order:42 (the rules are on the card in COURSE.md)'
		assert_equal "$output" ''
	done
}

@test "without --answer the quiz asks and reads the answer from stdin" {
	local line
	run quiz --exhibit 1.03 --answer R4:1
	line=$(listed_line_of "$(bug_code 03-lock-order-inversion 'then its `to`')")
	run quiz --exhibit 1.03 <<<"R4:$line"
	assert_success
	assert_line "Which rule (R1-R10, C1-C4, or its name) and which line? R4:$line"
	assert_line 'score: 2/2'
	run quiz --exhibit 1.03 <<<"R3 $line"
	assert_failure 1
	assert_line 'score: 1/2'
}

@test "an empty or malformed answer on stdin is refused with status 2" {
	run --separate-stderr quiz --exhibit 1.03 </dev/null
	assert_failure 2
	assert_equal "$stderr" 'zoo: answer as RULE:LINE, e.g. R4:42 or lock-order:42 (the rules are on the card in COURSE.md)'
	run --separate-stderr quiz --exhibit 1.03 <<<"the lock order"
	assert_failure 2
	assert_equal "$stderr" 'zoo: answer as RULE:LINE, e.g. R4:42 or lock-order:42 (the rules are on the card in COURSE.md)'
}

@test "an unknown option, a bad seed or an unknown exhibit gets one line and status 2" {
	run --separate-stderr quiz --bogus
	assert_failure 2
	assert_equal "$stderr" "zoo: quiz: unknown argument '--bogus' (try --help)"
	run --separate-stderr quiz --seed ten --answer R1:1
	assert_failure 2
	assert_equal "$stderr" "zoo: quiz: --seed 'ten' is not a whole number from 0 to 999999999"
	run --separate-stderr quiz --seed
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	run --separate-stderr quiz --exhibit lost-wakup --answer R1:1
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	assert_output ''
	assert_equal "$stderr" "zoo: no exhibit or act named 'lost-wakup' (did you mean: lost-wakeup?); 'make help' and README.md list them"
}

@test "the output carries no color escape when NO_COLOR is set or stdout is not a terminal" {
	run quiz --seed 2 --answer R4:42
	refute_output --partial $'\e['
	NO_COLOR='' run quiz --seed 2 --answer R4:42
	refute_output --partial $'\e['
}
