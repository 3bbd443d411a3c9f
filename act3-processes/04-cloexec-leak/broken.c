/*
 * act3-processes/04-cloexec-leak/broken.c: a runner feeds ZOO_ITERS lines
 * through a pipe to a counter (itself, exec'd again) and waits for its count.
 * Rule R5: one owner per resource.
 * Bug: the pipe is made without O_CLOEXEC, so both of its ends survive the
 *      exec into the counter. The runner closes its write end when it has
 *      fed every line, but the counter holds a copy of that end itself, so
 *      the end of the input never comes: the counter waits for a writer
 *      that is itself, until its watchdog ends it.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=hang os=missed
 * Explore: none. The counter runs in a child that execs this program
 *      again, and the scheduler does not follow an exec.
 */
#include "zoo.h"
#include <dirent.h>

/* One line: each open descriptor from 3 to 63 and what /proc says it is. */
static void list_descriptors(void)
{
	DIR *dir = opendir("/proc/self/fd");
	char line[1024] = "", target[128], path[64];
	struct dirent *entry;
	size_t used = 0;

	if (dir == NULL)
		zoo_die_errno("opendir(/proc/self/fd)");
	while ((entry = readdir(dir)) != NULL && used < sizeof line) {
		int fd = atoi(entry->d_name);
		ssize_t len;

		if (entry->d_name[0] == '.' || fd < 3 || fd > 63 || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof target - 1);
		target[len > 0 ? len : 0] = '\0';
		used += (size_t)snprintf(line + used, sizeof line - used, " %d=%s", fd, target);
	}
	closedir(dir);
	printf("counter: descriptors beyond 0-2:%s\n", line);
	fflush(stdout);
}

/* The counter: this program exec'd with the one argument "--count". It lists
 * its descriptors, then counts the lines on its standard input to the end. */
static __attribute__((noreturn)) void count_lines(char **argv)
{
	static const struct zoo_program program = {
		.what = "counts the lines on its standard input, to the end of the input",
		.awaits = "the end of its input",
		.reads = "ZOO_ITERS", /* not read, but set in the runner's environment it inherits */
		.defaults = { .iters = 100, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	char block[4096];
	long lines = 0;
	ssize_t got;

	zoo_start(1, argv, &program);
	list_descriptors();
	while ((got = read(STDIN_FILENO, block, sizeof block)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			zoo_die_errno("read(standard input)");
		for (ssize_t i = 0; i < got; i++)
			lines += block[i] == '\n';
		zoo_progress();
	}
	zoo_finish(ZOO_CLEAN, "counted %ld lines to the end of the input", lines);
}

/* Run this program again in a child, as the counter, reading `in` as its standard input. */
static pid_t start_counter(int in)
{
	pid_t child = zoo_fork();

	if (child == 0) {
		const char *path = zoo_sibling(zoo_name);
		char *args[] = { "counter", "--count", NULL };

		if (dup2(in, STDIN_FILENO) < 0)
			zoo_die_errno("dup2(standard input)");
		execv(path, args); /* the environment, and so the knobs, go along */
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

	if (argc == 2 && strcmp(argv[1], "--count") == 0)
		count_lines(argv);
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
