// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `sbx profile` as an author uses it: lint's exit statuses (0 clean, 1 warnings with
 * --strict, 2 errors), every `new` template loading and linting clean, explain in words
 * and JSON, import, and the shipped profiles linting clean.
 */
#include <glob.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#include "profile/profile.h"

static struct sbx_cmd_result r;

static int sbx(char *a1, char *a2, char *a3, char *a4, char *a5)
{
	char *argv[] = { (char *)sbx_bin(), "profile", a1, a2, a3, a4, a5, NULL };

	if (sbx_run_capture(argv, &r))
		return -1;
	return r.status;
}

static void data(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/tests/unit/data/profile/%s", sbx_src(), rel);
}

TEST(lint_exit_statuses)
{
	char clean[PATH_MAX], warn[PATH_MAX], bad[PATH_MAX];

	data(clean, sizeof(clean), "valid/cli_tool.yaml");
	data(warn, sizeof(warn), "valid/apple_only.yaml");
	data(bad, sizeof(bad), "invalid/unknown_key.yaml");
	EXPECT_EQ(0, sbx("lint", clean, NULL, NULL, NULL)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "org.example.cli-tool, exposure 0.3/10 OK"));
	EXPECT_EQ(0, sbx("lint", "--strict", clean, NULL, NULL));
	EXPECT_EQ(0, sbx("lint", warn, NULL, NULL, NULL)) TH_LOG("warnings alone pass");
	EXPECT_NE(NULL, strstr(r.out, "apple_only.yaml:5:3: warning: "
				      "'personal-information.location' has no Linux meaning"));
	EXPECT_EQ(1, sbx("lint", "--strict", warn, NULL, NULL));
	EXPECT_EQ(2, sbx("lint", "--strict", clean, bad, warn));
	EXPECT_NE(NULL, strstr(r.err, "unknown_key.yaml:4:3: unknown entitlement"));
	/* The good files are still reported when one is bad. */
	EXPECT_NE(NULL, strstr(r.out, "org.example.cli-tool"));
	EXPECT_EQ(2, sbx("lint", NULL, NULL, NULL, NULL));
	EXPECT_EQ(2, sbx("frobnicate", NULL, NULL, NULL, NULL));
	EXPECT_STREQ(
		"sbx profile: unknown subcommand 'frobnicate' (lint, explain, list, show, new, "
		"import, canonical)\n",
		r.err);
}

/* A profile written to a private directory, as an author's file would be. */
FIXTURE(authored)
{
	char dir[32];
	char path[64];
};

