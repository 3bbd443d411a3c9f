#!/usr/bin/env bats
# act3-processes/05-fork-with-held-lock: workers forked while a reporter
# thread may hold the log lock, broken then fixed. The parent forks only
# once the reporter holds the lock, and the reporter holds it until the fork
# is done (or ZOO_WIDEN has passed), so every run forks into a held lock.

load ../../harness/zoo

@test "broken.c: the first worker waits for the log lock until the parent's watchdog ends the run" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the workers to log and exit'
	refute_output --partial 'worker 1: started'
}

@test "fixed.c: every worker logs its line and exits, on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'worker 3: started'
	assert_output --partial 'all 3 workers logged and exited'
}

@test "fixed.c: 300 workers log and exit on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=300
	assert_output --partial 'all 300 workers logged and exited'
}

@test "fixed.c: ThreadSanitizer stays silent, in the parent and in every worker" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: Helgrind stays silent, in the parent and in every worker" {
	zoo_run_expected helgrind fixed
}
