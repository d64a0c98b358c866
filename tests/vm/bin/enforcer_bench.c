// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Figures for `make bench` (B2, B6 of the benchmark issue), measured inside one VM boot
 * (tests/vm/bench.sh boots it): the bytes of one cached verdict, the kernel memory per
 * entry of the verdict map at 10^4 and 10^5 entries (the map's memlock as the kernel
 * reports it: 6.1 counts key and value only, newer kernels the hash elements too),
 * and the cost of an exec with no enforcer, with the enforcer and a cached verdict (hit),
 * and with a verification before each exec (cold: the file written, begin, read, store).
 * Prints "enforcer-bench: KEY VALUE" lines; ratios are of medians from the same boot.
 */
#include <bpf/bpf.h>
#include <time.h>

#include "../enforcer_test.h"

#define ROUNDS 7
#define EXECS  300

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median over ROUNDS of the mean ns per exec; cold verifies (after a write) before each. */
static uint64_t exec_ns(struct sbx_enforcer *e, const char *path, const struct tiny_elf *t,
			bool cold)
{
	uint64_t r[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = now_ns();

		for (int j = 0; j < EXECS; j++) {
			if (cold) {
				int fd = open(path, O_WRONLY | O_CLOEXEC);

				close(fd); /* a new write generation: the verdict is stale */
				verify_file(e, path, t->bytes, t->len, 0);
			}
			if (run1(path) != 7)
				return 0;
		}
		r[i] = (now_ns() - t0) / EXECS;
	}
	qsort(r, ROUNDS, sizeof(r[0]), cmp_u64);
	return r[ROUNDS / 2];
}

static long map_memlock(const char *pin)
{
	char path[64], line[256];
	long memlock = -1;
	int fd = bpf_obj_get(pin);
	FILE *f;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &memlock) == 1)
			break;
	if (f)
		fclose(f);
	close(fd);
	return memlock;
}

int main(void)
{
	char dir[64], target[96], unverified[96], launcher[96];
	struct tiny_elf exit7, exit42, launch;
	const uint32_t sizes[] = { 10000, 100000 };
	struct sbx_enforcer_stats st;
	struct sbx_diag d = { 0 };
	struct sbx_enforcer *e;
	uint64_t none, none_after, hit, cold;

	sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	if (enforcer_fixture_files(dir, target, unverified, launcher, &exit7, &exit42, &launch))
		return 1;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long memlock;

		if (enforcer_open_at(SBX_ENFORCE_COMPLAIN, SBX_SCOPE_SANDBOXED, sizes[i], &e, &d)) {
			printf("enforcer-bench: error %s\n", d.msg);
			return 1;
		}
		memlock = map_memlock(TEST_PIN_DIR "/sbx_verdicts");
		sbx_enforcer_stats(e, &st, &d);
		printf("enforcer-bench: entries %u map_memlock_bytes %ld per_entry_bytes %.1f "
		       "(key+value %u, estimate %u)\n",
		       sizes[i], memlock, memlock > 0 ? (double)memlock / sizes[i] : 0.0,
		       st.entry_bytes, st.kernel_bytes);
		sbx_enforcer_close(e);
		sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	}
	exec_ns(NULL, target, &exit7, false); /* warm QEMU's translation cache first */
	none = exec_ns(NULL, target, &exit7, false);
	if (enforcer_open_at(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, &e, &d) ||
	    verify_file(e, target, exit7.bytes, exit7.len, 0)) {
		printf("enforcer-bench: error %s\n", d.msg);
		sbx_enforcer_unload(TEST_PIN_DIR, NULL);
		return 1;
	}
	hit = exec_ns(e, target, &exit7, false);
	cold = exec_ns(e, target, &exit7, true);
	sbx_enforcer_close(e);
	sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	none_after = exec_ns(NULL, target, &exit7, false); /* drift check: none, before and after */
	printf("enforcer-bench: exec_ns none %llu hit %llu cold %llu none_after %llu\n",
	       (unsigned long long)none, (unsigned long long)hit, (unsigned long long)cold,
	       (unsigned long long)none_after);
	none = (none + none_after) / 2;
	if (none && hit && cold)
		printf("enforcer-bench: ratio hit/none %.3f cold/none %.3f\n", (double)hit / none,
		       (double)cold / none);
	return !(none && hit && cold);
}
