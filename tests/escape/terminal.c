// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal as an output channel (attack review atk5u, I). When sbx's streams are a
 * terminal, the program writes to a pty of its own that sbx relays to the user's terminal.
 * A program with no entitlement must not reach the terminal's other functions through it:
 * OSC 52 writes the system clipboard (through tmux, xterm, kitty …), a query's answer (DA,
 * DSR, CSI t, DECRQSS, DECRQM, OSC 11 ?) is typed back as input and, once sbx has ended,
 * read by the shell; DCS and APC reach tmux's passthrough and kitty's graphics (which reads
 * files); 8-bit C1 bytes are CSI and OSC to a terminal that takes them.
 *
 * This test is the terminal: it gives the program (bin/term_probe, which writes the bytes
 * it is given) a pty and reads what arrives on its master. Control: unconfined, every byte
 * arrives as written. Confined (`sbx run --profile data/app-sandbox.yaml`, whose 0-2 are
 * then this pty): none of the channel's bytes arrive, the text and SGR around them do, and
 * the mode the program turned on (mouse reports) is turned off again when it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

/* Around every variant's bytes: what a program may draw with, and an end mark. */
#define BEFORE "before \033[1;31mred\033[0m \033[?1000h"
#define AFTER  " after END"

FIXTURE(terminal)
{
	char dir[PATH_MAX];
	char home[PATH_MAX + 8]; /* a fake $HOME, the cwd of the runs */
	char probe[PATH_MAX + 64];
	char out[16384]; /* what reached the terminal */
};

FIXTURE_VARIANT(terminal)
{
	const char *bytes; /* what the program writes between BEFORE and AFTER */
	const char *never[4]; /* what must not reach the terminal confined */
};

FIXTURE_SETUP(terminal)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	chmod(self->dir, 0711); /* the sandboxed side walks in from sbx's container */
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, chdir(self->home));
	snprintf(self->probe, sizeof(self->probe), "%s", sbx_test_helper("term_probe"));
	ASSERT_EQ(0, access(self->probe, X_OK)) TH_LOG("%s: %s", self->probe, strerror(errno));
}

FIXTURE_TEARDOWN(terminal)
{
	sbx_rmtree(self->dir);
}

/*
 * The probe on a fresh pty (its controlling terminal, its 0-2), confined or not; what
 * arrived on the master until the last slave closed into self->out. The exit status.
 */
static int run(FIXTURE_DATA(terminal) * self, const FIXTURE_VARIANT(terminal) * variant,
	       bool confined)
{
	static const char payload_fmt[] = BEFORE "%s" AFTER;
	char payload[1024], hex[2048 + 1], cmd[4 * PATH_MAX + 4096];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int master, status;
	size_t n;
	pid_t pid;

	n = (size_t)snprintf(payload, sizeof(payload), payload_fmt, variant->bytes);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)payload[i]);
	if (confined)
		snprintf(cmd, sizeof(cmd),
			 "HOME='%s' XDG_DATA_HOME='%s/.local/share' exec '%s' run --quiet "
			 "--allow-root --profile '%s" PROFILE "' -- '%s' %s",
			 self->home, self->home, sbx_bin(), sbx_src(), self->probe, hex);
	else
		snprintf(cmd, sizeof(cmd), "HOME='%s' exec '%s' %s", self->home, self->probe, hex);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master))
		return -1;
	pid = sbx_pty_spawn(master, argv);
	self->out[0] = '\0';
	/* Up to the end: the last slave closes (sbx's modes put back come after AFTER). */
	sbx_pty_read_until(master, self->out, sizeof(self->out), "\001never\001");
	close(master);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* out, printable: ESC as \e, other controls and 8-bit bytes as \xNN (for the log). */
static const char *show(const char *out)
{
	static char bufs[2][4096];
	static int which;
	char *buf = bufs[which ^= 1];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)out; *p && n < sizeof(bufs[0]) - 5;
	     p++)
		n += (size_t)(*p == 0x1b		? snprintf(buf + n, 3, "\\e")
			      : *p < 0x20 || *p >= 0x7f ? snprintf(buf + n, 5, "\\x%02x", *p)
							: snprintf(buf + n, 2, "%c", *p));
	buf[n] = '\0';
	return buf;
}

TEST_F(terminal, channel_dropped)
{
	char whole[1024];
	const char *end;

	snprintf(whole, sizeof(whole), BEFORE "%s" AFTER, variant->bytes);
	ASSERT_EQ(PROBE_ESCAPED, run(self, variant, false)) TH_LOG("control: %s", show(self->out));
	ASSERT_NE(NULL, strstr(self->out, whole))
	TH_LOG("the control must write them through: %s", show(self->out));

	ASSERT_EQ(PROBE_ESCAPED, run(self, variant, true)) TH_LOG("confined: %s", show(self->out));
	for (int i = 0; i < 4 && variant->never[i]; i++) {
		EXPECT_EQ(NULL, strstr(self->out, variant->never[i]))
		TH_LOG("HOLE: the relay's allow-list (launch/vt_filter.c) passed %s: %s",
		       show(variant->never[i]), show(self->out));
	}
	/* What draws still does, in order, and the mouse reports end with the program. */
	EXPECT_NE(NULL, strstr(self->out, BEFORE)) TH_LOG("%s", show(self->out));
	end = strstr(self->out, AFTER);
	ASSERT_NE(NULL, end) TH_LOG("%s", show(self->out));
	EXPECT_NE(NULL, strstr(end, "\033[?1000l")) TH_LOG("%s", show(self->out));
}

FIXTURE_VARIANT_ADD(terminal, clipboard){
	.bytes = "\033]52;c;c2J4LXRlcm0=\a\033]52;p;c2J4\033\\",
	.never = { "\033]52", "c2J4" },
};

FIXTURE_VARIANT_ADD(terminal, device_attributes){
	.bytes = "\033[c\033[0c\033[>c\033[=c",
	.never = { "\033[c", "\033[0c", "\033[>c", "\033[=c" },
};

FIXTURE_VARIANT_ADD(terminal, status_reports){
	.bytes = "\033[5n\033[6n\033[?6n\x05",
	.never = { "\033[5n", "\033[6n", "\033[?6n", "\x05" },
};

FIXTURE_VARIANT_ADD(terminal, window_reports){
	.bytes = "\033]0;x\a\033[21t\033[14t\033[18t",
	.never = { "21t", "14t", "18t" },
};

FIXTURE_VARIANT_ADD(terminal, setting_reports){
	.bytes = "\033P$qm\033\\\033P+q544e\033\\\033[?2004$p\033[>q",
	.never = { "\033P", "$q", "$p", "\033[>q" },
};

FIXTURE_VARIANT_ADD(terminal, colour_queries){
	.bytes = "\033]11;?\a\033]10;?\033\\\033]4;1;?\a",
	.never = { "\033]11", "\033]10", "\033]4" },
};

FIXTURE_VARIANT_ADD(terminal, passthrough_and_graphics){
	.bytes = "\033Ptmux;\033\033]52;c;aGk=\a\033\\\033_Ga=T,t=f;L2V0Yy9wYXNzd2Q=\033\\",
	.never = { "\033P", "\033_", "aGk=", "L2V0" },
};

FIXTURE_VARIANT_ADD(terminal, c1_controls){
	.bytes = "\2336n\302\2336n\23552;c;aGk=\a",
	.never = { "\x9b", "\x9d" },
};

TEST_HARNESS_MAIN
