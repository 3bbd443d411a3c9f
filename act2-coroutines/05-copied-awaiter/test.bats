#!/usr/bin/env bats
# act2-coroutines/05-copied-awaiter: two consumers start each receive with a
# helper, broken then fixed. The first item sent fires a wait list entry: in
# broken.c the address of the helper's dead local, which the runtime's
# self-pointer check (coro.h, coro_wait_first) finds moved on every run.

load ../../harness/zoo

@test "broken.c: the sender fires a wait list entry whose awaiter has moved: the runtime's check stops it" {
	zoo_run_expected stress broken
	assert_output --partial 'a wait list holds an awaiter that has moved since it was registered'
}

@test "broken.c: of every order of resumes, each fires a moved awaiter; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	zoo_assert_every_schedule_fails
}

@test "broken.c: in its stack-use-after-return mode, AddressSanitizer sees the wait list written into the dead awaiter" {
	zoo_run_expected asan broken
	assert_output --partial 'ERROR: AddressSanitizer: stack-use-after-return'
}

@test "fixed.c: every item reaches a consumer exactly once" {
	zoo_run_expected stress fixed
	assert_output --partial '20 of 20 items received, each exactly once'
}

@test "fixed.c: 20000 items, each received exactly once" {
	zoo_run_expected stress fixed ZOO_ITERS=20000
	assert_output --partial '20000 of 20000 items received'
}

@test "fixed.c: AddressSanitizer and memcheck stay silent" {
	zoo_run_expected asan fixed
	zoo_run_expected memcheck fixed
}

@test "fixed.c: every order of resumes delivers each item exactly once" {
	zoo_run_expected explore fixed
}

@test "fixed.c: a copy of a started receive does not compile: its type is never defined" {
	local dir=$BATS_TEST_TMPDIR/copy
	mkdir -p "$dir/src"
	sed '/c->take = start_receive(/a\
		struct receive copy = *c->take;' "$ZOO_FIXED_SOURCE" >"$dir/src/copy.c"
	grep -q 'struct receive copy = \*c->take;' "$dir/src/copy.c" || fail "no line to put the copy after"
	run zoo_build_file "$dir/src/copy.c" "$dir" copy "$ZOO_ROOT/$ZOO_EXHIBIT"
	assert_failure
	assert_output --regexp 'invalid use of undefined type .struct receive.|incomplete type .struct receive.'
}
