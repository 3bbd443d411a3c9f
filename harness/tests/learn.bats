#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2016 # bats sets $output, $status, $stderr, $stderr_lines; backticks quoted from lessons
# harness/tests/learn.bats: the learner's commands (harness/cmd/list, show,
# exercise, check, watch, hint, solution, progress, grade). Every test
# works in its own temporary workspace; the graded runs use the quickest
# exhibit, 1.07 volatile-counter (a check takes a few seconds), and the watch
# tests an exercise that does not compile (its check is instant).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ZOO_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# ZOO_PLUMBING: what the learner's copy leaves out (lib/header.bash)
# shellcheck source=/dev/null
source "$ZOO_TOP/harness/lib/core.bash"
# shellcheck source=/dev/null
source "$ZOO_TOP/harness/lib/header.bash"
LEARN=$ZOO_TOP/harness/zoo
EX=act1-threads/07-volatile-counter
SUBCOMMANDS=(list show exercise check watch hint solution progress grade)

setup_file() {
	export BATS_TEST_TIMEOUT=60
	make -s --no-print-directory -C "$ZOO_TOP" build/{plain,tsan,asan}/$EX/{broken,fixed} >&2
}

setup() {
	export ZOO_WORKSPACE=$BATS_TEST_TMPDIR/workspace NO_COLOR=1
	WS=$ZOO_WORKSPACE/$EX
	WATCHER=''
}

teardown() {
	# A watch a failed test left running.
	if [[ -n $WATCHER ]] && kill -0 "$WATCHER" 2>/dev/null; then
		kill -TERM "$WATCHER" 2>/dev/null || true
		wait "$WATCHER" 2>/dev/null || true
	fi
}

learn() {
	"$LEARN" "$@"
}

exhibits() {
	"$ZOO_TOP/harness/zoo" resolve
}

# Wait (at most 30 s) until FILE holds PATTERN at least N times.
wait_for() {
	local file=$1 pattern=$2 n=$3 i
	for ((i = 0; i < 300; i++)); do
		(($(grep -c -- "$pattern" "$file" 2>/dev/null || true) >= n)) && return 0
		sleep 0.1
	done
	cat "$file" >&2
	fail "no $n x '$pattern' in the watch's output after 30 s"
}

# Start 1.07's exercise and break its build.
broken_build() {
	learn exercise 1.07 >/dev/null
	sed -i 's/^\t\tcounter++;$/\t\tcounter++/' "$WS/exercise.c"
	grep -q 'counter++$' "$WS/exercise.c"
}

@test "the help lists every subcommand, and each subcommand answers --help" {
	run learn --help
	assert_success
	for sub in "${SUBCOMMANDS[@]}"; do
		assert_output --partial "zoo $sub"
	done
	for sub in "${SUBCOMMANDS[@]}"; do
		run learn "$sub" --help
		assert_success
		assert_line --index 0 --regexp "^zoo $sub( |\$)"
	done
}

@test "list shows every act and exhibit with its number, slug, rule and the learner's state" {
	run learn list
	assert_success
	assert_line 'act1-threads'
	assert_line 'act2-coroutines'
	assert_line --regexp '^  1\.01 +lost-wakeup +not started +R1: a wakeup is a hint to re-check, not a delivery\.$'
	assert_line --regexp '^  1\.07 +volatile-counter +not started +R9: volatile is not a concurrency primitive\.$'
	assert_equal "$(grep -cE '^  [0-9]\.[0-9]{2} ' <<<"$output")" "$(exhibits | wc -l)"

	mkdir -p "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup" "$WS"
	touch "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c" "$WS/exercise.c"
	echo 'solved=2024-01-02T03:04:05Z' >"$WS/.zoo-state"
	run learn list
	assert_line --regexp '^  1\.01 +lost-wakeup +in progress +R1: '
	assert_line --regexp '^  1\.02 +signal-before-publish +not started +R2: '
	assert_line --regexp '^  1\.07 +volatile-counter +solved +R9: '
}

