#!/usr/bin/env bats
# crosscutting/04-memory-order-sizing: two threads raise a flag each and look
# at the other's, 200000 trials; the programs print an outcome table. With
# release and acquire the forbidden outcome (both flags seen down) appears in
# about 2% of the trials; with seq_cst on the flags, never. overfenced.c is
# the opposite smell: a seqlock reader with a full fence on every try, timed
# against the right-sized reader in the same run.
# Only the plain build on two CPUs shows a reordering: ThreadSanitizer and
# Valgrind run the four accesses as if in one order (the matrix shows it).

load ../../harness/zoo

needs_two_cpus() {
	(($(nproc) >= 2)) || skip "a store buffer reordering needs two CPUs running side by side; this machine has $(nproc)"
}

# The table's row for an outcome: "r0=0 r1=0  <count>  <verdict>".
row() {
	grep -E "^$1 +[0-9]+ +[A-Z]+$" <<<"$output"
}

@test "broken.c: the outcome table counts the forbidden r0=0 r1=0 (both flags seen down)" {
	needs_two_cpus
	zoo_run_expected stress broken
	assert_output --regexp 'r0=0 r1=0 +[1-9][0-9]* +FORBIDDEN'
	assert_output --regexp 'forbidden outcome r0=0 r1=0 in [1-9][0-9]* of [0-9]+ trials'
	echo "# $(row 'r0=0 r1=0' | awk '{ print $3 }') of $(sed -n 's/.* of \([0-9]*\) trials.*/\1/p' <<<"$output") trials forbidden" >&3
}

@test "broken.c: the table states the forbidden outcome first, then the three allowed ones, adding up to the trials" {
	needs_two_cpus
	zoo_run stress broken ZOO_ITERS=20000
	local rows total
	rows=$(grep -E '^r0=[01] r1=[01] ' <<<"$output" | awk '{ print $1 " " $2 " " $4 }' | paste -sd,)
	[[ $rows == 'r0=0 r1=0 FORBIDDEN,r0=0 r1=1 ALLOWED,r0=1 r1=0 ALLOWED,r0=1 r1=1 ALLOWED' ]] ||
		fail "the table's rows: $rows"
	total=$(grep -E '^r0=[01] r1=[01] ' <<<"$output" | awk '{ n += $3 } END { print n }')
	assert_output --partial " of $total trials"
}

@test "fixed.c: never the forbidden outcome in 200000 trials" {
	zoo_run_expected stress fixed
	assert_output --regexp 'r0=0 r1=0 +0 +FORBIDDEN'
	assert_output --regexp 'no forbidden outcome in [0-9]+ trials'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
}

@test "overfenced.c: the right-sized seqlock reader is at least 1.3x faster than the one fenced at every try" {
	needs_two_cpus
	local fenced=999999999 sized=999999999 f s
	# Each run alternates ten bursts of each reader and reports the fastest
	# of each; three runs, the best of all.
	for _ in 1 2 3; do
		zoo_run_expected stress overfenced
		f=$(sed -n 's/.*fenced \([0-9]*\) us, right-sized [0-9]* us$/\1/p' <<<"$output")
		s=$(sed -n 's/.*right-sized \([0-9]*\) us$/\1/p' <<<"$output")
		[[ -n $f && -n $s ]] || fail "no timings in: $output"
		((f < fenced)) && fenced=$f
		((s < sized)) && sized=$s
	done
	((sized > 0)) || sized=1
	echo "# fastest bursts: fenced ${fenced} us, right-sized ${sized} us, ratio $((fenced / sized)).$((fenced * 10 / sized % 10))" >&3
	((fenced * 10 >= sized * 13)) || fail "the right-sized reader (${sized} us) is not 1.3x faster than the fenced one (${fenced} us)"
}
