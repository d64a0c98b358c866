// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File metadata calls as a sandboxed program makes them, for the supervisor's tests:
 * meta_probe ACT PATH [ARG]. Prints "ok" (and what it read) and exits 0, or
 * "refused: ERRNO" and exits 3; 2 on a usage error. The race acts make the call from one
 * thread while another rewrites its argument or swaps a symlink under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "../../escape/bin/read_other.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

static int refused(void)
{
	printf("refused: %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return 3;
}

static int done(long r)
{
	if (r < 0)
		return refused();
	printf("ok\n");
	return 0;
}

/* ---- races ---- */

static char race_buf[4096];
static const char *race_good, *race_bad, *race_link;
static volatile int race_stop;

static void *rewrite_path(void *arg)
{
	(void)arg;
	while (!race_stop) {
		strcpy(race_buf, race_bad);
		strcpy(race_buf, race_good);
	}
	return NULL;
}

/* race_link flips between a symlink to race_good and one to race_bad (rename over it). */
static void *swap_link(void *arg)
{
	char tmp_good[4200], tmp_bad[4200];

	(void)arg;
	snprintf(tmp_good, sizeof(tmp_good), "%s.g", race_link);
	snprintf(tmp_bad, sizeof(tmp_bad), "%s.b", race_link);
	while (!race_stop) {
		unlink(tmp_good);
		unlink(tmp_bad);
		if (symlink(race_bad, tmp_bad) || rename(tmp_bad, race_link))
			break;
		if (symlink(race_good, tmp_good) || rename(tmp_good, race_link))
			break;
	}
	return NULL;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	memcpy(a.sun_path, path, strnlen(path, sizeof(a.sun_path) - 1));
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

/* race-connect GOOD BAD / race-connect-link LINK GOOD BAD: the same, connecting. */
static void *rewrite_sun_path(void *arg)
{
	struct sockaddr_un *a = arg;

	while (!race_stop) {
		strcpy(a->sun_path, race_bad);
		strcpy(a->sun_path, race_good);
	}
	return NULL;
}

static int race_connect(const char *act, char **argv, int argc)
{
	static struct sockaddr_un a = { .sun_family = AF_UNIX };
	pthread_t t;
	int ok = 0, n = 200;

	if (!strcmp(act, "race-connect") && argc >= 4) {
		race_good = argv[2];
		race_bad = argv[3];
		strcpy(a.sun_path, race_good);
		pthread_create(&t, NULL, rewrite_sun_path, &a);
	} else if (!strcmp(act, "race-connect-link") && argc >= 5) {
		race_link = argv[2];
		race_good = argv[3];
		race_bad = argv[4];
		strcpy(a.sun_path, race_link);
		pthread_create(&t, NULL, swap_link, NULL);
	} else {
		return 2;
	}
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		ok += connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
	}
	race_stop = 1;
	pthread_join(t, NULL);
	printf("ok %d of %d\n", ok, n);
	return 0;
}

/*
 * A descriptor's signal owner set to pid, then SIGURG asked for on input (F_SETSIG, O_ASYNC)
 * and a byte written: the kernel signals the owner. F_GETOWN must then name pid.
 */
static long owner_call(const char *call, pid_t pid)
{
	struct f_owner_ex ex = { F_OWNER_PID, pid };
	int fds[2], who = pid;
	bool ioc = !strcmp(call, "fiosetown") || !strcmp(call, "siocspgrp");
	long r;

	if (ioc ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds))
		return -1;
	if (ioc)
		r = ioctl(fds[0], call[0] == 'f' ? FIOSETOWN : SIOCSPGRP, &who);
	else if (!strcmp(call, "fsetown_ex"))
		r = fcntl(fds[0], F_SETOWN_EX, &ex);
	else
		r = fcntl(fds[0], F_SETOWN, pid);
	if (!r)
		r = fcntl(fds[0], F_SETSIG, SIGURG) || fcntl(fds[0], F_SETFL, O_ASYNC) ? -1 : 0;
	if (!r && write(fds[1], "x", 1) != 1)
		r = -1;
	if (!r && fcntl(fds[0], F_GETOWN) != pid) {
		errno = EIO;
		r = -1;
	}
	close(fds[0]);
	close(fds[1]);
	return r;
}

