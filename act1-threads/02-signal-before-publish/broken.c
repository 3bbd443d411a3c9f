/*
 * act1-threads/02-signal-before-publish/broken.c: a producer hands numbered
 * values to a consumer through a one-value slot, a mutex and two condvars.
 * Rule R2: publish, then signal: release after the data, acquire before it.
 * Bug: the producer rings first (lock, signal, unlock) and fills the slot
 *      afterwards, with plain stores outside the mutex. The consumer wakes,
 *      looks, finds the slot empty and goes back to sleep; the value lands
 *      after that look, and no second wake ever comes.
 * Expect: tsan=report helgrind=report drd=report stress=hang explore=hang
 * Knobs: explore ZOO_ITERS=2
 */
#include "zoo.h"

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_filled = PTHREAD_COND_INITIALIZER;
static pthread_cond_t slot_emptied = PTHREAD_COND_INITIALIZER;
static long slot_value;                /* guarded by slot_lock */
static bool slot_ready;                /* guarded by slot_lock: slot_value is new */
static long values_taken;              /* the consumer's own count */
static struct zoo_cue consumer_waits; /* widener: the consumer found the slot empty */

static void *producer(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		zoo_cue_await_next(&consumer_waits);
		zoo_lock(&slot_lock);
		zoo_signal(&slot_filled); /* BUG(R2): the wake goes out first */
		zoo_unlock(&slot_lock);
		zoo_cue_await_next(&consumer_waits); /* widener: it looked again, and waits again */
		zoo_step("fills the slot");
		slot_value = i + 1;       /* BUG(R2): the data comes after, */
		slot_ready = true;        /* BUG(R2): and outside the mutex */
		zoo_lock(&slot_lock);
		while (slot_ready)
			zoo_wait(&slot_emptied, &slot_lock);
		zoo_unlock(&slot_lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		zoo_lock(&slot_lock);
		zoo_step("looks at the slot");
		while (!slot_ready) {
			zoo_cue_give(&consumer_waits);
			zoo_wait(&slot_filled, &slot_lock);
		}
		if (slot_value != i + 1)
			zoo_finish(ZOO_INVARIANT, "value %ld arrived as %ld", i + 1, slot_value);
		slot_ready = false;
		values_taken++;
		zoo_signal(&slot_emptied);
		zoo_unlock(&slot_lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "hands ZOO_ITERS numbered values from a producer to a consumer through one slot",
		.awaits = "the consumer to take the next value",
		.reads = "ZOO_ITERS",
		.widen_us = 50000,
		.defaults = { .iters = 20, .threads = 2, .seed = 1, .timeout_s = 4 },
	};
	pthread_t threads[2];

	zoo_start(argc, argv, &program);
	zoo_show(slot_ready);
	zoo_show(slot_lock);
	zoo_thread_start(&threads[0], consumer, NULL);
	zoo_thread_start(&threads[1], producer, NULL);
	zoo_thread_join(threads[0]);
	zoo_thread_join(threads[1]);
	zoo_finish(ZOO_CLEAN, "the consumer took %ld of %ld values, each once and in order",
		   values_taken, zoo.iters);
}
