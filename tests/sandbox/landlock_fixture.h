/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Landlock suites (landlock_apply.c, landlock_others.c) share: a file with text,
 * a child confined by a hand-built plan, and the act of reading.
 */
#ifndef SBX_LANDLOCK_FIXTURE_H
#define SBX_LANDLOCK_FIXTURE_H

#include <sys/prctl.h>

#include "sbx_test.h"
#include "landlock/landlock.h"
#include "uapi_compat.h"

#define RO (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define RX (RO | LANDLOCK_ACCESS_FS_EXECUTE)

/* A file with text in it (empty when text is ""): 0, or -1. */
static inline int make_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * Confine a child with plan fitted to Landlock ABI abi (which may be older than the
 * kernel's), run act in it, return the act's result (0 or errno). plan NULL: unconfined.
 */
static inline int in_sandbox_at(const struct sbx_landlock_plan *plan, int abi, int (*act)(void *),
				void *arg)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0) {
		struct sbx_diag d = { 0 };
		struct sbx_enforcement e = { 0 };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(200);
		if (plan && landlock_apply_plan(plan, abi, &e, &d)) {
			fprintf(stderr, "apply at ABI %d: %s\n", abi, d.msg);
			_exit(201);
		}
		_exit(act(arg));
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws))
		return -1;
	return WEXITSTATUS(ws);
}

/* The same, fitted to the running kernel. */
static inline int in_sandbox(const struct sbx_landlock_plan *plan, int (*act)(void *), void *arg)
{
	return in_sandbox_at(plan, landlock_abi_version(), act, arg);
}

static inline int act_read(void *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#endif /* SBX_LANDLOCK_FIXTURE_H */
