#!/usr/bin/env bats
# crosscutting/03-unsafe-reclamation: a writer swaps in new versions of a
# record behind one atomic pointer while a reader copies the current one.
# Cues hold the reader between loading the pointer and reading through it
# until the writer has swapped and freed the version it loaded (broken.c),
# or until ZOO_WIDEN runs out (fixed.c, whose writer waits for the reader
# instead). The writer wipes a version before freeing it, so the plain build
# sees the bad copy too; the sanitizers and memcheck see the read itself.

load ../../harness/zoo

@test "broken.c: the reader copies a version the writer has already wiped and freed" {
	zoo_run_expected stress broken
	assert_output --partial "the reader's copy 1 fails its check"
}

@test "broken.c: AddressSanitizer reports a heap-use-after-free at the reader's BUG line" {
	zoo_run_expected asan broken
	assert_output --partial 'ERROR: AddressSanitizer: heap-use-after-free'
	assert_output --regexp 'in reader .*broken\.c'
}

@test "broken.c: ThreadSanitizer reports the read racing with the free" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: heap-use-after-free'
}

@test "broken.c: memcheck reports an invalid read inside a block already freed" {
	zoo_run_expected memcheck broken
	assert_output --partial 'Invalid read'
	assert_output --partial "free'd"
}

@test "broken.c: of every schedule of its steps, some copy a freed version; zoo explore finds one" {
	zoo_run_expected explore broken
	assert_output --partial 'fails its check'
}

@test "fixed.c: the reader copies every version whole with the writer pressing to free it" {
	zoo_run_expected stress fixed
	assert_output --partial 'the reader copied 3 versions, each whole'
}

@test "fixed.c: 100000 versions on the natural schedule, each copied whole" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=100000
	assert_output --partial 'the reader copied 100000 versions, each whole'
}

@test "fixed.c: AddressSanitizer stays silent" {
	zoo_run_expected asan fixed
}

@test "fixed.c: ThreadSanitizer stays silent: it follows the counter's release and acquire" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: every schedule of its steps copies whole versions" {
	zoo_run_expected explore fixed
}
