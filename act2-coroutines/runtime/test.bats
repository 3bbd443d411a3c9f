#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output and $status
# act2-coroutines/runtime/test.bats: the act's runtime (coro.h) on its own,
# before any exhibit breaks it: the channel (channel.c), the trampoline and
# destroy (chain.c), the M:N scheduler (pool.c), each clean under every
# detector that can follow coroutines, and the single-threaded scheduler's
# choice of whom it resumes, as zoo trace, play and explore see it.

load ../../harness/zoo

@test "channel.c: items sent, committed after a reservation, and sent after a release all arrive exactly once" {
	zoo_run_expected stress channel
	assert_output --partial 'all 6000 items arrived once each'
}

@test "channel.c: clean under ThreadSanitizer, AddressSanitizer and memcheck" {
	local det
	for det in tsan asan memcheck; do
		zoo_run_expected "$det" channel
	done
}

@test "chain.c: a chain of 1,000,000 awaits runs in the same stack as a chain of 10" {
	local shallow deep
	zoo_run_expected stress chain ZOO_ITERS=10
	shallow=$(sed -n 's/.* deep in \([0-9]*\) bytes of stack.*/\1/p' <<<"$output")
	zoo_run_expected stress chain
	deep=$(sed -n 's/.* deep in \([0-9]*\) bytes of stack.*/\1/p' <<<"$output")
	assert_output --partial '1000000 awaits deep'
	[[ -n $shallow && $shallow == "$deep" ]] || fail "10 deep: ${shallow:-?} bytes; 1000000 deep: ${deep:-?} bytes"
	echo "# stack used by the chain at any depth: $deep bytes (plain build)" >&3
}

@test "chain.c: the deep chain needs no more stack than ulimit -s 256 gives" {
	run bash -c 'ulimit -s 256 && exec "$1"' _ "$ZOO_ROOT/build/plain/$ZOO_EXHIBIT/chain"
	zoo_assert_status CLEAN
}

@test "chain.c: destroying a suspended or a woken chain frees every frame, and nothing resumes it, under ASan, memcheck and TSan" {
	local det
	for det in asan memcheck tsan; do
		zoo_run_expected "$det" chain
		assert_output --partial 'suspended chains destroyed'
	done
}

@test "pool.c: 16 ping-pong pairs on 1, 2 and 4 workers: every count comes back, and the workers stop" {
	local workers
	for workers in 1 2 4; do
		zoo_run_expected stress pool ZOO_THREADS="$workers"
		assert_output --partial "on $workers workers"
	done
}

@test "pool.c: the M:N scheduler is clean under ThreadSanitizer, AddressSanitizer and memcheck" {
	local det
	for det in tsan asan memcheck; do
		zoo_run_expected "$det" pool
	done
}

@test "the scheduler's trace has a column for each coroutine, and each resume is a row" {
	run zoo_detect stress "$ZOO_ROOT/build" "$ZOO_EXHIBIT/channel" ZOO_ITERS=1 ZOO_THREADS=1 \
		ZOO_SCHEDULE=default ZOO_TRACE=text
	zoo_assert_status CLEAN
	assert_line --regexp '^ +# +producer +consumer1 +consumer2 +consumer3$'
	assert_output --partial 'is resumed (line'
}

@test "ZOO_SCHEDULE picks which coroutine is resumed: consumer3 first, then the default order" {
	run zoo_detect stress "$ZOO_ROOT/build" "$ZOO_EXHIBIT/channel" ZOO_ITERS=1 ZOO_THREADS=1 \
		ZOO_SCHEDULE=consumer3 ZOO_TRACE=text
	zoo_assert_status CLEAN
	# the first move is consumer3's: its row stands in consumer3's column
	local header first
	header=$(grep -m1 -E '^ +# ' <<<"$output")
	first=$(grep -m1 -E '^ +1 ' <<<"$output")
	header=${header%%consumer3*} first=${first%%starts*}
	[[ ${#header} == "${#first}" ]] || fail "the first move is not consumer3's: $(grep -m1 -E '^ +1 ' <<<"$output")"
}

@test "a coroutine that cannot be resumed is bad usage in ZOO_SCHEDULE, said in one line" {
	run zoo_detect stress "$ZOO_ROOT/build" "$ZOO_EXHIBIT/channel" ZOO_ITERS=1 ZOO_THREADS=1 \
		ZOO_SCHEDULE=consumer1,consumer1,consumer1,consumer1
	zoo_assert_status USAGE
	assert_output --partial 'consumer1 cannot move here'
}

@test "zoo explore: every order of resumes of two producers and three consumers keeps the channel's invariant" {
	zoo_run_expected explore channel
	assert_output --regexp 'explored [0-9]+ schedules'
}
