/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The calls that read another process's attributes by naming it (atk5u J), as a program
 * makes them: shared by escape_probe (an outside target must be refused) and the
 * supervisor suite's meta_probe (the program's own children must still be answered).
 * Only libc and the kernel.
 */
#ifndef SBX_TEST_READ_OTHER_H
#define SBX_TEST_READ_OTHER_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

static const char *const read_other_calls[] = {
	"getpriority",
	"ioprio_get",
	"sched_getaffinity",
	"sched_getparam",
	"sched_getscheduler",
	"sched_getattr",
	"sched_rr_get_interval",
	"capget",
	"getpgid",
	"getsid",
	"get_robust_list",
	"prlimit64",
	"pidfd_open",
};

static inline bool read_other_known(const char *call)
{
	for (size_t i = 0; i < sizeof(read_other_calls) / sizeof(read_other_calls[0]); i++)
		if (!strcmp(call, read_other_calls[i]))
			return true;
	return false;
}

/* The call on pid: its result (pidfd_open's descriptor stays open), or -1 with errno. */
static inline long read_other(const char *call, pid_t pid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct caps[2];
	struct sched_param sp;
	struct timespec ts;
	struct rlimit rl;
	cpu_set_t set;
	uint32_t attr[14] = { 0 };
	void *head;
	size_t len;

	if (!strcmp(call, "getpriority"))
		return syscall(SYS_getpriority, PRIO_PROCESS, pid);
	if (!strcmp(call, "ioprio_get"))
		return syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, pid);
	if (!strcmp(call, "sched_getaffinity"))
		return syscall(SYS_sched_getaffinity, pid, sizeof(set), &set);
	if (!strcmp(call, "sched_getparam"))
		return syscall(SYS_sched_getparam, pid, &sp);
	if (!strcmp(call, "sched_getscheduler"))
		return syscall(SYS_sched_getscheduler, pid);
	if (!strcmp(call, "sched_getattr"))
		return syscall(SYS_sched_getattr, pid, attr, sizeof(attr), 0);
	if (!strcmp(call, "sched_rr_get_interval"))
		return syscall(SYS_sched_rr_get_interval, pid, &ts);
	if (!strcmp(call, "capget"))
		return syscall(SYS_capget, &h, caps);
	if (!strcmp(call, "getpgid"))
		return syscall(SYS_getpgid, pid);
	if (!strcmp(call, "getsid"))
		return syscall(SYS_getsid, pid);
	if (!strcmp(call, "get_robust_list"))
		return syscall(SYS_get_robust_list, pid, &head, &len);
	if (!strcmp(call, "prlimit64"))
		return syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &rl);
	if (!strcmp(call, "pidfd_open"))
		return syscall(SYS_pidfd_open, pid, 0);
	errno = EINVAL;
	return -1;
}

#endif /* SBX_TEST_READ_OTHER_H */
