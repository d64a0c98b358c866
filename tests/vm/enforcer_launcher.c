// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launcher's powers (bpf/include/sbx_enforcer.bpf.h: sbx_may_debug, bpf/exec_verdict,
 * bpf/task_scope): a task running the sbx binary sbxd trusts (SBX_TASK_LAUNCHER) may reach
 * the sandboxed processes it starts (sbx's supervisor reads and writes their memory and
 * takes their descriptors) and declare their floor. The launcher is an ordinary dynamic
 * program: in scope `sandboxed` a user LD_PRELOADs it (sbx is not checked there), or runs
 * it under a tracer; either way the user's code holds its powers (atk2 #3, #4, #4s). So:
 *  - a launcher that is not hardened reaches no hardened program (library validation and
 *    the ptrace guard keep the user's code out of a hardened one, which keeps its power);
 *  - an exec under a tracer is no launcher;
 *  - cs.debugger in a sandboxed tree needs the floor to lift it too, as a hardened floor
 *    already did.
 * The user's code is a copy of this test given the launcher's verdict (what a preload
 * into the trusted sbx runs as), run as root and as uid 65534. Each case has its control.
 */
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "enforcer_test.h"

#define TEAM 0x7ea4u
#define HR   SBX_POLICY_HARDENED_RUNTIME
#define L    SBX_POLICY_SBX_LAUNCHER

__attribute__((noinline)) static int answer(void)
{
	__asm__ volatile("" ::: "memory");
	return 1;
}

static int (*volatile answer_p)(void) = answer;

/* The target: says where answer() is, waits for its stdin to close, exits with answer(). */
static void target_main(void)
{
	char c;

	printf("%lx\n", (unsigned long)(uintptr_t)answer);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	_exit(answer_p());
}

static const unsigned char code42[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov eax, 42; ret */

/* Write code42 at addr in pid (/proc/PID/mem; as its tracer where 7.x wants that): errno. */
static int poke(pid_t pid, unsigned long addr)
{
	char mem[64];
	int fd, err = 0;

	snprintf(mem, sizeof(mem), "/proc/%d/mem", pid);
	fd = open(mem, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (pwrite(fd, code42, sizeof(code42), (off_t)addr) != (ssize_t)sizeof(code42)) {
		err = errno ? errno : EIO;
		/* proc_mem.force_override=ptrace (7.x): only its tracer writes through */
		if (err == EIO && !ptrace(PTRACE_ATTACH, pid, NULL, NULL)) {
			waitpid(pid, NULL, __WALL);
			err = pwrite(fd, code42, sizeof(code42), (off_t)addr) ==
					      (ssize_t)sizeof(code42)
				      ? 0
				      : errno;
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
		}
	}
	close(fd);
	return err;
}

/* Read the bytes at addr in pid, as the supervisor reads a call's arguments: errno. */
static int peek(pid_t pid, unsigned long addr)
{
	unsigned char buf[sizeof(code42)];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)addr, sizeof(buf) };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(buf) ? 0 : errno;
}

/*
 * The user's code in the launcher: declares the floor SBX_TL_FLOOR (if set), forks, execs
 * SBX_TL_TARGET (sandboxed by that exec) and does how to it: "poke" (exit: the target's
 * status, 42 when the written code ran), "peek" (0 read), or "exec": the target runs
 * debugger_main (exit: its status). 100 + errno: refused.
 */
static void launcher_main(const char *how)
{
	const char *target = getenv("SBX_TL_TARGET"), *floor_ = getenv("SBX_TL_FLOOR");
	char pidv[64], line[64] = "", *tenv[] = { "SBX_TL_DO=target", NULL, NULL };
	int to[2], from[2], st, err;
	unsigned long addr;
	pid_t pid;

	if (floor_ && prctl(SBX_PRCTL_POLICY_FLOOR, strtoul(floor_, NULL, 0), 0, 0, 0) == 0)
		_exit(94);
	if (floor_ && errno != EALREADY)
		_exit(100 + errno);
	if (!strcmp(how, "exec")) {
		tenv[0] = "SBX_TL_DO=debugger";
		tenv[1] = pidv;
		snprintf(pidv, sizeof(pidv), "SBX_TL_PID=%s", getenv("SBX_TL_PID") ?: "0");
	}
	if (!target || pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		_exit(90);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)target, NULL };

		dup2(to[0], 0);
		dup2(from[1], 1);
		execve(target, argv, tenv);
		_exit(91);
	}
	close(to[0]);
	close(from[1]);
	if (pid > 0 && !strcmp(how, "exec")) {
		close(to[1]);
		_exit(waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : 93);
	}
	if (pid < 0 || read(from[0], line, sizeof(line) - 1) <= 0)
		_exit(92);
	addr = strtoul(line, NULL, 16);
	err = !strcmp(how, "poke") ? poke(pid, addr) : peek(pid, addr);
	close(to[1]);
	if (waitpid(pid, &st, 0) != pid)
		_exit(93);
	if (err)
		_exit(100 + err);
	_exit(!strcmp(how, "poke") && WIFEXITED(st) ? WEXITSTATUS(st) : 0);
}