/* One call aimed at another process: PID, or "child" (a child of ours, waited for). */
static long proc_call(const char *call, pid_t pid)
{
	struct rlimit rl;
	cpu_set_t set;
	union sigval v = { 0 };

	if (!strcmp(call, "kill"))
		return kill(pid, SIGURG);
	if (!strcmp(call, "tgkill"))
		return syscall(SYS_tgkill, pid, pid, SIGURG);
	if (!strcmp(call, "sigqueue"))
		return sigqueue(pid, SIGURG, v);
	if (!strcmp(call, "pidfd_send_signal")) {
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);

		return fd < 0 ? -1 : syscall(SYS_pidfd_send_signal, fd, SIGURG, NULL, 0);
	}
	if (!strcmp(call, "prlimit")) {
		if (prlimit(pid, RLIMIT_CORE, NULL, &rl))
			return -1;
		return prlimit(pid, RLIMIT_CORE, &rl, &rl);
	}
	if (!strcmp(call, "sched_setaffinity")) {
		if (sched_getaffinity(pid, sizeof(set), &set))
			return -1;
		return sched_setaffinity(pid, sizeof(set), &set);
	}
	if (!strcmp(call, "setpriority")) {
		errno = 0;
		int prio = getpriority(PRIO_PROCESS, (id_t)pid);

		return errno ? -1 : setpriority(PRIO_PROCESS, (id_t)pid, prio);
	}
	if (!strcmp(call, "capget_version")) { /* libcap's probe: the kernel's version back */
		struct __user_cap_header_struct h = { 0, pid };
		struct __user_cap_data_struct d[2];

		if (syscall(SYS_capget, &h, NULL) || h.version != _LINUX_CAPABILITY_VERSION_3)
			return -1;
		h.version = 0;
		if (syscall(SYS_capget, &h, d) != -1 || errno != EINVAL ||
		    h.version != _LINUX_CAPABILITY_VERSION_3)
			return -1;
		return 0;
	}
	if (!strncmp(call, "read-", 5)) /* the calls of read_other.h */
		return read_other(call + 5, pid);
	if (!strcmp(call, "pidfd_waitid")) { /* a pidfd of a child of ours, and waiting on it */
		siginfo_t si;
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);

		if (fd < 0 || kill(pid, SIGKILL))
			return -1;
		return waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED);
	}
	if (!strcmp(call, "fsetown") || !strcmp(call, "fsetown_ex") || !strcmp(call, "fiosetown") ||
	    !strcmp(call, "siocspgrp"))
		return owner_call(call, pid);
	errno = EINVAL;
	return -1;
}

static int proc_act(const char *call, const char *target)
{
	pid_t child = -1;
	long r;

	if (!strcmp(target, "group")) { /* kill(0): a group of our own, with a child in it */
		/* A session leader (sbx's launcher calls setsid) leads its group already. */
		if (getpgrp() != getpid() && setpgid(0, 0))
			return refused();
		child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		signal(SIGURG, SIG_IGN);
		r = kill(0, SIGURG);
	} else if (!strcmp(target, "child")) {
		child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		r = proc_call(call, child);
	} else {
		if (!strcmp(target, "0")) /* kill(0): whose group the program is in */
			printf("pgrp=%s\n", getpgrp() == getpid() ? "own" : "shared");
		r = proc_call(call, (pid_t)atoi(target));
	}
	if (child > 0) {
		int err = errno;

		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		errno = err;
	}
	return done(r);
}

