/*
 * crosscutting/02-aba/fixed.c: a filler and a copier borrow buffers from a
 * fixed pool kept as a lock-free stack of indices, and give them back.
 * Rule R6: reclaim only when no one is looking.
 * Fix: the top of the stack is one 64-bit word, the index in its low half
 *      and a count of pops in its high half; every pop counts one more, and
 *      the compare-and-swap compares both. A node popped and pushed back
 *      returns to the top with another count, so a swap planned on the old
 *      top fails and pop() reads the stack again.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=1
 */
#include "zoo.h"

#define POOL_SIZE 4
#define NONE UINT32_MAX /* the index of no node: the end of the stack */

struct node {
	_Atomic uint32_t next; /* the node under this one, while it is on the stack */
	atomic_int holder;     /* who has borrowed it: a worker's id, 0 while on the stack */
};

struct worker {
	int id;                    /* 1 or 2, as in node.holder */
	const char *name;
	long rounds;               /* rounds begun */
	struct zoo_cue read_top;   /* widener: given once pop() has read the top and its next */
	struct zoo_cue took;       /* widener: given once pop() has taken a node */
	struct zoo_cue gave_back;  /* widener: given once the copier gave its first buffer back */
};

static struct node pool[POOL_SIZE];
static _Atomic uint64_t head = 0; /* FIX(R6): the top's index, and above it a count of pops */
static struct worker workers[2] = { { .id = 1, .name = "filler" }, { .id = 2, .name = "copier" } };

/* Take the top node off the stack; the caller holds it until push(). */
static uint32_t pop(struct worker *self)
{
	for (;;) {
		zoo_step("reads the top of the stack");
		uint64_t seen = atomic_load_explicit(&head, memory_order_acquire);
		uint32_t top = (uint32_t)seen;

		if (top == NONE)
			zoo_finish(ZOO_INVARIANT, "the %s found the stack empty", self->name);
		zoo_step("reads the node under the top");
		uint32_t next = atomic_load_explicit(&pool[top].next, memory_order_relaxed);
		uint64_t swung = ((seen >> 32) + 1) << 32 | next; /* FIX(R6): one pop more */
		zoo_cue_give(&self->read_top);
		zoo_cue_await(self->id == 1 ? &workers[1].gave_back : &workers[0].read_top, (unsigned)self->rounds); /* widener: the filler waits for the copier, the copier for the filler */
		zoo_step("swings the top to the node under it");
		if (atomic_compare_exchange_strong_explicit(&head, &seen, swung, /* FIX(R6): index and count */
							    memory_order_acq_rel, memory_order_relaxed)) {
			int had = atomic_exchange_explicit(&pool[top].holder, self->id, memory_order_relaxed);

			if (had != 0)
				zoo_finish(ZOO_INVARIANT, "the %s took node %" PRIu32 ", which worker %d holds",
					   self->name, top, had);
			zoo_cue_give(&self->took);
			return top;
		}
	}
}

/* Put a node the caller holds back on top of the stack. */
static void push(uint32_t node)
{
	uint64_t seen = atomic_load_explicit(&head, memory_order_relaxed);

	atomic_store_explicit(&pool[node].holder, 0, memory_order_relaxed);
	do {
		atomic_store_explicit(&pool[node].next, (uint32_t)seen, memory_order_relaxed);
		zoo_step("puts a node back on top");
	} while (!atomic_compare_exchange_weak_explicit(&head, &seen, (seen & ~(uint64_t)UINT32_MAX) | node,
							memory_order_release,
							memory_order_relaxed));
}

static void *filler(void *arg)
{
	struct worker *self = arg;

	for (self->rounds = 1; self->rounds <= zoo.iters; self->rounds++)
		push(pop(self));
	return NULL;
}

static void *copier(void *arg)
{
	struct worker *self = arg;

	for (self->rounds = 1; self->rounds <= zoo.iters; self->rounds++) {
		uint32_t source = pop(self);
		uint32_t target = pop(self);

		push(source);
		zoo_cue_give(&self->gave_back);
		zoo_cue_await(&workers[0].took, (unsigned)self->rounds); /* widener: until the filler has its buffer */
		push(target);
	}
	return NULL;
}

/* Walk the stack: every node on it once, no cycle, none still borrowed. */
static void check_stack(void)
{
	bool seen[POOL_SIZE] = { false };
	int count = 0;

	for (uint32_t n = (uint32_t)atomic_load(&head); n != NONE; n = atomic_load(&pool[n].next)) {
		if (seen[n])
			zoo_finish(ZOO_INVARIANT, "the stack has a cycle: node %" PRIu32 " again after %d nodes", n, count);
		seen[n] = true;
		count++;
	}
	for (int n = 0; n < POOL_SIZE; n++)
		if (!seen[n] || atomic_load(&pool[n].holder) != 0)
			zoo_finish(ZOO_INVARIANT, "node %d is lost: %d of %d nodes on the stack", n, count, POOL_SIZE);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a filler and a copier borrow buffers from a pool ZOO_ITERS rounds, one and two a round",
		.awaits = "the workers to give their buffers back",
		.reads = "ZOO_ITERS",
		.widen_us = 500000,
		.defaults = { .iters = 20, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	pthread_t threads[2];

	zoo_start(argc, argv, &program);
	for (uint32_t n = 0; n < POOL_SIZE; n++) /* the stack: 0 on top, then 1, 2, 3 */
		atomic_init(&pool[n].next, n + 1 < POOL_SIZE ? n + 1 : NONE);
	zoo_show(head);
	zoo_thread_start(&threads[0], filler, &workers[0]);
	zoo_thread_start(&threads[1], copier, &workers[1]);
	zoo_thread_join(threads[0]);
	zoo_thread_join(threads[1]);
	check_stack();
	zoo_finish(ZOO_CLEAN, "%ld rounds: all %d nodes back on the stack, each once", zoo.iters, POOL_SIZE);
}
