/*
 * crosscutting/10-lock-free-queue/fixed.c: ZOO_THREADS producers and as
 * many consumers pass ZOO_ITERS items each through a bounded lock-free
 * queue: a ring of cells, each with a sequence number that says whose turn
 * it is (a producer's, or a consumer's, and in which lap).
 * Rule R2: publish, then signal.
 * Also C1: right-size the memory order.
 * Fix: the producer writes the item first, then hands the cell over with
 *      a release store of its sequence; the consumer's acquire load of the
 *      sequence then makes the item visible before it reads it. Each order
 *      is the one a handover needs and no stronger: the positions are
 *      relaxed, since the sequences carry every item.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=1; helgrind,drd,memcheck ZOO_ITERS=200
 */
#include "zoo.h"

#define SLOTS 8 /* a power of two */
#define MAX_PAIRS 4

struct cell {
	atomic_size_t sequence; /* == position: free for that producer; == position + 1: full */
	long item;
};

static struct cell ring[SLOTS];
static _Alignas(64) atomic_size_t enqueue_at; /* the next position to fill */
static _Alignas(64) atomic_size_t dequeue_at; /* the next position to empty */
static _Alignas(64) atomic_long items_taken;
static struct zoo_cue cell_published; /* widener: a cell was handed over */
static struct zoo_cue item_taken;     /* widener: a consumer took one */

static bool try_enqueue(long item)
{
	size_t at = atomic_load_explicit(&enqueue_at, memory_order_relaxed);
	struct cell *cell = &ring[at % SLOTS];

	zoo_step("looks at the cell to fill");
	if (atomic_load_explicit(&cell->sequence, memory_order_acquire) != at)
		return false; /* full, or another producer got there first */
	zoo_step("claims the cell");
	if (!atomic_compare_exchange_strong_explicit(&enqueue_at, &at, at + 1, memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	zoo_step("writes the item");
	cell->item = item; /* FIX(R2): the item first */
	zoo_step("hands the cell to the consumers");
	atomic_store_explicit(&cell->sequence, at + 1, memory_order_release); /* FIX(R2): then the handover */
	zoo_cue_give(&cell_published);
	zoo_cue_await_next(&item_taken);
	return true;
}

static bool try_dequeue(long *item)
{
	size_t at = atomic_load_explicit(&dequeue_at, memory_order_relaxed);
	struct cell *cell = &ring[at % SLOTS];

	zoo_step("looks at the cell to empty");
	if (atomic_load_explicit(&cell->sequence, memory_order_acquire) != at + 1)
		return false; /* empty, or another consumer got there first */
	zoo_step("claims the cell");
	if (!atomic_compare_exchange_strong_explicit(&dequeue_at, &at, at + 1, memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	zoo_step("reads the item");
	*item = cell->item;
	zoo_cue_give(&item_taken);
	zoo_step("frees the cell for the next lap");
	atomic_store_explicit(&cell->sequence, at + SLOTS, memory_order_release);
	return true;
}

static void *producer(void *arg)
{
	long first = (long)(intptr_t)arg * zoo.iters + 1;

	for (long i = 0; i < zoo.iters; i++) {
		while (!try_enqueue(first + i)) {
			zoo_poll("tries again: the queue was full or the cell taken");
			sched_yield(); /* a full queue: let a consumer run */
		}
		zoo_progress();
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long *sum = arg, item;

	while (atomic_load(&items_taken) < zoo.iters * zoo.threads) {
		zoo_cue_await_next(&cell_published);
		if (!try_dequeue(&item)) {
			zoo_poll("tries again: the queue was empty or the cell taken");
			sched_yield();
			continue;
		}
		*sum += item;
		atomic_fetch_add(&items_taken, 1);
		zoo_progress();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "ZOO_THREADS producers and consumers pass ZOO_ITERS items each through a lock-free ring",
		.awaits = "the next item through the ring",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.widen_us = 20000,
		.defaults = { .iters = 1000, .threads = 1, .seed = 1, .timeout_s = 8 },
	};
	pthread_t producers[MAX_PAIRS], consumers[MAX_PAIRS];
	long sums[MAX_PAIRS] = { 0 }, total = 0, n;

	zoo_start(argc, argv, &program);
	if (zoo.threads < 1 || zoo.threads > MAX_PAIRS)
		zoo_finish(ZOO_USAGE, "ZOO_THREADS=%ld: between 1 and %d of each", zoo.threads, MAX_PAIRS);
	for (size_t i = 0; i < SLOTS; i++)
		atomic_init(&ring[i].sequence, i);
	zoo_show(enqueue_at);
	zoo_show(dequeue_at);
	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_start(&consumers[t], consumer, &sums[t]);
	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_start(&producers[t], producer, (void *)(intptr_t)t);
	for (long t = 0; t < zoo.threads; t++) {
		zoo_thread_join(producers[t]);
		zoo_thread_join(consumers[t]);
		total += sums[t];
	}
	n = zoo.iters * zoo.threads;
	if (total != n * (n + 1) / 2)
		zoo_finish(ZOO_INVARIANT, "items taken: %ld; they add up to %ld, not %ld", n, total, n * (n + 1) / 2);
	zoo_finish(ZOO_CLEAN, "%ld items, each taken once (they add up to %ld)", n, total);
}
