/*
 * act2-coroutines/01-resume-is-not-delivery/broken.c: a producer coroutine
 * sends numbered messages, each on the heap, through a channel of one slot;
 * two consumer coroutines wait for news on it and take what comes.
 * Rule R1: a wakeup is a hint to re-check, not a delivery.
 * Bug: a consumer woken by the channel's news takes the message for granted.
 *      The other consumer, resumed first, has taken it already (or the
 *      channel has closed): the take fails, and the woken consumer goes on
 *      with the message it consumed and freed the time before.
 * Expect: tsan=report helgrind=missed drd=missed asan=report memcheck=report stress=invariant os=missed explore=invariant
 * Knobs: explore ZOO_ITERS=4
 * Demo: asan
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define MAX_MESSAGES 100000

struct message {
	long number;
	long value;
};

static struct chan mailbox;
static unsigned char taken[MAX_MESSAGES]; /* how often each message was consumed */
static long consumed, total;

struct producer {
	struct coro co;
	long i;
	struct coro_awaiter put;
};

struct consumer {
	struct coro co;
	struct coro_awaiter news;
	struct message *msg;
	long handled;
};

static void consume(struct message *msg)
{
	if (msg == NULL || msg->number < 0 || msg->number >= zoo.iters || taken[msg->number]++)
		zoo_finish(ZOO_INVARIANT, "a message consumed twice, or one never sent");
	total += msg->value;
	consumed++;
	free(msg);
}

static struct coro *produce(struct coro *co)
{
	struct producer *p = (struct producer *)co;

	CORO_BEGIN(co);
	for (p->i = 0; p->i < zoo.iters; p->i++) {
		struct message *msg = malloc(sizeof *msg);
		if (msg == NULL)
			zoo_die_errno("malloc");
		*msg = (struct message){ .number = p->i, .value = p->i + 1 };
		zoo_step("sends a message");
		chan_send(&p->put, &mailbox, msg);
		CORO_AWAIT(co, &p->put);
		CORO_YIELD(co); /* one message at a time: the consumers go first */
	}
	zoo_step("closes the mailbox");
	chan_close(&mailbox);
	CORO_END(co);
}

static struct coro *consume_all(struct coro *co)
{
	struct consumer *c = (struct consumer *)co;

	CORO_BEGIN(co);
	while (!chan_drained(&mailbox)) {
		zoo_step("waits for news of a message");
		chan_readable(&c->news, &mailbox);
		CORO_AWAIT(co, &c->news);
		zoo_step("takes a message");
		chan_try_recv(&mailbox, (void **)&c->msg); /* BUG(R1): woken, so a message is taken for granted */
		consume(c->msg);                            /* BUG(R1): whatever the take left there */
		if (++c->handled % 2 == 0)
			CORO_YIELD(co); /* every second message, the others get a turn */
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "sends ZOO_ITERS messages through a channel of one slot to two consumers",
		.awaits = "the consumers to end",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 20, .threads = 1, .seed = 1, .timeout_s = 4 },
	};
	struct coro_sched sched;
	long stuck;

	zoo_start(argc, argv, &program);
	if (zoo.iters > MAX_MESSAGES)
		zoo_usage_error("ZOO_ITERS is at most %d", MAX_MESSAGES);
	zoo_show(consumed);
	coro_sched_init(&sched);
	chan_init(&mailbox, 1);
	for (int i = 0; i < 2; i++)
		coro_spawn(&sched, coro_new(sizeof(struct consumer), consume_all, "consumer"));
	coro_spawn(&sched, coro_new(sizeof(struct producer), produce, "producer"));
	stuck = coro_run(&sched);
	if (stuck != 0)
		zoo_finish(ZOO_HANG, "%ld coroutines wait on the mailbox and nothing will wake them", stuck);
	if (consumed != zoo.iters || total != zoo.iters * (zoo.iters + 1) / 2)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld messages consumed, total %ld", consumed, zoo.iters, total);
	chan_free(&mailbox);
	zoo_finish(ZOO_CLEAN, "%ld of %ld messages consumed, each exactly once, total %ld", consumed, zoo.iters,
		   total);
}
