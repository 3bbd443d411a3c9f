#!/usr/bin/env bats
# crosscutting/05-control-in-data: end-of-stream records summed as data,
# broken, then kept apart by their kind. The bug does not depend on the
# schedule: every run adds each stream's last record to the total.

load ../../harness/zoo

@test "broken.c: every reading arrives, and the total is off by the three streams' lengths" {
	zoo_run_expected stress broken
	assert_output --partial '3000 readings (all of them), but the total is 154500, not 151500'
}

@test "broken.c: with 8 sensors of 5000 readings the total is off by 40000" {
	zoo_run_expected stress broken ZOO_THREADS=8 ZOO_ITERS=5000
	assert_output --partial '40000 readings (all of them), but the total is 2060000, not 2020000'
}

@test "fixed.c: 3000 readings, and the total is what the sensors sent" {
	zoo_run_expected stress fixed
	assert_output --partial '3000 readings, total 151500, as the sensors sent'
}

@test "fixed.c: 8 sensors of 5000 readings, each stream's length as its end record says" {
	zoo_run_expected stress fixed ZOO_THREADS=8 ZOO_ITERS=5000
	assert_output --partial '40000 readings, total 2020000, as the sensors sent'
}

@test "fixed.c: ThreadSanitizer, Helgrind and DRD stay silent on the queue" {
	zoo_run_expected tsan fixed
	zoo_run_expected helgrind fixed
	zoo_run_expected drd fixed
}
