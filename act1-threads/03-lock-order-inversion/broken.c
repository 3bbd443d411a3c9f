/*
 * act1-threads/03-lock-order-inversion/broken.c: two tellers move money
 * between the same two accounts in opposite directions.
 * Rule R4: acquire in one fixed order, release by scope.
 * Bug: transfer() locks `from` then `to`; A->B and B->A each hold one lock
 *      and wait forever for the other. ZOO_THREADS=1 runs the tellers one
 *      after the other: nothing hangs, but the detectors see both orders.
 * Expect: tsan=report helgrind=report drd=hang stress=hang
 * Knobs: tsan,helgrind ZOO_THREADS=1
 * Demo: tsan
 */
#include "zoo.h"

struct account {
	pthread_mutex_t mutex;
	long balance; /* guarded by mutex */
};

/* One array, so that comparing two accounts' addresses is defined C. */
static struct account accounts[2] = {
	{ PTHREAD_MUTEX_INITIALIZER, 1000 },
	{ PTHREAD_MUTEX_INITIALIZER, 1000 },
};
static const long money = 2000; /* what the accounts hold together, always */

struct teller {
	struct account *from, *to;
	struct zoo_cue holds_first;     /* widener: this teller holds its first lock */
	struct zoo_cue *partner_holds;  /* the other teller's cue */
	long transfers;                 /* written by this teller only */
};

/* Move `amount` from t->from to t->to, holding both accounts' locks. */
static void transfer(struct teller *t, long round, long amount)
{
	zoo_lock(&t->from->mutex);
	zoo_cue_give(&t->holds_first);
	if (zoo.threads == 2) /* the window between the locks, held open for the partner */
		zoo_cue_await(t->partner_holds, (unsigned)round + 1);
	zoo_lock(&t->to->mutex); /* BUG(R4): the order depends on the caller */
	t->from->balance -= amount;
	t->to->balance += amount;
	if (t->from->balance + t->to->balance != money)
		zoo_finish(ZOO_INVARIANT, "the accounts hold %ld, not %ld",
			   t->from->balance + t->to->balance, money);
	zoo_unlock(&t->to->mutex);
	zoo_unlock(&t->from->mutex);
}

static void *teller(void *arg)
{
	struct teller *t = arg;

	for (long round = 0; round < zoo.iters; round++) {
		transfer(t, round, 1 + round % 10);
		t->transfers++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "two tellers each make ZOO_ITERS transfers between accounts A and B, "
			"A->B and B->A; ZOO_THREADS=1: one teller at a time, 2: both at once",
		.awaits = "each teller to take its second account's lock",
		.defaults = { .iters = 10, .threads = 2, .widen_us = 10000, .seed = 1, .timeout_s = 4 },
	};
	struct teller tellers[2] = {
		{ .from = &accounts[0], .to = &accounts[1], .partner_holds = &tellers[1].holds_first },
		{ .from = &accounts[1], .to = &accounts[0], .partner_holds = &tellers[0].holds_first },
	};
	pthread_t threads[2];

	zoo_start(argc, argv, &program);
	if (zoo.threads > 2)
		zoo_usage_error("ZOO_THREADS=%ld: there are two tellers; 1 runs them one at a time, 2 at once",
				zoo.threads);
	for (int i = 0; i < 2; i++) {
		zoo_thread_start(&threads[i], teller, &tellers[i]);
		if (zoo.threads == 1)
			zoo_thread_join(threads[i]); /* one teller at a time */
	}
	for (int i = 0; i < 2 && zoo.threads == 2; i++)
		zoo_thread_join(threads[i]);
	if (accounts[0].balance + accounts[1].balance != money)
		zoo_finish(ZOO_INVARIANT, "the accounts end with %ld, not %ld",
			   accounts[0].balance + accounts[1].balance, money);
	zoo_finish(ZOO_CLEAN, "%ld transfers; the accounts still hold %ld in all",
		   tellers[0].transfers + tellers[1].transfers, money);
}
