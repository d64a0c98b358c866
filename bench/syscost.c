// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What one system call costs, for `make bench` (B4): run bare, under a seccomp filter of
 * its own, under MDWE, or under `sbx run`, and print nanoseconds per call.
 *
 *   syscost [--filter allow|allow-spec] [--mdwe] CALL N   N calls in loops of 1000; the
 *                                                         fastest loop: the cost undisturbed
 *                                                         by other load on the machine
 *   syscost pause                                         sleep until killed
 *   syscost filter-size PID                               instructions in all of PID's
 *                                                         seccomp filters, and how many
 *                                                         filters (root: ptrace)
 *
 * CALL: getppid (a call every filter allows by number alone, so the kernel's per-call
 * action cache answers it without running the program), fstat, mmap (mmap + munmap: the
 * W^X rules look at the arguments, so the filter runs), open (openat + close: Landlock
 * walks the path too).
 *
 * --filter allow installs a one-instruction "allow everything" filter: what is left is the
 * cost of having a filter at all. allow-spec adds SECCOMP_FILTER_FLAG_SPEC_ALLOW, which
 * keeps the speculative store bypass mitigation that seccomp otherwise turns on (where
 * the CPU is affected and the kernel's policy is "seccomp") off: the difference between
 * the two is that mitigation's price.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

#define PER_LOOP 1000

static int usage(void)
{
	fputs("usage: syscost [--filter allow|allow-spec] [--mdwe] "
	      "getppid|fstat|mmap|open N\n"
	      "       syscost pause\n"
	      "       syscost filter-size PID\n",
	      stderr);
	return 2;
}

static int install_allow_filter(unsigned long flags)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &insn };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog))
		return -errno;
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int one_call(const char *call)
{
	struct stat st;
	void *p;
	int fd;

	if (!strcmp(call, "getppid"))
		return syscall(SYS_getppid) > 0 ? 0 : -1;
	if (!strcmp(call, "fstat"))
		return fstat(1, &st);
	if (!strcmp(call, "mmap")) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? -1 : munmap(p, 4096);
	}
	if (!strcmp(call, "open")) {
		fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -1 : close(fd);
	}
	return -2;
}

static int measure(const char *call, long n)
{
	double best = -1;

	if (one_call(call) == -2)
		return usage();
	if (one_call(call)) {
		fprintf(stderr, "syscost: %s failed: %s\n", call, strerror(errno));
		return 1;
	}
	for (long done = 0; done < n; done += PER_LOOP) {
		double t0 = now_ns(), per;

		for (int i = 0; i < PER_LOOP; i++)
			one_call(call);
		per = (now_ns() - t0) / PER_LOOP;
		if (best < 0 || per < best)
			best = per;
	}
	printf("%.1f\n", best);
	return 0;
}

static int filter_size(pid_t pid)
{
	long n = -1;
	int status, filters = 0;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL)) {
		fprintf(stderr, "syscost: ptrace(ATTACH, %d): %s\n", (int)pid, strerror(errno));
		return 1;
	}
	if (waitpid(pid, &status, __WALL) != pid) {
		fprintf(stderr, "syscost: waitpid(%d): %s\n", (int)pid, strerror(errno));
		return 1;
	}
	/* Index 0 is the newest filter; with a NULL buffer the call returns its length. */
	for (long i = 0;; i++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);

		if (len < 0) {
			if (i == 0)
				fprintf(stderr, "syscost: PTRACE_SECCOMP_GET_FILTER: %s\n",
					strerror(errno));
			break;
		}
		n = (n < 0 ? 0 : n) + len;
		filters++;
	}
	if (n >= 0)
		printf("%ld %d\n", n, filters);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return n < 0;
}

int main(int argc, char **argv)
{
	unsigned long flags = 0;
	const char *filter = NULL;
	int i = 1, err;

	if (argc == 2 && !strcmp(argv[1], "pause")) {
		for (;;)
			pause();
	}
	if (argc == 3 && !strcmp(argv[1], "filter-size"))
		return filter_size((pid_t)atoi(argv[2]));
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
			filter = argv[++i];
		} else if (!strcmp(argv[i], "--mdwe")) {
			if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)) {
				fprintf(stderr, "syscost: PR_SET_MDWE: %s\n", strerror(errno));
				return 1;
			}
		} else {
			return usage();
		}
	}
	if (argc - i != 2)
		return usage();
	if (filter) {
		if (!strcmp(filter, "allow-spec"))
			flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(filter, "allow"))
			return usage();
		err = install_allow_filter(flags);
		if (err) {
			fprintf(stderr, "syscost: seccomp: %s\n", strerror(-err));
			return 1;
		}
	}
	return measure(argv[i], atol(argv[i + 1]));
}
