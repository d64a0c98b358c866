// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/securebits.h>

#include "landlock/landlock.h"
#include "timing.h"
#include "launch/fdpass.h"
#include "launch/launch.h"
#include "launch/terminal.h"
#include "supervise/supervise.h"
#include "uapi_compat.h"

extern char **environ;

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
	/* From the second run on it exists: one call, not one per component. */
	if (!mkdir(path, mode) || errno == EEXIST)
		return 0;
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
	if (len == strlen(SBX_SANDBOX_CANARY_ENV) && !strncmp(entry, SBX_SANDBOX_CANARY_ENV, len))
		return true; /* only sbx says where its canary is */
	return !sbx_env_kept(pp, entry);
}

static int build_env(struct sbx_launch *l, struct sbx_diag *d)
{
	const struct sbx_process_plan *pp = &l->o.plan->process;
	char *const *src = l->o.envp ? l->o.envp : environ;
	size_t n = 0, k = 0;

	while (src[n])
		n++;
	l->envp = calloc(n + 3, sizeof(char *));
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
	if (l->canary[0]) {
		if (asprintf(&l->envp[k], "%s=%s", SBX_SANDBOX_CANARY_ENV, l->canary) < 0) {
			l->envp[k] = NULL;
			return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
		}
		k++;
	}
	l->envp[k] = NULL;
	return 0;
}

/*
 * The canary a nested sbx proves its sandbox with (launch/target.h): a file of this user,
 * readable to it, beside containers/ where no plan grants anything, so that only a Landlock
 * domain makes opening it fail.
 */
static int make_canary(struct sbx_launch *l, const char *container_dir, struct sbx_diag *d)
{
	char dir[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%s", container_dir);
	for (int up = 0; up < 2 && strrchr(dir, '/'); up++)
		*strrchr(dir, '/') = '\0';
	if (snprintf(l->canary, sizeof(l->canary), "%s/sandbox-canary", dir) >=
	    (int)sizeof(l->canary))
		return sbx_diag_set(d, -ENAMETOOLONG, "container: path too long");
	fd = open(l->canary, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		if (fd >= 0)
			close(fd);
		l->canary[0] = '\0';
		return sbx_diag_set(d, -EPERM, "container: %s is not this user's file", dir);
	}
	close(fd);
	return 0;
}

/* True if the plan's seccomp rules refuse every IPv4 and IPv6 socket. */
static bool seccomp_closes_inet(const struct sbx_seccomp_plan *sp)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW };

	if (!sp->enabled)
		return false;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
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

/*
 * A Landlock drop the supervisor makes up for: the plan sends `call` to it on this kernel
 * (a rule below the ABI it stands in for) and notifications work here.
 */
static void drop_covered_by_supervisor(struct sbx_launch *l, const char *feature, const char *call,
				       const char *how)
{
	struct sbx_enforcement *e = &l->enforced;
	struct sbx_feature_state *s = (struct sbx_feature_state *)sbx_enforcement_find(e, feature);
	const struct sbx_seccomp_plan *sp = &l->o.plan->seccomp;
	bool supervised = false;

	if (!s || !s->wanted || s->enforced || !sbx_enforcement_find(e, "seccomp.notify")->enforced)
		return;
	for (size_t i = 0; i < sp->n_rules && !supervised; i++)
		supervised = sp->rules[i].answer == SBX_ANSWER_SUPERVISOR &&
			     !strcmp(sp->rules[i].syscall, call) &&
			     seccomp_rule_applies(&sp->rules[i],
						  (unsigned int)l->o.features->landlock_abi);
	if (!supervised)
		return;
	s->security = false;
	snprintf(s->why + strlen(s->why), sizeof(s->why) - strlen(s->why), "; covered: %s", how);
}

