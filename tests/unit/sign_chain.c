// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a chain may be made of (issue 9, items 5, 6 and 11): P-256 or RSA >= 2048 keys
 * for every certificate, anchor included; SHA-2 signatures below the anchor; CAs whose
 * extended key usage allows code signing; a team id that is the subject's one OU, whole.
 * Each case builds its chain in memory, signs with the library (as an attacker with such a
 * key would: sbx sign itself refuses weak keys) and runs verify's CMS and chain checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "sign/trust.h"
#include "sign_pki.h"

static const uint8_t content[] = "SBXC stands for a code directory";

struct chain_case {
	const char *root_key, *int_key, *leaf_key;
	const char *int_eku; /* NULL: none */
	const EVP_MD *(*leaf_md)(void); /* how the intermediate signs the leaf */
	bool valid;
	const char *message; /* a part of the expected message when refused */
	enum sbx_verify_reason reason; /* the expected reason when refused */
};

/*
 * Sign content with key/leaf (intermediate inter carried) as the library does, then run
 * verify's CMS path against an anchor store holding root. 0 when accepted.
 */
static int sign_and_verify(EVP_PKEY *key, X509 *leaf, X509 *inter, X509 *root,
			   const struct sbx_revocations *rev, enum sbx_verify_reason *reason,
			   char *why, size_t why_len)
{
	struct sbx_signer signer;
	struct sbx_diag diag = { 0 };
	X509_STORE *store = X509_STORE_new();
	struct sbx_cms cms = { 0 };
	uint8_t *der = NULL;
	size_t len;
	int err;

	X509_STORE_add_cert(store, root);
	pki_signer(&signer, key, leaf, inter);
	err = sbx_cms_sign(&signer, content, sizeof(content), &der, &len, &diag);
	sk_X509_free(signer.chain);
	if (!err)
		err = sbx_cms_parse(der, len, &cms, &diag);
	if (!err)
		err = sbx_cms_check_signature(&cms, content, sizeof(content), &diag);
	if (!err)
		err = sbx_cms_verify_chain(&cms, store, "anchors", time(NULL), rev, reason, &diag);
	sbx_cms_free(&cms);
	snprintf(why, why_len, "%s", diag.msg);
	free(der);
	X509_STORE_free(store);
	return err;
}

/* 0 when sbx's verifier accepts a signature by a chain built as c says. */
static int verify_case(const struct chain_case *c, char *why, size_t why_len,
		       enum sbx_verify_reason *reason)
{
	EVP_PKEY *rk = pki_key(c->root_key), *ik = pki_key(c->int_key), *lk = pki_key(c->leaf_key);
	X509 *root, *inter, *leaf;
	int err;

	root = pki_cert(&(struct pki_cert_opts){ .cn = "root", .ca = true, .serial = 1 }, rk, NULL,
			NULL);
	inter = pki_cert(
		&(struct pki_cert_opts){
			.cn = "intermediate", .ca = true, .eku = c->int_eku, .serial = 2 },
		ik, root, rk);
	leaf = pki_cert(&(struct pki_cert_opts){ .cn = "leaf",
						 .ou = "TEAM42",
						 .eku = "codeSigning",
						 .md = c->leaf_md ? c->leaf_md() : NULL,
						 .serial = 3 },
			lk, inter, ik);
	if (!root || !inter || !leaf) {
		snprintf(why, why_len, "cannot build the test chain");
		err = -1;
		goto out;
	}
	err = sign_and_verify(lk, leaf, inter, root, NULL, reason, why, why_len);
out:
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	return err;
}

FIXTURE(chain){};
FIXTURE_VARIANT(chain)
{
	struct chain_case c;
};
FIXTURE_SETUP(chain)
{
}
FIXTURE_TEARDOWN(chain)
{
}

#define P256	     "EC:P-256"
#define LEAF	     "certificate 'CN=leaf,OU=TEAM42,O=sbx tests'"
#define INTER	     "certificate 'CN=intermediate,O=sbx tests'"
#define ROOT	     "certificate 'CN=root,O=sbx tests'"
#define REFUSED(msg) .message = (msg), .reason = SBX_REASON_CERT_INVALID
FIXTURE_VARIANT_ADD(chain, p256_everywhere){ { P256, P256, P256, .valid = true } };
FIXTURE_VARIANT_ADD(chain, rsa2048_leaf){ { P256, P256, "RSA:2048", .valid = true } };
FIXTURE_VARIANT_ADD(chain, leaf_signed_sha384){ { P256, P256, P256, .leaf_md = EVP_sha384,
						  .valid = true } };
