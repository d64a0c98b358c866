// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The parent while the program runs: the seccomp listener answered (through the
 * supervisor) and its denials reported, the pty relayed, signals passed on, the program's
 * stops mirrored, its exit reaped, and the rest of its tree ended.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch/launch_internal.h"
#include "supervise/supervise.h"

/* A child of this process (arg: its pid), SIGKILLed through a pidfd (an unreaped child's
 * pid cannot be reused, so the pidfd is the process the scan found). */
static int kill_child(pid_t pid, pid_t ppid, pid_t pgrp, void *arg)
{
	int pidfd;

	(void)pgrp;
	if (ppid != *(const pid_t *)arg)
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		kill(pid, SIGKILL); /* before Linux 5.3 */
	} else {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		close(pidfd);
	}
	return 0;
}

/* The rest of the tree, once the program ended: killed, reaped, and again for what was
 * reparented to us meanwhile, until no child is left. With no child left there is nothing
 * to scan /proc for: sbx is the subreaper of the program's tree, so every process still in
 * it has an ancestor among sbx's children. */
static void end_tree(void)
{
	for (;;) {
		siginfo_t si;
		int ws;

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 &&
		    errno == ECHILD)
			return;
		sbx_proc_each(kill_child, &(pid_t){ getpid() });
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
	char last_path[PATH_MAX]; /* of a file act: the same act on another path is another */
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
	/* complain mode: every act enforcement would refuse is reported (sbx learn needs all). */
	if (l->o.complain) {
		l->denials_reported++;
		l->o.on_denial(den, l->o.arg);
		return;
	}
	/* The same call from the same program again: counted, not repeated. */
	if (!strcmp(den->call, lim->last_call) && !strcmp(den->comm, lim->last_comm) &&
	    !strcmp(den->is_file ? den->file.path : "", lim->last_path))
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
	snprintf(lim->last_path, sizeof(lim->last_path), "%s", den->is_file ? den->file.path : "");
	l->denials_reported++;
	l->o.on_denial(den, l->o.arg);
}

/*
 * Asked to end (TERM, INT, HUP, QUIT). The terminal is put back first: a program that
 * ignores the signal would otherwise leave the user only kill -9 of sbx, which skips the
 * restore. The first such signal is passed on; the second ends the program's tree
 * (SIGKILL), so that no one needs SIGKILL for sbx.
 */
static void asked_to_end(struct sbx_launch *l, struct launch_loop *lp, int sig)
{
	if (lp->done)
		return;
	sbx_terminal_restore(lp->t);
	kill(l->pid, lp->ends++ == 0 ? sig : SIGKILL);
}

/*
 * The program stopped (^Z on its pty): stop sbx too, as sudo does, then carry on. Once
 * sbx's terminal is gone no one can continue sbx (no fg), and a program that stops itself
 * again after the hangup left sbx, the keeper and its tree stopped for good (atk9u L1):
 * then the hangup counts as the first ending signal and the stop as the second, which ends
 * the tree. A program that ignores the hangup and runs on runs on, as it would unconfined.
 */
static void program_stopped(struct sbx_launch *l, struct launch_loop *lp)
{
	if (sbx_terminal_gone(lp->t)) {
		lp->ends = lp->ends ? lp->ends : 1;
		asked_to_end(l, lp, SIGHUP);
		return;
	}
	sbx_terminal_restore(lp->t);
	kill(getpid(), SIGSTOP);
	/* Continued (fg or bg): raw again only in the foreground; the program goes on. */
	sbx_terminal_raw(lp->t);
	sbx_terminal_winsize(lp->t);
	kill(l->pid, SIGCONT); /* the session's leader, which continues the program */
}

/*
 * Reap what is ready, noting the program's end or stop. With a tree of its own, every child
 * of this process belongs to the launch (orphans are reparented here) and is reaped too.
 */
static void reap(struct sbx_launch *l, struct launch_loop *lp)
{
	bool tree = l->o.kill_tree || l->o.keep_tree;
	int flags = WNOHANG | (lp->t->master >= 0 ? WUNTRACED : 0) | (tree ? __WALL : 0), ws;
	pid_t r;

	while ((r = waitpid(tree ? -1 : l->pid, &ws, flags)) > 0) {
		if (r != l->pid)
			continue;
		if (WIFSTOPPED(ws)) {
			program_stopped(l, lp);
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

static void handle_signal(struct sbx_launch *l, struct launch_loop *lp)
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
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
		case SIGQUIT:
			asked_to_end(l, lp, (int)si.ssi_signo);
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
int launch_supervise(struct sbx_launch *l, struct launch_loop *lp)
{
	struct denial_limit lim = { 0 };
	struct sbx_terminal *t = lp->t;

	for (;;) {
		struct pollfd pfd[5];
		int n = 0, i_nfd = -1, i_pid = -1, i_sig = -1, i_master = -1, i_in = -1;

		if (lp->done && (!l->o.keep_tree || lp->ends > 1 || !children_left()))
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

			if (!seccomp_supervise_one_with(lp->nfd, &l->seccomp, l->supervisor,
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
	if (l->o.kill_tree && (!l->o.keep_tree || lp->ends > 1))
		end_tree();
	/* What the tree wrote before it ended, up to the pty's last byte. */
	if (lp->master_open)
		sbx_terminal_relay_output(t);
	return 0;
}
