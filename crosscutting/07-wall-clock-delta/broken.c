/*
 * crosscutting/07-wall-clock-delta/broken.c: a worker runs ZOO_ITERS jobs of
 * about 2 ms each and times every one, as a service does for its latency
 * statistics and its timeouts.
 * Rule C3: observers time with a monotonic clock.
 * Also R10: state your assumptions where they are used: here, about a clock.
 * Bug: a duration is the difference of two readings of the wall clock,
 *      which an administrator or NTP may step at any moment: stepped back an
 *      hour during a job, the job took minus an hour.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=invariant os=invariant
 * Explore: none. One worker: there is no order of threads to choose. What
 *      breaks is what a clock says, whatever the schedule.
 * Knobs: stress,os,memcheck ZOO_WALL_CLOCK=stepped
 */
#include "zoo.h"
#include <sys/time.h>

static double now_seconds(void)
{
	struct timeval now;

	gettimeofday(&now, NULL); /* BUG(R10): the wall clock, which can be stepped */
	return (double)now.tv_sec + now.tv_usec / 1e6;
}

static void run_job(long job)
{
	(void)job;
	zoo_sleep_us(2000); /* the job's work: waiting for a reply */
	zoo_progress();
}

static void *worker(void *arg)
{
	long *out_of_range = arg;
	double slowest = 0;

	for (long job = 1; job <= zoo.iters; job++) {
		double start = now_seconds();
		run_job(job);
		zoo_clock_step("-1h");
		double took = now_seconds() - start; /* BUG(R10): a wall-clock difference */
		if (took < 0 || took > 1.0) {
			if (*out_of_range == 0)
				printf("job %ld took %.3f s\n", job, took);
			(*out_of_range)++;
		} else if (took > slowest) {
			slowest = took;
		}
	}
	printf("the slowest job in range took %.1f ms\n", slowest * 1000);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "runs ZOO_ITERS jobs of about 2 ms on a worker thread and times each",
		.awaits = "the worker's next job",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 50, .threads = 1, .seed = 1, .timeout_s = 8 },
	};
	pthread_t thread;
	long out_of_range = 0;

	zoo_start(argc, argv, &program);
	zoo_thread_start(&thread, worker, &out_of_range);
	zoo_thread_join(thread);
	if (out_of_range > 0)
		zoo_finish(ZOO_INVARIANT, "%ld of %ld job times are not between 0 and 1 s", out_of_range, zoo.iters);
	zoo_finish(ZOO_CLEAN, "all %ld job times are between 0 and 1 s", zoo.iters);
}
