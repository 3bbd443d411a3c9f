#!/usr/bin/env bats
# act1-threads/07-volatile-counter: workers bump one counter, a tally thread
# hands the total to main; broken with volatile, fixed with atomics.
# The workers wait for each other before they start (the widened window, the
# default), and each makes 10000000 increments: long enough that they always
# overlap, even on a loaded machine, and lose updates. ThreadSanitizer runs use
# the 200000 a worker and Valgrind runs the 1000 that the programs' Knobs: lines
# give them, to stay quick: they see the race without any update being lost.
# Helgrind and DRD cannot see the release/acquire handoff in fixed.c and
# report it (the lesson says why); the tests check they report nothing else.

load ../../harness/zoo

@test "broken.c: two workers counting 10000000 each lose updates on every run" {
	zoo_run_expected stress broken
	assert_output --regexp 'counted [0-9]+ of 20000000 increments: [1-9][0-9]* updates lost'
}

@test "broken.c: a single worker loses nothing (it takes two to lose an update)" {
	zoo_run stress broken ZOO_THREADS=1
	zoo_assert_clean
	assert_output --partial 'counted all 10000000 increments'
}

@test "broken.c: ThreadSanitizer reports the data race on the counter at a BUG line" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "Location is global 'counter'"
}

@test "broken.c: ThreadSanitizer reports the volatile flag hands over the total unordered" {
	zoo_run_expected tsan broken
	assert_output --partial "Location is global 'total_ready'"
	assert_output --partial "Location is global 'total'"
}

@test "broken.c: Helgrind reports the race on the counter at a BUG line" {
	zoo_run_expected helgrind broken
	assert_output --partial 'Possible data race'
	assert_output --partial 'data symbol "counter"'
}

@test "broken.c: DRD reports the conflicting store to the counter at a BUG line" {
	zoo_run_expected drd broken
	assert_output --partial 'Conflicting store'
	assert_output --regexp 'worker \(broken\.c:[0-9]+\)'
}

@test "fixed.c: counts all 20000000 increments with the workers started together" {
	zoo_run_expected stress fixed
	assert_output --partial 'counted all 20000000 increments'
}

@test "fixed.c: four workers count all 8000000 increments on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_THREADS=4 ZOO_ITERS=2000000
	assert_output --partial 'counted all 8000000 increments'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
	assert_output --partial 'counted all 400000 increments'
}

@test "fixed.c: Helgrind reports nothing about the counter (its blind spot for C11 atomics aside)" {
	zoo_run_expected helgrind fixed
	refute_output --partial 'data symbol "counter"'
	refute_output --regexp 'worker \('
	assert_output --partial 'counted all 2000 increments'
}

@test "fixed.c: DRD reports nothing about the counter (its blind spot for C11 atomics aside)" {
	zoo_run_expected drd fixed
	refute_output --regexp 'worker \('
	assert_output --partial 'counted all 2000 increments'
}

@test "broken.c: every order of its steps counts right: the scheduler is blind to a race inside one statement" {
	zoo_run_expected explore broken ZOO_ITERS=1000
	assert_output --partial 'the only schedule within 2 preemptions passes'
}
