/*
 * harness/zoo.h: the one header every zoo program includes.
 *
 * A program fills in a `struct zoo_program` (what it does, what its watchdog
 * waits for, its default knobs) and calls zoo_start() first thing in main(),
 * before any thread exists. Everything else here is small and optional:
 *
 *   knobs        ZOO_ITERS, ZOO_THREADS, ZOO_WIDEN (microseconds of delay in
 *                the race window, 0 = natural schedule), ZOO_SEED and
 *                ZOO_TIMEOUT (watchdog seconds), read once from the
 *                environment into `zoo` and echoed by --help. Reading them
 *                later, from the threads, would itself be a data race.
 *   watchdog     a detached thread that ends a hung run with status HANG and
 *                one line naming what the program was waiting for.
 *   wideners     zoo_widen() sleeps ZOO_WIDEN us; zoo_cue_await() sleeps until
 *                another thread has given a cue or ZOO_WIDEN us have passed.
 *                Cues are relaxed atomics hidden from Helgrind and DRD: they
 *                create no happens-before edge any detector could see, so
 *                they force an interleaving without hiding the race.
 *   zoo_check()  always-on checks of pthread calls (unlike assert, which
 *                NDEBUG removes); zoo_lock(), zoo_wait() and friends use it.
 *   zoo_scoped_lock(m)  holds m until the enclosing block ends, on every path.
 *   zoo_finish() the one result line and the exit status, from the table in
 *                exit-status.def (clean, invariant, usage, hang, report).
 */
#ifndef ZOO_H
#define ZOO_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/drd.h>
#include <valgrind/helgrind.h>

enum zoo_status {
#define ZOO_STATUS(name, code, what) ZOO_##name = code,
#include "exit-status.def"
#undef ZOO_STATUS
};

struct zoo_knobs {
	long iters;     /* ZOO_ITERS: how many rounds of the program's work */
	long threads;   /* ZOO_THREADS: how many worker threads */
	long widen_us;  /* ZOO_WIDEN: microseconds spent inside the race window */
	long seed;      /* ZOO_SEED: seed for zoo_random() */
	long timeout_s; /* ZOO_TIMEOUT: seconds before the watchdog ends the run */
};

struct zoo_program {
	const char *what;   /* one sentence: what the program does */
	const char *awaits; /* what a hang is waiting for, for the watchdog */
	struct zoo_knobs defaults;
};

/* The knobs in force, set once by zoo_start() before any thread starts. */
static struct zoo_knobs zoo;

#define ZOO_UNUSED __attribute__((unused))
#define ZOO_CAT_(a, b) a##b
#define ZOO_CAT(a, b) ZOO_CAT_(a, b)

static const char *zoo_name = "zoo";
static const char *zoo_awaits = "the program to finish";

static ZOO_UNUSED const char *zoo_status_text(enum zoo_status status)
{
	switch (status) {
#define ZOO_STATUS(name, code, what) case ZOO_##name: return what;
#include "exit-status.def"
#undef ZOO_STATUS
	}
	return "unknown status";
}

/* Print the program's one result line and exit with `status`. */
static ZOO_UNUSED __attribute__((noreturn, format(printf, 2, 3)))
void zoo_finish(enum zoo_status status, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: ", zoo_name, zoo_status_text(status));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(status);
}

/* A failed pthread call is never part of the lesson: say where, and stop. */
static ZOO_UNUSED __attribute__((noreturn))
void zoo_die_call(const char *file, int line, const char *call, int rc)
{
	fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, call, strerror(rc));
	zoo_finish(ZOO_INVARIANT, "a pthread call failed (see above)");
}

#define zoo_check(call)                                                     \
	do {                                                                \
		int zoo_rc_ = (call);                                       \
		if (zoo_rc_ != 0)                                           \
			zoo_die_call(__FILE__, __LINE__, #call, zoo_rc_);   \
	} while (0)

#define zoo_lock(m) zoo_check(pthread_mutex_lock(m))
#define zoo_unlock(m) zoo_check(pthread_mutex_unlock(m))
#define zoo_wait(c, m) zoo_check(pthread_cond_wait((c), (m)))
#define zoo_signal(c) zoo_check(pthread_cond_signal(c))
#define zoo_broadcast(c) zoo_check(pthread_cond_broadcast(c))
#define zoo_thread_start(t, fn, arg) zoo_check(pthread_create((t), NULL, (fn), (arg)))
#define zoo_thread_join(t) zoo_check(pthread_join((t), NULL))
#define zoo_barrier_wait(b) zoo_check(zoo_barrier_rc(pthread_barrier_wait(b)))

/* pthread_barrier_wait returns PTHREAD_BARRIER_SERIAL_THREAD to one waiter. */
static inline int zoo_barrier_rc(int rc)
{
	return rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : rc;
}

/* The scoped lock: released by the compiler on every way out of the block. */
static inline pthread_mutex_t *zoo_guard_take(pthread_mutex_t *m)
{
	zoo_lock(m);
	return m;
}

static inline void zoo_guard_drop(pthread_mutex_t **m)
{
	zoo_unlock(*m);
}

#define zoo_scoped_lock(m)                                                  \
	pthread_mutex_t *ZOO_CAT(zoo_guard_, __LINE__)                      \
		__attribute__((cleanup(zoo_guard_drop), unused)) = zoo_guard_take(m)

static ZOO_UNUSED void zoo_sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Sleep inside the race window; no synchronization, so no detector sees it. */
static ZOO_UNUSED void zoo_widen(void)
{
	if (zoo.widen_us > 0)
		zoo_sleep_us(zoo.widen_us);
}

/*
 * A cue: one thread says "I have reached this point", another waits for it,
 * but only for ZOO_WIDEN microseconds. Relaxed atomics carry no ordering, and
 * the word is hidden from Helgrind and DRD, so the cue forces an interleaving
 * without creating the happens-before edge that would hide the bug. A fixed
 * program that never gives the cue just loses ZOO_WIDEN microseconds.
 */
struct zoo_cue {
	atomic_uint given;
};

static void zoo_cue_hide(struct zoo_cue *cue)
{
	VALGRIND_HG_DISABLE_CHECKING(&cue->given, sizeof cue->given);
	DRD_IGNORE_VAR(cue->given);
}

static ZOO_UNUSED void zoo_cue_give(struct zoo_cue *cue)
{
	zoo_cue_hide(cue);
	atomic_fetch_add_explicit(&cue->given, 1, memory_order_relaxed);
}

static long zoo_now_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000000L + now.tv_nsec / 1000;
}

