#!/usr/bin/env bats
# act3-processes/04-cloexec-leak: a runner feeds a counter program through a
# pipe, broken then fixed. The counter lists the descriptors it holds, as
# /proc/self/fd shows them, before it reads: the leaked write end is there
# to see, and the counter's own watchdog ends the wait for an end of input
# that cannot come.

load ../../harness/zoo

# The number of the pipe's write end in the runner, from its first line.
write_end() {
	sed -n 's/^runner: the pipe.s read end is [0-9]*, its write end \([0-9]*\)$/\1/p' <<<"$output"
}

@test "broken.c: the counter holds the pipe's write end itself, and waits for the end of its input until its watchdog ends it" {
	zoo_run_expected stress broken
	assert_output --partial "counter: hang caught by the watchdog: no progress for"
	local fd
	fd=$(write_end)
	[[ -n $fd ]] || fail "the runner did not say which descriptor is the write end"
	assert_output --regexp "counter: descriptors beyond 0-2:.* $fd=pipe:\["
}

@test "fixed.c: the counter holds no end of the pipe beyond its standard input, and counts every line" {
	zoo_run_expected stress fixed
	assert_output --partial 'counter: clean: the invariant held: counted 100 lines to the end of the input'
	local fd
	fd=$(write_end)
	[[ -n $fd ]] || fail "the runner did not say which descriptor is the write end"
	refute_output --regexp "counter: descriptors beyond 0-2:.* $fd=pipe:\["
}

@test "fixed.c: feeds 200000 lines, far more than the pipe holds, to the end" {
	zoo_run_expected stress fixed ZOO_ITERS=200000
	assert_output --partial 'counted 200000 lines to the end of the input'
}
