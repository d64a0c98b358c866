// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Issue 12, item 7: quiet by default, honest always. A feature this kernel lacks whose
 * absence leaves no hole (another mechanism covers it, or only sbx's explanations lose) is
 * said once per (kernel, feature) and user, on a terminal, and remembered in
 * $XDG_STATE_HOME/sbx/kernel-notes; --report lists it on every run; --quiet silences it.
 * The features come from this kernel's own --report: where it lacks nothing, a SKIP says so.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(notes)
{
	char dir[PATH_MAX], state[PATH_MAX + 16], file[PATH_MAX + 48];
	char dropped[8][64]; /* the features this kernel drops without a hole */
	int n_dropped;
	char kernel[128];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(notes)
{
	char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--report", "--",
			 "/bin/true",	    NULL };
	char *line, *save = NULL;

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->state, sizeof(self->state), "%s/state", self->dir);
	snprintf(self->file, sizeof(self->file), "%s/sbx/kernel-notes", self->state);
	setenv("XDG_STATE_HOME", self->state, 1);
	ASSERT_EQ(0, sbx_run_capture(argv, self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* "sbx: ... kernel K, Landlock ABI N", then "sbx:   DROPPED  FEATURE  what (why)". */
	line = strstr(self->r->err, "; kernel ");
	ASSERT_NE(NULL, line);
	snprintf(self->kernel, sizeof(self->kernel), "%.*s", (int)strcspn(line + 9, ","), line + 9);
	for (line = strtok_r(self->r->err, "\n", &save); line && self->n_dropped < 8;
	     line = strtok_r(NULL, "\n", &save)) {
		char feature[64];

		if (sscanf(line, "sbx: DROPPED %63s", feature) != 1 &&
		    sscanf(line, "sbx:   DROPPED %63s", feature) != 1)
			continue;
		snprintf(self->dropped[self->n_dropped++], sizeof(self->dropped[0]), "%s", feature);
	}
}

FIXTURE_TEARDOWN(notes)
{
	unsetenv("XDG_STATE_HOME");
	sbx_rmtree(self->dir);
	free(self->r);
}

/* sbx run ARGS -- /bin/true on a pty, as at a terminal: everything it printed. */
static int on_terminal(const char *opt, char *out, size_t len)
{
	char *argv[] = { (char *)sbx_bin(),
			 "run",
			 "--allow-root",
			 (char *)(opt ? opt : "--"),
			 opt ? "--" : "/bin/true",
			 opt ? "/bin/true" : NULL,
			 NULL };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), ws;
	pid_t pid;

	out[0] = '\0';
	if (master < 0 || grantpt(master) || unlockpt(master))
		return -1;
	pid = sbx_pty_spawn(master, argv);
	if (pid < 0)
		return -1;
	sbx_pty_read_until(master, out, len, "\x01never"); /* to the end */
	close(master);
	if (waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* A hole is warned about on every run; these tests are about the rest. */
static bool is_hole(const char *err, const char *feature)
{
	char want[96];

	snprintf(want, sizeof(want), "sbx: warning: not enforced on this kernel: %s ", feature);
	return strstr(err, want) != NULL;
}

TEST_F(notes, said_once_per_kernel_and_feature_on_a_terminal)
{
	static char first[16384], second[16384];
	char want[256];
	int noted = 0;

	if (!self->n_dropped)
		SKIP(return, "kernel %s enforces everything the default profile asks for",
			   self->kernel);
	ASSERT_EQ(0, on_terminal(NULL, first, sizeof(first))) TH_LOG("%s", first);
	for (int i = 0; i < self->n_dropped; i++) {
		if (is_hole(first, self->dropped[i]))
			continue;
		snprintf(want, sizeof(want), "sbx: note: kernel %s lacks %s (", self->kernel,
			 self->dropped[i]);
		EXPECT_NE(NULL, strstr(first, want)) TH_LOG("%s not in: %s", want, first);
		noted++;
	}
	if (!noted)
		SKIP(return, "every drop on kernel %s is a hole (warned each run)", self->kernel);
	/* Remembered, and the second run says nothing of them. */
	ASSERT_EQ(0, access(self->file, R_OK));
	ASSERT_EQ(0, on_terminal(NULL, second, sizeof(second))) TH_LOG("%s", second);
	EXPECT_EQ(NULL, strstr(second, "sbx: note: kernel ")) TH_LOG("%s", second);
	/* --report lists them every time, remembered or not. */
	ASSERT_EQ(0, on_terminal("--report", second, sizeof(second)));
	for (int i = 0; i < self->n_dropped; i++)
		EXPECT_NE(NULL, strstr(second, self->dropped[i])) TH_LOG("%s", second);
	/* The control: another kernel's record does not silence this one's. */
	sbx_rmtree(self->state);
	ASSERT_EQ(0, sbx_sh(self->r, "mkdir -p '%s/sbx' && echo '0.0.0-other %s' >'%s'",
			    self->state, self->dropped[0], self->file));
	ASSERT_EQ(0, on_terminal(NULL, second, sizeof(second))) TH_LOG("%s", second);
	EXPECT_STREQ(first, second);
}

TEST_F(notes, quiet_and_not_a_terminal_say_nothing_and_remember_nothing)
{
	static char out[16384];
	char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--", "/bin/true", NULL };

	if (!self->n_dropped)
		SKIP(return, "kernel %s enforces everything the default profile asks for",
			   self->kernel);
	ASSERT_EQ(0, on_terminal("--quiet", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
	EXPECT_NE(0, access(self->file, F_OK));
	/* Not a terminal (a build system, an agent): the same, without --quiet. */
	ASSERT_EQ(0, sbx_run_capture(argv, self->r));
	EXPECT_EQ(0, self->r->status);
	EXPECT_EQ(NULL, strstr(self->r->err, "sbx: note: kernel ")) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(self->file, F_OK));
	/* The control: at a terminal, without --quiet, it is said and remembered. */
	ASSERT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
	if (!strstr(out, "sbx: note: kernel "))
		SKIP(return, "every drop on kernel %s is a hole (warned each run)", self->kernel);
	EXPECT_EQ(0, access(self->file, F_OK));
}

/* A note this kernel's run says once (not a hole), or NULL. */
static const char *a_noted_feature(FIXTURE_DATA(notes) * self, const char *out)
{
	for (int i = 0; i < self->n_dropped; i++)
		if (!is_hole(out, self->dropped[i]))
			return self->dropped[i];
	return NULL;
}

/*
 * The attack on per-app homes, e17: the notes are reached through no symlink, no FIFO
 * (which would hang sbx) and no directory of another user's (root's sbx with a user's
 * HOME made a root-owned file wherever the user's link pointed). Then nothing is
 * remembered and the note is said, every time. The control: in a directory of its own,
 * the record is made.
 */
TEST_F_TIMEOUT(notes, never_through_a_link_a_fifo_or_anothers_directory, 120)
{
	static char out[16384];
	char elsewhere[PATH_MAX + 16], sbxdir[PATH_MAX + 32], fifo[PATH_MAX + 48];
	char user[PATH_MAX + 16], flag = 0;
	int rescued[2];
	pid_t rescuer;

	if (!self->n_dropped)
		SKIP(return, "kernel %s enforces everything the default profile asks for",
			   self->kernel);
	/* state/sbx is a link to a directory elsewhere. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", self->dir);
	snprintf(sbxdir, sizeof(sbxdir), "%s/sbx", self->state);
	ASSERT_EQ(0, mkdir(elsewhere, 0700));
	ASSERT_EQ(0, mkdir(self->state, 0700));
	ASSERT_EQ(0, symlink(elsewhere, sbxdir));
	ASSERT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
	if (!a_noted_feature(self, out))
		SKIP(return, "every drop on kernel %s is a hole (warned each run)", self->kernel);
	EXPECT_NE(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
	snprintf(fifo, sizeof(fifo), "%s/kernel-notes", elsewhere);
	EXPECT_NE(0, access(fifo, F_OK)) TH_LOG("the notes were made through the link");
	/* state/sbx/kernel-notes is a FIFO: sbx must not wait for a writer or a reader. A
	 * rescuer opens it after 20 s (and says so), so that a sbx that waits ends. */
	ASSERT_EQ(0, unlink(sbxdir));
	ASSERT_EQ(0, mkdir(sbxdir, 0700));
	snprintf(fifo, sizeof(fifo), "%s/kernel-notes", sbxdir);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	ASSERT_EQ(0, pipe2(rescued, O_NONBLOCK));
	rescuer = fork();
	ASSERT_LE(0, rescuer);
	if (rescuer == 0) {
		sleep(20);
		if (write(rescued[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			int fd = open(fifo, O_RDWR | O_NONBLOCK);

			usleep(500000);
			close(fd);
			usleep(10000);
		}
	}
	EXPECT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
	kill(rescuer, SIGKILL);
	waitpid(rescuer, NULL, 0);
	EXPECT_EQ(-1, read(rescued[0], &flag, 1)) TH_LOG("sbx waited on the FIFO");
	close(rescued[0]);
	close(rescued[1]);
	EXPECT_NE(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
	ASSERT_EQ(0, unlink(fifo));
	/* Root's sbx with a user's state directory: nothing of root's is made in it. */
	if (geteuid() == 0) {
		snprintf(user, sizeof(user), "%s/user", self->dir);
		ASSERT_EQ(0, mkdir(user, 0755));
		ASSERT_EQ(0, chown(user, 65534, 65534));
		ASSERT_EQ(0, chmod(self->dir, 0755));
		setenv("XDG_STATE_HOME", user, 1);
		ASSERT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
		snprintf(sbxdir, sizeof(sbxdir), "%s/sbx", user);
		EXPECT_NE(0, access(sbxdir, F_OK)) TH_LOG("root's sbx made %s", sbxdir);
		setenv("XDG_STATE_HOME", self->state, 1);
	}
	/* The control: in its own directory the record is made, and the note not said again. */
	ASSERT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
	EXPECT_EQ(0, access(self->file, R_OK));
	ASSERT_EQ(0, on_terminal(NULL, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "sbx: note: kernel ")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
