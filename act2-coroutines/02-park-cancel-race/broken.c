/*
 * act2-coroutines/02-park-cancel-race/broken.c: a producer thread hands
 * ZOO_ITERS items, one at a time, to a coroutine that awaits them in an
 * inbox, on an M:N scheduler of two workers with park and notify of its own.
 * Rule R1: a wakeup is a hint to re-check, not a delivery.
 * Also R2: publish, then signal: release after the data, acquire before it.
 * Bug: a worker looks at the queue, finds it empty, then stores PARKED and
 *      sleeps; a notify landing between the look and the store sees no
 *      PARKED worker and wakes none: the item sits while both workers sleep.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=hang os=hang
 * Explore: none. The workers park in a futex, which the scheduler does not follow.
 * Knobs: helgrind,drd,memcheck ZOO_ITERS=50
 * Demo: stress
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define WORKERS 2

struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t emptied;
	long item;                 /* -1: empty; guarded by lock, as the rest */
	struct coro *waiter;       /* the coroutine suspended on it, if any */
	long taken;
};

static struct inbox inbox = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, NULL, 0 };
static struct zoo_cue worker_parking;              /* test plumbing: a worker is between its look and its sleep */
static struct zoo_cue producer_looked[WORKERS];    /* test plumbing: the producer has published and notified */

struct consumer {
	struct coro co;
	long expected;
	struct coro_awaiter in;
};

static bool inbox_ready(struct coro_awaiter *aw)
{
	(void)aw;
	zoo_check(pthread_mutex_lock(&inbox.lock));
	bool full = inbox.item >= 0;
	zoo_check(pthread_mutex_unlock(&inbox.lock));
	return full;
}

static bool inbox_suspend(struct coro_awaiter *aw)
{
	zoo_check(pthread_mutex_lock(&inbox.lock));
	bool wait = inbox.item < 0;
	if (wait)
		inbox.waiter = aw->waiter;
	zoo_check(pthread_mutex_unlock(&inbox.lock));
	return wait;
}

static void inbox_take(struct coro_awaiter *aw)
{
	zoo_check(pthread_mutex_lock(&inbox.lock));
	aw->item = (void *)(intptr_t)inbox.item;
	inbox.item = -1;
	inbox.taken++;
	zoo_signal(&inbox.emptied);
	zoo_check(pthread_mutex_unlock(&inbox.lock));
}

static struct coro *consume(struct coro *co)
{
	struct consumer *c = (struct consumer *)co;

	CORO_BEGIN(co);
	for (c->expected = 0; c->expected < zoo.iters; c->expected++) {
		c->in = (struct coro_awaiter){ .ready = inbox_ready, .suspend = inbox_suspend, .resume = inbox_take };
		CORO_AWAIT(co, &c->in);
		if ((intptr_t)c->in.item != c->expected)
			zoo_finish(ZOO_INVARIANT, "item %ld arrived as item %ld", c->expected, (long)(intptr_t)c->in.item);
	}
	CORO_END(co);
}

/* A worker with nothing to run: sleep until notified. */
static void park(struct coro_worker *w)
{
	atomic_store(&w->state, CORO_ABOUT_TO_PARK);
	for (int spin = 0; spin < 100; spin++)
		if (coro_has_ready(w->sched))
			break;
	if (coro_has_ready(w->sched)) {
		atomic_store(&w->state, CORO_RUNNING);
		return;
	}
	zoo_cue_give(&worker_parking);
	zoo_cue_await_next(&producer_looked[w - w->sched->worker]);
	atomic_store(&w->state, CORO_PARKED); /* BUG(R1): whatever came since the look */
	while (atomic_load(&w->state) == CORO_PARKED)
		coro_futex(&w->state, FUTEX_WAIT_PRIVATE, CORO_PARKED);
}

/* Something was made ready: wake a worker to run it. */
static void notify(struct coro_sched *s)
{
	for (int i = 0; i < s->workers; i++) {
		int parked = CORO_PARKED;
		if (atomic_compare_exchange_strong(&s->worker[i].state, &parked, CORO_RUNNING)) {
			coro_futex(&s->worker[i].state, FUTEX_WAKE_PRIVATE, 1);
			return;
		}
	}
}

static void *produce(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		zoo_cue_await(&worker_parking, (unsigned)(WORKERS + i));
		zoo_lock(&inbox.lock);
		while (inbox.item >= 0)
			zoo_wait(&inbox.emptied, &inbox.lock);
		struct coro *waiter = inbox.waiter;
		inbox.waiter = NULL;
		inbox.item = i;
		zoo_unlock(&inbox.lock);
		if (waiter != NULL)
			coro_wake(waiter); /* to the ready queue, then notify() */
		zoo_cue_give(&producer_looked[0]);
		zoo_cue_give(&producer_looked[1]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "hands ZOO_ITERS items from a producer thread to a coroutine on two workers",
		.awaits = "a worker to run the coroutine that awaits the next item",
		.reads = "ZOO_ITERS",
		.widen_us = 20000,
		.defaults = { .iters = 200, .threads = WORKERS, .seed = 1, .timeout_s = 10 },
	};
	struct coro_sched sched;
	pthread_t producer;

	zoo_start(argc, argv, &program);
	coro_sched_init(&sched);
	sched.park = park;
	sched.notify = notify;
	coro_spawn(&sched, coro_new(sizeof(struct consumer), consume, "consumer"));
	zoo_thread_start(&producer, produce, NULL);
	coro_pool_run(&sched, WORKERS);
	zoo_thread_join(producer);
	zoo_finish(ZOO_CLEAN, "the coroutine took all %ld items, in order", inbox.taken);
}
