#!/usr/bin/env bats
# act1-threads/05-lock-across-callback: the event bus, broken then fixed.
# The broken bus deadlocks on the first order over the limit, on every
# schedule, so its runs need no widening.

load ../../harness/zoo

@test "broken.c: the till that opens an incident waits for itself until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the tills to publish their orders'
}

@test "broken.c: Helgrind sees the bus lock re-locked from inside the callback on the BUG line" {
	zoo_run_expected helgrind broken
	assert_output --partial 'Attempt to re-lock a non-recursive lock I already hold'
	assert_output --partial 'Lock was previously acquired'
	assert_output --regexp 'by 0x[0-9A-F]+: subscribe \(broken\.c:[0-9]+\)'
}

@test "broken.c: DRD sees recursive locking of the bus lock on the BUG line" {
	zoo_run_expected drd broken
	assert_output --partial 'Recursive locking not allowed'
}

@test "broken.c: ThreadSanitizer says nothing; only the watchdog sees the self-deadlock" {
	zoo_run_expected tsan broken
	refute_output --partial 'WARNING: ThreadSanitizer'
}

@test "fixed.c: every subscriber hears every order, and the incident log only newer ones" {
	zoo_run_expected stress fixed
	assert_output --partial 'heard all 40 orders (total 22000)'
	assert_output --partial 'all after it opened'
}

@test "fixed.c: four tills publish 400000 orders on the natural schedule" {
	zoo_run_expected stress fixed ZOO_THREADS=4 ZOO_ITERS=100000
	assert_output --partial 'heard all 400000 orders'
}

@test "fixed.c: ThreadSanitizer stays silent with four tills at once" {
	zoo_run_expected tsan fixed ZOO_THREADS=4 ZOO_ITERS=2000
	assert_output --partial 'heard all 8000 orders'
}

@test "fixed.c: Helgrind stays silent with three tills" {
	zoo_run_expected helgrind fixed ZOO_THREADS=3 ZOO_ITERS=300
	assert_output --partial 'heard all 900 orders'
}

@test "fixed.c: DRD stays silent with three tills" {
	zoo_run_expected drd fixed ZOO_THREADS=3 ZOO_ITERS=300
	assert_output --partial 'heard all 900 orders'
}

@test "broken.c: every schedule hangs on the till that waits for itself" {
	zoo_run_expected explore broken
	zoo_assert_every_schedule_fails
	assert_output --regexp 'waits for bus.lock \(line [0-9]+\), held by itself'
}

@test "fixed.c: every schedule of the two tills delivers every order" {
	zoo_run_expected explore fixed
}
