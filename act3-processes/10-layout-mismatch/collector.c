/*
 * act3-processes/10-layout-mismatch/collector.c: records ZOO_ITERS durations
 * and publishes their count, total and maximum as a struct stats (stats.h)
 * in a shared memory segment the dashboard reads after it exits.
 * Rule R10: state your assumptions where they are used.
 * broken.c and fixed.c run this same collector: only the dashboard changes.
 */
#include "zoo.h"
#include "stats.h"

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "records ZOO_ITERS durations into the shared statistics record",
		.awaits = "the collector to publish",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 1000, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	char name[128];

	zoo_start(argc, argv, &program);
	int fd = shm_open(zoo_ipc_name(name, sizeof name, "stats"), O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(struct stats)) != 0)
		zoo_die_errno("shm_open or ftruncate(the statistics segment)");
	struct stats *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED)
		zoo_die_errno("mmap(the statistics segment)");
	s->version = STATS_VERSION;
	s->size = sizeof *s;
	s->source = 1;
	for (long i = 0; i < zoo.iters; i++) {
		uint64_t us = 1 + (uint64_t)(i * 7919) % 1000;

		s->samples++;
		s->total_us += us;
		if (us > s->max_us)
			s->max_us = us;
	}
	s->magic = STATS_MAGIC; /* the dashboard reads once this process has exited */
	if (munmap(s, sizeof *s) != 0 || close(fd) != 0)
		zoo_die_errno("munmap or close");
	zoo_finish(ZOO_CLEAN, "published %ld samples in a %zu-byte record", zoo.iters, sizeof *s);
}
