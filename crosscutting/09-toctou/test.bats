#!/usr/bin/env bats
# crosscutting/09-toctou: a writer (root, working for the user "nobody")
# appends to the user's report while the user swaps the report for a link to
# a secret: a symbolic link in odd rounds, a hard link in even ones. Cues let
# the user swap exactly between the writer's check and its open, every round.
# Each program works in a directory of its own that it makes under $TMPDIR
# and removes on the way out; every test points $TMPDIR into its own Bats
# directory, and one test shows the run touched nothing outside it.

load ../../harness/zoo

setup() {
	export TMPDIR=$BATS_TEST_TMPDIR
}

# Run PROG as the user nobody, the way a user would: from a directory of its own.
run_as_nobody() {
	local dir=$BATS_TEST_TMPDIR/as-nobody
	[[ $(id -u) == 0 ]] || skip "needs root to become nobody (run as a user, every test here is unprivileged already)"
	mkdir "$dir"
	cp "$(zoo_binary "$1")" "$dir/prog"
	chown nobody "$dir"
	run bash -c 'cd "$1" && TMPDIR=. timeout 12 runuser -u nobody -- ./prog' - "$dir"
	rm -f "$dir/prog"
	[[ -z $(ls -A "$dir") ]] || fail "left behind: $(ls -A "$dir")"
}

@test "broken.c: the user wins every round: the report line lands in the secret" {
	zoo_run_expected stress broken
	assert_output --partial 'the secret was written in 4 of 4 rounds, 0 refused'
}

@test "broken.c: the run writes nothing outside its own directory, and removes that" {
	echo 'a file beside the program directory' >"$TMPDIR/secret"
	local before
	before=$(sha256sum <"$TMPDIR/secret")
	zoo_run_expected stress broken
	assert_output --partial 'the secret was written in 4 of 4 rounds'
	[[ $(sha256sum <"$TMPDIR/secret") == "$before" ]] || fail "the file outside changed"
	[[ $(ls -A "$TMPDIR") == secret ]] || fail "left in \$TMPDIR: $(ls -A "$TMPDIR")"
}

@test "broken.c: run by an unprivileged user, the user still wins every round" {
	run_as_nobody broken
	zoo_assert_status INVARIANT
	assert_output --partial 'the secret was written in 4 of 4 rounds'
}

@test "broken.c: of every schedule of its steps, some write the secret; zoo explore finds one" {
	zoo_run_expected explore broken
	assert_output --partial 'the secret was written in 1 of 1 rounds'
}

@test "fixed.c: every swap is refused and the secret is left as it was" {
	zoo_run_expected stress fixed
	assert_output --partial 'the secret was written in 0 of 4 rounds, 4 refused'
}

@test "fixed.c: 100 rounds on the natural schedule leave the secret as it was" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=100
	assert_output --partial 'the secret was written in 0 of 100 rounds'
}

@test "fixed.c: run by an unprivileged user, every swap is refused" {
	run_as_nobody fixed
	zoo_assert_status CLEAN
	assert_output --partial 'the secret was written in 0 of 4 rounds, 4 refused'
}

@test "fixed.c: every schedule of its steps leaves the secret as it was" {
	zoo_run_expected explore fixed
}
