// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Profile fixtures, minijail's pattern: every file in tests/unit/data/profile/invalid/
 * must fail to load with exactly the one line in its .expected sidecar (and `sbx profile
 * lint` must print that line and exit 2); every file in valid/ must load, read back equal
 * from its canonical bytes, and compile with fixed host facts to its .plan.json snapshot.
 * SBX_UPDATE_SNAPSHOTS=1 rewrites the sidecars and snapshots (review the diff).
 */
#include <dirent.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#include "compile/compile.h"
#include "profile/profile.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, 4096, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void spill(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "we");

	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

static bool updating(void)
{
	const char *u = getenv("SBX_UPDATE_SNAPSHOTS");

	return u && *u == '1';
}

static int is_fixture(const struct dirent *e)
{
	const char *dot = strrchr(e->d_name, '.');

	return e->d_type == DT_REG && dot &&
	       (!strcmp(dot, ".yaml") || !strcmp(dot, ".plist") || !strcmp(dot, ".entitlements"));
}

static void fixture_dir(char *out, size_t len, const char *which)
{
	snprintf(out, len, "%s/tests/unit/data/profile/%s", sbx_src(), which);
}

/* The facts every snapshot is compiled with: a made-up user on a made-up host. */
static const struct sbx_grant grants_ro[] = {
	{ .path = "/home/user/report.pdf", .write = false, .execute = false }
};
static const struct sbx_grant grants_rw[] = {
	{ .path = "/home/user/report.pdf", .write = false, .execute = false },
	{ .path = "/home/user/work", .write = true, .execute = false }
};

static struct sbx_host_facts fixed_facts(const struct sbx_profile *p)
{
	struct sbx_host_facts f = {
		.home = "/home/user",
		.xdg_data_home = "/home/user/.local/share",
		.xdg_download_dir = "/home/user/Downloads",
		.xdg_pictures_dir = "/home/user/Pictures",
		.xdg_music_dir = "/home/user/Music",
		.xdg_videos_dir = "/home/user/Videos",
		.xdg_runtime_dir = "/run/user/1000",
		.program = "/opt/example/bin/tool",
		.in_sandbox = true, /* inherit.yaml compiles only inside a sandbox */
	};

	if (sbx_profile_entitled(p, "files.user-selected.read-write")) {
		f.grants = grants_rw;
		f.n_grants = 2;
	} else if (sbx_profile_entitled(p, "files.user-selected.read-only")) {
		f.grants = grants_ro;
		f.n_grants = 1;
	}
	return f;
}

static char *plan_json(const struct sbx_plan *plan)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sbx_plan_write_json(plan, f);
	fclose(f);
	return buf;
}

static struct sbx_cmd_result cli;

TEST(invalid_fixtures_fail_with_their_message)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], cwd[PATH_MAX];
	struct dirent **ents;
	int n, failures = 0, checked = 0;

	fixture_dir(dir, sizeof(dir), "invalid");
	n = scandir(dir, &ents, is_fixture, alphasort);
	ASSERT_LT(0, n) TH_LOG("no fixtures in %s", dir);
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	/* Load by the bare name from inside the directory, so messages carry no prefix. */
	ASSERT_EQ(0, chdir(dir));
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct sbx_diag d = { 0 };
		struct sbx_profile *p = NULL;
		char got[1024], *want;
		int err = sbx_profile_load_file(name, &p, &d);

		checked++;
		if (!err) {
			TH_LOG("%s: loaded, but must fail", name);
			sbx_profile_free(p);
			failures++;
			continue;
		}
		sbx_diag_format(&d, got, sizeof(got));
		snprintf(path, sizeof(path), "%s.expected", name);
		if (updating()) {
			char line[1100];
			int len = snprintf(line, sizeof(line), "%s\n", got);

			spill(path, line, (size_t)len);
		}
		want = slurp(path, NULL);
		if (!want) {
			TH_LOG("%s: no %s (message: %s)", name, path, got);
			failures++;
			continue;
		}
		want[strcspn(want, "\n")] = '\0';
		if (strcmp(want, got)) {
			TH_LOG("%s:\n  want: %s\n  got:  %s", name, want, got);
			failures++;
		}
		/* The CLI: that same line, once, and exit status 2. */
		char *argv[] = { (char *)sbx_bin(), "profile", "lint", (char *)name, NULL };
		char line[1100];

		snprintf(line, sizeof(line), "sbx profile: %s\n", want);
		if (sbx_run_capture(argv, &cli) || cli.status != 2 || strcmp(cli.err, line)) {
			TH_LOG("%s: sbx profile lint exit %d, stderr '%s'", name, cli.status,
			       cli.err);
			failures++;
		}
		free(want);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	ASSERT_EQ(0, chdir(cwd));
	TH_LOG("%d invalid fixtures checked", checked);
	EXPECT_EQ(0, failures);
}

