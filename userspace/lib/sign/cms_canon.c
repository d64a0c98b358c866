// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The canonical CMS rule (FORMAT.md section 4): a signature region is accepted only if it
 * is byte for byte the DER that `sbx sign` writes for the same signer, certificates,
 * signed attributes and signature value. The expected bytes are rebuilt here from what
 * OpenSSL parsed, with a DER writer of our own, and compared with the input: whatever
 * OpenSSL tolerates (BER lengths, unsigned attributes, CRLs, other certificate choices,
 * a second digest algorithm, a subjectKeyIdentifier signer id, reordered SETs, trailing
 * bytes) makes them differ.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "sign/cms.h"

struct der {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void der_add(struct der *d, const void *bytes, size_t n)
{
	if (d->oom)
		return;
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		uint8_t *grown;

		while (cap < d->len + n)
			cap *= 2;
		grown = realloc(d->p, cap);
		if (!grown) {
			d->oom = true;
			return;
		}
		d->p = grown;
		d->cap = cap;
	}
	memcpy(d->p + d->len, bytes, n);
	d->len += n;
}

/* tag, minimal definite length, content */
static void der_tlv(struct der *d, uint8_t tag, const uint8_t *content, size_t n)
{
	uint8_t hdr[6] = { tag };
	size_t h = 1;

	if (n < 0x80) {
		hdr[h++] = (uint8_t)n;
	} else {
		int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;

		hdr[h++] = (uint8_t)(0x80 | bytes);
		for (int i = bytes - 1; i >= 0; i--)
			hdr[h++] = (uint8_t)(n >> (8 * i));
	}
	der_add(d, hdr, h);
	der_add(d, content, n);
}

/* Wrap what `inner` holds into one TLV appended to d; inner is consumed. */
static void der_wrap(struct der *d, uint8_t tag, struct der *inner)
{
	if (inner->oom)
		d->oom = true;
	else
		der_tlv(d, tag, inner->p ? inner->p : (const uint8_t *)"", inner->len);
	free(inner->p);
	memset(inner, 0, sizeof(*inner));
}

struct enc {
	uint8_t *p;
	int len;
};

/* The order DER gives a SET OF (X.690 11.6), as OpenSSL's encoder sorts it. */
static int enc_cmp(const void *a, const void *b)
{
	const struct enc *x = a, *y = b;
	int n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, (size_t)n);

	return c ? c : x->len - y->len;
}

/* Append the sorted encodings as the content of a SET OF; frees them. */
static void der_set_of(struct der *d, struct enc *e, size_t n)
{
	qsort(e, n, sizeof(*e), enc_cmp);
	for (size_t i = 0; i < n; i++) {
		der_add(d, e[i].p, (size_t)e[i].len);
		OPENSSL_free(e[i].p);
	}
}

