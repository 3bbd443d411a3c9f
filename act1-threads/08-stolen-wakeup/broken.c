/*
 * act1-threads/08-stolen-wakeup/broken.c: a producer hands numbered items to
 * ZOO_THREADS consumers through a one-slot mailbox, a mutex and two condvars.
 * Rule R1: a wakeup is a hint to re-check, not a delivery.
 * Bug: each consumer looks at the mailbox once, with `if`, and takes whatever
 *      its wakeup seems to promise. The producer's broadcast wakes every
 *      consumer for one item: the first to get the mutex takes it, and the
 *      next takes from the mailbox the first just emptied.
 * Expect: stress=invariant tsan=invariant helgrind=invariant drd=invariant explore=invariant
 * Knobs: explore ZOO_ITERS=1
 */
#include "zoo.h"

#define STOP_ITEM 0L /* one per consumer, after the numbered items: "go home" */

static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t item_posted = PTHREAD_COND_INITIALIZER;
static pthread_cond_t item_taken = PTHREAD_COND_INITIALIZER;
static bool box_full;                 /* guarded by mailbox_lock */
static long box_value;                /* guarded by mailbox_lock: the item, when box_full */
static long items_taken;              /* guarded by mailbox_lock: numbered items, in order */
static long taken_sum;                /* guarded by mailbox_lock: their values added up */
static struct zoo_cue consumer_waits; /* widener: given each time a consumer goes to sleep */

/* Put one item in the mailbox, wake the consumers, and wait until it is gone. */
static void post(long value)
{
	zoo_lock(&mailbox_lock);
	box_value = value;
	box_full = true;
	zoo_broadcast(&item_posted);
	while (box_full)
		zoo_wait(&item_taken, &mailbox_lock);
	zoo_unlock(&mailbox_lock);
}

/* Wait for the producer's next post; called with mailbox_lock held, returns holding it. */
static void wait_for_post(void)
{
	zoo_cue_give(&consumer_waits); /* widener: about to sleep, the mutex still held */
	zoo_wait(&item_posted, &mailbox_lock);
}

static void *producer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= zoo.iters; i++) {
		/* zoo_cue_await: until each consumer has gone to sleep i times (at the start, after each item) */
		zoo_cue_await(&consumer_waits, (unsigned)(i * zoo.threads));
		post(i);
	}
	for (long c = 0; c < zoo.threads; c++) {
		post(STOP_ITEM);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long id = (long)(intptr_t)arg;

	for (;;) {
		zoo_lock(&mailbox_lock);
		zoo_step("looks in the mailbox");
		if (!box_full) /* BUG(R1): one look, then the wakeup is trusted */
			wait_for_post();
		if (!box_full) {
			long taken = items_taken;

			zoo_unlock(&mailbox_lock);
			zoo_finish(ZOO_INVARIANT,
				   "consumer %ld woke up and took from an empty mailbox (%ld of %ld items taken)", id,
				   taken, zoo.iters);
		}
		long value = box_value;
		long previous = items_taken;

		box_full = false;
		if (value != STOP_ITEM) {
			items_taken++;
			taken_sum += value;
		}
		zoo_signal(&item_taken);
		zoo_unlock(&mailbox_lock);
		if (value == STOP_ITEM)
			return NULL;
		if (value != previous + 1)
			zoo_finish(ZOO_INVARIANT, "consumer %ld took item %ld right after item %ld", id, value, previous);
	}
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a producer hands ZOO_ITERS numbered items to ZOO_THREADS consumers (2 or more), one at a time",
		.awaits = "a consumer to take the item in the mailbox",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.widen_us = 200000,
		.defaults = { .iters = 10, .threads = 2, .seed = 1, .timeout_s = 4 },
	};
	pthread_t consumers[64], producer_thread;

	zoo_start(argc, argv, &program);
	zoo_show(box_full);
	zoo_show(mailbox_lock);
	if (zoo.threads < 2)
		zoo_usage_error("ZOO_THREADS=%ld: there must be two consumers or more", zoo.threads);
	for (long c = 0; c < zoo.threads; c++)
		zoo_thread_start(&consumers[c], consumer, (void *)(intptr_t)(c + 1));
	zoo_thread_start(&producer_thread, producer, NULL);
	zoo_thread_join(producer_thread);
	for (long c = 0; c < zoo.threads; c++)
		zoo_thread_join(consumers[c]);

	long want_sum = zoo.iters * (zoo.iters + 1) / 2;

	if (items_taken != zoo.iters || taken_sum != want_sum)
		zoo_finish(ZOO_INVARIANT, "the consumers took %ld of %ld items, summing to %ld instead of %ld",
			   items_taken, zoo.iters, taken_sum, want_sum);
	zoo_finish(ZOO_CLEAN, "%ld consumers took all %ld items, each once, in order (sum %ld)", zoo.threads,
		   items_taken, taken_sum);
}
