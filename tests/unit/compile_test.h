/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the compile_* unit tests: a plan from a few lines of entitlements. */
#ifndef SBX_TESTS_COMPILE_TEST_H
#define SBX_TESTS_COMPILE_TEST_H

#include "kselftest_harness.h"

#include "compile/compile.h"
#include "profile/profile.h"

/* ents: YAML lines under "entitlements:", each indented by two spaces; compiled for facts. */
static inline struct sbx_plan *compile_for(struct __test_metadata *_metadata, const char *ents,
					   const struct sbx_host_facts *facts)
{
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	struct sbx_plan *plan = NULL;
	char text[2048];
	int n = snprintf(text, sizeof(text), "identifier: org.example.t\nentitlements:\n%s", ents);

	ASSERT_GT(sizeof(text), (size_t)n) TH_LOG("entitlements longer than the test's buffer");
	ASSERT_EQ(0, sbx_profile_load_buffer("t", text, (size_t)n, &p, &d)) TH_LOG("%s", d.msg);
	ASSERT_EQ(0, sbx_compile(p, facts, &plan, &d)) TH_LOG("%s", d.msg);
	sbx_profile_free(p);
	return plan;
}

static inline struct sbx_plan *compile_text(struct __test_metadata *_metadata, const char *ents)
{
	static const struct sbx_host_facts facts = { .home = "/home/u", .program = "/bin/true" };

	return compile_for(_metadata, ents, &facts);
}

#endif /* SBX_TESTS_COMPILE_TEST_H */
