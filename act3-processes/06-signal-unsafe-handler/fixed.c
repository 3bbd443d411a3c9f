/*
 * act3-processes/06-signal-unsafe-handler/fixed.c: a worker logs ZOO_ITERS
 * items; a monitor thread asks it once, with SIGUSR1, for a status line.
 * Rule R3: locks guard data, not time.
 * Fix: the handler only notes the request in a volatile sig_atomic_t, the
 *      one thing a handler may safely write; the worker answers it between
 *      items, from its own code, where taking the lock and allocating are
 *      safe.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean
 * Explore: none. A signal interrupts a thread wherever it is, not at a step
 *      the scheduler chooses, and the scheduler does not deliver signals.
 */
#include "zoo.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER; /* one line at a time on stdout */
static volatile long items_done;                             /* the worker's count */
static volatile sig_atomic_t status_asked;                   /* set by the handler, cleared by the worker */
static struct zoo_cue worker_logging;                        /* widener: inside log_message() */
static struct zoo_cue request_sent;                          /* widener: the monitor has signalled */

/* Format one line and write it whole to stdout. */
static void log_message(const char *fmt, long n)
{
	char *line;

	if (asprintf(&line, fmt, n) < 0)
		zoo_die_errno("asprintf");
	zoo_lock(&log_lock);
	zoo_cue_give(&worker_logging);
	zoo_cue_await(&request_sent, 1);
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		zoo_die_errno("write(the log)");
	zoo_unlock(&log_lock);
	free(line);
}

static void on_status_request(int sig)
{
	(void)sig;
	status_asked = 1; /* FIX(R3): only note the request */
}

/* Ask the worker, once, how far it has come. */
static void *monitor(void *worker)
{
	zoo_cue_await(&worker_logging, 1);
	zoo_cue_asleep(getpid()); /* widener: the worker (the main thread) waits, holding the lock */
	zoo_check(pthread_kill(*(pthread_t *)worker, SIGUSR1));
	zoo_cue_give(&request_sent);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a worker logs ZOO_ITERS items while a monitor thread asks it once for its status",
		.awaits = "the worker to log its next item",
		.reads = "ZOO_ITERS",
		.widen_us = 200000,
		.defaults = { .iters = 4, .threads = 2, .seed = 1, .timeout_s = 10 },
	};
	struct sigaction status_request = { .sa_handler = on_status_request, .sa_flags = SA_RESTART };
	pthread_t worker = pthread_self(), monitor_thread;

	zoo_start(argc, argv, &program);
	sigemptyset(&status_request.sa_mask);
	if (sigaction(SIGUSR1, &status_request, NULL) != 0)
		zoo_die_errno("sigaction(SIGUSR1)");
	zoo_thread_start(&monitor_thread, monitor, &worker);
	for (long i = 1; i <= zoo.iters; i++) {
		log_message("item %ld done\n", i);
		items_done = i;
		if (status_asked) { /* FIX(R3): answer it here, in the worker's own code */
			status_asked = 0;
			log_message("status: %ld items done\n", items_done);
		}
	}
	zoo_thread_join(monitor_thread);
	zoo_finish(ZOO_CLEAN, "the worker logged all %ld items", zoo.iters);
}
