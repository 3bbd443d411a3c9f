#!/usr/bin/env bats
# act1-threads/03-lock-order-inversion: two tellers, opposite transfers,
# broken then fixed. ZOO_THREADS=2 (the default) runs both tellers at once
# with the window between the two locks held open: the broken program
# deadlocks, and a detector stuck in a deadlock has nothing to report.
# ZOO_THREADS=1 runs them one after the other: nothing can hang, and
# ThreadSanitizer and Helgrind see the two lock orders and name the cycle;
# that is what both programs' Knobs: lines give those two detectors, so the
# tests that want both tellers at once under them say ZOO_THREADS=2.

load ../../harness/zoo

@test "broken.c: two opposite transfers deadlock until the watchdog ends the run" {
	zoo_run_expected stress broken
	assert_output --partial "waiting for each teller to take its second account's lock"
}

@test "broken.c: ThreadSanitizer reports a lock-order inversion on the BUG line when the tellers take turns" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock)'
	assert_output --partial 'Cycle in lock order graph'
}

@test "broken.c: Helgrind reports the violated lock order on the BUG line when the tellers take turns" {
	zoo_run_expected helgrind broken
	assert_output --regexp 'lock order "0x[0-9A-F]+ before 0x[0-9A-F]+" violated'
}

@test "broken.c: DRD, which has no lock-order check, sees only the hang" {
	zoo_run_expected drd broken
	assert_output --partial "waiting for each teller to take its second account's lock"
}

@test "fixed.c: both tellers at once finish 20 transfers with the window widened" {
	zoo_run_expected stress fixed
	assert_output --partial '20 transfers; the accounts still hold 2000 in all'
}

@test "fixed.c: both tellers at once finish 2000 transfers on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=1000
	assert_output --partial '2000 transfers; the accounts still hold 2000 in all'
}

@test "fixed.c: the tellers taking turns finish 2000 transfers" {
	zoo_run_expected stress fixed ZOO_THREADS=1 ZOO_WIDEN=0 ZOO_ITERS=1000
	assert_output --partial '2000 transfers; the accounts still hold 2000 in all'
}

@test "fixed.c: ThreadSanitizer finds one lock order when the tellers take turns" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: ThreadSanitizer stays silent with both tellers at once" {
	zoo_run_expected tsan fixed ZOO_THREADS=2
}

@test "fixed.c: Helgrind finds one lock order when the tellers take turns" {
	zoo_run_expected helgrind fixed
}

@test "fixed.c: Helgrind stays silent with both tellers at once" {
	zoo_run_expected helgrind fixed ZOO_THREADS=2
}

@test "fixed.c: DRD stays silent when the tellers take turns" {
	zoo_run_expected drd fixed ZOO_THREADS=1
}

@test "fixed.c: DRD stays silent with both tellers at once" {
	zoo_run_expected drd fixed
}
