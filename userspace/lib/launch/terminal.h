/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's own terminal: when any of the caller's fds 0-2 is a terminal, the program
 * gets a fresh pty in its place (the controlling terminal of its own session) and the
 * launcher relays bytes between the two, as sudo's use_pty, su --pty and systemd-run --pty
 * do. The program then holds no descriptor of the user's terminal: it cannot take the
 * terminal's foreground (tcsetpgrp), read what the user types after it ends, or stop the
 * launcher with job control signals. What the program writes reaches the outer terminal
 * through an allow-list of sequences that only draw (launch/vt_filter.h): no clipboard
 * write, no query whose answer the terminal types back.
 */
#ifndef SBX_LAUNCH_TERMINAL_H
#define SBX_LAUNCH_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "diag.h"
#include "launch/vt_filter.h"

struct sbx_terminal {
	int master; /* -1: no pty this run */
	int slave; /* for the child; the parent closes it after fork */
	bool replaces[3]; /* which of fds 0-2 the slave stands in for */
	int in_fd; /* 0 when stdin is a terminal (relayed into the pty), else -1 */
	int out_fd; /* the terminal the pty's output goes to */
	int ctl_fd; /* the outer terminal (termios, window size, foreground) */
	struct termios saved; /* the outer terminal's modes, restored at the end */
	bool raw; /* the outer terminal is in raw mode now */
	bool ctty; /* the outer terminal was sbx's controlling terminal at the start */
	char buf[4096]; /* typed input not yet written to the pty */
	size_t len, off;
	struct sbx_vt_filter vt; /* the program's output, on its way to the outer terminal */
};

/* A pty when any of fds 0-2 is a terminal (t->master >= 0), else nothing (-1). The pty
 * starts with the outer terminal's modes and window size. */
int sbx_terminal_open(struct sbx_terminal *t, struct sbx_diag *d);
/* Raw mode on the outer terminal, when sbx is its foreground and stdin is relayed. */
void sbx_terminal_raw(struct sbx_terminal *t);
/* The outer terminal's modes as they were (every exit path calls this), and the modes the
 * program's output changed (mouse reports, keypad …) back to their defaults. */
void sbx_terminal_restore(struct sbx_terminal *t);
/*
 * The outer terminal is gone: hung up (its descriptors fail with EIO), or no longer sbx's
 * controlling terminal (its session's leader ended). No one can continue a stopped sbx from
 * it any more (no fg).
 */
bool sbx_terminal_gone(const struct sbx_terminal *t);
/* Window size of the outer terminal onto the pty (SIGWINCH). */
void sbx_terminal_winsize(const struct sbx_terminal *t);
/* Relay what the pty has for the outer terminal; false when the pty has no slave left. */
bool sbx_terminal_relay_output(struct sbx_terminal *t);
/* Read typed input (when t->len == 0) and write it to the pty; false at EOF on stdin. */
bool sbx_terminal_relay_input(struct sbx_terminal *t, bool readable);
void sbx_terminal_close(struct sbx_terminal *t);

#endif /* SBX_LAUNCH_TERMINAL_H */
