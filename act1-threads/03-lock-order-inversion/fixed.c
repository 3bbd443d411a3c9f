/*
 * act1-threads/03-lock-order-inversion/fixed.c: three tellers move money
 * around a ring of three accounts, A to B, B to C and C to A.
 * Rule R4: acquire in one fixed order, release by scope.
 * Fix: transfer() locks the account at the lower address first, whichever
 *      way the money goes: every teller follows one order, so no cycle can
 *      form. Scoped locks release both on every way out of the block.
 * Expect: tsan=clean helgrind=clean drd=clean stress=clean explore=clean
 * Knobs: tsan,helgrind ZOO_THREADS=1; explore ZOO_ITERS=1
 */
#include "zoo.h"

#define TELLERS 3

struct account {
	pthread_mutex_t mutex;
	long balance; /* guarded by mutex */
};

static struct account accounts[TELLERS] = {
	{ PTHREAD_MUTEX_INITIALIZER, 1000 },
	{ PTHREAD_MUTEX_INITIALIZER, 1000 },
	{ PTHREAD_MUTEX_INITIALIZER, 1000 },
};
static const long money = 3000; /* what the accounts hold together, always */

struct teller {
	struct account *from, *to;
	long transfers; /* written by this teller only */
};

static struct teller tellers[TELLERS];
static struct zoo_cue holds_first[TELLERS]; /* widener: teller i holds its first lock */

/* Move `amount` from t->from to t->to, holding both accounts' locks. */
static void transfer(struct teller *t, long amount)
{
	/* The accounts are one array, so comparing their addresses is defined C. */
	struct account *first = t->from < t->to ? t->from : t->to; /* FIX(R4): the lower address, */
	struct account *second = first == t->from ? t->to : t->from;

	zoo_scoped_lock(&first->mutex);  /* FIX(R4): first, in every transfer */
	zoo_cue_give(&holds_first[t - tellers]);
	zoo_cue_await_next(&holds_first[(t - tellers + 1) % TELLERS]); /* widener: the next teller holds its first */
	zoo_scoped_lock(&second->mutex); /* FIX(R4): both released at the closing brace */
	t->from->balance -= amount;
	t->to->balance += amount;
}

static void *teller(void *arg)
{
	struct teller *t = arg;

	for (long round = 0; round < zoo.iters; round++) {
		transfer(t, 1 + round % 10);
		t->transfers++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "three tellers each make ZOO_ITERS transfers around a ring of accounts, "
			"A to B, B to C, C to A; ZOO_THREADS=1: one teller at a time, 3: all at once",
		.awaits = "the tellers to finish their transfers",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.widen_us = 10000,
		.defaults = { .iters = 10, .threads = TELLERS, .seed = 1, .timeout_s = 4 },
	};
	pthread_t threads[TELLERS];
	long total = 0, transfers = 0;

	zoo_start(argc, argv, &program);
	zoo_show(accounts[0].mutex);
	zoo_show(accounts[1].mutex);
	zoo_show(accounts[2].mutex);
	if (zoo.threads != 1 && zoo.threads != TELLERS)
		zoo_usage_error("ZOO_THREADS=%ld: 1 runs the tellers one at a time, %d all at once",
				zoo.threads, TELLERS);
	for (int i = 0; i < TELLERS; i++) {
		tellers[i] = (struct teller){ .from = &accounts[i], .to = &accounts[(i + 1) % TELLERS] };
		zoo_thread_start(&threads[i], teller, &tellers[i]);
		if (zoo.threads == 1)
			zoo_thread_join(threads[i]); /* one teller at a time */
	}
	for (int i = 0; i < TELLERS && zoo.threads == TELLERS; i++)
		zoo_thread_join(threads[i]);
	for (int i = 0; i < TELLERS; i++) {
		total += accounts[i].balance;
		transfers += tellers[i].transfers;
	}
	if (total != money)
		zoo_finish(ZOO_INVARIANT, "the accounts end with %ld, not %ld", total, money);
	zoo_finish(ZOO_CLEAN, "%ld transfers; the accounts still hold %ld in all", transfers, money);
}
