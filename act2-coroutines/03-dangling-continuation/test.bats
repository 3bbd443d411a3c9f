#!/usr/bin/env bats
# act2-coroutines/03-dangling-continuation: requests cancelled at a deadline
# while their lookups wait, broken then fixed. The single-threaded scheduler
# resumes ready coroutines in the order they became ready, so every run
# takes the same path: the deadline passes after two answers of four, and
# the third answer wakes the lookup of a request it has just cancelled.

load ../../harness/zoo

@test "broken.c: the late answer comes back to a request cancelled at the deadline" {
	zoo_run_expected stress broken
	assert_output --partial 'an answer came back to request 3 after its deadline'
}

@test "broken.c: AddressSanitizer reports the lookup's write into the freed request, freed on the BUG line" {
	zoo_run_expected asan broken
	assert_output --partial 'ERROR: AddressSanitizer: heap-use-after-free'
	assert_output --partial 'WRITE of size 8'
	assert_output --regexp 'in cancel .*broken.c:'
}

@test "broken.c: memcheck reports the invalid write into a block the deadline freed on the BUG line" {
	zoo_run_expected memcheck broken
	assert_output --partial 'Invalid write of size 8'
	assert_output --regexp 'by .*: cancel \(broken.c:[0-9]+\)'
}

@test "broken.c: ThreadSanitizer, with no second thread to race, reports the use of the freed frame" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: heap-use-after-free'
}

@test "broken.c: of every order of resumes, some answer a cancelled request; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'cancels a request past its deadline'
}

@test "fixed.c: the requests past the deadline are cancelled and never heard of again" {
	zoo_run_expected stress fixed
	assert_output --partial '2 requests answered, 2 cancelled at the deadline'
}

@test "fixed.c: 1000 requests, most of them cancelled while their lookups wait" {
	zoo_run_expected stress fixed ZOO_ITERS=1000
	assert_output --regexp '[0-9]+ requests answered, 9[0-9][0-9] cancelled'
}

@test "fixed.c: AddressSanitizer stays silent" {
	zoo_run_expected asan fixed
}

@test "fixed.c: memcheck stays silent: every cancelled request's lookup is freed with it" {
	zoo_run_expected memcheck fixed
}

@test "fixed.c: every order of resumes keeps the cancelled requests unanswered" {
	zoo_run_expected explore fixed
}
