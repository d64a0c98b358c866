/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's parts (launch.h): launch.c prepares, forks and waits; child.c is the child
 * between fork and execve, raw system calls only; relay.c is the parent while the program
 * runs (notifications, the pty, signals, the end of the process tree).
 */
#ifndef SBX_LAUNCH_INTERNAL_H
#define SBX_LAUNCH_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>

#include "launch/launch.h"
#include "launch/terminal.h"

/* Where the child puts a script's sealed copy for its interpreter (below SBX_EXEC_FD). */
#define SBX_SCRIPT_FD (SBX_EXEC_FD - 1)

static inline int exit_status_of(int ws)
{
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

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

/* mask and sigpipe: the caller's signal mask and SIGPIPE disposition, which the program gets. */
void __attribute__((noreturn))
launch_child_main(struct sbx_launch *l, const struct sbx_terminal *t, const sigset_t *mask,
		  const struct sigaction *sigpipe, int err_fd, int notify_sock);
/* The child's report, in words. */
int launch_child_failure_diag(const struct sbx_launch *l, const struct child_failure *f,
			      struct sbx_diag *d);

struct launch_loop {
	int nfd; /* seccomp listener, -1 none */
	int pidfd; /* the program, -1 none (before Linux 5.3: polled) */
	int sfd; /* signalfd, -1 none */
	struct sbx_terminal *t;
	bool done; /* the program ended, status set */
	bool master_open, input_open;
	int status;
	int ends; /* signals asking the program to end (TERM, INT, HUP, QUIT) so far */
};

/*
 * observe.c: l->seccomp, the plan's rules this kernel's filter gets: the filter is built
 * from them, the supervisor matches notified calls against them, and the report's
 * "covered" drops are judged by them.
 */
int launch_fit_rules(struct sbx_launch *l, struct sbx_diag *d);
/* observe.c: explained file denials and complain mode (launch.h). */
int launch_observe_prepare(struct sbx_launch *l, struct sbx_diag *d);
void launch_observe_fit(struct sbx_launch *l);
void launch_observe_landlock(const struct sbx_launch *l, struct sbx_landlock_plan *lp);
void launch_observe_start(struct sbx_launch *l);
void launch_observe_cleanup(struct sbx_launch *l);

/* relay.c: until the program (with keep_tree, its whole tree) has ended. */
int launch_supervise(struct sbx_launch *l, struct launch_loop *lp);

#endif /* SBX_LAUNCH_INTERNAL_H */
