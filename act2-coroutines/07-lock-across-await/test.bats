#!/usr/bin/env bats
# act2-coroutines/07-lock-across-await: the price cache, broken then fixed.
# Every run is one thread and the scheduler's first-come order, so the
# broken program blocks on the second request on every run, with no window.

load ../../harness/zoo

@test "broken.c: the second request locks the mutex the first one holds while it awaits, and the thread blocks" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the requests to be served'
}

@test "broken.c: Helgrind sees the thread re-lock the cache's mutex it already holds, at the BUG line" {
	zoo_run_expected helgrind broken
	assert_output --partial 'Attempt to re-lock a non-recursive lock I already hold'
}

@test "broken.c: DRD sees recursive locking of the cache's mutex" {
	zoo_run_expected drd broken
	assert_output --partial 'Recursive locking not allowed'
}

@test "broken.c: every order of resumes blocks: the lock's holder is suspended on the same thread" {
	zoo_run_expected explore broken
	zoo_assert_every_schedule_fails
	assert_output --regexp 'request2 waits for cache.lock \(line [0-9]+\), held by request1, suspended on the same thread'
}

@test "fixed.c: every request is served at the right price, 8 and 64 of them" {
	zoo_run_expected stress fixed
	assert_output --partial 'all 8 requests served at the right price'
	zoo_run_expected stress fixed ZOO_ITERS=64
	assert_output --partial 'all 64 requests served'
}

@test "fixed.c: Helgrind and DRD stay silent" {
	zoo_run_expected helgrind fixed
	zoo_run_expected drd fixed
}

@test "fixed.c: every order of resumes of three requests and the quote service serves them all" {
	zoo_run_expected explore fixed
	assert_output --regexp 'all [0-9]+ schedules within 2 preemptions pass'
}
