#!/usr/bin/env bats
# crosscutting/10-lock-free-queue: the capstone, a bounded lock-free ring
# whose producer hands a cell over before it fills it, broken then fixed.
# The test's cues hold the producer between the handover and the write
# until a consumer has read the cell, so the broken consumer reads every
# cell before its item is there.

load ../../harness/zoo

@test "broken.c: every consumer reads a cell handed over before its item was written: the items do not add up" {
	zoo_run_expected stress broken
	assert_output --partial 'items taken: 1000; they add up to'
}

@test "broken.c: ThreadSanitizer reports the race on the cell's item at the BUG line" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "Location is global 'ring'"
}

@test "broken.c: of every schedule of its steps, some read an empty cell; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'ZOO_SCHEDULE=producer,producer,producer,consumer'
}

@test "fixed.c: every item arrives once on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial '1000 items, each taken once (they add up to 500500)'
}

@test "fixed.c: 4 producers and 4 consumers pass 8000 items on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_THREADS=4 ZOO_ITERS=2000
	assert_output --partial '8000 items, each taken once (they add up to 32004000)'
}

@test "fixed.c: ThreadSanitizer stays silent, one pair forced and two pairs on the natural schedule" {
	zoo_run_expected tsan fixed
	zoo_run_expected tsan fixed ZOO_WIDEN=0 ZOO_THREADS=2 ZOO_ITERS=5000
}

@test "fixed.c: Helgrind and DRD report the atomics they cannot read, as the Expect: line says" {
	zoo_run_expected helgrind fixed
	zoo_run_expected drd fixed
}

@test "fixed.c: every schedule of its steps hands the item over whole" {
	zoo_run_expected explore fixed
}