TEST(valid_fixtures_load_round_trip_and_match_snapshots)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent **ents;
	int n, failures = 0;

	fixture_dir(dir, sizeof(dir), "valid");
	n = scandir(dir, &ents, is_fixture, alphasort);
	ASSERT_LT(0, n);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct sbx_diag d = { 0 };
		struct sbx_profile *p = NULL, *q = NULL;
		struct sbx_plan *plan = NULL;
		struct sbx_host_facts facts;
		char *canon = NULL, *canon2 = NULL, *json = NULL, *want;
		size_t len, len2;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (sbx_profile_load_file(path, &p, &d)) {
			char msg[1024];

			TH_LOG("%s: %s", name, sbx_diag_format(&d, msg, sizeof(msg)));
			failures++;
			continue;
		}
		/* Canonical bytes read back to an equal profile, and are a fixed point. */
		if (sbx_profile_canonical(p, &canon, &len) ||
		    sbx_profile_load_buffer("canonical", canon, len, &q, &d) ||
		    !sbx_profile_equal(p, q) || sbx_profile_canonical(q, &canon2, &len2) ||
		    len != len2 || memcmp(canon, canon2, len)) {
			TH_LOG("%s: canonical form does not round-trip:\n%s", name,
			       canon ? canon : "(none)");
			failures++;
		}
		facts = fixed_facts(p);
		if (sbx_compile(p, &facts, &plan, &d)) {
			TH_LOG("%s: compile: %s", name, d.msg);
			failures++;
		} else {
			json = plan_json(plan);
			snprintf(path, sizeof(path), "%s/%s.plan.json", dir, name);
			if (updating())
				spill(path, json, strlen(json));
			want = slurp(path, NULL);
			if (!want || strcmp(want, json)) {
				TH_LOG("%s: plan differs from %s.plan.json:\n%s", name, name, json);
				failures++;
			}
			free(want);
		}
		free(json);
		sbx_plan_free(plan);
		free(canon);
		free(canon2);
		sbx_profile_free(q);
		sbx_profile_free(p);
		free(ents[i]);
	}
	free(ents);
	EXPECT_EQ(0, failures);
}

static char *compile_json(struct __test_metadata *_metadata, const char *name, const void *buf,
			  size_t len)
{
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	struct sbx_plan *plan = NULL;
	struct sbx_host_facts facts;
	char *json;

	ASSERT_EQ(0, sbx_profile_load_buffer(name, buf, len, &p, &d)) TH_LOG("%s", d.msg);
	facts = fixed_facts(p);
	ASSERT_EQ(0, sbx_compile(p, &facts, &plan, &d)) TH_LOG("%s", d.msg);
	json = plan_json(plan);
	sbx_plan_free(plan);
	sbx_profile_free(p);
	return json;
}

/* plist → YAML (canonical and `sbx profile import`) → plan equals plist → plan. */
TEST(plist_to_yaml_to_plan_equals_plist_to_plan)
{
	static const char *const plists[] = { "app.entitlements", "app_binary.entitlements" };
	char path[PATH_MAX + 64];
	char *first = NULL;

	for (size_t i = 0; i < 2; i++) {
		struct sbx_diag d = { 0 };
		struct sbx_profile *p = NULL;
		char *plist, *yaml, *direct, *via_yaml, *via_import;
		size_t plen, ylen;

		snprintf(path, sizeof(path), "%s/tests/unit/data/profile/valid/%s", sbx_src(),
			 plists[i]);
		plist = slurp(path, &plen);
		ASSERT_NE(NULL, plist);
		direct = compile_json(_metadata, plists[i], plist, plen);
		ASSERT_EQ(0, sbx_profile_load_buffer(plists[i], plist, plen, &p, &d));
		ASSERT_EQ(0, sbx_profile_canonical(p, &yaml, &ylen));
		via_yaml = compile_json(_metadata, "imported.yaml", yaml, ylen);
		EXPECT_STREQ(direct, via_yaml);

		char *argv[] = { (char *)sbx_bin(), "profile", "import", path, NULL };

		ASSERT_EQ(0, sbx_run_capture(argv, &cli));
		ASSERT_EQ(0, cli.status) TH_LOG("%s", cli.err);
		EXPECT_NE(NULL, strstr(cli.err, "has no Linux meaning"));
		via_import = compile_json(_metadata, "import.yaml", cli.out, strlen(cli.out));
		EXPECT_STREQ(direct, via_import);
		/* XML and binary plists of the same entitlements give the same plan. */
		if (!first)
			first = strdup(direct);
		else
			EXPECT_STREQ(first, direct);
		free(via_import);
		free(via_yaml);
		free(direct);
		free(yaml);
		free(plist);
		sbx_profile_free(p);
	}
	free(first);
}

TEST_HARNESS_MAIN
