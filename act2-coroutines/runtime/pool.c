/*
 * act2-coroutines/runtime/pool.c: the M:N scheduler. ZOO_THREADS workers
 * run 16 pairs of coroutines; in each pair a pinger sends a count through
 * a channel of one slot, and a ponger sends it back one higher, ZOO_ITERS
 * times. Each count must come back exactly as sent, and the workers must
 * all stop once every coroutine has ended, however often they parked.
 * Expect: tsan=clean asan=clean memcheck=clean stress=clean
 * Knobs: memcheck ZOO_ITERS=300
 */
#include "zoo.h"
#include "coro.h"

#define PAIRS 16

struct pair {
	struct chan there, back;
	long returned;
};

struct player {
	struct coro co;
	struct pair *pair;
	bool pings;
	long round, count;
	struct coro_awaiter io;
};

static struct coro *play(struct coro *co)
{
	struct player *p = (struct player *)co;

	CORO_BEGIN(co);
	for (p->round = 0; p->round < zoo.iters; p->round++) {
		if (p->pings) {
			chan_send(&p->io, &p->pair->there, (void *)(intptr_t)(2 * p->round));
			CORO_AWAIT(co, &p->io);
			chan_recv(&p->io, &p->pair->back);
			CORO_AWAIT(co, &p->io);
			if (!p->io.ok || (intptr_t)p->io.item != 2 * p->round + 1)
				zoo_finish(ZOO_INVARIANT, "round %ld: %ld came back", p->round, (long)(intptr_t)p->io.item);
			p->pair->returned++;
		} else {
			chan_recv(&p->io, &p->pair->there);
			CORO_AWAIT(co, &p->io);
			p->count = (intptr_t)p->io.item + 1;
			chan_send(&p->io, &p->pair->back, (void *)(intptr_t)p->count);
			CORO_AWAIT(co, &p->io);
		}
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "plays ping-pong in 16 pairs of coroutines on ZOO_THREADS workers",
		.awaits = "the workers to run every coroutine to its end",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.defaults = { .iters = 2000, .threads = 2, .seed = 1, .timeout_s = 10 },
	};
	static struct pair pairs[PAIRS];
	struct coro_sched sched;
	long returned = 0;

	zoo_start(argc, argv, &program);
	if (zoo.threads > CORO_WORKERS)
		zoo_usage_error("ZOO_THREADS is at most %d", CORO_WORKERS);
	coro_sched_init(&sched);
	for (int i = 0; i < PAIRS; i++) {
		chan_init(&pairs[i].there, 1);
		chan_init(&pairs[i].back, 1);
		for (int pings = 0; pings < 2; pings++) {
			struct player *p = coro_new(sizeof *p, play, pings ? "pinger" : "ponger");
			p->pair = &pairs[i];
			p->pings = pings;
			coro_spawn(&sched, &p->co);
		}
	}
	coro_pool_run(&sched, (int)zoo.threads);
	for (int i = 0; i < PAIRS; i++) {
		returned += pairs[i].returned;
		chan_free(&pairs[i].there);
		chan_free(&pairs[i].back);
	}
	if (returned != PAIRS * zoo.iters || atomic_load(&sched.live) != 0)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld counts came back", returned, PAIRS * zoo.iters);
	zoo_finish(ZOO_CLEAN, "all %ld counts came back on %ld workers, %ld resumes", returned, zoo.threads,
		   atomic_load(&sched.resumes));
}
