// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memfds under the default sandbox: Landlock does not govern exec of a memfd through
 * /proc/self/fd, so sbx run hands the program memfds it created with MFD_NOEXEC_SEAL
 * (6.3) in place of the ones asked for. The program keeps a working memfd (flags as it
 * asked) that can never be made executable; before 6.3 the call is refused and explained.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "uapi_compat.h"

static bool kernel_has_noexec_seal(void)
{
	int fd = memfd_create("probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int run_confined(const char *mode, struct sbx_cmd_result *r)
{
	char profile[PATH_MAX];
	char *args[] = { "--", (char *)sbx_test_helper("memfd_user"), (char *)mode, NULL };

	snprintf(profile, sizeof(profile), "%s/tests/escape/data/app-sandbox.yaml", sbx_src());
	return sbx_run_profile(profile, args, NULL, r);
}

/* The control: unconfined, the same memfd is unsealed and runs. */
TEST(unconfined_memfd_runs)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_test_helper("memfd_user"), "cloexec", NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_STREQ("memfd=ok sealed=no cloexec=yes chmod=allowed exec=ran\n", r.out);
}

TEST(confined_memfd_works_and_never_runs)
{
	static struct sbx_cmd_result r;

	ASSERT_EQ(0, run_confined("cloexec", &r));
	if (!kernel_has_noexec_seal()) {
		/* Before 6.3 there is no seal to add: refused, and the refusal explained. */
		ASSERT_EQ(1, r.status);
		ASSERT_STREQ("memfd=refused(EACCES)\n", r.out);
		ASSERT_NE(NULL, strstr(r.err, "needs cs.allow-unsigned-executable-memory"));
		return;
	}
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_STREQ("memfd=ok sealed=yes cloexec=yes chmod=refused exec=refused\n", r.out);
	/* Carried out for the program, not a denial: nothing to explain. */
	ASSERT_EQ(NULL, strstr(r.err, "memfd_create"));
}

TEST(confined_memfd_keeps_the_callers_flags)
{
	static struct sbx_cmd_result r;

	if (!kernel_has_noexec_seal())
		SKIP(return, "kernel before 6.3: no MFD_NOEXEC_SEAL, memfds are refused");
	ASSERT_EQ(0, run_confined("plain", &r));
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_STREQ("memfd=ok sealed=yes cloexec=no chmod=refused exec=refused\n", r.out);
}

/* A memfd the supervisor cannot install (no free descriptor) is answered, not left hanging. */
TEST(confined_memfd_without_a_free_descriptor_fails_with_emfile)
{
	static struct sbx_cmd_result r;
	char *argv[] = { (char *)sbx_test_helper("memfd_user"), "nofds", NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
	ASSERT_STREQ("memfd=EMFILE\n", r.out); /* the control */
	if (!kernel_has_noexec_seal())
		SKIP(return, "kernel before 6.3: no MFD_NOEXEC_SEAL, memfds are refused");
	ASSERT_EQ(0, run_confined("nofds", &r));
	ASSERT_EQ(0, r.status)
	{
		TH_LOG("%s%s", r.out, r.err);
	}
	ASSERT_STREQ("memfd=EMFILE\n", r.out);
}

TEST_HARNESS_MAIN
