#!/usr/bin/env bats
# act1-threads/03-lock-order-inversion: three tellers around a ring of
# accounts, broken then fixed. ZOO_THREADS=3 (the default) runs all three at
# once with the window between the two locks held open: the broken program
# deadlocks, and a detector stuck in a deadlock has nothing to report.
# ZOO_THREADS=1 runs them one after the other: nothing can hang, and
# ThreadSanitizer and Helgrind see the three lock orders and name the cycle;
# that is what both programs' Knobs: lines give those two detectors, so the
# tests that want all tellers at once under them say ZOO_THREADS=3.

load ../../harness/zoo

@test "broken.c: the three transfers deadlock until the watchdog ends the run" {
	zoo_run_expected stress broken
	assert_output --partial "waiting for the tellers to finish their transfers"
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
	assert_output --partial "waiting for the tellers to finish their transfers"
}

@test "fixed.c: all tellers at once finish 30 transfers on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial '30 transfers; the accounts still hold 3000 in all'
}

@test "fixed.c: all tellers at once finish 3000 transfers on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=1000
	assert_output --partial '3000 transfers; the accounts still hold 3000 in all'
}

@test "fixed.c: the tellers taking turns finish 3000 transfers" {
	zoo_run_expected stress fixed ZOO_THREADS=1 ZOO_WIDEN=0 ZOO_ITERS=1000
	assert_output --partial '3000 transfers; the accounts still hold 3000 in all'
}

@test "fixed.c: ThreadSanitizer stays silent when the tellers take turns" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: ThreadSanitizer stays silent with all tellers at once" {
	zoo_run_expected tsan fixed ZOO_THREADS=3
}

@test "fixed.c: Helgrind stays silent when the tellers take turns" {
	zoo_run_expected helgrind fixed
}

@test "fixed.c: Helgrind stays silent with all tellers at once" {
	zoo_run_expected helgrind fixed ZOO_THREADS=3
}

@test "fixed.c: DRD stays silent when the tellers take turns" {
	zoo_run_expected drd fixed ZOO_THREADS=1
}

@test "fixed.c: DRD stays silent with all tellers at once" {
	zoo_run_expected drd fixed
}

@test "broken.c: of every schedule of the three tellers, some deadlock in a ring; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --regexp 'teller1 waits for accounts\[1\]\.mutex \(line [0-9]+\), held by teller2.*teller2 waits for accounts\[2\]\.mutex \(line [0-9]+\), held by teller3.*teller3 waits for accounts\[0\]\.mutex \(line [0-9]+\), held by teller1'
}

@test "fixed.c: every schedule of the three tellers ends with the money whole" {
	zoo_run_expected explore fixed
}