FIXTURE_SETUP(authored)
{
	strcpy(self->dir, "/tmp/sbx-lint.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(authored)
{
	unlink(self->path);
	rmdir(self->dir);
}

static void author(struct __test_metadata *_metadata, FIXTURE_DATA(authored) * self,
		   const char *name, const char *text)
{
	FILE *f;

	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir, name);
	f = fopen(self->path, "we");
	ASSERT_NE(NULL, f);
	fputs(text, f);
	fclose(f);
}

TEST_F(authored, lint_warns_about_broad_grants)
{
	author(_metadata, self, "broad.yaml",
	       "identifier: org.example.broad\nentitlements:\n  app-sandbox: true\n"
	       "  temporary-exception.files.home-relative-path.read-write: [/]\n"
	       "  cs.disable-executable-page-protection: true\n");
	EXPECT_EQ(1, sbx("lint", "--strict", self->path, NULL, NULL));
	EXPECT_NE(NULL, strstr(r.out, "broad.yaml:4:3: warning: "
				      "temporary-exception.files.home-relative-path.read-write: "
				      "writes $HOME/"));
	EXPECT_NE(NULL, strstr(r.out, "broad.yaml:5:3: warning: "
				      "cs.disable-executable-page-protection"));
	EXPECT_NE(NULL, strstr(r.out, "exposure 4.5/10 MEDIUM"));
}

TEST_F(authored, lint_warns_about_redundant_keys)
{
	author(_metadata, self, "twice.yaml",
	       "identifier: org.example.twice\nentitlements:\n  app-sandbox: true\n"
	       "  files.downloads.read-write: true\n  files.downloads.read-only: true\n");
	EXPECT_EQ(0, sbx("lint", self->path, NULL, NULL, NULL));
	EXPECT_EQ(1, sbx("lint", "--strict", self->path, NULL, NULL));
	EXPECT_NE(NULL,
		  strstr(r.out, "twice.yaml:5:3: warning: files.downloads.read-only is "
				"redundant: files.downloads.read-write grants reading too\n"));
}

TEST(new_templates_load_and_lint_clean)
{
	static const char *const names[] = { "cli-tool", "network-client", "gui-app", "service" };
	char dir[] = "/tmp/sbx-new.XXXXXX", path[64];

	ASSERT_NE(NULL, mkdtemp(dir));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sbx_diag d = { 0 };
		struct sbx_profile *p = NULL;
		FILE *f;

		ASSERT_EQ(0, sbx("new", "--template", (char *)names[i], "org.example.app", NULL))
		TH_LOG("%s: %s", names[i], r.err);
		EXPECT_EQ(0, strncmp(r.out, "# sbx entitlement profile", 25));
		ASSERT_EQ(0, sbx_profile_load_buffer(names[i], r.out, strlen(r.out), &p, &d))
		TH_LOG("%s: %s", names[i], d.msg);
		EXPECT_STREQ("org.example.app", sbx_profile_identifier(p));
		EXPECT_TRUE(sbx_profile_entitled(p, "app-sandbox"));
		sbx_profile_free(p);
		snprintf(path, sizeof(path), "%s/new.yaml", dir);
		f = fopen(path, "we");
		ASSERT_NE(NULL, f);
		fputs(r.out, f);
		fclose(f);
		EXPECT_EQ(0, sbx("lint", "--strict", path, NULL, NULL)) TH_LOG("%s", r.out);
		unlink(path);
	}
	rmdir(dir);
	EXPECT_EQ(0, sbx("new", "org.example.default", NULL, NULL, NULL));
	EXPECT_EQ(2, sbx("new", "--template", "daemon", "org.example.x", NULL));
	EXPECT_STREQ("sbx profile: unknown template 'daemon' (cli-tool, network-client, gui-app, "
		     "service)\n",
		     r.err);
	EXPECT_EQ(2, sbx("new", "not an identifier", NULL, NULL, NULL));
	EXPECT_NE(NULL, strstr(r.err, "is not reverse-DNS"));
	EXPECT_STREQ("", r.out) TH_LOG("nothing printed for a bad identifier");
}

TEST(explain_text_and_json)
{
	char path[PATH_MAX];

	data(path, sizeof(path), "valid/network_client.yaml");
	ASSERT_EQ(0, sbx("explain", path, "--program", "/bin/sh", NULL)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "profile org.example.fetch for /"));
	EXPECT_NE(NULL,
		  strstr(r.out, "  @debug (5 calls): refused (EPERM), cs.debugger lifts it: "
				"debug other processes: ptrace, their memory and descriptors\n"));
	EXPECT_NE(NULL, strstr(r.out, "denied: bind_tcp, bind_udp"));
	/* What each kernel feature's absence costs this plan, as sbx run decides it. */
	EXPECT_NE(NULL, strstr(r.out, "\non a kernel without (hole: sbx run refuses unless "
				      "--best-effort):\n  landlock               hole: "));
	EXPECT_NE(NULL, strstr(r.out, "\n  landlock.net.tcp       covered: the supervisor "
				      "refuses bind(2) of a port, network.server lifts it\n"));
	ASSERT_EQ(0, sbx("explain", "--json", path, NULL, NULL));
	EXPECT_EQ('{', r.out[0]);
	EXPECT_NE(NULL, strstr(r.out, "\"identifier\": \"org.example.fetch\""));
	EXPECT_NE(NULL, strstr(r.out, "\"program\": null"));
	EXPECT_NE(NULL, strstr(r.out, "\"entitlement\": \"network.client\""));
	EXPECT_EQ(2, sbx("explain", path, "--program", "/nonexistent/prog", NULL));
	EXPECT_STREQ("sbx profile: --program /nonexistent/prog: No such file or directory\n",
		     r.err);
	EXPECT_EQ(2, sbx("explain", NULL, NULL, NULL, NULL));
}

TEST(explain_with_grants)
{
	char path[PATH_MAX], jq[PATH_MAX], grant[PATH_MAX + 4];

	data(path, sizeof(path), "valid/cli_tool.yaml");
	data(jq, sizeof(jq), "valid/network_client.yaml");
	snprintf(grant, sizeof(grant), "%s:rw", sbx_src());
	ASSERT_EQ(0, sbx("explain", path, "--grant", grant, NULL)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "read, write, create, delete, rename  "
				      "[files.user-selected.read-write, ABI 3]"));
	/* network_client.yaml has files.user-selected.read-only only. */
	EXPECT_EQ(2, sbx("explain", jq, "--grant", grant, NULL));
	EXPECT_NE(NULL, strstr(r.err, ":rw needs files.user-selected.read-write (--allow "
				      "files.user-selected.read-write adds it)\n"));
	EXPECT_EQ(2, sbx("explain", path, "--grant", "/nonexistent/x:rw", NULL));
	EXPECT_STREQ("sbx profile: --grant /nonexistent/x: no such file, and its directory does "
		     "not exist either: create the directory first\n",
		     r.err);
}