static void fit_process(struct sbx_launch *l)
{
	const struct sbx_plan *p = l->o.plan;
	const struct sbx_features *f = l->o.features;
	struct sbx_enforcement *e = &l->enforced;
	struct sbx_feature_state *s;
	bool have_seccomp = f->seccomp_filter, nested;

	landlock_fit_plan(&p->landlock, f->landlock_abi, e);
	if (have_seccomp && seccomp_closes_inet(&p->seccomp)) {
		network_drop_covered(e, "landlock.net.tcp");
		network_drop_covered(e, "landlock.net.udp");
	}
	s = sbx_enforcement_add(e, "seccomp", "system call filter", p->seccomp.enabled,
				have_seccomp, true);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "seccomp filters are unavailable on this kernel");
	/* Nested (sbx inside a sandbox): the kernel allows one listener per filter chain. */
	nested = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2;
	s = sbx_enforcement_add(
		e, "seccomp.notify", "denied calls explained (seccomp user notification)",
		p->seccomp.enabled, have_seccomp && f->seccomp_user_notif && !nested, false);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "%s",
			 nested ? "sbx already runs under a seccomp filter (nested): one listener "
				  "per process tree"
				: "no seccomp user notification on this kernel");
	drop_covered_by_supervisor(l, "landlock.resolve-unix", "connect",
				   "sbx carries out connect() on granted sockets only");
	drop_covered_by_supervisor(l, "landlock.scope", "kill",
				   "sbx carries out signals to the sandbox's own processes only");
	s = sbx_enforcement_add(e, "mdwe", "no writable+executable memory (PR_SET_MDWE)",
				p->process.mdwe != 0, f->mdwe, true);
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
	sbx_enforcement_note(e,
			     "runs the file its signature was checked on (execveat of that "
			     "descriptor), in a session of its own%s%s",
			     l->o.pty ? "; on a pty of its own when sbx's 0-2 are a terminal" : "",
			     l->o.kill_tree ? (l->o.keep_tree ? "; sbx waits for its whole tree"
							      : "; its tree is killed when it ends")
					    : "");
	if (geteuid() == 0)
		sbx_enforcement_note(
			e, "runs as uid 0 (--allow-root): the owner of root's files, "
			   "with no capability, an empty bounding set, locked securebits");
	if (p->landlock.enabled && f->landlock_abi >= 7)
		sbx_enforcement_note(e, "Landlock denials go to the audit log, which only root can "
					"read; sbx does not report them");
	else if (p->landlock.enabled)
		sbx_enforcement_note(e, "Landlock denials are not reported (no audit logging "
					"before ABI 7)");
}

/*
 * The container is its owner's: CONTAINER.owner (in containers/, which no sandbox can
 * write) names it from the first run on, and a run for anyone else is refused.
 */
static int claim_container(const char *dir, const char *owner, struct sbx_diag *d)
{
	char path[PATH_MAX], have[PATH_MAX + 400];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s.owner", dir) >= (int)sizeof(path))
		return sbx_diag_set(d, -ENAMETOOLONG, "container: path too long");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		size_t len = strlen(owner);
		bool ok = write(fd, owner, len) == (ssize_t)len && write(fd, "\n", 1) == 1;

		close(fd);
		if (!ok) {
			unlink(path);
			return sbx_diag_set(d, -EIO, "container: cannot record its owner in %s",
					    path);
		}
		return 0;
	}
	if (errno != EEXIST)
		return sbx_diag_set(d, -errno, "container: cannot record its owner in %s: %s", path,
				    strerror(errno));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "container: cannot read its owner in %s: %s", path,
				    strerror(errno));
	n = read(fd, have, sizeof(have) - 1);
	close(fd);
	have[n > 0 ? n : 0] = '\0';
	have[strcspn(have, "\n")] = '\0';
	if (strcmp(have, owner))
		return sbx_diag_set(d, -EPERM, "container %s belongs to %s, not to %s: refused",
				    dir, have, owner);
	return 0;
}

/*
 * The program as the child will exec it: the verified descriptor (or the path opened
 * now), never the path again. Scripts keep it open across exec: the kernel hands the
 * interpreter /dev/fd/N, which it opens to read the very file that was verified.
 */
