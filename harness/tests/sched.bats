#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets $output, $status, $stderr, $stderr_lines
# harness/tests/sched.bats: the scheduler (harness/zoo-sched.h) and its
# commands, zoo trace, zoo play and zoo explore, on the exhibits themselves.

load ../zoo
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	(zoo_build act1-threads) >&2
}

zoo_cmd() {
	"$ZOO_ROOT/harness/zoo" "$@"
}

# The explored exhibits: those whose broken.c promises something for explore.
explored() {
	local ex
	for ex in $(zoo_exhibits); do
		! sched_has_schedules "$ex" || echo "$ex"
	done
}

@test "every explored exhibit's shortest failing schedule, replayed by thread names, fails the same way" {
	local ex list status_explore ending
	local -a knobs
	for ex in $(explored); do
		mapfile -t knobs < <(zoo_knobs "$ZOO_ROOT/$ex/broken.c" explore)
		run zoo_detect explore "$ZOO_ROOT/build" "$ex/broken" "${knobs[@]}"
		status_explore=$status
		list=$(sched_shortest <<<"$output")
		ending=$(sed -n 's/^broken: [^:]*: [0-9]* of [0-9]* schedules fail; the shortest, [^ ]*, ends: //p' <<<"$output")
		[[ -n $list && -n $ending ]] || fail "$ex: no shortest schedule in: $output"
		run zoo_detect stress "$ZOO_ROOT/build" "$ex/broken" "${knobs[@]}" ZOO_SCHEDULE="$list"
		[[ $status == "$status_explore" ]] || fail "$ex: ZOO_SCHEDULE=$list: status $status, explore said $status_explore"
		assert_output --partial "$ending"
	done
}

@test "the explorer's verdict follows ZOO_FIXED: broken.c in the place of fixed.c fails zoo explore" {
	run env ZOO_FIXED="$ZOO_ROOT/act1-threads/01-lost-wakeup/broken.c" "$ZOO_ROOT/harness/zoo" explore 1.01
	assert_failure 1
	assert_output --partial 'not the clean that fixed.c promises'
	run zoo_cmd explore 1.01
	assert_success
	assert_output --regexp 'fixed: clean: the invariant held: all [0-9]+ schedules within 2 preemptions pass'
}

@test "zoo play, answered on stdin, drives 1.01 into its lost wakeup and says how short it could be" {
	run bash -c "printf 'consumer\nconsumer\nproducer\nproducer\n' | NO_COLOR=1 '$ZOO_ROOT/harness/zoo' play 1.01"
	assert_success
	assert_output --partial 'Who moves? 1 or 2, or a name (q quits): producer'
	assert_output --regexp 'move 2
  consumer +locks mailbox_lock \(line [0-9]+\)'
	assert_output --partial 'signals item_posted: nobody waits (line'
	assert_output --regexp 'hang: no thread can move:
 +consumer waits on item_posted \(line [0-9]+\)
 +producer waits on item_taken'
	assert_output --regexp 'Broken: broken.c is in its bug. The shortest order there takes 3 moves'
	assert_output --partial '(line 28: items_in_box++;)'
	refute_output --partial 'BUG('
	refute_output --partial $'\e['
}

@test "zoo play on coroutines: the player picks whom the scheduler resumes, and drives 2.07 into its self-deadlock" {
	(zoo_build act2-coroutines/07-lock-across-await) >&2
	run bash -c "printf 'quote\nrequest1\nrequest2\n' | NO_COLOR=1 '$ZOO_ROOT/harness/zoo' play 2.07"
	assert_success
	assert_output --regexp '1 request1 +next: starts  \[first in line\]'
	assert_output --regexp '- quote +is suspended \(line [0-9]+\) until something wakes it'
	assert_output --regexp 'request1 +locks cache.lock \(line [0-9]+\)
  request1 +suspends \(line [0-9]+\)'
	assert_output --regexp 'request2 waits for cache.lock \(line [0-9]+\), held by request1, suspended on the same thread'
	assert_output --partial 'Broken: broken.c is in its bug.'
}

@test "zoo play --schedule replays the moves without asking (names or numbers), and fixed.c cannot be driven into the bug" {
	run zoo_cmd play 1.01 fixed --force --schedule producer,2 </dev/null
	assert_success
	refute_output --partial 'Who moves?'
	assert_output --partial '-> producer (the schedule)'
	assert_output --partial '(the default order)'
	assert_output --partial 'Clean: fixed.c finished with its invariant whole'
}

