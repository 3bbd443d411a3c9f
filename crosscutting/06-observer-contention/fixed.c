/*
 * crosscutting/06-observer-contention/fixed.c: each worker files events
 * into a table of its own under the table's lock, and counts them; a
 * telemetry thread reads the counts, as often as it can, for a live dashboard.
 * Rule C3: observers are read-mostly, and time deltas with a monotonic clock.
 * Also R8: the cheapest synchronization is none: partition instead of sharing.
 * Fix: each worker counts in an atomic counter of its own, on a cache line
 *      of its own, which the observer reads with relaxed loads: the observer
 *      takes no lock the workers use, and a count it reads may be a moment
 *      old, which a dashboard never minds.
 * Expect: stress=clean tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean os=clean
 * Knobs: tsan,asan ZOO_ITERS=200000; helgrind,drd,memcheck ZOO_ITERS=4000
 */
#include "zoo.h"

#define SLOTS 64
#define ROUNDS 400
#define MAX_WORKERS 8

struct table {
	pthread_mutex_t lock; /* the worker's hot path takes it for every event */
	long slot[SLOTS];
	long found_held;      /* times the worker found the lock taken */
	long took_ns;         /* the worker's time for all its events */
};

static struct table tables[MAX_WORKERS];

struct counter {
	_Alignas(64) atomic_long events; /* FIX(R8): one writer, read without a lock */
};
_Static_assert(sizeof(struct counter) == 64, "one counter per cache line");

static struct counter counters[MAX_WORKERS];
static atomic_bool workers_done;
static long per_round;

/* A worker's own table lock; it notes each time it finds it taken. */
static void lock_table(struct table *t)
{
	int busy = pthread_mutex_trylock(&t->lock);

	if (busy == EBUSY) {
		t->found_held++;
		zoo_lock(&t->lock);
	} else {
		zoo_check(busy);
	}
}

static void *worker(void *arg)
{
	long me = (long)arg;
	struct table *t = &tables[me];
	unsigned long event = 88172645463325252UL + (unsigned long)me;
	long start;

	zoo_pin_to_cpu(2 * me); /* CPU 0 (and the dashboard CPU 1) on two CPUs */
	start = zoo_now_ns();

	for (int r = 0; r < ROUNDS; r++) {
		for (long i = 0; i < per_round; i++) {
			event ^= event << 13, event ^= event >> 7, event ^= event << 17;
			lock_table(t);
			t->slot[event % SLOTS] += (long)(event >> 32);
			zoo_unlock(&t->lock);
			atomic_store_explicit(&counters[me].events, atomic_load_explicit(&counters[me].events, memory_order_relaxed) + 1, memory_order_relaxed); /* FIX(R8): outside the lock */
		}
		zoo_progress();
	}
	t->took_ns = zoo_now_ns() - start;
	return NULL;
}

/* The dashboard: each worker's latest count, drawn again and again until they end. */
static void draw(long w, long *seen, char *line, size_t size)
{
	seen[w] = atomic_load_explicit(&counters[w].events, memory_order_relaxed); /* FIX(R8): no lock taken */
	snprintf(line, size, "worker %ld: %ld events", w, seen[w]);
}

static void *observer(void *arg)
{
	long *seen = arg;
	char line[64];

	zoo_pin_to_cpu(1);
	while (!atomic_load_explicit(&workers_done, memory_order_acquire))
		for (long w = 0; w < zoo.threads; w++)
			draw(w, seen, line, sizeof line);
	for (long w = 0; w < zoo.threads; w++)
		draw(w, seen, line, sizeof line);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "ZOO_THREADS workers each file ZOO_ITERS events under their table's lock while an observer reads the counts",
		.awaits = "the workers to file their events",
		.reads = "ZOO_ITERS ZOO_THREADS",
		/* A quiet time of 2 s: on a busy machine a preempted lock holder can stall the others that long. */
		.defaults = { .iters = 2000000, .threads = 1, .seed = 1, .timeout_s = 8, .quiet_ms = 2000 },
	};
	long seen[MAX_WORKERS] = { 0 }, slowest = 0, held = 0, filed;
	pthread_t workers[MAX_WORKERS], dashboard;

	zoo_start(argc, argv, &program);
	if (zoo.threads < 1 || zoo.threads > MAX_WORKERS)
		zoo_usage_error("ZOO_THREADS must be 1 to %d", MAX_WORKERS);
	per_round = zoo.iters / ROUNDS > 0 ? zoo.iters / ROUNDS : 1;
	filed = ROUNDS * per_round;
	for (long w = 0; w < zoo.threads; w++) {
		zoo_check(pthread_mutex_init(&tables[w].lock, NULL));
		zoo_thread_start(&workers[w], worker, (void *)w);
	}
	zoo_thread_start(&dashboard, observer, seen);
	for (long w = 0; w < zoo.threads; w++)
		zoo_thread_join(workers[w]);
	atomic_store_explicit(&workers_done, true, memory_order_release);
	zoo_thread_join(dashboard);

	for (long w = 0; w < zoo.threads; w++) {
		if (tables[w].took_ns > slowest)
			slowest = tables[w].took_ns;
		held += tables[w].found_held;
	}
	printf("each worker filed %ld events, the slowest in %ld us: %ld events per ms\n", filed, slowest / 1000,
	       filed * 1000000 / (slowest > 0 ? slowest : 1));
	for (long w = 0; w < zoo.threads; w++)
		if (seen[w] != filed)
			zoo_finish(ZOO_INVARIANT, "the observer counted %ld events of worker %ld's %ld", seen[w], w, filed);
	if (held > 0)
		zoo_finish(ZOO_INVARIANT, "the workers found their locks held by another thread %ld times in %ld x %ld events",
			   held, zoo.threads, filed);
	zoo_finish(ZOO_CLEAN, "the observer counted all %ld x %ld events; no worker ever found its lock held",
		   zoo.threads, filed);
}
