#!/usr/bin/env bats
# act3-processes/02-check-then-create: two starters and one shared board.
# Cues in a shared page hold the order the bug needs: both starters look
# before either creates, and the later initialisation comes after the
# other's post. The scheduler (explore) tries every order of the steps.

load ../../harness/zoo

@test "broken.c: both starters initialise the board, and the first one's post is wiped" {
	zoo_run_expected stress broken
	assert_output --partial '1 of 2 posts on the board; initialisations: 2'
}

@test "broken.c: the kernel holds one board and keeps nothing after the run; the loss is inside it" {
	zoo_run_expected os broken
	refute_output --partial 'os: left behind'
	zoo_assert_no_ipc_left
}

@test "broken.c: of every schedule of its steps, some lose a post; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'of 2 posts on the board'
}

@test "fixed.c: one starter initialises the board and both posts stay, on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial '2 of 2 posts on the board; initialisations: 1'
}

@test "fixed.c: both posts stay on the natural schedule, five runs in a row" {
	local i
	for ((i = 0; i < 5; i++)); do
		zoo_run_expected stress fixed ZOO_WIDEN=0
		assert_output --partial '2 of 2 posts on the board; initialisations: 1'
	done
}

@test "fixed.c: the kernel holds nothing of the run after it" {
	zoo_run_expected os fixed
	zoo_assert_no_ipc_left
}

@test "fixed.c: every schedule of its steps keeps both posts" {
	zoo_run_expected explore fixed
}
