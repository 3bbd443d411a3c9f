#!/usr/bin/env bats
# act3-processes/07-eintr: a copier child asked for its progress while it
# waits in read(), broken then fixed. The feeder signals only once the copier
# sleeps in the kernel (its state in /proc), so every run interrupts the read.

load ../../harness/zoo

@test "broken.c: the copier stops at the signal, and half the bytes are lost" {
	zoo_run_expected stress broken
	assert_output --partial 'copier: read: Interrupted system call'
	assert_output --partial 'of 32768 bytes to send, the pipe took 16384 and the copier copied 16384'
}

@test "fixed.c: the copier answers the signal and copies every byte" {
	zoo_run_expected stress fixed
	assert_output --partial 'copier: 20480 bytes so far'
	assert_output --partial 'the copier copied all 32768 bytes'
}

@test "fixed.c: copies 8 MB on the natural schedule, however the signal lands" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=2000
	assert_output --partial 'the copier copied all 8192000 bytes'
}
