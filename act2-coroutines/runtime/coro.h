/*
 * act2-coroutines/runtime/coro.h: the act's coroutine runtime, the smallest
 * one with C++20's model. An exhibit includes zoo.h, then this file.
 *
 * FRAMES. A coroutine is a function `struct coro *body(struct coro *)` and a
 * frame on the heap whose first member is a `struct coro`; the rest of the
 * frame holds the coroutine's variables, so they survive a suspension (a C
 * local does not: the body returns at every suspension). The body starts
 * with CORO_BEGIN, which jumps to where it last suspended (`resume_at`, the
 * __LINE__ of that suspension: the protothreads technique), and ends with
 * CORO_END. Pitfalls of the technique: never suspend inside a switch of your
 * own (its case labels would take the jump), and never put two suspensions
 * on one line (the same __LINE__ twice).
 *
 * A frame's life:  new --coro_spawn/CORO_AWAIT_CORO--> running
 *   running --suspends at an awaiter--> suspended --woken--> ready --resumed--> running
 *   running --CORO_END--> done: final_suspend says who runs next
 *
 * RESUMING. coro_resume(frame) is a trampoline: it runs a body until it
 * suspends, and if the body hands it another frame to run (symmetric
 * transfer: awaiting a child, or a child's end handing back to its parent),
 * runs that one next, in the same loop. The stack stays the same depth
 * however long the chain of awaits is.
 *
 * AWAITING. An awaiter is C++20's protocol in three function pointers:
 *   ready(aw)    may the coroutine go on without suspending? (done at once)
 *   suspend(aw)  it is about to suspend: register aw->waiter where it will be
 *                woken; false means "go on after all" (the event came
 *                meanwhile). Once registered, another worker may resume the
 *                frame at any moment: nobody touches it after that.
 *   resume(aw)   on the way back, before the coroutine goes on (may be NULL)
 * CORO_AWAIT(co, aw) runs the protocol; aw must be reachable from the frame
 * (`&f->in`), since it is evaluated again after the resume. A registered
 * awaiter holds its own address in `self`; the one who fires it checks it.
 *
 * SCHEDULING. coro_spawn() makes a frame ready on a scheduler; coro_wake()
 * makes a suspended one ready again. A scheduler is single-threaded
 * (coro_run: one thread resumes the ready frames, first come first served,
 * until none is ready), or M:N (coro_pool_run: N worker threads share the
 * ready queue; a worker with nothing to do parks, see below). Under zoo's
 * scheduler (zoo trace, play, explore) the single-threaded scheduler's
 * choice of which ready frame it resumes is a marked step: the player picks.
 *
 * Its checks end the run with zoo_finish_at(0, ...): line 0, for a line of
 * the runtime is none of the program's (a trace then names no line).
 *
 * THE CHANNEL. A bounded queue of pointers with a lock, so both schedulers
 * can use it. chan_recv and chan_send are awaiters that deliver: a receiver
 * that waits is handed the item by the sender itself, so its resume is its
 * delivery. chan_readable only waits for news (an item came, or the channel
 * closed): whoever runs first may take the item. chan_reserve takes a slot
 * for later (a ticket), which chan_commit fills or chan_release gives back.
 */
#ifndef CORO_H
#define CORO_H
#include "zoo.h" /* already included by the program; for an editor that opens this file alone */
#include <linux/futex.h>
#include <sys/syscall.h>

struct coro;
struct coro_sched;
typedef struct coro *coro_body(struct coro *);

struct coro {
	const char *name;
	coro_body *body;
	int resume_at;                 /* the line it suspended at; 0: not started */
	bool done;
	bool queued;                   /* in its scheduler's ready queue */
	bool owned;                    /* freed by whoever awaited it, not at its end */
	bool counted;                  /* spawned, not yet ended: one of its scheduler's live */
	struct coro *continuation;     /* the frame awaiting its end, if any */
	struct coro *awaiting;         /* the child frame it awaits, if any */
	struct coro_awaiter *parked;   /* the awaiter it is suspended on, if any */
	coro_body *final_suspend;      /* who runs after its end; NULL: coro_final_transfer */
	struct coro_sched *sched;
	struct coro *next;             /* in a ready queue */
	int actor;                     /* its column in zoo's scheduler; -1: none */
};

