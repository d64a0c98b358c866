// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/securebits.h>

#include "landlock/landlock.h"
#include "timing.h"
#include "launch/fdpass.h"
#include "launch/launch.h"
#include "supervise/supervise.h"
#include "uapi_compat.h"

extern char **environ;

void sbx_launch_probe(struct sbx_features *f)
{
	__u32 errno_action = SECCOMP_RET_ERRNO, notify_action = SECCOMP_RET_USER_NOTIF;
	struct seccomp_notif_sizes sizes;
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%s", u.release);
	f->landlock_abi = landlock_abi_version();
	f->seccomp_filter = prctl(PR_GET_SECCOMP) >= 0 &&
			    syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &errno_action) == 0;
	f->seccomp_user_notif =
		f->seccomp_filter &&
		syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
		syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &notify_action) == 0;
	f->mdwe = prctl(PR_GET_MDWE, 0L, 0L, 0L, 0L) >= 0; /* exists exactly with PR_SET_MDWE */
}

/* cand as an absolute path, without resolving symlinks: the kernel names the process
 * after the file exec'd (comm), and multi-call programs look at the name they were given. */
static int absolute_path(const char *cand, char *out, size_t len)
{
	char cwd[PATH_MAX];
	int n;

	if (cand[0] == '/')
		n = snprintf(out, len, "%s", cand);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, len, "%s/%s", cwd, cand);
	else
		return -errno;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sbx_launch_resolve_program(const char *name, const char *path_env, char *out, size_t len,
			       struct sbx_diag *d)
{
	char cand[PATH_MAX];
	const char *p;
	bool seen_noexec = false;
	int err;

	if (!name || !*name)
		return sbx_diag_set(d, -ENOENT, "no program given");
	if (strchr(name, '/')) {
		if (access(name, F_OK))
			return sbx_diag_set(d, -ENOENT, "%s: %s", name, strerror(errno));
		if (access(name, X_OK))
			return sbx_diag_set(d, -EACCES, "%s: %s", name, strerror(errno));
		err = absolute_path(name, out, len);
		return err ? sbx_diag_set(d, err, "%s: %s", name, strerror(-err)) : 0;
	}
	p = path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
	while (p) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
		struct stat st;

		if (dlen == 0)
			snprintf(cand, sizeof(cand), "%s", name);
		else
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)dlen, p, name);
		p = colon ? colon + 1 : NULL;
		if (stat(cand, &st) || !S_ISREG(st.st_mode))
			continue;
		if (access(cand, X_OK)) {
			seen_noexec = true;
			continue;
		}
		err = absolute_path(cand, out, len);
		return err ? sbx_diag_set(d, err, "%s: %s", name, strerror(-err)) : 0;
	}
	if (seen_noexec)
		return sbx_diag_set(d, -EACCES, "%s: found in PATH but not executable", name);
	return sbx_diag_set(d, -ENOENT, "%s: not found in PATH", name);
}

/* mkdir -p with mode for every directory it creates; an existing one is left as it is. */
static int make_dirs(const char *path, mode_t mode, struct sbx_diag *d)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return sbx_diag_set(d, -EINVAL, "container: bad directory '%s'", path);
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return sbx_diag_set(d, -errno, "container: cannot create %s: %s", buf,
					    strerror(errno));
		*s = c;
		if (!c)
			break;
	}
	return 0;
}

static bool env_removed(const struct sbx_process_plan *pp, const char *entry)
{
	size_t len = strcspn(entry, "=");

	if (pp->tmp_dir && len == 6 && !strncmp(entry, "TMPDIR", 6))
		return true;
	return sbx_env_removed(pp, entry);
}

static int build_env(struct sbx_launch *l, struct sbx_diag *d)
{
	const struct sbx_process_plan *pp = &l->o.plan->process;
	char *const *src = l->o.envp ? l->o.envp : environ;
	size_t n = 0, k = 0;

	while (src[n])
		n++;
	l->envp = calloc(n + 2, sizeof(char *));
	if (!l->envp)
		return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
	for (size_t i = 0; i < n; i++)
		if (!env_removed(pp, src[i]))
			l->envp[k++] = src[i]; /* borrowed: the caller's environment outlives us */
	if (pp->tmp_dir) {
		if (asprintf(&l->envp[k], "TMPDIR=%s", pp->tmp_dir) < 0) {
			l->envp[k] = NULL;
			return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
		}
		k++;
	}
	l->envp[k] = NULL;
	return 0;
}

