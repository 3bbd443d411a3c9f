/*
 * act3-processes/04-cloexec-leak/counter.c: counts the lines on its standard
 * input, to the end of the input; first it lists the descriptors it holds,
 * as /proc/self/fd shows them. The runner (broken.c, fixed.c) execs it.
 * Rule R5: one owner per resource.
 * broken.c and fixed.c run this same counter: only the runner changes.
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

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "counts the lines on its standard input, to the end of the input",
		.awaits = "the end of its input",
		.reads = "",
		.defaults = { .iters = 100, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	char block[4096];
	long lines = 0;
	ssize_t got;

	zoo_start(argc, argv, &program);
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
