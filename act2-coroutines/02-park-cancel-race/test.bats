#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output and $status
# act2-coroutines/02-park-cancel-race: a producer thread, a coroutine that
# awaits its items, and two workers with a park and a notify of their own,
# broken then fixed. Test plumbing holds each worker in the window between
# its look at the queue and its sleep until the producer has published the
# next item and notified; the broken worker then sleeps on the item.

load ../../harness/zoo

@test "broken.c: the notify lands while both workers are about to park; they sleep beside the item until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for a worker to run the coroutine that awaits the next item'
}

@test "fixed.c: the coroutine takes all 200 items, with every notify in the window the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'took all 200 items, in order'
}

@test "fixed.c: the coroutine takes all 20000 items on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=20000
	assert_output --partial 'took all 20000 items, in order'
}

@test "fixed.c: ThreadSanitizer stays silent about the worker states and the ready queue" {
	zoo_run_expected tsan fixed
}
