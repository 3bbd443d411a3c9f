#!/usr/bin/env bats
# act3-processes/10-layout-mismatch: a dashboard reads the record a collector
# (another program, collector.c) left in shared memory. Beside the runs,
# builds against three other layouts of stats.h (packed, fields moved, grown):
# fixed.c must not compile against any, and must refuse, at attach, the
# record of a collector built with one.

load ../../harness/zoo

# Copy PROGRAM.c (a path) into a folder of its own beside a stats.h edited
# by the sed script EDIT, and build it there as DIR/<variant>/NAME with the
# Makefile's flags: a program built against another layout of the record.
build_against() { # EDIT PROGRAM.c DIR NAME
	mkdir -p "$3/src"
	sed -e "$1" "$ZOO_ROOT/$ZOO_EXHIBIT/stats.h" >"$3/src/stats.h"
	cp "$2" "$3/src/$4.c"
	zoo_build_file "$3/src/$4.c" "$3" "$4" "$ZOO_ROOT/$ZOO_EXHIBIT"
}

# shellcheck disable=SC2016 # sed scripts: the $ is sed's last line
PACKED='1i #pragma pack(push, 1)
$a #pragma pack(pop)'
MOVED='/uint64_t samples;/{h;d};/uint64_t total_us;/G'
GROWN='/max_us;/a _Alignas(64) uint64_t histogram[8];'

@test "broken.c: the dashboard reads the collector's record as garbage, and its check sees it" {
	zoo_run_expected stress broken
	assert_output --partial 'collector: clean: the invariant held: published 1000 samples in a 128-byte record'
	assert_output --regexp 'broken: invariant violated: read [0-9]+ samples of 1000'
}

@test "fixed.c: reads back all 1000 samples the collector recorded, and sends a 9-byte frame" {
	zoo_run_expected stress fixed
	assert_output --partial 'read all 1000 samples: total 500500 us, max 1000 us'
	assert_output --partial 'sent a 9-byte frame'
}

@test "fixed.c: leaves nothing in the kernel after a run" {
	zoo_run_expected os fixed
	zoo_assert_no_ipc_left
}

@test "fixed.c: does not compile when a pragma pack is in force over stats.h, and the message says why" {
	run build_against "$PACKED" "$ZOO_FIXED_SOURCE" "$BATS_TEST_TMPDIR/packed" dashboard
	assert_failure
	assert_output --partial 'struct stats is not the layout stats.h states'
}

@test "fixed.c: does not compile against a stats.h whose fields moved within the same size" {
	run build_against "$MOVED" "$ZOO_FIXED_SOURCE" "$BATS_TEST_TMPDIR/moved" dashboard
	assert_failure
	assert_output --partial 'struct stats is not the layout stats.h states'
}

@test "fixed.c: does not compile against a stats.h whose record grew at its end" {
	run build_against "$GROWN" "$ZOO_FIXED_SOURCE" "$BATS_TEST_TMPDIR/grown" dashboard
	assert_failure
	assert_output --partial 'struct stats is not the layout stats.h states'
}

@test "fixed.c: refuses the record of a collector built with a packed layout before reading a field" {
	local peer=$BATS_TEST_TMPDIR/peer
	run build_against "$PACKED" "$ZOO_ROOT/$ZOO_EXHIBIT/collector.c" "$peer" collector
	assert_success
	ln -s "$(zoo_binary fixed)" "$peer/plain/dashboard"
	run zoo_detect stress "$peer" dashboard 3>&-
	assert_output --partial 'collector: clean: the invariant held: published 1000 samples in a 33-byte record'
	zoo_assert_status INVARIANT
	refute_output --partial 'samples of 1000'
}
