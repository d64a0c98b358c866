// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "sign/cms.h"
#include "sign/hash.h"

const char *sbx_x509_subject(X509 *x, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	buf[0] = '\0';
	if (!b)
		return buf;
	X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_read(b, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return buf;
}

int sbx_x509_serial(X509 *x, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int err = hex ? sbx_serial_normalize(hex, buf, len) : -ENOMEM;

	OPENSSL_free(hex);
	BN_free(bn);
	return err;
}

const char *sbx_x509_serial_hex(X509 *x, char *buf, size_t len)
{
	if (sbx_x509_serial(x, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int sbx_x509_team_id(X509 *x, char *buf, size_t len, struct sbx_diag *diag)
{
	X509_NAME *name = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1);
	unsigned char *utf8 = NULL;
	char subject[256];
	int n, err = 0;

	buf[0] = '\0';
	if (i < 0)
		return 0;
	if (X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, i) >= 0)
		return sbx_diag_set(diag, -EINVAL,
				    "certificate '%s' has several OUs: the team identifier must be "
				    "its one OU",
				    sbx_x509_subject(x, subject, sizeof(subject)));
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	/* The whole OU or nothing: never cut at a NUL or at the field's size. */
	if (n <= 0 || n > SBX_TEAM_ID_MAX || (size_t)n >= len ||
	    !sbx_printable_token(utf8, (size_t)n))
		err = sbx_diag_set(diag, -EINVAL,
				   "certificate '%s': its OU is not a team identifier (1 to %d "
				   "printable ASCII characters, no spaces, no NUL)",
				   sbx_x509_subject(x, subject, sizeof(subject)), SBX_TEAM_ID_MAX);
	else
		snprintf(buf, len, "%.*s", n, utf8);
	OPENSSL_free(utf8);
	return err;
}

const char *sbx_asn1_time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		snprintf(buf, len, "?");
	else
		sbx_rfc3339(buf, len, timegm(&tm), 0, 0);
	return buf;
}

static const char *ossl_err(void)
{
	static __thread char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static bool has_code_signing_eku(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
	       (X509_get_extended_key_usage(x) & XKU_CODE_SIGN);
}

int sbx_key_supported(EVP_PKEY *key, struct sbx_diag *diag)
{
	char group[64] = "";
	size_t glen = 0;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(key) < 2048)
			return sbx_diag_set(
				diag, -EINVAL,
				"RSA key of %d bits is too small: use RSA >= 2048 or ECDSA P-256",
				EVP_PKEY_get_bits(key));
		return 0;
	case EVP_PKEY_EC:
		EVP_PKEY_get_group_name(key, group, sizeof(group), &glen);
		if (strcmp(group, "prime256v1") && strcmp(group, "P-256"))
			return sbx_diag_set(diag, -EINVAL,
					    "EC key on curve %s is not supported: use ECDSA P-256 "
					    "or RSA >= 2048",
					    group[0] ? group : "?");
		return 0;
	default:
		return sbx_diag_set(diag, -EINVAL,
				    "key type %s is not supported: use ECDSA P-256 or RSA >= 2048",
				    EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key)
								 : "?");
	}
}

static FILE *open_pem(const char *path, const char *what, struct sbx_diag *diag)
{
	FILE *f = fopen(path, "re");

	if (!f)
		sbx_diag_set(diag, -errno, "cannot open %s %s: %m", what, path);
	return f;
}

/*
 * Verify accepts only the signer and its issuers in the certificate bag: each --chain
 * certificate must issue the leaf or another one of them, with keys verify accepts.
 */
