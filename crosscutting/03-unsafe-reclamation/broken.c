/*
 * crosscutting/03-unsafe-reclamation/broken.c: a writer publishes new
 * versions of a settings record through one atomic pointer; a reader copies
 * whichever version is current, without a lock.
 * Rule R6: reclaim only when no one is looking.
 * Bug: the writer frees the old version as soon as the new one is
 *      published. A reader that loaded the old pointer just before the swap
 *      still reads through it: it reads freed memory.
 * Expect: tsan=report helgrind=missed drd=missed asan=report memcheck=report stress=invariant os=invariant explore=invariant
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
	free(old); /* BUG(R6): a reader may still hold it */
}

static void *writer(void *arg)
{
	(void)arg;
	for (long v = 1; v <= zoo.iters; v++) {
		zoo_cue_await_next(&reader_loaded);
		struct settings *fresh = make_settings(v);

		zoo_step("publishes a new version");
		struct settings *old = atomic_exchange(&current, fresh);
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
		zoo_step("loads the current version");
		struct settings *s = atomic_load(&current);
		zoo_cue_give(&reader_loaded);
		zoo_cue_await_next(&writer_freed);
		zoo_step("copies the version it loaded");
		struct settings copy = *s; /* BUG(R6): the writer may have freed it */

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
