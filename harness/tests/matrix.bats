#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats' run --separate-stderr sets $stderr
# harness/tests/matrix.bats: the detector matrix (harness/zoo-matrix). Every
# run measures one quick exhibit, 1.07 volatile-counter, with a few detectors
# and writes to a temporary file, never to the real MATRIX.md. A wrong promise
# is simulated with --expect-override, which judges a cell against a value the
# Expect: line does not hold.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ZOO=$BATS_TEST_DIRNAME/../zoo-matrix
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

# The file with its timings and its date line taken out.
steady() {
	sed -E 's/ \([0-9]+\.[0-9] s\)//g; /^Measured /d' "$1"
}

@test "--help describes the matrix subcommand and its options" {
	run "$ZOO" --help
	assert_success
	assert_output --partial 'zoo matrix [OPTIONS] [EX...]'
	assert_output --partial '--expect-override EX:PROG:DET=VALUE'
	assert_output --partial 'Knobs: DETECTOR[,DETECTOR] VAR=value'
	run "$ZOO" matrix --help
	assert_success
	assert_output --partial '--output FILE'
}

@test "an exhibit that does not exist is refused in one line, with the closest names" {
	run "$ZOO" matrix --output "$OUT" volatile-countr
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^zoo: no exhibit or act named 'volatile-countr' \(did you mean: volatile-counter\?\)"
	[[ ! -e $OUT ]]
}

@test "an unknown option, detector, subcommand or override is refused in one line" {
	local bad
	for bad in "matrix --frobnicate" "matrix --detectors tsan,lint 1.07" "tabulate" \
		"matrix --expect-override 1.07:broken:tsan" "matrix --expect-override 1.07:fixed:tsan=maybe"; do
		# shellcheck disable=SC2086 # one word an argument
		run "$ZOO" $bad
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --regexp '^zoo: '
	done
}

@test "one exhibit's row shows every cell kept, with its time, and the agreement line" {
	local before=''
	[[ -f $ZOO_TOP/MATRIX.md ]] && before=$(cksum <"$ZOO_TOP/MATRIX.md")
	run --separate-stderr "$ZOO" matrix --output "$OUT" --detectors tsan,stress 1.07
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
	# The real MATRIX.md is left alone.
	[[ ! -f $ZOO_TOP/MATRIX.md || $(cksum <"$ZOO_TOP/MATRIX.md") == "$before" ]]
}

@test "the settings a cell ran with come from the Knobs: line and are listed under the table" {
	run "$ZOO" matrix --output "$OUT" --detectors helgrind 1.07
	assert_success
	# shellcheck disable=SC2016 # backquotes are Markdown here
	run grep -F -- '- 1.07 broken.c: `helgrind,drd,memcheck ZOO_ITERS=1000`' "$OUT"
	assert_success
	run "$ZOO" __knobs "$ZOO_TOP/act1-threads/03-lock-order-inversion/broken.c" tsan
	assert_success
	assert_output 'ZOO_THREADS=1'
	run "$ZOO" __knobs "$ZOO_TOP/act1-threads/03-lock-order-inversion/broken.c" drd
	assert_output 'ZOO_TIMEOUT=2'
	run "$ZOO" __knobs "$ZOO_TOP/act1-threads/01-lost-wakeup/fixed.c" stress
	assert_success
	assert_output ''
}

@test "a Knobs: line naming an unknown detector or a malformed setting is refused" {
	local src=$BATS_TEST_TMPDIR/broken.c
	printf '/*\n * x.c: y.\n * Knobs: tsan ZOO_ITERS=5; valgrind ZOO_ITERS=1\n */\n' >"$src"
	run "$ZOO" __knobs "$src" tsan
	assert_failure 2
	assert_output --regexp "^zoo: .*Knobs: unknown detector 'valgrind'"
	printf '/*\n * x.c: y.\n * Knobs: tsan ZOO_ITERS 5\n */\n' >"$src"
	run "$ZOO" __knobs "$src" tsan
	assert_failure 2
	assert_output --regexp "^zoo: .*'ZOO_ITERS' is not VAR=value"
	printf '/*\n * x.c: y.\n * Knobs: all ZOO_TIMEOUT=2; tsan ZOO_TIMEOUT=3\n */\n' >"$src"
	run "$ZOO" __knobs "$src" tsan
	assert_success
	assert_output $'ZOO_TIMEOUT=2\nZOO_TIMEOUT=3'
}

@test "a promise the run does not keep fails the matrix and is named on stderr" {
	run --separate-stderr "$ZOO" matrix --output "$OUT" --detectors tsan,stress \
		--expect-override volatile-counter:fixed:stress=hang 1.07
	assert_failure 1
	assert_output --regexp '^matrix: 4 cells, 4 promised, 1 NOT kept; wrote '
	[[ $stderr == *"zoo: $EX fixed.c stress: promised hang, measured clean"* ]] || fail "stderr: $stderr"
	run grep -cF 'promised hang, measured' <(printf '%s\n' "$stderr")
	assert_output 1
	run grep -E '\| fixed\.c \| ✓ clean \([0-9.]+ s\) \| ✗ clean \([0-9.]+ s\), promised hang \|$' "$OUT"
	assert_success
	run tail -n 1 "$OUT"
	assert_output '4 cells, 4 promised, 1 NOT kept (marked ✗).'
}

@test "a detector the Expect: line does not name gets a measured cell marked as not promised" {
	run "$ZOO" matrix --output "$OUT" --detectors asan 1.07
	assert_success
	run grep -E '\| broken\.c \| _invariant violated \([0-9.]+ s\)_ \|$' "$OUT"
	assert_success
	run tail -n 1 "$OUT"
	assert_output '2 cells, 0 promised, all kept.'
}

@test "the file has no color escapes and only timings and the date change between runs" {
	NO_COLOR='' run "$ZOO" matrix --output "$OUT" --detectors tsan,stress 1.07
	assert_success
	cp "$OUT" "$BATS_TEST_TMPDIR/first.md"
	run "$ZOO" matrix --output "$OUT" --detectors tsan,stress 1.07
	assert_success
	run grep -c $'\e' "$OUT"
	assert_output 0
	run diff <(steady "$BATS_TEST_TMPDIR/first.md") <(steady "$OUT")
	assert_success
	run grep -cE '^Measured [0-9]{4}-[0-9]{2}-[0-9]{2}, in [0-9]+ s, two runs at a time\.$' "$OUT"
	assert_output 1
	run grep -cE '^Machine: [0-9]+ CPUs; gcc .*; .*clang version .*; valgrind-' "$OUT"
	assert_output 1
}