/* A frame of `size` bytes (a struct whose first member is a struct coro). */
static ZOO_UNUSED void *coro_new(size_t size, coro_body *body, const char *name)
{
	struct coro *co = calloc(1, size);

	if (co == NULL)
		zoo_die_errno("calloc(a coroutine frame)");
	*co = (struct coro){ .name = name, .body = body, .actor = -1 };
	return co;
}

#define CORO_BEGIN(co) switch ((co)->resume_at) { case 0:
#define CORO_END(co) } (co)->done = true; return (co)->final_suspend ? (co)->final_suspend(co) : coro_final_transfer(co)

/* Suspend until coro_wake(co): back to the scheduler. */
#define CORO_SUSPEND(co) do { (co)->resume_at = __LINE__; zoo_coroutine_suspends(__LINE__); return NULL; case __LINE__:; } while (0)

/* Let every other ready coroutine run first. */
#define CORO_YIELD(co) do { (co)->resume_at = __LINE__; zoo_coroutine_suspends(__LINE__); coro_wake(co); return NULL; case __LINE__:; } while (0)

#define CORO_AWAIT(co, aw)                                      \
	do {                                                    \
		(aw)->waiter = (co);                            \
		if (!(aw)->ready(aw)) {                         \
			(co)->resume_at = __LINE__;             \
			if ((aw)->suspend(aw)) {                \
				zoo_coroutine_suspends(__LINE__); \
				return NULL;                    \
			}                                       \
		case __LINE__:;                                 \
		}                                               \
		(co)->parked = NULL;                            \
		if ((aw)->resume != NULL)                       \
			(aw)->resume(aw);                       \
	} while (0)

/* Start `child` and suspend until it ends: symmetric transfer both ways.
 * The awaiting frame owns the child: it reads its result, then destroys it. */
#define CORO_AWAIT_CORO(co, child)                              \
	do {                                                    \
		coro_adopt((co), (struct coro *)(child));        \
		(co)->resume_at = __LINE__;                     \
		return (struct coro *)(child);                  \
	case __LINE__:;                                         \
		(co)->awaiting = NULL;                          \
	} while (0)

static ZOO_UNUSED void coro_adopt(struct coro *parent, struct coro *child)
{
	child->continuation = parent;
	child->owned = true;
	child->sched = parent->sched;
	child->actor = parent->actor; /* one chain of awaits is one column */
	parent->awaiting = child;
}

/* The trampoline: run co, then each frame a body hands on, in one loop. */
static ZOO_UNUSED void coro_resume(struct coro *co)
{
	while (co != NULL) {
		zoo_progress();
		co = co->body(co);
	}
}

static void coro_retire(struct coro *co);

/* C++20's symmetric transfer at a coroutine's end: hand the parent to the
 * trampoline, which resumes it without a frame of C stack more. */
static struct coro *coro_final_transfer(struct coro *co)
{
	struct coro *parent = co->continuation;

	if (parent == NULL)
		coro_retire(co);
	return parent;
}

/* ---- awaiters and wait lists ---- */

struct coro_awaiter {
	bool (*ready)(struct coro_awaiter *);
	bool (*suspend)(struct coro_awaiter *);
	void (*resume)(struct coro_awaiter *);
	struct coro *waiter;
	struct coro_awaiter *next, *self;  /* in a wait list: its own address */
	struct coro_waitlist *list;        /* the list it is in, if any */
	void *object;                      /* what it awaits: a channel */
	void *item;                        /* an item given or taken */
	bool ok;                           /* false: the channel closed instead */
	int kind;                          /* which operation, for the awaited object */
};

struct coro_waitlist {
	struct coro_awaiter *first, *last;
	pthread_mutex_t *lock;             /* the lock that guards it, held by whoever changes it */
};

static void coro_wait_in(struct coro_waitlist *list, struct coro_awaiter *aw)
{
	aw->self = aw;
	aw->next = NULL;
	aw->list = list;
	aw->waiter->parked = aw;
	if (list->last)
		list->last->next = aw;
	else
		list->first = aw;
	list->last = aw;
}

/* The first awaiter of the list, taken out (not yet woken), or NULL. */
static struct coro_awaiter *coro_wait_first(struct coro_waitlist *list)
{
	struct coro_awaiter *aw = list->first;

	if (aw == NULL)
		return NULL;
	if (aw->self != aw) {
		if (list->lock != NULL) /* the run ends: no thread may die holding it */
			zoo_check(pthread_mutex_unlock(list->lock));
		zoo_finish_at(0, ZOO_INVARIANT, "a wait list holds an awaiter that has moved since it was registered");
	}
	list->first = aw->next;
	if (list->first == NULL)
		list->last = NULL;
	aw->list = NULL;
	aw->self = NULL;
	return aw;
}

