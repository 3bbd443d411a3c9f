#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output and $status
# act2-coroutines/06-reservation-deadlock: two producers, one consumer and a
# queue of two slots on the single-threaded scheduler, broken then fixed.
# When nothing is ready and coroutines are still suspended, coro_run says
# so at once: the program ends with a hang, naming who waits for what.

load ../../harness/zoo

@test "broken.c: each producer holds one of the two slots and waits for the other; the consumer has nothing to take" {
	zoo_run_expected stress broken
	assert_output --partial 'the queue holds 0 parts and 2 reserved slots'
	assert_output --partial 'producer 1 waits for a slot, holding 1'
	assert_output --partial 'producer 2 waits for a slot, holding 1'
	assert_output --partial 'the consumer waits for a part'
}

@test "broken.c: of every order of resumes, some wedge the pipeline; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'reserved slots'
}

@test "fixed.c: the consumer takes all 400 parts, each producer's in order, and no slot stays reserved" {
	zoo_run_expected stress fixed
	assert_output --partial 'took all 400 parts'
}

@test "fixed.c: in every order of resumes, two messages from each producer, every part arrives" {
	zoo_run_expected explore fixed
	assert_output --regexp 'all [0-9]+ schedules within 2 preemptions pass'
}
