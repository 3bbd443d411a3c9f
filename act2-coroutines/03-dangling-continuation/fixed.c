/*
 * act2-coroutines/03-dangling-continuation/fixed.c: ZOO_ITERS request
 * coroutines each await a lookup, a child coroutine that waits for the
 * server's answer and writes it into its request's frame; a deadline
 * coroutine cancels every request still waiting when its time is up.
 * Rule R5: one owner per resource: a frame must outlive everything that points into it.
 * Fix: the deadline destroys a waiting request with coro_destroy, which
 *      destroys the lookup it awaits first: its way back to the request is
 *      cut and it leaves the channel's wait list, so nothing is left that
 *      points into the freed frame, and the late answer finds nobody.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=2
 * Demo: asan
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define MAX_REQUESTS 1000
#define DEADLINE_TURNS 2 /* the deadline passes after this many turns of the scheduler */

struct lookup;

struct request {
	struct coro co;
	long id;
	long answer;
	struct lookup *lookup;
};

struct lookup {
	struct coro co;
	long id;
	struct request *request; /* where the answer goes */
	struct coro_awaiter reply;
};

static struct chan answers;
static struct request *waiting[MAX_REQUESTS]; /* the requests not yet answered */
static bool given_up[MAX_REQUESTS];          /* cancelled at the deadline: never to be answered */
static long answered, cancelled;

static struct coro *look_up(struct coro *co)
{
	struct lookup *f = (struct lookup *)co;

	CORO_BEGIN(co);
	chan_recv(&f->reply, &answers);
	CORO_AWAIT(co, &f->reply);
	zoo_step("hands the answer to its request");
	f->request->answer = (long)(intptr_t)f->reply.item;
	if (given_up[f->id])
		zoo_finish(ZOO_INVARIANT, "an answer came back to request %ld after its deadline", f->id + 1);
	CORO_END(co); /* and the request goes on */
}

static struct coro *serve_request(struct coro *co)
{
	struct request *r = (struct request *)co;

	CORO_BEGIN(co);
	r->lookup = coro_new(sizeof *r->lookup, look_up, "lookup");
	r->lookup->id = r->id;
	r->lookup->request = r;
	CORO_AWAIT_CORO(co, r->lookup);
	coro_destroy(&r->lookup->co);
	if (r->answer != 42)
		zoo_finish(ZOO_INVARIANT, "request %ld got the answer %ld", r->id, r->answer);
	answered++;
	waiting[r->id] = NULL;
	CORO_END(co);
}

struct server {
	struct coro co;
	long sent;
	struct coro_awaiter put;
};

/* The server is slow: one answer a turn. */
static struct coro *serve(struct coro *co)
{
	struct server *s = (struct server *)co;

	CORO_BEGIN(co);
	for (s->sent = 0; s->sent < zoo.iters; s->sent++) {
		zoo_step("sends an answer");
		chan_send(&s->put, &answers, (void *)(intptr_t)42);
		CORO_AWAIT(co, &s->put);
		CORO_YIELD(co);
	}
	CORO_END(co);
}

/* A request that waits past its deadline is given up. */
static void cancel(struct request *r)
{
	coro_destroy(&r->co); /* FIX(R5): the lookup it awaits goes first, cut off from it */
}

struct deadline {
	struct coro co;
	long turn;
};

static struct coro *enforce_deadline(struct coro *co)
{
	struct deadline *d = (struct deadline *)co;

	CORO_BEGIN(co);
	for (d->turn = 0; d->turn < DEADLINE_TURNS; d->turn++)
		CORO_YIELD(co);
	for (long i = 0; i < zoo.iters; i++) {
		if (waiting[i] == NULL)
			continue;
		zoo_step("cancels a request past its deadline");
		cancel(waiting[i]);
		waiting[i] = NULL;
		given_up[i] = true;
		cancelled++;
	}
	CORO_END(co);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "serves ZOO_ITERS requests, each through a lookup, and cancels those past a deadline",
		.awaits = "the requests to be answered or cancelled",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 4, .threads = 1, .seed = 1, .timeout_s = 4 },
	};
	struct coro_sched sched;
	long stuck;

	zoo_start(argc, argv, &program);
	if (zoo.iters > MAX_REQUESTS)
		zoo_usage_error("ZOO_ITERS is at most %d", MAX_REQUESTS);
	zoo_show(answered);
	zoo_show(cancelled);
	coro_sched_init(&sched);
	chan_init(&answers, (int)zoo.iters);
	for (long i = 0; i < zoo.iters; i++) {
		struct request *r = coro_new(sizeof *r, serve_request, "request");
		r->id = i;
		waiting[i] = r;
		coro_spawn(&sched, &r->co);
	}
	coro_spawn(&sched, coro_new(sizeof(struct server), serve, "server"));
	coro_spawn(&sched, coro_new(sizeof(struct deadline), enforce_deadline, "deadline"));
	stuck = coro_run(&sched);
	if (stuck != 0 || answered + cancelled != zoo.iters)
		zoo_finish(ZOO_INVARIANT, "%ld requests answered, %ld cancelled, %ld left suspended", answered, cancelled,
			   stuck);
	chan_free(&answers);
	zoo_finish(ZOO_CLEAN, "%ld requests answered, %ld cancelled at the deadline and never heard of again",
		   answered, cancelled);
}
