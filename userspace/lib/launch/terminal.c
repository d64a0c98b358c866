// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "launch/terminal.h"
#include "printable.h"

int sbx_terminal_open(struct sbx_terminal *t, struct sbx_diag *d)
{
	char name[128];
	struct winsize ws;

	memset(t, 0, sizeof(*t));
	t->master = t->slave = t->in_fd = t->out_fd = t->ctl_fd = -1;
	for (int fd = 0; fd < 3; fd++) {
		t->replaces[fd] = isatty(fd);
		if (t->replaces[fd] && t->ctl_fd < 0)
			t->ctl_fd = fd;
	}
	if (t->ctl_fd < 0)
		return 0;
	/* The terminal decodes UTF-8 as far as the user's locale says; else 7-bit only. */
	sbx_vt_filter_init(&t->vt, sbx_locale_utf8());
	t->in_fd = t->replaces[0] ? 0 : -1;
	t->ctty = tcgetpgrp(t->ctl_fd) >= 0;
	/* Output to stdout when it is the terminal; else to the terminal sbx has. */
	t->out_fd = t->replaces[1] ? 1 : t->replaces[2] ? 2 : 0;
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (t->master < 0)
		return sbx_diag_set(d, -errno, "terminal: cannot open a pty: %s", strerror(errno));
	if (grantpt(t->master) || unlockpt(t->master) || ptsname_r(t->master, name, sizeof(name))) {
		int err = -errno;

		sbx_terminal_close(t);
		return sbx_diag_set(d, err, "terminal: cannot set the pty up: %s", strerror(-err));
	}
	t->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0) {
		int err = -errno;

		sbx_terminal_close(t);
		return sbx_diag_set(d, err, "terminal: cannot open %s: %s", name, strerror(-err));
	}
	/* The program sees the terminal the user has: its modes and its size. */
	if (tcgetattr(t->ctl_fd, &t->saved) == 0)
		tcsetattr(t->slave, TCSANOW, &t->saved);
	if (ioctl(t->ctl_fd, TIOCGWINSZ, &ws) == 0)
		ioctl(t->slave, TIOCSWINSZ, &ws);
	return 0;
}

void sbx_terminal_raw(struct sbx_terminal *t)
{
	struct termios raw;

	if (t->master < 0 || t->in_fd < 0 || t->raw || tcgetpgrp(t->ctl_fd) != getpgrp())
		return;
	if (tcgetattr(t->ctl_fd, &t->saved))
		return;
	raw = t->saved;
	/* Keys reach the pty as bytes: its line discipline makes ^C, ^Z and echo. */
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	t->raw = tcsetattr(t->ctl_fd, TCSADRAIN, &raw) == 0;
}

/* All of buf to fd, waiting when the terminal is full (it may be non-blocking). */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n > 0) {
			buf += n;
			len -= n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, -1);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			return; /* the terminal is gone: nothing to show the output on */
		}
	}
}

void sbx_terminal_restore(struct sbx_terminal *t)
{
	char modes[SBX_VT_RESTORE_MAX];

	/* The line discipline first: once the user sees the screen back, it is back. */
	if (t->raw) {
		tcsetattr(t->ctl_fd, TCSADRAIN, &t->saved);
		t->raw = false;
	}
	if (t->master >= 0)
		write_all(t->out_fd, modes, sbx_vt_filter_restore(&t->vt, modes));
}

bool sbx_terminal_gone(const struct sbx_terminal *t)
{
	return t->ctl_fd >= 0 && tcgetpgrp(t->ctl_fd) < 0 &&
	       (errno == EIO || (errno == ENOTTY && t->ctty));
}

void sbx_terminal_winsize(const struct sbx_terminal *t)
{
	struct winsize ws;

	if (t->master >= 0 && ioctl(t->ctl_fd, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

bool sbx_terminal_relay_output(struct sbx_terminal *t)
{
	char buf[4096], out[sizeof(buf) + SBX_VT_SEQ_MAX];

	for (;;) {
		ssize_t n = read(t->master, buf, sizeof(buf));

		if (n > 0) {
			write_all(t->out_fd, out, sbx_vt_filter(&t->vt, buf, (size_t)n, out));
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* EAGAIN: drained for now; EIO: no slave is open any more. */
		return n < 0 && errno == EAGAIN;
	}
}

bool sbx_terminal_relay_input(struct sbx_terminal *t, bool readable)
{
	ssize_t n;

	if (readable && t->len == 0) {
		n = read(t->in_fd, t->buf, sizeof(t->buf));
		if (n <= 0)
			return n < 0 && (errno == EINTR || errno == EAGAIN);
		t->len = n;
		t->off = 0;
	}
	if (t->len) {
		n = write(t->master, t->buf + t->off, t->len);
		if (n > 0) {
			t->off += n;
			t->len -= n;
		}
	}
	return true;
}

void sbx_terminal_close(struct sbx_terminal *t)
{
	sbx_terminal_restore(t);
	if (t->slave >= 0)
		close(t->slave);
	if (t->master >= 0)
		close(t->master);
	t->slave = t->master = -1;
}
