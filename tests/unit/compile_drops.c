// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a kernel without a feature costs a plan (plan.h, sbx_plan_drop; the design's
 * invariant 5): covered by a rule, harmless, or a hole the profile relies on, decided by
 * compile from the entitlements. A cover is proved on the fitted filter of every Landlock
 * ABI that lacks the feature: the rule that stands in is there and refuses the act.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "compile_test.h"
#include "landlock/landlock.h"
#include "launch/enforcement.h"
#include "seccomp/seccomp.h"

#define AF_INET_     2
#define SOCK_STREAM_ 1
#define SOCK_DGRAM_  2

/* Costs as the harness compares them (int). */
#define HOLE	 ((int)SBX_DROP_HOLE)
#define COVERED	 ((int)SBX_DROP_COVERED)
#define HARMLESS ((int)SBX_DROP_HARMLESS)

static int cost_of(struct __test_metadata *_metadata, const struct sbx_plan *p, const char *feature)
{
	const struct sbx_plan_drop *d = sbx_plan_drop_find(p, feature);

	EXPECT_NE(NULL, d) TH_LOG("no decision for %s", feature);
	if (!d)
		return -1;
	EXPECT_NE(NULL, d->how);
	return (int)d->cost;
}

static struct sbx_plan *compile_with_grant(struct __test_metadata *_metadata, const char *ents,
					   const char *grant)
{
	struct sbx_grant g = { .path = grant, .write = true };
	struct sbx_host_facts facts = {
		.home = "/home/u", .program = "/bin/true", .grants = &g, .n_grants = 1
	};

	return compile_for(_metadata, ents, &facts);
}

TEST(no_network_every_landlock_drop_is_covered_or_harmless)
{
	struct sbx_plan *p = compile_text(_metadata, "  app-sandbox: true\n");

	ASSERT_NE(NULL, p);
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "landlock.truncate"));
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "landlock.net.tcp"));
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "landlock.net.udp"));
	EXPECT_EQ(HARMLESS, cost_of(_metadata, p, "landlock.ioctl-dev"));
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "landlock.scope"));
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "landlock.resolve-unix"));
	EXPECT_EQ(HARMLESS, cost_of(_metadata, p, "landlock.refer"));
	EXPECT_EQ(COVERED, cost_of(_metadata, p, "mdwe"));
	EXPECT_EQ(HOLE, cost_of(_metadata, p, "landlock"));
	EXPECT_EQ(HOLE, cost_of(_metadata, p, "seccomp"));
	sbx_plan_free(p);
}

/* A client's ports: every bind is refused where Landlock cannot keep UDP (and TCP) ports. */
TEST(client_binds_covered_server_connects_a_hole)
{
	struct sbx_plan *client = compile_text(_metadata, "  app-sandbox: true\n"
							  "  network.client: true\n");
	struct sbx_plan *server = compile_text(_metadata, "  app-sandbox: true\n"
							  "  network.server: true\n");

	ASSERT_NE(NULL, client);
	ASSERT_NE(NULL, server);
	EXPECT_EQ(COVERED, cost_of(_metadata, client, "landlock.net.tcp"));
	EXPECT_EQ(COVERED, cost_of(_metadata, client, "landlock.net.udp"));
	EXPECT_STREQ("bind", sbx_plan_drop_find(client, "landlock.net.udp")->cover_call);
	/* A server's outgoing TCP: nothing but Landlock ABI 4 keeps it to granted ports. */
	EXPECT_EQ(HOLE, cost_of(_metadata, server, "landlock.net.tcp"));
	EXPECT_EQ(COVERED, cost_of(_metadata, server, "landlock.net.udp"));
	sbx_plan_free(client);
	sbx_plan_free(server);
}