/* A sandboxed program that attaches to SBX_TL_PID: 0 attached, 100 + errno refused. */
static void debugger_main(void)
{
	pid_t pid = atoi(getenv("SBX_TL_PID") ?: "0");

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		_exit(100 + errno);
	waitpid(pid, NULL, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	_exit(0);
}

/* "floor": is this task a launcher? 0 yes (its declaration recorded), else 100 + errno. */
__attribute__((constructor)) static void launcher_technique(void)
{
	const char *how = getenv("SBX_TL_DO");

	if (!how)
		return;
	if (!strcmp(how, "target"))
		target_main();
	if (!strcmp(how, "debugger"))
		debugger_main();
	if (!strcmp(how, "floor"))
		_exit(prctl(SBX_PRCTL_POLICY_FLOOR, 0, 0, 0, 0) == 0 ? 94
		      : errno == EALREADY			     ? 0
								     : 100 + errno);
	launcher_main(how);
}

FIXTURE(launcher)
{
	ENFORCER_FIXTURE_DATA;
	char sbx[128], prog[128], other[128];
	uid_t uid; /* the user the launcher runs as */
};

FIXTURE_VARIANT(launcher)
{
	uid_t uid;
};

FIXTURE_VARIANT_ADD(launcher, root){ .uid = 0 };
FIXTURE_VARIANT_ADD(launcher, nobody){ .uid = 65534 };

FIXTURE_SETUP(launcher)
{
	struct sbx_diag d = { 0 };

	ENFORCER_FIXTURE_SETUP(self);
	self->uid = variant->uid;
	/* Scope `sandboxed`: the launcher is not checked, so a preload into it would run. */
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->sbx, sizeof(self->sbx), "%s/sbx", self->dir);
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->sbx));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->prog));
	snprintf(self->other, sizeof(self->other), "%s/other", self->dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->other));
	verify_loaded_objects_as_platform(self->e);
}

FIXTURE_TEARDOWN(launcher)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

/* The user's code in a launcher whose verdict is sbx_policy, on prog whose is prog_policy. */
static int launch(FIXTURE_DATA(launcher) * self, uint32_t sbx_policy, uint32_t prog_policy,
		  const char *how)
{
	char tgt[160], do_[32], *env[] = { do_, tgt, NULL };
	char *argv[] = { self->sbx, NULL };

	if (verify_file_as(self->e, self->sbx, NULL, 0, SBX_CACHED_VALID, sbx_policy, TEAM) ||
	    verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, prog_policy, TEAM))
		return -1;
	snprintf(do_, sizeof(do_), "SBX_TL_DO=%s", how);
	snprintf(tgt, sizeof(tgt), "SBX_TL_TARGET=%s", self->prog);
	return run_prog_as(self->uid, argv, env);
}

/*
 * atk2 #3: the user's code in the launcher writes code into a hardened program it started:
 * refused unless the launcher is hardened too. Controls: the same write into a program
 * that is not hardened (anyone may); the hardened launcher still reads a hardened
 * program (the supervisor's exemption where the ptrace guard keeps the user out).
 */