FIXTURE_VARIANT_ADD(chain, rsa1024_leaf){ { P256, P256, "RSA:1024",
					    REFUSED(LEAF ": RSA key of 1024 bits is too small") } };
FIXTURE_VARIANT_ADD(chain, rsa1024_intermediate){
	{ P256, "RSA:1024", P256, REFUSED(INTER ": RSA key of 1024 bits is too small") }
};
FIXTURE_VARIANT_ADD(chain, rsa1024_anchor){
	{ "RSA:1024", P256, P256, REFUSED(ROOT ": RSA key of 1024 bits is too small") }
};
FIXTURE_VARIANT_ADD(chain, secp256k1_leaf){
	{ P256, P256, "EC:secp256k1", REFUSED(LEAF ": EC key on curve secp256k1 is not supported") }
};
FIXTURE_VARIANT_ADD(chain, p384_leaf){
	{ P256, P256, "EC:P-384", REFUSED(LEAF ": EC key on curve secp384r1 is not supported") }
};
FIXTURE_VARIANT_ADD(chain, p384_intermediate){
	{ P256, "EC:P-384", P256, REFUSED(INTER ": EC key on curve secp384r1 is not supported") }
};
FIXTURE_VARIANT_ADD(chain, p384_anchor){
	{ "EC:P-384", P256, P256, REFUSED(ROOT ": EC key on curve secp384r1 is not supported") }
};
/*
 * Algorithms outside the allow-list are refused by default, not by a list of weak ones
 * (OpenSSL's security level is not consulted): an Ed25519 key signs its subject with an
 * algorithm the list does not name.
 */
FIXTURE_VARIANT_ADD(chain, ed25519_anchor){
	{ "ED25519", P256, P256,
	  REFUSED(INTER " is not signed with ECDSA or RSA over SHA-256, SHA-384 or SHA-512") }
};
FIXTURE_VARIANT_ADD(chain, ed25519_intermediate){
	{ P256, "ED25519", P256,
	  REFUSED(LEAF " is not signed with ECDSA or RSA over SHA-256, SHA-384 or SHA-512") }
};
FIXTURE_VARIANT_ADD(chain, sha1_signed_leaf){
	{ P256, P256, P256, .leaf_md = EVP_sha1,
	  REFUSED(LEAF " is not signed with ECDSA or RSA over SHA-256, SHA-384 or SHA-512") }
};
FIXTURE_VARIANT_ADD(chain, md5_signed_leaf){
	{ P256, "RSA:2048", P256, .leaf_md = EVP_md5,
	  REFUSED(LEAF " is not signed with ECDSA or RSA over SHA-256, SHA-384 or SHA-512") }
};
FIXTURE_VARIANT_ADD(chain, server_auth_intermediate){
	{ P256, P256, P256, "serverAuth",
	  .message = "CA " INTER " has an extended key usage without code signing: it cannot "
		     "issue code-signing certificates",
	  .reason = SBX_REASON_NO_CODE_SIGNING_EKU }
};
FIXTURE_VARIANT_ADD(chain, code_signing_intermediate){ { P256, P256, P256, "codeSigning",
							 .valid = true } };
FIXTURE_VARIANT_ADD(chain, any_eku_intermediate){ { P256, P256, P256, "anyExtendedKeyUsage",
						    .valid = true } };

TEST_F(chain, verdict)
{
	enum sbx_verify_reason reason = SBX_REASON_NONE;
	char why[512];
	int err = verify_case(&variant->c, why, sizeof(why), &reason);

	if (variant->c.valid) {
		EXPECT_EQ(0, err)
		{
			TH_LOG("refused: %s", why);
		}
	} else {
		/* Refused by the chain check, for this reason: not by signing, not another. */
		EXPECT_EQ(-EKEYREJECTED, err);
		EXPECT_EQ((int)variant->c.reason, (int)reason);
		EXPECT_EQ(0, strncmp(why, variant->c.message, strlen(variant->c.message)))
		{
			TH_LOG("message: %s", why);
		}
	}
}

