/*
 * crosscutting/03-unsafe-reclamation/fixed.c: a writer publishes new
 * versions of a settings record through one atomic pointer; a reader copies
 * whichever version is current, without a lock.
 * Rule R6: reclaim only when no one is looking.
 * Fix: the reader counts itself in before it loads the pointer and out
 *      after its last read through it (odd: inside). After the swap the
 *      writer waits until a reader it saw inside has moved on (a grace
 *      period); only then is the old version freed. A reader that comes in
 *      later can only load the new one.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=1; helgrind,drd,memcheck ZOO_ITERS=1 ZOO_WIDEN=2000000
 */
#include "zoo.h"

struct settings {
	long version;
	long limits[4];
	long check; /* ~version: a record torn, stale or scribbled on fails it */
};

static _Atomic(struct settings *) current; /* the version readers should use */
static long versions_read;                 /* the reader's, read by main after the join */
static atomic_ulong reader_passes;         /* FIX(R6): odd while the reader holds a version */
static struct zoo_cue reader_loaded;       /* widener: the reader holds a pointer it loaded */
static struct zoo_cue writer_freed;        /* widener: the writer has freed the old version */

static struct settings *make_settings(long version)
{
	struct settings *s = malloc(sizeof *s);

	if (s == NULL)
		zoo_die_errno("malloc");
	s->version = version;
	for (int i = 0; i < 4; i++)
		s->limits[i] = version * 10 + i;
	s->check = ~version;
	return s;
}

/* Retire a version: wipe it (a wipe the compiler keeps) and give the memory back. */
static void retire(struct settings *old)
{
	explicit_bzero(old, sizeof *old);
	free(old);
}

/* Wait until the reader holds no version it loaded before the swap. */
static void wait_for_reader(void)
{
	unsigned long seen = atomic_load_explicit(&reader_passes, memory_order_seq_cst);

	if (seen % 2 == 0)
		return; /* outside: its next pass loads the new pointer */
	while (atomic_load_explicit(&reader_passes, memory_order_acquire) == seen) { /* FIX(R6): until it moved on */
		zoo_poll("waits for the reader to move on");
		sched_yield();
	}
}

static void *writer(void *arg)
{
	(void)arg;
	for (long v = 1; v <= zoo.iters; v++) {
		zoo_cue_await_next(&reader_loaded);
		struct settings *fresh = make_settings(v);

		zoo_step("publishes a new version");
		struct settings *old = atomic_exchange(&current, fresh);
		wait_for_reader(); /* FIX(R6): a grace period before the free */
		zoo_step("retires the old version");
		retire(old);
		zoo_cue_give(&writer_freed);
	}
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	for (long i = 0; i < zoo.iters; i++) {
		atomic_fetch_add_explicit(&reader_passes, 1, memory_order_seq_cst); /* FIX(R6): in, before the load */
		zoo_step("loads the current version");
		struct settings *s = atomic_load(&current);
		zoo_cue_give(&reader_loaded);
		zoo_cue_await_next(&writer_freed);
		zoo_step("copies the version it loaded");
		struct settings copy = *s;

		atomic_fetch_add_explicit(&reader_passes, 1, memory_order_release); /* FIX(R6): out, after the last read */

		if (copy.check != ~copy.version)
			zoo_finish(ZOO_INVARIANT, "the reader's copy %ld fails its check", i + 1);
		versions_read++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a writer publishes ZOO_ITERS new versions of a record while a reader copies the current one",
		.awaits = "the reader and the writer to finish",
		.reads = "ZOO_ITERS",
		.widen_us = 200000,
		.defaults = { .iters = 3, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	pthread_t threads[2];

	zoo_start(argc, argv, &program);
	atomic_init(&current, make_settings(0));
	zoo_show(versions_read);
	zoo_thread_start(&threads[0], reader, NULL);
	zoo_thread_start(&threads[1], writer, NULL);
	zoo_thread_join(threads[0]);
	zoo_thread_join(threads[1]);
	free(atomic_load(&current));
	zoo_finish(ZOO_CLEAN, "the reader copied %ld versions, each whole", versions_read);
}
