/*
 * act3-processes/08-private-futex/fixed.c: a parent posts ZOO_ITERS jobs to
 * a worker child through shared memory, waking it with a futex.
 * Rule R2: publish, then signal.
 * Fix: the futex calls are shared (no FUTEX_PRIVATE_FLAG): the kernel finds
 *      waiters by the memory the word lives in, whatever process maps it, so
 *      the parent's wake reaches the worker. The jobs are written before the
 *      release store of `posted`, and the wake comes after it.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean
 * Demo: stress
 * Explore: none. The scheduler does not model futexes: a raw futex wait is
 *      a real sleep it cannot see, and what matters is whom the kernel wakes.
 */
#include "zoo.h"
#include <linux/futex.h>
#include <sys/syscall.h>

#define MAX_JOBS 100000

struct job_board {
	atomic_uint posted;   /* the futex word: how many jobs are posted */
	long jobs[MAX_JOBS];  /* written before `posted` counts them */
	long sum_taken;       /* the worker's total, read after it exits */
};

/* Sleep while *word still holds `seen` (the kernel checks, then sleeps, in one step). */
static void futex_wait(atomic_uint *word, unsigned seen)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0) != 0 && /* FIX(R2): shared */
	    errno != EAGAIN && errno != EINTR)
		zoo_die_errno("futex(FUTEX_WAIT)");
}

/* Wake the waiters on *word. */
static void futex_wake(atomic_uint *word)
{
	if (syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0) /* FIX(R2): shared */
		zoo_die_errno("futex(FUTEX_WAKE)");
}

/* The worker: take each job as it is posted, sleeping while there is none. */
static void work(struct job_board *board)
{
	for (unsigned taken = 0; taken < zoo.iters; taken++) {
		unsigned posted;

		while ((posted = atomic_load_explicit(&board->posted, memory_order_acquire)) == taken)
			futex_wait(&board->posted, posted);
		board->sum_taken += board->jobs[taken];
	}
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "posts ZOO_ITERS jobs to a worker child through shared memory and a futex",
		.awaits = "the worker to take every job",
		.reads = "ZOO_ITERS",
		.widen_us = 200000,
		.defaults = { .iters = 20, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	struct job_board *board;
	long sum_posted = 0;
	pid_t worker;
	int status;

	zoo_start(argc, argv, &program);
	if (zoo.iters > MAX_JOBS)
		zoo_usage_error("ZOO_ITERS=%ld: at most %d jobs fit on the board", zoo.iters, MAX_JOBS);
	board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (board == MAP_FAILED)
		zoo_die_errno("mmap(the job board)");

	worker = zoo_fork();
	if (worker == 0) {
		work(board);
		zoo_child_exit(ZOO_CLEAN);
	}
	for (unsigned i = 0; i < zoo.iters; i++) {
		board->jobs[i] = i + 1;
		sum_posted += board->jobs[i];
		zoo_cue_asleep(worker); /* widener: the worker sleeps, waiting for this job */
		atomic_store_explicit(&board->posted, i + 1, memory_order_release);
		futex_wake(&board->posted);
	}
	status = zoo_wait_child(worker);
	if (status != ZOO_CLEAN || board->sum_taken != sum_posted)
		zoo_finish(ZOO_INVARIANT, "the worker exited with status %d, its jobs summing to %ld of %ld", status,
			   board->sum_taken, sum_posted);
	zoo_finish(ZOO_CLEAN, "the worker took all %ld jobs, summing to %ld", zoo.iters, board->sum_taken);
}