static int chain_is_path(struct sbx_signer *s, const char *chain_path, struct sbx_diag *diag)
{
	struct sbx_diag why = { 0 };
	char subject[256];
	X509 *cur = s->cert;
	int n = sk_X509_num(s->chain), used = 0;

	while (used < n) {
		X509 *next = NULL;

		for (int i = 0; i < n && !next; i++)
			if (X509_check_issued(sk_X509_value(s->chain, i), cur) == X509_V_OK &&
			    X509_cmp(sk_X509_value(s->chain, i), cur))
				next = sk_X509_value(s->chain, i);
		if (!next)
			break;
		if (sbx_key_supported(X509_get0_pubkey(next), &why))
			return sbx_diag_set(diag, -EINVAL, "%s: certificate '%s': %s", chain_path,
					    sbx_x509_subject(next, subject, sizeof(subject)),
					    why.msg);
		used++;
		cur = next;
	}
	ERR_clear_error();
	if (used != n)
		return sbx_diag_set(diag, -EINVAL,
				    "%s holds certificates that are not the issuers of '%s': pass "
				    "only its chain (sbx verify refuses any other certificate)",
				    chain_path,
				    sbx_x509_subject(s->cert, subject, sizeof(subject)));
	return 0;
}

int sbx_signer_load(struct sbx_signer *s, const char *key_path, const char *cert_path,
		    const char *chain_path, struct sbx_diag *diag)
{
	FILE *f;
	int err;

	memset(s, 0, sizeof(*s));
	s->chain = sk_X509_new_null();
	if (!s->chain)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	f = open_pem(key_path, "key", diag);
	if (!f)
		return diag->err;
	s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!s->key)
		return sbx_diag_set(diag, -EINVAL, "%s: not a PEM private key (%s)", key_path,
				    ossl_err());
	err = sbx_key_supported(s->key, diag);
	if (err)
		return err;
	f = open_pem(cert_path, "certificate", diag);
	if (!f)
		return diag->err;
	s->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!s->cert)
		return sbx_diag_set(diag, -EINVAL, "%s: not a PEM certificate (%s)", cert_path,
				    ossl_err());
	if (!X509_check_private_key(s->cert, s->key)) {
		ERR_clear_error();
		return sbx_diag_set(diag, -EINVAL, "the key %s does not match the certificate %s",
				    key_path, cert_path);
	}
	if (chain_path) {
		X509 *x;

		f = open_pem(chain_path, "chain", diag);
		if (!f)
			return diag->err;
		while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
			if (sk_X509_num(s->chain) >= SBX_CMS_MAX_CERTS - 1 ||
			    !sk_X509_push(s->chain, x)) {
				X509_free(x);
				fclose(f);
				return sbx_diag_set(diag, -E2BIG, "%s: more than %d certificates",
						    chain_path, SBX_CMS_MAX_CERTS - 1);
			}
		}
		ERR_clear_error();
		fclose(f);
		if (!sk_X509_num(s->chain))
			return sbx_diag_set(diag, -EINVAL, "%s: no PEM certificate in it",
					    chain_path);
		/* A self-signed root is the verifier's anchor, never carried (FORMAT.md 4). */
		for (int i = sk_X509_num(s->chain) - 1; i >= 0; i--)
			if (X509_get_extension_flags(sk_X509_value(s->chain, i)) & EXFLAG_SS)
				X509_free(sk_X509_delete(s->chain, i));
	}
	err = sbx_x509_team_id(s->cert, s->team_id, sizeof(s->team_id), diag);
	if (err)
		return err;
	err = chain_is_path(s, chain_path, diag);
	if (err)
		return err;
	sbx_x509_subject(s->cert, s->subject, sizeof(s->subject));
	s->lacks_code_signing_eku = !has_code_signing_eku(s->cert);
	s->outside_validity = X509_cmp_current_time(X509_get0_notBefore(s->cert)) >= 0 ||
			      X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0;
	return 0;
}

size_t sbx_signer_warnings(const struct sbx_signer *s, char out[][512], size_t max)
{
	size_t n = 0;

	if (s->lacks_code_signing_eku && n < max)
		snprintf(out[n++], 512,
			 "certificate '%s' lacks the code-signing extended key usage: sbx verify "
			 "will reject these signatures",
			 s->subject);
	if (s->outside_validity && n < max)
		snprintf(out[n++], 512, "certificate '%s' is not valid now", s->subject);
	return n;
}

