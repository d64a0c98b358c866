// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `sbx run --timings`: every launch phase is printed on stderr, once, in the order a launch
 * runs them, each a non-negative number of milliseconds, then the total; the program's own
 * output and exit status are untouched. No assertion on how long anything takes.
 */
#include "kselftest_harness.h"
#include "sbx_test.h"
#include "run_test.h"

static const char *const phases[] = {
	"start-up",   "profile lookup", "signature check",    "profile load",	  "kernel probe",
	"compile",    "fit to kernel",	"container",	      "landlock ruleset", "seccomp filter",
	"supervisor", "spawn",		"process attributes", "landlock",	  "seccomp",
	"exec",	      "total",
};
#define N_PHASES (sizeof(phases) / sizeof(phases[0]))
#define PREFIX	 "sbx: timing: "

/*
 * Check the timing lines of err against phases[]: names in order, values >= 0. Returns
 * the number of timing lines, or -1 (with a log line) at the first one that is wrong.
 */
static int check_timings(struct __test_metadata *_metadata, const char *err)
{
	size_t n = 0;

	for (const char *line = err; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char buf[128], *num, *unit, *end;
		double ms;

		if (strncmp(line, PREFIX, strlen(PREFIX)))
			continue;
		/* "NAME  NUMBER ms": the name has spaces in it, the last two words do not. */
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(line + strlen(PREFIX), "\n"),
			 line + strlen(PREFIX));
		unit = strrchr(buf, ' ');
		if (!unit || strcmp(unit, " ms")) {
			TH_LOG("no unit in timing line: %s", buf);
			return -1;
		}
		*unit = '\0';
		num = strrchr(buf, ' ');
		if (!num) {
			TH_LOG("no number in timing line: %s", buf);
			return -1;
		}
		*num++ = '\0';
		ms = strtod(num, &end);
		for (char *t = num - 1; t > buf && t[-1] == ' '; t--)
			t[-1] = '\0';
		if (n >= N_PHASES || strcmp(buf, phases[n])) {
			TH_LOG("phase %zu is '%s', expected '%s'", n, buf,
			       n < N_PHASES ? phases[n] : "(none)");
			return -1;
		}
		if (*end || end == num || !(ms >= 0)) {
			TH_LOG("phase '%s': '%s' is not a non-negative number", buf, num);
			return -1;
		}
		n++;
	}
	return (int)n;
}

FIXTURE(timings)
{
	struct sbx_cmd_result *r;
	char profile[PATH_MAX];
};

FIXTURE_SETUP(timings)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	snprintf(self->profile, sizeof(self->profile), "%s/profiles/default.yaml", sbx_src());
}

FIXTURE_TEARDOWN(timings)
{
	free(self->r);
}

TEST_F(timings, every_phase_in_order_with_a_profile)
{
	ASSERT_EQ(0, SBX("--timings", "--profile", self->profile, "--", "/bin/true"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ((int)N_PHASES, check_timings(_metadata, self->r->err))
	TH_LOG("%s", self->r->err);
}

/* Without --profile the signature check runs: the same phases, in the same order. */
TEST_F(timings, every_phase_in_order_from_the_signature)
{
	ASSERT_EQ(0, SBX("--timings", "--", "/bin/true"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ((int)N_PHASES, check_timings(_metadata, self->r->err))
	TH_LOG("%s", self->r->err);
}

TEST_F(timings, program_output_and_status_untouched)
{
	ASSERT_EQ(0, SBX("--timings", "--profile", self->profile, "--", "/bin/sh", "-c",
			 "echo out; exit 3"));
	EXPECT_EQ(3, self->r->status);
	EXPECT_STREQ("out\n", self->r->out);
	EXPECT_EQ((int)N_PHASES, check_timings(_metadata, self->r->err))
	TH_LOG("%s", self->r->err);
}

TEST_F(timings, off_by_default)
{
	ASSERT_EQ(0, SBX("--profile", self->profile, "--", "/bin/true"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->err, PREFIX)) TH_LOG("%s", self->r->err);
}

TEST_HARNESS_MAIN
