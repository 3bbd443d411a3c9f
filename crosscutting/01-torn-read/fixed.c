/*
 * crosscutting/01-torn-read/fixed.c: a writer moves a point along the line
 * y = x, ZOO_ITERS steps; a reader keeps copying the point to plot it.
 * Rule R2: a value wider than one atomic word needs a protocol, not luck.
 * Fix: a seqlock. The writer makes a sequence number odd before it writes
 *      and even again after; the reader keeps a copy only if the number was
 *      even and unchanged across it. The words are atomics whose release
 *      and acquire keep them between the two readings of the number, so a
 *      copy that loses the race is no data race, only a copy thrown away.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=1; helgrind,drd,memcheck ZOO_ITERS=200
 */
#include "zoo.h"

struct point {
	long x, y;
};

static struct {
	atomic_long x, y; /* FIX(R2): each word read and written whole */
} position;                /* written by the writer only */
static atomic_uint sequence; /* FIX(R2): odd while the writer writes */
static atomic_bool writer_done;
static struct zoo_cue writer_midway; /* widener: x is written, y not yet */
static struct zoo_cue reader_copied; /* widener: the reader made a copy */

static void *writer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= zoo.iters; i++) {
		unsigned seq = atomic_load_explicit(&sequence, memory_order_relaxed);
		zoo_step("makes the sequence odd");
		atomic_store_explicit(&sequence, seq + 1, memory_order_relaxed); /* FIX(R2): odd: an update begins */
		zoo_step("writes x");
		atomic_store_explicit(&position.x, i, memory_order_release); /* FIX(R2): after the odd number */
		zoo_cue_give(&writer_midway);
		zoo_cue_await_next(&reader_copied);
		zoo_step("writes y");
		atomic_store_explicit(&position.y, i, memory_order_release); /* FIX(R2): an atomic word */
		zoo_step("makes the sequence even");
		atomic_store_explicit(&sequence, seq + 2, memory_order_release); /* FIX(R2): the words, then even */
		zoo_progress();
	}
	atomic_store(&writer_done, true);
	return NULL;
}

static struct point copy_position(void)
{
	struct point copy;
	unsigned before, after;

	for (;;) {
		zoo_step("reads the sequence");
		before = atomic_load_explicit(&sequence, memory_order_acquire); /* FIX(R2): the number first */
		zoo_step("copies x");
		copy.x = atomic_load_explicit(&position.x, memory_order_acquire); /* FIX(R2): an atomic word */
		zoo_step("copies y");
		copy.y = atomic_load_explicit(&position.y, memory_order_acquire); /* FIX(R2): before the re-read */
		zoo_step("reads the sequence again");
		after = atomic_load_explicit(&sequence, memory_order_relaxed); /* FIX(R2): unchanged? */
		zoo_cue_give(&reader_copied);
		if (!(before & 1) && before == after) /* FIX(R2): no update overlapped the copy */
			return copy;
		zoo_poll("tries again once the writer has moved");
	}
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
