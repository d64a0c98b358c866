// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calls that connect, beyond connect(2) (atk7u N1): without network.client every call
 * of @network-io that takes send flags refuses MSG_FASTOPEN in the argument the kernel
 * honours, and setsockopt refuses TCP_FASTOPEN_CONNECT; with it nothing changes. The
 * assertions go by the group and by syscall_groups.c's table of send-flag arguments, never
 * by a copied list of calls. tests/escape/connect_routes.c shows the same on the kernel.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "compile_test.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#include "compile/compile.h"
#include "compile/syscall_groups.h"
#include "seccomp/seccomp.h"

#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif

#define SANDBOX "  app-sandbox: true\n"

static const struct sbx_seccomp_rule *match(const struct sbx_plan *plan, const char *call,
					    unsigned int arg, uint64_t value)
{
	uint64_t args[6] = { 3 };

	args[arg] = value;
	return seccomp_rule_match(&plan->seccomp, seccomp_syscall_nr(call), args);
}

/* The table names calls of @network-io only, and every call of it that sends. */
TEST(send_flags_table_covers_the_sending_calls_of_network_io)
{
	const struct sbx_syscall_group *net = sbx_syscall_group_find("@network-io");
	size_t n = 0;

	ASSERT_NE(NULL, net);
	for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++, n++) {
		EXPECT_EQ(net, sbx_syscall_group_of(s->call)) TH_LOG("%s", s->call);
		EXPECT_GT(6, s->arg) TH_LOG("%s", s->call);
	}
	EXPECT_LT(0, n);
	for (const char *const *c = net->calls; *c; c++) {
		bool listed = false;

		if (strncmp(*c, "send", 4))
			continue;
		for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++)
			listed |= !strcmp(s->call, *c);
		EXPECT_TRUE(listed)
		TH_LOG("%s of @network-io sends: which of its arguments are the flags?", *c);
	}
}

TEST(fastopen_sends_need_network_client)
{
	static const char *const without[] = {
		SANDBOX,
		SANDBOX "  network.server: true\n",
	};
	static const char *const with[] = {
		SANDBOX "  network.client: true\n",
		SANDBOX "  network.client: true\n  network.server: true\n",
		"  cs.allow-jit: true\n", /* no app-sandbox: no network rule at all */
	};

	for (size_t p = 0; p < ARRAY_SIZE(without); p++) {
		struct sbx_plan *plan = compile_text(_metadata, without[p]);

		for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++) {
			const struct sbx_seccomp_rule *r =
				match(plan, s->call, s->arg, MSG_FASTOPEN);

			ASSERT_NE(NULL, r) TH_LOG("%s(MSG_FASTOPEN) under %s", s->call, without[p]);
			EXPECT_EQ(EACCES, r->errno_value);
			EXPECT_EQ(SBX_ANSWER_ERRNO, r->answer);
			EXPECT_EQ(0, r->below_abi)
			TH_LOG("every kernel: Landlock misses it on some");
			EXPECT_STREQ("network.client", r->entitlement);
			/* Other bits, and the upper half the kernel ignores, change nothing. */
			EXPECT_NE(NULL, match(plan, s->call, s->arg,
					      0xffffffff00000000ULL | MSG_FASTOPEN | MSG_NOSIGNAL))
			TH_LOG("%s", s->call);
			EXPECT_EQ(NULL, match(plan, s->call, s->arg,
					      MSG_NOSIGNAL | MSG_DONTWAIT | MSG_MORE | MSG_CONFIRM))
			TH_LOG("%s: flags that do not connect", s->call);
			EXPECT_EQ(NULL, match(plan, s->call, s->arg, 0x100000000ULL))
			TH_LOG("%s", s->call);
		}
		sbx_plan_free(plan);
	}
	for (size_t p = 0; p < ARRAY_SIZE(with); p++) {
		struct sbx_plan *plan = compile_text(_metadata, with[p]);

		for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++) {
			EXPECT_EQ(NULL, match(plan, s->call, s->arg, MSG_FASTOPEN))
			TH_LOG("%s(MSG_FASTOPEN) under %s", s->call, with[p]);
		}
		sbx_plan_free(plan);
	}
}

/*
 * Send flags are an allow-list: a bit the kernel does not define yet (0x400000), a
 * receive-side one (MSG_PEEK), a probe (MSG_PROBE, 0x10) are refused under every sandbox profile;
 * the flags programs send with, and the upper half the kernel ignores, are not.
 */
