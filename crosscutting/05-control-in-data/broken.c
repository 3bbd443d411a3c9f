/*
 * crosscutting/05-control-in-data/broken.c: ZOO_THREADS sensors each send
 * ZOO_ITERS readings through one queue to an aggregator, then a last record
 * that says the stream is over and how many readings it held.
 * Rule C2: keep the control plane out of the data plane.
 * Also R10: state your assumptions where they are used: a record says what it is.
 * Bug: the end-of-stream record travels as a reading with a flag set, and
 *      the aggregator adds every record to the total before it looks at
 *      the flag. The count of readings is right; the total is off by the
 *      sum of the streams' lengths.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=invariant os=invariant
 * Explore: none. No order is needed: explored with two sensors of one
 *      reading, all 108 schedules break the total. What breaks is what the
 *      aggregator does with a record, not when it gets one.
 * Knobs: helgrind,drd,memcheck ZOO_ITERS=200
 */
#include "zoo.h"

#define QUEUE_SLOTS 16
#define MAX_SENSORS 8

struct record {
	int sensor;
	long value;       /* a reading; in the last record, how many were sent */
	bool end_of_data; /* set on the last record of a stream */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct record slots[QUEUE_SLOTS];
	long head, tail; /* guarded by lock */
} queue = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, { { 0 } }, 0, 0 };

static long sent_sum[MAX_SENSORS]; /* each sensor's own, read by main after the join */

static void queue_put(struct record r)
{
	zoo_lock(&queue.lock);
	while (queue.tail - queue.head == QUEUE_SLOTS)
		zoo_wait(&queue.not_full, &queue.lock);
	queue.slots[queue.tail++ % QUEUE_SLOTS] = r;
	zoo_signal(&queue.not_empty);
	zoo_unlock(&queue.lock);
}

static struct record queue_take(void)
{
	zoo_lock(&queue.lock);
	while (queue.tail == queue.head)
		zoo_wait(&queue.not_empty, &queue.lock);
	struct record r = queue.slots[queue.head++ % QUEUE_SLOTS];
	zoo_signal(&queue.not_full);
	zoo_unlock(&queue.lock);
	return r;
}

static void *sensor(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (long i = 0; i < zoo.iters; i++) {
		long reading = (i * 7 + id * 13 + zoo.seed) % 100 + 1;
		sent_sum[id] += reading;
		queue_put((struct record){ .sensor = id, .value = reading });
	}
	queue_put((struct record){ .sensor = id, .value = zoo.iters, .end_of_data = true });
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "ZOO_THREADS sensors send ZOO_ITERS readings each to one aggregator",
		.awaits = "the next record in the queue",
		.reads = "ZOO_ITERS ZOO_THREADS ZOO_SEED",
		.defaults = { .iters = 1000, .threads = 3, .seed = 1, .timeout_s = 8 },
	};
	pthread_t threads[MAX_SENSORS];
	long total = 0, readings = 0, expected = 0, received[MAX_SENSORS] = { 0 };
	int streams_open;

	zoo_start(argc, argv, &program);
	if (zoo.threads < 1 || zoo.threads > MAX_SENSORS)
		zoo_finish(ZOO_USAGE, "ZOO_THREADS=%ld: between 1 and %d sensors", zoo.threads, MAX_SENSORS);
	for (long t = 0; t < zoo.threads; t++)
		zoo_thread_start(&threads[t], sensor, (void *)(intptr_t)t);
	for (streams_open = (int)zoo.threads; streams_open > 0;) {
		struct record r = queue_take();
		total += r.value; /* BUG(R10): every record is added, the last one too */
		if (r.end_of_data) {
			if (r.value != received[r.sensor])
				zoo_finish(ZOO_INVARIANT, "sensor %d sent %ld readings, %ld arrived", r.sensor, r.value, received[r.sensor]);
			streams_open--;
		} else {
			received[r.sensor]++;
			readings++;
		}
	}
	for (long t = 0; t < zoo.threads; t++) {
		zoo_thread_join(threads[t]);
		expected += sent_sum[t];
	}
	if (readings != zoo.iters * zoo.threads)
		zoo_finish(ZOO_INVARIANT, "%ld readings, not %ld", readings, zoo.iters * zoo.threads);
	if (total != expected)
		zoo_finish(ZOO_INVARIANT, "%ld readings (all of them), but the total is %ld, not %ld", readings, total, expected);
	zoo_finish(ZOO_CLEAN, "%ld readings, total %ld, as the sensors sent", readings, total);
}
