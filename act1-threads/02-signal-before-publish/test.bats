#!/usr/bin/env bats
# act1-threads/02-signal-before-publish: the one-value slot, broken then fixed.
# The hang comes at the first value; the program's watchdog sees no progress
# for a quiet time (zoo.h) and ends the run, naming what it waited for.

load ../../harness/zoo

@test "broken.c: the consumer wakes to an empty slot and sleeps until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the consumer to take the next value'
}

@test "broken.c: ThreadSanitizer reports the unlocked publication at the BUG line" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "'slot_ready'"
}

@test "broken.c: Helgrind reports the unlocked write of the ready flag at the BUG line" {
	zoo_run_expected helgrind broken
	assert_output --partial 'Possible data race during write'
}

@test "broken.c: DRD reports the conflicting store at the BUG line" {
	zoo_run_expected drd broken
	assert_output --partial 'Conflicting store'
}

@test "fixed.c: hands over every value in order on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'took 20 of 20 values'
}

@test "fixed.c: hands over 10000 values in order on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=10000
	assert_output --partial 'took 10000 of 10000 values'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
	assert_output --partial 'took 20 of 20 values'
}

@test "fixed.c: Helgrind stays silent" {
	zoo_run_expected helgrind fixed
}

@test "fixed.c: DRD stays silent" {
	zoo_run_expected drd fixed
}

@test "broken.c: of every schedule of its steps, some hang; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'consumer waits on slot_filled'
}

@test "fixed.c: every schedule of its steps hands over both values" {
	zoo_run_expected explore fixed
}
