// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * B2 and B6 inside one VM boot (bench/sbxd.bench.sh boots it): tier K, sbx's BPF LSM
 * enforcer, the way sbxd drives it. Root, in the guest only.
 *
 *   vmbench B2 ROUNDS EXECS   exec loop of /tmp/sbx-vmbench/true (a copy of the static
 *                             busybox) on tmpfs: without the enforcer;
 *                             warm (a valid verdict cached: one map lookup per exec);
 *                             cold (the file written before each exec, which drops its
 *                             verdict, then hashed and its verdict stored again, as sbxd's
 *                             miss path does, then exec'd; EXECS/10 of those). Prints
 *                             "b2 KIND ms-per-exec" per round.
 *   vmbench loop NAME PATH ROUNDS EXECS
 *                             exec loop of PATH under whatever enforces (bench/vminit
 *                             starts the real sbxd for it); "b2 NAME ms-per-exec" per round.
 *   vmbench B6 ENTRIES        fill a verdict cache of ENTRIES entries with as many files'
 *                             verdicts; prints "b6 ENTRIES HELD MEMLOCK FORMULA": the
 *                             verdicts the map holds (an LRU map evicts a few early), its
 *                             memlock from fdinfo (the kernel's own account) and the
 *                             enforcer's per-entry formula (sbx_enforcer_stats).
 *
 * The enforcer runs in complain mode with scope all: a hit is the same lookup as in
 * enforce mode, and the guest's own shell (whose busybox has no verdict) keeps running.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpf/enforcer.h"
#include "sign/hash.h"

#define PIN_DIR "/sys/fs/bpf/sbx-bench"
#define DIR	"/tmp/sbx-vmbench"
#define TARGET	DIR "/true"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int run_path(const char *path)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_once(void)
{
	return run_path(TARGET);
}

/* begin → hash the whole file → store: sbxd's miss path, minus the signature's CMS. */
static int verify_and_store(struct sbx_enforcer *e, const char *path)
{
	struct sbx_cached_verdict v = { .kind = SBX_CACHED_VALID };
	uint8_t digest[SBX_DIGEST_LEN];
	struct sbx_diag d = { 0 };
	struct stat st;
	uint64_t gen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : sbx_enforcer_verdict_begin(e, fd, &gen, &d);
	if (!err)
		err = sbx_sha256_fd(fd, 0, (uint64_t)st.st_size, digest, &d);
	v.write_gen = gen;
	if (!err)
		err = sbx_enforcer_verdict_store(e, fd, &v, &d);
	if (err)
		fprintf(stderr, "vmbench: verdict for %s: %s\n", path, d.msg);
	close(fd);
	return err;
}

static int open_enforcer(uint32_t entries, struct sbx_enforcer **e)
{
	struct sbx_enforcer_opts o = {
		.sz = sizeof(o),
		.mode = SBX_ENFORCE_COMPLAIN,
		.scope = SBX_SCOPE_ALL,
		.pin_dir = PIN_DIR,
		.cache_entries = entries,
	};
	struct sbx_diag d = { 0 };
	int err;

	sbx_enforcer_unload(PIN_DIR, NULL);
	err = sbx_enforcer_open(&o, e, &d);
	if (err)
		fprintf(stderr, "vmbench: enforcer: %s\n", d.msg);
	return err;
}

static void close_enforcer(struct sbx_enforcer *e)
{
	sbx_enforcer_close(e);
	sbx_enforcer_unload(PIN_DIR, NULL);
}

enum kind { BARE, WARM, COLD };

static int loop(struct sbx_enforcer *e, enum kind k, int execs, double *ms)
{
	double t = 0;

	for (int i = 0; i < execs; i++) {
		double t0 = now_ms();

		if (k == COLD) {
			int fd = open(TARGET, O_WRONLY | O_CLOEXEC);
			char c;

			/* The same byte back: the content stays, the verdict goes. */
			if (fd < 0 || pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1)
				c = 0;
			if (fd >= 0)
				close(fd);
			if (verify_and_store(e, TARGET))
				return -1;
		}
		if (run_once())
			return -1;
		t += now_ms() - t0;
	}
	*ms = t / execs;
	return 0;
}

static int bench_b2(int rounds, int execs)
{
	static const char *const names[] = { "bare", "warm", "cold" };
	struct sbx_enforcer *e = NULL;
	double ms;

	if (access(TARGET, X_OK)) {
		fprintf(stderr, "vmbench: %s: %s (bench/vminit copies busybox there)\n", TARGET,
			strerror(errno));
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		for (enum kind k = BARE; k <= COLD; k++) {
			if (k == WARM && (open_enforcer(0, &e) || verify_and_store(e, TARGET)))
				return 1;
			/* A cold exec hashes the whole file: a tenth as many. */
			if (loop(e, k, k == COLD ? (execs + 9) / 10 : execs, &ms)) {
				fprintf(stderr, "vmbench: %s exec loop failed\n", names[k]);
				return 1;
			}
			printf("b2 %s %.4f\n", names[k], ms);
		}
		close_enforcer(e);
		e = NULL;
	}
	return 0;
}

static int bench_b6(uint32_t entries)
{
	struct sbx_enforcer_stats s = { 0 };
	struct sbx_enforcer *e;
	struct sbx_diag d = { 0 };
	char path[128], line[128];
	unsigned long long memlock = 0;
	FILE *f;
	int mfd;

	mkdir(DIR, 0755);
	if (open_enforcer(entries, &e))
		return 1;
	for (uint32_t i = 0; i < entries; i++) {
		int fd;

		snprintf(path, sizeof(path), DIR "/f%u", i);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) || verify_and_store(e, path)) {
			fprintf(stderr, "vmbench: file %u: %s\n", i, strerror(errno));
			close_enforcer(e);
			return 1;
		}
	}
	sbx_enforcer_stats(e, &s, &d);
	mfd = bpf_obj_get(PIN_DIR "/sbx_verdicts");
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", mfd);
	f = mfd >= 0 ? fopen(path, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "memlock: %llu", &memlock);
	if (f)
		fclose(f);
	printf("b6 %u %u %llu %u\n", entries, s.cache_entries, memlock, s.kernel_bytes);
	close_enforcer(e);
	for (uint32_t i = 0; i < entries; i++) {
		snprintf(path, sizeof(path), DIR "/f%u", i);
		unlink(path);
	}
	return memlock ? 0 : 1;
}

/* ROUNDS rounds of EXECS execs of path, whatever enforces them (bench/vminit's sbxd). */
static int bench_loop(const char *name, const char *path, int rounds, int execs)
{
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ms();

		for (int i = 0; i < execs; i++)
			if (run_path(path)) {
				fprintf(stderr, "vmbench: %s: exec loop failed\n", path);
				return 1;
			}
		printf("b2 %s %.4f\n", name, (now_ms() - t0) / execs);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "loop"))
		return bench_loop(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "B2"))
		return bench_b2(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "B6"))
		return bench_b6((uint32_t)strtoul(argv[2], NULL, 10));
	fputs("usage: vmbench B2 ROUNDS EXECS | vmbench B6 ENTRIES | "
	      "vmbench loop NAME PATH ROUNDS EXECS\n",
	      stderr);
	return 2;
}
