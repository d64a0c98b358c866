// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calls aimed at another process: signals where Landlock cannot scope them (ABI < 6) and
 * resource calls on an explicit target (prlimit, priorities, affinity, scheduling, I/O
 * priority). Landlock governs neither, and a program could otherwise lower the user's
 * shell's limits for good or raise an outside process's core limit to read its heap. Only
 * the sandbox's own processes may be targeted: the program and its descendants (orphans
 * reparent to the supervisor, or to the launcher's keeper, once it is their subreaper;
 * elsewhere they are refused). The keeper itself is sbx's, never a target.
 *
 * The target is pinned with a pidfd before its ancestry is read, and the pidfd must still
 * be live after (a pid is only reused once its process is reaped, so the ancestry read was
 * the pinned process's). Signals to a process go through that pidfd; thread-directed ones
 * (tkill, tgkill) and resource calls name the pinned pid, checked live again just before.
 * The receiver of a carried-out signal sees the supervisor's pid in si_pid.
 *
 * Process groups (kill(0), kill(-pgid)): allowed only when every process in the group is
 * the sandbox's (a scan of /proc; only processes of the same session can join a group).
 * kill(-1) (every process the user owns) and setpriority/ioprio_set on a group or a user
 * are refused, as are migrate_pages, move_pages and process_madvise on another process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervise/supervise_internal.h"

#define SUP_CPUSET_MAX 1024 /* bytes of affinity mask copied (8192 CPUs) */

/* Is pid (a process or thread) the program or one of its descendants? */
static bool member(const struct sbx_supervisor *s, pid_t pid)
{
	pid_t cur = pid, self = getpid();
	int subreaper = 0;

	prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0);
	if (s->program <= 0 || pid <= 0)
		return false;
	if (sup_proc_status_field(pid, "Tgid", &cur) || (s->keeper && cur == s->program))
		return false;
	for (int depth = 0; depth < 4096 && cur > 1; depth++) {
		pid_t parent;

		if (cur == s->program)
			return true;
		if (sup_proc_status_field(cur, "PPid", &parent))
			return false;
		/*
		 * An orphan the supervisor took in as subreaper is still the sandbox's (the
		 * launcher's process has no other children).
		 */
		if (parent == self)
			return subreaper && cur != self;
		cur = parent;
	}
	return false;
}

/*
 * The pinned process has not exited (so its pid cannot have been reused). A pidfd polls
 * readable once it exits. Not a signal 0: from the executor, which holds a Landlock domain
 * of its own, LANDLOCK_SCOPE_SIGNAL (ABI 6) refuses it for the program's processes too.
 */
static bool alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/*
 * Pin pid with a pidfd and check it is the sandbox's. Returns the pidfd (>= 0), or -errno:
 * -ESRCH when there is no such process (the call's own answer), -EPERM when it is not the
 * sandbox's (c->refused set).
 */
static int pin_member(struct sup_call *c, pid_t pid)
{
	pid_t tgid;
	int fd;

	if (sup_proc_status_field(pid, "Tgid", &tgid))
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (fd < 0)
		return -ESRCH;
	if (!member(c->s, pid) || !alive(fd)) {
		close(fd);
		if (sup_proc_status_field(pid, "Tgid", &tgid))
			return -ESRCH;
		c->refused = true;
		sup_why(c, "%s(pid %d): not one of the sandbox's processes", c->spec->name,
			(int)pid);
		return -EPERM;
	}
	return fd;
}

int sbx_proc_each(int (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *arg), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (e = readdir(d))) {
		char path[300], buf[512], *p;
		pid_t pid = (pid_t)strtol(e->d_name, &p, 10), ppid, pgrp;
		int fd;
		ssize_t n;

		if (*p || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/stat", e->d_name);
		fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* pid (comm) state ppid pgrp: comm may hold spaces and parentheses. */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %*c %d %d", &ppid, &pgrp) == 2)
			ret = fn(pid, ppid, pgrp, arg);
	}
	closedir(d);
	return ret;
}

struct group_scan {
	const struct sbx_supervisor *s;
	pid_t pgid;
	bool any;
};

