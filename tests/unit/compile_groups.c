// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The system call groups the seccomp allow-list is made of (syscall_groups.c) and what each
 * profile makes of them. Assertions name groups, never a copied list of calls: a call
 * moving between groups changes one line of the table, and a call libseccomp learns that
 * no group names fails coverage_of_libseccomp_x86_64 with its name, for review.
 */
#include <dirent.h>
#include <errno.h>
#include <seccomp.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "compile_test.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#include "compile/compile.h"
#include "compile/syscall_groups.h"
#include "profile/profile.h"
#include "seccomp/seccomp.h"

static const struct sbx_seccomp_group_verdict *verdict(const struct sbx_plan *plan,
						       const char *group)
{
	for (size_t i = 0; i < plan->seccomp.n_groups; i++)
		if (!strcmp(plan->seccomp.groups[i].group->name, group))
			return &plan->seccomp.groups[i];
	return NULL;
}

/* What the plan does with one call: NULL allowed, else the rule that answers. */
static const struct sbx_seccomp_rule *decide(const struct sbx_plan *plan, const char *call,
					     uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t args[6] = { a0, a1, a2 };

	return seccomp_rule_match(&plan->seccomp, seccomp_syscall_nr(call), args);
}

TEST(every_call_in_exactly_one_group)
{
	for (size_t g = 0; g < sbx_n_syscall_groups; g++) {
		const struct sbx_syscall_group *grp = &sbx_syscall_groups[g];

		EXPECT_EQ('@', grp->name[0]);
		EXPECT_NE(NULL, grp->help);
		EXPECT_LT(0, sbx_syscall_group_size(grp)) TH_LOG("%s is empty", grp->name);
		EXPECT_EQ(grp, sbx_syscall_group_find(grp->name));
		if (grp->action != SBX_GROUP_ALLOW) {
			EXPECT_LT(0, grp->errno_value)
			TH_LOG("%s refuses with no errno", grp->name);
		}
		for (const char *const *c = grp->calls; *c; c++) {
			EXPECT_EQ(grp, sbx_syscall_group_of(*c)) TH_LOG("%s is in two groups", *c);
		}
	}
}

/*
 * Every call libseccomp knows for x86_64 is in a group; @obsolete is the list of calls
 * reviewed and refused. A newer libseccomp with new calls fails here, naming each.
 */
TEST(coverage_of_libseccomp_x86_64)
{
	int unnamed = 0;

	for (int nr = 0; nr < 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

		if (!name)
			continue;
		if (!sbx_syscall_group_of(name)) {
			TH_LOG("%s (x86_64 %d) is in no group: review it and add it to one", name,
			       nr);
			unnamed++;
		}
		free(name);
	}
	EXPECT_EQ(0, unnamed);
}

/* A name in the table that neither libseccomp nor sbx can number would be a typo. */
TEST(every_table_name_is_a_call)
{
	for (size_t g = 0; g < sbx_n_syscall_groups; g++)
		for (const char *const *c = sbx_syscall_groups[g].calls; *c; c++) {
			EXPECT_NE(__NR_SCMP_ERROR, seccomp_syscall_nr(*c)) TH_LOG("%s", *c);
		}
}

/* Calls newer than the table stay refused until reviewed: issue 8's examples. */
TEST(new_kernel_calls_are_in_no_group)
{
	static const char *const unreviewed[] = {
		"open_tree_attr",    "listmount",	 "statmount", "lsm_get_self_attr",
		"lsm_set_self_attr", "lsm_list_modules", "mseal",     "uretprobe"
	};
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");

	for (size_t i = 0; i < ARRAY_SIZE(unreviewed); i++) {
		EXPECT_EQ(NULL, sbx_syscall_group_of(unreviewed[i])) TH_LOG("%s", unreviewed[i]);
	}
	EXPECT_EQ(ENOSYS, plan->seccomp.unknown_errno);
	sbx_plan_free(plan);
}

