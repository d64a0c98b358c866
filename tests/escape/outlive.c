// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The program's supervisor is sbx, never the program itself, and sbx's end is the program's
 * end (invariant 6; attack review atk8u O1, O2).
 *
 * O2: a seccomp listener of the program's own. The kernel allows one listener per filter
 * chain and frees sbx's with its descriptor; a program that outlived sbx could then install
 * one, and the newest filter's listener wins among equal USER_NOTIF answers: its CONTINUE
 * ran the calls sbx supervises natively (chmod 04755 outside the grants, connect to a
 * pathname unix socket). sbx's filter refuses NEW_LISTENER itself (EPERM; the kernel's
 * own EBUSY holds only while sbx's listener lives), and a supervised call with no
 * listener left fails closed (ENOSYS, the kernel's answer: shown here on the kernel itself).
 *
 * SIGPIPE: sbx writes its refusals on stderr; with stderr a pipe nobody reads any more
 * (`sbx run ... 2>&1 | head -1`) sbx died of SIGPIPE (status 141) and left the program's
 * calls unanswered and its tree behind. It now goes on: the program's status is sbx's.
 *
 * O1: the program's tree outlives sbx. PR_SET_PDEATHSIG ends only sbx's child; the program's
 * own children are reparented outside when sbx is killed (SIGKILL, and before the fix
 * above SIGPIPE) and ran on, still confined, their supervised calls ENOSYS. sbx's child
 * is now a keeper (launch/child.c): unconfined, the tree's child subreaper, it kills every
 * descendant once sbx is gone.
 *
 * L1 (atk9u): a program that ignores the hangup of sbx's terminal and stops itself after
 * every SIGCONT (its child sends SIGSTOP again and again) left sbx, the keeper and the tree
 * stopped for good: sbx mirrored each stop of the program's and no one could continue it
 * any more. With the terminal gone, sbx takes such a stop as the second ending signal.
 *
 * Each runs unconfined first (the control, which must work).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

static const char *profile(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", sbx_src(), PROFILE);
	return path;
}

TEST(program_gets_no_listener)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_test_helper("outlive_probe"), "listener", NULL };
	char *args[] = { "--", argv[0], argv[1], NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r)) TH_LOG("%s%s", r.out, r.err);
	TH_LOG("control: %s", r.out);
	ASSERT_NE(NULL, strstr(r.out, "new_listener: ok\n"));
	ASSERT_NE(NULL, strstr(r.out, "allowed_flags: ok\n"));

	ASSERT_EQ(0, sbx_run_profile(profile(), args, NULL, &r)) TH_LOG("%s%s", r.out, r.err);
	TH_LOG("confined: %s", r.out);
	/* EBUSY is the kernel's, and only while sbx's listener is open. */
	EXPECT_NE(NULL, strstr(r.out, "new_listener: EPERM\n"))
	TH_LOG("sbx's filter must refuse NEW_LISTENER");
	EXPECT_NE(NULL, strstr(r.out, "allowed_flags: ok\n"));
	EXPECT_NE(NULL, strstr(r.out, "notif_sizes: ok\n"));
}

/*
 * The kernel, unconfined: a call a filter sends to a listener that is gone gets ENOSYS,
 * never runs (what a supervised call meets if sbx's listener closes before the tree ends).
 */
TEST(call_without_listener_fails_closed)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fchmodat, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	char dir[PATH_MAX], file[PATH_MAX + 8];
	struct stat st;
	int ws, fd;
	pid_t pid;

	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long nfd;

		/* The control: the call runs before the filter. */
		if (syscall(__NR_fchmodat, AT_FDCWD, file, 0600))
			_exit(10);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(11);
		nfd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (nfd < 0)
			_exit(12);
		close((int)nfd);
		if (syscall(__NR_fchmodat, AT_FDCWD, file, 0604) == 0)
			_exit(13);
		_exit(errno == ENOSYS ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	ASSERT_EQ(0, stat(file, &st));
	sbx_rmtree(dir);
	ASSERT_TRUE(WIFEXITED(ws));
	if (WEXITSTATUS(ws) == 12)
		SKIP(return, "no seccomp user notification on this kernel");
	EXPECT_EQ(0, WEXITSTATUS(ws))
	TH_LOG("10: control chmod, 11: nnp, 13: ran with no listener, 14: not ENOSYS");
	EXPECT_EQ(0600u, st.st_mode & 07777);
}

