/*
 * act3-processes/09-robust-mutex/fixed.c: a worker process moves money
 * between two accounts of a ledger in shared memory, under a process-shared
 * mutex; it crashes halfway through a transfer, and the parent takes over
 * the rest of the work.
 * Rule R5: one owner per resource.
 * Fix: a robust mutex. When its owner dies, the kernel hands it to the
 *      next locker with EOWNERDEAD instead of leaving it locked for ever;
 *      that locker undoes the half-done transfer and marks the mutex
 *      consistent again before it unlocks.
 * Expect: tsan=clean helgrind=false-positive drd=false-positive asan=clean memcheck=clean stress=clean os=clean
 * Demo: stress
 * Explore: none. The scheduler does not follow a robust mutex's owner-died
 *      state, a process that kills itself, or a lock held across processes.
 */
#include "zoo.h"

struct ledger {
	pthread_mutex_t lock; /* process-shared; guards the rest */
	long taken_out;       /* of account A, in all transfers so far */
	long put_in;          /* into account B; equal to taken_out whenever the lock is free */
	long transfers;       /* made in full */
};

static void lock_ledger(struct ledger *l)
{
	int rc = pthread_mutex_lock(&l->lock);
	if (rc == EOWNERDEAD) {                      /* FIX(R5): its owner died holding it */
		l->taken_out = l->put_in;            /* FIX(R5): undo the half-done transfer */
		rc = pthread_mutex_consistent(&l->lock); /* FIX(R5): the state is whole again */
	}
	zoo_check(rc);
}

/* One transfer of 10 from A to B; with `crash`, the process dies halfway. */
static void transfer(struct ledger *l, bool crash)
{
	lock_ledger(l);
	if (l->taken_out != l->put_in)
		zoo_finish(ZOO_INVARIANT, "transfer %ld finds %ld taken out of A and %ld put into B",
			   l->transfers + 1, l->taken_out, l->put_in);
	l->taken_out += 10;
	if (crash) /* the crash: a bug elsewhere, or the OOM killer */
		raise(SIGKILL);
	l->put_in += 10;
	l->transfers++;
	zoo_check_step(pthread_mutex_unlock(&l->lock));
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a worker and then the parent make ZOO_ITERS transfers in a shared ledger; the worker crashes at the middle one",
		.awaits = "the transfers to finish",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 10, .threads = 1, .seed = 1, .timeout_s = 4 },
	};
	pthread_mutexattr_t attr;

	zoo_start(argc, argv, &program);
	struct ledger *l = mmap(NULL, sizeof *l, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (l == MAP_FAILED)
		zoo_die_errno("mmap(the ledger)");
	zoo_check(pthread_mutexattr_init(&attr));
	zoo_check(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED));
	zoo_check(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)); /* FIX(R5): a dead owner's lock passes on */
	zoo_check(pthread_mutex_init(&l->lock, &attr));
	zoo_check(pthread_mutexattr_destroy(&attr));

	long crash_at = zoo.iters / 2;
	pid_t worker = zoo_fork();
	if (worker == 0) {
		for (long i = 0; i <= crash_at; i++)
			transfer(l, i == crash_at);
		zoo_child_exit(ZOO_CLEAN); /* not reached */
	}
	int status = zoo_wait_child(worker);
	printf("parent: the worker died (status %d) after %ld transfers; taking over\n", status, l->transfers);
	fflush(stdout);
	while (l->transfers < zoo.iters)
		transfer(l, false);

	lock_ledger(l);
	long transfers = l->transfers, out = l->taken_out, in = l->put_in;
	zoo_check(pthread_mutex_unlock(&l->lock));
	zoo_check(pthread_mutex_destroy(&l->lock));
	if (munmap(l, sizeof *l) != 0)
		zoo_die_errno("munmap(the ledger)");
	if (out != in || out != 10 * transfers)
		zoo_finish(ZOO_INVARIANT, "%ld transfers, and %ld taken out of A, %ld put into B", transfers, out, in);
	zoo_finish(ZOO_CLEAN, "%ld transfers, the ledger balanced at %ld", transfers, out);
}
