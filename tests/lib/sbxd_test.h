/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real sbxd in a test, for both its fixtures (tests/sandbox/sbxd_fixture.h: tier F on
 * the host; tests/vm/sbxd_k.h: tier K in the guests): started by sh under the caller's
 * timeout(1), its output appended to a file, ready when it sends READY=1 to the notify
 * socket (systemd's protocol, what sbxd.service waits for); its pid from its state file.
 */
#ifndef SBXD_TEST_H
#define SBXD_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The build's sbxd (SBX_BUILD, as tests/check.sh sets it). */
static inline const char *sbxd_bin(void)
{
	static char path[4096];
	const char *b = getenv("SBX_BUILD");

	snprintf(path, sizeof(path), "%s/sbxd", b && *b ? b : "build");
	return path;
}

/*
 * Run `sh -c cmd` (cmd execs timeout(1) and sbxd) with NOTIFY_SOCKET=notify, its stdout
 * and stderr appended to out, and wait for READY=1 or its exit; bound_s bounds a start
 * that failed, it is not a timed assertion. *pid is the shell's (then timeout's) process,
 * 0 once it has exited. 0: ready; -1: it exited or sent something else; -errno: it could
 * not be started or the bound passed.
 */
static inline int sbxd_test_start(const char *cmd, const char *notify, const char *out, int bound_s,
				  pid_t *pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = s, .events = POLLIN };
	char buf[256];
	ssize_t n = -1;
	int err = -ETIMEDOUT;

	*pid = 0;
	if (s < 0)
		return -errno;
	if (strlen(notify) >= sizeof(sa.sun_path)) {
		close(s);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, notify, strlen(notify));
	unlink(notify);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || (*pid = fork()) < 0) {
		err = -errno;
		*pid = 0;
		close(s);
		return err;
	}
	if (*pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("NOTIFY_SOCKET", notify, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < bound_s * 10 && n < 0; i++) {
		if (poll(&p, 1, 100) == 1) {
			n = recv(s, buf, sizeof(buf) - 1, 0);
		} else if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			err = -1;
			break;
		}
	}
	close(s);
	if (n < 0)
		return err;
	buf[n] = '\0';
	return strstr(buf, "READY=1") ? 0 : -1;
}

/* sbxd's pid from the state file in run_dir (timeout(1) is its parent); 0 without one. */
static inline pid_t sbxd_test_pid(const char *run_dir)
{
	char path[4096], line[128];
	pid_t pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sbxd.state", run_dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "pid=", 4))
			pid = atoi(line + 4);
	if (f)
		fclose(f);
	return pid;
}

/*
 * sbxd's output file out (what sbxd_test_start appended) holds a line containing what;
 * waits for it within a bound (30 s), which is not a timed assertion.
 */
static inline bool sbxd_test_logged(const char *out, const char *what)
{
	char line[4096];

	for (int i = 0; i < 300; i++) {
		FILE *f = fopen(out, "re");
		bool found = false;

		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, what) != NULL;
		if (f)
			fclose(f);
		if (found)
			return true;
		usleep(100000);
	}
	return false;
}

#endif /* SBXD_TEST_H */