/* Each refused group has one unconditional rule per call, and explain finds the group. */
static void check_refused(struct __test_metadata *_metadata, const struct sbx_plan *plan,
			  const char *group, enum sbx_seccomp_answer answer)
{
	const struct sbx_seccomp_group_verdict *v = verdict(plan, group);

	ASSERT_NE(NULL, v) TH_LOG("%s", group);
	EXPECT_FALSE(v->allowed) TH_LOG("%s", group);
	for (const char *const *c = v->group->calls; *c; c++) {
		const struct sbx_seccomp_rule *r = decide(plan, *c, 0, 0, 0);

		if (seccomp_syscall_nr(*c) < 0)
			continue; /* i386 only (ipc, vm86): the gate refuses it on x86_64 */
		ASSERT_NE(NULL, r) TH_LOG("%s of %s", *c, group);
		EXPECT_EQ(v->group, r->group) TH_LOG("%s", *c);
		EXPECT_EQ(v->group->errno_value, r->errno_value);
		EXPECT_EQ(answer, r->answer) TH_LOG("%s", *c);
	}
}

static void check_allowed(struct __test_metadata *_metadata, const struct sbx_plan *plan,
			  const char *group)
{
	const struct sbx_seccomp_group_verdict *v = verdict(plan, group);

	ASSERT_NE(NULL, v) TH_LOG("%s", group);
	EXPECT_TRUE(v->allowed) TH_LOG("%s", group);
	for (const char *const *c = v->group->calls; *c; c++) {
		const struct sbx_seccomp_rule *r = decide(plan, *c, 0, 0, 0);

		/* A call with argument rules may match one at all-zero arguments (socket 0). */
		EXPECT_TRUE(!r || !r->group) TH_LOG("%s of %s", *c, group);
	}
}

TEST(groups_of_an_app_sandbox)
{
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");
	static const char *const refused[] = { "@sysv-ipc",  "@mqueue",	      "@debug",
					       "@io-uring",  "@kernel",	      "@mount",
					       "@namespace", "@keyring",      "@fanotify",
					       "@clock",     "@memfd-secret", "@aio",
					       "@page-cache" };
	static const char *const allowed[] = { "@basic-io",	     "@file-system", "@process",
					       "@process-resources", "@signal",	     "@memory",
					       "@network-io",	     "@sandbox" };

	ASSERT_EQ(sbx_n_syscall_groups, plan->seccomp.n_groups);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		check_refused(_metadata, plan, refused[i], SBX_ANSWER_ERRNO);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		check_allowed(_metadata, plan, allowed[i]);
	check_refused(_metadata, plan, "@file-metadata", SBX_ANSWER_SUPERVISOR);
	check_refused(_metadata, plan, "@file-metadata-read", SBX_ANSWER_SUPERVISOR);
	check_refused(_metadata, plan, "@file-watch", SBX_ANSWER_SUPERVISOR);
	EXPECT_EQ(ENOTSUP, decide(plan, "getxattrat", 0, 0, 0)->errno_value);
	EXPECT_STREQ("cs.debugger", verdict(plan, "@debug")->lifted_by);
	EXPECT_STREQ("sbx.io-uring", verdict(plan, "@io-uring")->lifted_by);
	EXPECT_STREQ("sbx.aio", verdict(plan, "@aio")->lifted_by);
	EXPECT_EQ(NULL, verdict(plan, "@sysv-ipc")->lifted_by);
	EXPECT_EQ(NULL, verdict(plan, "@page-cache")->lifted_by);
	/* As a kernel without them, so that callers fall back (atk6u P and N). */
	EXPECT_EQ(ENOSYS, decide(plan, "mincore", 0, 4096, 0)->errno_value);
	EXPECT_EQ(ENOSYS, decide(plan, "cachestat", 3, 0, 0)->errno_value);
	EXPECT_EQ(ENOSYS, decide(plan, "io_setup", 1, 0, 0)->errno_value);
	EXPECT_EQ(ENOSYS, decide(plan, "io_submit", 0, 1, 0)->errno_value);
	sbx_plan_free(plan);
}

