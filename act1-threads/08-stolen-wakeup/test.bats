#!/usr/bin/env bats
# act1-threads/08-stolen-wakeup: one producer, several consumers, one mailbox;
# broken with a single look before the wait, fixed with a look after it too.
# Every access is under the mutex, so no detector has a race to report: under
# each of them the program's own check is what catches the broken consumer.
# With the window widened (the default), the producer posts each item only
# once every consumer is asleep, so one broadcast always wakes them all and
# the broken program fails at the first item, on every run.

load ../../harness/zoo

@test "broken.c: a second consumer takes from the mailbox the first just emptied" {
	zoo_run_expected stress broken
	assert_output --regexp 'consumer [0-9]+ woke up and took from an empty mailbox \(1 of 10 items taken\)'
}

@test "broken.c: ThreadSanitizer sees no race, and the program's own check still fails" {
	zoo_run_expected tsan broken
	refute_output --partial 'WARNING: ThreadSanitizer'
	assert_output --partial 'woke up and took from an empty mailbox'
}

@test "broken.c: Helgrind sees no race, and the program's own check still fails" {
	zoo_run_expected helgrind broken
	assert_output --partial 'woke up and took from an empty mailbox'
}

@test "broken.c: DRD sees no race, and the program's own check still fails" {
	zoo_run_expected drd broken
	assert_output --partial 'woke up and took from an empty mailbox'
}

@test "broken.c: refuses a single consumer" {
	zoo_run stress broken ZOO_THREADS=1
	zoo_assert_status USAGE
	assert_output --partial 'ZOO_THREADS=1: there must be two consumers or more'
}

@test "fixed.c: two consumers take all 10 items with the window widened" {
	zoo_run_expected stress fixed
	assert_output --partial '2 consumers took all 10 items, each once, in order (sum 55)'
}

@test "fixed.c: four consumers take all 10 items with the window widened" {
	zoo_run_expected stress fixed ZOO_THREADS=4
	assert_output --partial '4 consumers took all 10 items'
}

@test "fixed.c: two consumers take all 2000 items on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=2000
	assert_output --partial '2 consumers took all 2000 items, each once, in order (sum 2001000)'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
	assert_output --partial 'took all 10 items'
}

@test "fixed.c: Helgrind stays silent" {
	zoo_run_expected helgrind fixed
	assert_output --partial 'took all 10 items'
}

@test "fixed.c: DRD stays silent" {
	zoo_run_expected drd fixed
	assert_output --partial 'took all 10 items'
}

@test "broken.c: of every schedule of its steps, some break the mailbox; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --regexp 'broadcasts item_posted: wakes consumer[12]'
	assert_output --partial 'took from an empty mailbox'
}

@test "fixed.c: every schedule of its steps hands the item to exactly one consumer" {
	zoo_run_expected explore fixed
}
