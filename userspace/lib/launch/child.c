// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The child, between fork and execve: raw system calls only, no malloc, stdio or locks (it
 * may be the fork of a threaded daemon). A failing step is reported to the parent as a
 * struct child_failure, which the parent puts in words (launch_child_failure_diag).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/securebits.h>

#include "landlock/landlock.h"
#include "timing.h"
#include "launch/fdpass.h"
#include "launch/launch_internal.h"
#include "uapi_compat.h"

/* What capability detail < 0 means. */
enum {
	CAPS_CAPGET = -1,
	CAPS_SECUREBITS = -2,
	CAPS_AMBIENT = -3,
	CAPS_CAPSET = -4,
};

static void __attribute__((noreturn)) child_fail(int pipe_fd, int step, int err, long detail)
{
	struct child_failure f = { .step = step, .err = err ? err : EIO, .detail = detail };

	if (write(pipe_fd, &f, sizeof(f)) < 0) {
		/* nothing left to tell anyone: the parent sees EOF and a 125 exit */
	}
	_exit(125);
}

/*
 * Every capability set empty, ambient and inheritable included; for root also the bounding
 * set and locked securebits, or it would regain every capability at execve. Returns 0 or
 * a CAPS_* / capability number in *detail and the errno.
 */
static int drop_capabilities(long *detail)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	*detail = CAPS_CAPGET;
	if (syscall(SYS_capget, &h, data))
		return errno;
	/* Permitted but not effective (a file capability without its effective bit): raised
	 * for the drops, else the bounding set would stay full. */
	if ((data[0].permitted & ~data[0].effective) & (1U << CAP_SETPCAP)) {
		*detail = CAPS_CAPSET;
		data[0].effective |= 1U << CAP_SETPCAP;
		if (syscall(SYS_capset, &h, data))
			return errno;
	}
	if (data[0].effective & (1U << CAP_SETPCAP)) {
		for (long c = 0; c < 64 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0)) {
				*detail = c;
				return errno;
			}
		*detail = CAPS_SECUREBITS;
		if (prctl(PR_SET_SECUREBITS,
			  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
				  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
				  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
			  0, 0, 0))
			return errno;
	}
	*detail = CAPS_AMBIENT;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return errno; /* EINVAL: before Linux 4.3, no ambient set to clear */
	*detail = CAPS_CAPSET;
	memset(data, 0, sizeof(data));
	h.pid = 0;
	if (syscall(SYS_capset, &h, data))
		return errno;
	return 0;
}

/* FD_CLOEXEC on fd, when it is open. */
static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0 && !(flags & FD_CLOEXEC))
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Before close_range (Linux 5.11): the open ones, as /proc lists them (else 64 Ki). */
static void cloexec_from_proc(void)
{
	char buf[4096] __attribute__((aligned(8)));
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (dir < 0) {
		for (int fd = 3; fd < 65536; fd++)
			set_cloexec(fd);
		return;
	}
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			int fd = 0;
			const char *c = de->d_name;

			off += de->d_reclen;
			if (*c < '0' || *c > '9')
				continue;
			for (; *c >= '0' && *c <= '9'; c++)
				fd = fd * 10 + (*c - '0');
			if (fd > 2 && fd != dir)
				set_cloexec(fd);
		}
	close(dir);
}

/*
 * Mark every descriptor above 2 close-on-exec, then clear the flag on the kept ones (the
 * error pipe stays close-on-exec: execve closes it, which tells the parent it worked).
 * Returns 0 or the errno, with the descriptor in *fd.
 */
static int close_inherited_fds(const struct sbx_launch_opts *o, long *fd)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC))
		cloexec_from_proc();
	for (size_t i = 0; i < o->n_keep_fds; i++)
		if (fcntl(o->keep_fds[i], F_SETFD, 0)) {
			*fd = o->keep_fds[i];
			return errno;
		}
	return 0;
}

/* The program's own session; the pty (if any) its controlling terminal and its 0-2. */
static void enter_session(const struct sbx_terminal *t, int err_fd)
{
	if (setsid() < 0)
		child_fail(err_fd, STEP_SESSION, errno, -1);
	if (t->master < 0)
		return;
	if (ioctl(t->slave, TIOCSCTTY, 0))
		child_fail(err_fd, STEP_TERMINAL, errno, -1);
	for (int fd = 0; fd < 3; fd++)
		if (t->replaces[fd] && dup2(t->slave, fd) < 0)
			child_fail(err_fd, STEP_TERMINAL, errno, fd);
	if (t->slave > 2)
		close(t->slave);
	close(t->master);
}