void sbx_signer_free(struct sbx_signer *s)
{
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	memset(s, 0, sizeof(*s));
}

static int cms_sign_once(const struct sbx_signer *s, const uint8_t *cd, size_t cd_len,
			 uint8_t **der, size_t *der_len, struct sbx_diag *diag)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
	BIO *in = BIO_new_mem_buf(cd, (int)cd_len);
	CMS_ContentInfo *ci = NULL;
	unsigned char *out = NULL;
	int n, err = 0;

	if (!in)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	ci = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!ci || !CMS_add1_signer(ci, s->cert, s->key, EVP_sha256(), flags)) {
		err = sbx_diag_set(diag, -EINVAL, "CMS signing failed: %s", ossl_err());
		goto out;
	}
	for (int i = 0; i < sk_X509_num(s->chain); i++)
		if (!CMS_add1_cert(ci, sk_X509_value(s->chain, i))) {
			err = sbx_diag_set(diag, -EINVAL, "CMS signing failed: %s", ossl_err());
			goto out;
		}
	if (!CMS_final(ci, in, NULL, flags)) {
		err = sbx_diag_set(diag, -EINVAL, "CMS signing failed: %s", ossl_err());
		goto out;
	}
	if (EVP_PKEY_get_base_id(s->key) == EVP_PKEY_EC) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ci), 0);
		ASN1_OCTET_STRING *sig = si ? CMS_SignerInfo_get0_signature(si) : NULL;

		if (!sig || !sbx_ecdsa_sig_low_s(s->key, ASN1_STRING_get0_data(sig),
						 (size_t)ASN1_STRING_length(sig))) {
			err = -EAGAIN;
			goto out;
		}
	}
	n = i2d_CMS_ContentInfo(ci, &out);
	if (n <= 0 || (unsigned int)n > SBX_CMS_MAX_LEN) {
		err = sbx_diag_set(diag, -E2BIG,
				   "the CMS signature is %d bytes, over the %u-byte limit", n,
				   SBX_CMS_MAX_LEN);
		goto out;
	}
	*der = malloc((size_t)n);
	if (!*der) {
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, out, (size_t)n);
	*der_len = (size_t)n;
out:
	OPENSSL_free(out);
	CMS_ContentInfo_free(ci);
	BIO_free(in);
	return err;
}

int sbx_cms_sign(const struct sbx_signer *s, const uint8_t *cd, size_t cd_len, uint8_t **der,
		 size_t *der_len, struct sbx_diag *diag)
{
	int err = -EAGAIN;

	/* Half of all ECDSA signatures have a high s: sign again (FORMAT.md, section 4). */
	for (int i = 0; i < 64 && err == -EAGAIN; i++)
		err = cms_sign_once(s, cd, cd_len, der, der_len, diag);
	if (err == -EAGAIN)
		err = sbx_diag_set(diag, -EIO, "CMS signing failed: no low-s ECDSA signature");
	return err;
}

static int cms_bad(struct sbx_diag *diag, const char *what)
{
	ERR_clear_error();
	return sbx_diag_set(diag, -EBADMSG, "malformed CMS signature: %s", what);
}

static time_t signing_time_of(CMS_SignerInfo *si)
{
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *attr = i >= 0 ? CMS_signed_get_attr(si, i) : NULL;
	ASN1_TYPE *t = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	struct tm tm;

	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) ||
	    !ASN1_TIME_to_tm((ASN1_TIME *)t->value.ptr, &tm))
		return 0;
	return timegm(&tm);
}

