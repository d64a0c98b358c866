/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The signed_run fixture shared by the `sbx run` suites: the suites' test PKI
 * (tests/lib/sbx_pki.h: TEAM42's leaf, TEAMRSA's leaf, both under a trusted root), made once
 * per program, and a copy of run_probe signed by TEAM42 with the network-client profile's
 * entitlements (identifier org.sbx.test.network-client), which the default profile lacks.
 * The PKI is shared by the program's tests: a test writes its own files under self->dir.
 * Include after kselftest_harness.h and sbx_test.h, with probe() defined.
 */
#ifndef SBX_TESTS_SIGNED_RUN_H
#define SBX_TESTS_SIGNED_RUN_H

#include "sbx_pki.h"

SBX_TEST_PKI(true);

FIXTURE(signed_run)
{
	char dir[PATH_MAX], trust[PATH_MAX + 8], empty[PATH_MAX + 8], prog[PATH_MAX + 8];
	char ca[sizeof(sbx_pki)], key[sizeof(sbx_pki) + 16], cert[sizeof(sbx_pki) + 16];
	char chain[sizeof(sbx_pki) + 16];
	struct sbx_cmd_result *r;
};

/* sbx_sh's sh -c CMD, answering CMD's exit status (-1 when it could not run). */
#define shell(r, ...) (sbx_sh((r), __VA_ARGS__) ? -1 : (r)->status)

FIXTURE_SETUP(signed_run)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	SBX_NEED_PKI();
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->ca, sizeof(self->ca), "%s", sbx_pki);
	snprintf(self->trust, sizeof(self->trust), "%s/trust", self->dir);
	snprintf(self->empty, sizeof(self->empty), "%s/empty", self->dir);
	snprintf(self->prog, sizeof(self->prog), "%s/probe", self->dir);
	snprintf(self->key, sizeof(self->key), "%s/leaf.key", self->ca);
	snprintf(self->cert, sizeof(self->cert), "%s/leaf.pem", self->ca);
	snprintf(self->chain, sizeof(self->chain), "%s/chain.pem", self->ca);
	ASSERT_EQ(0, shell(self->r, "mkdir '%s' '%s' && cp '%s/root.pem' '%s/' && cp '%s' '%s'",
			   self->trust, self->empty, self->ca, self->trust, probe(), self->prog));
	/* Signed with network.client, which the default profile does not have. */
	ASSERT_EQ(0, shell(self->r,
			   "'%s' sign --key '%s' --cert '%s' --chain '%s' --profile "
			   "'%s/tests/sandbox/data/run/network-client.yaml' '%s'",
			   sbx_bin(), self->key, self->cert, self->chain, sbx_src(), self->prog))
	TH_LOG("%s", self->r->err);
}

FIXTURE_TEARDOWN(signed_run)
{
	if (self->dir[0])
		sbx_rmtree(self->dir);
	free(self->r);
}

/* SBX_TRUST_DIR=trust sbx run [--profile P] -- PROG socket-inet */
static inline int run_socket(FIXTURE_DATA(signed_run) * self, const char *trust, const char *prog,
			     const char *profile)
{
	if (profile)
		return shell(self->r,
			     "SBX_TRUST_DIR='%s' '%s' run --allow-root --profile '%s' -- '%s' "
			     "socket-inet",
			     trust, sbx_bin(), profile, prog);
	return shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' socket-inet", trust,
		     sbx_bin(), prog);
}

#endif /* SBX_TESTS_SIGNED_RUN_H */
