/*
 * act1-threads/07-volatile-counter/broken.c: ZOO_THREADS workers each add 1 to
 * a shared counter ZOO_ITERS times; a tally thread hands the total to main.
 * Rule R9: volatile is not a concurrency primitive.
 * Bug: `volatile` makes each access reach memory, but not indivisible and not
 *      ordered. counter++ is still a load and a separate store: two workers
 *      that load the same value both store value + 1, and one update is lost.
 *      The volatile `total_ready` flag orders nothing, so seeing it set does
 *      not make the `total` written before it visible.
 * Expect: tsan=report helgrind=report drd=report stress=invariant explore=missed
 * Explore: none. Its race is inside one statement: counter++ is a load, then
 *      a store, and no step can stand between them; and its flag fails by a
 *      reordering, not by an order of steps. The detectors and the
 *      preemption widener see both.
 * Knobs: tsan ZOO_ITERS=200000; helgrind,drd,memcheck ZOO_ITERS=1000
 */
#include "zoo.h"

static volatile long counter;       /* BUG(R9): volatile, shared by every worker */
static long total;                  /* the count, handed from the tally thread to main */
static volatile bool total_ready;   /* BUG(R9): "total is ready", but orders nothing */
static struct zoo_cue at_start;     /* widener: workers that reached their loop */

static void *worker(void *arg)
{
	(void)arg;
	zoo_cue_give(&at_start);
	zoo_cue_await(&at_start, (unsigned)zoo.threads); /* widener: all workers start together */
	zoo_preempt_start(); /* widener: held off the CPU now and then, even inside counter++ */
	for (long i = 0; i < zoo.iters; i++)
		counter++; /* BUG(R9): a load, then a store another worker can overwrite */
	zoo_preempt_stop();
	return NULL;
}

static void *tally(void *arg)
{
	pthread_t *workers = arg;

	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_join(workers[t]);
	total = counter;
	total_ready = true; /* BUG(R9): may become visible before `total` does */
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "counts ZOO_THREADS x ZOO_ITERS increments of one shared counter",
		.awaits = "the tally thread to say the total is ready",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.widen_us = 2000000,
		.defaults = { .iters = 10000000, .threads = 2, .seed = 1, .timeout_s = 8, .quiet_ms = 6000 }, /* counting takes seconds under load, with no progress counted */
	};
	static pthread_t workers[64];
	pthread_t tallier;
	long expected, seen;

	zoo_start(argc, argv, &program);
	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_start(&workers[t], worker, NULL);
	zoo_thread_start(&tallier, tally, workers);
	while (!total_ready) /* BUG(R9): no acquire: `total` may still be stale */
		zoo_sleep_us(100);
	seen = total;
	zoo_thread_join(tallier);
	expected = zoo.threads * zoo.iters;
	if (seen != expected)
		zoo_finish(ZOO_INVARIANT, "counted %ld of %ld increments: %ld updates lost",
			   seen, expected, expected - seen);
	zoo_finish(ZOO_CLEAN, "counted all %ld increments (%ld threads x %ld)", seen, zoo.threads, zoo.iters);
}
