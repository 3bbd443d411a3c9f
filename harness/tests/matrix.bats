#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run --separate-stderr sets $stderr
# harness/tests/matrix.bats: the detector matrix (harness/cmd/matrix). Every
# run measures one quick exhibit, 1.07 volatile-counter, with a few detectors
# and writes to a temporary file, never to the real MATRIX.md. A wrong promise
# is made in a copy of the zoo whose fixed.c promises what it does not do.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

ZOO=$BATS_TEST_DIRNAME/../zoo
ZOO_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
EX=act1-threads/07-volatile-counter

setup_file() {
	export BATS_TEST_TIMEOUT=60
	make -s --no-print-directory -C "$ZOO_TOP" build/{plain,tsan,asan}/$EX/{broken,fixed} >&2
}

setup() {
	export ZOO_WORKSPACE=$BATS_TEST_TMPDIR/workspace
	OUT=$BATS_TEST_TMPDIR/MATRIX.md
}

@test "--help describes the matrix subcommand and its options" {
	run "$ZOO" matrix --help
	assert_success
	assert_output --partial 'zoo matrix [--output FILE] [--detectors LIST] [EX...]'
	assert_output --partial '--detectors LIST'
}

@test "a wrong exhibit, option or detector is refused in one line, and no file is written" {
	local bad
	run "$ZOO" matrix --output "$OUT" volatile-countr
	assert_failure 2
	assert_output --regexp "^zoo: no exhibit or act named 'volatile-countr' \(did you mean: volatile-counter\?\)"
	for bad in "matrix --frobnicate" "matrix --detectors tsan,lint 1.07" "matrix --output /no/such/dir/M.md 1.07"; do
		# shellcheck disable=SC2086 # one word an argument
		run "$ZOO" $bad
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --regexp '^zoo: '
	done
	[[ ! -e $OUT ]]
}

@test "one exhibit's rows show every cell kept, with its time, the agreement line, and no color" {
	local before=''
	[[ -f $ZOO_TOP/MATRIX.md ]] && before=$(cksum <"$ZOO_TOP/MATRIX.md")
	NO_COLOR='' run --separate-stderr "$ZOO" matrix --output "$OUT" --detectors tsan,stress 1.07
	assert_success
	assert_output --regexp '^matrix: 4 cells, 4 promised, all kept; wrote .*MATRIX.md in [0-9]+ s$'
	[[ $stderr == *"matrix: [1/1] $EX: 4 cells, 4 promised, all kept"* ]] || fail "no progress line in: $stderr"
	run grep -E '^\| 1\.07 \[volatile-counter\]\(act1-threads/07-volatile-counter/\) \| broken\.c \| ✓ report at BUG line \([0-9]+\.[0-9] s\) \| ✓ invariant violated \([0-9]+\.[0-9] s\) \|$' "$OUT"
	assert_success
	run grep -E '^\| 1\.07 .* \| fixed\.c \| ✓ clean \([0-9.]+ s\) \| ✓ clean \([0-9.]+ s\) \|$' "$OUT"
	assert_success
	run grep -cE '^\| exhibit \| program \| tsan \| stress \|$' "$OUT"
	assert_output 1
	run tail -n 1 "$OUT"
	assert_output '4 cells, 4 promised, all kept.'
	run grep -c $'\e' "$OUT"
	assert_output 0
	run grep -cE '^Measured [0-9]{4}-[0-9]{2}-[0-9]{2}, in [0-9]+ s, two runs at a time\.$' "$OUT"
	assert_output 1
	# The real MATRIX.md is left alone.
	[[ ! -f $ZOO_TOP/MATRIX.md || $(cksum <"$ZOO_TOP/MATRIX.md") == "$before" ]]
}

@test "the settings a cell ran with come from the Knobs: line and are listed under the table" {
	run "$ZOO" matrix --output "$OUT" --detectors helgrind 1.07
	assert_success
	# shellcheck disable=SC2016 # backquotes are Markdown here
	run grep -F -- '- 1.07 broken.c: `tsan ZOO_ITERS=200000; helgrind,drd,memcheck ZOO_ITERS=1000`' "$OUT"
	assert_success
}

@test "a promise the run does not keep fails the matrix and is named on stderr" {
	# A copy of the zoo with one exhibit whose fixed.c promises a hang.
	local copy=$BATS_TEST_TMPDIR/zoo
	helpers_copy_zoo "$copy" "$EX"
	sed -i 's/^\( \* Expect: .*\)stress=clean/\1stress=hang/' "$copy/$EX/fixed.c"
	touch -r "$ZOO_TOP/$EX/fixed.c" "$copy/$EX/fixed.c"
	run --separate-stderr "$copy/harness/zoo" matrix --output "$OUT" --detectors stress 1.07
	assert_failure 1
	assert_output --regexp '^matrix: 2 cells, 2 promised, 1 NOT kept; wrote '
	[[ $stderr == *"zoo: $EX fixed.c stress: promised hang, measured clean"* ]] || fail "stderr: $stderr"
	run grep -E '\| fixed\.c \| ✗ clean \([0-9.]+ s\), promised hang \|$' "$OUT"
	assert_success
	run tail -n 1 "$OUT"
	assert_output '2 cells, 2 promised, 1 NOT kept.'
}

@test "a detector the Expect: line does not name gets a measured cell marked as not promised" {
	run "$ZOO" matrix --output "$OUT" --detectors asan 1.07
	assert_success
	run grep -E '\| broken\.c \| _invariant violated \([0-9.]+ s\)_ \|$' "$OUT"
	assert_success
	run tail -n 1 "$OUT"
	assert_output '2 cells, 0 promised, all kept.'
}

@test "a detector blind to a bug is promised as missed, and the cell says so" {
	run "$ZOO" matrix --output "$OUT" --detectors explore 1.07
	assert_success
	run grep -E '\| broken\.c \| ✓ missed: clean \([0-9.]+ s\) \|$' "$OUT"
	assert_success
}
