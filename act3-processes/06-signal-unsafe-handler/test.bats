#!/usr/bin/env bats
# act3-processes/06-signal-unsafe-handler: a status request by signal, broken
# then fixed. The monitor signals the worker only once it is inside
# log_message(), holding the log lock, and the worker stays there until the
# signal is sent, so every run lands the handler on a held lock.

load ../../harness/zoo

@test "broken.c: the handler waits for the lock its own thread holds, until the watchdog ends the run" {
	zoo_run_expected stress broken
	assert_output --partial 'waiting for the worker to log its next item'
	refute_output --partial 'item 1 done'
}

@test "broken.c: ThreadSanitizer reports a signal-unsafe call at the BUG line in the handler" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: signal-unsafe call inside of a signal'
	assert_output --partial 'on_status_request'
}

@test "fixed.c: the worker answers the request after its first item and logs them all" {
	zoo_run_expected stress fixed
	assert_output --partial 'status: 1 items done'
	assert_output --partial 'the worker logged all 4 items'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: logs 2000 items on the natural schedule, wherever the signal lands" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=2000
	assert_output --partial 'the worker logged all 2000 items'
}