static void coro_wait_remove(struct coro_awaiter *aw)
{
	struct coro_awaiter **at = &aw->list->first, *before = NULL;

	while (*at != aw) {
		before = *at;
		at = &(*at)->next;
	}
	*at = aw->next;
	if (aw->list->last == aw)
		aw->list->last = before;
	aw->list = NULL;
}

/* ---- the schedulers ---- */

enum coro_worker_state { CORO_RUNNING, CORO_ABOUT_TO_PARK, CORO_PARKED };
#define CORO_WORKERS 8

struct coro_worker {
	_Atomic int state;                 /* enum coro_worker_state, and the futex word */
	pthread_t thread;
	struct coro_sched *sched;
};

struct coro_sched {
	pthread_mutex_t lock;              /* guards the ready queue */
	struct coro *head, *tail;
	atomic_long live;                  /* spawned frames not yet at their end */
	atomic_long resumes;
	int workers;                       /* 0: single-threaded */
	struct coro_worker worker[CORO_WORKERS];
	void (*park)(struct coro_worker *);  /* NULL: coro_park */
	void (*notify)(struct coro_sched *); /* NULL: coro_notify */
	atomic_bool stopping;
};

static void coro_sched_init(struct coro_sched *s)
{
	*s = (struct coro_sched){ .workers = 0 };
	zoo_check(pthread_mutex_init(&s->lock, NULL));
}

static void coro_notify(struct coro_sched *s);

/* Make a suspended (or new) frame ready: to the back of its scheduler's queue. */
static ZOO_UNUSED void coro_wake(struct coro *co)
{
	struct coro_sched *s = co->sched;

	co->next = NULL;
	zoo_check(pthread_mutex_lock(&s->lock));
	co->queued = true;
	if (s->tail)
		s->tail->next = co;
	else
		s->head = co;
	s->tail = co;
	zoo_check(pthread_mutex_unlock(&s->lock));
	if (s->workers > 0)
		(s->notify ? s->notify : coro_notify)(s);
}

static ZOO_UNUSED void coro_spawn(struct coro_sched *s, struct coro *co)
{
	co->sched = s;
	co->counted = true;
	atomic_fetch_add(&s->live, 1);
	if (zoo_sched_on)
		co->actor = zoo_coroutine(co->name);
	coro_wake(co);
}

static void coro_destroy(struct coro *co);
static void coro_unqueue(struct coro *co);

static void coro_retire(struct coro *co)
{
	struct coro_sched *s = co->sched;

	zoo_coroutine_ended(co->actor);
	co->counted = false;
	if (!co->owned)
		coro_destroy(co);
	atomic_fetch_sub(&s->live, 1); /* the frame is not touched after this */
}

/* Free a frame, done or suspended. First the chain of frames it awaits,
 * each one's back-pointer severed, and each taken out of any wait list or
 * ready queue, so that nothing can resume into freed memory (C++20: a
 * task's destructor destroys the child frame it owns). A spawned frame
 * destroyed before its end no longer counts as suspended. */
static ZOO_UNUSED void coro_destroy(struct coro *co)
{
	if (co->awaiting != NULL) {
		co->awaiting->continuation = NULL;
		coro_destroy(co->awaiting);
	}
	if (co->parked != NULL && co->parked->list != NULL) {
		pthread_mutex_t *lock = co->parked->list->lock;
		if (lock != NULL)
			zoo_check(pthread_mutex_lock(lock));
		coro_wait_remove(co->parked); /* under the list's lock, as every change of it */
		if (lock != NULL)
			zoo_check(pthread_mutex_unlock(lock));
	}
	if (co->queued)
		coro_unqueue(co);
	if (co->counted) { /* a spawned frame destroyed before its end */
		zoo_coroutine_ended(co->actor);
		atomic_fetch_sub(&co->sched->live, 1);
	}
	free(co);
}

/* The ready frame to resume next: the queue's first, or under zoo's
 * scheduler the one the schedule picks (a choice of who moves). */
static struct coro *coro_take_ready(struct coro_sched *s)
{
	struct coro **at = &s->head, *before = NULL, *co;