/* True if the plan's seccomp rules refuse every IPv4 and IPv6 socket. */
static bool seccomp_closes_inet(const struct sbx_seccomp_plan *sp)
{
	static const int families[] = { 2 /* AF_INET */, 10 /* AF_INET6 */ };
	static const int types[] = { 1 /* SOCK_STREAM */, 2 /* SOCK_DGRAM */, 3 /* SOCK_RAW */ };

	if (!sp->enabled)
		return false;
	for (size_t i = 0; i < 2; i++)
		for (size_t t = 0; t < 3; t++) {
			uint64_t args[6] = { families[i], types[t] };

			if (!seccomp_rule_match(sp, SYS_socket, args))
				return false;
		}
	return true;
}

/* A Landlock network drop costs nothing when seccomp already refuses the sockets. */
static void network_drop_covered(struct sbx_enforcement *e, const char *feature)
{
	struct sbx_feature_state *s = (struct sbx_feature_state *)sbx_enforcement_find(e, feature);

	if (s && s->wanted && !s->enforced) {
		s->security = false;
		snprintf(s->why + strlen(s->why), sizeof(s->why) - strlen(s->why), "%s",
			 "; covered: seccomp refuses IPv4/IPv6 sockets");
	}
}

static void fit_process(struct sbx_launch *l)
{
	const struct sbx_plan *p = l->o.plan;
	const struct sbx_features *f = l->o.features;
	struct sbx_enforcement *e = &l->enforced;
	struct sbx_feature_state *s;
	bool have_seccomp = !f || f->seccomp_filter;

	landlock_fit_plan(&p->landlock, l->landlock_abi, e);
	if (have_seccomp && seccomp_closes_inet(&p->seccomp)) {
		network_drop_covered(e, "landlock.net.tcp");
		network_drop_covered(e, "landlock.net.udp");
	}
	s = sbx_enforcement_add(e, "seccomp", "system call filter", p->seccomp.enabled,
				have_seccomp, true);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "seccomp filters are unavailable on this kernel");
	s = sbx_enforcement_add(
		e, "seccomp.notify", "denied calls explained (seccomp user notification)",
		p->seccomp.enabled, have_seccomp && f && f->seccomp_user_notif, false);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "no seccomp user notification on this kernel");
	s = sbx_enforcement_add(e, "mdwe", "no writable+executable memory (PR_SET_MDWE)",
				p->process.mdwe != 0, !f || f->mdwe, true);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "PR_SET_MDWE needs Linux 6.3");
	sbx_enforcement_add(e, "no-new-privs",
			    "no privilege gain through execve (setuid, file caps)",
			    p->process.no_new_privs, true, true);
	sbx_enforcement_add(e, "capabilities", "every capability dropped, ambient and inheritable",
			    p->process.drop_capabilities, true, true);
	if (!p->process.dumpable)
		sbx_enforcement_note(e, "not-dumpable holds only until execve (the kernel resets "
					"it there); ptrace from inside is refused by seccomp");
	if (p->seccomp.enabled)
		sbx_enforcement_note(e,
				     "W^X covers anonymous memory and exec: a file or memfd the "
				     "program wrote can still be mapped executable (ld.so FILE); "
				     "refusing that needs tier K");
	if (p->landlock.enabled && l->landlock_abi >= 7)
		sbx_enforcement_note(e, "Landlock denials go to the audit log, which only root can "
					"read; sbx does not report them");
	else if (p->landlock.enabled)
		sbx_enforcement_note(e, "Landlock denials are not reported (no audit logging "
					"before ABI 7)");
}

