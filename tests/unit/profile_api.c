// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile API others call (launcher, signer): loading from memory, the entitled()
 * question with and without Apple's prefix, canonical bytes, include layering, and the
 * limits that keep hostile input bounded (size, aliases, nesting).
 */
#include <plist/plist.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#include "profile/exposure.h"
#include "profile/profile.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

static struct sbx_profile *load(struct __test_metadata *_metadata, const char *text)
{
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;

	ASSERT_EQ(0, sbx_profile_load_buffer("mem.yaml", text, strlen(text), &p, &d))
	TH_LOG("%s", d.msg);
	return p;
}

static int load_error(const char *text, size_t len, struct sbx_diag *d)
{
	struct sbx_profile *p = NULL;
	int err = sbx_profile_load_buffer("mem.yaml", text, len, &p, d);

	sbx_profile_free(p);
	return err;
}

TEST(entitled_with_and_without_prefix)
{
	struct sbx_profile *p =
		load(_metadata, "identifier: org.example.t\nentitlements:\n"
				"  com.apple.security.app-sandbox: true\n"
				"  network.client: false\n"
				"  com.apple.security.assets.movies.read-only: true\n"
				"  temporary-exception.files.absolute-path.read-only: "
				"[/srv]\n");

	EXPECT_STREQ("org.example.t", sbx_profile_identifier(p));
	EXPECT_TRUE(sbx_profile_entitled(p, "app-sandbox"));
	EXPECT_TRUE(sbx_profile_entitled(p, "com.apple.security.app-sandbox"));
	EXPECT_FALSE(sbx_profile_entitled(p, "network.client"));
	EXPECT_FALSE(sbx_profile_entitled(p, "com.apple.security.network.server"));
	EXPECT_TRUE(sbx_profile_entitled(p, "files.movies.read-only"));
	EXPECT_TRUE(sbx_profile_entitled(p, "com.apple.security.assets.movies.read-only"));
	EXPECT_TRUE(sbx_profile_entitled(
		p, "com.apple.security.temporary-exception.files.absolute-path.read-only"));
	EXPECT_FALSE(sbx_profile_entitled(p, "no-such-key"));
	EXPECT_FALSE(sbx_profile_entitled(NULL, "app-sandbox"));
	EXPECT_EQ(NULL, sbx_profile_identifier(NULL));
	ASSERT_NE(NULL, sbx_profile_get(p, "network.client"));
	EXPECT_EQ(4, sbx_profile_get(p, "network.client")->line);
	sbx_profile_free(p);
}

TEST(canonical_is_independent_of_spelling_and_order)
{
	struct sbx_profile *a = load(_metadata, "identifier: org.example.t\nentitlements:\n"
						"  network.client: true\n  app-sandbox: true\n"
						"  cs.allow-jit: True\n");
	struct sbx_profile *b = load(_metadata, "entitlements: {com.apple.security.cs.allow-jit: "
						"true, com.apple.security.app-sandbox: TRUE,\n"
						" com.apple.security.network.client: true}\n"
						"identifier: \"org.example.t\"\n");
	char *ca, *cb;
	size_t la, lb;

	EXPECT_TRUE(sbx_profile_equal(a, b));
	ASSERT_EQ(0, sbx_profile_canonical(a, &ca, &la));
	ASSERT_EQ(0, sbx_profile_canonical(b, &cb, &lb));
	EXPECT_EQ(la, lb);
	EXPECT_STREQ(ca, cb);
	EXPECT_EQ(strlen(ca), la);
	free(ca);
	free(cb);
	sbx_profile_free(a);
	sbx_profile_free(b);
}

TEST(canonical_strings_stay_strings)
{
	/* Paths and values that look like YAML booleans or nulls must read back as text. */
	struct sbx_profile *p =
		load(_metadata, "identifier: org.example.t\nentitlements:\n"
				"  app-sandbox: true\n"
				"  temporary-exception.files.absolute-path.read-only:\n"
				"    - \"/true\"\n    - '/srv/a: b # c'\n"
				"  com.apple.developer.team-identifier: \"null\"\n");
	struct sbx_profile *q = NULL;
	struct sbx_diag d = { 0 };
	char *c;
	size_t len;

	ASSERT_EQ(0, sbx_profile_canonical(p, &c, &len));
	ASSERT_EQ(0, sbx_profile_load_buffer("c", c, len, &q, &d)) TH_LOG("%s\n%s", d.msg, c);
	EXPECT_TRUE(sbx_profile_equal(p, q));
	EXPECT_STREQ("null", sbx_profile_get(q, "com.apple.developer.team-identifier")->string);
	free(c);
	sbx_profile_free(q);
	sbx_profile_free(p);
}