/* A self-signed code-signing certificate trusted directly: the bag is the signer alone. */
TEST(self_signed_signer_trusted_directly)
{
	EVP_PKEY *k = pki_key(P256);
	X509 *self_signed = pki_cert(
		&(struct pki_cert_opts){ .cn = "solo", .ou = "TEAM42", .eku = "codeSigning" }, k,
		NULL, NULL);
	enum sbx_verify_reason reason = SBX_REASON_NONE;
	char why[512];

	ASSERT_NE(NULL, self_signed);
	EXPECT_EQ(0, sign_and_verify(k, self_signed, NULL, self_signed, NULL, &reason, why,
				     sizeof(why)))
	{
		TH_LOG("%s", why);
	}
	X509_free(self_signed);
	EVP_PKEY_free(k);
}

/* ---- team identifiers ---- */

static int team_of(const struct pki_cert_opts *o, char *team, size_t len, char *why, size_t why_len)
{
	EVP_PKEY *k = pki_key(P256);
	X509 *x = pki_cert(o, k, NULL, NULL);
	struct sbx_diag diag = { 0 };
	int err = x ? sbx_x509_team_id(x, team, len, &diag) : -1;

	snprintf(why, why_len, "%s", diag.msg);
	X509_free(x);
	EVP_PKEY_free(k);
	return err;
}

TEST(team_id_is_the_one_ou)
{
	char team[SBX_TEAM_ID_MAX + 1], why[512];
	char ou64[65];

	ASSERT_EQ(0, team_of(&(struct pki_cert_opts){ .cn = "a", .ou = "TEAM42" }, team,
			     sizeof(team), why, sizeof(why)));
	EXPECT_STREQ("TEAM42", team);
	ASSERT_EQ(0, team_of(&(struct pki_cert_opts){ .cn = "a" }, team, sizeof(team), why,
			     sizeof(why)));
	EXPECT_STREQ("", team);
	memset(ou64, 'A', 64);
	ou64[64] = '\0';
	ASSERT_EQ(0, team_of(&(struct pki_cert_opts){ .cn = "a", .ou = ou64 }, team, sizeof(team),
			     why, sizeof(why)));
	EXPECT_STREQ(ou64, team);
}

TEST(team_id_with_a_nul_is_refused)
{
	char team[SBX_TEAM_ID_MAX + 1], why[512];

	EXPECT_EQ(-EINVAL,
		  team_of(&(struct pki_cert_opts){ .cn = "a", .ou = "TEAM42\0EVIL", .ou_len = 11 },
			  team, sizeof(team), why, sizeof(why)));
	EXPECT_STREQ("", team);
	EXPECT_STREQ("certificate 'CN=a,OU=TEAM42\\00EVIL,O=sbx tests': its OU is not a team "
		     "identifier (1 to 64 printable ASCII characters, no spaces, no NUL)",
		     why);
}

TEST(team_id_longer_than_the_field_is_refused)
{
	char team[SBX_TEAM_ID_MAX + 1], why[512], ou65[66];

	memset(ou65, 'A', 65);
	ou65[65] = '\0';
	EXPECT_EQ(-EINVAL, team_of(&(struct pki_cert_opts){ .cn = "a", .ou = ou65 }, team,
				   sizeof(team), why, sizeof(why)));
	EXPECT_STREQ("", team);
}

TEST(several_ous_are_refused)
{
	char team[SBX_TEAM_ID_MAX + 1], why[512];

	EXPECT_EQ(-EINVAL, team_of(&(struct pki_cert_opts){ .cn = "a", .ou = "TEAM42", .ou2 = "X" },
				   team, sizeof(team), why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "has several OUs"));
}

TEST(ou_with_a_space_is_refused)
{
	char team[SBX_TEAM_ID_MAX + 1], why[512];

	EXPECT_EQ(-EINVAL, team_of(&(struct pki_cert_opts){ .cn = "a", .ou = "IT Department" },
				   team, sizeof(team), why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "its OU is not a team identifier"));
}

/* ---- revocation by (issuer, serial) ---- */

