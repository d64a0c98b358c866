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
 *
 * Attack review atk7u added the family "bytes a program chose act on the user's terminal
 * other than drawing, or state it set outlives it": a terminal that is not UTF-8 takes the
 * second byte of U+00DB for CSI (T1: not_utf8_terminal); insert mode, the scroll region,
 * the title, the cursor's shape, G1-G3 stayed set (T2: state_left); a program that ignores
 * TERM left kill -9 of sbx, which skips the restore (T2b: program_ignoring_term); and sbx's
 * own lines printed the program's name and refused path raw (T3: sbx_lines_escaped).
 * Attack review atk8u (T4) added state the terminal brings back from its own memory: a
 * cursor saved with SGR and charsets, restored after the filter counted them back to
 * default (cursor_restore, ansi_cursor_restore, alt_screen_restore), or left in the slot
 * for the user's next restore (saved_cursor_left); the other memories are dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

/* Around every variant's bytes: what a program may draw with, and an end mark. */
#define BEFORE "before \033[1;31mred\033[0m \033[?1000h"
#define AFTER  " after END"

/* One run's directories and what reached the terminal. */
struct term {
	char dir[PATH_MAX];
	char home[PATH_MAX + 8]; /* a fake $HOME, the cwd of the runs */
	char probe[PATH_MAX + 64];
	char out[16384]; /* what reached the terminal */
};

FIXTURE(terminal)
{
	struct term t;
};

FIXTURE_VARIANT(terminal)
{
	const char *bytes; /* what the program writes between BEFORE and AFTER */
	const char *never[4]; /* what must not reach the terminal confined */
	const char *lc_all; /* the user's locale (NULL: C.UTF-8, a UTF-8 terminal) */
	const char *restored[7]; /* what must follow AFTER confined: the state put back */
};

static void term_setup(struct __test_metadata *_metadata, struct term *self)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	chmod(self->dir, 0711); /* the sandboxed side walks in from sbx's container */
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, chdir(self->home));
	snprintf(self->probe, sizeof(self->probe), "%s", sbx_test_helper("term_probe"));
	ASSERT_EQ(0, access(self->probe, X_OK)) TH_LOG("%s: %s", self->probe, strerror(errno));
}

FIXTURE_SETUP(terminal)
{
	term_setup(_metadata, &self->t);
}

FIXTURE_TEARDOWN(terminal)
{
	sbx_rmtree(self->t.dir);
}

/* The shell command running the probe with args (HEX …), confined or not, env first. */
static void command(struct term *self, bool confined, const char *env, const char *flags,
		    const char *args, char *cmd, size_t len)
{
	if (confined)
		snprintf(cmd, len,
			 "HOME='%s' XDG_DATA_HOME='%s/.local/share' %s exec '%s' run %s "
			 "--allow-root --profile '%s" PROFILE "' -- '%s' %s",
			 self->home, self->home, env, sbx_bin(), flags, sbx_src(), self->probe,
			 args);
	else
		snprintf(cmd, len, "HOME='%s' %s exec '%s' %s", self->home, env, self->probe, args);
}

/* cmd on a fresh pty (its controlling terminal, its 0-2): the pid, its master in *master. */
static pid_t spawn(const char *cmd, int *master)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return -1;
	return sbx_pty_spawn(*master, argv);
}

/* What arrives until the last slave closes, appended to out; false if 10 s pass with
 * nothing (a hang guard: the slave is still open). */
static bool read_to_end(int master, char *out, size_t len)
{
	size_t have = strlen(out);

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return false;
		n = read(master, out + have, len - 1 - have);
		if (n <= 0)
			return true; /* EIO: no slave left */
		have += (size_t)n;
		out[have] = '\0';
		if (have == len - 1)
			return true;
	}
}

/* The end of cmd: what it wrote into self->out, its exit status (-1 if it hung). */
static int finish(struct term *self, int master, pid_t pid)
{
	int status;
	bool ended = read_to_end(master, self->out, sizeof(self->out));

	close(master);
	if (!ended && pid > 0)
		kill(pid, SIGKILL);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !ended)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* args as hex, appended to buf. */
static void hex_of(const char *s, char *buf, size_t len)
{
	size_t n = strlen(buf);

	for (; *s && n + 3 <= len; s++, n += 2)
		snprintf(buf + n, 3, "%02x", (unsigned char)*s);
}

/*
 * The probe on a fresh pty (its controlling terminal, its 0-2), confined or not; what
 * arrived on the master until the last slave closed into self->out. The exit status.
 */
