/*
 * act1-threads/01-lost-wakeup/broken.c: a producer hands items one at a time
 * to a consumer through a one-slot mailbox, a mutex and two condition variables.
 * Rule R1: a wakeup is a hint to re-check, not a delivery.
 * Also R2: publish, then signal: release after the data, acquire before it.
 * Bug: the producer fills the mailbox and signals without holding the mutex.
 *      The consumer re-checks in a loop, but a post and signal that land
 *      between its look and its wait find no one waiting: the signal is
 *      lost, and the consumer sleeps beside an item that is already there.
 * Expect: tsan=report helgrind=report drd=report stress=hang explore=hang
 * Knobs: explore ZOO_ITERS=2
 */
#include "zoo.h"

static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t item_posted = PTHREAD_COND_INITIALIZER;
static pthread_cond_t item_taken = PTHREAD_COND_INITIALIZER;
static long items_in_box;              /* 0 or 1; guarded by mailbox_lock */
static long items_taken;               /* guarded by mailbox_lock */
static struct zoo_cue consumer_looked; /* widener: the consumer found the box empty */

static void *producer(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		zoo_cue_await_next(&consumer_looked);
		zoo_step("puts an item in the box");
		items_in_box++; /* BUG(R1): the box changes outside the mutex */
		zoo_signal(&item_posted);
		zoo_lock(&mailbox_lock);
		while (items_in_box > 0)
			zoo_wait(&item_taken, &mailbox_lock);
		zoo_unlock(&mailbox_lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		zoo_lock(&mailbox_lock);
		zoo_step("looks in the box");
		while (items_in_box == 0) {
			zoo_cue_give(&consumer_looked);
			zoo_widen(); /* widener: the window between looking and sleeping */
			zoo_wait(&item_posted, &mailbox_lock);
		}
		if (items_in_box != 1)
			zoo_finish(ZOO_INVARIANT, "item %ld taken from a mailbox holding %ld", i + 1, items_in_box);
		items_in_box--;
		items_taken++;
		zoo_signal(&item_taken);
		zoo_unlock(&mailbox_lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "hands ZOO_ITERS items from a producer to a consumer, one at a time",
		.awaits = "the consumer to take the next item",
		.reads = "ZOO_ITERS",
		.widen_us = 20000,
		.defaults = { .iters = 20, .threads = 2, .seed = 1, .timeout_s = 4 },
	};
	pthread_t threads[2];

	zoo_start(argc, argv, &program);
	zoo_show(items_in_box);
	zoo_show(mailbox_lock);
	zoo_thread_start(&threads[0], consumer, NULL);
	zoo_thread_start(&threads[1], producer, NULL);
	zoo_thread_join(threads[0]);
	zoo_thread_join(threads[1]);
	zoo_finish(ZOO_CLEAN, "the consumer took %ld of %ld items, each exactly once", items_taken, zoo.iters);
}
