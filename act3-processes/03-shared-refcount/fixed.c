/*
 * act3-processes/03-shared-refcount/fixed.c: a parent puts a message in a
 * reference-counted block of shared memory and forks a reader to check it;
 * each releases its reference when done, and the last one out reclaims the
 * block (poisons it for its next use).
 * Rule R5: one owner per resource.
 * Also R6: reclaim only when no one is looking.
 * Fix: the parent takes the reader's reference before it forks, so the
 *      count says two from the moment there are two holders. Whichever
 *      lets go last, and only that one, reclaims the block, once nobody
 *      can still be reading it.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Demo: stress
 */
#include "zoo.h"

#define POISON '#'

struct block {
	atomic_long refs;       /* how many processes hold the block */
	atomic_int reclaims;    /* how many times it was reclaimed */
	struct zoo_cue halfway; /* widener: the reader has read half the message */
	struct zoo_cue let_go;  /* widener: the parent has released the block */
	char text[64];
};

static const char message[] = "a message for the reader, in shared memory";

static struct block *block_new(const char *text)
{
	struct block *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED)
		zoo_die_errno("mmap(the block)");
	atomic_init(&b->refs, 1); /* the creator's own reference */
	snprintf(b->text, sizeof b->text, "%s", text);
	return b;
}

/* Take one more reference; taking one on a reclaimed block is a bug. */
static void block_get(struct block *b)
{
	if (atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed) <= 0)
		zoo_finish(ZOO_INVARIANT, "a reference taken on a block already reclaimed");
}

/* Give one back; the last one out reclaims the block. False: nothing to give back. */
static bool block_put(struct block *b, const char *who)
{
	long before = atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel);

	if (before <= 0) {
		fprintf(stderr, "%s: released the block, and its count was %ld\n", who, before);
		return false;
	}
	if (before == 1) {
		memset(b->text, POISON, sizeof b->text - 1);
		atomic_fetch_add_explicit(&b->reclaims, 1, memory_order_relaxed);
	}
	return true;
}

/* The reader: checks the message in two halves, then lets go of the block. */
static __attribute__((noreturn)) void reader(struct block *b)
{
	size_t half = sizeof message / 2;

	zoo_step("reads the first half");
	bool first = memcmp(b->text, message, half) == 0;
	zoo_cue_give(&b->halfway);
	zoo_cue_await(&b->let_go, 1);
	zoo_step("reads the second half");
	bool second = memcmp(b->text + half, message + half, sizeof message - half) == 0;
	if (!first || !second)
		fprintf(stderr, "reader: the block says \"%.*s\"\n", (int)sizeof message - 1, b->text);
	zoo_step("releases the block");
	bool released = block_put(b, "reader");
	zoo_child_exit(first && second && released ? ZOO_CLEAN : ZOO_INVARIANT);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a parent and the reader it forks share a reference-counted block of shared memory",
		.awaits = "the reader to finish",
		.reads = "",
		.widen_us = 200000,
		.defaults = { .iters = 1, .threads = 1, .seed = 1, .timeout_s = 4 },
	};

	zoo_start(argc, argv, &program);
	struct block *b = block_new(message);
	zoo_show(b->refs);
	block_get(b); /* FIX(R5): the reader's reference, taken before the reader exists */
	pid_t pid = zoo_fork();
	if (pid == 0)
		reader(b);
	zoo_cue_await(&b->halfway, 1);
	zoo_step("releases the block");
	bool released = block_put(b, "parent");
	zoo_cue_give(&b->let_go);
	int status = zoo_wait_child(pid);

	long refs = atomic_load_explicit(&b->refs, memory_order_relaxed);
	int reclaims = atomic_load_explicit(&b->reclaims, memory_order_relaxed);
	if (munmap(b, sizeof *b) != 0)
		zoo_die_errno("munmap(the block)");
	if (status != ZOO_CLEAN || !released || refs != 0 || reclaims != 1)
		zoo_finish(ZOO_INVARIANT, "the reader ended with status %d; the count is %ld, reclaims: %d",
			   status, refs, reclaims);
	zoo_finish(ZOO_CLEAN, "the reader read the whole message; the count is 0, reclaims: 1");
}
