// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The escape suite's tier K pass (tests/escape/escape.c, SBX_ESCAPE_TIER=K), in a VM
 * kernel with BPF LSM: the real sbxd enforces tier K in scope `sandboxed` (the fixture:
 * sbxd_k.h) and trusts a signed copy of sbx as its launcher, so what that sbx runs is
 * tracked and held by the BPF hooks. The suite runs there as root and as uid 65534 (what a
 * user gets), each run its own nested KTAP; a case that fails in either fails this test.
 *
 * What sbxd must verify for a sandboxed probe: the probe (signed with the test PKI) and
 * what ld.so maps for it (ld.so and libc, listed in a platform trust cache the test PKI
 * signs; sbxd gives them verdicts at the probe's exec, userspace/daemon/libs.c).
 */
#include "sbxd_k.h"

#define LDSO "/lib64/ld-linux-x86-64.so.2"
#define USER 65534

/*
 * Run the escape suite with SBX_ESCAPE_TIER=K as uid (0: root), from a home of that uid's
 * own (sbx refuses a home another uid owns); its output into self->r.
 */
static int escape_pass(FIXTURE_DATA(sbxd_k) * self, const char *suite, uid_t uid)
{
	char as[128] = "", home[LEN + 32];

	fmt(home, sizeof(home), "%s/home%d", self->dir, (int)uid);
	if ((mkdir(home, 0700) && errno != EEXIST) || chown(home, uid, uid))
		return -errno;
	if (uid)
		fmt(as, sizeof(as),
		    "/usr/bin/setpriv --reuid=%d --regid=%d --clear-groups --inh-caps=-all "
		    "--bounding-set=-all",
		    (int)uid, (int)uid);
	return sbx_sh(self->r,
		      "cd '%s' && env -i PATH=\"$PATH\" HOME='%s' TMPDIR='%s' SBX_SRC='%s' "
		      "SBX_BIN='%s/sbx' SBX_ESCAPE_PROBE='%s/escape_probe' SBX_ESCAPE_TIER=K "
		      "SBX_RUN_DIR='%s' %s '%s' 2>&1",
		      home, home, home, sbx_src(), self->w, self->w, self->run, as, suite);
}

/* Nested KTAP: its results, and 0 when no case failed and the program exited cleanly. */
static int escape_results(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			  const char *who)
{
	int pass = 0, fail = 0, skip = 0, xfail = 0;

	for (char *line = strtok(self->r->out, "\n"); line; line = strtok(NULL, "\n")) {
		TH_LOG("%s: %s", who, line);
		if (!strncmp(line, "not ok ", 7))
			fail++;
		else if (strncmp(line, "ok ", 3))
			continue;
		else if (strstr(line, "# SKIP"))
			skip++;
		else if (strstr(line, "# XFAIL"))
			xfail++;
		else
			pass++;
	}
	TH_LOG("%s: %d passed, %d failed, %d skipped, %d known gaps (status %d)", who, pass, fail,
	       skip, xfail, self->r->status);
	EXPECT_EQ(0, xfail); /* under tier K nothing is a known gap */
	EXPECT_LT(0, pass);
	return fail || self->r->status;
}

/* Bounds, not timed assertions: two passes of sbx runs sbxd verifies, under TCG. */
TEST_F_TIMEOUT(sbxd_k, escape_suite_under_tier_k, 900)
{
	const char *build = getenv("SBX_BUILD") ?: "build";
	char suite[LEN + 64], probe[LEN + 64];

	if (access(LDSO, X_OK))
		SKIP(return, "no %s here: the probe's interpreter is another", LDSO);
	fmt(suite, sizeof(suite), "%s/tests/escape/escape", build);
	fmt(probe, sizeof(probe), "%s/tests/escape/bin/escape_probe", build);
	ASSERT_EQ(0, access(suite, X_OK)) TH_LOG("%s: %s", suite, strerror(errno));
	ASSERT_EQ(0, access(probe, X_OK)) TH_LOG("%s: %s", probe, strerror(errno));
	/* The user walks in to its home, the signed sbx and probe, sbxd's state. */
	ASSERT_EQ(0, chmod(self->dir, 0711));
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "set -e; W='%s'; cp '%s' \"$W/sbx\"; cp '%s' \"$W/escape_probe\"; "
			 "'%s' sign %s --identifier com.example.escape \"$W/sbx\" "
			 "\"$W/escape_probe\" >/dev/null; mkdir \"$W/tc\"; "
			 "cp '%s' $('%s' --list \"$W/escape_probe\" | awk '$3 ~ /^\\// { print $3 "
			 "}') "
			 "\"$W/tc/\"; '%s' trust cache build %s -o '%s/platform.sbxtc' \"$W/tc\" "
			 ">/dev/null; '%s' trust --trust '%s' --platform add '%s/root.pem' "
			 ">/dev/null; "
			 "rm -r \"$W/tc\"",
			 self->w, sbx_bin(), probe, sbx_bin(), leaf(), LDSO, LDSO, sbx_bin(),
			 leaf(), self->trust, sbx_bin(), self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* Asked for tier K without sbxd, the suite fails: it checks, it does not trust. */
	ASSERT_EQ(0, escape_pass(self, suite, 0));
	EXPECT_NE(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "asked for tier K")) TH_LOG("%s", self->r->out);

	snprintf(self->launcher, sizeof(self->launcher), "%s/sbx", self->w);
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "chmod 0755 '%s'", self->run));
	ASSERT_EQ(0, escape_pass(self, suite, 0));
	EXPECT_EQ(0, escape_results(_metadata, self, "root"));
	ASSERT_EQ(0, escape_pass(self, suite, USER));
	EXPECT_EQ(0, escape_results(_metadata, self, "uid 65534"));
	/* What the allow-list lets through: a sandbox reads its own processes' /proc. */
	ASSERT_EQ(0, sbx_sh(self->r,
			    "cd '%s/home0' && HOME='%s/home0' '%s/sbx' run --allow-root --profile "
			    "'%s/tests/escape/data/app-sandbox.yaml' -- '%s/escape_probe' "
			    "proc_own_tree",
			    self->dir, self->dir, self->w, sbx_src(), self->w));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "escape-probe: escaped")) TH_LOG("%s", self->r->out);
	/* The new hook's refusals reach sbx log through the ring buffer. */
	ASSERT_EQ(0, sbx_sh(self->r, "grep '\"hook\":\"proc\"' '%s/events.jsonl'", self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("no proc event in %s/events.jsonl", self->run);
	TH_LOG("%s", self->r->out);
}

TEST_HARNESS_MAIN
