/*
 * act1-threads/06-false-sharing/fixed.c: two threads each count their own
 * events in their own counter, pinned to different CPUs.
 * Rule R8: the cheapest synchronization is none: partition instead of sharing.
 * Fix: each counter is aligned to its own 64-byte cache line, so each core
 *      keeps its line to itself; a static assertion stops a later edit (or a
 *      platform with another line size) from quietly packing them again.
 * Expect: stress=clean tsan=clean helgrind=clean drd=clean ratio=faster
 * Demo: stress
 */
#include "zoo.h"

#define CACHE_LINE 64

struct counter {
	_Alignas(CACHE_LINE) atomic_long value; /* FIX(R8): a cache line of its own */
};
_Static_assert(sizeof(struct counter) == CACHE_LINE, "one counter per cache line"); /* FIX(R8) */

static struct counter counters[2];

static void pin_to_cpu(long cpu)
{
	cpu_set_t set;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 2)
		return; /* one CPU: no line to ping-pong, nothing to pin */
	CPU_ZERO(&set);
	CPU_SET((int)(cpu % cpus), &set);
	zoo_check(pthread_setaffinity_np(pthread_self(), sizeof set, &set));
}

static pthread_barrier_t start_line;

static void *counter(void *arg)
{
	long me = (long)arg;

	pin_to_cpu(me);
	zoo_barrier_wait(&start_line);
	for (long i = 0; i < zoo.iters; i++)
		atomic_fetch_add_explicit(&counters[me].value, 1, memory_order_relaxed);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "two threads, pinned to two CPUs, each add ZOO_ITERS to their own counter",
		.awaits = "the two counting threads to finish",
		.defaults = { .iters = 20000000, .threads = 2, .widen_us = 0, .seed = 1, .timeout_s = 8 },
	};
	pthread_t threads[2];
	struct timespec t0, t1;
	long distance = (long)((char *)&counters[1] - (char *)&counters[0]);

	zoo_start(argc, argv, &program);
	zoo_check(pthread_barrier_init(&start_line, NULL, 3));
	for (long i = 0; i < 2; i++)
		zoo_thread_start(&threads[i], counter, (void *)i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	zoo_barrier_wait(&start_line);
	for (long i = 0; i < 2; i++)
		zoo_thread_join(threads[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
	long total = atomic_load(&counters[0].value) + atomic_load(&counters[1].value);
	if (total != 2 * zoo.iters)
		zoo_finish(ZOO_INVARIANT, "counted %ld of %ld increments", total, 2 * zoo.iters);
	zoo_finish(ZOO_CLEAN, "2 x %ld increments in %ld us; counters %ld bytes apart, %s",
		   zoo.iters, ns / 1000, distance, distance < CACHE_LINE ? "sharing one cache line" : "on separate cache lines");
}
