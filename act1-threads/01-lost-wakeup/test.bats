#!/usr/bin/env bats
# act1-threads/01-lost-wakeup: the mailbox handover, broken then fixed.
# The hang comes at the first item; the program's watchdog sees no progress
# for a quiet time (zoo.h) and ends the run, naming what it waited for.

load ../../harness/zoo

@test "broken.c: the consumer sleeps beside a posted item until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the consumer to take the next item'
}

@test "broken.c: ThreadSanitizer reports the data race on the mailbox at the BUG line" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "'items_in_box'"
}

@test "broken.c: Helgrind reports the unlocked write to the mailbox at the BUG line" {
	zoo_run_expected helgrind broken
	assert_output --partial 'Possible data race during write'
}

@test "broken.c: DRD reports the conflicting store at the BUG line" {
	zoo_run_expected drd broken
	assert_output --partial 'Conflicting store'
}

@test "fixed.c: hands over every item on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'took 20 of 20 items'
}

@test "fixed.c: hands over 2000 items on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=2000
	assert_output --partial 'took 2000 of 2000 items'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: Helgrind stays silent" {
	zoo_run_expected helgrind fixed
}

@test "fixed.c: DRD stays silent" {
	zoo_run_expected drd fixed
}

@test "broken.c: of every schedule of its steps, some hang; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'signals item_posted: nobody waits'
}

@test "fixed.c: every schedule of its steps hands over both items" {
	zoo_run_expected explore fixed
}
