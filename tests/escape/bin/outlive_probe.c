// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * outlive_probe MODE ... (tests/escape/outlive.c): what a program can do about its
 * supervisor, confined or not. Libc only.
 *
 *   listener   seccomp(SET_MODE_FILTER) with NEW_LISTENER, then with the flags a program
 *              may pass (TSYNC|LOG|SPEC_ALLOW), then GET_NOTIF_SIZES; one line each on
 *              stdout: "NAME: ok" or "NAME: ERRNO-NAME".
 *   sigpipe    one line on stdout, then writes until no one reads it (EPIPE), then makes
 *              sbx explain a refusal on stderr (flock of its own executable, which it may
 *              read, not write), then exits 7.
 *   tree FIFO  forks a child that opens FIFO for writing, writes "ready PID\n" (its own pid)
 *              and waits for ever; the program waits for ever too. Whoever kills the program
 *              must kill that child as well.
 *   stopper FIFO  ignores SIGHUP; forks a child that writes "ready PID\n" to FIFO and then
 *              stops the program (SIGSTOP) again and again, every 20 ms, for ever (atk9u L1:
 *              the program stops itself after every SIGCONT).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void say(const char *name, long r)
{
	printf("%s: %s\n", name, r >= 0 ? "ok" : strerrorname_np(errno));
}

static int listener(void)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { 1, allow };
	struct seccomp_notif_sizes sizes;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 12;
	say("new_listener", syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
	say("allowed_flags", syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				     SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
					     SECCOMP_FILTER_FLAG_SPEC_ALLOW,
				     &prog));
	say("notif_sizes", syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes));
	return 0;
}

static int sigpipe(void)
{
	int fd;

	signal(SIGPIPE, SIG_IGN);
	printf("first line\n");
	fflush(stdout);
	/* Until the runner has closed its end (it reads one line). */
	while (write(1, "more\n", 5) > 0)
		;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	flock(fd, LOCK_SH);
	return 7;
}

/* tree FIFO; with stop, stopper FIFO (the usage above). */
static int tree(const char *fifo, bool stop)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	pid_t prog = getpid(), c;

	if (stop)
		signal(SIGHUP, SIG_IGN);
	c = fork();
	if (c < 0)
		return 12;
	if (c == 0) {
		int fd = open(fifo, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || dprintf(fd, "ready %d\n", (int)getpid()) < 0)
			_exit(12);
		/* Until the program is gone (its pid is then no longer ours to signal). */
		while (stop && (kill(prog, SIGSTOP) == 0 || errno != ESRCH))
			nanosleep(&tick, NULL);
		for (;;)
			pause();
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "listener"))
		return listener();
	if (argc >= 2 && !strcmp(argv[1], "sigpipe"))
		return sigpipe();
	if (argc >= 3 && !strcmp(argv[1], "tree"))
		return tree(argv[2], false);
	if (argc >= 3 && !strcmp(argv[1], "stopper"))
		return tree(argv[2], true);
	fprintf(stderr, "usage: outlive_probe listener|sigpipe|tree FIFO|stopper FIFO\n");
	return 2;
}
