// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx run without --profile: a program signed with entitlements (sbx sign --profile) runs
 * under them; an unsigned one under the default profile; a modified one not at all; one
 * whose signer is not trusted here under the default profile, with a warning. The PKI is
 * made per run by tests/unit/data/sign/mkca.sh (openssl).
 */
#include <stdarg.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

static const char *probe(void)
{
	static char path[PATH_MAX + 32];
	const char *b = getenv("SBX_BUILD");
	char bin[PATH_MAX];

	if (b && *b) {
		snprintf(path, sizeof(path), "%s/tests/sandbox/bin/run_probe", b);
	} else {
		snprintf(bin, sizeof(bin), "%s", sbx_bin());
		*(strrchr(bin, '/') ? strrchr(bin, '/') : bin) = '\0';
		snprintf(path, sizeof(path), "%s/tests/sandbox/bin/run_probe", *bin ? bin : ".");
	}
	return path;
}

FIXTURE(signed_run)
{
	char dir[PATH_MAX], ca[PATH_MAX + 8], trust[PATH_MAX + 8], empty[PATH_MAX + 8];
	char prog[PATH_MAX + 8], key[PATH_MAX + 32], cert[PATH_MAX + 32], chain[PATH_MAX + 32];
	char env_trust[PATH_MAX + 32];
	struct sbx_cmd_result *r;
};

/* sh -c CMD, formatted. */
static int sh(struct sbx_cmd_result *r, const char *fmt, ...)
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
	ASSERT_EQ(0, sh(self->r, "sh '%s/tests/unit/data/sign/mkca.sh' '%s' >/dev/null", sbx_src(),
			self->ca))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sh(self->r, "mkdir '%s' '%s' && cp '%s/root.pem' '%s/' && cp '%s' '%s'",
			self->trust, self->empty, self->ca, self->trust, probe(), self->prog));
	/* Signed with network.client, which the default profile does not have. */
	ASSERT_EQ(0, sh(self->r,
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
static int run_socket(FIXTURE_DATA(signed_run) * self, const char *trust, const char *prog,
		      const char *profile)
{
	if (profile)
		return sh(self->r, "SBX_TRUST_DIR='%s' '%s' run --profile '%s' -- '%s' socket-inet",
			  trust, sbx_bin(), profile, prog);
	return sh(self->r, "SBX_TRUST_DIR='%s' '%s' run -- '%s' socket-inet", trust, sbx_bin(),
		  prog);
}

TEST_F(signed_run, signed_entitlements_apply)
{
	EXPECT_EQ(0, run_socket(self, self->trust, self->prog, NULL)) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("socket: ok\n", self->r->out);
	/* The control: the unsigned original runs under the default profile, no network. */
	EXPECT_EQ(3, run_socket(self, self->trust, probe(), NULL));
	EXPECT_NE(NULL, strstr(self->r->err, "denied socket(AF_INET): needs network.client"));
}

TEST_F(signed_run, explicit_profile_wins)
{
	char profile[PATH_MAX];

	snprintf(profile, sizeof(profile), "%s/profiles/default.yaml", sbx_src());
	EXPECT_EQ(3, run_socket(self, self->trust, self->prog, profile));
	EXPECT_NE(NULL, strstr(self->r->out, "refused: EACCES"));
}

TEST_F(signed_run, modified_program_never_runs)
{
	/* One byte of the signed content changed (the ELF header's padding). */
	ASSERT_EQ(0, sh(self->r, "printf 'X' | dd of='%s' bs=1 seek=10 conv=notrunc 2>/dev/null",
			self->prog));
	EXPECT_EQ(126, run_socket(self, self->trust, self->prog, NULL));
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "invalid signature, not running it"))
	TH_LOG("%s", self->r->err);
}

TEST_F(signed_run, untrusted_signer_gets_default_profile)
{
	EXPECT_EQ(3, run_socket(self, self->empty, self->prog, NULL));
	EXPECT_NE(NULL, strstr(self->r->err, "signature not trusted here"))
	TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "denied socket(AF_INET): needs network.client"));
}

TEST_HARNESS_MAIN