	zoo_check(pthread_mutex_lock(&s->lock));
	if (zoo_sched_on && s->workers == 0 && s->head != NULL) {
		int ready[ZOO_SCHED_THREADS], lines[ZOO_SCHED_THREADS], n = 0, pick;
		for (co = s->head; co != NULL && n < ZOO_SCHED_THREADS; co = co->next) {
			ready[n] = co->actor;
			lines[n++] = co->resume_at;
		}
		pick = zoo_resume_choice(ready, lines, n);
		for (int i = 0; i < pick; i++) {
			before = *at;
			at = &(*at)->next;
		}
	}
	co = *at;
	if (co != NULL) {
		*at = co->next;
		if (s->tail == co)
			s->tail = before;
		co->queued = false;
	}
	zoo_check(pthread_mutex_unlock(&s->lock));
	return co;
}

/* Take a frame out of the ready queue it waits in, if any. */
static void coro_unqueue(struct coro *co)
{
	struct coro_sched *s = co->sched;
	struct coro **at, *before = NULL;

	zoo_check(pthread_mutex_lock(&s->lock));
	for (at = &s->head; co->queued && *at != co; at = &(*at)->next)
		before = *at;
	if (co->queued) {
		*at = co->next;
		if (s->tail == co)
			s->tail = before;
		co->queued = false;
	}
	zoo_check(pthread_mutex_unlock(&s->lock));
}

/* Single-threaded: resume ready frames until none is. Returns how many
 * spawned frames are suspended for ever (0: all ended). */
static ZOO_UNUSED long coro_run(struct coro_sched *s)
{
	struct coro *co;

	while ((co = coro_take_ready(s)) != NULL) {
		atomic_fetch_add(&s->resumes, 1);
		coro_resume(co);
		zoo_resume_back();
	}
	return atomic_load(&s->live);
}

/* ---- M:N: workers, and how one parks ----
 * A worker's state:   RUNNING --queue empty--> ABOUT_TO_PARK --CAS--> PARKED
 *                     ABOUT_TO_PARK --a notifier's CAS--> RUNNING (no sleep)
 *                     PARKED --a notifier's CAS, then futex wake--> RUNNING
 * A notifier (after making a frame ready) claims one ABOUT_TO_PARK worker
 * by CAS, else wakes one PARKED worker: a worker about to park can never
 * miss the work, since the CAS that would park it fails. */