/* ioctl rights matter only where the plan reaches devices without granting them. */
TEST(ioctl_dev_a_hole_only_with_devices_granted)
{
	struct sbx_plan *home = compile_with_grant(_metadata,
						   "  app-sandbox: true\n"
						   "  files.user-selected.read-write: true\n",
						   "/home/u/project");
	struct sbx_plan *dev = compile_with_grant(_metadata,
						  "  app-sandbox: true\n"
						  "  files.user-selected.read-write: true\n",
						  "/dev/sda");

	ASSERT_NE(NULL, home);
	ASSERT_NE(NULL, dev);
	EXPECT_EQ(HARMLESS, cost_of(_metadata, home, "landlock.ioctl-dev"));
	EXPECT_EQ(HOLE, cost_of(_metadata, dev, "landlock.ioctl-dev"));
	sbx_plan_free(home);
	sbx_plan_free(dev);
}

/*
 * Every cover holds on every ABI without the feature (which ABIs those are, the launcher's
 * own rows say: landlock_fit_plan): the filter that kernel gets has a rule on the covering
 * call (what the launcher checks before it takes the cover).
 */
TEST(every_cover_is_in_the_filter_of_every_abi_without_the_feature)
{
	static const char *const profiles[] = {
		"  app-sandbox: true\n",
		"  app-sandbox: true\n  network.client: true\n",
		"  app-sandbox: true\n  network.server: true\n",
		"  app-sandbox: true\n  network.client: true\n  network.server: true\n",
		"  app-sandbox: true\n  cs.allow-jit: true\n",
		"  cs.allow-jit: false\n",
	};
	static struct sbx_enforcement e;
	int checked = 0;

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct sbx_plan *p = compile_text(_metadata, profiles[i]);

		ASSERT_NE(NULL, p);
		for (int abi = 1; abi <= SBX_LANDLOCK_ABI_MAX; abi++) {
			struct sbx_seccomp_plan fitted;

			memset(&e, 0, sizeof(e));
			landlock_fit_plan(&p->landlock, abi, &e);
			ASSERT_EQ(0, seccomp_plan_fit(&p->seccomp, (unsigned int)abi, &fitted));
			for (size_t k = 0; k < p->n_drops; k++) {
				const struct sbx_plan_drop *d = &p->drops[k];
				const struct sbx_feature_state *s =
					sbx_enforcement_find(&e, d->feature);
				bool ruled = false;

				if (d->cost != SBX_DROP_COVERED || !s || s->available)
					continue;
				for (size_t r = 0; r < fitted.n_rules; r++)
					ruled |= !strcmp(fitted.rules[r].syscall, d->cover_call);
				EXPECT_TRUE(ruled)
				TH_LOG("%s: %s on ABI %d has no rule on %s", profiles[i],
				       d->feature, abi, d->cover_call);
				checked++;
			}
			free(fitted.rules);
		}
		sbx_plan_free(p);
	}
	/* Not true of nothing: the Landlock covers were found lacking on the older ABIs. */
	EXPECT_LT(20, checked) TH_LOG("checked %d", checked);
}

