/*
 * act3-processes/05-fork-with-held-lock/broken.c: a parent forks ZOO_ITERS
 * workers, one at a time, while a reporter thread logs how many have started;
 * each worker logs one line and exits.
 * Rule R5: one owner per resource.
 * Bug: fork copies the log lock as it is, but copies only the forking thread.
 *      When the reporter holds the lock at that moment, the worker's copy is
 *      held by a thread that does not exist in the worker: its first log
 *      line waits for an unlock that can never come.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=hang os=missed
 * Demo: stress
 * Explore: none. The scheduler knows a mutex by its address, which is the
 *      same in parent and child: it cannot tell the worker's copy of the lock
 *      from the parent's, so it cannot model one held by a thread that fork
 *      left behind.
 */
#include "zoo.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER; /* one line at a time on stdout */
static pthread_cond_t log_changed = PTHREAD_COND_INITIALIZER;
static long workers_started;          /* guarded by log_lock */
static bool parent_done;              /* guarded by log_lock */
static struct zoo_cue reporter_holds; /* widener: the reporter has the lock */
static struct zoo_cue parent_forked;  /* widener: the parent has forked */

/* Write one whole line to stdout; the caller holds log_lock. */
static void write_line(const char *fmt, long n)
{
	char line[128];
	int len = snprintf(line, sizeof line, fmt, n);

	if (len < 0 || (size_t)len >= sizeof line - 1)
		zoo_die_call(__FILE__, __LINE__, "snprintf(a log line)", EOVERFLOW);
	line[len++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)len) != len)
		zoo_die_errno("write(the log)");
}

static void log_line(const char *fmt, long n)
{
	zoo_lock(&log_lock);
	write_line(fmt, n);
	zoo_unlock(&log_lock);
}

/* Log the number of workers started each time it grows, until the parent is done. */
static void *reporter(void *arg)
{
	long reported = 0;

	(void)arg;
	zoo_lock(&log_lock);
	for (;;) {
		while (reported == workers_started && !parent_done)
			zoo_wait(&log_changed, &log_lock);
		if (reported == workers_started)
			break;
		reported = workers_started;
		zoo_cue_give(&reporter_holds);
		zoo_cue_await_next(&parent_forked);
		write_line("reporter: %ld workers started", reported);
	}
	zoo_unlock(&log_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "forks ZOO_ITERS workers that each log a line, while a reporter thread logs their count",
		.awaits = "the workers to log and exit",
		.reads = "ZOO_ITERS",
		.widen_us = 200000,
		.defaults = { .iters = 3, .threads = 2, .seed = 1, .timeout_s = 10 },
	};
	pthread_t reporter_thread;
	long exited = 0;

	zoo_start(argc, argv, &program);
	zoo_thread_start(&reporter_thread, reporter, NULL);
	for (long i = 1; i <= zoo.iters; i++) {
		zoo_lock(&log_lock);
		workers_started = i;
		zoo_signal(&log_changed);
		zoo_unlock(&log_lock);
		zoo_cue_await_next(&reporter_holds);
		pid_t worker = zoo_fork(); /* BUG(R5): the reporter may hold log_lock */
		if (worker == 0) {
			log_line("worker %ld: started", i);
			zoo_child_exit(ZOO_CLEAN);
		}
		zoo_cue_give(&parent_forked);
		exited += zoo_wait_child(worker) == ZOO_CLEAN;
	}
	zoo_lock(&log_lock);
	parent_done = true;
	zoo_signal(&log_changed);
	zoo_unlock(&log_lock);
	zoo_thread_join(reporter_thread);
	if (exited != zoo.iters)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld workers logged and exited cleanly", exited, zoo.iters);
	zoo_finish(ZOO_CLEAN, "all %ld workers logged and exited", exited);
}
