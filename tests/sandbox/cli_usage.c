// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One command line (issue 12, item 8): --help on every command and subcommand (stdout,
 * status 0), `sbx help COMMAND [SUBCOMMAND]` printing the same, usage errors as one line on
 * stderr with the documented status (sbx run 125, every other command 2); `sbx profile
 * import --ignore-unknown` (item 8) and `sbx profile explain --allow KEY` (item 5).
 */
#include "kselftest_harness.h"
#include "sbx_test.h"

FIXTURE(cli)
{
	char dir[PATH_MAX];
	struct sbx_cmd_result *r, *r2;
};

FIXTURE_SETUP(cli)
{
	self->r = malloc(sizeof(*self->r));
	self->r2 = malloc(sizeof(*self->r2));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, self->r2);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(cli)
{
	sbx_rmtree(self->dir);
	free(self->r);
	free(self->r2);
}

#define SBX_INTO(res, ...)                                                 \
	({                                                                 \
		char *__argv[] = { (char *)sbx_bin(), __VA_ARGS__, NULL }; \
		sbx_run_capture(__argv, res) ? -1 : (res)->status;         \
	})
#define SBX(...) SBX_INTO(self->r, __VA_ARGS__)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const char *const commands[] = { "status",  "run",   "profile", "sign",	   "verify",
					"display", "trust", "log",     "container" };
static const char *const container_verbs[] = { "list", "path", "rm" };
static const char *const profile_verbs[] = { "lint", "explain", "list",	    "show",
					     "new",  "import",	"canonical" };
static const char *const trust_verbs[] = { "add", "remove", "list", "revoke", "unrevoke" };

TEST_F(cli, help_on_every_command_and_subcommand)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char *cmd = (char *)commands[i];

		EXPECT_EQ(0, SBX(cmd, "--help")) TH_LOG("sbx %s --help: %s", cmd, self->r->err);
		EXPECT_EQ(0, strncmp(self->r->out, "usage: sbx ", 11)) TH_LOG("%s", cmd);
		EXPECT_STREQ("", self->r->err);
		/* sbx help COMMAND says the same. */
		EXPECT_EQ(0, SBX_INTO(self->r2, "help", cmd));
		EXPECT_STREQ(self->r->out, self->r2->out) TH_LOG("sbx help %s", cmd);
	}
	for (size_t i = 0; i < sizeof(container_verbs) / sizeof(container_verbs[0]); i++) {
		char *verb = (char *)container_verbs[i], want[64];

		EXPECT_EQ(0, SBX("container", verb, "--help")) TH_LOG("%s: %s", verb, self->r->err);
		snprintf(want, sizeof(want), "usage: sbx container %s ", verb);
		EXPECT_EQ(0, strncmp(self->r->out, want, strlen(want))) TH_LOG("%s", self->r->out);
		EXPECT_EQ(0, SBX_INTO(self->r2, "help", "container", verb));
		EXPECT_STREQ(self->r->out, self->r2->out) TH_LOG("sbx help container %s", verb);
	}
	for (size_t i = 0; i < sizeof(profile_verbs) / sizeof(profile_verbs[0]); i++) {
		char *verb = (char *)profile_verbs[i], want[64];

		EXPECT_EQ(0, SBX("profile", verb, "--help")) TH_LOG("%s: %s", verb, self->r->err);
		snprintf(want, sizeof(want), "usage: sbx profile %s ", verb);
		EXPECT_EQ(0, strncmp(self->r->out, want, strlen(want))) TH_LOG("%s", self->r->out);
		EXPECT_EQ(0, SBX_INTO(self->r2, "help", "profile", verb));
		EXPECT_STREQ(self->r->out, self->r2->out) TH_LOG("sbx help profile %s", verb);
	}
	for (size_t i = 0; i < sizeof(trust_verbs) / sizeof(trust_verbs[0]); i++) {
		char *verb = (char *)trust_verbs[i];

		/* --help wins over the arguments: nothing is added or revoked. */
		EXPECT_EQ(0, SBX("trust", "--trust", self->dir, verb, "--help"))
		TH_LOG("sbx trust %s --help: %s", verb, self->r->err);
		EXPECT_EQ(0, strncmp(self->r->out, "usage: sbx trust ", 17));
	}
	EXPECT_EQ(0, SBX("trust", "--trust", self->dir, "cache", "build", "--help"));
	EXPECT_EQ(0, SBX("help"));
	EXPECT_NE(NULL, strstr(self->r->out, "commands:"));
}

