// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signed entitlements are self-contained (issue 9, item 4): an `include` in the bytes a
 * signature carries is refused, since the included file is unsigned and read at launch.
 * Includes are an authoring feature: sbx sign signs the canonical profile, merged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "profile/profile.h"
#include "sbx_test.h"

static const char with_include[] = "identifier: org.example.app\n"
				   "include: base.yaml\n"
				   "entitlements:\n"
				   "  app-sandbox: true\n";

TEST(signed_entitlements_with_an_include_are_refused)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag d = { 0 };
	char msg[1024];

	EXPECT_EQ(-EPERM, sbx_profile_load_signed("prog (signed entitlements)", with_include,
						  sizeof(with_include) - 1, &p, &d));
	EXPECT_EQ(NULL, p);
	EXPECT_STREQ("prog (signed entitlements):2:10: signed entitlements may not include other "
		     "files: includes are resolved when signing (sbx profile canonical)",
		     sbx_diag_format(&d, msg, sizeof(msg)));
}

TEST(the_canonical_form_of_a_layered_profile_loads_as_signed)
{
	char dir[256], top[512], base[512], *canon = NULL;
	struct sbx_profile *p = NULL, *q = NULL;
	struct sbx_diag d = { 0 };
	size_t len;
	FILE *f;

	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(base, sizeof(base), "%s/base.yaml", dir);
	snprintf(top, sizeof(top), "%s/top.yaml", dir);
	f = fopen(base, "w");
	ASSERT_NE(NULL, f);
	fputs("identifier: org.example.base\nentitlements:\n  network.client: true\n", f);
	fclose(f);
	f = fopen(top, "w");
	ASSERT_NE(NULL, f);
	fputs(with_include, f);
	fclose(f);
	ASSERT_EQ(0, sbx_profile_load_file(top, &p, &d))
	{
		TH_LOG("%s", d.msg);
	}
	ASSERT_EQ(0, sbx_profile_canonical(p, &canon, &len));
	EXPECT_EQ(NULL, strstr(canon, "include"));
	EXPECT_EQ(0, sbx_profile_load_signed("signed", canon, len, &q, &d))
	{
		TH_LOG("%s", d.msg);
	}
	EXPECT_TRUE(q && sbx_profile_equal(p, q));
	EXPECT_TRUE(q && sbx_profile_entitled(q, "network.client"));
	sbx_profile_free(p);
	sbx_profile_free(q);
	free(canon);
	sbx_rmtree(dir);
}

TEST_HARNESS_MAIN