@test "show prints the rules and the lesson's Symptom and The rule as plain text, and not the fix" {
	run learn show lost-wakeup
	assert_success
	assert_line --index 0 --partial '1.01 Lost wakeup'
	assert_line 'Rule R1: a wakeup is a hint to re-check, not a delivery.'
	assert_line --regexp '^Also R2: '
	assert_line 'Symptom'
	assert_line 'The rule'
	# The first words of each section, as the lesson has them.
	local readme=$ZOO_TOP/act1-threads/01-lost-wakeup/README.md section first
	for section in Symptom 'The rule'; do
		first=$(sed -n "/^## $section\$/,/^## /p" "$readme" | sed -n '3p' | cut -c1-30)
		[[ -n $first ]] || fail "no text under ## $section"
		assert_output --partial "$first"
	done
	refute_output --partial '**'
	refute_output --partial '## '
	refute_output --partial 'FIX('
	refute_output --partial '+++ '
	assert_output --partial 'harness/zoo solution 1.01'
}

@test "exercise copies every exhibit's broken.c without its markers, bug description or plumbing, line for line, and each copy compiles" {
	local ex copy body_b body_e
	for ex in $(exhibits); do
		run learn exercise "$ex"
		assert_success
		copy=$ZOO_WORKSPACE/$ex/exercise.c
		[[ -f $copy ]] || fail "no $copy"
		# Markers and the bug's description are gone; the rule stays.
		run grep -nE "BUG\\(|FIX\\(|^ \\* (Bug|Fix|Expect|Demo|Knobs):|^ \\*      |[[:space:]]\$|widener|$ZOO_PLUMBING" "$copy"
		assert_failure
		grep -qE '^ \* Rule [RC][0-9]+: ' "$copy" || fail "$copy lost its Rule line"
		grep -q '^ \* exercise.c (your exercise): ' "$copy" || fail "$copy: the path line still names broken.c"
		# After the header, each line is broken.c's line, cut at most, once
		# the plumbing lines are left out.
		body_b=$(sed '1,/^ \*\/$/d' "$ZOO_TOP/$ex/broken.c" | grep -vE "$ZOO_PLUMBING")
		body_e=$(sed '1,/^ \*\/$/d' "$copy")
		run awk 'NR == FNR { b[FNR] = $0; n = FNR; next }
			{ m = FNR; if (index(b[FNR], $0) != 1) { print "line " FNR " changed: " $0; bad = 1 } }
			END { if (m != n) { print m " lines, broken.c has " n; bad = 1 } exit bad }' \
			<(echo "$body_b") <(echo "$body_e")
		assert_success
		# It builds as the grading hook builds it (warnings are errors).
		gcc -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -fsyntax-only \
			-I"$ZOO_TOP/harness" -I"$ZOO_TOP/$ex" "$copy" ||
			fail "$copy does not compile"
	done
	grep -q '^		items_in_box++;$' "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c"
}

@test "exercise says where the copy is and what to do next" {
	run learn exercise 1.07
	assert_success
	assert_output --partial "Your exercise for 1.07 volatile-counter is ready."
	assert_output --partial "$WS/exercise.c"
	assert_output --partial 'Rule R9: volatile is not a concurrency primitive.'
	assert_output --partial 'harness/zoo hint 1.07'
	assert_output --partial 'harness/zoo check 1.07'
	assert_equal "$(cat "$WS/.zoo-state")" 'hints=0'
	# beside it, clangd's settings: the zoo's database, the exhibit's
	# folder for its headers, then the zoo's own .clangd
	assert_equal "$(sed -n 3,4p "$WS/.clangd")" "  CompilationDatabase: $ZOO_TOP
  Add: [-I$ZOO_TOP/$EX]"
	grep -qx -- '  Add: \[-Wno-error=unused-function\]' "$WS/.clangd"
}