/* A usage error is one line on stderr, status 2 (sbx run: 125, like env(1)). */
TEST_F(cli, usage_errors_are_one_line)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char *cmd = (char *)commands[i];
		int want = strcmp(cmd, "run") ? 2 : 125;

		EXPECT_EQ(want, SBX(cmd, "--no-such-option")) TH_LOG("sbx %s", cmd);
		EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("sbx %s: %s", cmd, self->r->err);
		EXPECT_EQ(0, strncmp(self->r->err, "sbx ", 4)) TH_LOG("%s", self->r->err);
		EXPECT_NE(NULL, strstr(self->r->err, "--no-such-option"))
		TH_LOG("%s", self->r->err);
		EXPECT_STREQ("", self->r->out);
	}
	for (size_t i = 0; i < sizeof(profile_verbs) / sizeof(profile_verbs[0]); i++) {
		char *verb = (char *)profile_verbs[i];

		EXPECT_EQ(2, SBX("profile", verb, "--no-such-option")) TH_LOG("%s", verb);
		EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s: %s", verb, self->r->err);
	}
	/* An option without its argument is named as the one it is, by every command alike. */
	EXPECT_EQ(2, SBX("sign", "--key"));
	EXPECT_STREQ("sbx sign: unknown or incomplete option '--key' (see sbx sign --help)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("trust", "cache", "build", "--output"));
	EXPECT_STREQ("sbx trust: cache build: unknown or incomplete option '--output' (see sbx "
		     "trust cache build --help)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("profile", "list", "--bogus"));
	EXPECT_STREQ("sbx profile: list: unknown or incomplete option '--bogus' (see sbx profile "
		     "list --help)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("profile", "explain"));
	EXPECT_STREQ("sbx profile: explain takes one PROFILE (see sbx profile explain --help)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("profile"));
	EXPECT_EQ(1, count_lines(self->r->err));
	EXPECT_EQ(2, SBX("profile", "lint"));
	EXPECT_EQ(1, count_lines(self->r->err));
	EXPECT_EQ(2, SBX("help", "frobnicate"));
	EXPECT_STREQ("sbx help: unknown command 'frobnicate' (see sbx help)\n", self->r->err);
	EXPECT_EQ(2, SBX("frobnicate"));
	EXPECT_EQ(1, count_lines(self->r->err));
}

/* An Apple plist with one key sbx does not know still imports, the key named. */
TEST_F(cli, import_ignore_unknown)
{
	char plist[PATH_MAX + 32];
	FILE *f;

	snprintf(plist, sizeof(plist), "%s/app.entitlements", self->dir);
	f = fopen(plist, "we");
	ASSERT_NE(NULL, f);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	      "<plist version=\"1.0\">\n<dict>\n"
	      "\t<key>com.apple.security.app-sandbox</key>\n\t<true/>\n"
	      "\t<key>com.apple.security.network.client</key>\n\t<true/>\n"
	      "\t<key>com.apple.security.frobnicate.widgets</key>\n\t<true/>\n"
	      "</dict>\n</plist>\n",
	      f);
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(2, SBX("profile", "import", plist));
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "unknown entitlement "
					     "'com.apple.security.frobnicate.widgets'"));
	ASSERT_EQ(0, SBX("profile", "import", "--ignore-unknown", plist))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "warning: unknown entitlement "
					     "'com.apple.security.frobnicate.widgets'"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, ": ignored\n"));
	EXPECT_NE(NULL, strstr(self->r->out, "network.client: true")) TH_LOG("%s", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->out, "frobnicate: true"));
}

/* --allow KEY: the table's keys only, with "did you mean"; the plan gains the key's rules. */
TEST_F(cli, explain_allow)
{
	ASSERT_EQ(0, SBX("profile", "explain", "default"));
	EXPECT_EQ(NULL, strstr(self->r->out, "[network.client, ABI"));
	EXPECT_EQ(NULL, strstr(self->r->out, " allow_jit)"));
	ASSERT_EQ(0, SBX("profile", "explain", "default", "--allow", "network.client"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "[network.client, ABI")) TH_LOG("%s", self->r->out);
	/* The Apple prefix is optional, as in a profile. */
	ASSERT_EQ(0, SBX("profile", "explain", "default", "--allow",
			 "com.apple.security.cs.allow-jit"));
	EXPECT_NE(NULL, strstr(self->r->out, " allow_jit)")) TH_LOG("%s", self->r->out);
	EXPECT_EQ(2, SBX("profile", "explain", "default", "--allow", "network.clinet"));
	EXPECT_STREQ("sbx profile: --allow: unknown entitlement 'network.clinet' (did you mean "
		     "'network.client'?)\n",
		     self->r->err);
	EXPECT_EQ(2, SBX("profile", "explain", "default", "--allow",
			 "temporary-exception.files.absolute-path.read-only"));
	EXPECT_NE(NULL, strstr(self->r->err, "takes a list of paths")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(2,
		  SBX("profile", "explain", "default", "--allow", "personal-information.location"));
	EXPECT_NE(NULL, strstr(self->r->err, "has no Linux meaning")) TH_LOG("%s", self->r->err);
}

/* sbx trust remove takes the certificate file that was added, as well as its fingerprint. */
TEST_F(cli, trust_remove_takes_the_added_file)
{
	char cmd[4 * PATH_MAX], ca[PATH_MAX + 16], trust[PATH_MAX + 16];
	char *const sh[] = { "sh", "-c", cmd, NULL };

	if (access("/usr/bin/openssl", X_OK))
		SKIP(return, "the openssl command line is not installed: no test certificate");
	snprintf(ca, sizeof(ca), "%s/ca.pem", self->dir);
	snprintf(trust, sizeof(trust), "%s/trust", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-keyout '%s/ca.key' -out '%s' -days 2 -subj /CN=t "
		 "-addext basicConstraints=critical,CA:TRUE 2>&1",
		 self->dir, ca);
	ASSERT_EQ(0, sbx_run_capture(sh, self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, SBX("trust", "--trust", trust, "add", ca)) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, SBX("trust", "--trust", trust, "remove", ca)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, strncmp(self->r->out, "removed ", 8));
	EXPECT_EQ(2, SBX("trust", "--trust", trust, "remove", ca));
	EXPECT_EQ(1, count_lines(self->r->err)) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "no anchor '"));
}

TEST_HARNESS_MAIN
