/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher: apply a plan to a child and exec the program, all or nothing.
 *
 * sbx_launch_prepare() does everything that can fail before a process exists: it fits the
 * plan to this kernel (filling the enforcement report), builds the Landlock ruleset and
 * the seccomp filter, creates the container directory and its private tmp, and builds the
 * scrubbed environment. sbx_launch_exec() forks; the child takes, in order: no_new_privs,
 * capabilities (every set, ambient and inheritable included), rlimits, dumpable, MDWE,
 * Landlock, seccomp, execve (with only stdin, stdout, stderr and the kept descriptors). A step that
 * fails stops the child before execve and the parent returns which step and why: the program never
 * runs half-confined.
 */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "diag.h"
#include "launch/enforcement.h"
#include "probe/features.h"
#include "seccomp/seccomp.h"

struct sbx_launch_opts {
	const struct sbx_plan *plan;
	const char *program; /* resolved path (sbx_launch_resolve_program) */
	char *const *argv; /* the program's argv, argv[0] as the user typed it */
	char *const *envp; /* environment to scrub; NULL: environ */
	const struct sbx_features *features; /* as probed */
	const char *const *require; /* --require: features that must be enforced (NULL-ended) */
	bool require_all; /* --require-all: nothing the plan wants may be dropped */
	/* Descriptors above 2 the program inherits (--keep-fd); every other one is closed at
	 * execve: an open descriptor is access Landlock never checks. */
	const int *keep_fds;
	size_t n_keep_fds;
	/* Called in the parent for each explained denial (seccomp user notification). */
	void (*on_denial)(const struct sbx_seccomp_denial *denial, void *arg);
	void *arg;
};

struct sbx_launch {
	struct sbx_launch_opts o;
	struct sbx_enforcement enforced;
	int landlock_abi; /* what the ruleset was built for */
	int ruleset_fd; /* -1: no Landlock this run */
	struct sbx_seccomp_filter *filter; /* NULL: no seccomp this run */
	struct sbx_supervisor *supervisor; /* carries calls out (supervise/); NULL: none */
	char **envp; /* scrubbed, owned */
	pid_t pid; /* the child, once forked */
	const char *failed_step; /* on failure: "landlock", "execve", ... (static) */
	int failed_errno; /* on failure: the errno of the failing step */
};

/*
 * The features the launcher needs, and nothing else (kernel release, Landlock ABI,
 * seccomp filters and user notification, MDWE): cheap, where sbx_features_probe() also
 * parses the kernel's BTF and probes fanotify and BPF (tens of milliseconds).
 */
void sbx_launch_probe(struct sbx_features *f);

/*
 * Find name like execvp does (a name with a slash is taken as a path; else each $PATH
 * entry), write the absolute path to out. Returns 0, -ENOENT (not found), -EACCES (found
 * but not executable), or another -errno; d says which.
 */
int sbx_launch_resolve_program(const char *name, const char *path_env, char *out, size_t len,
			       struct sbx_diag *d);

/* Fit (refusing with -EOPNOTSUPP, failed_step "require", before anything else when a
 * required feature is missing), build, create the container; nothing runs yet. On error,
 * nothing is left to undo but sbx_launch_cleanup(). */
int sbx_launch_prepare(struct sbx_launch *l, const struct sbx_launch_opts *o, struct sbx_diag *d);

/*
 * Fork, confine the child, exec the program, explain its denials, wait. On success
 * *status is the program's exit status (128 + N for a signal) and 0 is returned. If the
 * program never ran, returns -errno with d saying which step failed (l->failed_step).
 */
int sbx_launch_exec(struct sbx_launch *l, int *status, struct sbx_diag *d);

void sbx_launch_cleanup(struct sbx_launch *l);

#endif /* SBX_LAUNCH_H */
