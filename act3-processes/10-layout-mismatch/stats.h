/*
 * act3-processes/10-layout-mismatch/stats.h: the record the collector
 * publishes in POSIX shared memory and the dashboard reads. Two programs,
 * built apart, agree on it only through this file. The STATS_ numbers are
 * the layout both were written for (x86-64 and aarch64 alike).
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h> /* offsetof, for the programs that check the layout */
#include <stdint.h>

#define STATS_MAGIC 0x5a4f4f53u /* written last, once the record is whole */
#define STATS_VERSION 3
#define STATS_SIZE 128
#define STATS_SAMPLES_AT 16

struct stats {
	uint32_t magic;
	uint16_t version;
	uint16_t size;    /* sizeof(struct stats) as the writer was built */
	uint8_t source;   /* which collector wrote it */
	uint64_t samples; /* how many durations were recorded */
	uint64_t total_us;
	_Alignas(64) uint64_t max_us; /* on a cache line of its own: the collector updates it most */
};

#endif