@test "exercise never overwrites work, and --reset starts over, keeping the old copy beside it" {
	learn exercise 1.07 >/dev/null
	echo '/* my work */' >>"$WS/exercise.c"
	run --separate-stderr learn exercise 1.07
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "zoo: you already have an exercise for 1.07 at "*"--reset" ]] || fail "stderr: $stderr"
	grep -q 'my work' "$WS/exercise.c"

	echo 'solved=2024-01-02T03:04:05Z' >>"$WS/.zoo-state"
	run learn exercise 1.07 --reset
	assert_success
	assert_output --partial 'Reset 1.07 volatile-counter'
	run grep -c 'my work' "$WS/exercise.c"
	assert_output 0
	grep -q 'my work' "$WS/exercise.c.before-reset"
	run grep -c '^solved=' "$WS/.zoo-state"
	assert_output 0
}

@test "check fails on the untouched exercise, naming the detector and the lines of exercise.c it blames" {
	learn exercise 1.07 >/dev/null
	run learn check 1.07
	assert_failure 1
	assert_line --index 0 --partial 'Checking 1.07 volatile-counter'
	assert_line --regexp '^  FAILED  counts all 20000000 increments with the workers started together$'
	assert_line --regexp '^  FAILED  ThreadSanitizer stays silent$'
	assert_output --partial 'your program: invariant violated: counted'
	# counter++, by its line in the learner's file (the plumbing put back for
	# the grading moves no line).
	local line
	line=$(grep -n '^		counter++;$' "$WS/exercise.c" | cut -d: -f1)
	[[ -n $line ]] || fail "no counter++ in the exercise"
	assert_line --regexp "^ +ThreadSanitizer: data race at exercise\\.c:$line\$"
	assert_line --regexp "^ +Helgrind: possible data race during write at exercise\\.c:$line"
	assert_line --regexp "^ +DRD: conflicting store at exercise\\.c:$line\$"
	assert_line --regexp "^ +\\| +at worker exercise\\.c:$line\$"
	assert_line --regexp '^Not yet: [0-9] of 5 tests fail\. Stuck\? harness/zoo hint 1\.07 \(hint 1 of 3\)$'
	run learn list
	assert_line --regexp '^  1\.07 +volatile-counter +in progress '
}

@test "grading puts the plumbing back: the untouched 1.01 copy, which has none, hangs on the schedule the test forces" {
	learn exercise 1.01 >/dev/null
	run grep -cE "$ZOO_PLUMBING" "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c"
	assert_output 0
	run learn check 1.01
	assert_failure 1
	assert_line '  FAILED  hands over every item on the schedule the test forces'
	assert_line '          stress: hang caught (the test expects: clean)'
}

@test "the learner's path: a fixed exercise passes check, is recorded solved, shows in progress, and unlocks the solution" {
	learn exercise 1.07 >/dev/null
	run --separate-stderr learn solution 1.07
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "zoo: 1.07 volatile-counter is not solved yet: make harness/zoo check 1.07 pass first, or see the solution anyway with --force"

	cp "$ZOO_TOP/$EX/fixed.c" "$WS/exercise.c"
	run learn check # without EX: the one exercise in progress
	assert_success
	assert_line --regexp '^  ok      ThreadSanitizer stays silent$'
	refute_output --partial 'FAILED'
	assert_output --regexp 'Solved! All 5 tests pass: 1\.07 volatile-counter is solved \(recorded: solved=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\)'
	grep -qE '^solved=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$WS/.zoo-state"

	run learn progress
	assert_success
	assert_line --regexp '^1\.07 volatile-counter +solved +0/3 +20[0-9-]{8}T'
	assert_line --regexp "^1 of $(exhibits | wc -l) solved "

	run learn solution 1.07
	assert_success
	assert_output --partial "The zoo's fix: $EX/fixed.c"
	assert_output --partial 'atomic_fetch_add_explicit'
	assert_output --partial '(identical: your exercise.c is fixed.c)'
}