TEST_F_TIMEOUT(launcher, unhardened_launcher_reaches_no_hardened_program, 300)
{
	EXPECT_EQ(42, launch(self, L, 0, "poke"));
	EXPECT_EQ(0, launch(self, L, 0, "peek"));
	EXPECT_NE(42, launch(self, L, HR, "poke"));
	EXPECT_EQ(100 + EPERM, launch(self, L, HR, "peek"));
	EXPECT_EQ(0, launch(self, L | HR, HR, "peek"));
	/* Not the launcher's verdict: no exemption at all (the controls' control). */
	EXPECT_EQ(100 + EPERM, launch(self, HR, HR, "peek"));
}

/*
 * The launcher exec'd under a tracer (PTRACE_TRACEME, let go at the exec stop): 0 when it
 * is a launcher (its tracer could have run code as one), else 100 + errno.
 */
static int traced_launcher(FIXTURE_DATA(launcher) * self, bool traced)
{
	char *argv[] = { self->sbx, NULL }, *env[] = { "SBX_TL_DO=floor", NULL };
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		become_user(self->uid);
		if (traced && ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(97);
		execve(argv[0], argv, env);
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSTOPPED(st) &&
	    (ptrace(PTRACE_DETACH, pid, NULL, NULL) || waitpid(pid, &st, 0) != pid))
		return -2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* atk2 #4s: a traced exec of sbx is no launcher (scope `all`, where no preload runs). */
TEST_F(launcher, traced_exec_is_no_launcher)
{
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, &d));
	ASSERT_EQ(0, verify_file_as(self->e, self->sbx, NULL, 0, SBX_CACHED_VALID, L, TEAM));
	EXPECT_EQ(0, traced_launcher(self, false));
	EXPECT_EQ(100 + EPERM, traced_launcher(self, true));
	ASSERT_EQ(0, verify_file_as(self->e, self->sbx, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	EXPECT_EQ(100 + EPERM, traced_launcher(self, false)); /* control: not a launcher */
}

/*
 * atk2 #4: a sandboxed hardened program whose verdict carries cs.debugger, started by a
 * launcher whose floor is not hardened, attaches to a hardened program outside the
 * sandbox: only when the floor lifts cs.debugger too. Returns the debugger's status.
 */
static int sandboxed_debugger(FIXTURE_DATA(launcher) * self, const char *floor_)
{
	char *targv[] = { self->other, NULL }, *tenv[] = { "SBX_TL_DO=target", NULL };
	char fl[64], pidv[64], tgt[160], *env[] = { "SBX_TL_DO=exec", tgt, pidv, fl, NULL };
	char *argv[] = { self->sbx, NULL };
	int to[2], from[2], st, r;
	char line[64];
	pid_t t;

	/* T: hardened, started outside the sandbox by this test, as the user */
	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC) ||
	    verify_file_as(self->e, self->other, NULL, 0, SBX_CACHED_VALID, HR, TEAM))
		return -1;
	t = fork();
	if (t == 0) {
		become_user(self->uid);
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		execve(targv[0], targv, tenv);
		_exit(98);
	}
	close(to[0]);
	close(from[1]);
	if (t < 0 || read(from[0], line, sizeof(line)) <= 0)
		return -2;
	snprintf(pidv, sizeof(pidv), "SBX_TL_PID=%d", t);
	snprintf(tgt, sizeof(tgt), "SBX_TL_TARGET=%s", self->prog);
	snprintf(fl, sizeof(fl), "SBX_TL_FLOOR=%s", floor_);
	if (!floor_)
		env[3] = NULL;
	r = verify_file_as(self->e, self->sbx, NULL, 0, SBX_CACHED_VALID, L, TEAM) ||
			    verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID,
					   HR | SBX_POLICY_DEBUGGER, TEAM)
		    ? -3
		    : run_prog_as(self->uid, argv, env);
	kill(t, SIGKILL);
	waitpid(t, &st, 0);
	close(to[1]);
	close(from[0]);
	return r;
}

TEST_F_TIMEOUT(launcher, sandboxed_debugger_needs_the_floor_to_lift_it, 300)
{
	char lifts[32];

	snprintf(lifts, sizeof(lifts), "%#x", SBX_POLICY_DEBUGGER);
	EXPECT_EQ(0, sandboxed_debugger(self, lifts)); /* control: the profile asks for it */
	EXPECT_EQ(100 + EPERM, sandboxed_debugger(self, NULL));
	EXPECT_EQ(100 + EPERM, sandboxed_debugger(self, "0"));
}

TEST_HARNESS_MAIN