int sbx_cms_parse(const uint8_t *der, size_t len, struct sbx_cms *c, struct sbx_diag *diag)
{
	const unsigned char *p = der;
	STACK_OF(CMS_SignerInfo) * sis;
	X509_ALGOR *dig = NULL;
	ASN1_OCTET_STRING **content;

	memset(c, 0, sizeof(*c));
	if (!len || len > SBX_CMS_MAX_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed CMS signature: %zu bytes, outside 1..%u", len,
				    SBX_CMS_MAX_LEN);
	c->ci = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (!c->ci)
		return cms_bad(diag, "not DER ContentInfo");
	if (p != der + len)
		return cms_bad(diag, "bytes after the DER structure");
	if (OBJ_obj2nid(CMS_get0_type(c->ci)) != NID_pkcs7_signed)
		return cms_bad(diag, "not SignedData");
	content = CMS_get0_content(c->ci);
	if (!content || *content)
		return cms_bad(diag, "content is embedded, not detached");
	sis = CMS_get0_SignerInfos(c->ci);
	if (sk_CMS_SignerInfo_num(sis) != 1)
		return cms_bad(diag, "not exactly one signer");
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, NULL);
	if (!dig || OBJ_obj2nid(dig->algorithm) != NID_sha256)
		return cms_bad(diag, "digest algorithm is not SHA-256");
	c->certs = CMS_get1_certs(c->ci);
	if (!c->certs || !sk_X509_num(c->certs))
		return cms_bad(diag, "no certificates");
	if (sk_X509_num(c->certs) > SBX_CMS_MAX_CERTS)
		return cms_bad(diag, "more than 16 certificates");
	c->signing_time = signing_time_of(sk_CMS_SignerInfo_value(sis, 0));
	return sbx_cms_check_canonical(der, len, c, diag);
}

int sbx_cms_check_signature(struct sbx_cms *c, const uint8_t *cd, size_t cd_len,
			    struct sbx_diag *diag)
{
	/*
	 * OpenSSL 3.0's CMS_verify copies a memory BIO and leaks the copy when the SignerInfo
	 * is unusable; behind a buffering filter the content is used, and freed, as given.
	 */
	BIO *mem = BIO_new_mem_buf(cd, (int)cd_len), *buffer = BIO_new(BIO_f_buffer());
	BIO *in = mem && buffer ? BIO_push(buffer, mem) : NULL;
	STACK_OF(X509) * signers;
	int ok;

