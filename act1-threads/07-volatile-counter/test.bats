#!/usr/bin/env bats
# act1-threads/07-volatile-counter: workers bump one counter, a tally thread
# hands the total to main; broken with volatile, fixed with atomics.
# The broken runs keep the widened window (the default): every worker's first
# increment reads, then waits until all have read, so each run loses updates
# whatever the load. Valgrind runs use the 1000 increments a worker the
# programs' Knobs: lines give them, to stay quick.
# Helgrind and DRD cannot see the release/acquire handoff in fixed.c and
# report it (the lesson says why); the tests check they report nothing else.

load ../../harness/zoo

@test "broken.c: two workers counting 1000000 each lose updates on every run" {
	zoo_run_expected stress broken
	assert_output --regexp 'counted [0-9]+ of 2000000 increments: [1-9][0-9]* updates lost'
}

@test "broken.c: a single worker loses nothing (it takes two to lose an update)" {
	zoo_run stress broken ZOO_THREADS=1
	zoo_assert_clean
	assert_output --partial 'counted all 1000000 increments'
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

@test "fixed.c: counts all 2000000 increments with the window widened" {
	zoo_run_expected stress fixed
	assert_output --partial 'counted all 2000000 increments'
}

@test "fixed.c: four workers count all 8000000 increments on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_THREADS=4 ZOO_ITERS=2000000
	assert_output --partial 'counted all 8000000 increments'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
	assert_output --partial 'counted all 2000000 increments'
}

@test "fixed.c: Helgrind flags only the release/acquire handoff it cannot see, never the counter" {
	zoo_run_expected helgrind fixed
	refute_output --partial 'data symbol "counter"'
	refute_output --regexp 'worker \('
	assert_output --partial 'counted all 2000 increments'
}

@test "fixed.c: DRD flags only the release/acquire handoff it cannot see, never the counter" {
	zoo_run_expected drd fixed
	refute_output --regexp 'worker \('
	assert_output --partial 'counted all 2000 increments'
}
