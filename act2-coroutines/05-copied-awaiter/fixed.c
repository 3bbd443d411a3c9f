/*
 * act2-coroutines/05-copied-awaiter/fixed.c: a producer coroutine sends
 * ZOO_ITERS numbered items through a channel of one slot to two consumer
 * coroutines, which start each receive with a small helper.
 * Rule R5: one owner per resource: a frame must outlive everything that points into it.
 * Fix: the awaiter lives in the consumer's frame, and the helper is given
 *      its address: what the wait list holds is the awaiter itself, alive
 *      until the consumer is resumed. The helper hands back an opaque
 *      handle, a type never defined, so that a copy does not compile.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=2; asan ASAN_OPTIONS=detect_stack_use_after_return=1
 * Demo: asan
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define MAX_ITEMS 100000

static struct chan mailbox;
static struct consumer *consumers[2];
static unsigned char seen[MAX_ITEMS];
static long received;

struct producer {
	struct coro co;
	long i;
	struct coro_awaiter put;
};

/* A started receive, handled by pointer only: never defined, so that
 * `struct receive copy = *r;` does not compile. */
struct receive;

struct consumer {
	struct coro co;
	struct coro_awaiter slot;
	struct receive *take;
};

/* Starts a receive from ch for co in aw: done at once, or registered to wait. */
static struct receive *start_receive(struct coro_awaiter *aw, struct coro *co, struct chan *ch)
{
	chan_recv(aw, ch);
	aw->waiter = co;
	if (!aw->ready(aw))
		aw->suspend(aw);
	return (struct receive *)aw; /* FIX(R5): the awaiter itself, by address */
}

static struct coro_awaiter *awaiter_of(struct receive *r)
{
	return (struct coro_awaiter *)r;
}

static struct coro *produce(struct coro *co)
{
	struct producer *p = (struct producer *)co;

	CORO_BEGIN(co);
	for (p->i = 0; p->i < zoo.iters; p->i++) {
		zoo_step("sends an item");
		chan_send(&p->put, &mailbox, (void *)(intptr_t)(p->i + 1));
		CORO_AWAIT(co, &p->put);
	}
	chan_close(&mailbox);
	CORO_END(co);
}

static struct coro *consume(struct coro *co)
{
	struct consumer *c = (struct consumer *)co;

	CORO_BEGIN(co);
	for (;;) {
		zoo_step("starts a receive");
		c->take = start_receive(&c->slot, co, &mailbox); /* FIX(R5): the awaiter stays in the frame */
		if (awaiter_of(c->take)->list != NULL)           /* registered: wait until woken */
			CORO_SUSPEND(co);
		if (!awaiter_of(c->take)->ok)
			break;
		long n = (long)(intptr_t)awaiter_of(c->take)->item;
		if (n < 1 || n > zoo.iters || seen[n - 1]++)
			zoo_finish(ZOO_INVARIANT, "a consumer was woken with item %ld, sent %s", n, n < 1 || n > zoo.iters ? "never" : "once");
		received++;
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "sends ZOO_ITERS items through a channel of one slot to two consumers",
		.awaits = "the consumers to end",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 20, .threads = 1, .seed = 1, .timeout_s = 4 },
	};
	struct coro_sched sched;
	long stuck;

	zoo_start(argc, argv, &program);
	if (zoo.iters > MAX_ITEMS)
		zoo_usage_error("ZOO_ITERS is at most %d", MAX_ITEMS);
	zoo_show(received);
	coro_sched_init(&sched);
	chan_init(&mailbox, 1);
	for (int i = 0; i < 2; i++) {
		consumers[i] = coro_new(sizeof *consumers[i], consume, "consumer");
		consumers[i]->co.owned = true; /* main frees them, after the run */
		coro_spawn(&sched, &consumers[i]->co);
	}
	coro_spawn(&sched, coro_new(sizeof(struct producer), produce, "producer"));
	stuck = coro_run(&sched);
	if (stuck != 0)
		zoo_finish(ZOO_HANG, "%ld coroutines wait on the mailbox and nothing will wake them", stuck);
	if (received != zoo.iters)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld items received", received, zoo.iters);
	for (int i = 0; i < 2; i++)
		coro_destroy(&consumers[i]->co);
	chan_free(&mailbox);
	zoo_finish(ZOO_CLEAN, "%ld of %ld items received, each exactly once", received, zoo.iters);
}
