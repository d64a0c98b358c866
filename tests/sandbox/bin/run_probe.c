// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a sandboxed program sees, one act per invocation, for the launcher's tests:
 * run_probe ACT [ARG]. Prints one line on success and exits 0; on refusal prints
 * "refused: <errno name>" and exits 3. Exits 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int refused(const char *what)
{
	printf("refused: %s (%s)\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?", what);
	return 3;
}

/* The lines of /proc/self/status that say what the process may do. */
static int show_status(void)
{
	static const char *const keys[] = { "CapInh:", "CapPrm:",     "CapEff:",  "CapBnd:",
					    "CapAmb:", "NoNewPrivs:", "Seccomp:", NULL };
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return refused("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		for (int i = 0; keys[i]; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				fputs(line, stdout);
	fclose(f);
	printf("Dumpable:\t%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	return 0;
}

int main(int argc, char **argv)
{
	const char *act = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;

	if (!strcmp(act, "status"))
		return show_status();
	if (!strcmp(act, "env")) { /* env NAME: its value, or "unset" */
		const char *v = arg ? getenv(arg) : NULL;

		printf("%s=%s\n", arg ? arg : "", v ? v : "(unset)");
		return 0;
	}
	if (!strcmp(act, "exit") && arg)
		return atoi(arg);
	if (!strcmp(act, "signal") && arg) {
		raise(atoi(arg));
		return 1;
	}
	if (!strcmp(act, "read") && arg) {
		char buf[256];
		int fd = open(arg, O_RDONLY);
		ssize_t n;

		if (fd < 0)
			return refused(arg);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0)
			return refused(arg);
		buf[n] = '\0';
		printf("read: %s\n", buf);
		return 0;
	}
	if (!strcmp(act, "write") && arg) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || write(fd, "written\n", 8) != 8)
			return refused(arg);
		close(fd);
		printf("wrote: %s\n", arg);
		return 0;
	}
	if (!strcmp(act, "socket-inet")) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return refused("socket(AF_INET)");
		printf("socket: ok\n");
		return 0;
	}
	if ((!strcmp(act, "bind-udp") || !strcmp(act, "bind-tcp")) && arg) { /* 0.0.0.0:PORT */
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((unsigned short)atoi(arg)),
					  .sin_addr.s_addr = htonl(INADDR_ANY) };
		int fd = socket(AF_INET, act[5] == 'u' ? SOCK_DGRAM : SOCK_STREAM, 0);

		if (fd < 0)
			return refused("socket(AF_INET)");
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return refused("bind");
		printf("bound: %s\n", arg);
		return 0;
	}
	if (!strcmp(act, "listen-tcp")) { /* never bound: the kernel picks the port */
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return refused("socket(AF_INET)");
		if (listen(fd, 1))
			return refused("listen");
		printf("bound: listening\n");
		return 0;
	}
	if (!strcmp(act, "exe-socket")) { /* which file runs, and whether it has the network */
		struct stat st;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (stat("/proc/self/exe", &st))
			return refused("stat(/proc/self/exe)");
		printf("exe %lld socket %s\n", (long long)st.st_size, fd >= 0 ? "ok" : "refused");
		return 0;
	}
	if (!strcmp(act, "socket-loop") && arg) { /* N denials, IPv4 and IPv6 in turn */
		long n = atol(arg);

		for (long i = 0; i < n; i++)
			if (socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) >= 0)
				return 1;
		printf("socket-loop: %ld refused\n", n);
		return 0;
	}
	if (!strcmp(act, "mmap-wx")) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return refused("mmap(PROT_WRITE|PROT_EXEC)");
		printf("mmap-wx: ok\n");
		return 0;
	}
	if (!strcmp(act, "mprotect-x")) { /* W then X: the JIT pattern */
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			return refused("mmap");
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
			return refused("mprotect(PROT_EXEC)");
		printf("mprotect-x: ok\n");
		return 0;
	}
	if (!strcmp(act, "syscalls") && arg) { /* N allowed calls; their mean cost, for bench/ */
		long n = atol(arg);
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%.1f ns per getppid\n",
		       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (n ? n : 1));
		return 0;
	}
	if (!strcmp(act, "io-uring")) {
		char params[120] = { 0 }; /* struct io_uring_params */
		long fd = syscall(SYS_io_uring_setup, 1, params);

		if (fd < 0)
			return refused("io_uring_setup");
		printf("io-uring: ok\n");
		return 0;
	}
	if (!strcmp(act, "aio")) { /* Linux AIO (libaio's io_setup): sbx.aio */
		unsigned long ctx = 0;

		if (syscall(SYS_io_setup, 1, &ctx) < 0)
			return refused("io_setup");
		syscall(SYS_io_destroy, ctx);
		printf("aio: ok\n");
		return 0;
	}
	if (!strcmp(act, "socket-bluetooth")) { /* AF_BLUETOOTH, BTPROTO_RFCOMM: device.bluetooth */
		int fd = socket(31, SOCK_STREAM, 3);

		if (fd < 0)
			return refused("socket(AF_BLUETOOTH)");
		printf("socket-bluetooth: ok\n");
		return 0;
	}
	if (!strcmp(act, "ptrace-parent")) {
		if (syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0))
			return refused("ptrace");
		printf("ptrace: ok\n");
		return 0;
	}
	fprintf(stderr,
		"usage: run_probe status|env NAME|exit N|signal N|read F|write F|"
		"socket-inet|exe-socket|socket-loop "
		"N|mmap-wx|mprotect-x|io-uring|aio|socket-bluetooth|ptrace-parent|syscalls N\n");
	return 2;
}
