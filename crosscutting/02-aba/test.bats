#!/usr/bin/env bats
# crosscutting/02-aba: a pool of four nodes kept as a lock-free stack of
# indices; a filler borrows one node a round, a copier two. broken.c swaps
# the top on its index alone, fixed.c on the index and a count of pops.
# Cues hold the filler inside its pop, after it has read the top and the node
# under it, until the copier has popped both and pushed the first back: the
# top's index is the one the filler read, on every run. The program's own
# walk of the stack at the end (each node once, no cycle, none borrowed) and
# its check in pop (no node handed to two workers) are the detector; the
# stack lives in a static pool, so ASan and memcheck have nothing to see.

load ../../harness/zoo

@test "broken.c: after the forced schedule the stack has lost a node or grown a cycle" {
	zoo_run_expected stress broken
	assert_output --regexp 'the stack has a cycle|is lost|which worker [12] holds'
}

@test "broken.c: AddressSanitizer sees nothing wrong, while the program's own check fails" {
	zoo_run_expected asan broken
	refute_output --partial 'ERROR: AddressSanitizer'
	assert_output --regexp 'the stack has a cycle|is lost|which worker [12] holds'
}

@test "broken.c: of every schedule of its steps, some lose a node; zoo explore finds one" {
	zoo_run_expected explore broken
	assert_output --partial 'nodes on the stack'
}

@test "fixed.c: every node is back on the stack, once, after the forced schedule" {
	zoo_run_expected stress fixed
	assert_output --partial '20 rounds: all 4 nodes back on the stack, each once'
}

@test "fixed.c: 200000 rounds on the natural schedule lose no node" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=200000
	assert_output --partial '200000 rounds: all 4 nodes back on the stack, each once'
}

@test "fixed.c: AddressSanitizer stays silent and every node comes back" {
	zoo_run_expected asan fixed
	assert_output --partial 'all 4 nodes back on the stack'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: every schedule of its steps keeps the stack whole" {
	zoo_run_expected explore fixed
}
