#!/usr/bin/env bats
# act3-processes/09-robust-mutex: a worker dies holding a process-shared
# mutex (it sends itself SIGKILL halfway through a transfer), and the parent
# takes over. The crash is the program's own, on the same transfer every
# run: nothing here depends on timing.

load ../../harness/zoo

@test "broken.c: the parent blocks for ever on the mutex the dead worker held, until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'parent: the worker died (status 137) after 5 transfers; taking over'
	assert_output --partial 'waiting for the transfers to finish'
}

@test "broken.c: the run's exit status is the watchdog's, a hang" {
	zoo_run_expected os broken
	zoo_assert_status HANG
}

@test "fixed.c: the parent gets the dead worker's mutex, undoes its half transfer and finishes the work" {
	zoo_run_expected stress fixed
	assert_output --partial '10 transfers, the ledger balanced at 100'
}

@test "fixed.c: the run's exit status is clean, and the kernel holds nothing of it" {
	zoo_run_expected os fixed
	zoo_assert_no_ipc_left
}

@test "mutants/skip-consistent.patch: a repair never marked consistent leaves the mutex unrecoverable, and the next lock fails with ENOTRECOVERABLE" {
	local dir=$BATS_TEST_TMPDIR/skip-consistent
	mkdir -p "$dir"
	cp "$ZOO_ROOT/$ZOO_EXHIBIT/fixed.c" "$dir/fixed.c"
	patch -s "$dir/fixed.c" <"$ZOO_ROOT/$ZOO_EXHIBIT/mutants/skip-consistent.patch"
	zoo_build_file "$dir/fixed.c" "$dir" skip-consistent "$ZOO_ROOT/$ZOO_EXHIBIT" >&2
	run zoo_detect stress "$dir" skip-consistent 3>&-
	zoo_assert_status INVARIANT
	assert_output --partial 'failed: State not recoverable'
}