int sbx_launch_prepare(struct sbx_launch *l, const struct sbx_launch_opts *o, struct sbx_diag *d)
{
	const struct sbx_plan *p = o->plan;
	bool notify;
	int err;

	memset(l, 0, sizeof(*l));
	l->o = *o;
	l->ruleset_fd = -1;
	l->pid = -1;
	l->landlock_abi = o->features ? o->features->landlock_abi : landlock_abi_version();
	fit_process(l);
	sbx_timing_mark("fit to kernel");
	err = sbx_enforcement_require(&l->enforced, o->require, o->require_all, d);
	if (err) {
		l->failed_step = "require";
		return err;
	}
	/* First: the plan grants the container, so it must exist when the rules open it. */
	if (p->process.container_dir) {
		err = make_dirs(p->process.container_dir, 0700, d);
		if (!err && p->process.tmp_dir)
			err = make_dirs(p->process.tmp_dir, 0700, d);
		if (err) {
			l->failed_step = "container";
			return err;
		}
	}
	sbx_timing_mark("container");
	if (p->landlock.enabled && l->landlock_abi > 0) {
		l->ruleset_fd = landlock_build_ruleset(&p->landlock, l->landlock_abi, d);
		if (l->ruleset_fd < 0) {
			l->failed_step = "landlock";
			return l->ruleset_fd;
		}
	}
	sbx_timing_mark("landlock ruleset");
	if (p->seccomp.enabled && sbx_enforcement_find(&l->enforced, "seccomp")->enforced) {
		notify = sbx_enforcement_find(&l->enforced, "seccomp.notify")->enforced;
		err = seccomp_filter_build_abi(&p->seccomp, notify, l->landlock_abi, &l->filter, d);
		if (err) {
			l->failed_step = "seccomp";
			return err;
		}
	}
	sbx_timing_mark("seccomp filter");
	err = build_env(l, d);
	if (err)
		l->failed_step = "environment";
	return err;
}

void sbx_launch_cleanup(struct sbx_launch *l)
{
	sbx_supervisor_stop(l->supervisor);
	l->supervisor = NULL;
	if (l->ruleset_fd >= 0)
		close(l->ruleset_fd);
	l->ruleset_fd = -1;
	seccomp_filter_free(l->filter);
	l->filter = NULL;
	if (l->envp) {
		for (size_t i = 0; l->envp[i]; i++)
			if (!strncmp(l->envp[i], "TMPDIR=", 7) && l->o.plan->process.tmp_dir)
				free(l->envp[i]);
		free(l->envp);
	}
	l->envp = NULL;
}

/* ---- the child ---- */

struct child_failure {
	char step[16];
	int err; /* positive errno */
	char msg[sizeof(((struct sbx_diag *)0)->msg)];
};

static int drop_capabilities(struct sbx_diag *d)
{
	cap_flag_value_t setpcap = CAP_CLEAR;
	cap_t caps = cap_get_proc();
	int err = 0;

	if (caps) {
		cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
		cap_free(caps);
	}
	if (setpcap == CAP_SET) {
		/*
		 * Root would regain every capability at execve; an empty bounding set and
		 * locked securebits make that impossible, for this process and its children.
		 */
		for (cap_value_t c = 0; c < cap_max_bits(); c++)
			if (cap_drop_bound(c) && errno != EINVAL)
				return sbx_diag_set(d, -errno,
						    "cannot drop %s from the bounding set: %s",
						    cap_to_name(c), strerror(errno));
		if (cap_set_secbits(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
				    SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
				    SECBIT_NO_CAP_AMBIENT_RAISE |
				    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED))
			return sbx_diag_set(d, -errno, "cannot lock the securebits: %s",
					    strerror(errno));
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient())
		return sbx_diag_set(d, -errno, "cannot clear the ambient set: %s", strerror(errno));
	caps = cap_init(); /* every set empty: effective, permitted, inheritable */
	if (!caps)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	if (cap_set_proc(caps))
		err = sbx_diag_set(d, -errno, "cannot clear the capability sets: %s",
				   strerror(errno));
	cap_free(caps);
	return err;
}

static int set_rlimits(const struct sbx_process_plan *pp, struct sbx_diag *d)
{
	for (size_t i = 0; i < pp->n_rlimits; i++) {
		const struct sbx_rlimit_rule *r = &pp->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->cur, .rlim_max = r->max };

		if (setrlimit(r->resource, &rl))
			return sbx_diag_set(d, -errno, "cannot set rlimit %d to %llu/%llu: %s",
					    r->resource, (unsigned long long)r->cur,
					    (unsigned long long)r->max, strerror(errno));
	}
	return 0;
}

/* FD_CLOEXEC on fd, when it is open. */
static void set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0 && !(flags & FD_CLOEXEC))
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/*
 * Mark every descriptor above 2 close-on-exec, then clear the flag on the kept ones (the
 * error pipe stays close-on-exec: execve closes it, which tells the parent it worked).
 */
static int close_inherited_fds(const struct sbx_launch_opts *o, struct sbx_diag *d)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC)) {
		/* Before Linux 5.11: the open ones, as /proc lists them (else the first 64 Ki). */
		DIR *dir = opendir("/proc/self/fd");
		struct dirent *de;

		if (dir) {
			while ((de = readdir(dir)))
				if (atoi(de->d_name) > 2 && atoi(de->d_name) != dirfd(dir))
					set_cloexec(atoi(de->d_name));
			closedir(dir);
		} else {
			for (int fd = 3; fd < 65536; fd++)
				set_cloexec(fd);
		}
	}
	for (size_t i = 0; i < o->n_keep_fds; i++)
		if (fcntl(o->keep_fds[i], F_SETFD, 0))
			return sbx_diag_set(d, -errno, "cannot keep descriptor %d: %s",
					    o->keep_fds[i], strerror(errno));
	return 0;
}