/*
 * The rest of the tree, once sbx is gone: every child of the keeper killed (orphans of the
 * tree are reparented to it, a child subreaper), reaped, and again, until none is left. A
 * child's pid cannot be reused before it is reaped, so each kill hits the child listed.
 * Raw calls only (the keeper is the fork of a threaded sbx). Without /proc's children list
 * (CONFIG_PROC_CHILDREN), the program's process group.
 */
static void keeper_end_tree(pid_t prog)
{
	char path[64] = "/proc/self/task/", buf[4096];
	size_t n = strlen(path);
	char digits[16];
	int k = 0;

	for (pid_t v = getpid(); v > 0 && k < (int)sizeof(digits); v /= 10)
		digits[k++] = (char)('0' + v % 10);
	while (k > 0)
		path[n++] = digits[--k];
	memcpy(path + n, "/children", sizeof("/children"));
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t got = 0, r;
		long pid = 0;

		while (fd >= 0 && got < (ssize_t)sizeof(buf) - 1 &&
		       (r = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
			got += r;
		if (fd >= 0)
			close(fd);
		else
			kill(-prog, SIGKILL);
		buf[got] = ' ';
		for (ssize_t i = 0; i <= got; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				continue;
			}
			if (pid > 0)
				kill((pid_t)pid, SIGKILL);
			pid = 0;
		}
		if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
			_exit(125);
	}
}

/*
 * The keeper: sbx's child, unconfined, between sbx and the program. It is the session's
 * leader (with a pty, as sudo's monitor is: a session leader's own group is orphaned, its
 * parent sbx in another session, and the kernel discards ^Z's SIGTSTP there) and runs the
 * program in a process group of its own (the pty's foreground); it passes sbx's signals on,
 * mirrors the program's stops (it stops itself, so sbx sees it) and its exit status.
 *
 * And the program's tree ends with sbx, however sbx ends (atk8u O1: SIGPIPE, SIGKILL):
 * the keeper is the tree's child subreaper, so the program's orphans are reparented to it,
 * and once sbx is gone (its pidfd polls readable) it kills every descendant. The program
 * cannot stop it: the keeper is outside the program's Landlock domain (signals scoped from
 * ABI 6; below, the supervisor carries out signals only to processes strictly below the
 * keeper), not dumpable (sbx made it so before fork), and its parent is sbx. Returns in the
 * program's process only.
 */