TEST(apple_only_keys_warn_and_are_kept)
{
	struct sbx_profile *p = load(_metadata, "identifier: org.example.t\nentitlements:\n"
						"  app-sandbox: true\n"
						"  personal-information.location: true\n");

	ASSERT_EQ(1, p->n_warnings);
	EXPECT_EQ(4, p->warnings[0].line);
	EXPECT_STREQ("'personal-information.location' has no Linux meaning (Location "
		     "Services); kept, without effect",
		     p->warnings[0].msg);
	EXPECT_FALSE(sbx_profile_get(p, "personal-information.location")->linux_meaning);
	sbx_profile_free(p);
}

TEST(size_limit)
{
	size_t len = SBX_PROFILE_MAX_BYTES + 1;
	char *big = malloc(len);
	struct sbx_diag d = { 0 };

	ASSERT_NE(NULL, big);
	memset(big, '#', len);
	EXPECT_EQ(-EFBIG, load_error(big, len, &d));
	EXPECT_STREQ("larger than 1 MiB (1048577 bytes): not a profile", d.msg);
	/* A profile of exactly the limit is read (and here is only a comment). */
	memcpy(big, "identifier: a.b\n", 16);
	EXPECT_EQ(0, load_error(big, len - 1, &d)) TH_LOG("%s", d.msg);
	free(big);
}

TEST(size_limit_of_a_file)
{
	char dir[] = "/tmp/sbx-profile.XXXXXX", path[64];
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	f = fopen(path, "we");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ftruncate(fileno(f), SBX_PROFILE_MAX_BYTES + 4096));
	fclose(f);
	EXPECT_EQ(-EFBIG, sbx_profile_load_file(path, &p, &d));
	EXPECT_STREQ("larger than 1 MiB (1052672 bytes): not a profile", d.msg);
	EXPECT_EQ(-ENOENT, sbx_profile_load_file("/nonexistent/x.yaml", &p, &d));
	EXPECT_EQ(-EINVAL, sbx_profile_load_file(dir, &p, &d));
	EXPECT_STREQ("not a regular file", d.msg);
	unlink(path);
	rmdir(dir);
}

TEST(nesting_limit)
{
	char text[512];
	struct sbx_diag d = { 0 };
	int depth = SBX_PROFILE_MAX_DEPTH + 4, n = 0;

	n += snprintf(text + n, sizeof(text) - n, "identifier: a.b\nx: ");
	for (int i = 0; i < depth; i++)
		text[n++] = '[';
	for (int i = 0; i < depth; i++)
		text[n++] = ']';
	text[n] = '\0';
	EXPECT_EQ(-EINVAL, load_error(text, (size_t)n, &d));
	EXPECT_STREQ("nesting deeper than 16 levels", d.msg);
}

TEST(alias_bomb_refused_at_first_alias)
{
	/* Aliases are refused outright, so no expansion ever happens. */
	static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	struct sbx_diag d = { 0 };

	EXPECT_EQ(-EINVAL, load_error(bomb, strlen(bomb), &d));
	EXPECT_EQ(2, d.line);
	EXPECT_STREQ("YAML aliases (*a) are not allowed in profiles", d.msg);
}