/*
 * Wait until the cue was given `count` times in all; false if ZOO_WIDEN us
 * passed first. The deadline is on the clock, not a count of sleeps, so a
 * loaded machine that oversleeps each step does not stretch the wait.
 */
static ZOO_UNUSED bool zoo_cue_await(struct zoo_cue *cue, unsigned count)
{
	long deadline = zoo_now_us() + zoo.widen_us;

	zoo_cue_hide(cue);
	while (atomic_load_explicit(&cue->given, memory_order_relaxed) < count) {
		if (zoo_now_us() >= deadline)
			return false;
		zoo_sleep_us(100);
	}
	return true;
}

/* splitmix64: a small, seedable generator for programs that need one. */
static ZOO_UNUSED uint64_t zoo_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* The watchdog: write(), not stdio, since a hung thread may hold its lock. */
static void *zoo_watchdog(void *arg)
{
	char line[512];
	int len;

	(void)arg;
	zoo_sleep_us(zoo.timeout_s * 1000000L);
	len = snprintf(line, sizeof line,
		       "%s: %s: no finish after %ld s waiting for %s\n",
		       zoo_name, zoo_status_text(ZOO_HANG), zoo.timeout_s, zoo_awaits);
	if (write(STDOUT_FILENO, line, (size_t)len) < 0)
		_exit(ZOO_HANG);
	/* exit(), not _exit(): a sanitizer's exit hook must still turn a run
	 * that also reported into status REPORT, as Valgrind does. */
	exit(ZOO_HANG);
}

static void zoo_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void zoo_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", zoo_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(ZOO_USAGE);
}

static void zoo_knob(const char *name, long *value, long min, long max)
{
	const char *text = getenv(name);
	char *end;
	long parsed;

	if (text == NULL || *text == '\0')
		return;
	errno = 0;
	parsed = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || parsed < min || parsed > max)
		zoo_usage_error("%s='%s' is not a whole number from %ld to %ld", name, text, min, max);
	*value = parsed;
}

static void zoo_help(const struct zoo_program *p)
{
	printf("%s: %s\n\nKnobs (environment, with this program's defaults):\n", zoo_name, p->what);
	printf("  ZOO_ITERS=%-10ld rounds of work\n", p->defaults.iters);
	printf("  ZOO_THREADS=%-8ld worker threads\n", p->defaults.threads);
	printf("  ZOO_WIDEN=%-10ld microseconds spent inside the race window (0: natural schedule)\n",
	       p->defaults.widen_us);
	printf("  ZOO_SEED=%-11ld seed for the random choices\n", p->defaults.seed);
	printf("  ZOO_TIMEOUT=%-8ld seconds before the watchdog ends a hung run\n\nExit status:\n",
	       p->defaults.timeout_s);
#define ZOO_STATUS(name, code, what) printf("  %-3d %s\n", code, what);
#include "exit-status.def"
#undef ZOO_STATUS
}

/* Read the knobs, answer --help, start the watchdog. Call before any thread. */
static ZOO_UNUSED void zoo_start(int argc, char **argv, const struct zoo_program *p)
{
	pthread_t watchdog;
	pthread_attr_t attr;
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;

	if (argc > 0)
		zoo_name = slash ? slash + 1 : argv[0];
	zoo_awaits = p->awaits;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		zoo_help(p);
		exit(ZOO_CLEAN);
	}
	if (argc > 1)
		zoo_usage_error("takes no arguments, only ZOO_* knobs, and got '%s'", argv[1]);

	zoo = p->defaults;
	zoo_knob("ZOO_ITERS", &zoo.iters, 1, 1000000000L);
	zoo_knob("ZOO_THREADS", &zoo.threads, 1, 64);
	zoo_knob("ZOO_WIDEN", &zoo.widen_us, 0, 10000000L);
	zoo_knob("ZOO_SEED", &zoo.seed, 0, LONG_MAX);
	zoo_knob("ZOO_TIMEOUT", &zoo.timeout_s, 1, 3600);

	zoo_check(pthread_attr_init(&attr));
	zoo_check(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED));
	zoo_check(pthread_create(&watchdog, &attr, zoo_watchdog, NULL));
	zoo_check(pthread_attr_destroy(&attr));
}

#endif /* ZOO_H */
