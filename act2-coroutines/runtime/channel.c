/*
 * act2-coroutines/runtime/channel.c: the bounded channel, on the
 * single-threaded scheduler. ZOO_THREADS producers each put ZOO_ITERS
 * numbered items into a channel of two slots, in three ways (chan_send, a
 * reservation committed, and a reservation released before a send); three
 * consumers take them in two (chan_recv, and chan_readable then
 * chan_try_recv in a loop) until the channel is closed and drained. Every
 * item must arrive exactly once, no slot be held at the end, and every
 * frame end.
 * Expect: tsan=clean asan=clean memcheck=clean stress=clean explore=clean
 * Knobs: explore ZOO_ITERS=2 ZOO_THREADS=2
 */
#include "zoo.h"
#include "coro.h"

#define CONSUMERS 3
#define MAX_ITEMS 100000

static struct chan pipe_;
static unsigned char seen[MAX_ITEMS];
static long received, producers_left;

struct producer {
	struct coro co;
	long first, i;
	int way;
	struct coro_awaiter put;
	long *item;
};

struct consumer {
	struct coro co;
	bool by_news;
	struct coro_awaiter take;
	long *item;
};

static void consume(long *item)
{
	if (*item < 0 || *item >= MAX_ITEMS || seen[*item]++)
		zoo_finish(ZOO_INVARIANT, "item %ld arrived twice, or was never sent", *item);
	received++;
	free(item);
}

static struct coro *produce(struct coro *co)
{
	struct producer *p = (struct producer *)co;

	CORO_BEGIN(co);
	for (p->i = 0; p->i < zoo.iters; p->i++) {
		p->item = malloc(sizeof *p->item);
		if (p->item == NULL)
			zoo_die_errno("malloc");
		*p->item = p->first + p->i;
		if (p->way == 1 || p->way == 2) {
			chan_reserve(&p->put, &pipe_);
			CORO_AWAIT(co, &p->put);
			if (p->way == 1) {
				chan_commit(&pipe_, p->item);
				continue;
			}
			chan_release(&pipe_); /* way 2: changed its mind, sends instead */
		}
		chan_send(&p->put, &pipe_, p->item);
		CORO_AWAIT(co, &p->put);
		if (!p->put.ok)
			zoo_finish(ZOO_INVARIANT, "the channel closed under a producer");
		if (p->i % 3 == 0)
			CORO_YIELD(co);
	}
	if (--producers_left == 0)
		chan_close(&pipe_);
	CORO_END(co);
}

static struct coro *consumer_body(struct coro *co)
{
	struct consumer *c = (struct consumer *)co;

	CORO_BEGIN(co);
	for (;;) {
		if (c->by_news) {
			while (!chan_try_recv(&pipe_, (void **)&c->item)) {
				if (chan_drained(&pipe_))
					break;
				chan_readable(&c->take, &pipe_);
				CORO_AWAIT(co, &c->take);
			}
			if (chan_drained(&pipe_) && c->item == NULL)
				break;
		} else {
			chan_recv(&c->take, &pipe_);
			CORO_AWAIT(co, &c->take);
			if (!c->take.ok)
				break;
			c->item = c->take.item;
		}
		consume(c->item);
		c->item = NULL;
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "sends numbered items through a channel of two slots, three ways, to three consumers",
		.awaits = "the channel's coroutines to end",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.defaults = { .iters = 2000, .threads = 3, .seed = 1, .timeout_s = 10 },
	};
	struct coro_sched sched;
	long stuck;

	zoo_start(argc, argv, &program);
	if (zoo.iters * zoo.threads > MAX_ITEMS)
		zoo_usage_error("ZOO_ITERS times ZOO_THREADS is at most %d", MAX_ITEMS);
	coro_sched_init(&sched);
	chan_init(&pipe_, 2);
	producers_left = zoo.threads;
	for (long t = 0; t < zoo.threads; t++) {
		struct producer *p = coro_new(sizeof *p, produce, "producer");
		p->first = t * zoo.iters;
		p->way = (int)(t % 3);
		coro_spawn(&sched, &p->co);
	}
	for (int i = 0; i < CONSUMERS; i++) {
		struct consumer *c = coro_new(sizeof *c, consumer_body, "consumer");
		c->by_news = i == CONSUMERS - 1;
		coro_spawn(&sched, &c->co);
	}
	stuck = coro_run(&sched);
	if (stuck != 0)
		zoo_finish(ZOO_HANG, "%ld coroutines are suspended and nothing will wake them", stuck);
	if (received != zoo.iters * zoo.threads || pipe_.count != 0 || pipe_.reserved != 0)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld items arrived; %d left in the channel, %d slots reserved",
			   received, zoo.iters * zoo.threads, pipe_.count, pipe_.reserved);
	chan_free(&pipe_);
	zoo_finish(ZOO_CLEAN, "all %ld items arrived once each, %ld resumes", received, atomic_load(&sched.resumes));
}
