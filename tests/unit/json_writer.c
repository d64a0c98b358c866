// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON writer's pure helpers, in memory: the one RFC 3339 formatter every time sbx
 * prints goes through, and the errno pair (number and name) of every JSON output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"

#include "json.h"

/*
 * Whatever the zone: the time is UTC, never local. The zone is set before the first call
 * and given as a POSIX rule (no tzdata needed), so a local time would show 05:30 more on
 * any host, a UTC one too.
 */
TEST(rfc3339_is_utc_with_z)
{
	char buf[SBX_RFC3339_LEN];

	setenv("TZ", "IST-5:30", 1);
	tzset();
	EXPECT_STREQ("1970-01-01T00:00:00Z", sbx_rfc3339(buf, sizeof(buf), 0, 0, 0));
	EXPECT_STREQ("2026-11-30T04:51:49Z", sbx_rfc3339(buf, sizeof(buf), 1796014309, 0, 0));
	unsetenv("TZ");
	tzset();
}

TEST(rfc3339_fractions_are_cut_not_rounded)
{
	char buf[SBX_RFC3339_LEN];

	EXPECT_STREQ("2026-11-30T04:51:49.999Z",
		     sbx_rfc3339(buf, sizeof(buf), 1796014309, 999999999, 3));
	EXPECT_STREQ("2026-11-30T04:51:49.000001Z",
		     sbx_rfc3339(buf, sizeof(buf), 1796014309, 1000, 6));
	EXPECT_STREQ("2026-11-30T04:51:49.123456789Z",
		     sbx_rfc3339(buf, sizeof(buf), 1796014309, 123456789, 12));
}

/* A time that does not fit is "?", never a shorter time, and nothing past len is written. */
TEST(rfc3339_short_buffer_is_a_question_mark)
{
	char buf[32];

	memset(buf, 'x', sizeof(buf));
	EXPECT_STREQ("?", sbx_rfc3339(buf, 24, 0, 0, 3));
	EXPECT_EQ('x', buf[24]);
	EXPECT_STREQ("1970-01-01T00:00:00.000Z", sbx_rfc3339(buf, 25, 0, 0, 3));
}

static char *errno_json(int e)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct sbx_json j;

	sbx_json_init(&j, f, false);
	sbx_json_object_begin(&j, NULL);
	sbx_json_errno(&j, "errno", e);
	sbx_json_object_end(&j);
	fclose(f);
	return out;
}

TEST(errno_is_number_and_name)
{
	char *s;

	s = errno_json(EACCES);
	EXPECT_STREQ("{\"errno\":13,\"errno_name\":\"EACCES\"}", s);
	free(s);
	s = errno_json(0); /* a killing rule: no errno */
	EXPECT_STREQ("{\"errno\":null,\"errno_name\":null}", s);
	free(s);
	s = errno_json(4000); /* a number libc cannot name */
	EXPECT_STREQ("{\"errno\":4000,\"errno_name\":null}", s);
	free(s);
}

TEST_HARNESS_MAIN