/* Nonzero (the scan stops) for a process of the group that is not the sandbox's. */
static int outsider_in_group(pid_t pid, pid_t ppid, pid_t pgrp, void *arg)
{
	struct group_scan *g = arg;

	(void)ppid;
	if (pgrp != g->pgid)
		return 0;
	g->any = true;
	return !member(g->s, pid);
}

/* Every process of group pgid is the sandbox's (and there is one). */
static bool group_is_members(const struct sbx_supervisor *s, pid_t pgid)
{
	struct group_scan g = { s, pgid, false };

	return !sbx_proc_each(outsider_in_group, &g) && g.any;
}

static int copy_siginfo(struct sup_call *c)
{
	int a = c->nr == __NR_rt_sigqueueinfo	  ? 2
		: c->nr == __NR_rt_tgsigqueueinfo ? 3
		: c->nr == __NR_pidfd_send_signal ? 2
						  : -1;

	if (a < 0 || !c->args[a])
		return 0;
	c->buf_len = sizeof(siginfo_t);
	c->buf = calloc(1, sizeof(siginfo_t));
	if (!c->buf)
		return -ENOMEM;
	return sup_program_read(c->tid, c->args[a], c->buf, sizeof(siginfo_t));
}

/* The pid a pidfd of the program's refers to (its fdinfo "Pid:" line). */
static pid_t pidfd_pid(int fd)
{
	char path[64];
	pid_t pid = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	sup_proc_field(path, "Pid", &pid);
	return pid;
}

/*
 * Main thread (the executor cannot read /proc: it holds the program's Landlock domain):
 * copy the arguments, pin the target and check it is the sandbox's.
 */
static int copy_signal(struct sup_call *c)
{
	pid_t target = (pid_t)c->args[c->nr == __NR_tgkill || c->nr == __NR_rt_tgsigqueueinfo];
	int err;

	if (c->nr == __NR_kill && target <= 0) {
		/* 0: the caller's own group, not the supervisor's. */
		pid_t pgid = target == 0 ? getpgid(c->tid) : -target;

		if (pgid < 0)
			return -ESRCH;
		if (target == -1 || !group_is_members(c->s, pgid)) {
			c->refused = true;
			sup_why(c, "kill(%d): a process group not wholly the sandbox's",
				(int)target);
			return -EPERM;
		}
		c->mask = (uint64_t)pgid;
		return 0;
	}
	if (c->nr == __NR_pidfd_send_signal) {
		c->fd = sup_program_getfd(c, (int)c->args[0]);
		if (c->fd < 0)
			return c->fd;
		target = pidfd_pid(c->fd);
		if (target <= 0)
			return target == 0 ? -ESRCH : -EBADF;
	}
	err = copy_siginfo(c);
	if (err)
		return err;
	if (c->nr == __NR_tkill) {
		pid_t tgid;

		if (sup_proc_status_field(target, "Tgid", &tgid))
			return -ESRCH;
		c->mask = (uint64_t)tgid;
	}
	c->inst = pin_member(c, target);
	return c->inst < 0 ? c->inst : 0;
}

/* Executor: the signal, through the pinned pidfd (or by (tgid, tid) for a thread). */
static long exec_signal(struct sup_call *c)
{
	int sig = (int)c->args[c->nr == __NR_tgkill || c->nr == __NR_rt_tgsigqueueinfo ? 2 : 1];
	int pfd = c->inst;
	long ret;

	if (c->nr == __NR_kill && (pid_t)c->args[0] <= 0)
		return kill(-(pid_t)c->mask, sig) ? -errno : 0;
	switch (c->nr) {
	case __NR_kill:
		ret = syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
		break;
	case __NR_rt_sigqueueinfo:
		ret = syscall(SYS_pidfd_send_signal, pfd, sig, c->buf, 0);
		break;
	case __NR_pidfd_send_signal:
		ret = syscall(SYS_pidfd_send_signal, c->fd, sig, c->buf, (unsigned int)c->args[3]);
		break;
	case __NR_tkill: /* a thread: by (tgid, tid), the group pinned and live */
	case __NR_tgkill:
	case __NR_rt_tgsigqueueinfo: {
		pid_t tid = (pid_t)c->args[c->nr == __NR_tkill ? 0 : 1], tgid;

		tgid = c->nr == __NR_tkill ? (pid_t)c->mask : (pid_t)c->args[0];
		if (!alive(pfd)) {
			ret = -1;
			errno = ESRCH;
			break;
		}
		if (c->nr == __NR_rt_tgsigqueueinfo)
			ret = syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, c->buf);
		else
			ret = syscall(SYS_tgkill, tgid, tid, sig);
		break;
	}
	default:
		ret = -1;
		errno = ENOSYS;
	}
	return ret < 0 ? -errno : ret;
}

