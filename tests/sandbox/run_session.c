// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `sbx run` and the terminal and process tree (issue 8, item 4): the program runs in a
 * session of its own, on a pty of its own that sbx relays when sbx's streams are a
 * terminal, and its whole tree ends when it ends. Each test owns a pty and plays the
 * user's shell on it: sbx (or, for the controls, the program alone) is the session leader
 * on its slave side; the test types on the master side.
 */
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(session)
{
	char dir[PATH_MAX], pidfile[PATH_MAX + 16], outfile[PATH_MAX + 16];
	char buf[16384];
	int master;
	pid_t pid;
};

FIXTURE_SETUP(session)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->pidfile, sizeof(self->pidfile), "%s/pid", self->dir);
	snprintf(self->outfile, sizeof(self->outfile), "%s/stolen", self->dir);
	self->master = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, self->master);
	ASSERT_EQ(0, grantpt(self->master));
	ASSERT_EQ(0, unlockpt(self->master));
	self->buf[0] = '\0';
	self->pid = -1;
	/* Orphans of what the test starts come here, not to init: the test sees survivors. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN(session)
{
	if (self->pid > 0)
		kill(self->pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	close(self->master);
	sbx_rmtree(self->dir);
}

/* Wait for pid, also through stops (which are reported, not waited out). */
static int wait_any(pid_t pid, int *ws)
{
	pid_t r;

	do
		r = waitpid(pid, ws, WUNTRACED);
	while (r < 0 && errno == EINTR);
	return r == pid ? 0 : -1;
}

/* True when this (subreaper) test process has a child left. */
static bool child_left(void)
{
	siginfo_t si = { 0 };

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

TEST_F(session, orphan_cannot_outlive_sbx_or_take_the_terminal)
{
	char *direct[] = { (char *)sbx_test_helper("tty_thief"), self->pidfile, self->outfile,
			   NULL };
	char *confined[] = { (char *)sbx_bin(),
			     "run",
			     "--allow-root",
			     "--grant",
			     self->dir,
			     "--",
			     (char *)sbx_test_helper("tty_thief"),
			     self->pidfile,
			     self->outfile,
			     NULL };
	char line[64] = "";
	int ws, slave;
	struct pollfd p;

	/* The control: run alone, the thief's child survives its parent (reparented here). */
	self->pid = sbx_pty_spawn(self->master, direct);
	ASSERT_LE(0, self->pid);
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	EXPECT_TRUE(child_left());
	/* The confined run: the tree ends with the program, nothing is left to steal with. */
	while (child_left()) {
		/*
		 * The control's survivor: end it. Its parent exits before it writes its pid:
		 * reap it if it has ended, else wait for the pid (waiting on it unkilled
		 * would block for ever).
		 */
		FILE *f = fopen(self->pidfile, "r");
		int pid = 0;

		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid <= 0) {
			if (waitpid(-1, NULL, WNOHANG) <= 0)
				usleep(10000);
			continue;
		}
		kill(pid, SIGKILL);
		waitpid(-1, NULL, 0);
	}
	unlink(self->pidfile);
	self->pid = sbx_pty_spawn(self->master, confined);
	ASSERT_LE(0, self->pid);
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	/* Job control never stopped sbx, and it passed the program's status on. */
	ASSERT_TRUE(WIFEXITED(ws)) TH_LOG("status %#x", ws);
	EXPECT_EQ(0, WEXITSTATUS(ws));
	EXPECT_FALSE(child_left());
	/* The next line typed at the "shell" reaches the shell, nobody else. */
	slave = open(ptsname(self->master), O_RDWR | O_NOCTTY);
	ASSERT_LE(0, slave);
	ASSERT_EQ(7, write(self->master, "secret\n", 7));
	p = (struct pollfd){ .fd = slave, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 30000));
	ASSERT_EQ(7, read(slave, line, sizeof(line) - 1));
	EXPECT_STREQ("secret\n", line);
	close(slave);
	EXPECT_NE(0, access(self->outfile, F_OK));
}

TEST_F(session, program_has_its_own_session_and_terminal)
{
	char cmd[256];
	char *argv[] = {
		(char *)sbx_bin(), "run", "--allow-root", "--", "/bin/sh", "-c", cmd, NULL
	};
	char outer[64];
	int ws;

	snprintf(outer, sizeof(outer), "%s", ptsname(self->master));
	/* The program's terminal: a pty of its own, not the user's. */
	snprintf(cmd, sizeof(cmd), "echo tty=$(tty) end");
	self->pid = sbx_pty_spawn(self->master, argv);
	ASSERT_LE(0, self->pid);
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), " end"));
	sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "\n\n");
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	TH_LOG("%s (outer %s)", self->buf, outer);
	EXPECT_NE(NULL, strstr(self->buf, "tty=/dev/pts/"));
	EXPECT_EQ(NULL, strstr(self->buf, outer));
	ASSERT_TRUE(WIFEXITED(ws));
	EXPECT_EQ(0, WEXITSTATUS(ws));
}

