#!/usr/bin/env bats
# crosscutting/01-torn-read: a two-word point copied while it is written,
# broken then fixed with a seqlock. The test's cues hold the writer between
# its two stores until the reader has copied, so the broken reader copies a
# half-written point on every step; the fixed reader must throw each such
# copy away and try again.

load ../../harness/zoo

@test "broken.c: every copy made between the writer's two stores is a point off the line" {
	zoo_run_expected stress broken
	assert_output --partial 'copies off the line y = x: 2000'
}

@test "broken.c: ThreadSanitizer reports the data race on the point at the BUG lines" {
	zoo_run_expected tsan broken
	assert_output --partial 'WARNING: ThreadSanitizer: data race'
	assert_output --partial "Location is global 'position"
}

@test "broken.c: of every schedule of its steps, some copy a half-written point; zoo explore finds the shortest" {
	zoo_run_expected explore broken
	assert_output --partial 'ZOO_SCHEDULE=reader,writer'
}

@test "fixed.c: no copy is off the line on the schedule the test forces" {
	zoo_run_expected stress fixed
	assert_output --partial 'every copied point lies on y = x (2000 steps)'
}

@test "fixed.c: no copy is off the line in 200000 steps on the natural schedule" {
	zoo_run_expected stress fixed ZOO_WIDEN=0 ZOO_ITERS=200000
	assert_output --partial 'every copied point lies on y = x (200000 steps)'
}

@test "fixed.c: ThreadSanitizer stays silent" {
	zoo_run_expected tsan fixed
}

@test "fixed.c: Helgrind and DRD report the atomics they cannot read, as the Expect: line says" {
	zoo_run_expected helgrind fixed
	zoo_run_expected drd fixed
}

@test "fixed.c: every schedule of its steps keeps every copy on the line" {
	zoo_run_expected explore fixed
}