static void keep_program(const struct sbx_launch *l, const struct sbx_terminal *t, int err_fd,
			 int notify_sock)
{
	static const int passed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCHLD };
	int tty = t->replaces[0] ? 0 : t->replaces[1] ? 1 : 2, sfd, sbx_fd;
	bool pty = t->master >= 0;
	pid_t sbx = getppid(), prog;
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		sigaddset(&set, passed[i]);
	sigaddset(&set, SIGTTOU); /* tcsetpgrp from outside the foreground */
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (l->o.kill_tree && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		child_fail(err_fd, STEP_SESSION, errno, -1);
	prog = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (prog < 0)
		child_fail(err_fd, STEP_SESSION, errno, -1);
	if (prog == 0) {
		pid_t self = getpid();

		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		setpgid(0, 0);
		if (pty)
			ioctl(tty, TIOCSPGRP, &self);
		if (l->o.kill_tree && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			child_fail(err_fd, STEP_SESSION, errno, -1);
		return;
	}
	close(err_fd); /* the program's copy reports; its exec closes it */
	if (notify_sock >= 0)
		close(notify_sock);
	/* sbx's end is a pidfd's; not PR_SET_PDEATHSIG's SIGKILL, which would end the keeper. */
	sbx_fd = -1;
	if (l->o.kill_tree) {
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		sbx_fd = (int)syscall(SYS_pidfd_open, sbx, 0);
		if (sbx_fd < 0 || getppid() != sbx)
			keeper_end_tree(prog);
	}
	setpgid(prog, prog);
	if (pty)
		ioctl(tty, TIOCSPGRP, &prog);
	sigdelset(&set, SIGTTOU);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		kill(prog, SIGKILL);
		_exit(125);
	}
	for (;;) {
		struct pollfd pf[2] = { { .fd = sfd, .events = POLLIN },
					{ .fd = sbx_fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int ws;
		pid_t r;

		if (poll(pf, 2, -1) < 0)
			continue;
		if (pf[1].revents)
			keeper_end_tree(prog);
		if (!pf[0].revents || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(prog, (int)si.ssi_signo);
			continue;
		}
		/* The program's orphans are reaped here too. */
		while ((r = waitpid(-1, &ws, WNOHANG | __WALL | (pty ? WUNTRACED : 0))) > 0) {
			if (r != prog)
				continue;
			if (!WIFSTOPPED(ws))
				_exit(exit_status_of(ws));
			kill(getpid(), SIGSTOP); /* until sbx continues us (fg) */
			if (pty)
				ioctl(tty, TIOCSPGRP, &prog);
			kill(-prog, SIGCONT);
		}
	}
}

/*
 * Same content as verified, as far as userspace can tell: same inode, size and modification
 * time. Not the change time: unlinking the verified file (a rename over its path) moves it
 * too, and that is harmless here. A writer who also sets the modification time back
 * (utimensat: the file's owner) between the check and the exec is not seen; tier K's
 * verdict cache (the kernel's write generation) is what catches that.
 */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void launch_child_main(struct sbx_launch *l, const struct sbx_terminal *t, const sigset_t *mask,
		       const struct sigaction *sigpipe, int err_fd, int notify_sock)
{
	const struct sbx_plan *p = l->o.plan;
	struct stat now;
	long detail = -1;
	int err;

	sbx_timing_mark("spawn");
	/* First, while /proc is still readable: what the program inherits besides 0-2. */
	err = close_inherited_fds(&l->o, &detail);
	if (err)
		child_fail(err_fd, STEP_DESCRIPTORS, err, detail);
	/* The verified file, at the one number the seccomp filter lets execveat name; or, for a
	 * script, its interpreter there and the sealed copy of the script beside it. */
	if (l->script_argv && dup3(l->script_fd, SBX_SCRIPT_FD, 0) < 0)
		child_fail(err_fd, STEP_DESCRIPTORS, errno, SBX_SCRIPT_FD);
	if (dup3(l->script_argv ? l->interp_fd : l->exec_fd, SBX_EXEC_FD,
		 l->exec_is_script && !l->script_argv ? 0 : O_CLOEXEC) < 0)
		child_fail(err_fd, STEP_DESCRIPTORS, errno, SBX_EXEC_FD);
	enter_session(t, err_fd);
	if (l->o.kill_tree && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		child_fail(err_fd, STEP_SESSION, errno, -1);
	/* Before any confinement: the keeper stays outside it. */
	if (l->o.kill_tree || t->master >= 0)
		keep_program(l, t, err_fd, notify_sock);
	if (p->process.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		child_fail(err_fd, STEP_NO_NEW_PRIVS, errno, -1);
	if (p->process.drop_capabilities) {
		err = drop_capabilities(&detail);
		if (err)
			child_fail(err_fd, STEP_CAPABILITIES, err, detail);
	}
	for (size_t i = 0; i < p->process.n_rlimits; i++) {
		const struct sbx_rlimit_rule *r = &p->process.rlimits[i];
		struct rlimit rl = { .rlim_cur = r->cur, .rlim_max = r->max };

		if (setrlimit(r->resource, &rl))
			child_fail(err_fd, STEP_RLIMITS, errno, (long)i);
	}
	if (prctl(PR_SET_DUMPABLE, p->process.dumpable ? 1 : 0, 0, 0, 0))
		child_fail(err_fd, STEP_DUMPABLE, errno, -1);
	if (sbx_enforcement_find(&l->enforced, "mdwe")->enforced &&
	    prctl(PR_SET_MDWE, p->process.mdwe, 0, 0, 0))
		child_fail(err_fd, STEP_MDWE, errno, -1);
	sbx_timing_mark("process attributes");
	if (l->ruleset_fd >= 0) {
		if (syscall(__NR_landlock_restrict_self, l->ruleset_fd,
			    landlock_restrict_flags(l->o.features->landlock_abi)))
			child_fail(err_fd, STEP_LANDLOCK, errno, -1);
		close(l->ruleset_fd);
	}
	sbx_timing_mark("landlock");
	if (l->bpf) {
		/* Last: from here on every call this code makes is filtered too. */
		bool notifies = seccomp_filter_notifies(l->filter);
		long nfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				   notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &l->bpf[0]);

		if (nfd < 0)
			child_fail(err_fd, STEP_SECCOMP, errno, -1);
		/* Then the allow-list: last, so that its ENOSYS wins at equal precedence. */
		if (l->bpf[1].len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &l->bpf[1]))
			child_fail(err_fd, STEP_SECCOMP, errno, 1);
		if (notifies) {
			err = sbx_fd_send(notify_sock, (int)nfd);
			if (err)
				child_fail(err_fd, STEP_NOTIFY_FD, -err, -1);
			close((int)nfd);
		}
	}
	sbx_timing_mark("seccomp");
	/*
	 * Written in place since it was verified (a rename is harmless: the descriptor keeps
	 * the verified file)? From execve on, the kernel refuses writers (ETXTBSY).
	 */
	if (fstat(l->script_argv ? l->exec_fd : SBX_EXEC_FD, &now) || !same_file(&now, &l->exec_st))
		child_fail(err_fd, STEP_CHANGED, ESTALE, -1);
	/* A signal sent to sbx meanwhile was passed on and waits: the program gets it. */
	sigaction(SIGPIPE, sigpipe, NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	syscall(SYS_execveat, SBX_EXEC_FD, "", l->script_argv ? l->script_argv : l->o.argv, l->envp,
		AT_EMPTY_PATH);
	child_fail(err_fd, STEP_EXECVE, errno, -1);
}

/* ---- in the parent ---- */

int launch_child_failure_diag(const struct sbx_launch *l, const struct child_failure *f,
			      struct sbx_diag *d)
{
	static const char *const caps[] = { "", "capget", "cannot lock the securebits",
					    "cannot clear the ambient set",
					    "cannot clear the capability sets" };
	const char *e = strerror(f->err);
	const struct sbx_rlimit_rule *r;

	switch (f->step) {
	case STEP_DESCRIPTORS:
		if (f->detail == SBX_EXEC_FD)
			return sbx_diag_set(d, -f->err,
					    "descriptors: cannot place the program "
					    "on descriptor %d: %s",
					    SBX_EXEC_FD, e);
		return sbx_diag_set(d, -f->err, "descriptors: cannot keep descriptor %ld: %s",
				    f->detail, e);
	case STEP_SESSION:
		return sbx_diag_set(d, -f->err, "session: cannot start a session: %s", e);
	case STEP_TERMINAL:
		return sbx_diag_set(d, -f->err, "terminal: cannot make the pty the program's: %s",
				    e);
	case STEP_NO_NEW_PRIVS:
		return sbx_diag_set(d, -f->err, "no_new_privs: prctl(PR_SET_NO_NEW_PRIVS): %s", e);
	case STEP_CAPABILITIES:
		if (f->detail >= 0)
			return sbx_diag_set(d, -f->err,
					    "capabilities: cannot drop capability %ld from the "
					    "bounding set: %s",
					    f->detail, e);
		return sbx_diag_set(d, -f->err, "capabilities: %s: %s",
				    caps[f->detail >= -4 ? -f->detail : 0], e);
	case STEP_RLIMITS:
		if (f->detail < 0 || (size_t)f->detail >= l->o.plan->process.n_rlimits)
			return sbx_diag_set(d, -f->err, "rlimits: cannot set an rlimit: %s", e);
		r = &l->o.plan->process.rlimits[f->detail];
		return sbx_diag_set(d, -f->err, "rlimits: cannot set rlimit %d to %llu/%llu: %s",
				    r->resource, (unsigned long long)r->cur,
				    (unsigned long long)r->max, e);
	case STEP_DUMPABLE:
		return sbx_diag_set(d, -f->err, "dumpable: prctl(PR_SET_DUMPABLE): %s", e);
	case STEP_MDWE:
		return sbx_diag_set(d, -f->err, "mdwe: prctl(PR_SET_MDWE): %s", e);
	case STEP_LANDLOCK:
		return sbx_diag_set(d, -f->err, "landlock: cannot enforce the ruleset: %s", e);
	case STEP_SECCOMP:
		return sbx_diag_set(d, -f->err, "seccomp: cannot load the filter: %s", e);
	case STEP_NOTIFY_FD:
		return sbx_diag_set(d, -f->err, "seccomp: cannot hand the notification fd over: %s",
				    e);
	case STEP_CHANGED:
		return sbx_diag_set(d, -f->err,
				    "%s was modified after it was verified: not running it",
				    l->o.program);
	case STEP_EXECVE:
		return sbx_diag_set(d, -f->err, "cannot execute %s: %s", l->o.program, e);
	}
	return sbx_diag_set(d, -f->err, "child: step %d failed: %s", f->step, e);
}