TEST_F(session, interactive_shell_on_the_pty)
{
	/* PS1 is not passed in (the environment is an allow-list): the shell sets its own. */
	char *argv[] = { (char *)sbx_bin(),
			 "run",
			 "--allow-root",
			 "--",
			 "/bin/sh",
			 "-c",
			 "PS1='sbx-test> '; export PS1; exec /bin/sh -i",
			 NULL };
	int ws;

	self->pid = sbx_pty_spawn(self->master, argv);
	ASSERT_LE(0, self->pid);
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "sbx-test> "));
	ASSERT_EQ(18, write(self->master, "echo sum=$((6*7))\n", 18));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "sum=42"))
	TH_LOG("%s", self->buf);
	/* ^C at the prompt: the shell's, through the pty's line discipline; it carries on. */
	self->buf[0] = '\0';
	ASSERT_EQ(1, write(self->master, "\003", 1));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "sbx-test> "));
	ASSERT_EQ(11, write(self->master, "echo alive\n", 11));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "\nalive"))
	TH_LOG("%s", self->buf);
	ASSERT_EQ(7, write(self->master, "exit 3\n", 7));
	sbx_pty_read_until(self->master, self->buf, sizeof(self->buf),
			   "\n\n"); /* to the slave's close */
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(ws)) TH_LOG("status %#x", ws);
	EXPECT_EQ(3, WEXITSTATUS(ws));
}

TEST_F(session, ctrl_z_stops_program_and_sbx_then_both_resume)
{
	char *argv[] = { (char *)sbx_bin(),
			 "run",
			 "--allow-root",
			 "--",
			 "/bin/sh",
			 "-c",
			 "echo ready; read line; echo got=$line",
			 NULL };
	int ws;

	self->pid = sbx_pty_spawn(self->master, argv);
	ASSERT_LE(0, self->pid);
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "ready"));
	ASSERT_EQ(1, write(self->master, "\032", 1)); /* ^Z */
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	ASSERT_TRUE(WIFSTOPPED(ws)) TH_LOG("status %#x", ws);
	/* fg: the shell continues sbx, which continues the program. */
	ASSERT_EQ(0, kill(self->pid, SIGCONT));
	ASSERT_EQ(6, write(self->master, "hello\n", 6));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "got=hello"))
	TH_LOG("%s", self->buf);
	sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "\n\n");
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(ws)) TH_LOG("status %#x", ws);
	EXPECT_EQ(0, WEXITSTATUS(ws));
}

TEST_F(session, window_size_reaches_the_program)
{
	char *argv[] = { (char *)sbx_bin(),
			 "run",
			 "--allow-root",
			 "--",
			 "/bin/sh",
			 "-c",
			 "stty size; read x; stty size",
			 NULL };
	struct winsize ws0 = { .ws_row = 33, .ws_col = 111 }, ws1 = { .ws_row = 44, .ws_col = 99 };
	int ws, slave = open(ptsname(self->master), O_RDWR | O_NOCTTY);

	ASSERT_LE(0, slave);
	ASSERT_EQ(0, ioctl(slave, TIOCSWINSZ, &ws0));
	self->pid = sbx_pty_spawn(self->master, argv);
	ASSERT_LE(0, self->pid);
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "33 111"))
	TH_LOG("%s", self->buf);
	/* A resize: the kernel signals sbx (SIGWINCH), sbx sizes the program's pty. */
	ASSERT_EQ(0, ioctl(slave, TIOCSWINSZ, &ws1));
	close(slave);
	ASSERT_EQ(1, write(self->master, "\n", 1));
	ASSERT_TRUE(sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "44 99"))
	TH_LOG("%s", self->buf);
	sbx_pty_read_until(self->master, self->buf, sizeof(self->buf), "\n\n");
	ASSERT_EQ(0, wait_any(self->pid, &ws));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(ws));
}

/* Without a terminal too: the tree ends with the program, unless --keep-children. */
TEST_F(session, tree_ends_with_program_unless_kept)
{
	char cmd[5 * PATH_MAX];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	ASSERT_NE(NULL, r);
	/* A daemonising child: new session, parent gone; it would write the marker later. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' run --allow-root --grant '%s:rw' -- /bin/sh -c '(setsid sh -c \"echo $$ "
		 ">%s; sleep "
		 "60; touch %s\" &) ; echo started' </dev/null",
		 sbx_bin(), self->dir, self->pidfile, self->outfile);
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_STREQ("started\n", r->out);
	EXPECT_FALSE(child_left());
	/* The control: --keep-children waits for the whole tree instead (it ends by itself). */
	snprintf(cmd, sizeof(cmd),
		 "'%s' run --allow-root --keep-children --grant '%s:rw' -- /bin/sh -c '(setsid sh "
		 "-c \"sleep "
		 "0.2; touch %s\" &) ; echo started' </dev/null",
		 sbx_bin(), self->dir, self->outfile);
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_EQ(0, access(self->outfile, F_OK));
	free(r);
}

TEST_HARNESS_MAIN