TEST(entitlements_lift_their_group)
{
	struct sbx_plan *dbg = compile_text(_metadata, "  app-sandbox: true\n  cs.debugger: true\n"
						       "  sbx.io-uring: true\n  sbx.aio: true\n");
	/* The memory cascade: page protection off carries unsigned memory. */
	struct sbx_plan *mem =
		compile_text(_metadata, "  cs.disable-executable-page-protection: true\n");
	/* Without app-sandbox nothing is confined to grants: metadata is not supervised. */
	struct sbx_plan *bare = compile_text(_metadata, "  cs.allow-jit: true\n");

	check_allowed(_metadata, dbg, "@debug");
	check_allowed(_metadata, dbg, "@io-uring");
	check_allowed(_metadata, dbg, "@aio");
	check_refused(_metadata, dbg, "@page-cache", SBX_ANSWER_ERRNO);
	check_refused(_metadata, dbg, "@sysv-ipc", SBX_ANSWER_ERRNO);
	check_allowed(_metadata, mem, "@memfd-secret");
	check_refused(_metadata, bare, "@memfd-secret", SBX_ANSWER_ERRNO);
	check_allowed(_metadata, bare, "@file-metadata");
	check_allowed(_metadata, bare, "@file-metadata-read");
	check_allowed(_metadata, bare, "@file-watch");
	check_refused(_metadata, bare, "@sysv-ipc", SBX_ANSWER_ERRNO);
	sbx_plan_free(dbg);
	sbx_plan_free(mem);
	sbx_plan_free(bare);
}

/* (family, type, protocol) by allow-list; type flags never matter. */
TEST(socket_tuples)
{
	struct sbx_plan *none = compile_text(_metadata, "  app-sandbox: true\n");
	struct sbx_plan *net = compile_text(_metadata, "  app-sandbox: true\n"
						       "  network.client: true\n");
	struct sbx_plan *bt = compile_text(_metadata, "  app-sandbox: true\n"
						      "  device.bluetooth: true\n");
	static const struct {
		uint64_t family, type, proto;
		bool none, net;
	} cases[] = {
		{ 1, 1, 0, true, true }, /* AF_UNIX stream */
		{ 1, 5 | 0x80800, 0, true, true }, /* seqpacket, NONBLOCK|CLOEXEC */
		{ 2, 1, 0, false, true },
		{ 2, 1 | 0x80800, 6, false, true },
		{ 10, 2, 0, false, true },
		{ 10, 2 | 0x800, 17, false, true },
		{ 2, 1, 262, false, false }, /* MPTCP */
		{ 10, 1, 262, false, false },
		{ 2, 1, 132, false, false }, /* SCTP */
		{ 2, 5, 132, false, false },
		{ 2, 3, 1, false, false }, /* raw */
		{ 2, 2, 1, false, false }, /* ICMP ping socket */
		{ 2, 2, 136, false, false }, /* UDP-Lite */
		{ 2, 1, 0x100000006, false, false }, /* protocol with a high half */
		{ 0x100000002, 1, 0, false, false },
		{ 16, 3, 0, false, true }, /* NETLINK_ROUTE */
		{ 16, 3, 9, false, false }, /* NETLINK_AUDIT */
		{ 17, 3, 0, false, false }, /* AF_PACKET */
		{ 40, 1, 0, false, false }, /* AF_VSOCK */
		{ 38, 5, 0, false, false }, /* AF_ALG */
		{ 0, 1, 0, false, false },
		{ 31, 1, 0, false, false },
		{ 44, 1, 0, false, false }, /* AF_XDP */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].none,
			  !decide(none, "socket", cases[i].family, cases[i].type, cases[i].proto))
		TH_LOG("socket(%#llx, %#llx, %llu) without network",
		       (unsigned long long)cases[i].family, (unsigned long long)cases[i].type,
		       (unsigned long long)cases[i].proto);
		EXPECT_EQ(cases[i].net,
			  !decide(net, "socket", cases[i].family, cases[i].type, cases[i].proto))
		TH_LOG("socket(%#llx, %#llx, %llu) with network.client",
		       (unsigned long long)cases[i].family, (unsigned long long)cases[i].type,
		       (unsigned long long)cases[i].proto);
	}
	EXPECT_EQ(NULL, decide(bt, "socket", 31, 1, 0));
	EXPECT_EQ(NULL, decide(none, "socketpair", 1, 1, 0));
	EXPECT_NE(NULL, decide(none, "socketpair", 2, 1, 0));
	/* Unix datagram sockets address any path: refused below Landlock ABI 9 only. */
	EXPECT_EQ(9, decide(none, "socket", 1, 2 | 0x80000, 0)->below_abi);
	EXPECT_EQ(9, decide(none, "socketpair", 1, 2, 0)->below_abi);
	/* connect() below ABI 9: the supervisor resolves a unix address itself. */
	EXPECT_EQ(9, decide(none, "connect", 3, 0, 0)->below_abi);
	EXPECT_EQ(SBX_ANSWER_SUPERVISOR, decide(none, "connect", 3, 0, 0)->answer);
	EXPECT_EQ(9, decide(net, "connect", 3, 0, 0)->below_abi);
	EXPECT_EQ(EACCES, decide(none, "socket", 2, 1, 0)->errno_value);
	EXPECT_STREQ("network.client", decide(none, "socket", 2, 1, 0)->entitlement);
	EXPECT_EQ(EPROTONOSUPPORT, decide(net, "socket", 2, 1, 262)->errno_value);
	EXPECT_EQ(EAFNOSUPPORT, decide(net, "socket", 40, 1, 0)->errno_value);
	sbx_plan_free(none);
	sbx_plan_free(net);
	sbx_plan_free(bt);
}

