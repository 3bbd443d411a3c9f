#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run sets $output, $stderr and $status
# harness/tests/lint.bats: zoo lint's format check (clang-format against
# .clang-format), run alone with --only format in a fresh clone of the zoo (its
# committed files: what is not committed is not tested), so a test may
# misformat an exhibit without touching the real one; and the bad options lint
# must refuse with one line. The other parts (shellcheck, the build, cppcheck)
# take a minute and run in `make lint` itself.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup_file() {
	export BATS_TEST_TIMEOUT=60
}

setup() {
	ZOO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export NO_COLOR=1 TMPDIR=$BATS_TEST_TMPDIR
	git -C "$ZOO_ROOT" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: these tests run in a clone of it"
	CLONE=$BATS_TEST_TMPDIR/zoo
	git clone -q "$ZOO_ROOT" "$CLONE"
}

lint() {
	"$CLONE/harness/zoo" lint "$@"
}

needs_clang_format() {
	# make deps installs it: missing, it is a failure, not a skip
	command -v clang-format >/dev/null || fail "clang-format is missing (apt-get install clang-format, or make deps)"
}

@test "the format check passes on the zoo as it is, and changes no file" {
	needs_clang_format
	run --separate-stderr lint --only format
	assert_success
	assert_output 'lint: clean'
	assert_equal "$(git -C "$CLONE" status --porcelain)" ''
}

@test "a line of an exhibit indented wrongly fails the format check, which names the file and line, and exits 1" {
	needs_clang_format
	local ex=act1-threads/01-lost-wakeup real
	real=$(git -C "$ZOO_ROOT" status --porcelain)
	# line 25: the producer's for loop, one tab deeper than its block
	sed -i '25s/^\t/\t\t/' "$CLONE/$ex/fixed.c"
	run --separate-stderr lint --only format
	assert_failure 1
	# clang-format names where the whitespace it would change starts, the
	# end of line 24; lint adds the line whose indentation it is
	[[ $stderr == *"$ex/fixed.c:24:"*"error: code should be clang-formatted"* ]]
	[[ $stderr == *"$ex/fixed.c:25: note: the change is in the line break before this line or its indentation"* ]]
	[[ $stderr == *"lint: format: clang-format would change the lines above"* ]]
	refute_output --partial 'lint: clean'
	# the check reads the file and leaves it as it was: only that edit shows
	assert_equal "$(git -C "$CLONE" status --porcelain)" " M $ex/fixed.c"
	# and the real zoo is untouched
	assert_equal "$(git -C "$ZOO_ROOT" status --porcelain)" "$real"
}

@test "two statements joined on one line fail the format check, though the line keeps its trailing comment" {
	needs_clang_format
	local ex=act1-threads/01-lost-wakeup
	# lines 29 and 30: items_in_box++; and the signal with its FIX comment
	sed -i '29{N;s/\n\t*/ /}' "$CLONE/$ex/fixed.c"
	run --separate-stderr lint --only format
	assert_failure 1
	[[ $stderr == *"$ex/fixed.c:29:"* ]]
}

@test "a line of a macro indented wrongly fails the format check, though the backslashes are aligned by hand" {
	needs_clang_format
	local ex=act2-coroutines/06-reservation-deadlock
	# line 28: chan_reserve() in TICKET_TAKE, one tab deeper than the do block
	sed -i '28s/^\t/\t\t/' "$CLONE/$ex/fixed.c"
	run --separate-stderr lint --only format
	assert_failure 1
	[[ $stderr == *"$ex/fixed.c:28: note: the change is in the line break before this line or its indentation"* ]]
}

@test "a missing clang-format is one line naming the package, and a failure" {
	local bin=$BATS_TEST_TMPDIR/bin
	# every command on the PATH but clang-format (one ln for them all)
	mkdir "$bin"
	ln -sf /bin/* /usr/bin/* "$bin/" 2>/dev/null || true
	rm -f "$bin"/clang-format*
	run --separate-stderr env PATH="$bin" "$CLONE/harness/zoo" lint --only format
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" 'lint: clang-format is missing (apt-get install clang-format)'
}

@test "a bad option or part gets one line and status 2" {
	local args
	for args in --frobnicate '--only nonsense' '--only act1-threads' --only act1-threads; do
		# shellcheck disable=SC2086 # each case is split into its words on purpose
		run -2 --separate-stderr lint $args
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$output" ''
		[[ $stderr == "zoo: lint"* ]]
	done
}
