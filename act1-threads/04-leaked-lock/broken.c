/*
 * act1-threads/04-leaked-lock/broken.c: a bank serves each deposit on its own
 * handler thread, and a handler credits one account under the one bank lock.
 * Rule R4: acquire in one fixed order, release by scope.
 * Also R5: one owner per resource: whoever takes the lock releases it, on every path.
 * Bug: serve() takes the lock by hand and refuses a deposit to the closed
 *      account with an early return that skips the unlock. The handler thread
 *      ends still holding the lock, and every thread that asks for it after
 *      that (the next handlers, the closing audit) waits forever.
 * Expect: tsan=hang helgrind=report-no-line drd=report stress=hang explore=hang
 * Knobs: explore ZOO_ITERS=2 ZOO_THREADS=2
 * Demo: drd
 */
#include "zoo.h"

#define ACCOUNTS 5 /* deposit i goes to account i % ACCOUNTS; the first is closed */

struct request {
	long account;
	long amount;
};

static pthread_mutex_t bank_lock = PTHREAD_MUTEX_INITIALIZER;
static struct account {
	bool open;
	long balance;
} accounts[ACCOUNTS] = { { false, 0 }, { true, 0 }, { true, 0 }, { true, 0 }, { true, 0 } };
static long refused; /* accounts[] and refused are guarded by bank_lock */

static struct request *requests; /* filled in before any handler starts */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handler_done = PTHREAD_COND_INITIALIZER;
static long *done_ids, done_count; /* which handlers finished, in order; done_lock */

/* Credit one deposit: 0 if done, -1 if refused because its account is closed. */
static int serve(const struct request *req)
{
	zoo_lock(&bank_lock); /* BUG(R4): taken by hand, so every return must undo it */
	struct account *acct = &accounts[req->account];
	if (!acct->open) {
		refused++;
		return -1; /* BUG(R4): leaves with bank_lock still held */
	}
	acct->balance += req->amount;
	zoo_unlock(&bank_lock);
	return 0;
}

static void *handler(void *arg)
{
	struct request *req = arg;

	serve(req); /* a real server would send the verdict back to the client */
	zoo_lock(&done_lock);
	done_ids[done_count++] = req - requests;
	zoo_signal(&handler_done);
	zoo_unlock(&done_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "serves ZOO_ITERS deposits, one handler thread each, ZOO_THREADS at a time",
		.awaits = "every handler to finish",
		.reads = "ZOO_ITERS ZOO_THREADS ZOO_SEED",
		.defaults = { .iters = 20, .threads = 10, .seed = 1, .timeout_s = 4 },
	};
	long want_refused = 0, want_total = 0, total = 0, counted;
	uint64_t rng;

	zoo_start(argc, argv, &program);
	zoo_show(bank_lock);
	zoo_show(refused);
	requests = calloc((size_t)zoo.iters, sizeof *requests);
	done_ids = calloc((size_t)zoo.iters, sizeof *done_ids);
	pthread_t *threads = calloc((size_t)zoo.iters, sizeof *threads);
	if (requests == NULL || done_ids == NULL || threads == NULL)
		zoo_finish(ZOO_INVARIANT, "out of memory");
	rng = (uint64_t)zoo.seed;
	for (long i = 0; i < zoo.iters; i++) {
		requests[i] = (struct request){ i % ACCOUNTS, 1 + (long)(zoo_random(&rng) % 100) };
		if (accounts[requests[i].account].open)
			want_total += requests[i].amount;
		else
			want_refused++;
	}
	for (long started = 0, joined = 0; joined < zoo.iters;) {
		if (started < zoo.iters && started - joined < zoo.threads) {
			zoo_thread_start(&threads[started], handler, &requests[started]);
			started++;
			continue;
		}
		zoo_lock(&done_lock); /* join the next handler to finish, whichever it is */
		while (done_count == joined)
			zoo_wait(&handler_done, &done_lock);
		long id = done_ids[joined++];
		zoo_unlock(&done_lock);
		zoo_thread_join(threads[id]);
	}

	zoo_lock(&bank_lock); /* the audit takes the lock like any other user */
	for (int a = 0; a < ACCOUNTS; a++)
		total += accounts[a].balance;
	counted = refused;
	zoo_unlock(&bank_lock);
	free(requests);
	free(done_ids);
	free(threads);
	if (counted != want_refused || total != want_total)
		zoo_finish(ZOO_INVARIANT, "refused %ld of %ld deposits (should be %ld); balances sum to %ld (should be %ld)",
			   counted, zoo.iters, want_refused, total, want_total);
	zoo_finish(ZOO_CLEAN, "served %ld deposits and refused %ld for the closed account; balances sum to %ld",
		   zoo.iters - counted, counted, total);
}