	if (!in) {
		BIO_free(mem);
		BIO_free(buffer);
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	}
	ok = CMS_verify(c->ci, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
	BIO_free_all(in);
	if (!ok) {
		unsigned long e = ERR_peek_last_error();

		ERR_clear_error();
		if (ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
			return sbx_diag_set(diag, -EBADMSG,
					    "malformed CMS signature: it does not carry the "
					    "signer's certificate");
		return sbx_diag_set(diag, -EKEYREJECTED,
				    "the CMS signature does not match the code directory (the "
				    "signature or code directory was altered)");
	}
	signers = CMS_get0_signers(c->ci);
	c->signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
	sk_X509_free(signers);
	if (!c->signer)
		return cms_bad(diag, "no signer certificate");
	return 0;
}

static bool sha2_signed(X509 *x)
{
	int md = NID_undef, pk = NID_undef;

	if (!X509_get_signature_info(x, &md, &pk, NULL, NULL))
		return false;
	return (md == NID_sha256 || md == NID_sha384 || md == NID_sha512) &&
	       (pk == NID_X9_62_id_ecPublicKey || pk == NID_rsaEncryption);
}

/*
 * What OpenSSL's chain building does not check: every certificate of the chain, anchor
 * included, has a key sbx allows; every signature below the anchor uses SHA-2; a CA
 * with an extended key usage allows code signing; the bag holds only the chain.
 */
static int chain_policy(struct sbx_cms *c, STACK_OF(X509) * chain, enum sbx_verify_reason *reason,
			struct sbx_diag *diag)
{
	int n = sk_X509_num(chain);
	struct sbx_diag why = { 0 };
	char subject[256];

	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		bool top = i == n - 1;

		sbx_x509_subject(x, subject, sizeof(subject));
		if (sbx_key_supported(X509_get0_pubkey(x), &why)) {
			*reason = SBX_REASON_CERT_INVALID;
			return sbx_diag_set(diag, -EKEYREJECTED, "certificate '%s': %s", subject,
					    why.msg);
		}
		/* The anchor is trusted for its key; its own signature vouches for nothing. */
		if (!top && !sha2_signed(x)) {
			*reason = SBX_REASON_CERT_INVALID;
			return sbx_diag_set(diag, -EKEYREJECTED,
					    "certificate '%s' is not signed with ECDSA or RSA over "
					    "SHA-256, SHA-384 or SHA-512",
					    subject);
		}
		if (i > 0 && (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
		    !(X509_get_extended_key_usage(x) & (XKU_CODE_SIGN | XKU_ANYEKU))) {
			*reason = SBX_REASON_NO_CODE_SIGNING_EKU;
			return sbx_diag_set(
				diag, -EKEYREJECTED,
				"CA certificate '%s' has an extended key usage without "
				"code signing: it cannot issue code-signing certificates",
				subject);
		}
	}
	/*
	 * The bag is exactly the chain below its self-signed root (the signer always, even a
	 * self-signed one trusted directly): nothing to add or drop.
	 */
	for (int i = 0; i < sk_X509_num(c->certs); i++) {
		X509 *x = sk_X509_value(c->certs, i);
		bool on_path = false;

		for (int j = 0; j < n && !on_path; j++)
			on_path = !X509_cmp(x, sk_X509_value(chain, j));
		if (!on_path ||
		    (X509_cmp(x, c->signer) && (X509_get_extension_flags(x) & EXFLAG_SS))) {
			*reason = SBX_REASON_MALFORMED;
			return sbx_diag_set(diag, -EBADMSG,
					    "malformed CMS signature: it carries certificate '%s', "
					    "which is %s",
					    sbx_x509_subject(x, subject, sizeof(subject)),
					    on_path ? "a self-signed root"
						    : "not on the signer's chain");
		}
	}
	for (int j = 0; j < n; j++) {
		X509 *x = sk_X509_value(chain, j);
		bool carried = false;

		for (int i = 0; i < sk_X509_num(c->certs) && !carried; i++)
			carried = !X509_cmp(x, sk_X509_value(c->certs, i));
		if (!carried && !(X509_get_extension_flags(x) & EXFLAG_SS)) {
			*reason = SBX_REASON_MALFORMED;
			return sbx_diag_set(
				diag, -EBADMSG,
				"malformed CMS signature: it does not carry certificate "
				"'%s' of the signer's chain",
				sbx_x509_subject(x, subject, sizeof(subject)));
		}
	}
	ERR_clear_error();
	return 0;
}

/* SHA-256 of x's SubjectPublicKeyInfo (DER): names an anchor across re-issued certificates. */
static int anchor_digest(X509 *x, uint8_t out[32], struct sbx_diag *diag)
{
	unsigned char *der = NULL;
	int len = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;

	if (len <= 0)
		return sbx_diag_set(diag, -ENOMEM, "cannot encode the trust anchor's public key");
	sbx_sha256(der, (size_t)len, out);
	OPENSSL_free(der);
	return 0;
}

int sbx_cms_verify_chain(struct sbx_cms *c, X509_STORE *anchors, const char *anchors_dir, time_t at,
			 const struct sbx_revocations *rev, enum sbx_verify_reason *reason,
			 struct sbx_diag *diag)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char subject[256], when[40], serial[SBX_SERIAL_MAX_DIGITS + 2];
	STACK_OF(X509) * chain;
	X509 *bad;
	int err = 0, code;

	if (!ctx || !X509_STORE_CTX_init(ctx, anchors, c->signer, c->certs)) {
		*reason = SBX_REASON_IO;
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
		goto out;
	}
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_CTX_set_time(ctx, 0, at);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	/* Keys and signature algorithms: chain_policy's list, stricter than any security level. */
	if (X509_verify_cert(ctx) != 1) {
		code = X509_STORE_CTX_get_error(ctx);
		bad = X509_STORE_CTX_get_current_cert(ctx);
		sbx_x509_subject(bad ? bad : c->signer, subject, sizeof(subject));
		ERR_clear_error();
		switch (code) {
		case X509_V_ERR_CERT_HAS_EXPIRED:
			*reason = SBX_REASON_EXPIRED;
			err = sbx_diag_set(
				diag, -EKEYEXPIRED, "certificate '%s' expired on %s", subject,
				sbx_asn1_time_str(X509_get0_notAfter(bad), when, sizeof(when)));
			break;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			*reason = SBX_REASON_NOT_YET_VALID;
			err = sbx_diag_set(
				diag, -EKEYEXPIRED, "certificate '%s' is not valid before %s",
				subject,
				sbx_asn1_time_str(X509_get0_notBefore(bad), when, sizeof(when)));
			break;
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_CERT_UNTRUSTED:
			*reason = SBX_REASON_UNTRUSTED;
			sbx_x509_subject(c->signer, subject, sizeof(subject));
			err = sbx_diag_set(
				diag, -EKEYREJECTED,
				"untrusted signer: '%s' does not chain to a trust anchor in %s",
				subject, anchors_dir);
			break;
		default:
			*reason = SBX_REASON_CERT_INVALID;
			err = sbx_diag_set(diag, -EKEYREJECTED,
					   "certificate '%s' is not acceptable: %s", subject,
					   X509_verify_cert_error_string(code));
		}
		goto out;
	}
	chain = X509_STORE_CTX_get0_chain(ctx);
	err = chain_policy(c, chain, reason, diag);
	if (err)
		goto out;
	/* The top of a verified chain is the anchor that vouched for it (partial chains too). */
	err = anchor_digest(sk_X509_value(chain, sk_X509_num(chain) - 1), c->anchor, diag);
	if (err) {
		*reason = SBX_REASON_IO;
		goto out;
	}
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		uint8_t issuer[SBX_DIGEST_LEN];

		/* Every certificate accepted must be one a revocation can name. */
		if (sbx_x509_revocation_id(x, issuer, serial, sizeof(serial))) {
			*reason = SBX_REASON_CERT_INVALID;
			err = sbx_diag_set(diag, -EKEYREJECTED,
					   "certificate '%s' has a serial longer than %d bytes: it "
					   "could not be revoked",
					   sbx_x509_subject(x, subject, sizeof(subject)),
					   SBX_SERIAL_MAX_DIGITS / 2);
			goto out;
		}
		if (rev && sbx_revoked_cert(rev, issuer, serial)) {
			*reason = SBX_REASON_REVOKED;
			err = sbx_diag_set(diag, -EKEYREVOKED,
					   "certificate '%s' (serial %s) is revoked",
					   sbx_x509_subject(x, subject, sizeof(subject)), serial);
			goto out;
		}
	}
	if ((X509_get_extension_flags(c->signer) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(c->signer) & KU_DIGITAL_SIGNATURE)) {
		*reason = SBX_REASON_WRONG_KEY_USAGE;
		err = sbx_diag_set(diag, -EKEYREJECTED,
				   "certificate '%s' has a key usage without digitalSignature",
				   sbx_x509_subject(c->signer, subject, sizeof(subject)));
		goto out;
	}
	if (!has_code_signing_eku(c->signer)) {
		*reason = SBX_REASON_NO_CODE_SIGNING_EKU;
		err = sbx_diag_set(diag, -EKEYREJECTED,
				   "certificate '%s' lacks the code-signing extended key usage",
				   sbx_x509_subject(c->signer, subject, sizeof(subject)));
	}
out:
	X509_STORE_CTX_free(ctx);
	return err;
}

void sbx_cms_free(struct sbx_cms *c)
{
	sk_X509_pop_free(c->certs, X509_free);
	CMS_ContentInfo_free(c->ci);
	memset(c, 0, sizeof(*c));
}