/* ---- resource calls on another process ---- */

static int copy_resource_args(struct sup_call *c)
{
	size_t len = 0;
	uint64_t addr = 0;

	switch (c->nr) {
	case __NR_prlimit64: /* (pid, resource, new, old) */
		addr = c->args[2];
		len = addr ? sizeof(struct rlimit) : 0;
		break;
	case __NR_sched_setaffinity: /* (pid, len, mask) */
		addr = c->args[2];
		len = c->args[1] > SUP_CPUSET_MAX ? SUP_CPUSET_MAX : (size_t)c->args[1];
		break;
	case __NR_sched_setscheduler: /* (pid, policy, param) */
		addr = c->args[2];
		len = addr ? sizeof(struct sched_param) : 0;
		break;
	case __NR_sched_setparam: /* (pid, param) */
		addr = c->args[1];
		len = addr ? sizeof(struct sched_param) : 0;
		break;
	case __NR_sched_setattr: { /* (pid, attr, flags): attr starts with its size */
		uint32_t size = 0;
		int err;

		addr = c->args[1];
		if (!addr)
			break;
		err = sup_program_read(c->tid, addr, &size, sizeof(size));
		if (err)
			return err;
		len = size ? size : 48; /* SCHED_ATTR_SIZE_VER0 */
		if (len > 4096)
			return -E2BIG;
		break;
	}
	default:
		return 0;
	}
	if (!len)
		return 0;
	c->buf_len = len;
	c->buf = calloc(1, len);
	if (!c->buf)
		return -ENOMEM;
	return sup_program_read(c->tid, addr, c->buf, len);
}

static pid_t resource_target(const struct sup_call *c)
{
	pid_t target = (pid_t)c->args[c->nr == __NR_setpriority || c->nr == __NR_ioprio_set];

	return target ? target : c->tid; /* 0: the caller itself */
}

/* Main thread: copy the arguments, pin the target and check it is the sandbox's. */
static int copy_resource(struct sup_call *c)
{
	int err;

	if ((c->nr == __NR_setpriority && c->args[0] != PRIO_PROCESS) ||
	    (c->nr == __NR_ioprio_set && c->args[0] != 1 /* IOPRIO_WHO_PROCESS */) ||
	    c->nr == __NR_migrate_pages || c->nr == __NR_move_pages ||
	    c->nr == __NR_process_madvise) {
		c->refused = true;
		sup_why(c, "%s: only on the sandbox's own processes, one at a time", c->spec->name);
		return -EPERM;
	}
	err = copy_resource_args(c);
	if (err)
		return err;
	c->inst = pin_member(c, resource_target(c));
	return c->inst < 0 ? c->inst : 0;
}

/* Executor: the call on the pinned pid, checked live just before. */
static long exec_resource(struct sup_call *c)
{
	pid_t target = resource_target(c);
	struct rlimit old;
	long ret;

	if (!alive(c->inst))
		return -ESRCH;
	switch (c->nr) {
	case __NR_prlimit64:
		ret = syscall(SYS_prlimit64, target, (int)c->args[1], c->buf,
			      c->args[3] ? &old : NULL);
		if (!ret && c->args[3]) {
			memcpy(c->out, &old, sizeof(old));
			c->out_len = sizeof(old);
		}
		break;
	case __NR_setpriority:
		ret = syscall(SYS_setpriority, PRIO_PROCESS, target, (int)c->args[2]);
		break;
	case __NR_sched_setaffinity:
		ret = syscall(SYS_sched_setaffinity, target, c->buf_len, c->buf);
		break;
	case __NR_sched_setscheduler:
		ret = syscall(SYS_sched_setscheduler, target, (int)c->args[1], c->buf);
		break;
	case __NR_sched_setparam:
		ret = syscall(SYS_sched_setparam, target, c->buf);
		break;
	case __NR_sched_setattr:
		ret = syscall(SYS_sched_setattr, target, c->buf, (unsigned int)c->args[2]);
		break;
	case __NR_ioprio_set:
		ret = syscall(SYS_ioprio_set, 1, target, (int)c->args[2]);
		break;
	default:
		ret = -1;
		errno = ENOSYS;
	}
	return ret < 0 ? -errno : ret;
}

