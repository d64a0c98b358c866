/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The signed_run fixture shared by the `sbx run` suites: a throwaway PKI
 * (tests/unit/data/sign/mkca.sh: TEAM42's leaf, TEAMRSA's leaf, both under a trusted root)
 * and a copy of run_probe signed by TEAM42 with the network-client profile's
 * entitlements (identifier org.sbx.test.network-client), which the default profile lacks.
 * Include after kselftest_harness.h and sbx_test.h, with probe() defined.
 */
#ifndef SBX_TESTS_SIGNED_RUN_H
#define SBX_TESTS_SIGNED_RUN_H

#include <stdarg.h>

FIXTURE(signed_run)
{
	char dir[PATH_MAX], ca[PATH_MAX + 8], trust[PATH_MAX + 8], empty[PATH_MAX + 8];
	char prog[PATH_MAX + 8], key[PATH_MAX + 32], cert[PATH_MAX + 32], chain[PATH_MAX + 32];
	char env_trust[PATH_MAX + 32];
	struct sbx_cmd_result *r;
};

/* sh -c CMD, formatted. */
static inline int shell(struct sbx_cmd_result *r, const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sbx_run_capture(argv, r) ? -1 : r->status;
}

FIXTURE_SETUP(signed_run)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (system("command -v openssl >/dev/null 2>&1"))
		SKIP(return, "openssl (the test PKI's tool) is not installed");
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->ca, sizeof(self->ca), "%s/ca", self->dir);
	snprintf(self->trust, sizeof(self->trust), "%s/trust", self->dir);
	snprintf(self->empty, sizeof(self->empty), "%s/empty", self->dir);
	snprintf(self->prog, sizeof(self->prog), "%s/probe", self->dir);
	snprintf(self->key, sizeof(self->key), "%s/leaf.key", self->ca);
	snprintf(self->cert, sizeof(self->cert), "%s/leaf.pem", self->ca);
	snprintf(self->chain, sizeof(self->chain), "%s/chain.pem", self->ca);
	ASSERT_EQ(0, shell(self->r, "sh '%s/tests/unit/data/sign/mkca.sh' '%s' >/dev/null",
			   sbx_src(), self->ca))
	TH_LOG("%s", self->r->err);
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