/*
 * A read-write grant of a file not there yet is the grant to create that file (explain
 * shows its rule and creates nothing); read-only needs the file, and says how to ask for
 * creation. The control: the same grant of an existing file.
 */
TEST(explain_grant_to_create)
{
	char path[PATH_MAX], dir[] = "/tmp/sbx-create.XXXXXX", file[PATH_MAX + 8],
			     grant[PATH_MAX + 16], want[3 * PATH_MAX];
	const char *rule;

	ASSERT_NE(NULL, mkdtemp(dir));
	data(path, sizeof(path), "valid/cli_tool.yaml");
	snprintf(file, sizeof(file), "%s/out.txt", dir);
	snprintf(grant, sizeof(grant), "%s:rw", file);
	ASSERT_EQ(0, sbx("explain", path, "--grant", grant, NULL)) TH_LOG("%s", r.err);
	rule = strstr(r.out, file);
	ASSERT_NE(NULL, rule) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(rule, "\n"), rule);
	EXPECT_NE(NULL, strstr(want, " read, write, create, delete, rename  "
				     "[files.user-selected.read-write"))
	TH_LOG("%s", want);
	EXPECT_NE(0, access(file, F_OK)) TH_LOG("explain created %s", file);
	snprintf(grant, sizeof(grant), "%s:ro", file);
	EXPECT_EQ(2, sbx("explain", path, "--grant", grant, NULL));
	snprintf(want, sizeof(want),
		 "sbx profile: --grant %s: no such file; a read-only or execute grant needs an "
		 "existing path (%s:rw creates it)\n",
		 file, file);
	EXPECT_STREQ(want, r.err);
	/* Control: the file exists, the read-only grant is taken. */
	close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	EXPECT_EQ(0, sbx("explain", path, "--grant", grant, NULL)) TH_LOG("%s", r.err);
	unlink(file);
	rmdir(dir);
}

TEST(import_prints_a_profile_that_loads)
{
	char path[PATH_MAX];
	struct sbx_diag d = { 0 };
	struct sbx_profile *a = NULL, *b = NULL;

	data(path, sizeof(path), "valid/app.entitlements");
	ASSERT_EQ(0, sbx("import", path, NULL, NULL, NULL)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "'com.apple.security.files.bookmarks.app-scope' has no "
				      "Linux meaning"));
	EXPECT_NE(NULL, strstr(r.out, "# warning: 'com.apple.security.files.bookmarks."));
	ASSERT_EQ(0, sbx_profile_load_buffer("import", r.out, strlen(r.out), &a, &d));
	ASSERT_EQ(0, sbx_profile_load_file(path, &b, &d));
	EXPECT_TRUE(sbx_profile_equal(a, b));
	sbx_profile_free(a);
	sbx_profile_free(b);
	ASSERT_EQ(0, sbx("import", "--identifier", "org.example.renamed", path, NULL));
	EXPECT_NE(NULL, strstr(r.out, "identifier: \"org.example.renamed\""));
	/* A bad identifier is refused before anything is printed, quotes and all. */
	EXPECT_EQ(2, sbx("import", "--identifier", "bad id", path, NULL));
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("sbx profile: --identifier 'bad id' is not reverse-DNS (e.g. "
		     "org.example.app)\n",
		     r.err);
	EXPECT_EQ(2, sbx("import", "--identifier", "org.example.x\" #", path, NULL));
	EXPECT_STREQ("", r.out);
}

TEST(shipped_profiles_lint_clean)
{
	char pattern[PATH_MAX];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/profiles/*.yaml", sbx_src());
	ASSERT_EQ(0, glob(pattern, 0, NULL, &g)) TH_LOG("no shipped profiles: %s", pattern);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		EXPECT_EQ(0, sbx("lint", "--strict", g.gl_pathv[i], NULL, NULL))
		TH_LOG("%s: %s%s", g.gl_pathv[i], r.out, r.err);
		EXPECT_EQ(0, sbx("explain", "--json", g.gl_pathv[i], NULL, NULL))
		TH_LOG("%s: %s", g.gl_pathv[i], r.err);
	}
	globfree(&g);
}

TEST_HARNESS_MAIN
