#!/usr/bin/env bats
# crosscutting/06-observer-contention: a worker files events under its
# table's lock while a dashboard thread reads the count as fast as it can;
# broken.c's dashboard takes the worker's lock to read, fixed.c's reads a
# relaxed atomic counter of the worker's own. The lesson is the cost (a
# ratio, both programs in one test); the guard is structural: each program
# checks that the dashboard counted every event and whether the worker ever
# found its lock held by someone else, so a mutant is caught without a clock.

load ../../harness/zoo

# Microseconds the slowest worker took, from the first line of the output.
micros() {
	sed -n 's/.*the slowest in \([0-9]*\) us:.*/\1/p' <<<"$output"
}

@test "broken.c: the worker finds its own lock held by the dashboard, and says so" {
	zoo_run_expected stress broken
	assert_output --regexp 'found their locks held by another thread [1-9][0-9]* times'
}

@test "fixed.c: the dashboard counts every event and the worker never finds its lock held" {
	zoo_run_expected stress fixed
	assert_output --partial 'counted all 1 x 2000000 events; no worker ever found its lock held'
}

@test "fixed.c: with two workers, each one's count adds up exactly" {
	zoo_run_expected stress fixed ZOO_THREADS=2 ZOO_ITERS=400000
	assert_output --partial 'counted all 2 x 400000 events'
}

@test "fixed.c: ThreadSanitizer stays silent, two workers and the dashboard" {
	zoo_run_expected tsan fixed ZOO_THREADS=2
}

@test "fixed.c: files events at least 1.3x faster than broken.c while watched (5 alternating runs, median of each)" {
	(($(nproc) >= 2)) || skip "the dashboard and the worker need two CPUs to contend; this machine has $(nproc)"
	# The cost exists only while the two threads run side by side. With more
	# runnable threads than CPUs (stress-ng --cpu 2 on two CPUs, say) they
	# seldom do, and the ratio measures the scheduler: measured so, it fell to
	# 0.7x-1.2x in about half the runs. The invariant tests above still run.
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	((${load%.*} < $(nproc))) || skip "load average ${load} on $(nproc) CPUs: the two threads would seldom run side by side"
	local -a broken=() fixed=()
	local us
	# The cost exists only while both threads run at once; on a busy machine
	# one of them is sometimes off its CPU for a whole run, which makes that
	# run of broken.c look cheap and that run of fixed.c look dear. The
	# median of five alternating runs of each sets those runs aside.
	for _ in 1 2 3 4 5; do
		zoo_run stress broken ZOO_ITERS=1000000
		us=$(micros)
		[[ -n $us ]] || fail "broken.c gives no time: $output"
		broken+=("$us")
		zoo_run_expected stress fixed ZOO_ITERS=1000000
		us=$(micros)
		[[ -n $us ]] || fail "fixed.c gives no time: $output"
		fixed+=("$us")
	done
	local mb mf
	mb=$(printf '%s\n' "${broken[@]}" | sort -n | sed -n 3p)
	mf=$(printf '%s\n' "${fixed[@]}" | sort -n | sed -n 3p)
	((mf > 0)) || mf=1
	echo "# 1000000 events, median of 5: broken ${mb} us, fixed ${mf} us, ratio $((mb / mf)).$((mb * 10 / mf % 10))" >&3
	((mb * 10 >= mf * 13)) || fail "fixed.c (${mf} us) is not 1.3x faster than broken.c (${mb} us); runs: broken ${broken[*]}, fixed ${fixed[*]}"
}
