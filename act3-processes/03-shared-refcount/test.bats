#!/usr/bin/env bats
# act3-processes/03-shared-refcount: a parent, the reader it forks, and one
# reference-counted block of shared memory between them. Cues in the block
# hold the order: the reader reads half, the parent lets go, the reader
# reads the rest. No detector sees this (the block is not heap, and the two
# parties are processes): the program's own checks do.

load ../../harness/zoo

@test "broken.c: the reader finds the block poisoned mid-read, and its release finds the count at 0" {
	zoo_run_expected stress broken
	assert_output --partial 'reader: the block says "####'
	assert_output --partial 'reader: released the block, and its count was 0'
	assert_output --partial 'the count is -1'
}

@test "broken.c: the count goes below 0 on every schedule of its steps" {
	zoo_run_expected explore broken
	zoo_assert_every_schedule_fails
	assert_output --partial 'the count is -1'
}

@test "fixed.c: the reader reads the whole message, and the block is reclaimed once, on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'the reader read the whole message; the count is 0, reclaims: 1'
}

@test "fixed.c: the same on the natural schedule, five runs in a row" {
	local i
	for ((i = 0; i < 5; i++)); do
		zoo_run_expected stress fixed ZOO_WIDEN=0
		assert_output --partial 'the count is 0, reclaims: 1'
	done
}

@test "fixed.c: every schedule of its steps reclaims the block once, after the last reader" {
	zoo_run_expected explore fixed
}