static void __attribute__((noreturn))
child_fail(int pipe_fd, const char *step, const struct sbx_diag *d)
{
	struct child_failure f = { 0 };

	snprintf(f.step, sizeof(f.step), "%s", step);
	f.err = d->err < 0 ? -d->err : EIO;
	snprintf(f.msg, sizeof(f.msg), "%s", d->msg);
	if (write(pipe_fd, &f, sizeof(f)) < 0) {
		/* nothing left to tell anyone: the parent sees EOF and a 125 exit */
	}
	_exit(125);
}

static void __attribute__((noreturn)) child_main(struct sbx_launch *l, int err_fd, int notify_sock)
{
	const struct sbx_plan *p = l->o.plan;
	struct sbx_diag d = { 0 };
	int nfd;

	sbx_timing_mark("spawn");
	/* First, while /proc is still readable: what the program inherits besides 0-2. */
	if (close_inherited_fds(&l->o, &d))
		child_fail(err_fd, "descriptors", &d);
	if (p->process.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		sbx_diag_set(&d, -errno, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		child_fail(err_fd, "no_new_privs", &d);
	}
	if (p->process.drop_capabilities && drop_capabilities(&d))
		child_fail(err_fd, "capabilities", &d);
	if (set_rlimits(&p->process, &d))
		child_fail(err_fd, "rlimits", &d);
	if (prctl(PR_SET_DUMPABLE, p->process.dumpable ? 1 : 0, 0, 0, 0)) {
		sbx_diag_set(&d, -errno, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		child_fail(err_fd, "dumpable", &d);
	}
	if (sbx_enforcement_find(&l->enforced, "mdwe")->enforced &&
	    prctl(PR_SET_MDWE, p->process.mdwe, 0, 0, 0)) {
		sbx_diag_set(&d, -errno, "prctl(PR_SET_MDWE): %s", strerror(errno));
		child_fail(err_fd, "mdwe", &d);
	}
	sbx_timing_mark("process attributes");
	if (l->ruleset_fd >= 0 && landlock_enforce_ruleset(l->ruleset_fd, l->landlock_abi, &d))
		child_fail(err_fd, "landlock", &d);
	if (l->ruleset_fd >= 0)
		close(l->ruleset_fd);
	sbx_timing_mark("landlock");
	if (l->filter) {
		/* Last: from here on every call this code makes is filtered too. */
		nfd = seccomp_filter_load(l->filter, &d);
		if (nfd < -1)
			child_fail(err_fd, "seccomp", &d);
		if (nfd >= 0) {
			int err = sbx_fd_send(notify_sock, nfd);

			if (err) {
				sbx_diag_set(&d, err, "cannot hand the notification fd over: %s",
					     strerror(-err));
				child_fail(err_fd, "seccomp", &d);
			}
			close(nfd);
		}
	}
	sbx_timing_mark("seccomp");
	execve(l->o.program, l->o.argv, l->envp);
	sbx_diag_set(&d, -errno, "cannot execute %s: %s", l->o.program, strerror(errno));
	child_fail(err_fd, "execve", &d);
}

/* ---- the parent ---- */

static volatile pid_t forward_to = -1;

/*
 * Pass a termination signal on to the program, unless the terminal sent it: the program is
 * in sbx's process group and got that one itself (a second ^C would be one too many).
 */
static void forward_signal(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (forward_to > 0 && (!info || info->si_code != SI_KERNEL))
		kill(forward_to, sig);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void forward_signals(pid_t pid, struct sigaction *old)
{
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO };

	forward_to = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &old[i], NULL);
	forward_to = -1;
}

static int wait_status(pid_t pid, int *status)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

static void child_exited(int sig)
{
	(void)sig; /* only to interrupt a blocking receive, see supervise() */
}

/*
 * Answer notifications until the child exits. A notification can be withdrawn between
 * poll and receive (its process killed), and the receive then blocks: SIGCHLD, caught
 * without SA_RESTART, interrupts it when the child exits.
 */
static int supervise(struct sbx_launch *l, int nfd, int *status)
{
	struct sigaction sa = { .sa_handler = child_exited }, old_chld;
	int pidfd = (int)syscall(SYS_pidfd_open, l->pid, 0), err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = nfd, .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		int ws;

		/* Without a pidfd (Linux < 5.3), look at the child every 100 ms. */
		if (poll(pfd, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 100) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct sbx_seccomp_denial den;

			if (!seccomp_supervise_one_with(nfd, &l->o.plan->seccomp, l->supervisor,
							&den) &&
			    !den.carried_out && l->o.on_denial)
				l->o.on_denial(&den, l->o.arg);
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;
		if (pidfd >= 0 && !(pfd[1].revents & POLLIN))
			continue;
		if (pidfd < 0) {
			pid_t r = waitpid(l->pid, &ws, WNOHANG);

			if (r == l->pid) {
				*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
				sigaction(SIGCHLD, &old_chld, NULL);
				return 0;
			}
			continue;
		}
		break;
	}
	if (pidfd >= 0)
		close(pidfd);
	err = wait_status(l->pid, status);
	sigaction(SIGCHLD, &old_chld, NULL);
	return err;
}

int sbx_launch_exec(struct sbx_launch *l, int *status, struct sbx_diag *d)
{
	struct sigaction old[sizeof(forwarded) / sizeof(forwarded[0])];
	sigset_t block, old_mask;
	struct child_failure f;
	int errp[2], sv[2] = { -1, -1 }, nfd = -1, err;
	ssize_t n;

	if (pipe2(errp, O_CLOEXEC))
		return sbx_diag_set(d, -errno, "pipe: %s", strerror(errno));
	if (seccomp_filter_notifies(l->filter) &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = sbx_diag_set(d, -errno, "socketpair: %s", strerror(errno));
		goto err_pipe;
	}
	/*
	 * sbx holds the seccomp listener for as long as the program runs: a program of the
	 * same uid could take it with pidfd_getfd(2) and answer its own notifications with
	 * "continue". Not dumpable, sbx is out of its reach (ptrace access checks); the child
	 * sets its own flag from the plan.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		err = sbx_diag_set(d, -errno, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		goto err_sock;
	}
	/* Carries calls out for the program (supervise/): started now, confined, before it runs. */
	if (seccomp_filter_notifies(l->filter) && !l->supervisor &&
	    sbx_supervisor_start(l->o.plan, l->ruleset_fd, &l->supervisor, d))
		l->supervisor = NULL; /* none: those calls are refused (fail closed) */
	fflush(NULL);
	/*
	 * Held until the handlers know the child: a signal sent to sbx the moment after fork
	 * must reach the program too.
	 */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	l->pid = fork();
	if (l->pid < 0) {
		err = sbx_diag_set(d, -errno, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		goto err_sock;
	}
	if (l->pid == 0) {
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		close(errp[0]);
		if (sv[0] >= 0)
			close(sv[0]);
		child_main(l, errp[1], sv[1]);
	}
	close(errp[1]);
	sbx_supervisor_set_program(l->supervisor, l->pid);
	if (sv[1] >= 0) {
		close(sv[1]);
		sv[1] = -1;
	}
	forward_signals(l->pid, old);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (sv[0] >= 0)
		nfd = sbx_fd_recv(sv[0]); /* fails (EOF) if the child stopped before seccomp */
	do
		n = read(errp[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	sbx_timing_mark("exec");
	if (n > 0) {
		int ignored;

		f.step[sizeof(f.step) - 1] = '\0';
		f.msg[sizeof(f.msg) - 1] = '\0';
		wait_status(l->pid, &ignored);
		restore_signals(old);
		if (nfd >= 0)
			close(nfd);
		if (sv[0] >= 0)
			close(sv[0]);
		l->failed_step = !strcmp(f.step, "execve") ? "execve" : "child";
		l->failed_errno = f.err;
		return sbx_diag_set(d, -f.err, "%s: %s", f.step, f.msg);
	}
	if (nfd >= 0) {
		err = supervise(l, nfd, status);
		close(nfd);
	} else {
		err = wait_status(l->pid, status);
	}
	restore_signals(old);
	if (sv[0] >= 0)
		close(sv[0]);
	if (err)
		return sbx_diag_set(d, err, "waitpid: %s", strerror(-err));
	return 0;

err_sock:
	if (sv[0] >= 0) {
		close(sv[0]);
		close(sv[1]);
	}
err_pipe:
	close(errp[0]);
	close(errp[1]);
	return err;
}
