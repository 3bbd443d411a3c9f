/*
 * crosscutting/04-memory-order-sizing/overfenced.c: a reader takes snapshots
 * of a pair that a writer keeps changing (a seqlock), first with a full fence
 * at every step of every retry, then with only the orderings each step needs,
 * in alternating timed bursts; it prints what a snapshot costs each way.
 * Rule C1: right-size memory order: name the happens-before edge each ordering buys, no more, no less.
 * Bug: the opposite of broken.c's: seq_cst fences where acquire suffices
 *      cost a full store-buffer drain (mfence on x86) on every try, and buy
 *      nothing, since the reader stores nothing that must be ordered.
 * Expect: stress=clean tsan=clean asan=clean memcheck=clean ratio=slower
 * Explore: none. Both readers are correct; what differs is only their speed.
 * Knobs: tsan,asan ZOO_ITERS=200000; helgrind,drd,memcheck ZOO_ITERS=20000
 */
#include "zoo.h"

#define BURSTS 10

struct pair {
	atomic_ulong seq; /* odd while the writer is changing the pair */
	atomic_ulong first, second; /* equal whenever seq is even */
};

static _Alignas(64) struct pair shared;
static _Alignas(64) atomic_bool done;

/* The writer: one update now and then (reads are what a seqlock is for). */
static void *writer(void *arg)
{
	unsigned long value = 0;

	(void)arg;
	zoo_pin_to_cpu(1);
	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		unsigned long seq = atomic_load_explicit(&shared.seq, memory_order_relaxed);

		atomic_store_explicit(&shared.seq, seq + 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		value++;
		atomic_store_explicit(&shared.first, value, memory_order_relaxed);
		atomic_store_explicit(&shared.second, value, memory_order_relaxed);
		atomic_store_explicit(&shared.seq, seq + 2, memory_order_release);
		for (int pause = 0; pause < 2000; pause++)
			zoo_cpu_relax();
		zoo_progress();
	}
	return NULL;
}

/* Every step fenced, "to be safe". Returns the number of retries. */
static long snapshot_fenced(unsigned long *first, unsigned long *second)
{
	unsigned long before, after;
	long retries = -1;

	do {
		retries++;
		before = atomic_load_explicit(&shared.seq, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst); /* BUG(R2): a full fence on every try */
		*first = atomic_load_explicit(&shared.first, memory_order_relaxed);
		*second = atomic_load_explicit(&shared.second, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst); /* BUG(R2): and another */
		after = atomic_load_explicit(&shared.seq, memory_order_relaxed);
	} while ((before & 1) || before != after);
	return retries;
}

/* Right-sized: the data loads stay after the first load of seq (acquire) and
 * before the second (an acquire fence); nothing else needs ordering. */
static long snapshot_sized(unsigned long *first, unsigned long *second)
{
	unsigned long before, after;
	long retries = -1;

	do {
		retries++;
		before = atomic_load_explicit(&shared.seq, memory_order_acquire);
		*first = atomic_load_explicit(&shared.first, memory_order_relaxed);
		*second = atomic_load_explicit(&shared.second, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		after = atomic_load_explicit(&shared.seq, memory_order_relaxed);
	} while ((before & 1) || before != after);
	return retries;
}

struct tally {
	const char *name;
	long fastest_ns, snapshots, retries, torn;
};

/* One burst of `count` snapshots; the fastest burst is the one least disturbed. */
static void burst(struct tally *t, bool fenced, long count)
{
	unsigned long first, second;
	long start = zoo_now_ns(), took;

	for (long i = 0; i < count; i++) {
		t->retries += fenced ? snapshot_fenced(&first, &second) : snapshot_sized(&first, &second);
		if (first != second)
			t->torn++;
	}
	took = zoo_now_ns() - start;
	if (t->fastest_ns < 0 || took < t->fastest_ns)
		t->fastest_ns = took;
	t->snapshots += count;
	zoo_progress();
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a reader takes ZOO_ITERS seqlock snapshots each way, fenced at every step and right-sized, in alternating bursts",
		.awaits = "the reader's bursts of snapshots",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 2000000, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	struct tally fenced = { "fenced", -1, 0, 0, 0 }, sized = { "right-sized", -1, 0, 0, 0 };
	long per_burst;
	pthread_t writer_thread;

	zoo_start(argc, argv, &program);
	per_burst = zoo.iters / BURSTS > 0 ? zoo.iters / BURSTS : 1;
	zoo_thread_start(&writer_thread, writer, NULL);
	zoo_pin_to_cpu(0);
	for (int b = 0; b < BURSTS; b++) {
		burst(&fenced, true, per_burst);
		burst(&sized, false, per_burst);
	}
	atomic_store_explicit(&done, true, memory_order_relaxed);
	zoo_thread_join(writer_thread);

	printf("%-12s %12s %10s %8s %14s\n", "reader", "snapshots", "retries", "torn", "fastest ns/op");
	for (struct tally *t = &fenced; t != NULL; t = t == &fenced ? &sized : NULL)
		printf("%-12s %12ld %10ld %8ld %14.1f\n", t->name, t->snapshots, t->retries, t->torn,
		       (double)t->fastest_ns / (double)per_burst);
	if (fenced.torn + sized.torn > 0)
		zoo_finish(ZOO_INVARIANT, "%ld torn snapshots accepted", fenced.torn + sized.torn);
	zoo_finish(ZOO_CLEAN, "no torn snapshot in 2 x %ld; fastest burst of %ld: fenced %ld us, right-sized %ld us",
		   fenced.snapshots, per_burst, fenced.fastest_ns / 1000, sized.fastest_ns / 1000);
}
