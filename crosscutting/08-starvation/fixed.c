/*
 * crosscutting/08-starvation/fixed.c: a one-thread event loop runs two
 * tasks in turn: a crawler that works through a queue of jobs (each job it
 * does may add the next one), and a heartbeat that tells a supervisor the
 * loop is alive.
 * Rule C4: fairness is a safety property: bound every loop that others wait behind.
 * Also R3: the loop every task shares is held, like a lock, for data, not for time.
 * Fix: the crawler's turn does at most a batch of jobs and then yields the
 *      loop back, whatever is still queued: every other task waits at most
 *      one batch, however fast the queue refills.
 * Expect: stress=clean tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean os=clean
 * Explore: none. One thread: the tasks' order is the loop's own, not a
 *      schedule the explorer could choose.
 * Knobs: helgrind,drd,memcheck ZOO_ITERS=20000
 */
#include "zoo.h"

#define QUEUE_SIZE 256
#define BEAT_EVERY 64 /* the supervisor's deadline: a beat at least every 64 jobs */
#define BATCH 32      /* FIX(R3): the most jobs one turn may do */

struct queue {
	long job[QUEUE_SIZE];
	long head, tail; /* head - tail jobs waiting */
};

static struct queue jobs;
static long jobs_done, jobs_to_do;
static long beats, jobs_at_last_beat, longest_silence, longest_silence_us;
static long last_beat_ns;

static void push(long job)
{
	jobs.job[jobs.head++ % QUEUE_SIZE] = job;
}

static long pop(void)
{
	return jobs.job[jobs.tail++ % QUEUE_SIZE];
}

/* One job: a little work, and the job it leads to, until all are done. */
static void crawl(long job)
{
	unsigned long next = (unsigned long)job;

	for (int i = 0; i < 50; i++)
		next = next * 6364136223846793005UL + 1442695040888963407UL;
	jobs_done++;
	if (jobs_done + (jobs.head - jobs.tail) < jobs_to_do)
		push((long)(next >> 1));
	zoo_progress();
}

/* The crawler's turn. Returns whether it has work left for a later turn. */
static bool crawler_turn(void)
{
	for (int done = 0; done < BATCH; done++) { /* FIX(R3): a bounded turn, */
		if (jobs.head == jobs.tail)
			return false;
		crawl(pop());
	}
	return jobs.head != jobs.tail; /* then the loop's other tasks */
}

/* The heartbeat's turn: note how long the loop has been silent. */
static void heartbeat_turn(void)
{
	long now = zoo_now_ns();

	if (jobs_done - jobs_at_last_beat > longest_silence)
		longest_silence = jobs_done - jobs_at_last_beat;
	if ((now - last_beat_ns) / 1000 > longest_silence_us)
		longest_silence_us = (now - last_beat_ns) / 1000;
	beats++;
	jobs_at_last_beat = jobs_done;
	last_beat_ns = now;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a one-thread event loop crawls ZOO_ITERS jobs and beats a heartbeat in turn",
		.awaits = "the event loop to finish its jobs",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 100000, .threads = 1, .seed = 1, .timeout_s = 8 },
	};
	bool more = true;

	zoo_start(argc, argv, &program);
	jobs_to_do = zoo.iters;
	for (long j = 0; j < 8 && j < jobs_to_do; j++)
		push(j * 1000000);
	last_beat_ns = zoo_now_ns();
	while (more) {
		more = crawler_turn();
		heartbeat_turn();
	}

	printf("%ld jobs, %ld beats (%ld expected at one per %d jobs), longest silence %ld jobs, %ld us\n",
	       jobs_done, beats, jobs_done / BEAT_EVERY, BEAT_EVERY, longest_silence, longest_silence_us);
	if (jobs_done != jobs_to_do)
		zoo_finish(ZOO_INVARIANT, "the loop did %ld jobs of %ld", jobs_done, jobs_to_do);
	if (longest_silence > BEAT_EVERY)
		zoo_finish(ZOO_INVARIANT, "the heartbeat missed its deadline: silent for %ld jobs (%ld us), the deadline %d",
			   longest_silence, longest_silence_us, BEAT_EVERY);
	zoo_finish(ZOO_CLEAN, "the heartbeat beat %ld times, never silent for more than %ld jobs", beats, longest_silence);
}
