/*
 * act2-coroutines/runtime/chain.c: the trampoline and destroy. A coroutine
 * awaits a child that awaits a child, ZOO_ITERS deep; each adds one to its
 * child's result. Symmetric transfer must run the whole chain in the same
 * few hundred bytes of stack at any depth. Then two chains of three wait on
 * a channel nobody sends to, and are destroyed from the top, one as it
 * waits, one woken but not yet resumed: every frame must be freed, and the
 * wait list and the ready queue left empty.
 * Expect: tsan=clean asan=clean memcheck=clean stress=clean
 * Knobs: memcheck ZOO_ITERS=20000
 */
#include "zoo.h"
#include "coro.h"

#define STACK_BOUND 4096

static char *stack_base;
static long stack_used;
static struct chan silent;

struct link {
	struct coro co;
	long depth, result;
	struct link *child;
	struct coro_awaiter wait;
};

static struct coro *count_down(struct coro *co)
{
	struct link *f = (struct link *)co;
	char here;

	if (stack_base - &here > stack_used)
		stack_used = stack_base - &here;
	CORO_BEGIN(co);
	if (f->depth == 0) {
		f->result = 1;
	} else {
		f->child = coro_new(sizeof *f->child, count_down, "link");
		f->child->depth = f->depth - 1;
		CORO_AWAIT_CORO(co, f->child);
		f->result = f->child->result + 1;
		coro_destroy(&f->child->co);
	}
	CORO_END(co);
}

/* The same chain, whose last link waits on a channel for ever. */
static struct coro *wait_down(struct coro *co)
{
	struct link *f = (struct link *)co;

	CORO_BEGIN(co);
	if (f->depth == 0) {
		chan_recv(&f->wait, &silent);
		CORO_AWAIT(co, &f->wait);
	} else {
		f->child = coro_new(sizeof *f->child, wait_down, "link");
		f->child->depth = f->depth - 1;
		CORO_AWAIT_CORO(co, f->child);
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "awaits a chain of ZOO_ITERS coroutines, then destroys a suspended chain",
		.awaits = "the chain to end",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 1000000, .threads = 1, .seed = 1, .timeout_s = 20 },
	};
	struct coro_sched sched;
	struct link *top, *waiting[2];
	char base;

	zoo_start(argc, argv, &program);
	stack_base = &base;
	coro_sched_init(&sched);
	top = coro_new(sizeof *top, count_down, "chain");
	top->depth = zoo.iters;
	top->co.owned = true; /* main reads its result, then frees it */
	coro_spawn(&sched, &top->co);
	if (coro_run(&sched) != 0 || !top->co.done || top->result != zoo.iters + 1)
		zoo_finish(ZOO_INVARIANT, "the chain of %ld ended with %ld", zoo.iters, top->result);
	coro_destroy(&top->co);
	if (stack_used > STACK_BOUND)
		zoo_finish(ZOO_INVARIANT, "%ld awaits deep used %ld bytes of stack", zoo.iters, stack_used);

	/* Two chains wait on a silent channel. The first is destroyed as it
	 * waits; the second once the channel's close has woken it, before it
	 * runs. Neither may be resumed after (ASan and memcheck would see it). */
	chan_init(&silent, 1);
	for (int i = 0; i < 2; i++) {
		waiting[i] = coro_new(sizeof *waiting[i], wait_down, "waiting");
		waiting[i]->depth = 2;
		waiting[i]->co.owned = true;
		coro_spawn(&sched, &waiting[i]->co);
	}
	if (coro_run(&sched) != 2 || silent.readers.first == NULL)
		zoo_finish(ZOO_INVARIANT, "the waiting chains are not waiting on the channel");
	coro_destroy(&waiting[0]->co);
	chan_close(&silent);
	coro_destroy(&waiting[1]->co);
	if (silent.readers.first != NULL || sched.head != NULL)
		zoo_finish(ZOO_INVARIANT, "a destroyed chain is still in a wait list or the ready queue");
	if (coro_run(&sched) != 0)
		zoo_finish(ZOO_INVARIANT, "the destroyed chains still count as suspended");
	chan_free(&silent);
	zoo_finish(ZOO_CLEAN, "%ld awaits deep in %ld bytes of stack; suspended chains destroyed", zoo.iters,
		   stack_used);
}