TEST(send_flags_are_an_allow_list)
{
	static const char *const profiles[] = {
		SANDBOX,
		SANDBOX "  network.client: true\n",
		SANDBOX "  network.server: true\n",
	};
	static const uint64_t refused[] = { 0x400000, MSG_PEEK, 0x10 /* MSG_PROBE */, MSG_WAITALL,
					    0x80000000 };
	const uint64_t ordinary = MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_CONFIRM | MSG_EOR |
				  MSG_OOB | MSG_DONTROUTE | MSG_ZEROCOPY;

	for (size_t p = 0; p < ARRAY_SIZE(profiles); p++) {
		struct sbx_plan *plan = compile_text(_metadata, profiles[p]);

		for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++) {
			const struct sbx_seccomp_rule *r;

			for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
				r = match(plan, s->call, s->arg, MSG_NOSIGNAL | refused[i]);
				ASSERT_NE(NULL, r)
				TH_LOG("%s(%#llx) under %s", s->call,
				       (unsigned long long)refused[i], profiles[p]);
				EXPECT_EQ(EPERM, r->errno_value);
				EXPECT_EQ(NULL, r->entitlement);
				EXPECT_EQ(SBX_ANSWER_ERRNO, r->answer);
			}
			EXPECT_EQ(NULL, match(plan, s->call, s->arg, 0)) TH_LOG("%s", s->call);
			EXPECT_EQ(NULL, match(plan, s->call, s->arg, ordinary))
			TH_LOG("%s", s->call);
			EXPECT_EQ(NULL,
				  match(plan, s->call, s->arg, 0xffffffff00000000ULL | ordinary))
			TH_LOG("%s: the upper half the kernel ignores", s->call);
		}
		sbx_plan_free(plan);
	}
}

/* setsockopt(fd, level, optname, ...): the client's option only, at the TCP level only. */
TEST(fastopen_connect_option_needs_network_client)
{
	struct sbx_plan *server = compile_text(_metadata, SANDBOX "  network.server: true\n");
	struct sbx_plan *client = compile_text(_metadata, SANDBOX "  network.client: true\n");
	uint64_t tfo_connect[6] = { 3, IPPROTO_TCP, TCP_FASTOPEN_CONNECT };
	uint64_t high[6] = { 3, 0x100000000ULL | IPPROTO_TCP,
			     0x100000000ULL | TCP_FASTOPEN_CONNECT };
	uint64_t tfo_listen[6] = { 3, IPPROTO_TCP, TCP_FASTOPEN };
	uint64_t other_level[6] = { 3, SOL_SOCKET, TCP_FASTOPEN_CONNECT };
	int nr = seccomp_syscall_nr("setsockopt");
	const struct sbx_seccomp_rule *r = seccomp_rule_match(&server->seccomp, nr, tfo_connect);

	ASSERT_NE(NULL, r);
	EXPECT_EQ(EACCES, r->errno_value);
	EXPECT_STREQ("network.client", r->entitlement);
	EXPECT_NE(NULL, seccomp_rule_match(&server->seccomp, nr, high));
	/* A listener's Fast Open queue is a server's option. */
	EXPECT_EQ(NULL, seccomp_rule_match(&server->seccomp, nr, tfo_listen));
	EXPECT_EQ(NULL, seccomp_rule_match(&server->seccomp, nr, other_level));
	EXPECT_EQ(NULL, seccomp_rule_match(&client->seccomp, nr, tfo_connect));
	sbx_plan_free(server);
	sbx_plan_free(client);
}

/* explain names the rule and what lifts it. */
TEST(explain_names_the_sends_that_connect)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX "  network.server: true\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	sbx_plan_write_text(plan, f);
	fclose(f);
	for (const struct sbx_call_arg *s = sbx_send_flags_args; s->call; s++) {
		char want[128];

		snprintf(want, sizeof(want),
			 "%s(arg%u & 0x20000000 == 0x20000000) -> EACCES: MSG_FASTOPEN", s->call,
			 s->arg);
		EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", want);
	}
	EXPECT_NE(NULL, strstr(buf, "[lifted by network.client]"));
	free(buf);
	sbx_plan_free(plan);
}

TEST_HARNESS_MAIN