/* The acts themselves, on the fitted filter: what each cover says it refuses, it refuses. */
TEST(covers_refuse_the_act)
{
	struct sbx_plan *none = compile_text(_metadata, "  app-sandbox: true\n");
	struct sbx_plan *client = compile_text(_metadata, "  app-sandbox: true\n"
							  "  network.client: true\n");
	struct sbx_plan *both = compile_text(_metadata, "  app-sandbox: true\n"
							"  network.client: true\n"
							"  network.server: true\n");
	const uint64_t udp[6] = { AF_INET_, SOCK_DGRAM_ }, tcp[6] = { AF_INET_, SOCK_STREAM_ };
	const uint64_t bind_args[6] = { 3, 0x1000, 16 };
	/* setsockopt(3, SOL_SOCKET, SO_PASSCRED / SO_PASSPIDFD / SO_REUSEADDR, ...) */
	const uint64_t passcred[6] = { 3, 1, 16, 0x1000, 4 },
		       passpidfd[6] = { 3, 1, 76, 0x1000, 4 };
	const uint64_t reuseaddr[6] = { 3, 1, 2, 0x1000, 4 };
	/* The kernel reads level and optname as int: the upper halves change nothing. */
	const uint64_t passcred_hi[6] = { 3, 0x100000001ULL, 0x500000010ULL, 0x1000, 4 };
	struct sbx_seccomp_plan fitted;

	ASSERT_NE(NULL, none);
	ASSERT_NE(NULL, client);
	ASSERT_NE(NULL, both);
	for (unsigned int abi = 1; abi <= 10; abi++) {
		ASSERT_EQ(0, seccomp_plan_fit(&none->seccomp, abi, &fitted));
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_socket, udp));
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_socket, tcp));
		free(fitted.rules);
		ASSERT_EQ(0, seccomp_plan_fit(&client->seccomp, abi, &fitted));
		/* Every bind to the supervisor, which binds no port Landlock does not check. */
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_bind, bind_args))
		TH_LOG("ABI %u", abi);
		EXPECT_EQ(NULL, seccomp_rule_match(&fitted, SYS_socket, udp));
		/* listen takes a port no ABI checks when the socket was never bound. */
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_listen, bind_args));
		/* kdgram: the options that make the kernel name a unix socket, on every ABI. */
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, passcred))
		TH_LOG("ABI %u", abi);
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, passpidfd));
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, passcred_hi));
		EXPECT_EQ(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, reuseaddr));
		free(fitted.rules);
		ASSERT_EQ(0, seccomp_plan_fit(&none->seccomp, abi, &fitted));
		EXPECT_NE(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, passcred));
		free(fitted.rules);
		/* The control: with network.server the binds are the program's. */
		ASSERT_EQ(0, seccomp_plan_fit(&both->seccomp, abi, &fitted));
		EXPECT_EQ(NULL, seccomp_rule_match(&fitted, SYS_bind, bind_args));
		EXPECT_EQ(NULL, seccomp_rule_match(&fitted, SYS_listen, bind_args));
		EXPECT_EQ(NULL, seccomp_rule_match(&fitted, SYS_setsockopt, passcred));
		free(fitted.rules);
	}
	EXPECT_TRUE(seccomp_rule_match(&client->seccomp, SYS_setsockopt, passcred)->answer ==
		    SBX_ANSWER_SUPERVISOR);
	EXPECT_TRUE(seccomp_rule_match(&client->seccomp, SYS_bind, bind_args)->answer ==
		    SBX_ANSWER_SUPERVISOR);
	/* listen: the supervisor's allow-list (a pathname unix socket), with or without client. */
	EXPECT_TRUE(seccomp_rule_match(&client->seccomp, SYS_listen, bind_args)->answer ==
		    SBX_ANSWER_SUPERVISOR);
	ASSERT_NE(NULL, seccomp_rule_match(&none->seccomp, SYS_listen, bind_args));
	EXPECT_TRUE(seccomp_rule_match(&none->seccomp, SYS_listen, bind_args)->answer ==
		    SBX_ANSWER_SUPERVISOR);
	sbx_plan_free(none);
	sbx_plan_free(client);
	sbx_plan_free(both);
}

/* Without app-sandbox no Landlock right is handled beyond writes: nothing to cover. */
TEST(unsandboxed_plan_has_no_network_or_device_decisions)
{
	struct sbx_plan *p = compile_text(_metadata, "  get-task-allow: false\n");

	ASSERT_NE(NULL, p);
	EXPECT_EQ(NULL, sbx_plan_drop_find(p, "landlock.net.tcp"));
	EXPECT_EQ(NULL, sbx_plan_drop_find(p, "landlock.ioctl-dev"));
	EXPECT_EQ(NULL, sbx_plan_drop_find(p, "landlock.truncate"));
	EXPECT_EQ(HOLE, cost_of(_metadata, p, "seccomp"));
	sbx_plan_free(p);
}

TEST_HARNESS_MAIN