static const uint8_t oid_signed_data[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t oid_data[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
};
static const uint8_t alg_sha256[] = { 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
				      0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
static const uint8_t alg_ecdsa_sha256[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const uint8_t alg_rsa[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
				   0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
static const uint8_t int_one[] = { 0x02, 0x01, 0x01 };

static int canon_bad(struct sbx_diag *diag, const char *what)
{
	ERR_clear_error();
	return sbx_diag_set(diag, -EBADMSG, "malformed CMS signature: %s", what);
}

/* A certificate whose outer encoding is not DER re-encodes differently. */
static bool cert_is_der(X509 *x, const uint8_t *enc, int len)
{
	X509 *copy = X509_dup(x);
	unsigned char *re = NULL, *tbs = NULL;
	int n;
	bool ok;

	if (!copy)
		return false;
	i2d_re_X509_tbs(copy, &tbs); /* marks the cached TBS encoding stale */
	OPENSSL_free(tbs);
	n = i2d_X509(copy, &re);
	ok = n == len && !memcmp(re, enc, (size_t)n);
	OPENSSL_free(re);
	X509_free(copy);
	return ok;
}

/*
 * ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. sbx sign writes the
 * low-s form and the verifier accepts only that one.
 */
bool sbx_ecdsa_sig_low_s(EVP_PKEY *key, const uint8_t *sig, size_t len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	BIGNUM *order = BN_new(), *half = BN_new();
	const BIGNUM *s = NULL;
	char group[64] = "";
	EC_GROUP *g = NULL;
	size_t glen = 0;
	bool ok = false;

	if (!es || !order || !half || p != sig + len ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
		goto out;
	g = EC_GROUP_new_by_curve_name(OBJ_sn2nid(group));
	if (!g || !EC_GROUP_get_order(g, order, NULL) || !BN_rshift1(half, order))
		goto out;
	ECDSA_SIG_get0(es, NULL, &s);
	ok = BN_cmp(s, half) <= 0;
out:
	EC_GROUP_free(g);
	BN_free(order);
	BN_free(half);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok;
}

static int signed_attrs(CMS_SignerInfo *si, struct der *out, struct sbx_diag *diag)
{
	static const int allowed[] = { NID_pkcs9_contentType, NID_pkcs9_signingTime,
				       NID_pkcs9_messageDigest };
	int n = CMS_signed_get_attr_count(si);
	struct enc e[3];
	int seen = 0;

	if (n != 3)
		return canon_bad(diag, "the signed attributes are not exactly content type, "
				       "signing time and message digest");
	for (int i = 0; i < n; i++) {
		X509_ATTRIBUTE *a = CMS_signed_get_attr(si, i);
		int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(a)), k;

		for (k = 0; k < 3 && allowed[k] != nid; k++)
			;
		if (k == 3 || (seen & (1 << k)) || X509_ATTRIBUTE_count(a) != 1) {
			for (int j = 0; j < i; j++)
				OPENSSL_free(e[j].p);
			return canon_bad(diag, "the signed attributes are not exactly content "
					       "type, signing time and message digest");
		}
		seen |= 1 << k;
		e[i].p = NULL;
		e[i].len = i2d_X509_ATTRIBUTE(a, &e[i].p);
		if (e[i].len <= 0) {
			for (int j = 0; j < i; j++)
				OPENSSL_free(e[j].p);
			return canon_bad(diag, "a signed attribute does not encode");
		}
	}
	der_set_of(out, e, 3);
	return 0;
}

int sbx_cms_check_canonical(const uint8_t *der, size_t len, struct sbx_cms *c,
			    struct sbx_diag *diag)
{
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(c->ci), 0);
	struct der sd = { 0 }, set = { 0 }, sinfo = { 0 }, tmp = { 0 }, all = { 0 };
	int n_certs = sk_X509_num(c->certs), err = 0;
	struct enc certs[SBX_CMS_MAX_CERTS];
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	X509 *signer = NULL;
	EVP_PKEY *key;
	unsigned char *name = NULL;
	int name_len;

	/* The signer is named by issuer and serial; find its certificate among those carried. */
	for (int i = 0; i < n_certs && !signer; i++)
		if (!CMS_SignerInfo_cert_cmp(si, sk_X509_value(c->certs, i)))
			signer = sk_X509_value(c->certs, i);
	key = signer ? X509_get0_pubkey(signer) : NULL;
	if (!signer || !key || !sig)
		return canon_bad(diag, "it does not carry the signer's certificate");

	/* SignedData: version 1, { sha256 }, { data, no content }, [0] certificates */
	der_add(&sd, int_one, sizeof(int_one));
	der_tlv(&sd, 0x31, alg_sha256, sizeof(alg_sha256));
	der_tlv(&sd, 0x30, oid_data, sizeof(oid_data));
	for (int i = 0; i < n_certs; i++) {
		X509 *x = sk_X509_value(c->certs, i);

		certs[i].p = NULL;
		certs[i].len = i2d_X509(x, &certs[i].p);
		for (int j = 0; j < i && certs[i].len > 0; j++)
			if (!X509_cmp(x, sk_X509_value(c->certs, j)))
				certs[i].len = -1;
		if (certs[i].len <= 0 || !cert_is_der(x, certs[i].p, certs[i].len)) {
			for (int j = 0; j <= i; j++)
				OPENSSL_free(certs[j].p);
			err = canon_bad(diag, "a certificate is repeated or not DER");
			goto out;
		}
	}
	der_set_of(&set, certs, (size_t)n_certs);
	der_wrap(&sd, 0xa0, &set);

	/* SignerInfo: 1, issuerAndSerialNumber, sha256, [0] signed attributes, alg, value */
	der_add(&sinfo, int_one, sizeof(int_one));
	name_len = i2d_X509_NAME(X509_get_issuer_name(signer), &name);
	if (name_len <= 0) {
		err = canon_bad(diag, "the signer's issuer does not encode");
		goto out;
	}
	der_add(&tmp, name, (size_t)name_len);
	OPENSSL_free(name);
	name = NULL;
	name_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(signer), &name);
	if (name_len <= 0) {
		err = canon_bad(diag, "the signer's serial does not encode");
		goto out;
	}
	der_add(&tmp, name, (size_t)name_len);
	der_wrap(&sinfo, 0x30, &tmp);
	der_add(&sinfo, alg_sha256, sizeof(alg_sha256));
	err = signed_attrs(si, &tmp, diag);
	if (err)
		goto out;
	der_wrap(&sinfo, 0xa0, &tmp);
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		if (!sbx_ecdsa_sig_low_s(key, ASN1_STRING_get0_data(sig),
					 (size_t)ASN1_STRING_length(sig))) {
			err = canon_bad(diag, "the ECDSA signature is not in its low-s form");
			goto out;
		}
		der_add(&sinfo, alg_ecdsa_sha256, sizeof(alg_ecdsa_sha256));
		break;
	case EVP_PKEY_RSA:
		der_add(&sinfo, alg_rsa, sizeof(alg_rsa));
		break;
	default:
		err = canon_bad(diag, "the signer's key is neither ECDSA nor RSA");
		goto out;
	}
	der_tlv(&sinfo, 0x04, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
	der_wrap(&tmp, 0x30, &sinfo);
	der_wrap(&sd, 0x31, &tmp);

	/* ContentInfo: signedData, [0] EXPLICIT SignedData */
	der_wrap(&tmp, 0x30, &sd);
	der_add(&all, oid_signed_data, sizeof(oid_signed_data));
	der_wrap(&all, 0xa0, &tmp);
	der_wrap(&sd, 0x30, &all);
	if (sd.oom)
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
	else if (sd.len != len || memcmp(sd.p, der, len))
		err = canon_bad(diag, "it is not the exact DER structure sbx sign writes "
				      "(extra or missing fields, other encodings or trailing "
				      "bytes)");
out:
	OPENSSL_free(name);
	free(sd.p);
	free(set.p);
	free(sinfo.p);
	free(tmp.p);
	free(all.p);
	return err;
}