/*
 * ARGV with stdout and stderr on one pipe: the first line read, then the pipe closed, as
 * `2>&1 | head -1` does. Returns the exit status (128 + signal), the line in first.
 */
static int run_head1(char *const argv[], char *first, size_t len)
{
	size_t n = 0;
	int p[2], ws;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (n + 1 < len && read(p[0], first + n, 1) == 1 && first[n] != '\n')
		n++;
	first[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

TEST(closed_stderr_keeps_sbx)
{
	char *probe = (char *)sbx_test_helper("outlive_probe"), first[256];
	int status;

	status = run_head1((char *[]){ probe, "sigpipe", NULL }, first, sizeof(first));
	ASSERT_EQ(7, status) TH_LOG("control: the probe's own status");
	status = run_head1((char *[]){ (char *)sbx_bin(), "run", "--allow-root", "--profile",
				       (char *)profile(), "--", probe, "sigpipe", NULL },
			   first, sizeof(first));
	TH_LOG("confined: status %d, first line '%s'", status, first);
	EXPECT_EQ(7, status) TH_LOG("141: sbx died of SIGPIPE writing its refusal");
}

/* A hang guard in ms, stretched as the harness's is under the guests' SBX_TEST_TIMEOUT_SCALE. */
static int guard_ms(int seconds)
{
	const char *s = getenv("SBX_TEST_TIMEOUT_SCALE");
	int scale = s ? atoi(s) : 1;

	return seconds * 1000 * (scale > 1 && scale <= 100 ? scale : 1);
}

/* The "ready PID" line from fifo_fd (non-blocking), within the hang guard; 0 if none. */
static pid_t ready_pid(int fifo_fd)
{
	struct pollfd p = { .fd = fifo_fd, .events = POLLIN };
	char line[64];
	size_t n = 0;
	int pid = 0;

	while (n + 1 < sizeof(line) && poll(&p, 1, guard_ms(30)) == 1) {
		ssize_t got = read(fifo_fd, line + n, sizeof(line) - 1 - n);

		if (got <= 0)
			break;
		n += (size_t)got;
		line[n] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	line[n] = '\0';
	return sscanf(line, "ready %d", &pid) == 1 ? (pid_t)pid : 0;
}

/*
 * argv started with /dev/null on 0-2; returns its pid and, in *child, a pidfd of the
 * probe's child once it wrote to fifo (-1 if it never did).
 */
static pid_t start_tree(char *const argv[], const char *fifo, int *child)
{
	int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	pid_t pid, c;

	*child = -1;
	if (rd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	c = pid > 0 ? ready_pid(rd) : 0;
	if (c > 0)
		*child = (int)syscall(SYS_pidfd_open, c, 0);
	close(rd);
	return pid;
}

FIXTURE(tree)
{
	char dir[PATH_MAX], out[PATH_MAX + 8], fifo[PATH_MAX + 16];
};

FIXTURE_SETUP(tree)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	chmod(self->dir, 0711);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->fifo, sizeof(self->fifo), "%s/fifo", self->out);
	ASSERT_EQ(0, mkdir(self->out, 0777));
	ASSERT_EQ(0, chmod(self->out, 0777));
	ASSERT_EQ(0, mkfifo(self->fifo, 0666));
	ASSERT_EQ(0, chmod(self->fifo, 0666));
}

FIXTURE_TEARDOWN(tree)
{
	sbx_rmtree(self->dir);
}

TEST_F_TIMEOUT(tree, ends_when_sbx_is_killed, 180)
{
	char *probe = (char *)sbx_test_helper("outlive_probe"), grant[PATH_MAX + 16];
	struct pollfd p = { .events = POLLIN };
	int child, ws;
	pid_t pid;

	/* The control: the probe's child outlives the probe killed by SIGKILL. */
	pid = start_tree((char *[]){ probe, "tree", self->fifo, NULL }, self->fifo, &child);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, child) TH_LOG("the probe's child never wrote (or no pidfd_open)");
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	p.fd = child;
	EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("control: the child must outlive its parent");
	syscall(SYS_pidfd_send_signal, child, SIGKILL, NULL, 0);
	/* Gone (its end of the FIFO closed) before the next reader opens it. */
	poll(&p, 1, guard_ms(60));
	close(child);

	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	pid = start_tree((char *[]){ (char *)sbx_bin(), "run", "--allow-root", "--profile",
				     (char *)profile(), "--allow", "files.user-selected.read-write",
				     "--grant", grant, "--", probe, "tree", self->fifo, NULL },
			 self->fifo, &child);
	ASSERT_LT(0, pid);
	if (child < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_LE(0, child) TH_LOG("the confined probe's child never wrote");
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	/* Its end is an event (the pidfd polls readable); the wait only a hang guard. */
	p.fd = child;
	ws = poll(&p, 1, guard_ms(60));
	if (ws != 1)
		syscall(SYS_pidfd_send_signal, child, SIGKILL, NULL, 0);
	close(child);
	EXPECT_EQ(1, ws) TH_LOG("O1: the program's child outlived sbx killed by SIGKILL");
}

/*
 * argv as the leader of a session on a fresh pty (a terminal window, master in *master);
 * its pid and, in *child, a pidfd of the probe's child once it wrote to fifo (-1 if never).
 */
static pid_t start_on_pty(char *const argv[], const char *fifo, int *master, int *child)
{
	int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	pid_t pid = -1, c;

	*child = -1;
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (rd >= 0 && *master >= 0 && !grantpt(*master) && !unlockpt(*master))
		pid = sbx_pty_spawn(*master, argv);
	c = pid > 0 ? ready_pid(rd) : 0;
	if (c > 0)
		*child = (int)syscall(SYS_pidfd_open, c, 0);
	if (rd >= 0)
		close(rd);
	return pid;
}

TEST_F_TIMEOUT(tree, ends_when_stopped_after_hangup, 180)
{
	char *probe = (char *)sbx_test_helper("outlive_probe"), grant[PATH_MAX + 16];
	struct pollfd p = { .events = POLLIN };
	int master, child, ws, ended;
	pid_t pid;

	/* The control: the program ignores the hangup and is stopped again: the tree stays. */
	pid = start_on_pty((char *[]){ probe, "stopper", self->fifo, NULL }, self->fifo, &master,
			   &child);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, child) TH_LOG("the probe's child never wrote (or no pidfd_open)");
	ASSERT_EQ(pid, waitpid(pid, &ws, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(ws)) TH_LOG("control: the child did not stop the program");
	close(master); /* the terminal hangs up: SIGHUP and SIGCONT to its session's leader */
	ASSERT_EQ(pid, waitpid(pid, &ws, WUNTRACED));
	EXPECT_TRUE(WIFSTOPPED(ws)) TH_LOG("control: the hangup ended the program (%#x)", ws);
	p.fd = child;
	EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("control: the child must outlive the hangup");
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	syscall(SYS_pidfd_send_signal, child, SIGKILL, NULL, 0);
	poll(&p, 1, guard_ms(60)); /* gone (its end of the FIFO closed) before the next reader */
	close(child);

	snprintf(grant, sizeof(grant), "%s:rw", self->out);
	pid = start_on_pty((char *[]){ (char *)sbx_bin(), "run", "--allow-root", "--quiet",
				       "--profile", (char *)profile(), "--allow",
				       "files.user-selected.read-write", "--grant", grant, "--",
				       probe, "stopper", self->fifo, NULL },
			   self->fifo, &master, &child);
	ASSERT_LT(0, pid);
	if (child < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_LE(0, child) TH_LOG("the confined probe's child never wrote");
	}
	/* While its terminal is there, sbx mirrors the program's stop (as sudo does). */
	ASSERT_EQ(pid, waitpid(pid, &ws, WUNTRACED));
	EXPECT_TRUE(WIFSTOPPED(ws)) TH_LOG("sbx did not mirror the program's stop (%#x)", ws);
	close(master);
	/* Its end is an event (the pidfd polls readable); the wait only a hang guard. */
	p.fd = child;
	ended = poll(&p, 1, guard_ms(60));
	if (ended != 1) {
		kill(pid, SIGKILL);
		syscall(SYS_pidfd_send_signal, child, SIGKILL, NULL, 0);
	}
	close(child);
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	EXPECT_EQ(1, ended) TH_LOG("L1: the terminal hung up, and sbx and the tree stayed stopped");
	EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 128 + SIGKILL)
	TH_LOG("sbx's status %#x: the tree ends as on a second ending signal", ws);
}

TEST_HARNESS_MAIN
