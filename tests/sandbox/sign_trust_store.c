// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Identity and the trust store (issue 9, items 3, 6, 8, 9, 10, 11): an identifier check
 * names its team; a team id that is not one is refused when signing; trust caches need
 * the platform authority; whatever is named explicitly must be readable; nothing makes
 * verify hang; a stranger's sidecar cannot make a file invalid; verify and display agree
 * on what cannot be examined.
 */
#include <sys/stat.h>

#include "sign_fixture.h"
#include "sign/trust.h"

/* sbx under timeout(1): a hang is a failure (status 124), never a stuck suite. */
static int sbx_timed(struct sbx_cmd_result *r, const char *args)
{
	return sbx_sh(r, "timeout 20 '%s' %s", sbx_bin(), args);
}

TEST_F(sign, identifier_check_names_its_team)
{
	char want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, "--identifier=com.example.true"));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--identifier",
			 "com.example.true", self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx verify: --identifier needs --team: identity is team id and identifier "
		     "(--team '' for a signature without a team)\n",
		     self->r->err);
	/* The right identifier from another team is not this program. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--identifier",
			 "com.example.true", "--team", "OTHERTEAM", self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx verify: %s: identity mismatch: signed as 'com.example.true' by team '%s', "
		 "required 'com.example.true' by team 'OTHERTEAM'\n",
		 self->file, self->team);
	EXPECT_STREQ(want, self->r->err);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--identifier",
			 "com.example.true", "--team", self->team, self->file, NULL));
	EXPECT_EQ(0, self->r->status);
}

TEST_F(sign, ou_with_a_space_is_refused_when_signing)
{
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16];

	snprintf(key, sizeof(key), "%s/space.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/space.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, "--chain", self->chain,
			 self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("", self->r->out);
	EXPECT_STREQ("sbx sign: certificate 'CN=sbx test space,OU=IT Department,O=sbx tests': its "
		     "OU is not a team identifier (1 to 64 printable ASCII characters, no spaces, "
		     "no NUL)\n",
		     self->r->err);
}

TEST_F(sign, trust_caches_need_the_platform_authority)
{
	char bin[SIGN_PATH + 16], cache[SIGN_PATH + 32], t[SIGN_PATH + 32], want[2048];
	char root[SIGN_PATH + 16];

	snprintf(bin, sizeof(bin), "%s/bin", self->dir);
	ASSERT_EQ(0, mkdir(bin, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "cp /bin/true '%s/'", bin));
	snprintf(t, sizeof(t), "%s/true", bin);
	snprintf(cache, sizeof(cache), "%s/team.sbxtc", self->trust);
	/* Any team's code-signing certificate can build a cache ... */
	ASSERT_EQ(0, sbx(self->r, "trust", "cache", "build", "--key", self->key, "--cert",
			 self->cert, "--chain", self->chain, "-o", cache, bin, NULL));
	ASSERT_EQ(0, self->r->status);
	/* ... but its anchor vouches for code, not for caches: the file stays unsigned. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, t, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_EQ(NULL, strstr(self->r->out, "platform"));
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "cache", "verify", cache, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx trust: %s: no platform anchors (%s/platform.d): nothing may sign trust "
		 "caches\n",
		 cache, self->trust);
	EXPECT_STREQ(want, self->r->err);
	/* Named explicitly, an untrusted cache is an error, not "no platform binaries". */
	ASSERT_EQ(0,
		  sbx(self->r, "verify", "--trust", self->trust, "--trust-cache", cache, t, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "no platform anchors"));
	/* The platform authority, added on purpose, makes it trusted. */
	snprintf(root, sizeof(root), "%s/root.pem", sbx_pki);
	ASSERT_EQ(0,
		  sbx(self->r, "trust", "--trust", self->trust, "--platform", "add", root, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, t, NULL));
	EXPECT_EQ(0, self->r->status);
	snprintf(want, sizeof(want), "%s: platform (sha256 ", t);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)));
}

