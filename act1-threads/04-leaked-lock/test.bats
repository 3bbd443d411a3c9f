#!/usr/bin/env bats
# act1-threads/04-leaked-lock: the bank's handlers, broken then fixed.
# No window needs widening: deposit 4 names the closed account on every run, so
# the broken program leaks the lock on every run and hangs on every run.

load ../../harness/zoo

@test "broken.c: the handlers queue for a lock no live thread holds until the watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for every handler to finish'
}

@test "broken.c: ThreadSanitizer reports nothing; the run just hangs" {
	zoo_run_expected tsan broken
	refute_output --partial 'WARNING: ThreadSanitizer'
}

# Helgrind's report on a thread that ends holding a lock has no stack of the
# program's own (only start_thread and clone), so the Expect: line says
# report-no-line: the status and the words are what can be checked.
@test "broken.c: Helgrind reports a handler thread that exits still holding the lock" {
	zoo_run_expected helgrind broken
	assert_output --regexp 'Thread #[0-9]+: Exiting thread still holds 1 lock'
	assert_output --partial 'hang caught by the watchdog'
}

@test "broken.c: DRD reports the mutex still locked at thread exit, taken at the BUG line" {
	zoo_run_expected drd broken
	assert_output --partial 'Mutex still locked at thread exit'
	assert_output --partial 'hang caught by the watchdog'
}

@test "fixed.c: serves 16 deposits and counts all 4 refusals, 10 handlers at a time" {
	zoo_run_expected stress fixed
	assert_output --partial 'served 16 deposits and refused 4'
}

@test "fixed.c: serves 2000 deposits, 64 handlers at a time, every refusal counted" {
	zoo_run_expected stress fixed ZOO_ITERS=2000 ZOO_THREADS=64
	assert_output --partial 'served 1600 deposits and refused 400'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
	assert_output --partial 'refused 4'
}

@test "fixed.c: Helgrind stays silent" {
	zoo_run_expected helgrind fixed
	assert_output --partial 'refused 4'
}

@test "fixed.c: DRD stays silent" {
	zoo_run_expected drd fixed
	assert_output --partial 'refused 4'
}

@test "broken.c: every schedule hangs, since the leak is on a path, not in a timing" {
	zoo_run_expected explore broken
	zoo_assert_every_schedule_fails
	assert_output --partial 'held by handler'
}

@test "fixed.c: every schedule serves the deposits and ends the audit" {
	zoo_run_expected explore fixed
}
