/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor carries out calls Landlock cannot decide (file metadata, inotify watches,
 * and on older kernels unix connect, signals and other processes' resources) on the
 * program's behalf, as seccomp's SBX_ANSWER_SUPERVISOR rules ask.
 *
 * Invariant 2 of the design: it never answers CONTINUE after reading the program's memory.
 * The main thread copies the arguments out of the program (process_vm_readv) and takes the
 * objects the call names with pidfd_getfd and /proc/TID/cwd; an executor thread, confined
 * as the program is (no capabilities, no_new_privs, the program's own Landlock ruleset),
 * resolves the path itself, checks the object it resolved against the plan's grants, and
 * acts on that object, never on the path again. A swapped path or rewritten argument
 * changes nothing: the call that runs is the supervisor's own.
 */
#ifndef SBX_SUPERVISE_H
#define SBX_SUPERVISE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "compile/plan.h"
#include "diag.h"

struct sbx_supervisor;
struct seccomp_notif;
struct landlock_grants;

/*
 * Start the executor thread before the program runs: it drops every capability for
 * itself, sets no_new_privs, takes a file-system context of its own and, when ruleset_fd
 * is >= 0, restricts itself with the program's Landlock ruleset (that thread alone). The
 * grants the checks compare against are opened now; for a program run as root, the
 * system rules' are system, the grants that ruleset got for them
 * (landlock_build_ruleset_others), or when NULL walked again. Returns 0 or -errno with d.
 */
/*
 * What observe judges: handled_fs, the file rights this run's Landlock handles (the plan's,
 * fitted to the kernel). complain: the plan is judged but not enforced for files (sbx run
 * --complain): calls the supervisor carries out are carried out even outside the grants,
 * and reported.
 */
void sbx_supervisor_set_observe(struct sbx_supervisor *s, uint64_t handled_fs, uint64_t handled_net,
				bool complain);
bool sbx_supervisor_complains(const struct sbx_supervisor *s);

int sbx_supervisor_start(const struct sbx_plan *plan, int ruleset_fd,
			 const struct landlock_grants *system, struct sbx_supervisor **out,
			 struct sbx_diag *d);
/* The program, once forked: the root of the process tree calls may target. */
void sbx_supervisor_set_program(struct sbx_supervisor *s, pid_t pid);
/* The same where pid is the launcher's keeper (launch/child.c), outside the sandbox: only
 * its descendants are the sandbox's. */
void sbx_supervisor_set_keeper(struct sbx_supervisor *s, pid_t pid);
void sbx_supervisor_stop(struct sbx_supervisor *s);

/*
 * Each process on the machine, as its /proc/PID/stat says: fn(pid, ppid, pgrp, arg) until
 * fn returns nonzero, which is then returned. 0 when every process was seen; -errno when
 * /proc cannot be read. (The supervisor's group checks, the launcher's end of the tree.)
 */
int sbx_proc_each(int (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *arg), void *arg);

/*
 * Carry out the notified call req (nr: its native number) for the program and answer it.
 * Returns 0 when answered with the call's own result (nothing to report), or a positive
 * errno to refuse it with (refuse_errno when the plan does not allow it, EPERM when the
 * program cannot be reached, say): the caller answers and reports, why says what held.
 * In complain mode a call outside the grants is carried out (0) and why says what
 * enforcement would have refused.
 */
int sbx_supervisor_carry_out(struct sbx_supervisor *s, int notify_fd,
			     const struct seccomp_notif *req, int nr, int refuse_errno, char *why,
			     size_t why_len);

/* The calls sbx_supervisor_observe() judges (NULL-ended): the launcher's observe rules. */
extern const char *const sbx_observed_calls[];
extern const char *const sbx_observed_calls_complain[];

/* A file act the plan does not grant, as the supervisor judged it (observe.c). */
struct sbx_file_act {
	char path[PATH_MAX]; /* the object, absolute (as resolved when it could be) */
	char dir[PATH_MAX]; /* the directory a grant would name */
	const char *access; /* "read", "write", "execute", "create", "delete", ... */
	uint64_t need; /* the LANDLOCK_ACCESS_FS_* rights no rule grants there */
	bool is_dir; /* the object is a directory (listed, created, removed) */
	int port; /* bind (complain mode): the port enforcement would refuse; else 0 */
	char comm[17]; /* the process name, read before the call was let go; "?" if gone */
};

/* The name of process or thread pid (/proc/PID/comm) into buf, "?" when it is gone. */
void sbx_program_comm(pid_t pid, char *buf, size_t len);

/*
 * An SBX_ANSWER_OBSERVE call (open, creat, execve, mkdir, unlink, rename, link, symlink,
 * mknod): copy what it names, let it run (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel
 * decides), then judge the copy against the plan's grants as Landlock would. Returns 1
 * with act filled when the plan does not grant it, 0 when it does or it cannot be judged
 * (a path that does not resolve, procfs), or -errno when the answer failed. Reporting only:
 * what the program does to its memory meanwhile changes the report, never the answer.
 */
int sbx_supervisor_observe(struct sbx_supervisor *s, int notify_fd, const struct seccomp_notif *req,
			   int nr, struct sbx_file_act *act);

#endif /* SBX_SUPERVISE_H */
