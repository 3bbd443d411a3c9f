#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output and $status
# harness/tests/procs.bats: programs of several processes, on the small
# programs in fixtures/procs/ (loaded as if they were an exhibit): a hang in
# a child, a race only a child sees, a race in a program a child execs, a
# clean program sharing memory, one that leaves every kind of IPC object
# behind, and a wall clock stepped for one program (ZOO_WALL_CLOCK). Each
# test checks that no process and no IPC object of its runs is left, after a
# pass, a failure, a timeout or a Ctrl-C.

ZOO_EXHIBIT=harness/tests/fixtures/procs
bats_require_minimum_version 1.5.0
load ../zoo

setup_file() {
	zoo_setup_file
	# The checks below look for any process of these programs: one test at a time.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

# The pids of every process of the fixtures still alive (zombies aside).
procs_alive() {
	pgrep -f "$ZOO_ROOT/build/[a-z]*/$ZOO_EXHIBIT/" -r R,S,D,T,t || true
}

procs_assert_none_alive() {
	local i
	# A killed process may take a moment to be reaped.
	for ((i = 0; i < 20; i++)); do
		[[ -z $(procs_alive) ]] && return 0
		sleep 0.1
	done
	fail "still running: $(ps -o pid=,args= -p "$(procs_alive | paste -sd, -)")"
}

@test "a child that hangs is caught by the parent's watchdog, and no process of the run is left" {
	local start ms
	start=$(date +%s%N)
	zoo_run_expected stress hang
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_output --partial 'waiting for'
	echo "# the hang ended the run after $ms ms" >&3
	procs_assert_none_alive
}

@test "a race only the forked child sees is reported at its BUG line by ThreadSanitizer, Helgrind and DRD" {
	local det
	for det in tsan helgrind drd; do
		zoo_run_expected "$det" race
		assert_output --partial 'a process of this run reported'
	done
	procs_assert_none_alive
}

@test "a race in the program a child execs is reported, blamed on the BUG line of the header it includes" {
	local det
	for det in tsan helgrind drd; do
		zoo_run_expected "$det" spawn
		# spawn.c has no race and does not include racers.h: the report is the helper's.
		assert_output --partial 'helper: clean: the invariant held: two threads added 1 each'
		[[ $(zoo_report_blamed "${ZOO_LAST_SOURCES[@]}" <<<"$output") == *racers.h:* ]] ||
			fail "$det: the report cites no line of racers.h"
	done
}

@test "an attempt built for grading finds the exhibit's other programs beside it, to exec" {
	local dir=$BATS_TEST_TMPDIR/attempt
	run zoo_attempt_build "$ZOO_EXHIBIT" "$ZOO_ROOT/$ZOO_EXHIBIT/spawn.c" "$dir"
	assert_success
	[[ -L $dir/plain/helper && -L $dir/tsan/helper ]] || fail "no helper beside the attempt: $(ls "$dir"/*)"
	run zoo_detect stress "$dir" spawn 3>&-
	assert_output --partial 'helper: clean: the invariant held'
	assert_equal "$status" "$ZOO_S_CLEAN"
}

@test "processes sharing memory under a named semaphore stay clean under every detector and leave nothing" {
	local det
	for det in tsan helgrind drd asan memcheck stress os; do
		zoo_run_expected "$det" shares
	done
	zoo_assert_no_ipc_left
	procs_assert_none_alive
}

@test "every kind of IPC object a run leaves is removed when the run ends" {
	zoo_run stress leaves
	zoo_assert_clean
	zoo_assert_no_ipc_left
	# Held, the same run's objects are there for the test to see.
	zoo_ipc_hold
	zoo_run stress leaves
	zoo_assert_status CLEAN
	run zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	assert_line --regexp "^shm /${ZOO_IPC_PREFIX}"
	assert_line --regexp "^sem /${ZOO_IPC_PREFIX}"
	assert_line --regexp '^sysv-shm 0x'
	assert_line --regexp '^sysv-sem 0x'
	assert_line --regexp '^sysv-msg 0x'
	if mountpoint -q /dev/mqueue; then
		assert_line --regexp "^mqueue /${ZOO_IPC_PREFIX}"
	fi
	zoo_ipc_sweep "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	run zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	assert_output ''
}

@test "the os detector reports what the kernel still holds after a run, and the run still removes it" {
	zoo_run_expected os leaves
	assert_output --regexp 'os: left behind: shm /zoo-[0-9]+-'
	assert_output --regexp 'os: left behind: sysv-sem 0x'
	zoo_assert_no_ipc_left
}

@test "a run that outlives its timeout is ended with all its processes and objects" {
	ZOO_RUN_TIMEOUT=1 zoo_run stress shares ZOO_ITERS=1000000000 ZOO_TIMEOUT=60
	assert_equal "$status" 124
	procs_assert_none_alive
	zoo_assert_no_ipc_left
}

@test "Ctrl-C during a run ends its whole process group and removes its objects" {
	local runner
	# A terminal's Ctrl-C signals the foreground process group: the runner
	# gets its own group here, and the whole of it gets SIGINT.
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	setsid env --default-signal=INT bash -c '
		for lib in core header report verdict run; do source "$1/harness/lib/$lib.bash"; done
		export ZOO_IPC_REGISTRY=$2
		zoo_detect stress "$1/build" "$3/shares" ZOO_ITERS=1000000000 ZOO_TIMEOUT=60' \
		_ "$ZOO_ROOT" "$ZOO_IPC_REGISTRY" "$ZOO_EXHIBIT" >/dev/null 2>&1 3>&- &
	runner=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(procs_alive | wc -l) -ge 3 ]] && break
		sleep 0.1
	done
	[[ $(procs_alive | wc -l) -ge 3 ]] || fail "the parent and its children did not start"
	kill -INT -- "-$runner"
	wait "$runner" || true
	procs_assert_none_alive
	zoo_assert_no_ipc_left
}

