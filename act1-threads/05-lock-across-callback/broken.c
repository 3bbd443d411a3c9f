/*
 * act1-threads/05-lock-across-callback/broken.c: tills publish orders on a
 * tiny event bus to a ledger and a fraud watch; the first order over the
 * limit makes the watch open an incident, with an incident log of its own.
 * Rule R3: locks guard data, not time: never hold one across a blocking call, a join or a callback.
 * Bug: publish() calls the subscribers while it holds the bus lock, and the
 *      watch's subscribe() takes that lock again from inside the call: the
 *      till waits for itself forever, and every other till queues behind it.
 * Expect: helgrind=report drd=report stress=hang tsan=hang explore=hang
 * Knobs: explore ZOO_ITERS=1
 */
#include "zoo.h"

#define MAX_SUBSCRIBERS 4
#define LIMIT 900 /* an order above this opens an incident */

struct order {
	long seq; /* its place in the order of publication */
	long amount;
};

struct subscriber {
	void (*notify)(struct subscriber *self, const struct order *o);
	long since;           /* first seq it may hear: set by subscribe() before listing it */
	pthread_mutex_t lock; /* guards the fields below; the bus lock does not */
	long orders, total;   /* what it heard */
	long stale;           /* orders heard that were published before it subscribed */
	bool incident_open;   /* the fraud watch's only */
};

struct subscriber_list {
	int count;
	struct subscriber *at[MAX_SUBSCRIBERS];
};

static struct {
	pthread_mutex_t lock;        /* guards list and published, nothing else */
	struct subscriber_list list;
	long published;              /* orders so far: the next order's seq */
} bus;

static void subscribe(struct subscriber *s)
{
	zoo_lock(&bus.lock);
	if (bus.list.count == MAX_SUBSCRIBERS)
		zoo_finish(ZOO_INVARIANT, "more than %d subscribers", MAX_SUBSCRIBERS);
	s->since = bus.published;
	bus.list.at[bus.list.count++] = s;
	zoo_unlock(&bus.lock);
}

static void publish(long amount)
{
	struct order o = { .amount = amount };

	zoo_lock(&bus.lock);
	o.seq = bus.published++;
	for (int i = 0; i < bus.list.count; i++)
		bus.list.at[i]->notify(bus.list.at[i], &o); /* BUG(R3): calls out holding the bus lock */
	zoo_unlock(&bus.lock);
}

/* The ledger and the incident log count and total the orders they hear. */
static void record(struct subscriber *self, const struct order *o)
{
	zoo_lock(&self->lock);
	self->orders++;
	self->total += o->amount;
	if (o->seq < self->since)
		self->stale++;
	zoo_unlock(&self->lock);
}

static struct subscriber ledger = { .notify = record };
static struct subscriber incident_log = { .notify = record };

/* The fraud watch also records; the first order over LIMIT opens an incident. */
static void watch(struct subscriber *self, const struct order *o)
{
	bool open;

	record(self, o);
	zoo_lock(&self->lock);
	open = o->amount > LIMIT && !self->incident_open;
	self->incident_open = self->incident_open || open;
	zoo_unlock(&self->lock);
	if (open)
		subscribe(&incident_log);
}

static struct subscriber fraud_watch = { .notify = watch };

static long order_amount(long till, long i)
{
	return 100 * (1 + (9 * till + i) % 10); /* 100 to 1000: one in ten is over LIMIT */
}

static void *till(void *arg)
{
	long t = (long)(intptr_t)arg;

	for (long i = 0; i < zoo.iters; i++)
		publish(order_amount(t, i));
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "ZOO_THREADS tills each publish ZOO_ITERS orders on an event bus",
		.awaits = "the tills to publish their orders",
		.reads = "ZOO_ITERS ZOO_THREADS",
		.defaults = { .iters = 20, .threads = 2, .seed = 1, .timeout_s = 4 },
	};
	struct subscriber *all[] = { &ledger, &fraud_watch, &incident_log };
	pthread_t tills[64];
	long n, expected = 0;
	bool over_limit = false;

	zoo_start(argc, argv, &program);
	/* Set up at run time, so that every detector knows the locks' kind. */
	zoo_check(pthread_mutex_init(&bus.lock, NULL));
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		zoo_check(pthread_mutex_init(&all[i]->lock, NULL));
	zoo_show(bus.lock);
	subscribe(&ledger);
	subscribe(&fraud_watch);
	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_start(&tills[t], till, (void *)(intptr_t)t);
	for (long t = 0; t < zoo.threads; t++) {
		zoo_thread_join(tills[t]);
		for (long i = 0; i < zoo.iters; i++) {
			expected += order_amount(t, i);
			over_limit = over_limit || order_amount(t, i) > LIMIT;
		}
	}
	n = zoo.threads * zoo.iters;
	if (ledger.orders != n || ledger.total != expected || fraud_watch.orders != n)
		zoo_finish(ZOO_INVARIANT, "%ld orders (total %ld) published; the ledger heard %ld (total %ld), the watch %ld",
			   n, expected, ledger.orders, ledger.total, fraud_watch.orders);
	if (fraud_watch.incident_open != over_limit)
		zoo_finish(ZOO_INVARIANT, "the watch %s an incident", over_limit ? "failed to open" : "wrongly opened");
	if (incident_log.stale != 0)
		zoo_finish(ZOO_INVARIANT, "the incident log heard %ld order(s) from before it subscribed", incident_log.stale);
	zoo_finish(ZOO_CLEAN, "the ledger and the watch heard all %ld orders (total %ld); the incident log %ld, %s",
		   n, expected, incident_log.orders, over_limit ? "all after it opened" : "as none was over the limit");
}
