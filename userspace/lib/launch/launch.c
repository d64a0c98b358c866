// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <linux/filter.h>

#include "compile/compile.h"
#include "landlock/landlock.h"
#include "timing.h"
#include "launch/container.h"
#include "launch/fdpass.h"
#include "launch/launch_internal.h"
#include "supervise/supervise.h"
#include "uapi_compat.h"

extern char **environ;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* cand as an absolute path, without resolving symlinks: the kernel names the process
 * after the file exec'd (comm), and multi-call programs look at the name they were given. */
static int absolute_path(const char *cand, char *out, size_t len)
{
	char cwd[PATH_MAX], dir[PATH_MAX], *slash;
	int n;

	if (cand[0] == '/')
		n = snprintf(out, len, "%s", cand);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, len, "%s/%s", cwd, cand);
	else
		return -errno;
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	/*
	 * "../tmp/x", "./x", "a//x": the directory resolved as the kernel walks it (cd /usr &&
	 * ../tmp/x is /tmp/x), the file's own name kept. Rules and the container key take
	 * this path, so it must name the file once, one way.
	 */
	if (!strstr(out, "/./") && !strstr(out, "/../") && !strstr(out, "//"))
		return 0;
	slash = strrchr(out, '/');
	if (!strcmp(slash, "/.") || !strcmp(slash, "/.."))
		return -EISDIR;
	*slash = '\0';
	if (!realpath(out[0] ? out : "/", dir))
		return -errno;
	n = snprintf(cwd, sizeof(cwd), "%s/%s", strcmp(dir, "/") ? dir : "", slash + 1);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(cwd))
		return -ENAMETOOLONG;
	memcpy(out, cwd, (size_t)n + 1);
	return 0;
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

static bool env_named(const char *entry, size_t len, const char *name)
{
	return len == strlen(name) && !strncmp(entry, name, len);
}

static bool env_removed(const struct sbx_process_plan *pp, const char *entry)
{
	size_t len = strcspn(entry, "=");

	if (pp->tmp_dir && env_named(entry, len, "TMPDIR"))
		return true;
	if (pp->home_dir && env_named(entry, len, "HOME"))
		return true;
	for (size_t i = 0; pp->home_dir && i < ARRAY_SIZE(sbx_plan_home_dirs); i++)
		if (env_named(entry, len, sbx_plan_home_dirs[i].env))
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
	l->envp = calloc(n + 8, sizeof(char *));
	if (!l->envp)
		return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
	for (size_t i = 0; i < n; i++)
		if (!env_removed(pp, src[i]))
			l->envp[k++] = src[i]; /* borrowed: the caller's environment outlives us */
	/* Set by sbx, and so owned (freed at cleanup): each starts with l->env_own. */
	l->env_own = k;
	if (l->container.tmp[0]) {
		if (asprintf(&l->envp[k], "TMPDIR=%s", l->container.tmp) < 0) {
			l->envp[k] = NULL;
			return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
		}
		k++;
	}
	if (pp->home_dir) {
		if (asprintf(&l->envp[k], "HOME=%s", pp->home_dir) < 0) {
			l->envp[k] = NULL;
			return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
		}
		k++;
		for (size_t i = 0; i < ARRAY_SIZE(sbx_plan_home_dirs); i++, k++)
			if (asprintf(&l->envp[k], "%s=%s/%s", sbx_plan_home_dirs[i].env,
				     pp->home_dir, sbx_plan_home_dirs[i].rel) < 0) {
				l->envp[k] = NULL;
				return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
			}
	}
	if (l->container.canary[0]) {
		if (asprintf(&l->envp[k], "%s=%s", SBX_SANDBOX_CANARY_ENV, l->container.canary) <
		    0) {
			l->envp[k] = NULL;
			return sbx_diag_set(d, -ENOMEM, "environment: out of memory");
		}
		k++;
	}
	l->envp[k] = NULL;
	return 0;
}

/*
 * What compile decided each drop costs this plan (plan.h, sbx_plan_drop), into the rows: a
 * cover counts only when the filter this kernel gets has a rule on its call; a feature
 * compile said nothing of keeps the row's own judgment.
 */
