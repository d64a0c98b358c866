// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls aimed at another process under the supervisor: signals (where Landlock cannot
 * scope them, ABI < 6: forced here, below_abi 0, so the rules apply on any kernel) and resource
 * calls on an explicit target. The program's own children may be targeted; a victim
 * outside the sandbox (the control reaches it unconfined) may not. Process groups: only a
 * group wholly the sandbox's.
 */
#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>

#include "supervise_fixture.h"

FIXTURE(procs)
{
	struct sup_env e;
	pid_t victim;
	char victim_pid[16];
};

FIXTURE_VARIANT(procs)
{
	const char *call;
	const char *rule; /* the system call the filter sends to the supervisor */
};

#define PROC(name, call_, rule_)             \
	FIXTURE_VARIANT_ADD(procs, name)     \
	{                                    \
		.call = call_, .rule = rule_ \
	}

PROC(kill, "kill", "kill");
PROC(tgkill, "tgkill", "tgkill");
PROC(sigqueue, "sigqueue", "rt_sigqueueinfo");
PROC(pidfd_send_signal, "pidfd_send_signal", "pidfd_send_signal");
PROC(prlimit, "prlimit", "prlimit64");
PROC(sched_setaffinity, "sched_setaffinity", "sched_setaffinity");
PROC(setpriority, "setpriority", "setpriority");

/*
 * A victim outside the sandbox and not a child of this process (which stands in for sbx:
 * its children are not the program's): forked twice, so it belongs to init. It holds no
 * capabilities, as an ordinary user's process, and says its pid only once it holds none
 * (and ignores SIGURG): a test that reached it earlier raced its capset.
 */
static pid_t spawn_victim(void)
{
	int p[2];
	pid_t pid = -1, mid;

	if (pipe(p))
		return -1;
	mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
			struct __user_cap_data_struct none[2] = { { 0 } };
			pid_t v = getpid();

			/*
			 * No capabilities: the kernel itself refuses scheduling changes to a
			 * task holding more than the caller (cap_safe_nice), which would hide
			 * what the supervisor decides when the suite runs as root.
			 */
			if (syscall(SYS_capset, &h, none))
				_exit(1);
			signal(SIGURG, SIG_IGN);
			close(p[0]);
			if (write(p[1], &v, sizeof(v)) != sizeof(v))
				_exit(1);
			close(p[1]);
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(p[0]);
	waitpid(mid, NULL, 0);
	return pid;
}

FIXTURE_SETUP(procs)
{
	ASSERT_EQ(0, sup_env_setup(&self->e));
	/*
	 * The compiler gives signal rules below_abi 6; 0 forces them on this kernel too, so
	 * the supervisor's decision is proven wherever the suite runs.
	 */
	sup_env_rule(&self->e, variant->rule, 0);
	self->e.rules[self->e.plan.seccomp.n_rules - 1].errno_value = EPERM;
	self->victim = spawn_victim();
	ASSERT_LT(0, self->victim);
	snprintf(self->victim_pid, sizeof(self->victim_pid), "%d", (int)self->victim);
}

FIXTURE_TEARDOWN(procs)
{
	if (self->victim > 0)
		kill(self->victim, SIGKILL);
	sbx_rmtree(self->e.root);
}

static int run_proc(struct sup_env *e, bool confined, const char *call, const char *target)
{
	char act[64];
	char *argv[] = { "meta_probe", act, (char *)target, NULL };

	snprintf(act, sizeof(act), "proc-%s", call);
	return sup_env_run(e, confined, argv);
}

TEST_F(procs, own_child_carried_out_outside_refused)
{
	struct sup_env *e = &self->e;

	/* The control: unconfined, the victim outside is reached. */
	ASSERT_EQ(0, run_proc(e, false, variant->call, self->victim_pid));
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);

	ASSERT_EQ(0, run_proc(e, true, variant->call, "child"));
	EXPECT_EQ(0, e->status) TH_LOG("the program's own child: %s", e->output);
	EXPECT_EQ(0, e->seen.n) TH_LOG("reported: %s", e->seen.last.call);

	ASSERT_EQ(0, run_proc(e, true, variant->call, self->victim_pid));
	EXPECT_EQ(3, e->status) TH_LOG("%s", e->output);
	EXPECT_STREQ("refused: EPERM\n", e->output);
	ASSERT_EQ(1, e->seen.n);
	EXPECT_NE(NULL, strstr(e->seen.last.call, "not one of the sandbox's processes"))
	TH_LOG("%s", e->seen.last.call);
}

/* Without the rule (what Landlock ABI 6+ would scope), the call reaches the victim. */
TEST_F(procs, without_the_rule_the_victim_is_reached)
{
	struct sup_env *e = &self->e;

	e->plan.seccomp.n_rules = 0;
	ASSERT_EQ(0, run_proc(e, true, variant->call, self->victim_pid));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
}

/* kill(0): a process group of the program's own is carried out. */
FIXTURE(group)
{
	struct sup_env e;
};

FIXTURE_SETUP(group)
{
	ASSERT_EQ(0, sup_env_setup(&self->e));
	sup_env_rule(&self->e, "kill", 0); /* forced, as above */
}

FIXTURE_TEARDOWN(group)
{
	sbx_rmtree(self->e.root);
}

TEST_F(group, kill_own_group)
{
	ASSERT_EQ(0, run_proc(&self->e, true, "kill", "group"));
	EXPECT_EQ(0, self->e.status) TH_LOG("%s", self->e.output);
	EXPECT_EQ(0, self->e.seen.n);
}

/*
 * kill(0) from a program still in sbx's process group: sbx is in it, so it is refused.
 * (Once the launcher gives the program a session of its own, the group is the program's.)
 */
TEST_F(group, kill_shared_group_refused)
{
	char *argv[] = { "meta_probe", "proc-kill", "0", NULL };

	ASSERT_EQ(0, sup_env_run(&self->e, true, argv));
	if (!strncmp(self->e.output, "pgrp=own", 8)) {
		EXPECT_EQ(0, self->e.status) TH_LOG("%s", self->e.output);
		return;
	}
	EXPECT_EQ(3, self->e.status) TH_LOG("%s", self->e.output);
	ASSERT_EQ(1, self->e.seen.n);
	EXPECT_NE(NULL, strstr(self->e.seen.last.call, "not wholly the sandbox's"));
}

TEST_HARNESS_MAIN
