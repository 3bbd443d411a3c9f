#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output and $status
# act2-coroutines/04-recursive-resume: a chain of awaits, 100,000 deep, on a
# thread of 256 KiB of stack in a child process, broken then fixed. The
# parent reads how the child ended: a death by SIGSEGV breaks its
# invariant; under AddressSanitizer the child's report decides the run.

load ../../harness/zoo

@test "broken.c: the chain of 100,000 awaits dies of SIGSEGV on its way back up, its sum never made" {
	zoo_run_expected stress broken
	assert_output --partial 'the chain of 100000 awaits ended with 0, and its process with status 139 (SIGSEGV)'
}

@test "broken.c: AddressSanitizer reports the stack overflow, in a stack of resumes through the BUG line" {
	zoo_run_expected asan broken
	assert_output --partial 'ERROR: AddressSanitizer: stack-overflow'
}

@test "fixed.c: 1,000,000 awaits deep use the same bytes of stack as 10 awaits deep" {
	local shallow deep
	zoo_run_expected stress fixed ZOO_ITERS=10
	shallow=$(sed -n 's/.* deep in \([0-9]*\) bytes of stack.*/\1/p' <<<"$output")
	zoo_run_expected stress fixed ZOO_ITERS=1000000
	deep=$(sed -n 's/.* deep in \([0-9]*\) bytes of stack.*/\1/p' <<<"$output")
	assert_output --partial '1000000 awaits deep'
	[[ -n $shallow && $shallow == "$deep" ]] || fail "10 deep: ${shallow:-?} bytes; 1000000 deep: ${deep:-?} bytes"
	echo "# stack used by the chain at any depth: $deep bytes (plain build)" >&3
}

@test "fixed.c: the chain of 100,000 awaits comes back whole, and AddressSanitizer stays silent" {
	zoo_run_expected asan fixed
	assert_output --partial '100000 awaits deep'
}