static int copy_out_resource(struct sup_call *c, long ret)
{
	if (c->nr != __NR_prlimit64 || ret < 0 || !c->out_len)
		return 0;
	return sup_program_write(c->tid, c->args[3], c->out, c->out_len);
}

/* ---- reading another process's attributes ---- */

/*
 * The target of a reading call: its pid argument, or capget's header (copied to c->mask:
 * version in the low half); 0 names the caller.
 */
static pid_t read_target(const struct sup_call *c)
{
	pid_t target = c->nr == __NR_capget ? (pid_t)(c->mask >> 32)
		       : c->nr == __NR_getpriority || c->nr == __NR_ioprio_get ? (pid_t)c->args[1]
									       : (pid_t)c->args[0];

	return target ? target : c->tid;
}

static bool capget_version_known(uint32_t v)
{
	return v == _LINUX_CAPABILITY_VERSION_1 || v == _LINUX_CAPABILITY_VERSION_2 ||
	       v == _LINUX_CAPABILITY_VERSION_3;
}

/*
 * Main thread: copy what the call reads into the program's memory (so bytes the kernel
 * would leave alone are written back unchanged), pin the target and check it is the
 * sandbox's. Outside the sandbox the answer is ESRCH (the rule's errno), as if there were
 * no such process; a process that does not exist gets ESRCH too, unreported.
 */
static int copy_read(struct sup_call *c)
{
	uint64_t addr = 0;
	size_t len = 0;
	int err;

	if ((c->nr == __NR_getpriority && c->args[0] != PRIO_PROCESS) ||
	    (c->nr == __NR_ioprio_get && c->args[0] != 1 /* IOPRIO_WHO_PROCESS */)) {
		sup_why(c, "%s: only of the sandbox's own processes, one at a time", c->spec->name);
		return -EPERM;
	}
	switch (c->nr) {
	case __NR_capget: { /* (header {version, pid}, data) */
		uint32_t hdr[2];

		err = sup_program_read(c->tid, c->args[0], hdr, sizeof(hdr));
		if (err)
			return err;
		c->mask = (uint64_t)hdr[1] << 32 | hdr[0];
		if (!capget_version_known(hdr[0]))
			return 0; /* answered by copy_out: the kernel's version, EINVAL */
		addr = c->args[1];
		len = addr ? (hdr[0] == _LINUX_CAPABILITY_VERSION_1 ? 1 : 2) *
				      sizeof(struct __user_cap_data_struct)
			   : 0;
		break;
	}
	case __NR_sched_getaffinity: /* (pid, len, mask): the kernel writes its return */
		addr = c->args[2];
		len = c->args[1] > SUP_CPUSET_MAX ? SUP_CPUSET_MAX : (size_t)c->args[1];
		break;
	case __NR_sched_getparam: /* (pid, param) */
		addr = c->args[1];
		len = sizeof(struct sched_param);
		break;
	case __NR_sched_getattr: /* (pid, attr, size, flags) */
		addr = c->args[1];
		len = c->args[2] > 4096 ? 4096 : (size_t)c->args[2];
		break;
	case __NR_sched_rr_get_interval: /* (pid, timespec) */
		addr = c->args[1];
		len = sizeof(struct timespec);
		break;
	}
	if (len) {
		c->buf_len = len;
		c->buf = calloc(1, len);
		if (!c->buf)
			return -ENOMEM;
		if (addr && sup_program_read(c->tid, addr, c->buf, len))
			memset(c->buf, 0, len); /* unreadable: the kernel's EFAULT, from copy_out */
	}
	c->inst = pin_member(c, read_target(c));
	/* No such process: the kernel's own answer, from exec_read, unreported. */
	return c->inst < 0 && c->inst != -ESRCH ? c->inst : 0;
}