TEST_F(sign, named_trust_store_parts_must_be_readable)
{
	char missing[SIGN_PATH + 32], want[2048], plain[SIGN_PATH + 32];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(missing, sizeof(missing), "%s/no-such-dir", self->dir);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", missing, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("", self->r->out);
	snprintf(want, sizeof(want),
		 "sbx verify: cannot open trust directory %s: No such file or directory\n",
		 missing);
	EXPECT_STREQ(want, self->r->err);

	snprintf(missing, sizeof(missing), "%s/no-such.list", self->dir);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--revocations", missing,
			 self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx verify: cannot open revocation list %s: No such file or directory\n",
		 missing);
	EXPECT_STREQ(want, self->r->err);

	snprintf(missing, sizeof(missing), "%s/no-such.sbxtc", self->dir);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--trust-cache", missing,
			 self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx verify: cannot open trust cache %s: No such file or directory\n", missing);
	EXPECT_STREQ(want, self->r->err);

	/* A file that is not a signed cache, named as one. */
	snprintf(plain, sizeof(plain), "%s/plain.sbxtc", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "echo not a cache > '%s'", plain));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--trust-cache", plain,
			 self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want), "sbx verify: trust cache %s: the trust cache is not signed\n",
		 plain);
	EXPECT_STREQ(want, self->r->err);
	/* The defaults may be missing: an empty trust directory trusts nothing, quietly. */
	ASSERT_VERIFY_OK(self, self->file, "true");
}

TEST_F(sign, fifos_in_the_trust_store_do_not_hang)
{
	char fifo[SIGN_PATH + 32], args[4096], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	/* A FIFO among the anchors adds no trust and blocks nothing. */
	snprintf(fifo, sizeof(fifo), "%s/fifo.pem", self->trust);
	ASSERT_EQ(0, mkfifo(fifo, 0644));
	snprintf(args, sizeof(args), "verify --trust '%s' '%s'", self->trust, self->file);
	ASSERT_EQ(0, sbx_timed(self->r, args));
	EXPECT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	/* A FIFO as the revocation list is refused at once. */
	snprintf(fifo, sizeof(fifo), "%s/revoked.fifo", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0644));
	snprintf(args, sizeof(args), "verify --trust '%s' --revocations '%s' '%s'", self->trust,
		 fifo, self->file);
	ASSERT_EQ(0, sbx_timed(self->r, args));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx verify: %s is not a regular file of at most 16777216 bytes\n", fifo);
	EXPECT_STREQ(want, self->r->err);
}

TEST_F(sign, verify_and_display_agree_on_what_cannot_be_examined)
{
	char fifo[SIGN_PATH + 32], args[4096];
	const char *what[2] = { self->dir, fifo };

	snprintf(fifo, sizeof(fifo), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(fifo, 0644));
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "verify --trust '%s' '%s'", self->trust, what[i]);
		ASSERT_EQ(0, sbx_timed(self->r, args));
		EXPECT_EQ(2, self->r->status)
		{
			TH_LOG("verify %s: %s", what[i], self->r->err);
		}
		snprintf(args, sizeof(args), "display '%s'", what[i]);
		ASSERT_EQ(0, sbx_timed(self->r, args));
		EXPECT_EQ(2, self->r->status)
		{
			TH_LOG("display %s: %s", what[i], self->r->err);
		}
	}
}

TEST_F(sign, a_strangers_sidecar_is_ignored)
{
	char prog[SIGN_PATH + 32], sig[SIGN_PATH + 48];

	/*
	 * The program belongs to someone else than the sidecar's owner: as root, a root-owned
	 * program and a sidecar chowned to nobody; otherwise /bin/true (root's) through a
	 * symlink in our directory, with our own sidecar beside the link.
	 */
	snprintf(prog, sizeof(prog), "%s/prog", self->dir);
	snprintf(sig, sizeof(sig), "%s.sbxsig", prog);
	if (geteuid() == 0) {
		ASSERT_EQ(0, copy_file("/bin/true", prog));
	} else {
		ASSERT_EQ(0, symlink("/bin/true", prog));
	}
	ASSERT_EQ(0, sbx_sh(self->r, "echo junk > '%s'", sig));
	if (geteuid() == 0) {
		ASSERT_EQ(0, chown(sig, 65534, 65534));
	}
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, prog, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "not signed"))
	{
		TH_LOG("%s", self->r->err);
	}
	EXPECT_EQ(NULL, strstr(self->r->err, "malformed"));
	EXPECT_EQ(NULL, strstr(self->r->err, "corrupt"));
}

