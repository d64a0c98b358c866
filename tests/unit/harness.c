// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The harness itself: a sample suite with known outcomes (bin/harness_sample.c) must be
 * reported exactly — failures as failures, a crash or a timeout never as a pass, SKIP
 * and XFAIL with their reasons, an XFAIL counted apart, teardown after a failed assert, variants
 * named fixture.variant.test.
 */
#include "kselftest_harness.h"
#include "sbx_test.h"

static const char *sample(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 20);

	if (n < 0)
		return "harness_sample";
	path[n] = '\0';
	strcpy(strrchr(path, '/'), "/bin/harness_sample");
	return path;
}

static struct sbx_cmd_result r;

FIXTURE(sample)
{
	int unused;
};

FIXTURE_SETUP(sample)
{
	char *argv[] = { (char *)sample(), NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &r));
}

FIXTURE_TEARDOWN(sample)
{
}

TEST_F(sample, plan_and_exit_status)
{
	ASSERT_EQ(0, strncmp(r.out, "TAP version 13\n1..10\n", 21));
	ASSERT_EQ(1, r.status); /* KSFT_FAIL: some tests failed */
	ASSERT_NE(NULL, strstr(r.out, "# Totals: pass:3 fail:5 xfail:1 xpass:0 skip:1 error:0"));
}

TEST_F(sample, results)
{
	static const char *const want[] = {
		"ok 1 global.passes\n",
		"not ok 2 global.assert_stops_the_test\n",
		"not ok 3 global.expect_goes_on\n",
		"ok 4 global.skips # SKIP because reasons\n",
		"ok 5 global.known_gap # XFAIL tier K closes it\n",
		"ok 6 global.dies_by_signal\n",
		"not ok 7 global.crashes\n",
		"ok 8 fx.one.matches\n",
		"not ok 9 fx.two.matches\n",
		"not ok 10 slow.times_out\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT_NE(NULL, strstr(r.out, want[i]))
		{
			TH_LOG("missing: %s", want[i]);
		}
	}
}

TEST_F(sample, assert_handler_and_teardown)
{
	ASSERT_NE(NULL, strstr(r.err, "handler ran"));
	ASSERT_EQ(NULL, strstr(r.err, "must not print"));
	ASSERT_EQ(NULL, strstr(r.err, "after xfail"));
	ASSERT_NE(NULL, strstr(r.err, "after a failed expect: printed"));
	/* The failed assert in fx.two still ran the teardown. */
	ASSERT_NE(NULL, strstr(r.err, "teardown want=2"));
	ASSERT_NE(NULL, strstr(r.out, "test timed out after 1 seconds"));
}

TEST(filter_by_full_name)
{
	static struct sbx_cmd_result f;
	char *argv[] = { (char *)sample(), "-r", "fx.one.matches", NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &f));
	ASSERT_EQ(0, f.status);
	ASSERT_EQ(0, strncmp(f.out, "TAP version 13\n1..1\n", 20));
	ASSERT_NE(NULL, strstr(f.out, "ok 1 fx.one.matches\n"));
}

TEST(list)
{
	static struct sbx_cmd_result f;
	char *argv[] = { (char *)sample(), "-l", NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, &f));
	ASSERT_EQ(0, f.status);
	ASSERT_NE(NULL, strstr(f.out, "global.passes\nglobal.assert_stops_the_test\n"));
	ASSERT_EQ(NULL, strstr(f.out, "TAP version"));
}

TEST_HARNESS_MAIN