TEST(binary_plist_from_libplist)
{
	plist_t dict = plist_new_dict();
	char *bin = NULL;
	uint32_t len = 0;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;

	plist_dict_set_item(dict, "com.apple.security.app-sandbox", plist_new_bool(1));
	plist_dict_set_item(dict, "com.apple.security.network.server", plist_new_bool(1));
	plist_to_bin(dict, &bin, &len);
	plist_free(dict);
	ASSERT_NE(NULL, bin);
	ASSERT_EQ(0, sbx_profile_load_buffer("org.example.srv.entitlements", bin, len, &p, &d))
	TH_LOG("%s", d.msg);
	EXPECT_STREQ("org.example.srv", sbx_profile_identifier(p));
	EXPECT_TRUE(sbx_profile_entitled(p, "network.server"));
	sbx_profile_free(p);
	/* Cut short: refused, never read past the end. */
	EXPECT_NE(0, sbx_profile_load_buffer("cut.entitlements", bin, len / 2, &p, &d));
	plist_to_bin_free(bin);
}

TEST(include_narrows_or_adds_never_widens)
{
	char dir[] = "/tmp/sbx-include.XXXXXX", base[64], local[64];
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/base.yaml", dir);
	snprintf(local, sizeof(local), "%s/local.yaml", dir);
	f = fopen(base, "we");
	fputs("entitlements:\n  app-sandbox: true\n  network.client: true\n"
	      "  network.server: false\n  files.downloads.read-only: true\n",
	      f);
	fclose(f);
	f = fopen(local, "we");
	fputs("identifier: org.example.local\ninclude: base.yaml\nentitlements:\n"
	      "  network.client: false\n  network.server: true\n  print: true\n"
	      "  app-sandbox: false\n",
	      f);
	fclose(f);
	ASSERT_EQ(0, sbx_profile_load_file(local, &p, &d)) TH_LOG("%s", d.msg);
	EXPECT_FALSE(sbx_profile_entitled(p, "network.client")) TH_LOG("narrowed");
	EXPECT_FALSE(sbx_profile_entitled(p, "network.server")) TH_LOG("base said false");
	EXPECT_TRUE(sbx_profile_entitled(p, "print")) TH_LOG("added");
	EXPECT_TRUE(sbx_profile_entitled(p, "app-sandbox")) TH_LOG("sandbox cannot be lifted");
	EXPECT_TRUE(sbx_profile_entitled(p, "files.downloads.read-only"));
	ASSERT_EQ(1, p->n_includes);
	EXPECT_NE(NULL, strstr(p->includes[0], "/base.yaml"));
	sbx_profile_free(p);
	unlink(base);
	unlink(local);
	rmdir(dir);
}

TEST(key_table_and_suggestions)
{
	size_t n;
	const struct sbx_key_info *t = sbx_key_table(&n);

	EXPECT_LE(30, n);
	for (size_t i = 0; i < n; i++) {
		EXPECT_EQ(&t[i], sbx_key_lookup(t[i].name)) TH_LOG("%s", t[i].name);
	}
	EXPECT_STREQ("network.client", sbx_key_suggest("network.clients"));
	EXPECT_STREQ("cs.allow-jit", sbx_key_suggest("cs.allow-jitt"));
	EXPECT_STREQ("cs.debugger", sbx_key_suggest("debugger"));
	EXPECT_EQ(NULL, sbx_key_suggest("zzzzzzzzzzzzzzzz"));
	EXPECT_EQ(NULL, sbx_key_lookup("com.apple.security.sbx.io-uring"));
}

TEST(exposure_score)
{
	struct sbx_profile *p =
		load(_metadata, "identifier: a.b\nentitlements:\n"
				"  app-sandbox: true\n"
				"  temporary-exception.files.absolute-path.read-write: [/]\n"
				"  cs.debugger: true\n");
	struct sbx_profile *q = load(_metadata, "identifier: a.b\nentitlements:\n"
						"  app-sandbox: true\n");
	struct sbx_exposure x;

	sbx_profile_exposure(p, &x);
	EXPECT_EQ(10.0 > x.score ? 1 : 0, 1);
	ASSERT_LE(2, x.n);
	EXPECT_STREQ("temporary-exception.files.absolute-path.read-write", x.items[0].key);
	EXPECT_TRUE(x.items[0].warn);
	EXPECT_STREQ("cs.debugger", x.items[1].key);
	sbx_profile_exposure(q, &x);
	EXPECT_EQ(0, x.n);
	EXPECT_STREQ("OK", sbx_exposure_rating(x.score));
	sbx_profile_free(p);
	sbx_profile_free(q);
}

TEST_HARNESS_MAIN