static int chain_with_leaf_serial(const char *serial_hex, const struct sbx_revocations *rev,
				  char *why, size_t why_len, enum sbx_verify_reason *reason)
{
	struct pki p;
	int err;

	if (pki_make(&p, P256))
		return -1;
	X509_free(p.leaf);
	p.leaf = pki_cert(&(struct pki_cert_opts){ .cn = "leaf",
						   .ou = "TEAM42",
						   .eku = "codeSigning",
						   .serial_hex = serial_hex },
			  p.leaf_key, p.inter, p.int_key);
	err = sign_and_verify(p.leaf_key, p.leaf, p.inter, p.root, rev, reason, why, why_len);
	pki_free(&p);
	return err;
}

TEST(negative_serial_is_revoked_exactly)
{
	struct sbx_revocations rev = { 0 };
	struct sbx_revoked_cert c = { .serial = "-5" };
	enum sbx_verify_reason reason = SBX_REASON_NONE;
	X509_NAME *issuer = X509_NAME_new();
	unsigned int n = SBX_DIGEST_LEN;
	char why[512];

	/* The intermediate's subject, as pki_make names it, is the leaf's issuer. */
	X509_NAME_add_entry_by_txt(issuer, "O", MBSTRING_ASC, (const unsigned char *)"sbx tests",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
				   (const unsigned char *)"intermediate", -1, -1, 0);
	ASSERT_EQ(1, X509_NAME_digest(issuer, EVP_sha256(), c.issuer, &n));
	X509_NAME_free(issuer);
	rev.certs = &c;
	rev.n_certs = 1;
	EXPECT_EQ(0, chain_with_leaf_serial("5", &rev, why, sizeof(why), &reason))
	{
		TH_LOG("%s", why);
	}
	EXPECT_NE(0, chain_with_leaf_serial("-5", &rev, why, sizeof(why), &reason));
	EXPECT_EQ((int)SBX_REASON_REVOKED, (int)reason);
	EXPECT_STREQ("certificate 'CN=leaf,OU=TEAM42,O=sbx tests' (serial -5) is revoked", why);
	/* The same serial under another issuer is another certificate. */
	c.issuer[0] ^= 1;
	EXPECT_EQ(0, chain_with_leaf_serial("-5", &rev, why, sizeof(why), &reason));
}

TEST(serial_too_long_to_revoke_is_refused)
{
	char serial[2 * 70 + 1], why[512];
	enum sbx_verify_reason reason = SBX_REASON_NONE;

	memset(serial, '7', sizeof(serial) - 1);
	serial[sizeof(serial) - 1] = '\0';
	EXPECT_NE(0, chain_with_leaf_serial(serial, NULL, why, sizeof(why), &reason));
	EXPECT_STREQ("certificate 'CN=leaf,OU=TEAM42,O=sbx tests' has a serial longer than 64 "
		     "bytes: it could not be revoked",
		     why);
}

/* sbx trust list names an anchor by its whole serial, up to the longest one sbx accepts. */
TEST(anchor_listed_with_its_whole_serial)
{
	char serial[SBX_SERIAL_MAX_DIGITS + 1], dir[256], path[300];
	EVP_PKEY *k = pki_key(P256);
	struct sbx_anchor_info *a = NULL;
	struct sbx_diag diag = { 0 };
	X509 *x;
	size_t n = 0;
	FILE *f;

	memset(serial, '7', SBX_SERIAL_MAX_DIGITS);
	serial[SBX_SERIAL_MAX_DIGITS] = '\0';
	x = pki_cert(&(struct pki_cert_opts){ .cn = "anchor", .ca = true, .serial_hex = serial }, k,
		     NULL, NULL);
	ASSERT_NE(NULL, x);
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/anchor.pem", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	PEM_write_X509(f, x);
	fclose(f);
	ASSERT_EQ(0, sbx_trust_list(dir, &a, &n, &diag)) TH_LOG("%s", diag.msg);
	ASSERT_EQ(1U, n);
	EXPECT_STREQ(serial, a[0].serial);
	free(a);
	sbx_rmtree(dir);
	X509_free(x);
	EVP_PKEY_free(k);
}

TEST_HARNESS_MAIN
