/*
 * crosscutting/07-wall-clock-delta/fixed.c: a worker runs ZOO_ITERS jobs of
 * about 2 ms each and times every one, as a service does for its latency
 * statistics and its timeouts.
 * Rule C3: observers time with a monotonic clock.
 * Also R10: state your assumptions where they are used: here, about a clock.
 * Fix: durations come from CLOCK_MONOTONIC, which no one can set: it only
 *      moves forward, whatever is done to the wall clock meanwhile. The wall
 *      clock stays what it is for: saying when something happened.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean
 * Explore: none. One worker: there is no order of threads to choose. What
 *      breaks is what a clock says, whatever the schedule.
 * Knobs: stress,os,memcheck ZOO_WALL_CLOCK=stepped
 */
#include "zoo.h"

static double now_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now); /* FIX(R10): a clock no one can step */
	return (double)now.tv_sec + now.tv_nsec / 1e9;
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
		double took = now_seconds() - start;
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
