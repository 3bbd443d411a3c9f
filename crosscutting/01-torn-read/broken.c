/*
 * crosscutting/01-torn-read/broken.c: a writer moves a point along the line
 * y = x, ZOO_ITERS steps; a reader keeps copying the point to plot it.
 * Rule R2: a value wider than one atomic word needs a protocol, not luck.
 * Bug: the point is two words, written one after the other and copied one
 *      after the other. A copy made between the writer's two stores holds
 *      the new x and the old y: a point that was never on the line.
 * Expect: tsan=report helgrind=report drd=report asan=missed memcheck=missed stress=invariant os=invariant explore=invariant
 * Knobs: explore ZOO_ITERS=1; helgrind,drd,memcheck ZOO_ITERS=200
 */
#include "zoo.h"

struct point {
	long x, y;
};

static struct point position; /* written by the writer only */
static atomic_bool writer_done;
static struct zoo_cue writer_midway; /* widener: x is written, y not yet */
static struct zoo_cue reader_copied; /* widener: the reader made a copy */

static void *writer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= zoo.iters; i++) {
		zoo_step("writes x");
		position.x = i; /* BUG(R2): the first word of two */
		zoo_cue_give(&writer_midway);
		zoo_cue_await_next(&reader_copied);
		zoo_step("writes y");
		position.y = i; /* BUG(R2): the second word, a moment later */
		zoo_progress();
	}
	atomic_store(&writer_done, true);
	return NULL;
}

static struct point copy_position(void)
{
	struct point copy;

	zoo_step("copies x");
	copy.x = position.x; /* BUG(R2): a copy made word by word */
	zoo_step("copies y");
	copy.y = position.y; /* BUG(R2): may come from another update */
	zoo_cue_give(&reader_copied);
	return copy;
}

static void *reader(void *arg)
{
	long *off_the_line = arg;

	for (;;) {
		zoo_cue_await_next(&writer_midway);
		struct point seen = copy_position();
		if (seen.x != seen.y)
			(*off_the_line)++;
		if (atomic_load(&writer_done))
			break;
		zoo_progress();
		zoo_poll("copies again once the writer has moved");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "moves a point along y = x in ZOO_ITERS steps while a reader copies it",
		.awaits = "the writer's next step",
		.reads = "ZOO_ITERS",
		.widen_us = 20000,
		.defaults = { .iters = 2000, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	pthread_t threads[2];
	long off_the_line = 0;

	zoo_start(argc, argv, &program);
	zoo_show(position.x);
	zoo_show(position.y);
	zoo_thread_start(&threads[0], reader, &off_the_line);
	zoo_thread_start(&threads[1], writer, NULL);
	zoo_thread_join(threads[1]);
	zoo_thread_join(threads[0]);
	if (off_the_line > 0)
		zoo_finish(ZOO_INVARIANT, "copies off the line y = x: %ld", off_the_line);
	zoo_finish(ZOO_CLEAN, "every copied point lies on y = x (%ld steps)", zoo.iters);
}