TEST_F(sign, a_serial_is_revoked_only_under_its_issuer)
{
	char serial[64], path[SIGN_PATH + 32], list[SIGN_PATH + 32], want[2048];
	char issuer[2 * SBX_DIGEST_LEN + 1], sn[SBX_SERIAL_MAX_DIGITS + 2];
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(path, sizeof(path), "%s/%s.serial", sbx_pki,
		 strstr(self->key, "rsa") ? "rsa" : "leaf");
	read_line(path, serial, sizeof(serial));
	ASSERT_STRNE("", serial);
	ASSERT_EQ(0, sbx_cert_revocation_id(self->cert, issuer, sn, sizeof(sn), &d))
	TH_LOG("%s", d.msg);
	/* The control: the leaf's serial under the leaf's issuer is revoked. */
	snprintf(list, sizeof(list), "%s/revoked.list", self->trust);
	ASSERT_EQ(0, sbx_sh(self->r, "printf 'serial %%s %%s\\n' '%s' '%s' > '%s'", issuer, serial,
			    list));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want), "certificate '%s' (serial %s) is revoked\n", self->subject,
		 sn);
	EXPECT_NE(NULL, strstr(self->r->err, want)) TH_LOG("%s", self->r->err);
	/* The same serial under an issuer that is not the leaf's revokes nothing. */
	ASSERT_EQ(0, sbx_sh(self->r, "printf 'serial %%064d %%s\\n' 0 '%s' > '%s'", serial, list));
	ASSERT_VERIFY_OK(self, self->file, "true");
	/* Too long to store: refused, and nothing claims success. */
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "revoke", "serial",
			 "0000000000000000000000000000000000000000000000000000000000000000",
			 "1234567890123456789012345678901234567890123456789012345678901234567890"
			 "12345678901234567890123456789012345678901234567890123456789012345",
			 NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "is longer than 128 hex digits: it cannot be stored"));
}

/* Anchors obey the algorithm rule too: a weak anchor key would let anyone forge below it. */
TEST_F(sign, weak_anchor_keys_are_refused)
{
	static const struct {
		const char *name, *why;
	} weak[] = {
		{ "rsa1024", "RSA key of 1024 bits is too small: use RSA >= 2048 or ECDSA P-256" },
		{ "p384",
		  "EC key on curve secp384r1 is not supported: use ECDSA P-256 or RSA >= 2048" },
		/* Outside the allow-list: refused as a type, not as one of a list of weak ones. */
		{ "ed25519", "key type ED25519 is not supported: use ECDSA P-256 or RSA >= 2048" },
	};
	char cert[SIGN_PATH + 16], want[SIGN_PATH + 256];

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		snprintf(cert, sizeof(cert), "%s/%s.pem", sbx_pki, weak[i].name);
		ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "add", cert, NULL));
		EXPECT_EQ(2, self->r->status);
		EXPECT_STREQ("", self->r->out);
		snprintf(want, sizeof(want), "sbx trust: %s: %s\n", cert, weak[i].why);
		EXPECT_STREQ(want, self->r->err);
	}
}

/* An anchor someone else could have written or planted chooses nothing. */
TEST_F(sign, anchors_others_can_write_add_no_trust)
{
	char anchor[SIGN_PATH + 32], link_dir[SIGN_PATH + 32];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_VERIFY_OK(self, self->file, "true"); /* the control: 0644, ours */
	snprintf(anchor, sizeof(anchor), "%s/root.pem", self->trust);
	ASSERT_EQ(0, chmod(anchor, 0664));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "does not chain to a trust anchor"))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, chmod(anchor, 0644));
	/* A symlink to an anchor elsewhere (a system CA bundle, say) is not one. */
	snprintf(link_dir, sizeof(link_dir), "%s/linked", self->dir);
	ASSERT_EQ(0, mkdir(link_dir, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "ln -s '%s' '%s/root.pem'", anchor, link_dir));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", link_dir, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "does not chain to a trust anchor"))
	TH_LOG("%s", self->r->err);
	if (geteuid() != 0)
		return;
	/* Root's run: a file of another user in root's trust directory. */
	ASSERT_EQ(0, chown(anchor, 65534, 65534));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "does not chain to a trust anchor"));
}

TEST_HARNESS_MAIN