/* Only the caller itself in the kernel; any other target to the supervisor. */
TEST(other_processes_resources_and_signals)
{
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");
	static const struct {
		const char *call;
		uint64_t a0, a1;
		bool self;
	} cases[] = {
		{ "prlimit64", 0, 4, true },
		{ "prlimit64", 1234, 4, false },
		{ "setpriority", 0, 0, true },
		{ "setpriority", 0, 1234, false },
		{ "setpriority", 1, 0, false }, /* own process group */
		{ "setpriority", 2, 0, false }, /* own user: every process of it */
		{ "sched_setaffinity", 0, 8, true },
		{ "sched_setaffinity", 77, 8, false },
		{ "sched_setscheduler", 77, 0, false },
		{ "sched_setparam", 77, 0, false },
		{ "sched_setattr", 77, 0, false },
		{ "ioprio_set", 1, 0, true },
		{ "ioprio_set", 1, 77, false },
		{ "ioprio_set", 3, 0, false },
		{ "migrate_pages", 77, 0, false },
		{ "move_pages", 0, 0, true },
		{ "move_pages", 77, 0, false },
		{ "process_madvise", 3, 0, false },
		{ "process_mrelease", 3, 0, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct sbx_seccomp_rule *r =
			decide(plan, cases[i].call, cases[i].a0, cases[i].a1, 0);

		EXPECT_EQ(cases[i].self, !r)
		TH_LOG("%s(%llu, %llu)", cases[i].call, (unsigned long long)cases[i].a0,
		       (unsigned long long)cases[i].a1);
		if (r) {
			EXPECT_EQ(SBX_ANSWER_SUPERVISOR, r->answer) TH_LOG("%s", cases[i].call);
			EXPECT_EQ(0, r->below_abi);
		}
	}
	EXPECT_EQ(NULL, decide(plan, "kill", 0, 15, 0));
	EXPECT_EQ(6, decide(plan, "kill", 1234, 15, 0)->below_abi);
	EXPECT_EQ(6, decide(plan, "kill", -1ULL, 9, 0)->below_abi);
	EXPECT_EQ(6, decide(plan, "tgkill", 1234, 1234, 6)->below_abi);
	EXPECT_EQ(6, decide(plan, "pidfd_send_signal", 3, 9, 0)->below_abi);
	EXPECT_EQ(SBX_ANSWER_SUPERVISOR, decide(plan, "kill", 1234, 15, 0)->answer);
	sbx_plan_free(plan);
}

/*
 * fcntl and madvise by allow-lists (atk6u W and P): every command or advice outside them
 * is refused, whatever a newer kernel adds, and the upper half of the register, which the
 * kernel ignores, never passes a refused one. The supervised commands still reach their
 * rules (locks, signal owners).
 */
TEST(fcntl_commands_by_allow_list)
{
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");
	static const uint64_t allowed[] = {
		0,  1,	  2,	3,    4,    5,	  9,	10,   11,   16,
		36, 1025, 1027, 1028, 1030, 1031, 1032, 1033, 1034, 1035
	};
	static const uint64_t refused[] = { 12,
					    13,
					    14,
					    17,
					    35,
					    39,
					    1023,
					    1024,
					    1026,
					    1029,
					    1036,
					    1037,
					    1038,
					    1039,
					    1040,
					    2048,
					    1ULL << 31,
					    0x100000000ULL | 1024,
					    0x100000000ULL | 3,
					    -1ULL };
	static const uint64_t supervised[] = { 6, 7, 37, 38 };

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		EXPECT_EQ(NULL, decide(plan, "fcntl", 3, allowed[i], 0))
		TH_LOG("fcntl command %llu", (unsigned long long)allowed[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		const struct sbx_seccomp_rule *r = decide(plan, "fcntl", 3, refused[i], 1);

		ASSERT_NE(NULL, r) TH_LOG("fcntl command %#llx", (unsigned long long)refused[i]);
		EXPECT_EQ(EINVAL, r->errno_value);
		EXPECT_EQ(SBX_ANSWER_ERRNO, r->answer);
		EXPECT_EQ(0, r->below_abi);
	}
	for (size_t i = 0; i < ARRAY_SIZE(supervised); i++)
		EXPECT_EQ(SBX_ANSWER_SUPERVISOR,
			  decide(plan, "fcntl", 3, supervised[i], 0)->answer);
	EXPECT_EQ(SBX_ANSWER_SUPERVISOR, decide(plan, "fcntl", 3, 8 /* F_SETOWN */, 77)->answer);
	EXPECT_EQ(NULL, decide(plan, "fcntl", 3, 8 /* F_SETOWN */, 0));
	EXPECT_EQ(SBX_ANSWER_SUPERVISOR, decide(plan, "fcntl", 3, 15 /* F_SETOWN_EX */, 0)->answer);
	sbx_plan_free(plan);
	/* Without app-sandbox as well: a hardened program is no lessee either. */
	plan = compile_text(_metadata, "  cs.allow-jit: true\n");
	EXPECT_EQ(EINVAL, decide(plan, "fcntl", 3, 1036 /* F_SET_RW_HINT */, 0)->errno_value);
	EXPECT_EQ(NULL, decide(plan, "fcntl", 3, 4 /* F_SETFL */, 0));
	sbx_plan_free(plan);
}

TEST(madvise_advice_by_allow_list)
{
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");
	static const uint64_t allowed[] = { 0,	1,  2,	3,  4,	8,  9,	10, 11,	 13, 14,
					    15, 16, 17, 18, 19, 22, 23, 24, 102, 103 };
	static const uint64_t refused[] = { 5,
					    6,
					    7,
					    12 /* MERGEABLE */,
					    20 /* COLD */,
					    21 /* PAGEOUT */,
					    25 /* COLLAPSE */,
					    26,
					    100,
					    101,
					    104,
					    0x100000000ULL | 21,
					    -1ULL };

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		EXPECT_EQ(NULL, decide(plan, "madvise", 0x10000, 4096, allowed[i]))
		TH_LOG("advice %llu", (unsigned long long)allowed[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		const struct sbx_seccomp_rule *r =
			decide(plan, "madvise", 0x10000, 4096, refused[i]);

		ASSERT_NE(NULL, r) TH_LOG("advice %#llx", (unsigned long long)refused[i]);
		EXPECT_EQ(EINVAL, r->errno_value);
	}
	sbx_plan_free(plan);
}

/*
 * The gate lets through every call a group names, allowed or not (it depends on numbers
 * alone): a refused group's calls are held by the rules filter, which needs for each of
 * them a rule without conditions that applies on every kernel (below_abi 0). The number of
 * calls without one.
 */
static int refused_groups_unconditional(struct __test_metadata *_metadata,
					const struct sbx_plan *plan, const char *name)
{
	int missing = 0;

	for (size_t g = 0; g < plan->seccomp.n_groups; g++) {
		const struct sbx_seccomp_group_verdict *v = &plan->seccomp.groups[g];

		for (const char *const *c = v->group->calls; !v->allowed && *c; c++) {
			bool held = false;

			for (size_t i = 0; !held && i < plan->seccomp.n_rules; i++) {
				const struct sbx_seccomp_rule *r = &plan->seccomp.rules[i];

				held = !strcmp(r->syscall, *c) && !r->n_cond && !r->below_abi;
			}
			if (!held) {
				TH_LOG("%s: %s of refused %s has no unconditional rule", name, *c,
				       v->group->name);
				missing++;
			}
		}
	}
	return missing;
}

/*
 * Every shipped profile compiles to a filter libseccomp takes, on every kernel the plan
 * distinguishes (below_abi 6 and 9), with and without notification: the builder refuses a
 * call that has a rule for every call and other rules besides.
 */
TEST(shipped_profiles_build)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/profiles", sbx_src());
	d = opendir(dir);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		char path[PATH_MAX + 256];
		struct sbx_profile *p = NULL;
		struct sbx_plan *plan = NULL;
		struct sbx_diag diag = { 0 };
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ASSERT_EQ(0, sbx_profile_load_file(path, &p, &diag)) TH_LOG("%s", diag.msg);
		ASSERT_EQ(0, sbx_compile(p, &(struct sbx_host_facts){ .home = "/home/u" }, &plan,
					 &diag))
		TH_LOG("%s", diag.msg);
		EXPECT_EQ(0, refused_groups_unconditional(_metadata, plan, e->d_name));
		for (unsigned int abi = 0; abi <= 10; abi += 1) {
			struct sbx_seccomp_plan fitted;

			ASSERT_EQ(0, seccomp_plan_fit(&plan->seccomp, abi, &fitted));
			for (int notify = 0; notify < 2; notify++) {
				struct sbx_seccomp_filter *f = NULL;

				EXPECT_EQ(0, seccomp_filter_build(&fitted, notify, &f, &diag))
				TH_LOG("%s, ABI %u: %s", e->d_name, abi, diag.msg);
				seccomp_filter_free(f);
			}
			free(fitted.rules);
		}
		n++;
		sbx_plan_free(plan);
		sbx_profile_free(p);
	}
	closedir(d);
	EXPECT_LT(5, n);
}

TEST(below_abi_rules_drop_where_landlock_has_the_right)
{
	struct sbx_seccomp_rule r = { .syscall = "connect", .errno_value = EACCES, .below_abi = 9 };

	EXPECT_TRUE(seccomp_rule_applies(&r, 0));
	EXPECT_TRUE(seccomp_rule_applies(&r, 8));
	EXPECT_FALSE(seccomp_rule_applies(&r, 9));
	EXPECT_FALSE(seccomp_rule_applies(&r, 10));
	r.below_abi = 0;
	EXPECT_TRUE(seccomp_rule_applies(&r, 10));
}

/* The fitted plan keeps the rules that apply, in plan order, and the rest of the plan. */
TEST(plan_fit_keeps_the_rules_that_apply_in_order)
{
	struct sbx_seccomp_rule rules[] = {
		{ .syscall = "connect", .errno_value = EACCES, .below_abi = 9 },
		{ .syscall = "truncate", .errno_value = EPERM, .below_abi = 3 },
		{ .syscall = "ptrace", .errno_value = EPERM },
		{ .syscall = "connect", .errno_value = EPERM },
	};
	struct sbx_seccomp_plan p = { .enabled = true, .rules = rules, .n_rules = 4 }, fitted;

	ASSERT_EQ(0, seccomp_plan_fit(&p, 0, &fitted));
	ASSERT_EQ(4, fitted.n_rules);
	EXPECT_TRUE(fitted.enabled);
	for (size_t i = 0; i < 4; i++)
		EXPECT_EQ(0, memcmp(&rules[i], &fitted.rules[i], sizeof(rules[i])));
	free(fitted.rules);
	ASSERT_EQ(0, seccomp_plan_fit(&p, 3, &fitted));
	ASSERT_EQ(3, fitted.n_rules);
	EXPECT_EQ(EACCES, fitted.rules[0].errno_value);
	EXPECT_STREQ("ptrace", fitted.rules[1].syscall);
	EXPECT_EQ(EPERM, fitted.rules[2].errno_value);
	free(fitted.rules);
	ASSERT_EQ(0, seccomp_plan_fit(&p, 9, &fitted));
	ASSERT_EQ(2, fitted.n_rules);
	EXPECT_STREQ("ptrace", fitted.rules[0].syscall);
	EXPECT_STREQ("connect", fitted.rules[1].syscall);
	EXPECT_EQ(EPERM, fitted.rules[1].errno_value);
	free(fitted.rules);
}

TEST(explain_prints_groups_and_rules)
{
	struct sbx_plan *plan = compile_text(_metadata, "  app-sandbox: true\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ASSERT_NE(NULL, out);
	sbx_plan_write_text(plan, out);
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, "  calls no group names (newer than this table): ENOSYS\n"));
	EXPECT_NE(NULL, strstr(buf, "  @debug (5 calls): refused (EPERM), cs.debugger lifts it: "));
	EXPECT_NE(NULL, strstr(buf, "  @sysv-ipc (13 calls): refused (EPERM): "));
	EXPECT_NE(NULL, strstr(buf, "  @file-watch (1 call): carried out by the supervisor after "
				    "checking the grants (EACCES where none answers): "));
	EXPECT_NE(NULL, strstr(buf, "  prlimit64(arg0 != 0) -> EPERM: another process's resource "
				    "limits; carried out by the supervisor after checking the "
				    "plan\n"));
	EXPECT_NE(NULL, strstr(buf, "(below Landlock ABI 6)\n"));
	EXPECT_EQ(NULL, strstr(buf, "  ptrace() -> ")) TH_LOG("a group's calls are not rules");
	free(buf);
	buf = NULL;
	out = open_memstream(&buf, &len);
	sbx_plan_write_json(plan, out);
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, "\"name\": \"@debug\""));
	EXPECT_NE(NULL, strstr(buf, "\"verdict\": \"refused\""));
	EXPECT_NE(NULL, strstr(buf, "\"errno\": 38,\n      \"errno_name\": \"ENOSYS\""));
	EXPECT_NE(NULL, strstr(buf, "\"answer\": \"supervisor\""));
	EXPECT_NE(NULL, strstr(buf, "\"below_abi\": 6"));
	free(buf);
	sbx_plan_free(plan);
}

TEST_HARNESS_MAIN
