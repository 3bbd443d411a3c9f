#!/usr/bin/env bats
# act3-processes/08-private-futex: a parent wakes a worker child through a
# futex word in shared memory, broken then fixed. The parent posts each job
# only once the worker sleeps in the kernel (its state in /proc), so every
# run tests the wake itself, not the worker's luck in looking first.

load ../../harness/zoo

@test "broken.c: the worker sleeps beside its posted job until the watchdog ends the run" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the worker to take every job'
}

@test "fixed.c: every wake reaches the sleeping worker, and it takes all 20 jobs" {
	zoo_run_expected stress fixed
	assert_output --partial 'the worker took all 20 jobs, summing to 210'
}

@test "fixed.c: the worker takes 100000 jobs on the natural schedule, waking and sleeping as they come" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=100000
	assert_output --partial 'the worker took all 100000 jobs, summing to 5000050000'
}