@test "a player who quits stops the game in one line, with nothing left running" {
	run bash -c "printf 'q\n' | '$ZOO_ROOT/harness/zoo' play 1.03"
	assert_success
	assert_output --partial 'stopped: the player stopped after 0 moves'
	run pgrep -f "build/plain/act1-threads/03-lock-order-inversion/broken"
	assert_failure
}

@test "zoo trace ends its table at what went wrong, and traces fixed.c on the default order" {
	run zoo_cmd trace 1.08
	assert_success
	assert_output --regexp 'broadcasts item_posted: wakes consumer[12]'
	assert_output --partial 'took from an empty mailbox'
	assert_output --regexp 'consumer[12], line [0-9]+: invariant violated: consumer [12] woke up and took from an empty mailbox'
	run zoo_cmd trace 1.08 fixed --force
	assert_success
	assert_output --partial 'ZOO_SCHEDULE=default'
	assert_output --partial 'the run ends clean'
	run zoo_cmd trace --markdown 1.04
	assert_line --index 1 --regexp '^\| # \| main \| handler[0-9]* \|'
}

@test "bad input to trace, play and explore is one line and status 2" {
	local -a cases=(
		"trace 1.07"
		"explore 1.06"
		"play no-such-exhibit"
		"trace 1.01 --schedule consumer,nobody"
		"trace 1.01 --schedule consumer,main"
		"play 1.01 --schedule x"
		"explore 1.01 --preemptions 12"
		"explore 1.01 --seconds soon"
		"trace 1.01 sideways"
		"play 1.01 weird"
		"explore 1.01 fixed"
		"trace 1.01 --lesson fixed"
		"play 1.01 --step"
		"play 1.01 --schedule consumer,,producer"
	)
	local c
	local -a args
	for c in "${cases[@]}"; do
		read -ra args <<<"$c"
		run --separate-stderr zoo_cmd "${args[@]}"
		[[ $status == 2 ]] || fail "zoo $c: status $status (stderr: $stderr)"
		[[ ${#stderr_lines[@]} == 1 && $stderr == "zoo: "* ]] || fail "zoo $c: stderr is not one 'zoo: ' line: $stderr"
	done
	run --separate-stderr zoo_cmd trace 1.07
	assert_equal "$stderr" "zoo: 1.07 volatile-counter has no order of steps that shows its bug (its broken.c's Explore: line says why)"
	# fixed.c is the answer: like zoo solution, not before the exercise is solved
	for c in "play 1.01 fixed" "trace 1.02 fixed"; do
		read -ra args <<<"$c"
		run --separate-stderr env ZOO_WORKSPACE="$BATS_TEST_TMPDIR/ws" "$ZOO_ROOT/harness/zoo" "${args[@]}"
		assert_equal "$status" 1
		[[ ${#stderr_lines[@]} == 1 && $stderr == "zoo: fixed.c is the answer to "* ]] || fail "zoo $c: $stderr"
	done
}

@test "the scheduler runs on the plain build only, and a search cut by its time bound is unfinished, not clean" {
	run env ZOO_SCHEDULE=default "$ZOO_ROOT/build/tsan/act1-threads/01-lost-wakeup/fixed"
	assert_equal "$status" "$ZOO_S_USAGE"
	assert_output --partial 'runs on the plain build only'
	run env ZOO_EXPLORE=1 valgrind -q --tool=none "$ZOO_ROOT/build/plain/act1-threads/01-lost-wakeup/fixed"
	assert_equal "$status" "$ZOO_S_USAGE"
	assert_output --partial 'does not run under Valgrind'
	run env ZOO_ITERS=5 ZOO_THREADS=2 ZOO_EXPLORE=2 ZOO_BUDGET=1 "$ZOO_ROOT/build/plain/act1-threads/04-leaked-lock/fixed"
	assert_equal "$status" "$ZOO_S_UNFINISHED"
	assert_output --partial 'the time bound stopped the search'
	assert_output --partial 'no schedule failed'
}

@test "steps hide nothing: with the scheduler off, ThreadSanitizer still reports the race between 1.01's steps" {
	# A step or wrapper that synchronised (a lock, an atomic with ordering)
	# would hide this race; the exhibits' own tests check every other report.
	run zoo_detect tsan "$ZOO_ROOT/build" act1-threads/01-lost-wakeup/broken
	assert_equal "$status" "$ZOO_S_REPORT"
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "'items_in_box'"
}

@test "every exhibit is explored, or its broken.c says why not; every explored lesson's table is the one zoo trace prints" {
	local ex want
	for ex in $(zoo_exhibits); do
		if ! sched_has_schedules "$ex"; then
			[[ -n $(zoo_header_field Explore "$ZOO_ROOT/$ex/broken.c") ]] ||
				fail "$ex: broken.c neither promises explore nor says why not (Explore:)"
			[[ -z $(zoo_expect "$ZOO_ROOT/$ex/fixed.c" explore) ]] || fail "$ex: only fixed.c is explored"
			continue
		fi
		[[ -n $(zoo_expect "$ZOO_ROOT/$ex/fixed.c" explore) ]] || fail "$ex: fixed.c promises nothing for explore"
		want=$(sched_lesson_table "$ex")
		[[ $(sched_lesson_block "$ZOO_ROOT/$ex/README.md") == "$want" ]] ||
			fail "$ex/README.md: its interleaving table is not what the program does now; run: harness/zoo trace --lesson $(zoo_number "$ex")"
	done
}

@test "a poll moves only after another thread has: its search ends, and a poll nothing can end is a hang found at once" {
	local poller=harness/tests/fixtures/procs/poller
	(zoo_build harness/tests/fixtures/procs) >&2
	run zoo_detect explore "$ZOO_ROOT/build" "$poller"
	assert_equal "$status" "$ZOO_S_CLEAN"
	assert_output --partial 'the only schedule within 2 preemptions passes'
	run zoo_detect explore "$ZOO_ROOT/build" "$poller" ZOO_THREADS=1
	assert_equal "$status" "$ZOO_S_HANG"
	assert_output --regexp 'waiter polls: looks at the flag again \(line [0-9]+\), and nothing has moved since it last looked'
	# Off the scheduler the same program is a hang for the watchdog: polling is not progress.
	run zoo_detect stress "$ZOO_ROOT/build" "$poller" ZOO_THREADS=1
	assert_equal "$status" "$ZOO_S_HANG"
	assert_output --partial 'no progress for'
}

@test "a thread keeps its number all game, also when the one before it cannot move" {
	# At move 3 teller2 waits for teller3's account: 3 must still be teller3.
	run bash -c "printf '3\n2\n3\nq\n' | NO_COLOR=1 '$ZOO_ROOT/harness/zoo' play 1.03"
	assert_success
	assert_output --partial 'Who moves? 1 or 3, or a name (q quits): 3'
	assert_output --regexp 'move 4
  teller3 +locks accounts\[0\]\.mutex \(line [0-9]+\)'
}

@test "playing a learner's own file shows that file's lines, and each step at the statement it names" {
	local ws=$BATS_TEST_TMPDIR/ws file line text
	ZOO_WORKSPACE=$ws "$ZOO_ROOT/harness/zoo" exercise 1.01 >/dev/null
	file=$ws/act1-threads/01-lost-wakeup/exercise.c
	# The natural fix: the producer takes the mutex before it posts.
	awk '/^\t\titems_in_box\+\+;$/ && !done { print "\t\tzoo_lock(&mailbox_lock);"; print; done = 1; next }
		done == 1 && /^\t\tzoo_lock\(&mailbox_lock\);$/ { done = 2; next } { print }' "$file" >"$file.new"
	mv "$file.new" "$file"
	run env ZOO_FIXED="$file" "$ZOO_ROOT/harness/zoo" play 1.01 fixed --schedule producer </dev/null
	assert_success
	assert_output --partial "1.01 lost-wakeup, $file: you are the scheduler."
	# every "(line N: text)" the screens show is line N of the learner's file
	while IFS=$'\t' read -r line text; do
		[[ $(sed -n "${line}p" "$file" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//') == "$text" ]] ||
			fail "the screen shows line $line as '$text'; exercise.c has: $(sed -n "${line}p" "$file")"
	done < <(sed -nE 's/.*\(line ([0-9]+): (.*)\).*/\1\t\2/p' <<<"$output" | sed 's/)  \[moved last\]$//')
	line=$(grep -n 'items_in_box++;' "$file" | head -n 1 | cut -d: -f1)
	assert_output --regexp "producer +locks mailbox_lock \(line $((line - 1))\)
  producer +puts an item in the box \(line $line\)"
}
