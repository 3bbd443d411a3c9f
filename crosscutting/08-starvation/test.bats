#!/usr/bin/env bats
# crosscutting/08-starvation: a one-thread event loop gives turns to a
# crawler, whose jobs keep adding jobs, and to a heartbeat. broken.c's
# crawler drains its queue in one turn; fixed.c's does a batch of 32 jobs
# and hands the loop back. The deadline (a beat at least every 64 jobs) and
# the ratio (beats per job, fixed against broken) are counted in jobs, not
# in time, so no load on the machine can change them; the time each silence
# lasted is printed beside them.

load ../../harness/zoo

# A number from the program's summary line: beats, or the longest silence in jobs.
beats() {
	sed -n 's/^[0-9]* jobs, \([0-9]*\) beats .*/\1/p' <<<"$output"
}

@test "broken.c: the heartbeat beats once in 100000 jobs and misses its deadline of one beat per 64" {
	zoo_run_expected stress broken
	assert_output --regexp '^100000 jobs, 1 beats'
	assert_output --partial 'the heartbeat missed its deadline: silent for 100000 jobs'
}

@test "fixed.c: the heartbeat is never silent for more than 64 jobs" {
	zoo_run_expected stress fixed
	assert_output --regexp 'never silent for more than [0-9]+ jobs'
}

@test "fixed.c: beats at least 64 times as often as broken.c (one run of each, the same 100000 jobs)" {
	local broken fixed
	zoo_run stress broken
	broken=$(beats)
	zoo_run_expected stress fixed
	fixed=$(beats)
	[[ -n $broken && -n $fixed ]] || fail "no beat counts: broken '${broken}', fixed '${fixed}'"
	((broken > 0)) || broken=1
	echo "# beats in 100000 jobs: broken ${broken}, fixed ${fixed}, ratio $((fixed / broken))" >&3
	((fixed >= 64 * broken)) || fail "fixed.c beat ${fixed} times, not 64 times broken.c's ${broken}"
}

@test "fixed.c: AddressSanitizer and memcheck stay silent" {
	zoo_run_expected asan fixed
	zoo_run_expected memcheck fixed
}
