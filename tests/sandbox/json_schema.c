// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every JSON output of sbx against its schema in schemas/ (JSON Schema draft 2020-12):
 * the real commands run, their output goes to a file, and Debian's validator
 * (python3-jsonschema's jsonschema command) checks each document, or each line of a log.
 * Each schema also has a case that must fail: a real output broken the way the schema
 * exists to catch (a time without its zone, an errno as a word), so a schema that stopped
 * checking would be seen. sbxd's events (sbx log --json) are checked in sbxd_json.c.
 */
#include "json_schema.h"
#include "sbx_pki.h"

SBX_TEST_PKI(true);

FIXTURE(json)
{
	char dir[PATH_MAX];
	char out[PATH_MAX + 16];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(json)
{
	static struct sbx_cmd_result r;

	SBX_NEED_COMMANDS("jsonschema");
	self->r = &r;
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->out, sizeof(self->out), "%s/out.json", self->dir);
}

FIXTURE_TEARDOWN(json)
{
	sbx_rmtree(self->dir);
}

TEST_F(json, status)
{
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' status --json > '%s'", sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "status", self->out);
	/* A boolean as a word is what the schema refuses. */
	EXPECT_INVALID(self, "status", self->out,
		       "s/\"btf\": \\(true\\|false\\)/\"btf\": \"yes\"/");
}

TEST_F(json, profile_explain)
{
	ASSERT_EQ(0,
		  sbx_sh(self->r, "'%s' profile explain --json curl > '%s'", sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "profile-explain", self->out);
	/* errno by name alone, as explain printed it before: no number for a tool. */
	EXPECT_INVALID(self, "profile-explain", self->out,
		       "s/\"errno\": [0-9]*,/\"errno\": \"EPERM\",/");
}

TEST_F(json, profile_list)
{
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' profile list --json > '%s'", sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "profile-list", self->out);
	EXPECT_INVALID(self, "profile-list", self->out, "s/\"wins\": true/\"wins\": 1/");
}

TEST_F(json, container_list)
{
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "export HOME='%s' XDG_DATA_HOME=; '%s' run --allow-root -- /bin/true && "
			 "'%s' container list --json > '%s'",
			 self->dir, sbx_bin(), sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "container-list", self->out);
	EXPECT_INVALID(self, "container-list", self->out,
		       "s/\"in_use\": false/\"in_use\": \"no\"/");
}

/* A signed copy of /bin/true, and a trust store with the test PKI's root. */
static void signed_true(struct __test_metadata *_metadata, FIXTURE_DATA(json) * self)
{
	SBX_NEED_PKI();
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "cd '%s' && mkdir trust && cp '%s/root.pem' trust/ && cp /bin/true . && "
			 "'%s' sign --key '%s/leaf.key' --cert '%s/leaf.pem' --chain "
			 "'%s/chain.pem' --profile curl true",
			 self->dir, sbx_pki, sbx_bin(), sbx_pki, sbx_pki, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

TEST_F(json, display)
{
	signed_true(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' display --json '%s/true' > '%s'", sbx_bin(), self->dir,
			    self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "display", self->out);
	/* The entitlements are JSON values, not the signed YAML as one string. */
	EXPECT_EQ(0, sbx_sh(self->r, "grep -q '^    \"network.client\": true,*$' '%s'", self->out));
	EXPECT_EQ(0, self->r->status);
	/* The time sbx display printed before: no "T", no zone. */
	EXPECT_INVALID(self, "display", self->out,
		       "s/\"signing_time\": \"\\(.*\\)T\\(.*\\)Z\"/\"signing_time\": \"\\1 \\2\"/");
	EXPECT_INVALID(self, "display", self->out,
		       "s/\"network.client\": true/\"network.client\": 1/");
}

TEST_F(json, verify)
{
	signed_true(_metadata, self);
	ASSERT_EQ(0,
		  sbx_sh(self->r, "cd '%s' && '%s' verify --json --trust trust true /bin/sh > '%s'",
			 self->dir, sbx_bin(), self->out));
	EXPECT_VALID(self, "verify", self->out);
	EXPECT_INVALID(self, "verify", self->out, "s/\"platform\": false/\"platform\": 0/");
}

TEST_F(json, trust_list)
{
	signed_true(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "cd '%s' && '%s' trust --trust trust list --json > '%s'",
			    self->dir, sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID(self, "trust-list", self->out);
	/* A certificate's end as "2036-11-27 04:53:43 UTC", as sbx printed it before. */
	EXPECT_INVALID(self, "trust-list", self->out,
		       "s/\"not_after\": \"\\(.*\\)T\\(.*\\)Z\"/\"not_after\": \"\\1 \\2 UTC\"/");
}

/*
 * sbx run --log-json PATH: the enforcement record, a file denial and a system call denial
 * (cat of a file outside the grants, then a socket), and the exit record, last.
 */
TEST_F(json, run_log)
{
	const char *probe = sbx_test_helper("run_probe");

	ASSERT_EQ(0, sbx_sh(self->r, "echo secret > '%s/secret' && chmod 644 '%s/secret'",
			    self->dir, self->dir));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' run --allow-root --quiet --log-json '%s' -- cat '%s/secret'; "
			    "'%s' run --allow-root --quiet --log-json '%s' -- '%s' socket-inet",
			    sbx_bin(), self->out, self->dir, sbx_bin(), self->out, probe));
	EXPECT_VALID_LINES(self, "run-log", self->out);
	/* Each kind of record is there, in order: each run's exit is its last. */
	ASSERT_EQ(
		0,
		sbx_sh(self->r,
		       "sed 's/^{\"type\":\"\\([a-z]*\\)\",.*\"\\(path\\|syscall\\)\".*/\\1 \\2/; "
		       "s/^{\"type\":\"\\([a-z]*\\)\".*/\\1/' '%s' | tr '\\n' ' '",
		       self->out));
	EXPECT_STREQ("enforcement denial path exit enforcement denial syscall exit ", self->r->out);
	EXPECT_INVALID_LINES(self, "run-log", self->out,
			     "s/\"time\":\"\\([^\"]*\\)Z\"/\"time\":\"\\1\"/");
	EXPECT_INVALID_LINES(self, "run-log", self->out,
			     "s/\"errno_name\":\"EACCES\"/\"errno_name\":\"Permission denied\"/");
}

/* --log-json FD: the same records on a descriptor. */
TEST_F(json, run_log_fd)
{
	ASSERT_EQ(0,
		  sbx_sh(self->r, "'%s' run --allow-root --quiet --log-json 3 -- /bin/true 3> '%s'",
			 sbx_bin(), self->out));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID_LINES(self, "run-log", self->out);
	ASSERT_EQ(0, sbx_sh(self->r, "tail -n 1 '%s'", self->out));
	EXPECT_EQ(0, strncmp(self->r->out, "{\"type\":\"exit\",\"time\":\"", 23))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "\",\"status\":0,\"ran\":true}\n"))
	TH_LOG("%s", self->r->out);
}

/*
 * A run refused before its launch (no such program; as root, no --allow-root) still ends
 * its log with the exit record: status, and that the program did not run.
 */
TEST_F(json, run_log_refused_before_the_launch)
{
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' run --allow-root --log-json '%s' -- /nonexistent/x",
			    sbx_bin(), self->out));
	EXPECT_EQ(127, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_VALID_LINES(self, "run-log", self->out);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s'", self->out));
	EXPECT_EQ(0, strncmp(self->r->out, "{\"type\":\"exit\",\"time\":\"", 23))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "\",\"status\":127,\"ran\":false}\n"))
	TH_LOG("%s", self->r->out);
	if (geteuid() != 0)
		return;
	ASSERT_EQ(0, sbx_sh(self->r, "rm '%s' && '%s' run --log-json '%s' -- /bin/true", self->out,
			    sbx_bin(), self->out));
	EXPECT_EQ(125, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s'", self->out));
	EXPECT_NE(NULL, strstr(self->r->out, "\",\"status\":125,\"ran\":false}\n"))
	TH_LOG("%s", self->r->out);
}

TEST_HARNESS_MAIN
