// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sbx run --timings: a clock per launch phase (timing.h). The page is MAP_SHARED so that
 * the forked child's marks reach the parent; the clocks are read through the vDSO, so a
 * mark in the child is no system call.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "timing.h"

#define MAX_MARKS 32

struct timing_page {
	unsigned int n;
	uint64_t startup_ns; /* CPU time before sbx_timing_start() */
	uint64_t t0; /* CLOCK_MONOTONIC at sbx_timing_start() */
	struct {
		const char *phase;
		uint64_t ns;
	} marks[MAX_MARKS];
};

static struct timing_page *page;

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sbx_timing_start(void)
{
	void *p;

	if (page)
		return 0;
	p = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	page = p;
	page->startup_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	page->t0 = now_ns(CLOCK_MONOTONIC);
	return 0;
}

void sbx_timing_mark(const char *phase)
{
	unsigned int i;

	if (!page)
		return;
	i = __atomic_fetch_add(&page->n, 1, __ATOMIC_RELAXED);
	if (i >= MAX_MARKS)
		return;
	page->marks[i].ns = now_ns(CLOCK_MONOTONIC);
	__atomic_store_n(&page->marks[i].phase, phase, __ATOMIC_RELEASE);
}

static void print_row(FILE *out, const char *phase, uint64_t ns)
{
	fprintf(out, "sbx: timing: %-18s %8.3f ms\n", phase, (double)ns / 1e6);
}

void sbx_timing_print(FILE *out)
{
	unsigned int n;
	uint64_t prev;

	if (!page)
		return;
	n = __atomic_load_n(&page->n, __ATOMIC_ACQUIRE);
	if (n > MAX_MARKS)
		n = MAX_MARKS;
	print_row(out, "start-up", page->startup_ns);
	prev = page->t0;
	for (unsigned int i = 0; i < n; i++) {
		const char *phase = __atomic_load_n(&page->marks[i].phase, __ATOMIC_ACQUIRE);
		uint64_t t = page->marks[i].ns;

		if (!phase)
			continue;
		/* A clock read that failed (0) counts as no time rather than a negative one. */
		print_row(out, phase, t > prev ? t - prev : 0);
		if (t > prev)
			prev = t;
	}
	print_row(out, "total", page->startup_ns + (prev - page->t0));
	fflush(out);
}