static void fit_drop_costs(struct sbx_launch *l)
{
	static const char *const said[] = { [SBX_DROP_HOLE] = "the profile relies on it",
					    [SBX_DROP_COVERED] = "covered",
					    [SBX_DROP_HARMLESS] = "nothing lost" };
	struct sbx_enforcement *e = &l->enforced;
	bool filtered = sbx_enforcement_find(e, "seccomp")->enforced;

	for (size_t i = 0; i < e->n; i++) {
		struct sbx_feature_state *s = &e->items[i];
		const struct sbx_plan_drop *d = sbx_plan_drop_find(l->o.plan, s->feature);
		bool ruled = false;

		if (!d || !s->wanted || s->enforced)
			continue;
		for (size_t k = 0; !ruled && d->cover_call && filtered && k < l->seccomp.n_rules;
		     k++)
			ruled = !strcmp(l->seccomp.rules[k].syscall, d->cover_call);
		if (d->cost == SBX_DROP_COVERED && !ruled)
			continue;
		s->security = d->cost == SBX_DROP_HOLE;
		snprintf(s->why + strlen(s->why), sizeof(s->why) - strlen(s->why), "; %s: %s",
			 said[d->cost], d->how);
	}
}

/*
 * Tier K (sbxd with BPF LSM): declare the profile's policy for the tree this run starts
 * (SBX_PRCTL_POLICY_FLOOR, kernel/sbx_abi.h), before the fork so the child inherits it.
 * sbx's BPF side answers: EALREADY recorded (it only ever tightens), EPERM sbxd runs but
 * does not trust this sbx as its launcher (or this sbx is itself sandboxed); any other
 * answer, no tier K here. Only a system call, no state: true when the kernel holds it.
 */
static bool declare_tier_k_floor(struct sbx_launch *l)
{
	const struct sbx_plan *p = l->o.plan;
	int r = prctl(SBX_PRCTL_POLICY_FLOOR, (unsigned long)p->policy.flags, 0, 0, 0);

	if (r < 0 && errno == EPERM)
		sbx_enforcement_note(&l->enforced,
				     "sbxd's tier K runs, but does not trust this sbx as its "
				     "launcher: nothing below comes from tier K");
	return r < 0 && errno == EALREADY;
}

