// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mode allow-list and the lock rules in the compiled plan: every call that creates a
 * file with a mode refuses a set-user-id or set-group-id bit (EPERM) and nothing else,
 * openat2 answers ENOSYS, flock and fcntl's lock-setting commands go to the supervisor and
 * fcntl's lock queries do not; a profile without app-sandbox gets none of them. The kernel
 * side of the same rules is tests/escape/modes_locks.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include "compile_test.h"
#include "seccomp/seccomp.h"

static const char sandbox[] = "  com.apple.security.app-sandbox: true\n";

static const struct {
	int nr;
	unsigned int arg; /* where the mode is */
} with_mode[] = {
	{ SYS_open, 2 }, { SYS_openat, 3 }, { SYS_creat, 1 }, { SYS_mknod, 1 }, { SYS_mknodat, 2 },
};

TEST(setid_modes_refused_others_pass)
{
	static const uint64_t refused[] = { 04755, 02755, 06777, 04000, 0x100000000ULL | 04644 };
	static const uint64_t passed[] = { 0, 0644, 0755, 0777, 01777, 0x100000000ULL | 0644 };
	struct sbx_plan *plan = compile_text(_metadata, sandbox);

	for (size_t i = 0; i < sizeof(with_mode) / sizeof(with_mode[0]); i++) {
		uint64_t args[6] = { 0 };

		for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
			const struct sbx_seccomp_rule *r;

			args[with_mode[i].arg] = refused[k];
			r = seccomp_rule_match(&plan->seccomp, with_mode[i].nr, args);
			ASSERT_NE(NULL, r)
			TH_LOG("call %d mode %#llo", with_mode[i].nr,
			       (unsigned long long)refused[k]);
			EXPECT_EQ(EPERM, r->errno_value);
			EXPECT_EQ(SBX_ANSWER_ERRNO, (int)r->answer);
		}
		for (size_t k = 0; k < sizeof(passed) / sizeof(passed[0]); k++) {
			args[with_mode[i].arg] = passed[k];
			EXPECT_EQ(NULL, seccomp_rule_match(&plan->seccomp, with_mode[i].nr, args))
			TH_LOG("call %d mode %#llo", with_mode[i].nr,
			       (unsigned long long)passed[k]);
		}
	}
	sbx_plan_free(plan);
}

TEST(openat2_enosys)
{
	struct sbx_plan *plan = compile_text(_metadata, sandbox);
	const struct sbx_seccomp_rule *r =
		seccomp_rule_match(&plan->seccomp, SYS_openat2, (uint64_t[6]){ 0 });

	ASSERT_NE(NULL, r);
	EXPECT_EQ(ENOSYS, r->errno_value);
	sbx_plan_free(plan);
}

TEST(locks_to_the_supervisor)
{
	static const uint64_t set[] = { F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW };
	static const uint64_t query[] = { F_GETLK, F_OFD_GETLK, F_GETFL, F_SETFD };
	struct sbx_plan *plan = compile_text(_metadata, sandbox);
	const struct sbx_seccomp_rule *r;

	r = seccomp_rule_match(&plan->seccomp, SYS_flock, (uint64_t[6]){ 3, 2 });
	ASSERT_NE(NULL, r);
	EXPECT_EQ(SBX_ANSWER_SUPERVISOR, (int)r->answer);
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		/* The kernel reads cmd as an int: the upper half of the register counts not. */
		uint64_t hi = 0xffffffff00000000ULL | set[i];

		r = seccomp_rule_match(&plan->seccomp, SYS_fcntl, (uint64_t[6]){ 3, set[i] });
		ASSERT_NE(NULL, r);
		EXPECT_EQ(SBX_ANSWER_SUPERVISOR, (int)r->answer);
		EXPECT_NE(NULL,
			  seccomp_rule_match(&plan->seccomp, SYS_fcntl, (uint64_t[6]){ 3, hi }));
	}
	for (size_t i = 0; i < sizeof(query) / sizeof(query[0]); i++)
		EXPECT_EQ(NULL, seccomp_rule_match(&plan->seccomp, SYS_fcntl,
						   (uint64_t[6]){ 3, query[i] }));
	sbx_plan_free(plan);
}

/* Without app-sandbox nothing confines files: no rule stands in for a grant. */
TEST(not_without_the_sandbox)
{
	struct sbx_plan *plan =
		compile_text(_metadata, "  com.apple.security.cs.allow-jit: true\n");
	uint64_t args[6] = { 0, 0, 04755 };

	EXPECT_EQ(NULL, seccomp_rule_match(&plan->seccomp, SYS_open, args));
	EXPECT_EQ(NULL, seccomp_rule_match(&plan->seccomp, SYS_flock, args));
	sbx_plan_free(plan);
}

/* The observe rules the launcher appends after them stay reachable: the filter builds. */
TEST(filter_builds_with_a_last_rule_for_every_call)
{
	struct sbx_plan *plan = compile_text(_metadata, sandbox);
	struct sbx_seccomp_plan p = plan->seccomp;
	struct sbx_seccomp_rule *rules = calloc(p.n_rules + 2, sizeof(*rules));
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_diag d = { 0 };

	ASSERT_NE(NULL, rules);
	memcpy(rules, p.rules, p.n_rules * sizeof(*rules));
	rules[p.n_rules++] = (struct sbx_seccomp_rule){ .syscall = "open",
							.errno_value = EACCES,
							.answer = SBX_ANSWER_OBSERVE };
	p.rules = rules;
	EXPECT_EQ(0, seccomp_filter_build(&p, true, &f, &d)) TH_LOG("%s", d.msg);
	seccomp_filter_free(f);
	/* Before another rule of its call it would hide it: refused. */
	rules[p.n_rules++] =
		(struct sbx_seccomp_rule){ .syscall = "open",
					   .errno_value = EPERM,
					   .n_cond = 1,
					   .cond = { { 2, SBX_CMP_MASKED_EQ, 01000, 01000 } } };
	EXPECT_EQ(-EINVAL, seccomp_filter_build(&p, true, &f, &d));
	EXPECT_NE(NULL, strstr(d.msg, "never applies")) TH_LOG("%s", d.msg);
	free(rules);
	sbx_plan_free(plan);
}

TEST_HARNESS_MAIN
