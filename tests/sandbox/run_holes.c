// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The design's invariant 5 on the running kernel: a feature the profile relies on that this
 * kernel lacks is enforced another way, or sbx run refuses (125, one sentence naming the
 * feature and --best-effort); --best-effort runs it and says what is open, --report shows
 * the row. Each case asserts the refusal where the kernel lacks the feature and the run
 * where it has it, so it proves something on every kernel the suite runs on (the host, and
 * the guests' Landlock ABI 2, 6 and 10) and fails on each if sbx gets it wrong.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "run_test.h"
#include "landlock/landlock.h"

FIXTURE(holes)
{
	struct sbx_cmd_result *r;
	int abi;
	char port[16];
};

FIXTURE_SETUP(holes)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	self->abi = landlock_abi_version();
	snprintf(self->port, sizeof(self->port), "%d", 20000 + getpid() % 20000);
	if (self->abi < 1)
		SKIP(return, "no Landlock on this kernel: every sandbox profile is refused");
}

FIXTURE_TEARDOWN(holes)
{
	free(self->r);
}

/* sbx run [extra] --profile PROFILE [--grant GRANT] -- run_probe status */
static int probe_status(FIXTURE_DATA(holes) * self, const char *extra, const char *profile,
			const char *grant)
{
	char *argv[12] = { (char *)sbx_bin(), "run", "--allow-root" };
	int n = 3;

	if (extra)
		argv[n++] = (char *)extra;
	argv[n++] = "--profile";
	argv[n++] = (char *)profile;
	if (grant) {
		argv[n++] = "--grant";
		argv[n++] = (char *)grant;
	}
	argv[n++] = "--";
	argv[n++] = probe();
	argv[n++] = "status";
	return sbx_run_capture(argv, self->r);
}

/* The refusal where the kernel lacks feature (below min_abi), the run where it has it. */
static void refused_below(struct __test_metadata *_metadata, FIXTURE_DATA(holes) * self,
			  const char *profile, const char *grant, const char *feature, int min_abi,
			  const char *open)
{
	char row[96], lacks[96];

	snprintf(row, sizeof(row), "DROPPED     %s ", feature);
	snprintf(lacks, sizeof(lacks), " lacks %s (", feature);
	ASSERT_EQ(0, probe_status(self, NULL, profile, grant));
	if (self->abi >= min_abi) {
		/* The kernel has it: the run goes on, nothing refused nor warned. */
		EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
		EXPECT_EQ(NULL, strstr(self->r->err, feature)) TH_LOG("%s", self->r->err);
		ASSERT_EQ(0, probe_status(self, "--report", profile, grant));
		EXPECT_EQ(0, self->r->status);
		snprintf(row, sizeof(row), "enforced    %s ", feature);
		EXPECT_NE(NULL, strstr(self->r->err, row)) TH_LOG("%s", self->r->err);
		return;
	}
	/* Refused: 125, the program never ran, one sentence naming it and --best-effort. */
	EXPECT_EQ(125, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("", self->r->out);
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, strncmp(self->r->err, "sbx run: refused: kernel ", 25))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, lacks)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "--best-effort runs it with that open\n"));
	/* --report shows the row before refusing. */
	ASSERT_EQ(0, probe_status(self, "--report", profile, grant));
	EXPECT_EQ(125, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, row)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, open)) TH_LOG("%s", self->r->err);
	/* --best-effort runs it and says, on every run, what is open. */
	ASSERT_EQ(0, probe_status(self, "--best-effort", profile, grant));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "NoNewPrivs:\t1"));
	snprintf(row, sizeof(row), "sbx: warning: not enforced on this kernel: %s (", feature);
	EXPECT_NE(NULL, strstr(self->r->err, row)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "left open (--best-effort)\n"));
}

/* A server without network.client: before ABI 4 nothing keeps its TCP connects. */
TEST_F(holes, server_refused_where_landlock_cannot_keep_its_connects)
{
	refused_below(_metadata, self, data_profile("network-server"), NULL, "landlock.net.tcp", 4,
		      "the profile relies on it: open: TCP connect to any host and port");
}

/*
 * A device granted without its ioctls: before ABI 5 Landlock keeps none of them, and the
 * seccomp allow-list's terminal, socket and file requests (TCSETS on a serial port) reach it.
 */
TEST_F(holes, device_grant_refused_where_landlock_cannot_keep_its_ioctls)
{
	struct stat st;

	if (lstat("/dev/ptmx", &st) || !S_ISCHR(st.st_mode))
		SKIP(return, "/dev/ptmx is not a character device here");
	refused_below(_metadata, self, "default", "/dev/ptmx:rw", "landlock.ioctl-dev", 5,
		      "the profile relies on it: open: the allow-listed ioctls");
}

/*
 * A client does not serve: Landlock keeps UDP ports from ABI 10 (TCP from 4), below that
 * seccomp refuses every bind, so the run is not refused and the program still cannot
 * serve; and listen(2) on a socket never bound, whose port no Landlock ABI checks, is
 * refused on every kernel.
 */
TEST_F(holes, client_cannot_serve_on_any_kernel)
{
	static const char *const acts[] = { "bind-udp", "bind-tcp", "listen-tcp" };
	char *client = data_profile("network-client");

	for (size_t i = 0; i < 3; i++) {
		ASSERT_EQ(0, SBX("--profile", client, "--", probe(), (char *)acts[i], self->port));
		EXPECT_EQ(3, self->r->status)
		TH_LOG("%s: %s%s", acts[i], self->r->out, self->r->err);
		EXPECT_NE(NULL, strstr(self->r->out, "refused: EACCES ("))
		TH_LOG("%s", self->r->out);
		/* The control: with network.server the program binds the same port. */
		ASSERT_EQ(0, SBX("--profile", client, "--allow", "network.server", "--", probe(),
				 (char *)acts[i], self->port));
		EXPECT_EQ(0, self->r->status)
		TH_LOG("%s: %s%s", acts[i], self->r->out, self->r->err);
		EXPECT_NE(NULL, strstr(self->r->out, "bound: "));
	}
	ASSERT_EQ(0, SBX("--report", "--profile", client, "--", probe(), "status"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	if (self->abi >= 10) {
		EXPECT_NE(NULL, strstr(self->r->err, "enforced    landlock.net.udp "))
		TH_LOG("%s", self->r->err);
		return;
	}
	EXPECT_NE(NULL, strstr(self->r->err, "DROPPED     landlock.net.udp      UDP bind"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "covered: the supervisor refuses bind(2)"));
}

TEST_HARNESS_MAIN