static void fit_process(struct sbx_launch *l)
{
	const struct sbx_plan *p = l->o.plan;
	const struct sbx_features *f = l->o.features;
	struct sbx_enforcement *e = &l->enforced;
	struct sbx_feature_state *s;
	bool have_seccomp = f->seccomp_filter, nested;

	landlock_fit_plan(&p->landlock, f->landlock_abi, e);
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
	s = sbx_enforcement_add(e, "mdwe", "no writable+executable memory (PR_SET_MDWE)",
				p->process.mdwe != 0, f->mdwe, true);
	if (!s->available)
		snprintf(s->why, sizeof(s->why), "PR_SET_MDWE needs Linux 6.3");
	sbx_enforcement_add(e, "no-new-privs",
			    "no privilege gain through execve (setuid, file caps)",
			    p->process.no_new_privs, true, true);
	sbx_enforcement_add(e, "capabilities", "every capability dropped, ambient and inheritable",
			    p->process.drop_capabilities, true, true);
	fit_drop_costs(l);
	if (!p->process.dumpable)
		sbx_enforcement_note(e, "not-dumpable holds only until execve (the kernel resets "
					"it there); ptrace from inside is refused by seccomp");
	if (declare_tier_k_floor(l))
		sbx_enforcement_note(
			e,
			"tier K (sbxd, BPF LSM) holds the whole tree to the profile's hardened "
			"runtime (policy %#x): library validation (ld.so FILE, dlopen, "
			"LD_PRELOAD, PROT_EXEC of written files and memfds), W^X with the "
			"copy-on-write trick, no ptrace or /proc/PID/mem from outside; and "
			"no /proc/PID entries of processes outside the sandbox",
			p->policy.flags);
	else if (p->seccomp.enabled)
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
		sbx_enforcement_note(e, "Landlock's own denial log is audit, which only root can "
					"read; sbx explains file denials itself (unless --quiet)");
	else if (p->landlock.enabled)
		sbx_enforcement_note(e, "Landlock denials are not reported (no audit logging "
					"before ABI 7)");
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

/*
 * The plan is judged for the effective ids (root's gate, landlock/grant_others.c for root);
 * a real or saved id that differs is one the program takes back with setresuid, which it
 * may call, and no_new_privs itself makes a real uid 0 the effective one at its execve
 * (atk11u I1). sbx run makes the three one before it judges; any other caller is refused.
 */
static bool single_identity(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return false;
	return ru == eu && su == eu && rg == eg && sg == eg;
}

int sbx_launch_prepare(struct sbx_launch *l, const struct sbx_launch_opts *o, struct sbx_diag *d)
{
	const struct sbx_plan *p = o->plan;
	bool notify;
	int abi, err;

	memset(l, 0, sizeof(*l));
	l->o = *o;
	if (!single_identity()) {
		l->failed_step = "identity";
		return sbx_diag_set(
			d, -EPERM,
			"the real or saved user or group id differs from the effective "
			"one, which the plan is judged for: the program could take it back "
			"(make the three one before the launch)");
	}
	l->ruleset_fd = -1;
	l->exec_fd = -1;
	l->interp_fd = -1;
	l->script_fd = -1;
	l->pid = -1;
	l->container.lock_fd = l->container.tmp_parent_fd = -1;
	if (!o->features) {
		sbx_features_probe_sandbox(&l->features);
		l->o.features = &l->features;
	}
	abi = l->o.features->landlock_abi;
	err = launch_fit_rules(l, d);
	if (err) {
		l->failed_step = "seccomp";
		return err;
	}
	fit_process(l);
	launch_observe_fit(l);
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
		err = sbx_container_begin(&p->process, o->container_owner,
					  o->container_owner && p->landlock.enabled, &l->container,
					  d);
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
		launch_observe_landlock(l, &lp);
		/*
		 * Root (--allow-root) owns root's files, and DAC asks no capability of an
		 * owner: the system trees the plan grants are granted it only as far as they
		 * give it no more than others (landlock/grant_others.c).
		 */
		lp.others_only = landlock_others_only();
		l->ruleset_fd =
			lp.enabled ? landlock_build_ruleset_others(&lp, abi, &l->system_grants, d)
				   : -1;
		free(rules);
		l->system_walked =
			l->ruleset_fd >= 0 && lp.others_only && lp.n_fs == p->landlock.n_fs;
		if (l->ruleset_fd >= 0 && lp.others_only)
			sbx_enforcement_note(&l->enforced,
					     "as root: system trees granted only as far as others "
					     "may read them (%zu rules)",
					     l->system_grants.n);

		if (l->ruleset_fd < 0 && lp.enabled) {
			l->failed_step = "landlock";
			return l->ruleset_fd;
		}
	}
	sbx_timing_mark("landlock ruleset");
	err = launch_observe_prepare(l, d);
	if (err) {
		l->failed_step = "complain";
		return err;
	}
	if (p->seccomp.enabled && sbx_enforcement_find(&l->enforced, "seccomp")->enforced) {
		notify = sbx_enforcement_find(&l->enforced, "seccomp.notify")->enforced;
		err = seccomp_filter_build(&l->seccomp, notify, &l->filter, d);
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
	launch_observe_cleanup(l);
	if (l->ruleset_fd >= 0)
		close(l->ruleset_fd);
	l->ruleset_fd = -1;
	free(l->system_grants.v);
	l->system_grants = (struct landlock_grants){ 0 };
	l->system_walked = false;
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
		for (size_t i = l->env_own; l->envp[i]; i++)
			free(l->envp[i]);
		free(l->envp);
	}
	l->envp = NULL;
	sbx_container_end(&l->container);
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
	struct launch_loop lp = { .nfd = -1, .pidfd = -1, .sfd = -1, .t = &t };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, sigpipe;
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
	/*
	 * sbx's own lines (denials, the relay) go to streams whose reader may have gone (`sbx
	 * run ... 2>&1 | head -1`): such a write fails with EPIPE and the supervision goes on.
	 * Dying of SIGPIPE would leave the program's calls unanswered and its tree to outlive
	 * sbx (atk8u O1). The program starts with the caller's disposition.
	 */
	sigaction(SIGPIPE, &ignore, &sigpipe);
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
	    sbx_supervisor_start(l->o.plan, l->ruleset_fd,
				 l->system_walked ? &l->system_grants : NULL, &l->supervisor, d))
		l->supervisor = NULL; /* none: those calls are refused (fail closed) */
	launch_observe_start(l);
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
		launch_child_main(l, &t, &old_mask, &sigpipe, errp[1], sv[1]);
	}
	close(errp[1]);
	if (l->o.kill_tree || t.master >= 0)
		sbx_supervisor_set_keeper(l->supervisor, l->pid);
	else
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
		err = launch_child_failure_diag(l, &f, d);
		goto out;
	}
	lp.pidfd = (int)syscall(SYS_pidfd_open, l->pid, 0);
	lp.master_open = t.master >= 0;
	lp.input_open = t.master >= 0 && t.in_fd >= 0;
	sbx_terminal_raw(&t);
	err = launch_supervise(l, &lp);
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
	sigaction(SIGPIPE, &sigpipe, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return err;

err_mask:
	if (lp.sfd >= 0)
		close(lp.sfd);
	sigaction(SIGPIPE, &sigpipe, NULL);
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