static int open_program(struct sbx_launch *l, struct sbx_diag *d)
{
	const struct sbx_launch_opts *o = &l->o;
	char magic[2];
	int fd;

	if (o->program_fd > 2)
		fd = fcntl(o->program_fd, F_DUPFD_CLOEXEC, 3);
	else {
		fd = open(o->program, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		/* An execute-only file: exec needs no read access, and O_PATH is enough. */
		if (fd < 0 && errno == EACCES)
			fd = open(o->program, O_PATH | O_CLOEXEC);
	}
	if (fd < 0)
		return sbx_diag_set(d, -errno, "cannot open %s: %s", o->program, strerror(errno));
	if (fd == SBX_EXEC_FD) {
		int other = fcntl(fd, F_DUPFD_CLOEXEC, 3);

		close(fd);
		fd = other;
		if (fd < 0)
			return sbx_diag_set(d, -errno, "dup: %s", strerror(errno));
	}
	l->exec_fd = fd;
	if (o->program_stat)
		l->exec_st = *o->program_stat;
	else if (fstat(fd, &l->exec_st))
		return sbx_diag_set(d, -errno, "%s: %s", o->program, strerror(errno));
	if (!S_ISREG(l->exec_st.st_mode))
		return sbx_diag_set(d, -EACCES, "%s: not a regular file", o->program);
	l->exec_is_script = pread(fd, magic, 2, 0) == 2 && magic[0] == '#' && magic[1] == '!';
	/* The kernel hands a script's interpreter /dev/fd/N: without /dev/fd it cannot read it. */
	if (l->exec_is_script && access("/dev/fd/0", F_OK))
		return sbx_diag_set(
			d, -ENOENT,
			"%s: a #! script runs from its verified descriptor, which its "
			"interpreter opens as /dev/fd/%d, and this system has no /dev/fd",
			o->program, SBX_EXEC_FD);
	return 0;
}

/* Where the child puts a script's sealed copy for its interpreter (below SBX_EXEC_FD). */
#define SBX_SCRIPT_FD (SBX_EXEC_FD - 1)

/*
 * A verified script's interpreter, from its sealed copy's #! line as the kernel reads it
 * (binfmt_script: the first 256 bytes; the path, then one optional argument), opened now;
 * its argv as the kernel would build it, naming the copy instead of the script.
 */
static int open_interpreter(struct sbx_launch *l, struct sbx_diag *d)
{
	const struct sbx_launch_opts *o = &l->o;
	char line[256], *p, *end, path[24];
	size_t argc = 0, n = 0;
	ssize_t got = pread(o->script_fd, line, sizeof(line) - 1, 0);

	if (got < 2)
		return sbx_diag_set(d, -ENOEXEC, "%s: cannot read the #! line", o->program);
	line[got] = '\0';
	end = strchr(line, '\n');
	if (!end && got == sizeof(line) - 1)
		return sbx_diag_set(d, -ENOEXEC, "%s: the #! line is longer than 255 bytes",
				    o->program);
	if (end)
		*end = '\0';
	p = line + 2 + strspn(line + 2, " \t");
	end = p + strcspn(p, " \t");
	snprintf(l->script_line[0], sizeof(l->script_line[0]), "%.*s", (int)(end - p), p);
	p = end + strspn(end, " \t");
	for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	snprintf(l->script_line[1], sizeof(l->script_line[1]), "%.*s", (int)(end - p), p);
	if (!l->script_line[0][0])
		return sbx_diag_set(d, -ENOEXEC, "%s: the #! line names no interpreter",
				    o->program);
	l->interp_fd = open(l->script_line[0], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (l->interp_fd < 0 && errno == EACCES)
		l->interp_fd = open(l->script_line[0], O_PATH | O_CLOEXEC);
	if (l->interp_fd < 0)
		return sbx_diag_set(d, -errno, "%s: interpreter %s: %s", o->program,
				    l->script_line[0], strerror(errno));
	for (int *fd = &l->exec_fd; fd; fd = fd == &l->exec_fd ? &l->interp_fd : NULL) {
		int other;

		if (*fd < SBX_SCRIPT_FD) /* else one the child puts the copy on */
			continue;
		other = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
		close(*fd);
		*fd = other;
	}
	l->script_fd = fcntl(o->script_fd, F_DUPFD_CLOEXEC, 3);
	while (o->argv[n])
		n++;
	l->script_argv = calloc(n + 4, sizeof(*l->script_argv));
	if (l->interp_fd < 0 || l->script_fd < 0 || !l->script_argv)
		return sbx_diag_set(d, -ENOMEM, "%s: cannot prepare the interpreter", o->program);
	snprintf(path, sizeof(path), "/dev/fd/%d", SBX_SCRIPT_FD);
	l->script_argv[argc++] = l->script_line[0];
	if (l->script_line[1][0])
		l->script_argv[argc++] = l->script_line[1];
	l->script_argv[argc++] = strdup(path);
	if (!l->script_argv[argc - 1])
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	for (size_t i = 1; i < n; i++)
		l->script_argv[argc++] = o->argv[i];
	return 0;
}

int sbx_launch_prepare(struct sbx_launch *l, const struct sbx_launch_opts *o, struct sbx_diag *d)
{
	const struct sbx_plan *p = o->plan;
	bool notify;
	int abi, err;

	memset(l, 0, sizeof(*l));
	l->o = *o;
	l->ruleset_fd = -1;
	l->exec_fd = -1;
	l->interp_fd = -1;
	l->script_fd = -1;
	l->pid = -1;
	if (!o->features) {
		sbx_features_probe_sandbox(&l->features);
		l->o.features = &l->features;
	}
	abi = l->o.features->landlock_abi;
	fit_process(l);
	sbx_timing_mark("fit to kernel");
	err = sbx_enforcement_require(&l->enforced, o->require, o->require_all, d);
	if (err) {
		l->failed_step = "require";
		return err;
	}
	for (size_t i = 0; i < o->n_keep_fds; i++)
		if (o->keep_fds[i] == SBX_EXEC_FD) {
			l->failed_step = "descriptors";
			return sbx_diag_set(d, -EBUSY,
					    "descriptor %d is the launcher's own (the program is "
					    "executed through it); keep another",
					    SBX_EXEC_FD);
		}
	err = open_program(l, d);
	if (!err && l->exec_is_script && o->script_fd > 2) {
		for (size_t i = 0; i < o->n_keep_fds; i++)
			if (o->keep_fds[i] == SBX_SCRIPT_FD)
				err = sbx_diag_set(
					d, -EBUSY,
					"descriptor %d is the launcher's own (the script "
					"is read through it); keep another",
					SBX_SCRIPT_FD);
		if (!err)
			err = open_interpreter(l, d);
	}
	if (err) {
		l->failed_step = "execve";
		l->failed_errno = -err;
		return err;
	}
	/* First: the plan grants the container, so it must exist when the rules open it. */
	if (p->process.container_dir) {
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", p->process.container_dir);
		if (strrchr(parent, '/'))
			*strrchr(parent, '/') = '\0';
		err = o->container_owner ? make_dirs(parent, 0700, d) : 0;
		if (!err && o->container_owner)
			err = claim_container(p->process.container_dir, o->container_owner, d);
		if (!err)
			err = make_dirs(p->process.container_dir, 0700, d);
		if (!err && o->container_owner && p->landlock.enabled)
			err = make_canary(l, p->process.container_dir, d);
		if (!err && p->process.tmp_dir)
			err = make_dirs(p->process.tmp_dir, 0700, d);
		if (err) {
			l->failed_step = "container";
			return err;
		}
	}
	sbx_timing_mark("container");
	if (p->landlock.enabled && abi > 0) {
		struct sbx_landlock_plan lp = p->landlock;
		struct sbx_fs_rule *rules = NULL;
		char fd_path[32];

		/*
		 * The rule on the program names the verified file itself (its descriptor), not
		 * whatever the path holds now: else a file renamed over it meanwhile would get
		 * the rule and the verified one be refused EXECUTE.
		 */
		snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", l->exec_fd);
		if (p->program && lp.n_fs && !access(fd_path, F_OK)) {
			rules = malloc(lp.n_fs * sizeof(*rules));
			if (!rules) {
				l->failed_step = "landlock";
				return sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
			}
			memcpy(rules, lp.fs, lp.n_fs * sizeof(*rules));
			for (size_t i = 0; i < lp.n_fs; i++)
				if (!strcmp(rules[i].path, p->program))
					rules[i].path = fd_path;
			lp.fs = rules;
		}
		l->ruleset_fd = landlock_build_ruleset(&lp, abi, d);
		free(rules);
		if (l->ruleset_fd < 0) {
			l->failed_step = "landlock";
			return l->ruleset_fd;
		}
	}
	sbx_timing_mark("landlock ruleset");
	if (p->seccomp.enabled && sbx_enforcement_find(&l->enforced, "seccomp")->enforced) {
		notify = sbx_enforcement_find(&l->enforced, "seccomp.notify")->enforced;
		err = seccomp_filter_build_abi(&p->seccomp, notify, abi, &l->filter, d);
		if (!err) {
			l->bpf = calloc(2, sizeof(*l->bpf));
			err = l->bpf ? seccomp_filter_export(l->filter, l->bpf, d)
				     : sbx_diag_set(d, -ENOMEM, "seccomp: out of memory");
		}
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
	if (l->exec_fd >= 0)
		close(l->exec_fd);
	l->exec_fd = -1;
	if (l->interp_fd >= 0)
		close(l->interp_fd);
	if (l->script_fd >= 0)
		close(l->script_fd);
	l->interp_fd = l->script_fd = -1;
	if (l->script_argv)
		for (size_t i = 0; l->script_argv[i]; i++)
			if (!strncmp(l->script_argv[i], "/dev/fd/", 8))
				free(l->script_argv[i]);
	free(l->script_argv);
	l->script_argv = NULL;
	seccomp_filter_free(l->filter);
	l->filter = NULL;
	if (l->bpf) {
		free(l->bpf[0].filter);
		free(l->bpf[1].filter);
	}
	free(l->bpf);
	l->bpf = NULL;
	if (l->envp) {
		for (size_t i = 0; l->envp[i]; i++)
			if ((!strncmp(l->envp[i], "TMPDIR=", 7) && l->o.plan->process.tmp_dir) ||
			    (!strncmp(l->envp[i], SBX_SANDBOX_CANARY_ENV "=",
				      strlen(SBX_SANDBOX_CANARY_ENV) + 1) &&
			     l->canary[0]))
				free(l->envp[i]);
		free(l->envp);
	}
	l->envp = NULL;
}

static int exit_status_of(int ws)
{
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* ---- the child: raw system calls only (it may be the fork of a threaded daemon) ---- */

/* Which step failed; the parent turns it into words (the child cannot format). */
enum child_step {
	STEP_DESCRIPTORS,
	STEP_SESSION,
	STEP_TERMINAL,
	STEP_NO_NEW_PRIVS,
	STEP_CAPABILITIES,
	STEP_RLIMITS,
	STEP_DUMPABLE,
	STEP_MDWE,
	STEP_LANDLOCK,
	STEP_SECCOMP,
	STEP_NOTIFY_FD,
	STEP_CHANGED,
	STEP_EXECVE,
};

struct child_failure {
	int step; /* enum child_step */
	int err; /* positive errno */
	long detail; /* the descriptor, rlimit index or capability concerned; -1 none */
};

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

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

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
 * With a pty, the child stays as the session's leader and runs the program in a process
 * group of its own, the pty's foreground (as sudo's monitor does): a session leader's own
 * group is orphaned (its parent, sbx, is in another session) and the kernel discards ^Z's
 * SIGTSTP there. The leader, confined like the program, passes signals on and mirrors the
 * program's stops (it stops itself, so sbx sees it) and its exit status. Returns in the
 * program's process only.
 */
static void monitor_program(const struct sbx_launch *l, const struct sbx_terminal *t, int err_fd,
			    int notify_sock)
{
	static const int passed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCHLD };
	int tty = t->replaces[0] ? 0 : t->replaces[1] ? 1 : 2, sfd;
	sigset_t set;
	pid_t prog;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		sigaddset(&set, passed[i]);
	sigaddset(&set, SIGTTOU); /* tcsetpgrp from outside the foreground */
	sigprocmask(SIG_BLOCK, &set, NULL);
	prog = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (prog < 0)
		child_fail(err_fd, STEP_SESSION, errno, -1);
	if (prog == 0) {
		pid_t self = getpid();

		setpgid(0, 0);
		ioctl(tty, TIOCSPGRP, &self);
		if (l->o.kill_tree && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			child_fail(err_fd, STEP_SESSION, errno, -1);
		return;
	}
	close(err_fd); /* the program's copy reports; its exec closes it */
	if (notify_sock >= 0)
		close(notify_sock);
	setpgid(prog, prog);
	ioctl(tty, TIOCSPGRP, &prog);
	sigdelset(&set, SIGTTOU);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		kill(prog, SIGKILL);
		_exit(125);
	}
	for (;;) {
		struct signalfd_siginfo si;
		int ws;
		pid_t r;

		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(prog, (int)si.ssi_signo);
			continue;
		}
		while ((r = waitpid(prog, &ws, WNOHANG | WUNTRACED)) == prog) {
			if (!WIFSTOPPED(ws))
				_exit(exit_status_of(ws));
			kill(getpid(), SIGSTOP); /* until sbx continues us (fg) */
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

static void __attribute__((noreturn)) child_main(struct sbx_launch *l, const struct sbx_terminal *t,
						 const sigset_t *mask, int err_fd, int notify_sock)
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
	if (t->master >= 0)
		monitor_program(l, t, err_fd, notify_sock);
	/* A signal sent to sbx meanwhile was passed on and waits: the program gets it. */
	sigprocmask(SIG_SETMASK, mask, NULL);
	syscall(SYS_execveat, SBX_EXEC_FD, "", l->script_argv ? l->script_argv : l->o.argv, l->envp,
		AT_EMPTY_PATH);
	child_fail(err_fd, STEP_EXECVE, errno, -1);
}

/* ---- the parent ---- */

/* The child's report, in words. */
static int child_failure_diag(const struct sbx_launch *l, const struct child_failure *f,
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

static int wait_status(pid_t pid, int *status)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = exit_status_of(ws);
	return 0;
}

/* Every child of this process, SIGKILLed through a pidfd (an unreaped child's pid cannot
 * be reused, so the pidfd is the process the scan found). */
static int kill_children(void)
{
	char path[64], buf[512];
	pid_t self = getpid();
	int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	char dents[8192] __attribute__((aligned(8)));
	long len;

	if (dir < 0)
		return -errno;
	while ((len = syscall(SYS_getdents64, dir, dents, sizeof(dents))) > 0)
		for (long off = 0; off < len;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(dents + off);
			ssize_t r;
			char *close_paren;
			int fd, ppid = 0, pidfd;
			char state;

			off += de->d_reclen;
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%s/stat", de->d_name);
			fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			r = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (r <= 0)
				continue;
			buf[r] = '\0';
			/* pid (comm) state ppid ...: comm may hold anything, so the last ')' */
			close_paren = strrchr(buf, ')');
			if (!close_paren || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2 ||
			    ppid != self)
				continue;
			pidfd = (int)syscall(SYS_pidfd_open, atoi(de->d_name), 0);
			if (pidfd < 0) {
				kill(atoi(de->d_name), SIGKILL); /* before Linux 5.3 */
			} else {
				syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
				close(pidfd);
			}
			n++;
		}
	close(dir);
	return n;
}

/* The rest of the tree, once the program ended: killed, reaped, and again for what was
 * reparented to us meanwhile, until no child is left. */
static void end_tree(void)
{
	for (;;) {
		int ws;

		kill_children();
		if (waitpid(-1, &ws, __WALL) < 0 && errno == ECHILD)
			return;
	}
}

/* Token bucket for denial reports: a burst, then a few a second; the rest counted. */
#define DENIAL_BURST	 10
#define DENIALS_A_SECOND 5

struct denial_limit {
	double tokens;
	struct timespec last;
	char last_call[sizeof(((struct sbx_seccomp_denial *)0)->call)];
	char last_comm[sizeof(((struct sbx_seccomp_denial *)0)->comm)];
};

static void report_denial(struct sbx_launch *l, struct denial_limit *lim,
			  struct sbx_seccomp_denial *den)
{
	struct timespec now;
	const char *base = strrchr(l->o.program, '/');
	char fdname[16];

	l->denials++;
	if (!l->o.on_denial)
		return;
	/* Before Linux 6.14 a program exec'd through a descriptor is named after its number. */
	snprintf(fdname, sizeof(fdname), "%d", SBX_EXEC_FD);
	if (!strcmp(den->comm, fdname))
		snprintf(den->comm, sizeof(den->comm), "%s", base ? base + 1 : l->o.program);
	/* The same call from the same program again: counted, not repeated. */
	if (!strcmp(den->call, lim->last_call) && !strcmp(den->comm, lim->last_comm))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (lim->last.tv_sec == 0 && lim->last.tv_nsec == 0)
		lim->tokens = DENIAL_BURST;
	else
		lim->tokens += DENIALS_A_SECOND * ((now.tv_sec - lim->last.tv_sec) +
						   (now.tv_nsec - lim->last.tv_nsec) / 1e9);
	if (lim->tokens > DENIAL_BURST)
		lim->tokens = DENIAL_BURST;
	lim->last = now;
	if (lim->tokens < 1)
		return;
	lim->tokens -= 1;
	snprintf(lim->last_call, sizeof(lim->last_call), "%s", den->call);
	snprintf(lim->last_comm, sizeof(lim->last_comm), "%s", den->comm);
	l->denials_reported++;
	l->o.on_denial(den, l->o.arg);
}

/* The program stopped (^Z on its pty): stop sbx too, as sudo does, then carry on. */
static void program_stopped(struct sbx_launch *l, struct sbx_terminal *t)
{
	sbx_terminal_restore(t);
	kill(getpid(), SIGSTOP);
	/* Continued (fg or bg): raw again only in the foreground; the program goes on. */
	sbx_terminal_raw(t);
	sbx_terminal_winsize(t);
	kill(l->pid, SIGCONT); /* the session's leader, which continues the program */
}

struct loop {
	int nfd; /* seccomp listener, -1 none */
	int pidfd; /* the program, -1 none (before Linux 5.3: polled) */
	int sfd; /* signalfd, -1 none */
	struct sbx_terminal *t;
	bool done; /* the program ended, status set */
	bool master_open, input_open;
	int status;
};

/*
 * Reap what is ready, noting the program's end or stop. With a tree of its own, every child
 * of this process belongs to the launch (orphans are reparented here) and is reaped too.
 */
static void reap(struct sbx_launch *l, struct loop *lp)
{
	bool tree = l->o.kill_tree || l->o.keep_tree;
	int flags = WNOHANG | (lp->t->master >= 0 ? WUNTRACED : 0) | (tree ? __WALL : 0), ws;
	pid_t r;

	while ((r = waitpid(tree ? -1 : l->pid, &ws, flags)) > 0) {
		if (r != l->pid)
			continue;
		if (WIFSTOPPED(ws)) {
			program_stopped(l, lp->t);
			continue;
		}
		lp->status = exit_status_of(ws);
		lp->done = true;
		if (!tree)
			return;
	}
}

static bool children_left(void)
{
	siginfo_t si = { 0 };

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

static void handle_signal(struct sbx_launch *l, struct loop *lp)
{
	struct signalfd_siginfo si;

	while (read(lp->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(l, lp);
			break;
		case SIGWINCH:
			sbx_terminal_winsize(lp->t);
			break;
		default:
			if (!lp->done)
				kill(l->pid, (int)si.ssi_signo);
		}
	}
}

/*
 * Answer notifications, relay the terminal and pass signals on until the program (and,
 * with keep_tree, its whole tree) has ended.
 */
static int supervise(struct sbx_launch *l, struct loop *lp)
{
	struct denial_limit lim = { 0 };
	struct sbx_terminal *t = lp->t;

	for (;;) {
		struct pollfd pfd[5];
		int n = 0, i_nfd = -1, i_pid = -1, i_sig = -1, i_master = -1, i_in = -1;

		if (lp->done && (!l->o.keep_tree || !children_left()))
			break;
		if (lp->nfd >= 0) {
			i_nfd = n;
			pfd[n++] = (struct pollfd){ .fd = lp->nfd, .events = POLLIN };
		}
		if (lp->pidfd >= 0 && !lp->done) {
			i_pid = n;
			pfd[n++] = (struct pollfd){ .fd = lp->pidfd, .events = POLLIN };
		}
		if (lp->sfd >= 0) {
			i_sig = n;
			pfd[n++] = (struct pollfd){ .fd = lp->sfd, .events = POLLIN };
		}
		if (lp->master_open) {
			i_master = n;
			pfd[n++] = (struct pollfd){ .fd = t->master,
						    .events = POLLIN | (t->len ? POLLOUT : 0) };
		}
		if (lp->input_open && t->len == 0 && t->raw) {
			i_in = n;
			pfd[n++] = (struct pollfd){ .fd = t->in_fd, .events = POLLIN };
		}
		/* Without a pidfd (Linux < 5.3) nor SIGCHLD, look at the child every 100 ms. */
		if (poll(pfd, n, lp->pidfd < 0 && lp->sfd < 0 ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (i_nfd >= 0 && (pfd[i_nfd].revents & POLLIN)) {
			struct sbx_seccomp_denial den;

			if (!seccomp_supervise_one_with(lp->nfd, &l->o.plan->seccomp, l->supervisor,
							&den) &&
			    !den.carried_out)
				report_denial(l, &lim, &den);
		}
		if (i_nfd >= 0 && (pfd[i_nfd].revents & (POLLHUP | POLLERR)) &&
		    !(pfd[i_nfd].revents & POLLIN)) {
			close(lp->nfd); /* every filtered process is gone */
			lp->nfd = -1;
		}
		if (i_sig >= 0 && (pfd[i_sig].revents & POLLIN))
			handle_signal(l, lp);
		if ((i_pid >= 0 && (pfd[i_pid].revents & POLLIN)) || (lp->pidfd < 0 && !lp->done))
			reap(l, lp);
		if (i_master >= 0 && pfd[i_master].revents) {
			if (pfd[i_master].revents & POLLOUT)
				sbx_terminal_relay_input(t, false);
			if (pfd[i_master].revents & (POLLIN | POLLHUP | POLLERR))
				lp->master_open = sbx_terminal_relay_output(t);
		}
		if (i_in >= 0 && (pfd[i_in].revents & (POLLIN | POLLHUP | POLLERR)))
			lp->input_open = sbx_terminal_relay_input(t, true);
	}
	if (l->o.kill_tree && !l->o.keep_tree)
		end_tree();
	/* What the tree wrote before it ended, up to the pty's last byte. */
	if (lp->master_open)
		sbx_terminal_relay_output(t);
	return 0;
}

/* The signals passed on to the program; SIGTTIN/SIGTTOU blocked so that job control
 * never stops sbx (a blocked SIGTTOU lets its terminal calls proceed). */
static void run_signals(const struct sbx_launch *l, sigset_t *set)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

	sigemptyset(set);
	if (l->o.forward_signals)
		for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
			sigaddset(set, forwarded[i]);
	if (l->o.pty || l->o.kill_tree || l->o.keep_tree)
		sigaddset(set, SIGCHLD);
	if (l->o.pty) {
		sigaddset(set, SIGWINCH);
		sigaddset(set, SIGTTIN);
		sigaddset(set, SIGTTOU);
	}
}

int sbx_launch_exec(struct sbx_launch *l, int *status, struct sbx_diag *d)
{
	struct sbx_terminal t = { .master = -1, .slave = -1, .in_fd = -1 };
	struct loop lp = { .nfd = -1, .pidfd = -1, .sfd = -1, .t = &t };
	sigset_t set, old_mask;
	struct child_failure f;
	int errp[2], sv[2] = { -1, -1 }, err;
	ssize_t n;

	if (seccomp_filter_notifies(l->filter) && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return sbx_diag_set(d, -EPERM,
				    "the caller is dumpable: a program of the same uid could take "
				    "the seccomp listener (prctl(PR_SET_DUMPABLE, 0) first)");
	if (l->o.kill_tree && prctl(PR_GET_CHILD_SUBREAPER, &err, 0, 0, 0) == 0 && !err)
		return sbx_diag_set(d, -EINVAL, "kill_tree: the caller is not a child subreaper");
	if (l->o.pty) {
		err = sbx_terminal_open(&t, d);
		/*
		 * EACCES: no pty inside a sandbox (sbx run nested in sbx run, whose app-sandbox
		 * grants no /dev/ptmx). The terminal is then the enclosing sbx's pty, not the
		 * user's: the program still gets a session of its own.
		 */
		if (err == -EACCES)
			t.master = t.slave = -1;
		else if (err)
			return err;
	}
	if (pipe2(errp, O_CLOEXEC)) {
		err = sbx_diag_set(d, -errno, "pipe: %s", strerror(errno));
		goto err_term;
	}
	if (seccomp_filter_notifies(l->filter) &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = sbx_diag_set(d, -errno, "socketpair: %s", strerror(errno));
		goto err_pipe;
	}
	/*
	 * Blocked in this thread from before fork until the end (restored after): a signal
	 * sent the moment after fork reaches the program too, through the signalfd.
	 */
	run_signals(l, &set);
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	if (!sigisemptyset(&set)) {
		lp.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (lp.sfd < 0) {
			err = sbx_diag_set(d, -errno, "signalfd: %s", strerror(errno));
			goto err_mask;
		}
	}
	/*
	 * Carries calls out for the program (supervise/): started now, confined, before it runs;
	 * after the mask above, so that its thread inherits it and no forwarded signal is
	 * delivered to it (its default action would end sbx).
	 */
	if (seccomp_filter_notifies(l->filter) && !l->supervisor &&
	    sbx_supervisor_start(l->o.plan, l->ruleset_fd, &l->supervisor, d))
		l->supervisor = NULL; /* none: those calls are refused (fail closed) */
	sbx_timing_mark("supervisor");
	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0) {
		err = sbx_diag_set(d, -errno, "fork: %s", strerror(errno));
		goto err_mask;
	}
	if (l->pid == 0) {
		close(errp[0]);
		if (sv[0] >= 0)
			close(sv[0]);
		child_main(l, &t, &old_mask, errp[1], sv[1]);
	}
	close(errp[1]);
	sbx_supervisor_set_program(l->supervisor, l->pid);
	if (t.slave >= 0)
		close(t.slave); /* else the pty never reports that the program's side closed */
	t.slave = -1;
	if (sv[1] >= 0) {
		close(sv[1]);
		sv[1] = -1;
	}
	if (sv[0] >= 0) {
		lp.nfd = sbx_fd_recv(sv[0]); /* fails (EOF) if the child stopped before seccomp */
		close(sv[0]);
	}
	do
		n = read(errp[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	sbx_timing_mark("exec");
	if (n > 0) {
		int ignored;

		wait_status(l->pid, &ignored);
		l->failed_step = f.step == STEP_EXECVE ? "execve" : "child";
		l->failed_errno = f.err;
		err = child_failure_diag(l, &f, d);
		goto out;
	}
	lp.pidfd = (int)syscall(SYS_pidfd_open, l->pid, 0);
	lp.master_open = t.master >= 0;
	lp.input_open = t.master >= 0 && t.in_fd >= 0;
	sbx_terminal_raw(&t);
	err = supervise(l, &lp);
	*status = lp.status;
	if (err)
		sbx_diag_set(d, err, "supervisor: %s", strerror(-err));
out:
	if (lp.sfd >= 0) {
		struct signalfd_siginfo si;

		/* Consumed, not left pending for the old mask: the program has ended. */
		while (read(lp.sfd, &si, sizeof(si)) == sizeof(si))
			;
	}
	if (lp.nfd >= 0)
		close(lp.nfd);
	if (lp.pidfd >= 0)
		close(lp.pidfd);
	if (lp.sfd >= 0)
		close(lp.sfd);
	sbx_terminal_close(&t);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return err;

err_mask:
	if (lp.sfd >= 0)
		close(lp.sfd);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (sv[0] >= 0) {
		close(sv[0]);
		close(sv[1]);
	}
err_pipe:
	close(errp[0]);
	close(errp[1]);
err_term:
	sbx_terminal_close(&t);
	return err;
}