static long coro_futex(_Atomic int *word, int op, int value)
{
	return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static ZOO_UNUSED void coro_notify(struct coro_sched *s)
{
	for (int i = 0; i < s->workers; i++) {
		int about = CORO_ABOUT_TO_PARK;
		if (atomic_compare_exchange_strong(&s->worker[i].state, &about, CORO_RUNNING))
			return;
	}
	for (int i = 0; i < s->workers; i++) {
		int parked = CORO_PARKED;
		if (atomic_compare_exchange_strong(&s->worker[i].state, &parked, CORO_RUNNING)) {
			coro_futex(&s->worker[i].state, FUTEX_WAKE_PRIVATE, 1);
			return;
		}
	}
}

static bool coro_has_ready(struct coro_sched *s)
{
	zoo_check(pthread_mutex_lock(&s->lock));
	bool any = s->head != NULL;
	zoo_check(pthread_mutex_unlock(&s->lock));
	return any || atomic_load(&s->stopping);
}

static ZOO_UNUSED void coro_park(struct coro_worker *w)
{
	int about = CORO_ABOUT_TO_PARK;

	atomic_store(&w->state, CORO_ABOUT_TO_PARK);
	for (int spin = 0; spin < 100; spin++) /* a little spinning first: work often comes soon */
		if (coro_has_ready(w->sched))
			break;
	if (coro_has_ready(w->sched) ||
	    !atomic_compare_exchange_strong(&w->state, &about, CORO_PARKED)) {
		atomic_store(&w->state, CORO_RUNNING); /* work came, or a notifier claimed us */
		return;
	}
	while (atomic_load(&w->state) == CORO_PARKED)
		coro_futex(&w->state, FUTEX_WAIT_PRIVATE, CORO_PARKED);
}

static void *coro_worker_main(void *arg)
{
	struct coro_worker *w = arg;
	struct coro_sched *s = w->sched;

	while (!atomic_load(&s->stopping)) {
		struct coro *co = coro_take_ready(s);
		if (co != NULL) {
			atomic_fetch_add(&s->resumes, 1);
			coro_resume(co);
		} else if (atomic_load(&s->live) == 0) {
			atomic_store(&s->stopping, true);
			for (int i = 0; i < s->workers; i++) {
				atomic_store(&s->worker[i].state, CORO_RUNNING);
				coro_futex(&s->worker[i].state, FUTEX_WAKE_PRIVATE, 1);
			}
		} else {
			(s->park ? s->park : coro_park)(w);
		}
	}
	return NULL;
}

/* M:N: `workers` threads resume the ready frames until every spawned frame
 * has ended (a frame suspended for ever leaves them parked: the watchdog's).
 * A scheduler runs M:N once: `workers` is written before any worker starts
 * and never again, so every thread may read it without a lock. */
static ZOO_UNUSED void coro_pool_run(struct coro_sched *s, int workers)
{
	if (workers < 1 || workers > CORO_WORKERS || s->workers != 0)
		zoo_finish_at(0, ZOO_USAGE, "an M:N scheduler runs once, with 1 to %d workers", CORO_WORKERS);
	if (zoo_sched_on)
		zoo_finish_at(0, ZOO_USAGE, "zoo's scheduler does not follow the M:N workers: they park in a futex");
	s->workers = workers;
	for (int i = 0; i < workers; i++) {
		s->worker[i].sched = s;
		atomic_store(&s->worker[i].state, CORO_RUNNING);
		zoo_thread_start(&s->worker[i].thread, coro_worker_main, &s->worker[i]);
	}
	for (int i = 0; i < workers; i++)
		zoo_thread_join(s->worker[i].thread);
}

/* ---- the bounded channel ---- */

enum chan_kind { CHAN_RECV, CHAN_NEWS, CHAN_SEND, CHAN_RESERVE };

struct chan {
	pthread_mutex_t lock;
	void **slot;
	int cap, head, count, reserved; /* count + reserved <= cap */
	bool closed;
	struct coro_waitlist readers;   /* CHAN_RECV and CHAN_NEWS awaiters */
	struct coro_waitlist writers;   /* CHAN_SEND and CHAN_RESERVE awaiters */
};

static ZOO_UNUSED void chan_init(struct chan *ch, int cap)
{
	*ch = (struct chan){ .cap = cap, .slot = calloc((size_t)cap, sizeof(void *)) };
	if (ch->slot == NULL)
		zoo_die_errno("calloc(a channel)");
	zoo_check(pthread_mutex_init(&ch->lock, NULL));
	ch->readers.lock = ch->writers.lock = &ch->lock;
}

static ZOO_UNUSED void chan_free(struct chan *ch)
{
	zoo_check(pthread_mutex_destroy(&ch->lock));
	free(ch->slot);
}

/* Take the first awaiter of a list and make its frame ready: it may run on
 * another worker from here on, so everything it needs is set first. */
static void chan_fire(struct coro_waitlist *list, void *item, bool ok)
{
	struct coro_awaiter *aw = coro_wait_first(list);

	if (aw->kind == CHAN_RECV)
		aw->item = item;
	aw->ok = ok;
	coro_wake(aw->waiter);
}

/* The rest of this section runs with ch->lock held. */

/* An item goes into a waiting receiver's hands, or into a slot. */
static void chan_put(struct chan *ch, void *item)
{
	struct coro_awaiter *first = ch->readers.first;

	if (first != NULL && first->kind == CHAN_RECV) {
		chan_fire(&ch->readers, item, true);
		return;
	}
	ch->slot[(ch->head + ch->count++) % ch->cap] = item;
	if (first != NULL)
		chan_fire(&ch->readers, NULL, true); /* news: an item is there, for now */
}

/* A slot is free: the first writer waiting gets it. */
static void chan_room_freed(struct chan *ch)
{
	struct coro_awaiter *first = ch->writers.first;

	if (first == NULL)
		return;
	if (first->kind == CHAN_SEND)
		chan_put(ch, first->item);
	else
		ch->reserved++;
	chan_fire(&ch->writers, NULL, true);
}

static bool chan_try_recv_locked(struct chan *ch, void **item)
{
	if (ch->count == 0)
		return false;
	*item = ch->slot[ch->head];
	ch->head = (ch->head + 1) % ch->cap;
	ch->count--;
	chan_room_freed(ch);
	return true;
}

/* One try of an awaiter's operation: true if it need not wait. */
static bool chan_try_locked(struct coro_awaiter *aw)
{
	struct chan *ch = aw->object;
	bool room = ch->count + ch->reserved < ch->cap;

	aw->ok = !ch->closed;
	switch (aw->kind) {
	case CHAN_RECV:
		return chan_try_recv_locked(ch, &aw->item) ? (aw->ok = true) : ch->closed;
	case CHAN_NEWS:
		return ch->count > 0 || ch->closed;
	case CHAN_SEND:
		if (!ch->closed && room)
			chan_put(ch, aw->item);
		return ch->closed || room;
	case CHAN_RESERVE:
		ch->reserved += !ch->closed && room;
		return ch->closed || room;
	}
	return true;
}

/* Its end: the lock is no longer held. */

static bool chan_ready(struct coro_awaiter *aw)
{
	struct chan *ch = aw->object;

	zoo_check(pthread_mutex_lock(&ch->lock));
	bool done = chan_try_locked(aw);
	zoo_check(pthread_mutex_unlock(&ch->lock));
	return done;
}

static bool chan_suspend(struct coro_awaiter *aw)
{
	struct chan *ch = aw->object;
	bool wait;

	zoo_check(pthread_mutex_lock(&ch->lock));
	wait = !chan_try_locked(aw); /* again: an event may have come since ready() */
	if (wait)
		coro_wait_in(aw->kind == CHAN_RECV || aw->kind == CHAN_NEWS ? &ch->readers : &ch->writers, aw);
	zoo_check(pthread_mutex_unlock(&ch->lock));
	return wait;
}

static void chan_awaiter(struct coro_awaiter *aw, struct chan *ch, int kind, void *item)
{
	*aw = (struct coro_awaiter){ .ready = chan_ready, .suspend = chan_suspend, .object = ch, .kind = kind, .item = item };
}

/* The awaiters. After the await, aw->ok is false if the channel had closed
 * (for chan_recv: closed and drained); chan_recv's item is aw->item. */
static ZOO_UNUSED void chan_recv(struct coro_awaiter *aw, struct chan *ch) { chan_awaiter(aw, ch, CHAN_RECV, NULL); }
static ZOO_UNUSED void chan_readable(struct coro_awaiter *aw, struct chan *ch) { chan_awaiter(aw, ch, CHAN_NEWS, NULL); }
static ZOO_UNUSED void chan_send(struct coro_awaiter *aw, struct chan *ch, void *item) { chan_awaiter(aw, ch, CHAN_SEND, item); }
static ZOO_UNUSED void chan_reserve(struct coro_awaiter *aw, struct chan *ch) { chan_awaiter(aw, ch, CHAN_RESERVE, NULL); }

/* Without waiting: false if there is no item now. */
static ZOO_UNUSED bool chan_try_recv(struct chan *ch, void **item)
{
	zoo_check(pthread_mutex_lock(&ch->lock));
	bool got = chan_try_recv_locked(ch, item);
	zoo_check(pthread_mutex_unlock(&ch->lock));
	return got;
}

/* A reserved slot: filled (commit) or given back (release), exactly once. */
static ZOO_UNUSED void chan_commit(struct chan *ch, void *item)
{
	zoo_check(pthread_mutex_lock(&ch->lock));
	ch->reserved--;
	chan_put(ch, item);
	zoo_check(pthread_mutex_unlock(&ch->lock));
}

static ZOO_UNUSED void chan_release(struct chan *ch)
{
	zoo_check(pthread_mutex_lock(&ch->lock));
	ch->reserved--;
	chan_room_freed(ch);
	zoo_check(pthread_mutex_unlock(&ch->lock));
}

/* No more sends: every waiter is woken, with ok false (a receiver only once
 * the channel is drained: the items already in it are still delivered). */
static ZOO_UNUSED void chan_close(struct chan *ch)
{
	zoo_check(pthread_mutex_lock(&ch->lock));
	ch->closed = true;
	while (ch->readers.first != NULL)
		chan_fire(&ch->readers, NULL, false);
	while (ch->writers.first != NULL)
		chan_fire(&ch->writers, NULL, false);
	zoo_check(pthread_mutex_unlock(&ch->lock));
}

static ZOO_UNUSED bool chan_drained(struct chan *ch)
{
	zoo_check(pthread_mutex_lock(&ch->lock));
	bool drained = ch->closed && ch->count == 0;
	zoo_check(pthread_mutex_unlock(&ch->lock));
	return drained;
}

#endif /* CORO_H */
