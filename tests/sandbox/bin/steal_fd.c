// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Try to take a descriptor of the parent process with pidfd_getfd(2): under sbx run the
 * parent is the supervisor, holding the seccomp listener. Prints what happened.
 * Exit: 0 took one ("stole FD: TARGET"), 10 every attempt refused ("refused: ERRNO"),
 * 12 could not even try (no pidfd_open: "unsupported: ERRNO").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int main(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0), last = 0;

	if (pidfd < 0) {
		printf("unsupported: %s\n", strerrorname_np(errno));
		return 12;
	}
	for (int fd = 0; fd < 64; fd++) {
		int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		char link[64], target[256];
		ssize_t n;

		if (got < 0) {
			if (errno != EBADF)
				last = errno;
			continue;
		}
		snprintf(link, sizeof(link), "/proc/self/fd/%d", got);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("stole %d: %s\n", fd, target);
		return 0;
	}
	printf("refused: %s\n", last ? strerrorname_np(last) : "EBADF");
	return 10;
}
