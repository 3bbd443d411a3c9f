#!/usr/bin/env bats
# crosscutting/07-wall-clock-delta: jobs timed with the wall clock, broken,
# then with CLOCK_MONOTONIC. The test never touches the machine's clock:
# the Knobs: line runs the program under libfaketime with a wall clock of
# its own (ZOO_WALL_CLOCK=stepped, harness/lib/run.bash), which the program's
# plumbing steps back an hour in the middle of the first job.

load ../../harness/zoo

@test "broken.c: the wall clock stepped back an hour during a job: the job took minus an hour" {
	zoo_run_expected stress broken
	assert_output --partial 'job 1 took -3599.9'
	assert_output --partial '1 of 50 job times are not between 0 and 1 s'
}

@test "broken.c: memcheck sees the same negative time, and reports nothing: no detector looks at clocks" {
	zoo_run_expected memcheck broken
	assert_output --partial 'job 1 took -3599.9'
}

@test "fixed.c: every job takes between 0 and 1 s on the monotonic clock, the wall clock stepped all the same" {
	zoo_run_expected stress fixed
	assert_output --partial 'all 50 job times are between 0 and 1 s'
}

@test "fixed.c: 500 jobs, the wall clock stepped, every time in range" {
	zoo_run_expected stress fixed ZOO_ITERS=500
	assert_output --partial 'all 500 job times are between 0 and 1 s'
}

@test "fixed.c: memcheck stays silent, the wall clock stepped" {
	zoo_run_expected memcheck fixed
}
