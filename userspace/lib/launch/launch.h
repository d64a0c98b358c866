/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher: apply a plan to a child and exec the program, all or nothing.
 *
 * sbx_launch_prepare() does everything that can fail or allocate before a process exists:
 * it fits the plan to this kernel (filling the enforcement report), builds the Landlock
 * ruleset and the seccomp filter (exported as the BPF program the kernel takes), creates
 * the container directory and its private tmp, and builds the scrubbed environment.
 * sbx_launch_exec() forks; the child makes only raw system calls (no malloc, stdio, locks:
 * safe after fork in a threaded process), in order: close-on-exec on every inherited
 * descriptor, a session of its own (and the pty as its terminal), the keeper (with
 * kill_tree or a pty: the session's leader, unconfined, which forks the program, passes
 * signals on, and with kill_tree ends the program's whole tree when the caller dies),
 * no_new_privs,
 * capabilities (every set, ambient and inheritable included), rlimits, dumpable, MDWE,
 * Landlock, seccomp, then execveat() of the very descriptor the program was verified on.
 * A step that fails stops the child before the exec and the parent returns which step
 * and why (formatted in the parent): the program never runs half-confined.
 *
 * Embedding (sbxd): the launcher installs no signal handler and changes no process-wide
 * attribute but one: SIGPIPE is ignored from before fork to the end of sbx_launch_exec()
 * (a lost reader of the caller's streams must not end the supervision; the program starts
 * with the caller's disposition). What the caller owns, and sbx run does:
 *  - when the plan's filter notifies, the caller must not be dumpable
 *    (prctl(PR_SET_DUMPABLE, 0)): a program of the same uid could otherwise take the
 *    listener with pidfd_getfd(2). sbx_launch_exec() refuses a dumpable caller.
 *  - forward_signals blocks the forwarded signals in the calling thread for the run (and
 *    restores its mask): in a threaded caller, every other thread must block them too.
 *  - kill_tree needs the caller to be a child subreaper (PR_SET_CHILD_SUBREAPER) whose
 *    every child belongs to this launch: it reaps and kills them all.
 */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "diag.h"
#include "launch/container.h"
#include "landlock/landlock.h"
#include "launch/enforcement.h"
#include "probe/features.h"
#include "seccomp/seccomp.h"

struct sock_fprog;

/*
 * The environment variable naming the enclosing sandbox's canary file, for a nested
 * `sbx run` of an inherit profile (launch/target.h, sbx_launch_in_sbx_sandbox).
 */
#define SBX_SANDBOX_CANARY_ENV "SBX_SANDBOX_CANARY"

struct sbx_launch_opts {
	const struct sbx_plan *plan;
	const char *program; /* resolved path (sbx_launch_resolve_program), for messages */
	/*
	 * The program, open (O_RDONLY): the descriptor its signature was verified on. The
	 * child execs exactly this file (execveat AT_EMPTY_PATH on SBX_EXEC_FD), so the
	 * entitlements follow it and not the path. 0 (or any of 0-2, never the program's): the
	 * launcher opens program itself.
	 * Borrowed: the caller closes it after sbx_launch_cleanup().
	 */
	int program_fd;
	/* program_fd's fstat from before the verification read it, or NULL: the child refuses
	 * to exec a file written since (its size or modification time moved). */
	const struct stat *program_stat;
	/*
	 * A #! script's verified bytes in a sealed memfd (launch/target.h), or any of 0-2:
	 * none. The child then execs the script's interpreter itself and hands it this copy
	 * as /dev/fd/SBX_SCRIPT_FD; the script file is never read again. Borrowed.
	 */
	int script_fd;
	/*
	 * Who the plan's container belongs to (launch/target.h): recorded beside it, out of
	 * the program's reach, at first use (CONTAINER.owner); a container recorded for
	 * another owner is refused. NULL: not checked.
	 */
	const char *container_owner;
	char *const *argv; /* the program's argv, argv[0] as the user typed it */
	char *const *envp; /* environment to scrub; NULL: environ */
	/* As probed (sbx_features_probe_sandbox); NULL: sbx_launch_prepare() probes. */
	const struct sbx_features *features;
	const char *const *require; /* --require: features that must be enforced (NULL-ended) */
	bool require_all; /* --require-all: nothing the plan wants may be dropped */
	/* Descriptors above 2 the program inherits (--keep-fd); every other one is closed at
	 * execve: an open descriptor is access Landlock never checks. */
	const int *keep_fds;
	size_t n_keep_fds;
	/*
	 * When any of the caller's fds 0-2 is a terminal, the program gets a pty of its own
	 * in place of it (its session's controlling terminal), relayed by the launcher: the
	 * outer terminal in raw mode for the run, its output through an allow-list of what
	 * only draws (launch/vt_filter.h), window size passed on, the program's stops
	 * (^Z) stop the caller as sudo's use_pty does. Without it, or without a terminal, the
	 * program still runs in a session of its own, with no controlling terminal.
	 */
	bool pty;
	/* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP (and SIGWINCH with pty) sent to the caller
	 * are passed to the program (see the embedding note above). */
	bool forward_signals;
	/* The program's tree ends with it: the rest is killed (see the note above). With
	 * keep_tree, the launcher waits for the whole tree to end instead. Either way the tree
	 * ends with the caller: the keeper kills it once the caller is gone, however it died. */
	bool kill_tree;
	bool keep_tree;
	/*
	 * observe_files: file acts are shown to the supervisor, which lets each run and
	 * explains those the plan refuses (on_denial, file set): one notification per open.
	 * complain: files, network and exec are judged and reported, not enforced (the
	 * Landlock ruleset keeps only its scoping; sockets the network entitlements refuse
	 * run); every such act is reported, none rate-limited. Needs seccomp notification.
	 */
	bool observe_files;
	bool complain;
	/* Called in the parent for each explained denial (seccomp user notification). */
	void (*on_denial)(const struct sbx_seccomp_denial *denial, void *arg);
	void *arg;
};

struct sbx_launch {
	struct sbx_launch_opts o;
	struct sbx_enforcement enforced;
	struct sbx_features features; /* o.features points here when the caller gave none */
	int ruleset_fd; /* -1: no Landlock this run */
	/*
	 * As root (landlock_others_only): the grants the plan's system rules became in the
	 * ruleset, which the supervisor takes as its own (one walk of /etc for both);
	 * system_walked when they are all there (not in complain mode, which adds no file rule).
	 */
	struct landlock_grants system_grants;
	bool system_walked;
	struct sbx_seccomp_filter *filter; /* NULL: no seccomp this run */
	/*
	 * The plan's seccomp rules that this kernel's filter gets (seccomp_plan_fit), with this
	 * run's observe rules (launch/observe.c); rules malloc'd, the launch's.
	 */
	struct sbx_seccomp_plan seccomp;
	struct sbx_supervisor *supervisor; /* carries calls out (supervise/); NULL: none */
	struct sock_fprog *bpf; /* [0] rules, [1] allow-list (len 0: none); NULL: none */
	int exec_fd; /* the program, owned here (a dup of program_fd or opened) */
	struct stat exec_st; /* as verified */
	bool exec_is_script; /* #!: the interpreter reads it through /dev/fd/SBX_EXEC_FD */
	int interp_fd; /* with o.script_fd: the interpreter, exec'd instead; else -1 */
	int script_fd; /* with o.script_fd: the sealed copy, owned here; else -1 */
	char **script_argv; /* with o.script_fd: interpreter [arg] /dev/fd/N argv[1..] */
	char script_line[2][256]; /* the interpreter and its argument, from the #! line */
	char **envp; /* scrubbed, owned; entries from env_own on are sbx's own, freed */
	size_t env_own;
	struct sbx_container_run container; /* its lock, the run's tmp (TMPDIR) */
	pid_t pid; /* the child, once forked */
	const char *failed_step; /* on failure: "landlock", "execve", ... (static) */
	int failed_errno; /* on failure: the errno of the failing step */
	unsigned long denials; /* denials the supervisor answered */
	unsigned long denials_reported; /* of those, passed to on_denial (rate-limited) */
};

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
