/*
 * act2-coroutines/07-lock-across-await/fixed.c: request coroutines look up
 * prices in a cache; on a miss, a request asks the quote service, another
 * coroutine, and awaits its answer. Everything runs on one thread.
 * Rule R3: locks guard data, not time: never hold one across a suspension.
 * Fix: a request copies what it needs out of the cache and unlocks before
 *      it awaits; with the quote in hand, it locks again to store it. No
 *      lock is held across a suspension, so a coroutine that takes the lock
 *      always finds it free or held only for a few instructions.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=3
 * Demo: helgrind
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define SYMBOLS 4

struct ask {
	int symbol;
	struct chan answer; /* one slot: the quote service's reply */
};

struct request {
	struct coro co;
	struct ask ask;
	struct coro_awaiter io;
	bool known;
	long price;
};

/* The cache is locked because other threads read it too: a request may be
 * resumed on any worker of an M:N scheduler. */
static struct {
	pthread_mutex_t lock;
	int inside; /* requests between cache_enter() and cache_leave() */
	bool known[SYMBOLS];
	long price[SYMBOLS];
} cache;

static void cache_enter(void)
{
	zoo_lock(&cache.lock);
	if (cache.inside++ != 0)
		zoo_finish(ZOO_INVARIANT, "two requests are inside the cache's critical section");
}

static void cache_leave(void)
{
	cache.inside--;
	zoo_unlock(&cache.lock);
}

static struct chan asks; /* struct ask *, to the quote service */
static long served, wrong;

static long true_price(int symbol)
{
	return 100 + 10 * symbol;
}

static struct coro *handle(struct coro *co)
{
	struct request *r = (struct request *)co;

	CORO_BEGIN(co);
	cache_enter();
	r->known = cache.known[r->ask.symbol];
	r->price = cache.price[r->ask.symbol];
	cache_leave(); /* FIX(R3): unlocked before any await */
	if (!r->known) {
		chan_send(&r->io, &asks, &r->ask);
		CORO_AWAIT(co, &r->io);
		chan_recv(&r->io, &r->ask.answer);
		CORO_AWAIT(co, &r->io);
		r->price = (long)(intptr_t)r->io.item;
		cache_enter(); /* FIX(R3): locked again only to store the quote */
		cache.price[r->ask.symbol] = r->price;
		cache.known[r->ask.symbol] = true;
		cache_leave();
	}
	wrong += r->price != true_price(r->ask.symbol);
	if (++served == zoo.iters)
		chan_close(&asks);
	CORO_END(co);
}

struct quote_service {
	struct coro co;
	struct coro_awaiter io;
	struct ask *ask;
};

static struct coro *quote(struct coro *co)
{
	struct quote_service *q = (struct quote_service *)co;

	CORO_BEGIN(co);
	for (;;) {
		chan_recv(&q->io, &asks);
		CORO_AWAIT(co, &q->io);
		if (!q->io.ok)
			break;
		q->ask = q->io.item;
		chan_send(&q->io, &q->ask->answer, (void *)(intptr_t)true_price(q->ask->symbol));
		CORO_AWAIT(co, &q->io);
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "serves ZOO_ITERS price requests from a cache that asks a quote service on a miss",
		.awaits = "the requests to be served",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 8, .threads = 1, .seed = 1, .timeout_s = 4 },
	};
	struct request *requests[64];
	struct coro_sched sched;
	long stuck;

	zoo_start(argc, argv, &program);
	if (zoo.iters > 64)
		zoo_usage_error("ZOO_ITERS is at most 64");
	zoo_check(pthread_mutex_init(&cache.lock, NULL));
	zoo_show(cache.lock);
	coro_sched_init(&sched);
	chan_init(&asks, SYMBOLS);
	for (long i = 0; i < zoo.iters; i++) {
		requests[i] = coro_new(sizeof *requests[i], handle, "request");
		requests[i]->ask.symbol = (int)(i % SYMBOLS);
		requests[i]->co.owned = true; /* main reads its price, then frees it */
		chan_init(&requests[i]->ask.answer, 1);
		coro_spawn(&sched, &requests[i]->co);
	}
	coro_spawn(&sched, coro_new(sizeof(struct quote_service), quote, "quote"));
	stuck = coro_run(&sched);
	if (stuck != 0)
		zoo_finish(ZOO_HANG, "%ld coroutines are suspended and nothing will wake them", stuck);
	for (long i = 0; i < zoo.iters; i++) {
		chan_free(&requests[i]->ask.answer);
		coro_destroy(&requests[i]->co);
	}
	chan_free(&asks);
	if (served != zoo.iters || wrong != 0)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld requests served, %ld at a wrong price", served, zoo.iters, wrong);
	zoo_finish(ZOO_CLEAN, "all %ld requests served at the right price", served);
}
