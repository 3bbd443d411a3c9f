/*
 * crosscutting/04-memory-order-sizing/fixed.c: two threads, trial after
 * trial, each raise a flag of their own and then look at the other's, as a
 * Dekker handshake does; a table counts what the two looks saw.
 * Rule C1: right-size memory order: name the happens-before edge each ordering buys, no more, no less.
 * Also R2: publish, then signal: release after the data, acquire before it.
 * Fix: the two flag accesses are seq_cst: all seq_cst operations fall in one
 *      total order that each thread's program order respects, so whichever
 *      store comes first in it is seen by the other thread's later load.
 *      Only these four need it; the barrier keeps its acquire and release.
 * Expect: stress=clean tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean os=clean
 * Knobs: tsan ZOO_ITERS=20000; helgrind,drd,memcheck ZOO_ITERS=300
 */
#include "zoo.h"

#define TIME_BUDGET_NS 2000000000L /* a loaded machine runs fewer trials, never longer */

static long trials, started_ns;
static long trials_done[2];        /* trials_done[i]: written by thread i, read after the join */
static atomic_int *raised[2];      /* raised[i][t]: thread i's flag in trial t */
static char *saw_other[2];         /* saw_other[i][t]: what thread i read of the other's */
static _Alignas(64) atomic_long arrivals; /* both threads' arrivals at the trial barrier */
static _Alignas(64) atomic_bool out_of_time;

/*
 * Both threads leave together: the one that arrives second would otherwise
 * run its trial before the first even sees it arrive, so it waits a few
 * pauses, a different few each trial, and some trials start the two side by side.
 */
static void start_together(long trial)
{
	long everyone = 2 * (trial + 1);

	if (atomic_fetch_add_explicit(&arrivals, 1, memory_order_acq_rel) == everyone - 1) {
		for (long pause = trial % 4; pause > 0; pause--)
			zoo_cpu_relax();
		return;
	}
	for (long spins = 1; atomic_load_explicit(&arrivals, memory_order_acquire) < everyone; spins++)
		if (spins % 4096 == 0)
			zoo_sleep_us(20); /* the other thread is off its CPU: give this one away a moment */
}

static void *side(void *arg)
{
	long me = (long)arg, other = 1 - me, t;

	zoo_pin_to_cpu(me);
	for (t = 0; t < trials; t++) {
		/* Thread 0 decides before the barrier, both read it after: both stop at t. */
		if (me == 0 && t % 64 == 0 && zoo_now_ns() - started_ns > TIME_BUDGET_NS)
			atomic_store_explicit(&out_of_time, true, memory_order_relaxed);
		start_together(t);
		if (t % 64 == 0) {
			zoo_progress();
			if (atomic_load_explicit(&out_of_time, memory_order_relaxed))
				break;
		}
		atomic_store_explicit(&raised[me][t], 1, memory_order_seq_cst);                /* FIX(R2): one total order of */
		saw_other[me][t] = (char)atomic_load_explicit(&raised[other][t], memory_order_seq_cst); /* FIX(R2): the stores and loads */
	}
	trials_done[me] = t;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "two threads, pinned to two CPUs, each raise their own flag and read the other's, ZOO_ITERS trials",
		.awaits = "the two threads to finish their trials",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 200000, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	static const char *verdict[2][2] = { { "FORBIDDEN", "ALLOWED" }, { "ALLOWED", "ALLOWED" } };
	long seen[2][2] = { { 0 } };
	pthread_t threads[2];
	long trials_run;

	zoo_start(argc, argv, &program);
	trials = zoo.iters;
	for (int i = 0; i < 2; i++) {
		raised[i] = malloc(sizeof *raised[i] * (size_t)trials);
		saw_other[i] = malloc((size_t)trials);
		if (raised[i] == NULL || saw_other[i] == NULL)
			zoo_die_errno("malloc");
		for (long t = 0; t < trials; t++) /* touch every page now, not inside a trial */
			atomic_init(&raised[i][t], 0);
		memset(saw_other[i], 0, (size_t)trials);
	}
	started_ns = zoo_now_ns();
	for (long i = 0; i < 2; i++)
		zoo_thread_start(&threads[i], side, (void *)i);
	for (int i = 0; i < 2; i++)
		zoo_thread_join(threads[i]);
	trials_run = trials_done[0] < trials_done[1] ? trials_done[0] : trials_done[1];
	for (long t = 0; t < trials_run; t++)
		seen[(int)saw_other[0][t]][(int)saw_other[1][t]]++;
	for (int i = 0; i < 2; i++) {
		free(raised[i]);
		free(saw_other[i]);
	}

	/* The forbidden outcome first, as the Linux litmus tests state it. */
	printf("%-11s %10s  %s\n", "outcome", "seen", "under the handshake's promise");
	printf("r0=0 r1=0   %10ld  %s\n", seen[0][0], verdict[0][0]);
	printf("r0=0 r1=1   %10ld  %s\n", seen[0][1], verdict[0][1]);
	printf("r0=1 r1=0   %10ld  %s\n", seen[1][0], verdict[1][0]);
	printf("r0=1 r1=1   %10ld  %s\n", seen[1][1], verdict[1][1]);
	if (seen[0][0] > 0)
		zoo_finish(ZOO_INVARIANT, "the forbidden outcome r0=0 r1=0 in %ld of %ld trials: each thread saw the other's flag down",
			   seen[0][0], trials_run);
	zoo_finish(ZOO_CLEAN, "no forbidden outcome in %ld trials: in each, a thread saw the other's flag raised",
		   trials_run);
}