/* race-arg GOOD BAD / race-link LINK GOOD BAD: chmod 0604 many times; how many worked. */
static int race(const char *act, char **argv, int argc)
{
	pthread_t t;
	int ok = 0, n = 500; /* a few hundred: every one is a round trip, slow under TCG */

	if (!strcmp(act, "race-arg") && argc >= 4) {
		race_good = argv[2];
		race_bad = argv[3];
		strcpy(race_buf, race_good);
		pthread_create(&t, NULL, rewrite_path, NULL);
	} else if (!strcmp(act, "race-link") && argc >= 5) {
		race_link = argv[2];
		race_good = argv[3];
		race_bad = argv[4];
		strcpy(race_buf, race_link);
		pthread_create(&t, NULL, swap_link, NULL);
	} else {
		return 2;
	}
	for (int i = 0; i < n; i++)
		ok += chmod(race_buf, 0604) == 0;
	race_stop = 1;
	pthread_join(t, NULL);
	printf("ok %d of %d\n", ok, n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *act = argc > 1 ? argv[1] : "";
	const char *path = argc > 2 ? argv[2] : NULL;
	const char *arg = argc > 3 ? argv[3] : NULL;
	mode_t mode = arg ? (mode_t)strtol(arg, NULL, 8) : 0600;
	char value[256], dir[4096], base[4096];
	struct timespec ts[2] = { { 1000000, 0 }, { 1000000, 0 } };
	struct timeval tv[2] = { { 1000000, 0 }, { 1000000, 0 } };
	ssize_t n;
	int fd;

	if (!strncmp(act, "race-connect", 12))
		return race_connect(act, argv, argc);
	if (!strncmp(act, "race-", 5))
		return race(act, argv, argc);
	if (!path)
		return 2;
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	if (!strcmp(act, "chmod"))
		return done(chmod(path, mode));
	if (!strcmp(act, "connect")) /* connect PATH: a pathname unix socket */
		return done(unix_connect(path));
	if (!strcmp(act, "connect-abstract")) { /* connect-abstract NAME */
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		size_t len = strnlen(path, sizeof(a.sun_path) - 2);

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		memcpy(a.sun_path + 1, path, len);
		return done(connect(fd, (struct sockaddr *)&a,
				    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)));
	}
	if (!strcmp(act, "connect-tcp") || !strcmp(act, "connect-tcp-nonblock")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(path)) };
		int r;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM | (act[11] ? SOCK_NONBLOCK : 0), 0);
		if (fd < 0)
			return refused();
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
		if (r && errno == EINPROGRESS) {
			printf("ok EINPROGRESS\n");
			return 0;
		}
		return done(r);
	}
	if (!strncmp(act, "proc-", 5)) /* proc-CALL PID|child|group */
		return proc_act(act + 5, path);
	if (!strcmp(act, "loop-chmod")) { /* loop-chmod PATH N: the mean cost of one chmod */
		long n = arg ? atol(arg) : 1000;
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			if (chmod(path, i & 1 ? 0640 : 0644))
				return refused();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%ld ns per chmod\n",
		       ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec)) / n);
		return 0;
	}
	if (!strcmp(act, "nodump-chmod")) { /* as ssh-agent: out of ptrace's reach */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
			return refused();
		return done(chmod(path, mode));
	}
	if (!strcmp(act, "fchmod")) { /* through a descriptor opened for reading */
		fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO: no wait */
		return fd < 0 ? refused() : done(fchmod(fd, mode));
	}
	if (!strcmp(act, "fchmod-rw")) { /* opened for writing: Landlock checked it */
		fd = open(path, O_RDWR);
		return fd < 0 ? refused() : done(fchmod(fd, mode));
	}
	if (!strcmp(act, "fchmodat")) { /* relative to a directory descriptor */
		fd = open(dirname(dir), O_PATH | O_DIRECTORY);
		return fd < 0 ? refused() : done(fchmodat(fd, basename(base), mode, 0));
	}
	if (!strcmp(act, "chmod-cwd")) { /* relative to the working directory */
		if (chdir(dirname(dir)))
			return refused();
		return done(chmod(basename(base), mode));
	}
	if (!strcmp(act, "fchmodat2")) {
		fd = open(dirname(dir), O_PATH | O_DIRECTORY);
		return fd < 0 ? refused()
			      : done(syscall(__NR_fchmodat2, fd, basename(base), mode, 0));
	}
	if (!strcmp(act, "chmod-proc-fd")) { /* the program's /proc/self/fd/N is its own */
		char p[64];

		fd = open(path, O_PATH);
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		return fd < 0 ? refused() : done(chmod(p, mode));
	}
	if (!strcmp(act, "chown"))
		return done(chown(path, getuid(), getgid()));
	if (!strcmp(act, "lchown"))
		return done(lchown(path, getuid(), getgid()));
	if (!strcmp(act, "fchown")) {
		fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO: no wait */
		return fd < 0 ? refused() : done(fchown(fd, getuid(), getgid()));
	}
	if (!strcmp(act, "fchownat-empty")) { /* AT_EMPTY_PATH on an O_PATH descriptor */
		fd = open(path, O_PATH);
		return fd < 0 ? refused()
			      : done(fchownat(fd, "", getuid(), getgid(), AT_EMPTY_PATH));
	}
	if (!strcmp(act, "utime")) {
		struct utimbuf u = { 1000000, 1000000 };

		return done(utime(path, &u));
	}
	if (!strcmp(act, "utimes"))
		return done(utimes(path, tv));
	if (!strcmp(act, "utimensat"))
		return done(utimensat(AT_FDCWD, path, ts, 0));
	if (!strcmp(act, "futimens")) {
		fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO: no wait */
		return fd < 0 ? refused() : done(futimens(fd, ts));
	}
	if (!strcmp(act, "setxattr"))
		return done(setxattr(path, "user.sbx", "v1", 2, 0));
	if (!strcmp(act, "lsetxattr"))
		return done(lsetxattr(path, "user.sbx", "v1", 2, 0));
	if (!strcmp(act, "fsetxattr")) {
		fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO: no wait */
		return fd < 0 ? refused() : done(fsetxattr(fd, "user.sbx", "v1", 2, 0));
	}
	if (!strcmp(act, "removexattr"))
		return done(removexattr(path, "user.sbx"));
	if (!strcmp(act, "getxattr") || !strcmp(act, "fgetxattr")) {
		if (act[0] == 'f') {
			fd = open(path, O_PATH);
			if (fd >= 0) { /* O_PATH is no read grant: by its name */
				char p[64];

				snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
				n = getxattr(p, "user.sbx", value, sizeof(value) - 1);
			} else {
				n = -1;
			}
		} else {
			n = getxattr(path, "user.sbx", value, sizeof(value) - 1);
		}
		if (n < 0)
			return refused();
		value[n] = '\0';
		printf("ok %s\n", value);
		return 0;
	}
	if (!strcmp(act, "listxattr")) {
		n = listxattr(path, value, sizeof(value) - 1);
		if (n < 0)
			return refused();
		for (ssize_t i = 0; i < n; i++)
			if (!value[i])
				value[i] = ',';
		value[n] = '\0';
		printf("ok %s\n", value);
		return 0;
	}
	if (!strcmp(act, "inotify")) { /* a watch, then an event it reports */
		int in = inotify_init1(IN_CLOEXEC), wd;

		if (in < 0)
			return refused();
		wd = inotify_add_watch(in, path, IN_ATTRIB);
		if (wd < 0)
			return refused();
		printf("ok wd=%d\n", wd);
		return 0;
	}
	/*
	 * A watch asking for opens (with arg "attrib", for attribute changes too), then an open
	 * of the file by the probe itself: whether the open was reported says whether the
	 * watch kept IN_OPEN.
	 */
	if (!strcmp(act, "inotify-open")) {
		int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), fd;
		uint32_t mask = IN_OPEN | (arg && !strcmp(arg, "attrib") ? IN_ATTRIB : 0);
		char ev[4096];
		ssize_t n;

		if (in < 0 || inotify_add_watch(in, path, mask) < 0)
			return refused();
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return refused();
		close(fd);
		n = read(in, ev, sizeof(ev));
		printf("ok open-reported=%d\n", n > 0);
		return 0;
	}
	return 2;
}