static int run(struct term *self, const FIXTURE_VARIANT(terminal) * variant, bool confined)
{
	static const char payload_fmt[] = BEFORE "%s" AFTER;
	char payload[1024], hex[2048 + 1] = "", env[64], cmd[4 * PATH_MAX + 4096];
	int master;
	pid_t pid;

	snprintf(payload, sizeof(payload), payload_fmt, variant->bytes);
	hex_of(payload, hex, sizeof(hex));
	snprintf(env, sizeof(env), "LC_ALL=%s", variant->lc_all ? variant->lc_all : "C.UTF-8");
	command(self, confined, env, "--quiet", hex, cmd, sizeof(cmd));
	pid = spawn(cmd, &master);
	self->out[0] = '\0';
	/* Up to the end: the last slave closes (sbx's modes put back come after AFTER). */
	return finish(self, master, pid);
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
	ASSERT_EQ(PROBE_ESCAPED, run(&self->t, variant, false))
	TH_LOG("control: %s", show(self->t.out));
	ASSERT_NE(NULL, strstr(self->t.out, whole))
	TH_LOG("the control must write them through: %s", show(self->t.out));

	ASSERT_EQ(PROBE_ESCAPED, run(&self->t, variant, true))
	TH_LOG("confined: %s", show(self->t.out));
	for (int i = 0; i < 4 && variant->never[i]; i++) {
		EXPECT_EQ(NULL, strstr(self->t.out, variant->never[i]))
		TH_LOG("HOLE: the relay's allow-list (launch/vt_filter.c) passed %s: %s",
		       show(variant->never[i]), show(self->t.out));
	}
	/* What draws still does, in order, and the mouse reports end with the program. */
	EXPECT_NE(NULL, strstr(self->t.out, BEFORE)) TH_LOG("%s", show(self->t.out));
	end = strstr(self->t.out, AFTER);
	ASSERT_NE(NULL, end) TH_LOG("%s", show(self->t.out));
	EXPECT_NE(NULL, strstr(end, "\033[?1000l")) TH_LOG("%s", show(self->t.out));
	for (int i = 0; i < 7 && variant->restored[i]; i++) {
		EXPECT_NE(NULL, strstr(end, variant->restored[i]))
		TH_LOG("HOLE: the program's %s was not put back when it ended: %s",
		       show(variant->restored[i]), show(self->t.out));
	}
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

/* T1: the user's locale is not UTF-8 (LC_ALL=C), as a terminal that takes 8-bit C1 (GNU
 * screen under LANG=C, xterm's 8-bit mode, the Linux console): U+00DB is C3 9B, and 9B is
 * CSI there (DSR, DA); U+00DD, U+00D0, U+00DC end in OSC, DCS, ST. No byte >= 0x80. */
FIXTURE_VARIANT_ADD(terminal, not_utf8_terminal){
	.bytes = "\xc3\x9b"
		 "6n\xc3\x9b"
		 "c\xc3\x9d"
		 "52;c;aGk=\a\xc3\x90q\xc3\x9c",
	.never = { "\x9b", "\x9d", "\x90", "\xc3" },
	.lc_all = "C",
};

/* T2: every state a passed sequence sets is put back when the program ends: insert mode,
 * the scroll region (around a cursor save: CSI r homes the cursor), the title (popped from
 * the stack it was pushed on), the cursor's shape, G1, SGR. */
FIXTURE_VARIANT_ADD(terminal, state_left){
	.bytes = "\033[4h\033[5;10r\033]2;pwned-title\a\033[3 q\033)0\033[31m",
	.restored = { "\033[4l", "\0337\033[r\0338", "\033[23;0t", "\033[0 q", "\033)B",
		      "\033[0m" },
};

/* T4 (atk8u): a saved cursor holds SGR and the charsets; cleared with the very sequences
 * counted as "back to default" and restored by ESC 8, CSI u or leaving the alternate
 * screen, they are back. Each is put back at the end, and a clean cursor saved after. */
#define SAVED_BACK "\033[0m\x0f\033(B\033)B\033*B\033+B"
FIXTURE_VARIANT_ADD(terminal, cursor_restore){
	.bytes = "\033[7m\033(0\x0e\0337\033[0m\033(B\x0f\0338",
	.restored = { "\033[?5l\033[?7h", SAVED_BACK "\0337" },
};

FIXTURE_VARIANT_ADD(terminal, ansi_cursor_restore){
	.bytes = "\033[7m\033(0\x0e\033[s\033[0m\033(B\x0f\033[u",
	.restored = { "\033[?5l\033[?7h", SAVED_BACK "\0337" },
};

/* Both screens' slots (xterm and VTE keep one each, tmux one for 1049 apart) clean. */
FIXTURE_VARIANT_ADD(terminal, alt_screen_restore){
	.bytes = "\033[7m\033[?1049h\033[0m\033[?1049l",
	.restored = { SAVED_BACK "\033[?1049h\0337\033[?1049l" },
};

/* Saved and left: the user's own next ESC 8 (tput rc) would bring the program's back. */
FIXTURE_VARIANT_ADD(terminal, saved_cursor_left){
	.bytes = "\033[7m\033(0\0337\033[0m\033(B",
	.restored = { "\0337" },
};

/* The terminal's other memories: SGR and colour stacks (XTPUSHSGR, XTPOPSGR, XTPUSHCOLORS,
 * XTPOPCOLORS), DEC modes saved and restored (XTSAVE, XTRESTORE). */
FIXTURE_VARIANT_ADD(terminal, other_memory){
	.bytes = "\033[#{\033[7m\033[#}\033[#P\033[#Q\033[?1049s\033[?1049r",
	.never = { "#{", "#}", "#P", "\033[?1049r" },
};

/* The launcher's own behaviour around the program: no variants, run once. */
FIXTURE(terminal_end)
{
	struct term t;
};

FIXTURE_SETUP(terminal_end)
{
	term_setup(_metadata, &self->t);
}

FIXTURE_TEARDOWN(terminal_end)
{
	sbx_rmtree(self->t.dir);
}

/*
 * T2b: a program that ignores TERM (and INT, HUP, QUIT) would keep sbx running, and kill -9
 * of sbx skips the restore. The first TERM puts the terminal back (its modes and its line
 * discipline) before it is passed on; the second ends the program's tree, so sbx ends and
 * no one needs SIGKILL. Control: unconfined, the program outlives TERM.
 */
TEST_F(terminal_end, program_ignoring_term)
{
	char hex[256] = "", args[300], cmd[4 * PATH_MAX + 4096];
	struct termios tio;
	int master, status;
	pid_t pid;

	hex_of(BEFORE AFTER, hex, sizeof(hex));
	snprintf(args, sizeof(args), "%s stay", hex);

	command(&self->t, false, "LC_ALL=C.UTF-8", "", args, cmd, sizeof(cmd));
	pid = spawn(cmd, &master);
	ASSERT_LT(0, pid);
	self->t.out[0] = '\0';
	ASSERT_TRUE(sbx_pty_read_until(master, self->t.out, sizeof(self->t.out), AFTER));
	ASSERT_EQ(0, kill(pid, SIGTERM));
	/* An ignored signal is discarded when sent: the program is still there. */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("control: TERM ended the program");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(master);

	command(&self->t, true, "LC_ALL=C.UTF-8", "--quiet", args, cmd, sizeof(cmd));
	pid = spawn(cmd, &master);
	ASSERT_LT(0, pid);
	self->t.out[0] = '\0';
	ASSERT_TRUE(sbx_pty_read_until(master, self->t.out, sizeof(self->t.out), AFTER))
	TH_LOG("confined: %s", show(self->t.out));
	ASSERT_EQ(0, tcgetattr(master, &tio));
	EXPECT_FALSE(!!(tio.c_lflag & ICANON)) TH_LOG("sbx did not put the terminal in raw mode");
	ASSERT_EQ(0, kill(pid, SIGTERM));
	EXPECT_TRUE(sbx_pty_read_until(master, self->t.out, sizeof(self->t.out), "\033[?1000l"))
	TH_LOG("HOLE: sbx did not put the terminal back on TERM (relay.c): %s", show(self->t.out));
	ASSERT_EQ(0, tcgetattr(master, &tio));
	EXPECT_TRUE(!!(tio.c_lflag & ICANON)) TH_LOG("HOLE: the terminal was left in raw mode");
	ASSERT_EQ(0, kill(pid, SIGTERM));
	status = finish(&self->t, master, pid);
	EXPECT_EQ(128 + SIGKILL, status)
	TH_LOG("HOLE: a second TERM did not end the program's tree (status %d)", status);
}

/* The probe's name and the path it makes: the bytes a program chooses for sbx's lines. */
#define DENY_NAME "\033[c\033]2;T\a"
#define DENY_PATH "/\033]52;c;aGk=\a\033[6n"

/* The probe's arguments for DENY_NAME and dir/DENY_PATH (the path into path), after the
 * control: unconfined, the probe names itself and makes that directory (removed again). */
static void deny_control(struct __test_metadata *_metadata, struct term *self, char *path,
			 size_t path_len, char *args, size_t args_len)
{
	char cmd[8 * PATH_MAX + 4096];
	struct stat st;
	int master;
	pid_t pid;

	snprintf(path, path_len, "%s" DENY_PATH, self->dir);
	snprintf(args, args_len, "6869 deny ");
	hex_of(DENY_NAME, args, args_len);
	snprintf(args + strlen(args), args_len - strlen(args), " ");
	hex_of(path, args, args_len);

	command(self, false, "LC_ALL=C.UTF-8", "", args, cmd, sizeof(cmd));
	pid = spawn(cmd, &master);
	self->out[0] = '\0';
	ASSERT_EQ(PROBE_ESCAPED, finish(self, master, pid)) TH_LOG("%s", show(self->out));
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("control: the probe made no directory");
	ASSERT_EQ(0, rmdir(path));
}

/* out holds the name and the path as \xNN, and no ESC at all. */
static void assert_escaped(struct __test_metadata *_metadata, const char *out, const char *what)
{
	EXPECT_NE(NULL, strstr(out, "\\x1b[c\\x1b]2;T\\x07[")) TH_LOG("%s: %s", what, show(out));
	EXPECT_NE(NULL, strstr(out, "/\\x1b]52;c;aGk=\\x07\\x1b[6n"))
	TH_LOG("%s: %s", what, show(out));
	EXPECT_EQ(NULL, strchr(out, '\033'))
	TH_LOG("HOLE: %s wrote the program's bytes raw: %s", what, show(out));
}

/*
 * T3: sbx's own lines carry bytes the program chose: its name (/proc/PID/comm, set by
 * prctl) and the path it was refused, in the explanation sbx writes to the terminal
 * around the relay's filter. They arrive escaped (\xNN), never as the terminal's
 * controls: no DA, no DSR, no title, no clipboard write.
 */
TEST_F(terminal_end, sbx_lines_escaped)
{
	char path[PATH_MAX + 32], args[4 * PATH_MAX], cmd[8 * PATH_MAX + 4096];
	struct stat st;
	int master;
	pid_t pid;

	deny_control(_metadata, &self->t, path, sizeof(path), args, sizeof(args));
	/* Not --quiet: the explanation lines are what is under test. */
	command(&self->t, true, "LC_ALL=C.UTF-8", "--explain", args, cmd, sizeof(cmd));
	pid = spawn(cmd, &master);
	self->t.out[0] = '\0';
	ASSERT_EQ(PROBE_ESCAPED, finish(&self->t, master, pid)) TH_LOG("%s", show(self->t.out));
	EXPECT_NE(0, stat(path, &st)) TH_LOG("the sandbox let the directory be made");
	ASSERT_NE(NULL, strstr(self->t.out, "denied"))
	TH_LOG("no explanation line to judge: %s", show(self->t.out));
	assert_escaped(_metadata, self->t.out, "sbx run's explanation");
}

/* T3, sbx learn: its diff shows the path as an addition and the act (with the name) as a
 * comment; raw, a name like \e[3A\e[J would erase the lines above it from the diff. */
TEST_F(terminal_end, learn_diff_escaped)
{
	char path[PATH_MAX + 32], args[4 * PATH_MAX], cmd[8 * PATH_MAX + 4096];
	int master;
	pid_t pid;

	deny_control(_metadata, &self->t, path, sizeof(path), args, sizeof(args));
	snprintf(cmd, sizeof(cmd),
		 "HOME='%s' XDG_DATA_HOME='%s/.local/share' LC_ALL=C.UTF-8 exec '%s' learn "
		 "--allow-root -o '%s/learned.yaml' -- '%s' %s",
		 self->t.home, self->t.home, sbx_bin(), self->t.dir, self->t.probe, args);
	pid = spawn(cmd, &master);
	self->t.out[0] = '\0';
	ASSERT_EQ(0, finish(&self->t, master, pid)) TH_LOG("%s", show(self->t.out));
	ASSERT_NE(NULL, strstr(self->t.out, "+  #   create directory of"))
	TH_LOG("no diff to judge: %s", show(self->t.out));
	assert_escaped(_metadata, self->t.out, "sbx learn's diff");
}

TEST_HARNESS_MAIN
