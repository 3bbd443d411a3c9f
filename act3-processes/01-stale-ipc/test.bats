#!/usr/bin/env bats
# act3-processes/01-stale-ipc: a service killed mid-work, then restarted.
# Each program crashes its own first run and restarts it; the last two tests
# also kill a whole run from outside, look at what the kernel kept, and run
# again under the same IPC names.

load ../../harness/zoo

# Start PROG in the background in a process group of its own, with its first
# run held up (ZOO_WIDEN) once it is at work; when it says so, kill the whole
# group with SIGKILL, as a crash or the OOM killer would. The group's id is
# kept in `victim` until then, for teardown.
kill_a_run_at_work() {
	local prog=$1 out=$BATS_TEST_TMPDIR/killed.out pid i
	ZOO_WIDEN=3000000 setsid "$(zoo_binary "$prog")" </dev/null >"$out" 2>&1 3>&- &
	pid=$! victim=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'the first run is up' "$out" && break
		sleep 0.05
	done
	grep -q 'the first run is up' "$out" || fail "the run never got to work: $(cat "$out")"
	[[ $(ps -o pgid= -p "$pid" | tr -d ' ') == "$pid" ]] || fail "the run has no process group of its own"
	kill -KILL -- "-$pid"
	wait "$pid" || true
	victim=''
}

# A run still alive when its test ends (a failure, a Ctrl-C) goes with it;
# the file's teardown then removes what it left under the held names.
teardown() {
	[[ -z ${victim-} ]] || kill -KILL -- "-$victim" 2>/dev/null || true
}

@test "broken.c: the restart after the crash fails with File exists" {
	zoo_run_expected stress broken
	assert_output --partial 'service: shm_open: File exists'
	assert_output --partial 'the restarted service did not come up'
}

@test "broken.c: the kernel still holds the dead run's segment and semaphore after the run" {
	zoo_run_expected os broken
	assert_output --regexp 'os: left behind: shm /zoo-[0-9]+-tally'
	assert_output --regexp 'os: left behind: sysv-sem 0x'
	zoo_assert_no_ipc_left
}

@test "fixed.c: the restart after the crash does all its jobs" {
	zoo_run_expected stress fixed
	assert_output --partial 'the restarted service did 20 of 20 jobs'
}

@test "fixed.c: the kernel holds nothing of the run after it" {
	zoo_run_expected os fixed
	zoo_assert_no_ipc_left
}

@test "broken.c: killed from outside, a run leaves its objects, and the next run under the same names cannot start" {
	zoo_ipc_hold
	kill_a_run_at_work broken
	run zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	assert_line "shm /${ZOO_IPC_PREFIX}tally"
	assert_line --regexp '^sysv-sem 0x'
	zoo_run stress broken
	zoo_assert_status INVARIANT
	assert_output --partial 'service: shm_open: File exists'
	assert_output --partial 'the first run did not come up'
}

@test "fixed.c: killed from outside, a run leaves its objects, and the next run under the same names reclaims them" {
	zoo_ipc_hold
	kill_a_run_at_work fixed
	run zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	assert_line "shm /${ZOO_IPC_PREFIX}tally"
	assert_line --regexp '^sysv-sem 0x'
	zoo_run_expected stress fixed
	assert_output --partial 'the restarted service did 20 of 20 jobs'
	run zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	assert_output ''
}
