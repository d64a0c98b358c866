// SPDX-License-Identifier: GPL-2.0-or-later
/* A suite with known outcomes, run by tests/unit/harness.c to check the harness itself. */
#include "kselftest_harness.h"

TEST(passes)
{
	ASSERT_EQ(1, 1);
	EXPECT_STREQ("a", "a");
}

TEST(assert_stops_the_test)
{
	ASSERT_EQ(1, 2)
	{
		TH_LOG("handler ran");
	}
	TH_LOG("after a failed assert: must not print");
}

TEST(expect_goes_on)
{
	EXPECT_EQ(1, 2);
	TH_LOG("after a failed expect: printed");
}

TEST(skips)
{
	SKIP(return, "because %s", "reasons");
	TH_LOG("after skip: must not print");
}

TEST(known_gap)
{
	XFAIL(return, "tier %c closes it", 'K');
	TH_LOG("after xfail: must not print");
}

TEST_SIGNAL(dies_by_signal, SIGABRT)
{
	abort();
}

TEST(crashes)
{
	raise(SIGSEGV);
}

FIXTURE(fx)
{
	int value;
};

FIXTURE_VARIANT(fx)
{
	int want;
};

FIXTURE_VARIANT_ADD(fx, one){
	.want = 1,
};

FIXTURE_VARIANT_ADD(fx, two){
	.want = 2,
};

FIXTURE_SETUP(fx)
{
	self->value = 1;
}

FIXTURE_TEARDOWN(fx)
{
	TH_LOG("teardown want=%d", variant->want);
}

TEST_F(fx, matches)
{
	ASSERT_EQ(variant->want, self->value);
}

FIXTURE(slow)
{
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, times_out, 1)
{
	pause();
}

TEST_HARNESS_MAIN
