/*
 * act3-processes/10-layout-mismatch/fixed.c: a dashboard runs the collector
 * (collector.c), reads the statistics record it left in shared memory
 * (stats.h), and sends a summary as a packed 9-byte status frame.
 * Rule R10: state your assumptions where they are used: assert the layout at
 * compile time, validate at the point of use.
 * Fix: the packing is pushed and popped around the frame alone; the layout
 *      stats.h states is asserted where it is used, so a build that changes
 *      it stops with a message; and the record's magic, version and size are
 *      checked before a field is read, so a peer built otherwise is refused.
 * Expect: stress=clean os=clean tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean
 * Explore: none. The order is fixed (the dashboard reads once the collector
 *      has exited); what breaks is the layout, the same in every order.
 */
#include "zoo.h"

#pragma pack(push, 1) /* FIX(R10): packs the frame alone */
struct frame {
	uint8_t kind;
	uint32_t samples;
	uint32_t max_us;
};
#pragma pack(pop) /* FIX(R10): the default layout again */
#include "stats.h"

_Static_assert(sizeof(struct stats) == STATS_SIZE && offsetof(struct stats, samples) == STATS_SAMPLES_AT, /* FIX(R10) */
	       "struct stats is not the layout stats.h states: a pragma pack, a flag or an edit changed it"); /* FIX(R10) */

/* Run the collector to its end: it leaves the record in the segment. */
static void run_collector(void)
{
	pid_t child = zoo_fork();

	if (child == 0) {
		execl(zoo_sibling("collector"), "collector", (char *)NULL);
		zoo_die_errno("execl(collector)");
	}
	int status = zoo_wait_child(child);
	if (status != ZOO_CLEAN)
		zoo_finish(ZOO_INVARIANT, "the collector ended with status %d", status);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "runs the collector for ZOO_ITERS samples, then reads its statistics record",
		.awaits = "the collector to finish",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 1000, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	char name[128];

	zoo_start(argc, argv, &program);
	run_collector();
	int fd = shm_open(zoo_ipc_name(name, sizeof name, "stats"), O_RDONLY, 0);
	if (fd < 0)
		zoo_die_errno("shm_open(the statistics segment)");
	const struct stats *s = mmap(NULL, sizeof *s, PROT_READ, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED)
		zoo_die_errno("mmap(the statistics segment)");
	if (s->magic != STATS_MAGIC || s->version != STATS_VERSION || s->size != sizeof *s) /* FIX(R10): check at attach */
		zoo_finish(ZOO_INVARIANT, "refused a record of version %u, %u bytes: this dashboard reads version %d, %zu bytes", /* FIX(R10) */
			   s->version, s->size, STATS_VERSION, sizeof *s);

	struct frame out = { .kind = 1, .samples = (uint32_t)s->samples, .max_us = (uint32_t)s->max_us };
	uint64_t samples = s->samples, total_us = s->total_us, max_us = s->max_us;
	if (munmap((void *)s, sizeof *s) != 0 || close(fd) != 0 || shm_unlink(name) != 0)
		zoo_die_errno("removing the statistics segment");
	if (samples != (uint64_t)zoo.iters || max_us > 1000 || total_us < samples || total_us > 1000 * samples)
		zoo_finish(ZOO_INVARIANT, "read %" PRIu64 " samples of %ld, total %" PRIu64 " us, max %" PRIu64 " us",
			   samples, zoo.iters, total_us, max_us);
	zoo_finish(ZOO_CLEAN, "read all %" PRIu64 " samples: total %" PRIu64 " us, max %" PRIu64 " us; sent a %zu-byte frame",
		   samples, total_us, max_us, sizeof out);
}