@test "on a machine without Valgrind (ZOO_WITHOUT=valgrind), check skips Helgrind's and DRD's tests, saying why, and judges with the rest" {
	learn exercise 1.07 >/dev/null
	cp "$ZOO_TOP/$EX/fixed.c" "$WS/exercise.c"
	ZOO_WITHOUT=valgrind run learn check 1.07
	assert_success
	assert_line --regexp '^  ok      ThreadSanitizer stays silent$'
	assert_line --regexp '^  skipped Helgrind .* \(helgrind left out: ZOO_WITHOUT=valgrind\)$'
	assert_line --regexp '^  skipped DRD .* \(drd left out: ZOO_WITHOUT=valgrind\)$'
	assert_output --regexp 'Solved! All 3 tests pass: 1\.07 volatile-counter is solved'
	assert_line '(2 more skipped, each saying why above.)'
	# A broken copy still fails on what is left.
	learn exercise 1.07 --reset >/dev/null
	ZOO_WITHOUT=valgrind run learn check 1.07
	assert_failure 1
	assert_output --partial 'ThreadSanitizer'
	# Anything but valgrind is refused, in one line.
	ZOO_WITHOUT=tsan run --separate-stderr learn check 1.07
	assert_failure 2
	assert_equal "$stderr" "zoo: ZOO_WITHOUT='tsan': the zoo can do without valgrind only"
}

@test "check without an exhibit asks for an exercise first when none is in progress" {
	run --separate-stderr learn check
	assert_failure 2
	assert_equal "$stderr" 'zoo: no exercise in progress; start the next one first with: harness/zoo exercise lost-wakeup'
	run --separate-stderr learn check 1.01
	assert_failure 2
	assert_equal "$stderr" 'zoo: no exercise for 1.01 yet; start it with: harness/zoo exercise lost-wakeup'
}

