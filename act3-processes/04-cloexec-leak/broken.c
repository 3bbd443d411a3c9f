/*
 * act3-processes/04-cloexec-leak/broken.c: a runner feeds ZOO_ITERS lines
 * through a pipe to a counter (counter.c, exec'd in a child) and waits for
 * its count.
 * Rule R5: one owner per resource.
 * Bug: the pipe is made without O_CLOEXEC, so both of its ends survive the
 *      exec into the counter. The runner closes its write end when it has
 *      fed every line, but the counter holds a copy of that end itself, so
 *      the end of the input never comes: the counter waits for a writer
 *      that is itself, until its watchdog ends it.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=hang os=missed
 * Demo: stress
 * Explore: none. The counter runs in a child that execs counter.c, and
 *      the scheduler does not follow an exec.
 */
#include "zoo.h"

/* Run the counter in a child, reading `in` as its standard input. */
static pid_t start_counter(int in)
{
	pid_t child = zoo_fork();

	if (child == 0) {
		const char *path = zoo_sibling("counter");

		if (dup2(in, STDIN_FILENO) < 0)
			zoo_die_errno("dup2(standard input)");
		execl(path, "counter", (char *)NULL); /* the environment, and so the knobs, go along */
		fprintf(stderr, "%s: cannot run %s: %s\n", zoo_name, path, strerror(errno));
		zoo_child_exit(127);
	}
	return child;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "feeds ZOO_ITERS lines through a pipe to a counter program and waits for its count",
		.awaits = "the counter to finish",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 100, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	int lines[2], status;
	pid_t counter;

	zoo_start(argc, argv, &program);
	if (pipe(lines) != 0) /* BUG(R5): both ends go along into every exec */
		zoo_die_errno("pipe");
	printf("runner: the pipe's read end is %d, its write end %d\n", lines[0], lines[1]);
	fflush(stdout);
	counter = start_counter(lines[0]);
	close(lines[0]);
	for (long i = 1; i <= zoo.iters; i++)
		if (dprintf(lines[1], "line %ld\n", i) < 0)
			zoo_die_errno("write(the pipe)");
	close(lines[1]);
	status = zoo_wait_child(counter);
	if (status == ZOO_HANG)
		zoo_finish(ZOO_HANG, "the counter's own watchdog ended it: it never saw the end of its input");
	if (status != ZOO_CLEAN)
		zoo_finish(ZOO_INVARIANT, "the counter exited with status %d", status);
	zoo_finish(ZOO_CLEAN, "the counter read all %ld lines to the end", zoo.iters);
}