/* Executor: the call on the pinned pid, checked live just before. */
static long exec_read(struct sup_call *c)
{
	pid_t target = read_target(c);
	long ret;

	if (c->nr == __NR_capget && !capget_version_known((uint32_t)c->mask))
		return 0;
	if (c->inst < 0 || !alive(c->inst))
		return -ESRCH;
	switch (c->nr) {
	case __NR_getpriority:
		ret = syscall(SYS_getpriority, PRIO_PROCESS, target);
		break;
	case __NR_ioprio_get:
		ret = syscall(SYS_ioprio_get, 1, target);
		break;
	case __NR_getpgid:
		ret = syscall(SYS_getpgid, target);
		break;
	case __NR_getsid:
		ret = syscall(SYS_getsid, target);
		break;
	case __NR_sched_getscheduler:
		ret = syscall(SYS_sched_getscheduler, target);
		break;
	case __NR_sched_getaffinity:
		ret = syscall(SYS_sched_getaffinity, target, c->buf_len, c->buf);
		break;
	case __NR_sched_getparam:
		ret = syscall(SYS_sched_getparam, target, c->buf);
		break;
	case __NR_sched_getattr:
		ret = syscall(SYS_sched_getattr, target, c->buf, (unsigned int)c->buf_len,
			      (unsigned int)c->args[3]);
		break;
	case __NR_sched_rr_get_interval:
		ret = syscall(SYS_sched_rr_get_interval, target, c->buf);
		break;
	case __NR_capget: {
		struct __user_cap_header_struct h = { (uint32_t)c->mask, target };

		ret = syscall(SYS_capget, &h, c->buf);
		break;
	}
	case __NR_pidfd_open: {
		pid_t tgid;

		/* The pinned pidfd itself, when that is what was asked for. */
		if (!c->args[1] && !sup_proc_status_field(target, "Tgid", &tgid) &&
		    tgid == target) {
			c->answer_fd = c->inst;
			c->inst = -1;
			return 0;
		}
		ret = syscall(SYS_pidfd_open, target, (unsigned int)c->args[1]);
		if (ret >= 0) {
			c->answer_fd = (int)ret;
			ret = 0;
		}
		break;
	}
	default:
		ret = -1;
		errno = ENOSYS;
	}
	return ret < 0 ? -errno : ret;
}

/* Main thread: what the call read, into the program's memory. */
static int copy_out_read(struct sup_call *c, long ret)
{
	int err;

	switch (c->nr) {
	case __NR_capget:
		if (!capget_version_known((uint32_t)c->mask)) {
			uint32_t v = _LINUX_CAPABILITY_VERSION_3;

			/* As the kernel: with no data pointer, a version probe that succeeds. */
			err = sup_program_write(c->tid, c->args[0], &v, sizeof(v));
			return err ? err : c->args[1] ? -EINVAL : 0;
		}
		return c->buf_len ? sup_program_write(c->tid, c->args[1], c->buf, c->buf_len) : 0;
	case __NR_sched_getaffinity:
		return ret > 0 ? sup_program_write(c->tid, c->args[2], c->buf, (size_t)ret) : 0;
	case __NR_sched_getparam:
	case __NR_sched_getattr:
	case __NR_sched_rr_get_interval:
		return sup_program_write(c->tid, c->args[1], c->buf, c->buf_len);
	}
	return 0;
}

/* ---- a descriptor's signal owner (SIGIO, SIGURG), below Landlock ABI 6 ---- */

/*
 * Main thread: the owner asked for (F_SETOWN's argument, F_SETOWN_EX's struct, the ioctls'
 * int), the program's descriptor, and the owner pinned and checked. A process group is
 * refused: unlike kill's, the owner lasts, and the group could take in an outsider later.
 */