@test "zoo_fds lists what a live process holds open" {
	run zoo_fds "$$"
	assert_line --regexp '^0 -> '
	assert_line --regexp '^2 -> '
}

@test "the scheduler follows zoo_fork's children: explore finds the order where both processes initialise, and it replays" {
	zoo_run_expected explore starters
	assert_output --regexp '#   child1 +child2'
	local list
	list=$(sched_shortest <<<"$output")
	[[ -n $list ]] || fail "no shortest schedule in: $output"
	zoo_run stress starters ZOO_SCHEDULE="$list"
	zoo_assert_status INVARIANT
	assert_output --partial '2 processes initialised the page'
	zoo_run stress starters ZOO_SCHEDULE=child2,child1
	zoo_assert_status INVARIANT
	zoo_run stress starters ZOO_SCHEDULE=default
	zoo_assert_status CLEAN
	procs_assert_none_alive
}

@test "zoo_cue_asleep is true while a thread or a child sleeps in read, and false after the window for one that spins" {
	zoo_run_expected stress sleeper
	assert_output --regexp 'the spinner was not, after [0-9]+ of 100000 us'
	zoo_run_expected stress sleeper ZOO_WIDEN=20000
	assert_output --regexp 'after [0-9]+ of 20000 us'
	procs_assert_none_alive
}

@test "ZOO_WALL_CLOCK=stepped gives a program a wall clock of its own that zoo_clock_step steps, the monotonic one untouched" {
	run zoo_detect stress "$ZOO_ROOT/build" harness/tests/fixtures/procs/clock ZOO_WALL_CLOCK=stepped
	assert_success
	assert_output --regexp 'wall -3(599|600) s, monotonic \+0 s'
	run zoo_detect stress "$ZOO_ROOT/build" harness/tests/fixtures/procs/clock
	assert_success
	assert_output --regexp 'wall \+[01] s, monotonic \+0 s'
	run -2 --separate-stderr zoo_detect stress "$ZOO_ROOT/build" harness/tests/fixtures/procs/clock ZOO_WALL_CLOCK=slow
	assert_equal "$stderr" "zoo: ZOO_WALL_CLOCK=slow: the one value is 'stepped'"
}

@test "libfaketime's semaphore and segment go with the run: under Valgrind, whose launcher makes them, and after a kill" {
	local f
	run zoo_detect memcheck "$ZOO_ROOT/build" harness/tests/fixtures/procs/clock ZOO_WALL_CLOCK=stepped
	assert_success
	ZOO_RUN_TIMEOUT=1 run zoo_detect stress "$ZOO_ROOT/build" harness/tests/fixtures/procs/hang ZOO_WALL_CLOCK=stepped ZOO_QUIET=5000
	assert_failure 124
	# Objects of a live process may be another test's; those of a dead one are left over.
	for f in /dev/shm/faketime_shm_* /dev/shm/sem.faketime_sem_*; do
		[[ -e $f ]] || continue
		kill -0 "${f##*_}" 2>/dev/null || fail "left behind: $f"
	done
}
