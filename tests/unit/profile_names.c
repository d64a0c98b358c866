// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Profiles by name and one-flag powers, as library calls: what names a file, the search
 * path's order from the environment, the first NAME.yaml found winning, and
 * sbx_profile_allow() checking a key as the loader does.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#include "profile/lookup.h"
#include "profile/profile.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

TEST(what_names_a_file)
{
	EXPECT_FALSE(sbx_profile_names_file("curl"));
	EXPECT_FALSE(sbx_profile_names_file("python3.11"));
	EXPECT_TRUE(sbx_profile_names_file("./curl"));
	EXPECT_TRUE(sbx_profile_names_file("curl.yaml"));
	EXPECT_TRUE(sbx_profile_names_file("app.entitlements"));
	EXPECT_TRUE(sbx_profile_names_file("x.plist"));
	EXPECT_TRUE(sbx_profile_names_file("x.yml"));
	EXPECT_FALSE(sbx_profile_names_file(".yaml")); /* a name, if an odd one */
}

TEST(search_path_order)
{
	struct sbx_profile_dir dirs[SBX_PROFILE_MAX_DIRS];
	size_t n;

	setenv("SBX_PROFILE_PATH", "/p1::/p2", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	n = sbx_profile_search_path(dirs, SBX_PROFILE_MAX_DIRS);
	ASSERT_LE(5, n);
	EXPECT_EQ(SBX_PROFILE_ORIGIN_ENV, dirs[0].origin);
	EXPECT_STREQ("/p1", dirs[0].path);
	EXPECT_STREQ("/p2", dirs[1].path); /* an empty entry is skipped */
	EXPECT_EQ(SBX_PROFILE_ORIGIN_USER, dirs[2].origin);
	EXPECT_STREQ("/xdg/sbx/profiles", dirs[2].path);
	EXPECT_EQ(SBX_PROFILE_ORIGIN_SYSTEM, dirs[3].origin);
	EXPECT_EQ(SBX_PROFILE_ORIGIN_SHIPPED, dirs[n - 1].origin);
	/* A relative XDG_CONFIG_HOME is invalid (XDG base directory spec): $HOME/.config. */
	unsetenv("SBX_PROFILE_PATH");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	n = sbx_profile_search_path(dirs, SBX_PROFILE_MAX_DIRS);
	EXPECT_EQ(SBX_PROFILE_ORIGIN_USER, dirs[0].origin);
	EXPECT_STREQ("/home/u/.config/sbx/profiles", dirs[0].path);
	EXPECT_STREQ("user", sbx_profile_origin_name(SBX_PROFILE_ORIGIN_USER));
	EXPECT_STREQ("shipped", sbx_profile_origin_name(SBX_PROFILE_ORIGIN_SHIPPED));
}

TEST(first_found_wins_and_list_agrees)
{
	char dir[PATH_MAX], a[PATH_MAX + 8], b[PATH_MAX + 8], env[2 * PATH_MAX + 16];
	char file[PATH_MAX + 32], out[PATH_MAX];
	struct sbx_profile_entry *list;
	enum sbx_profile_origin origin;
	struct sbx_diag d = { 0 };
	size_t n, seen = 0;
	FILE *f;

	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	ASSERT_EQ(0, mkdir(a, 0755));
	ASSERT_EQ(0, mkdir(b, 0755));
	for (int i = 0; i < 2; i++) {
		snprintf(file, sizeof(file), "%s/zz-only-here.yaml", i ? b : a);
		f = fopen(file, "we");
		ASSERT_NE(NULL, f);
		fputs("identifier: org.example.zz\n", f);
		fclose(f);
	}
	snprintf(env, sizeof(env), "%s:%s", a, b);
	setenv("SBX_PROFILE_PATH", env, 1);
	ASSERT_EQ(0, sbx_profile_find("zz-only-here", out, sizeof(out), &origin, &d))
	TH_LOG("%s", d.msg);
	snprintf(file, sizeof(file), "%s/zz-only-here.yaml", a);
	EXPECT_STREQ(file, out);
	EXPECT_EQ(SBX_PROFILE_ORIGIN_ENV, origin);
	ASSERT_EQ(0, sbx_profile_list(&list, &n, &d));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].name, "zz-only-here"))
			continue;
		EXPECT_EQ(seen == 0, list[i].wins);
		EXPECT_EQ(0, strncmp(list[i].path, seen ? b : a, strlen(a)));
		seen++;
	}
	EXPECT_EQ(2, seen);
	free(list);
	EXPECT_EQ(-ENOENT, sbx_profile_find("zz-only-hera", out, sizeof(out), NULL, &d));
	EXPECT_NE(NULL, strstr(d.msg, "did you mean 'zz-only-here'?")) TH_LOG("%s", d.msg);
	EXPECT_EQ(-ENOENT, sbx_profile_find("zz-only-hera", out, sizeof(out), NULL, NULL));
	unsetenv("SBX_PROFILE_PATH");
	sbx_rmtree(dir);
}

TEST(allow_adds_over_false_and_checks_like_the_loader)
{
	static const char text[] = "identifier: org.example.t\nentitlements:\n"
				   "  app-sandbox: true\n  network.client: false\n",
			  bare_text[] = "identifier: org.example.bare\n";
	struct sbx_profile *p = NULL, *bare = NULL;
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_profile_load_buffer("t.yaml", text, strlen(text), &p, &d));
	ASSERT_EQ(0, sbx_profile_load_buffer("b.yaml", bare_text, strlen(bare_text), &bare, &d));

	EXPECT_EQ(0, sbx_profile_allow(p, "network.client", &d)) TH_LOG("%s", d.msg);
	EXPECT_TRUE(sbx_profile_entitled(p, "network.client"));
	EXPECT_STREQ("--allow", sbx_profile_get(p, "network.client")->file);
	EXPECT_EQ(0, sbx_profile_allow(p, "com.apple.security.cs.allow-jit", &d));
	EXPECT_TRUE(sbx_profile_entitled(p, "cs.allow-jit"));
	EXPECT_EQ(-EINVAL, sbx_profile_allow(p, "network.clinet", &d));
	EXPECT_STREQ("unknown entitlement 'network.clinet' (did you mean 'network.client'?)",
		     d.msg);
	EXPECT_EQ(-EINVAL,
		  sbx_profile_allow(p, "temporary-exception.files.absolute-path.read-only", &d));
	EXPECT_EQ(-EINVAL, sbx_profile_allow(p, "personal-information.location", &d));
	EXPECT_NE(NULL, strstr(d.msg, "has no Linux meaning"));
	/* A sandbox key on a profile without app-sandbox: the loader's contradiction. */
	EXPECT_EQ(-EINVAL, sbx_profile_allow(bare, "network.client", &d));
	EXPECT_STREQ("'network.client' needs app-sandbox: true", d.msg);
	EXPECT_EQ(0, bare->n_entitlements) TH_LOG("a refused --allow leaves the profile as it was");
	EXPECT_EQ(-EINVAL, sbx_profile_allow(p, "inherit", &d)); /* inherit takes nothing else */
	EXPECT_FALSE(sbx_profile_entitled(p, "inherit"));
	EXPECT_TRUE(sbx_profile_entitled(p, "network.client"));
	EXPECT_EQ(0, sbx_profile_allow(bare, "cs.allow-jit", &d)) TH_LOG("%s", d.msg);
	sbx_profile_free(p);
	sbx_profile_free(bare);
}

TEST_HARNESS_MAIN
