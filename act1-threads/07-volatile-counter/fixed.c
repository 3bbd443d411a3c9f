/*
 * act1-threads/07-volatile-counter/fixed.c: ZOO_THREADS workers each add 1 to
 * a shared counter ZOO_ITERS times; a tally thread hands the total to main.
 * Rule R9: volatile is not a concurrency primitive.
 * Fix: the counter is _Atomic and each increment is one indivisible
 *      fetch-and-add (relaxed: the count is read only after the workers are
 *      joined). `total_ready` is an atomic flag set with a release store and
 *      read with an acquire load, so whoever sees it set also sees `total`.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive stress=clean
 * Knobs: tsan ZOO_ITERS=200000; helgrind,drd,memcheck ZOO_ITERS=1000
 */
#include "zoo.h"

static atomic_long counter;         /* FIX(R9): atomic, shared by every worker */
static long total;                  /* the count, handed from the tally thread to main */
static atomic_bool total_ready;     /* FIX(R9): "total is ready", release/acquire */
static struct zoo_cue at_start;     /* widener: workers that reached their loop */

static void *worker(void *arg)
{
	(void)arg;
	zoo_cue_give(&at_start);
	zoo_cue_await(&at_start, (unsigned)zoo.threads); /* widener: all workers start together */
	zoo_preempt_start(); /* widener: held off the CPU now and then, even inside counter++ */
	for (long i = 0; i < zoo.iters; i++)
		atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed); /* FIX(R9): one indivisible step */
	zoo_preempt_stop();
	return NULL;
}

static void *tally(void *arg)
{
	pthread_t *workers = arg;

	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_join(workers[t]);
	total = atomic_load_explicit(&counter, memory_order_relaxed); /* the joins ordered it */
	atomic_store_explicit(&total_ready, true, memory_order_release); /* FIX(R9): after `total` */
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
	while (!atomic_load_explicit(&total_ready, memory_order_acquire)) /* FIX(R9): then `total` */
		zoo_sleep_us(100);
	seen = total;
	zoo_thread_join(tallier);
	expected = zoo.threads * zoo.iters;
	if (seen != expected)
		zoo_finish(ZOO_INVARIANT, "counted %ld of %ld increments: %ld updates lost",
			   seen, expected, expected - seen);
	zoo_finish(ZOO_CLEAN, "counted all %ld increments (%ld threads x %ld)", seen, zoo.threads, zoo.iters);
}
