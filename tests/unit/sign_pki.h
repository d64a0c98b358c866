/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test PKI made in memory with OpenSSL (no openssl command line, no files): keys of any
 * type, certificates with any subject bytes, extended key usage and signature digest, so
 * the signing unit tests can build exactly the chain a case needs.
 */
#ifndef SBX_TEST_SIGN_PKI_H
#define SBX_TEST_SIGN_PKI_H

#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "sign/cms.h"

/* "EC:P-256", "EC:secp256k1", "RSA:2048", ... */
static inline EVP_PKEY *pki_key(const char *spec)
{
	if (!strncmp(spec, "EC:", 3))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec + 3);
	if (!strcmp(spec, "ED25519"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(spec + 4));
}

struct pki_cert_opts {
	const char *cn;
	const char *ou; /* NULL: none */
	size_t ou_len; /* 0: strlen(ou) (set it to put a NUL inside) */
	const char *ou2; /* a second OU */
	bool ca;
	const char *eku; /* "codeSigning", "serverAuth", NULL: none */
	const EVP_MD *md; /* NULL: SHA-256 */
	long serial;
	const char *serial_hex; /* instead of serial: any size, "-" for negative */
};

static inline void pki_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e) {
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
}

/* A certificate for key, issued by (issuer, ikey), or self-signed when issuer is NULL. */
static inline X509 *pki_cert(const struct pki_cert_opts *o, EVP_PKEY *key, X509 *issuer,
			     EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *signer = issuer ? ikey : key;
	/* Ed25519 signs the certificate whole: X509_sign takes no digest for it. */
	const EVP_MD *md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL
			   : o->md					    ? o->md
									    : EVP_sha256();

	X509_set_version(x, 2);
	if (o->serial_hex) {
		BIGNUM *bn = NULL;

		BN_hex2bn(&bn, o->serial_hex);
		BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
		BN_free(bn);
	} else {
		ASN1_INTEGER_set(X509_get_serialNumber(x), o->serial ? o->serial : 1);
	}
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 30 * 86400);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"sbx tests", -1,
				   -1, 0);
	if (o->ou)
		X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName, V_ASN1_UTF8STRING,
					   (const unsigned char *)o->ou,
					   o->ou_len ? (int)o->ou_len : (int)strlen(o->ou), -1, 0);
	if (o->ou2)
		X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName, V_ASN1_UTF8STRING,
					   (const unsigned char *)o->ou2, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)o->cn, -1, -1,
				   0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	pki_ext(x, issuer, NID_basic_constraints, o->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	pki_ext(x, issuer, NID_key_usage,
		o->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (o->eku)
		pki_ext(x, issuer, NID_ext_key_usage, o->eku);
	pki_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer)
		pki_ext(x, issuer, NID_authority_key_identifier, "keyid");
	if (!X509_sign(x, signer, md)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* A root (self-signed CA), an intermediate and a code-signing leaf, OU TEAM42. */
struct pki {
	EVP_PKEY *root_key, *int_key, *leaf_key;
	X509 *root, *inter, *leaf;
};

static inline int pki_make(struct pki *p, const char *leaf_key)
{
	memset(p, 0, sizeof(*p));
	p->root_key = pki_key("EC:P-256");
	p->int_key = pki_key("EC:P-256");
	p->leaf_key = pki_key(leaf_key);
	if (!p->root_key || !p->int_key || !p->leaf_key)
		return -1;
	p->root = pki_cert(&(struct pki_cert_opts){ .cn = "root", .ca = true, .serial = 1 },
			   p->root_key, NULL, NULL);
	p->inter =
		pki_cert(&(struct pki_cert_opts){ .cn = "intermediate", .ca = true, .serial = 2 },
			 p->int_key, p->root, p->root_key);
	p->leaf = pki_cert(
		&(struct pki_cert_opts){
			.cn = "leaf", .ou = "TEAM42", .eku = "codeSigning", .serial = 3 },
		p->leaf_key, p->inter, p->int_key);
	return p->root && p->inter && p->leaf ? 0 : -1;
}

static inline void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->int_key);
	EVP_PKEY_free(p->leaf_key);
	X509_free(p->root);
	X509_free(p->inter);
	X509_free(p->leaf);
}

/* A signer as sbx_signer_load would make it, for key + cert with these intermediates. */
static inline void pki_signer(struct sbx_signer *s, EVP_PKEY *key, X509 *cert, X509 *inter)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->cert = cert;
	s->chain = sk_X509_new_null();
	if (inter)
		sk_X509_push(s->chain, inter);
	snprintf(s->team_id, sizeof(s->team_id), "TEAM42");
}

#endif /* SBX_TEST_SIGN_PKI_H */