static int copy_owner(struct sup_call *c)
{
	struct f_owner_ex ex = { F_OWNER_PID, 0 };
	uint32_t cmd = (uint32_t)c->args[1];
	int who = 0, err;

	if (c->nr == __NR_fcntl && cmd == F_SETOWN) {
		who = (int)c->args[2];
	} else if (c->nr == __NR_fcntl && cmd == F_SETOWN_EX) {
		err = sup_program_read(c->tid, c->args[2], &ex, sizeof(ex));
		if (err)
			return err;
		who = ex.type == F_OWNER_PGRP ? -ex.pid : ex.pid;
	} else if (c->nr == __NR_ioctl && (cmd == FIOSETOWN || cmd == SIOCSPGRP)) {
		err = sup_program_read(c->tid, c->args[2], &who, sizeof(who));
		if (err)
			return err;
	} else {
		sup_why(c, "%s: not a signal owner the supervisor sets", c->spec->name);
		return -EPERM;
	}
	c->mask = (uint64_t)(uint32_t)who;
	memcpy(c->out, &ex, sizeof(ex));
	if (who < 0) {
		c->refused = true;
		sup_why(c, "%s(owner %d): a process group as a descriptor's signal owner",
			c->spec->name, who);
		return -EPERM;
	}
	c->fd = sup_program_getfd(c, (int)c->args[0]);
	if (c->fd < 0)
		return c->fd == -EBADF ? 0 : c->fd; /* EBADF: the kernel's answer, from exec */
	if (who) {
		c->inst = pin_member(c, who);
		return c->inst < 0 ? c->inst : 0;
	}
	return 0;
}

/* Executor: the owner set on the program's own open file (the copy shares it). */
static long exec_owner(struct sup_call *c)
{
	int who = (int)(uint32_t)c->mask;
	long ret;

	if (c->fd < 0)
		return -EBADF;
	if (who && !alive(c->inst))
		return -ESRCH;
	if (c->nr == __NR_ioctl)
		ret = ioctl(c->fd, (unsigned long)(uint32_t)c->args[1], &who);
	else if ((uint32_t)c->args[1] == F_SETOWN_EX)
		ret = fcntl(c->fd, F_SETOWN_EX, (struct f_owner_ex *)c->out);
	else
		ret = fcntl(c->fd, F_SETOWN, who);
	return ret < 0 ? -errno : ret;
}

#define SIGNAL(n)                                                                          \
	{                                                                                  \
		.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = -1, .flags_arg = -1, \
		.copy_in = copy_signal, .exec = exec_signal                                \
	}
#define RESOURCE(n)                                                                            \
	{                                                                                      \
		.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = -1, .flags_arg = -1,     \
		.copy_in = copy_resource, .exec = exec_resource, .copy_out = copy_out_resource \
	}

#define READ(n)                                                                            \
	{                                                                                  \
		.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = -1, .flags_arg = -1, \
		.copy_in = copy_read, .exec = exec_read, .copy_out = copy_out_read         \
	}
static bool takes_owner(const uint64_t args[6])
{
	uint32_t cmd = (uint32_t)args[1];

	return cmd == F_SETOWN || cmd == F_SETOWN_EX || cmd == FIOSETOWN || cmd == SIOCSPGRP;
}

#define OWNER(n)                                                                           \
	{                                                                                  \
		.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = -1, .flags_arg = -1, \
		.copy_in = copy_owner, .exec = exec_owner, .takes = takes_owner            \
	}

static const struct sup_spec specs[] = {
	SIGNAL(kill),
	SIGNAL(tkill),
	SIGNAL(tgkill),
	SIGNAL(rt_sigqueueinfo),
	SIGNAL(rt_tgsigqueueinfo),
	SIGNAL(pidfd_send_signal),
	RESOURCE(prlimit64),
	RESOURCE(setpriority),
	RESOURCE(sched_setaffinity),
	RESOURCE(sched_setscheduler),
	RESOURCE(sched_setparam),
	RESOURCE(sched_setattr),
	RESOURCE(ioprio_set),
	RESOURCE(migrate_pages),
	RESOURCE(move_pages),
	RESOURCE(process_madvise),
	READ(getpriority),
	READ(ioprio_get),
	READ(getpgid),
	READ(getsid),
	READ(sched_getaffinity),
	READ(sched_getparam),
	READ(sched_getscheduler),
	READ(sched_getattr),
	READ(sched_rr_get_interval),
	READ(capget),
	READ(pidfd_open),
	OWNER(fcntl),
	OWNER(ioctl),
};

const struct sup_family sup_procs_calls = { specs, sizeof(specs) / sizeof(specs[0]) };
