#!/usr/bin/env bats
# act2-coroutines/01-resume-is-not-delivery: two consumers on a channel's
# news, broken then fixed. The single-threaded scheduler resumes ready
# coroutines in the order they became ready, so every run takes the same
# path: at the fourth message the consumer woken for it is resumed after the
# other one, which was ready first and has taken it.

load ../../harness/zoo

@test "broken.c: a woken consumer finds the message gone and consumes a freed one: the count of messages breaks" {
	zoo_run_expected stress broken
	assert_output --partial 'a message consumed twice, or one never sent'
}

@test "broken.c: AddressSanitizer reports the heap-use-after-free of the message, on the BUG line" {
	zoo_run_expected asan broken
	assert_output --partial 'ERROR: AddressSanitizer: heap-use-after-free'
	assert_output --partial 'freed by thread T0 here'
}

@test "broken.c: memcheck reports the invalid read of the freed message, on the BUG line" {
	zoo_run_expected memcheck broken
	assert_output --partial 'Invalid read of size 8'
	assert_output --partial 'free'
}

@test "broken.c: even ThreadSanitizer, with no second thread to race, reports the use of the freed message" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: heap-use-after-free'
}

@test "broken.c: with three messages, the close wakes a consumer that goes on with a freed message" {
	zoo_run_expected asan broken ZOO_ITERS=3
	assert_output --partial 'ERROR: AddressSanitizer: heap-use-after-free'
}

@test "broken.c: of every order of resumes, some consume a message twice; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'takes a message'
}

@test "fixed.c: every message is consumed exactly once, the total right" {
	zoo_run_expected stress fixed
	assert_output --partial '20 of 20 messages consumed, each exactly once, total 210'
}

@test "fixed.c: 20000 messages, each consumed exactly once" {
	zoo_run_expected stress fixed ZOO_ITERS=20000
	assert_output --partial '20000 of 20000 messages consumed'
}

@test "fixed.c: AddressSanitizer stays silent, also when the close wakes a consumer" {
	zoo_run_expected asan fixed
	zoo_run_expected asan fixed ZOO_ITERS=3
}

@test "fixed.c: memcheck stays silent" {
	zoo_run_expected memcheck fixed
}

@test "fixed.c: every order of resumes consumes each message exactly once" {
	zoo_run_expected explore fixed
}
