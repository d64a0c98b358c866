// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx run's supervisor holds the seccomp listener while the program runs; a program that
 * took it could answer its own notifications with "continue" and lift every explained
 * rule. The program must not reach sbx's descriptors: sbx is not dumpable (ptrace access
 * checks refuse pidfd_getfd), seccomp refuses pidfd_getfd unless cs.debugger, and under
 * app-sandbox the supervisor answers pidfd_open only for the sandbox's own processes.
 * The uid 65534 run is the one that matters: as root, sbx also keeps capabilities the
 * program dropped, which refuses the access on its own.
 */
#include "kselftest_harness.h"
#include "sbx_test.h"

static int run(const char *profile_name, struct sbx_cmd_result *r)
{
	char profile[PATH_MAX];
	char *args[] = { "--", (char *)sbx_test_helper("steal_fd"), NULL };

	snprintf(profile, sizeof(profile), "%s/tests/sandbox/data/run/%s.yaml", sbx_src(),
		 profile_name);
	return sbx_run_profile(profile, args, NULL, r);
}

/* The control: a child of an ordinary (dumpable) parent of the same uid can take its fds. */
static void control(struct __test_metadata *_metadata)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_test_helper("steal_fd"), NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	if (r.status == 12)
		SKIP(return, "no pidfd_open on this kernel: %.100s", r.out);
	if (r.status == 10)
		SKIP(return,
			   "pidfd_getfd of the parent is refused unconfined (Yama ptrace_scope?): "
			   "%.100s",
			   r.out);
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
}

TEST(debugger_entitled_program_cannot_take_the_listener)
{
	static struct sbx_cmd_result r;

	control(_metadata);
	if (_metadata->exit_code)
		return;
	/* cs.debugger lifts the seccomp rule: only sbx being non-dumpable stands in the way. */
	ASSERT_EQ(0, run("debugger-no-sandbox", &r));
	ASSERT_EQ(10, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_EQ(0, strncmp(r.out, "refused: EPERM", 14));
}

TEST(default_program_is_refused_pidfd_getfd)
{
	static struct sbx_cmd_result r;

	control(_metadata);
	if (_metadata->exit_code)
		return;
	/*
	 * A sandboxed program does not even get a pidfd for sbx: pidfd_open answers only for
	 * the sandbox's own processes (ESRCH, so steal_fd "could not try"); pidfd_getfd
	 * would be refused after it (needs cs.debugger).
	 */
	ASSERT_EQ(0, run("no-grants", &r));
	ASSERT_EQ(12, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_NE(NULL, strstr(r.err, "not one of the sandbox's processes"))
	{
		TH_LOG("%s", r.err);
	}
}

TEST_HARNESS_MAIN
