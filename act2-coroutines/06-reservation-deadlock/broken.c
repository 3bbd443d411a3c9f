/*
 * act2-coroutines/06-reservation-deadlock/broken.c: two producers send
 * messages of two parts, a header and a body, through a queue of two slots to
 * one consumer, on the single-threaded scheduler; each part's slot is
 * reserved (a ticket), then the part is made and committed into it.
 * Rule R3: locks guard data, not time.
 * Bug: a producer takes the header's ticket, then waits for the body's while
 *      it holds the first. Once each producer holds one of the two slots,
 *      both wait for a second, and the consumer finds nothing committed.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=hang os=hang explore=hang
 * Knobs: explore ZOO_ITERS=2
 * Demo: explore
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define PRODUCERS 2

/* A slot of the queue, reserved: open until a part is committed into it. */
struct ticket {
	struct coro_awaiter wait;
	bool open;
};

/* Wait for a slot of q, and hold it in t (one suspension: one a line). */
#define TICKET_TAKE(co, t, q)                                          \
	do {                                                           \
		chan_reserve(&(t)->wait, (q));                         \
		CORO_AWAIT((co), &(t)->wait);                          \
		(t)->open = true;                                      \
	} while (0)

static void ticket_commit(struct ticket *t, struct chan *q, long part)
{
	if (!t->open)
		zoo_finish(ZOO_INVARIANT, "a part committed into a slot nobody reserved");
	t->open = false;
	zoo_step("commits a part into its slot");
	chan_commit(q, (void *)(intptr_t)(part + 1));
}

static struct chan queue;
static long next_part[PRODUCERS], parts_taken, producers_left = PRODUCERS;

struct producer {
	struct coro co;
	int id;
	long message;
	struct ticket header, body;
};

struct consumer {
	struct coro co;
	struct coro_awaiter take;
};

/* Part k (0: header, 1: body) of a producer's message, as one number. */
static long part_of(const struct producer *p, int k)
{
	return (p->message * 2 + k) * PRODUCERS + p->id;
}

static struct coro *produce(struct coro *co)
{
	struct producer *p = (struct producer *)co;

	CORO_BEGIN(co);
	for (p->message = 0; p->message < zoo.iters; p->message++) {
		zoo_step("reserves a slot");
		TICKET_TAKE(co, &p->header, &queue);
		zoo_step("reserves a slot");
		TICKET_TAKE(co, &p->body, &queue); /* BUG(R3): waits for a slot while it holds one */
		ticket_commit(&p->header, &queue, part_of(p, 0));
		ticket_commit(&p->body, &queue, part_of(p, 1));
	}
	if (--producers_left == 0)
		chan_close(&queue);
	CORO_END(co);
}

static struct coro *consume(struct coro *co)
{
	struct consumer *c = (struct consumer *)co;

	CORO_BEGIN(co);
	for (;;) {
		chan_recv(&c->take, &queue);
		CORO_AWAIT(co, &c->take);
		if (!c->take.ok)
			break;
		zoo_step("takes a part");
		long part = (intptr_t)c->take.item - 1;
		if (part / PRODUCERS != next_part[part % PRODUCERS]++)
			zoo_finish(ZOO_INVARIANT, "producer %ld's part %ld came out of order", part % PRODUCERS + 1,
				   part / PRODUCERS);
		parts_taken++;
	}
	CORO_END(co);
}

/* Who waits for what, for the one line that ends a stuck run. */
static void describe_waiters(char *text, size_t size)
{
	int len = snprintf(text, size, "the queue holds %d parts and %d reserved slots", queue.count, queue.reserved);

	for (struct coro_awaiter *aw = queue.writers.first; aw != NULL && len < (int)size; aw = aw->next) {
		struct producer *p = (struct producer *)aw->waiter;
		len += snprintf(text + len, size - len, "; producer %d waits for a slot, holding %d", p->id + 1,
				p->header.open + p->body.open);
	}
	for (struct coro_awaiter *aw = queue.readers.first; aw != NULL && len < (int)size; aw = aw->next)
		len += snprintf(text + len, size - len, "; the %s waits for a part", aw->waiter->name);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "sends ZOO_ITERS messages of two parts from each of two producers through a queue of two slots",
		.awaits = "the consumer to take every part",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 100, .threads = 3, .seed = 1, .timeout_s = 10 },
	};
	struct coro_sched sched;
	char waiting[512];
	long stuck;

	zoo_start(argc, argv, &program);
	zoo_show(queue.count);
	zoo_show(queue.reserved);
	coro_sched_init(&sched);
	chan_init(&queue, 2);
	for (int i = 0; i < PRODUCERS; i++) {
		struct producer *p = coro_new(sizeof *p, produce, "producer");
		p->id = i;
		coro_spawn(&sched, &p->co);
	}
	coro_spawn(&sched, coro_new(sizeof(struct consumer), consume, "consumer"));
	stuck = coro_run(&sched);
	if (stuck != 0) {
		describe_waiters(waiting, sizeof waiting);
		zoo_finish(ZOO_HANG, "%ld coroutines wait for each other: %s", stuck, waiting);
	}
	if (parts_taken != 2 * PRODUCERS * zoo.iters || queue.reserved != 0)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld parts taken; %d slots still reserved", parts_taken,
			   2 * PRODUCERS * zoo.iters, queue.reserved);
	chan_free(&queue);
	zoo_finish(ZOO_CLEAN, "the consumer took all %ld parts, each producer's in order", parts_taken);
}
