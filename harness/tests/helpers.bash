# shellcheck shell=bash
# harness/tests/helpers.bash: what more than one of the harness's own test
# files needs; loaded with `load helpers`.
#
#   helpers_copy_zoo DEST EX   a copy of the zoo in DEST with only exhibit EX,
#                              its programs already built (copied with their
#                              times, so make builds nothing), for a test that
#                              must edit an exhibit without touching the real one

helpers_copy_zoo() {
	local dest=$1 ex=$2 top variant
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	mkdir -p "$dest/${ex%%/*}"
	cp -r "$top/harness" "$top/Makefile" "$dest/"
	cp -a "$top/$ex" "$dest/${ex%%/*}/"
	for variant in plain tsan asan; do
		mkdir -p "$dest/build/$variant/${ex%%/*}"
		cp -a "$top/build/$variant/$ex" "$dest/build/$variant/${ex%%/*}/"
	done
}
