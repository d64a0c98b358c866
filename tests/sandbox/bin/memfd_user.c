// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An honest memfd user: creates a memfd (with MFD_CLOEXEC when argv[1] is "cloexec"),
 * writes and reads it back, then reports what a sandbox made of it, one word each:
 *   memfd=ok|refused(ERRNO) sealed=yes|no cloexec=yes|no chmod=refused|allowed
 *   exec=refused|ran
 * Exits 0 when the memfd worked, 1 when memfd_create was refused.
 * With argv[1] "nofds", first leaves no descriptor free (RLIMIT_NOFILE) and prints only
 * memfd=ok|ERRNO: the call must come back with EMFILE, never hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int no_free_descriptor(void)
{
	int lowest = dup(0), fd;

	if (lowest < 0)
		return 2;
	close(lowest);
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ lowest, lowest }))
		return 2;
	fd = memfd_create("honest", MFD_CLOEXEC);
	printf("memfd=%s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int flags = argc > 1 && !strcmp(argv[1], "cloexec") ? MFD_CLOEXEC : 0;
	static const char script[] = "#!/bin/sh\nexit 0\n";
	char buf[sizeof(script)], path[64];
	int fd = memfd_create("honest", flags), seals, fdflags, status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "nofds")) {
		if (fd >= 0)
			close(fd);
		return no_free_descriptor();
	}
	if (fd < 0) {
		printf("memfd=refused(%s)\n", strerrorname_np(errno));
		return 1;
	}
	if (write(fd, script, sizeof(script) - 1) != sizeof(script) - 1 ||
	    pread(fd, buf, sizeof(script) - 1, 0) != sizeof(script) - 1 ||
	    memcmp(buf, script, sizeof(script) - 1)) {
		printf("memfd=broken\n");
		return 2;
	}
	seals = fcntl(fd, F_GET_SEALS);
	fdflags = fcntl(fd, F_GETFD);
	printf("memfd=ok sealed=%s cloexec=%s", seals >= 0 && (seals & F_SEAL_EXEC) ? "yes" : "no",
	       fdflags >= 0 && (fdflags & FD_CLOEXEC) ? "yes" : "no");
	printf(" chmod=%s", fchmod(fd, 0755) ? "refused" : "allowed");
	/* Run it through /proc/self/fd, as an attacker would: the child reports by status. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fcntl(fd, F_SETFD, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(path, "memfd-script", (char *)NULL);
		_exit(126);
	}
	waitpid(pid, &status, 0);
	printf(" exec=%s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ran" : "refused");
	return 0;
}