@test "check shows a build failure in a line or two" {
	broken_build
	run learn check 1.07
	assert_failure 1
	assert_line --regexp '^  FAILED  exercise\.c does not compile with -Wall -Wextra -Werror:$'
	assert_line --regexp '^ +exercise\.c:[0-9]+:[0-9]+: error: '
	assert_line --partial 'Not yet: exercise.c must build'
	# The heading, the failure, one or two lines of compiler, a blank, the verdict.
	((${#lines[@]} <= 5)) || fail "too long: $output"
	refute_output --partial "$ZOO_WORKSPACE/$EX/exercise.c:"
}

@test "watch checks at once and after every save, and stops cleanly on SIGTERM" {
	broken_build
	"$LEARN" watch 1.07 >"$BATS_TEST_TMPDIR/watch.out" 2>&1 3>&- &
	WATCHER=$!
	wait_for "$BATS_TEST_TMPDIR/watch.out" 'does not compile' 1
	echo '/* saved again */' >>"$WS/exercise.c"
	wait_for "$BATS_TEST_TMPDIR/watch.out" 'does not compile' 2
	kill -TERM "$WATCHER"
	local status=0
	wait "$WATCHER" || status=$?
	assert_equal "$status" 0
	run cat "$BATS_TEST_TMPDIR/watch.out"
	assert_equal "$(grep -cE '^==== [0-9]{2}:[0-9]{2}:[0-9]{2} =+$' <<<"$output")" 2
	assert_line 'Stopped watching.'
}

@test "watch stops cleanly on SIGINT (Ctrl-C), also in the middle of a check" {
	learn exercise 1.07 >/dev/null
	# A background job ignores SIGINT unless it is given back its default.
	env --default-signal=INT "$LEARN" watch 1.07 >"$BATS_TEST_TMPDIR/watch.out" 2>&1 3>&- &
	WATCHER=$!
	wait_for "$BATS_TEST_TMPDIR/watch.out" 'Checking 1.07' 1
	sleep 1
	# The check runs in its own session, led by the watch's child.
	local check status=0
	check=$(pgrep -P "$WATCHER" -f "check $EX") || fail "no check running under the watch"
	pgrep -s "$check" >/dev/null || fail "the check's session is empty"
	kill -INT "$WATCHER"
	wait "$WATCHER" || status=$?
	assert_equal "$status" 0
	run cat "$BATS_TEST_TMPDIR/watch.out"
	assert_line 'Stopped watching.'
	# Nothing of the check (Bats, the detectors, the program) outlives it;
	# the zombies of its dead processes may take a moment to be reaped.
	local i
	for ((i = 0; i < 50; i++)); do
		pgrep -s "$check" -r R,S,D,T,t >/dev/null || return 0
		sleep 0.1
	done
	fail "still running: $(ps -s "$check" -o pid=,stat=,args=)"
}

@test "hint gives the lesson's hints in order and remembers them, before any exercise, then says there are no more" {
	run learn hint 1.01
	assert_success
	assert_line --index 0 'Hint 1 of 3 for 1.01 lost-wakeup:'
	assert_output --partial 'The consumer looks at `items_in_box` and then goes to sleep. What can the'
	assert_output --partial 'producer do between those two steps?'
	assert_equal "$(cat "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/.zoo-state")" 'hints=1'
	[[ ! -e $ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c ]]

	run learn list
	assert_line --regexp '^  1\.01 +lost-wakeup +not started '
	learn exercise 1.01 >/dev/null

	run learn hint lost-wakeup
	assert_line --index 0 'Hint 2 of 3 for 1.01 lost-wakeup:'
	assert_output --partial '`pthread_cond_wait` releases the mutex'
	run learn hint act1-threads/01-lost-wakeup
	assert_line --index 0 'Hint 3 of 3 for 1.01 lost-wakeup:'
	assert_output --partial "Move the producer's \`zoo_lock\` above the increment"
	assert_line '(that was the last hint)'

	run learn hint 1.01
	assert_success
	assert_line --index 0 'No more hints for 1.01 lost-wakeup: you have seen all 3. Here they are again:'
	assert_line 'Hint 1 of 3'
	assert_line 'Hint 2 of 3'
	assert_line 'Hint 3 of 3'
	grep -qx 'hints=3' "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/.zoo-state"

	run learn progress
	assert_line --regexp '^1\.01 lost-wakeup +in progress +3/3$'
}

@test "solution with --force shows fixed.c and the diff from broken.c when there is no exercise" {
	run learn solution 1.01 --force
	assert_success
	assert_output --partial "The zoo's fix: act1-threads/01-lost-wakeup/fixed.c"
	assert_output --partial ' * act1-threads/01-lost-wakeup/fixed.c: a producer hands items'
	assert_output --partial 'No exercise yet, so from broken.c to fixed.c: diff -u'
	assert_line '--- act1-threads/01-lost-wakeup/broken.c'
	assert_line '+++ act1-threads/01-lost-wakeup/fixed.c'

	learn exercise 1.01 >/dev/null
	run learn solution --force 1.01
	assert_success
	assert_line '--- your exercise.c'
	assert_line --regexp $'^\\+\t\tzoo_lock\\(&mailbox_lock\\);$'
	# The diff is of the code alone: no marker, no plumbing.
	run grep -cE "FIX[(]|$ZOO_PLUMBING" < <(sed -n '/^From your exercise.c/,$p' <<<"$output")
	assert_output 0
}

@test "progress lists every exhibit with its state and hints used, and counts the solved ones" {
	mkdir -p "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup" "$ZOO_WORKSPACE/act1-threads/02-signal-before-publish"
	touch "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c" "$ZOO_WORKSPACE/act1-threads/02-signal-before-publish/exercise.c"
	printf 'hints=1\nsolved=2024-01-02T03:04:05Z\n' >"$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/.zoo-state"
	printf 'hints=2\n' >"$ZOO_WORKSPACE/act1-threads/02-signal-before-publish/.zoo-state"
	run learn progress
	assert_success
	assert_line --regexp '^exhibit +state +hints +solved$'
	assert_line --regexp '^1\.01 lost-wakeup +solved +1/3 +2024-01-02T03:04:05Z$'
	assert_line --regexp '^1\.02 signal-before-publish +in progress +2/3$'
	assert_line --regexp '^1\.03 lock-order-inversion +not started +0/3$'
	assert_equal "$(grep -cE '^[0-9]\.[0-9]{2} ' <<<"$output")" "$(exhibits | wc -l)"
	assert_line --regexp "^1 of $(exhibits | wc -l) solved "
	assert_line 'Next: harness/zoo check 1.02'
}

@test "grade runs the started exercises in one Bats run and writes its JUnit XML and TAP" {
	learn exercise 1.07 >/dev/null
	cp "$ZOO_TOP/$EX/fixed.c" "$WS/exercise.c"
	learn exercise 1.01 >/dev/null
	# A build error whose message needs escaping in XML.
	sed -i '1i #error "a < b & c"' "$ZOO_WORKSPACE/act1-threads/01-lost-wakeup/exercise.c"
	run --separate-stderr learn grade --junit "$BATS_TEST_TMPDIR/grade.xml" --tap "$BATS_TEST_TMPDIR/grade.tap"
	assert_failure 1
	assert_equal "$output" ''
	assert_equal "${stderr_lines[-1]}" "grade: 5 tests passed, 6 failed, in 2 started exercises ($(($(exhibits | wc -l) - 2)) not started)"
	[[ $stderr == *"grade: 1.02 signal-before-publish: not started, left out"* ]] || fail "stderr: $stderr"

	xmllint --noout "$BATS_TEST_TMPDIR/grade.xml"
	run cat "$BATS_TEST_TMPDIR/grade.xml"
	assert_equal "$(grep -c '<testsuite ' <<<"$output")" 2
	assert_equal "$(grep -c '<failure' <<<"$output")" 6
	assert_output --partial 'name="1.07 volatile-counter: fixed.c: ThreadSanitizer stays silent"'
	assert_output --partial 'error: #error &quot;a &lt; b &amp; c&quot;'

	run cat "$BATS_TEST_TMPDIR/grade.tap"
	assert_line --index 0 "1..11"
	assert_line --regexp '^not ok 1 1\.01 lost-wakeup: fixed\.c: hands over every item on the schedule the test forces'
	assert_line --regexp '^ok [0-9] 1\.07 volatile-counter: fixed\.c: ThreadSanitizer stays silent'
}

@test "grade with an empty workspace says so in one line" {
	run --separate-stderr learn grade
	assert_failure 2
	assert_equal "${stderr_lines[-1]}" "zoo: grade: no exercise started in $ZOO_WORKSPACE; start one with: harness/zoo exercise EX"
}

@test "every bad input gets one line on stderr, starting 'zoo: ', and a non-zero status" {
	local -a cases=(
		"2|show no-such-exhibit"
		"2|grade"
		"2|hint lost-wakep"
		"2|frobnicate"
		"2|check 1.01"
		"2|watch 1.01"
		"1|solution 1.01"
		"2|exercise 1.01 --frob"
		"2|check --all"
		"2|grade --xml"
		"2|grade --junit"
		"2|show act1-threads"
		"2|show"
		"2|exercise"
		"2|list extra"
		"2|hint 1.01 1.02"
	)
	local c want args
	for c in "${cases[@]}"; do
		want=${c%%|*}
		read -ra args <<<"${c#*|}"
		run --separate-stderr learn "${args[@]}"
		[[ $status == "$want" ]] || fail "zoo ${args[*]}: status $status, expected $want (stderr: $stderr)"
		[[ ${#stderr_lines[@]} == 1 && $stderr == "zoo: "* ]] || fail "zoo ${args[*]}: stderr is not one 'zoo: ' line: $stderr"
	done
	run --separate-stderr learn hint lost-wakep
	assert_equal "$stderr" "zoo: no exhibit or act named 'lost-wakep' (did you mean: lost-wakeup?); 'make help' and README.md list them"
	[[ ! -e $ZOO_WORKSPACE ]] || fail "a bad input wrote to the workspace"
}

@test "output has colors only on a terminal without NO_COLOR" {
	unset NO_COLOR
	run learn list
	refute_output --partial $'\e['
	run learn progress
	refute_output --partial $'\e['
	run env TERM=xterm script -qec "$LEARN list" /dev/null
	assert_output --partial $'\e['
	run env TERM=xterm NO_COLOR=1 script -qec "$LEARN list" /dev/null
	refute_output --partial $'\e['
}
