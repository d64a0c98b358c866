// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls aimed at another process under the supervisor: signals (where Landlock cannot
 * scope them, ABI < 6: forced here, below_abi 0, so the rules apply on any kernel) and resource
 * calls on an explicit target. The program's own children may be targeted; a victim
 * outside the sandbox (the control reaches it unconfined) may not. Process groups: only a
 * group wholly the sandbox's.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sockios.h>
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
	unsigned int cmd; /* fcntl, ioctl: the command (arg 1) the rule matches; 0 any */
	const char *refusal; /* outside: EPERM for changes and signals, ESRCH for reads */
};

#define PROC(name, call_, rule_)                                 \
	FIXTURE_VARIANT_ADD(procs, name)                         \
	{                                                        \
		.call = call_, .rule = rule_, .refusal = "EPERM" \
	}
/* Reading an attribute (atk5u J): outside the sandbox there is no such process. */
#define READ(name)                                                       \
	FIXTURE_VARIANT_ADD(procs, read_##name)                          \
	{                                                                \
		.call = "read-" #name, .rule = #name, .refusal = "ESRCH" \
	}
/* A descriptor's signal owner (atk5u H): what Landlock ABI 6 scopes. */
#define OWNER(name, rule_, cmd_)                                              \
	FIXTURE_VARIANT_ADD(procs, name)                                      \
	{                                                                     \
		.call = #name, .rule = rule_, .cmd = cmd_, .refusal = "EPERM" \
	}

PROC(kill, "kill", "kill");
PROC(tgkill, "tgkill", "tgkill");
PROC(sigqueue, "sigqueue", "rt_sigqueueinfo");
PROC(pidfd_send_signal, "pidfd_send_signal", "pidfd_send_signal");
PROC(prlimit, "prlimit", "prlimit64");
PROC(sched_setaffinity, "sched_setaffinity", "sched_setaffinity");
PROC(setpriority, "setpriority", "setpriority");
READ(getpriority);
READ(ioprio_get);
READ(sched_getaffinity);
READ(sched_getparam);
READ(sched_getscheduler);
READ(sched_getattr);
READ(sched_rr_get_interval);
READ(capget);
READ(getpgid);
READ(getsid);
READ(pidfd_open);
OWNER(fsetown, "fcntl", F_SETOWN);
OWNER(fsetown_ex, "fcntl", F_SETOWN_EX);
OWNER(fiosetown, "ioctl", FIOSETOWN);
OWNER(siocspgrp, "ioctl", SIOCSPGRP);

/* The rule that sends call (with command cmd, if not 0) to the supervisor. */
static void rule_for(struct sup_env *e, const char *call, unsigned int cmd, int errno_value)
{
	struct sbx_seccomp_rule *r = &e->rules[e->plan.seccomp.n_rules];

	sup_env_rule(e, call, 0);
	r->errno_value = errno_value;
	if (cmd) {
		r->n_cond = 1;
		r->cond[0] = (struct sbx_seccomp_cond){ 1, SBX_CMP_MASKED_EQ, 0xffffffff, cmd };
	}
}

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
	rule_for(&self->e, variant->rule, variant->cmd,
		 strcmp(variant->refusal, "ESRCH") ? EPERM : ESRCH);
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
	char want[32];

	/* The control: unconfined, the victim outside is reached. */
	ASSERT_EQ(0, run_proc(e, false, variant->call, self->victim_pid));
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);

	ASSERT_EQ(0, run_proc(e, true, variant->call, "child"));
	EXPECT_EQ(0, e->status) TH_LOG("the program's own child: %s", e->output);
	EXPECT_EQ(0, e->seen.n) TH_LOG("reported: %s", e->seen.last.call);

	ASSERT_EQ(0, run_proc(e, true, variant->call, self->victim_pid));
	EXPECT_EQ(3, e->status) TH_LOG("%s", e->output);
	snprintf(want, sizeof(want), "refused: %s\n", variant->refusal);
	EXPECT_STREQ(want, e->output);
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

/*
 * A process group as a descriptor's signal owner: refused, even the program's own (the
 * owner lasts, and an outsider of the session could join the group later).
 */
TEST_F(group, fsetown_group_refused)
{
	char *argv[] = { "meta_probe", "proc-fsetown", "-1", NULL };

	rule_for(&self->e, "fcntl", F_SETOWN, EPERM);
	ASSERT_EQ(0, sup_env_run(&self->e, true, argv));
	EXPECT_EQ(3, self->e.status) TH_LOG("%s", self->e.output);
	EXPECT_STREQ("refused: EPERM\n", self->e.output);
	ASSERT_EQ(1, self->e.seen.n);
	EXPECT_NE(NULL, strstr(self->e.seen.last.call, "process group as a descriptor's"));
}

/*
 * Under the compiled plan (sbx run, the escape suite's profile): what shells and process
 * managers do with their own processes still works once calls naming another process go
 * to the supervisor.
 */
FIXTURE(own)
{
	char profile[PATH_MAX];
};

FIXTURE_VARIANT(own)
{
	const char *argv[4]; /* meta_probe's act and target, or a shell's -c script */
	bool shell;
};

#define OWN(name, act, target)                        \
	FIXTURE_VARIANT_ADD(own, name)                \
	{                                             \
		.argv = { "meta_probe", act, target } \
	}

OWN(getpgid_self, "proc-read-getpgid", "0");
OWN(getpgid_child, "proc-read-getpgid", "child");
OWN(getsid_child, "proc-read-getsid", "child");
OWN(capget_self, "proc-read-capget", "0");
OWN(capget_child, "proc-read-capget", "child");
OWN(capget_version_probe, "proc-capget_version", "0");
OWN(sched_getaffinity_child, "proc-read-sched_getaffinity", "child");
OWN(pidfd_open_child, "proc-read-pidfd_open", "child");
OWN(pidfd_waitid_child, "proc-pidfd_waitid", "child");
OWN(setpriority_child, "proc-setpriority", "child");
OWN(fsetown_child, "proc-fsetown", "child");
FIXTURE_VARIANT_ADD(own, shell_job_control){
	/* Monitor mode: each job its own process group, waited for; jobs lists it. */
	.argv = { "/bin/sh", "-c", "set -m; sleep 0 & jobs; wait $! && echo job-ok" },
	.shell = true,
};

FIXTURE_SETUP(own)
{
	snprintf(self->profile, sizeof(self->profile), "%s/tests/escape/data/app-sandbox.yaml",
		 sbx_src());
}

FIXTURE_TEARDOWN(own)
{
}

TEST_F(own, works_confined)
{
	static struct sbx_cmd_result r;
	char *args[8] = { "--" };
	int n = 1;

	args[n++] = (char *)(variant->shell ? variant->argv[0] : sbx_test_helper("meta_probe"));
	for (int i = 1; i < 3 && variant->argv[i]; i++)
		args[n++] = (char *)variant->argv[i];
	args[n] = NULL;
	ASSERT_EQ(0, sbx_run_profile(self->profile, args, NULL, &r));
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_NE(NULL, strstr(r.out, variant->shell ? "job-ok" : "ok")) TH_LOG("%s", r.out);
}

TEST_HARNESS_MAIN
