// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The canonical signature region (issue 9, item 1): a real CMS signature made by
 * sbx_cms_sign, then every field an attacker can change without the key mutated one at a
 * time (unsigned attributes, certificate bag, CRLs, other certificate choices, BER
 * lengths, trailing bytes, a second digest algorithm, versions, the signer id, the ECDSA
 * s value, parameters). Each mutation must be rejected. When the openssl command line is
 * present, `openssl cms -verify -binary -purpose any` checks the same bytes: it must
 * accept the original, and sbx must be strictly stricter (the log names what OpenSSL
 * accepts that sbx refuses).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "sign_pki.h"

/* ---- a small DER tree: parse strict DER, change it, write it back (optionally BER) ---- */

enum { FORM_DER, FORM_LONG, FORM_INDEFINITE };

struct node {
	uint8_t tag;
	int form;
	uint8_t *prim; /* owned copy for primitives */
	size_t plen;
	struct node *kid[40];
	int n;
};

struct buf {
	uint8_t *p;
	size_t len;
};

static void buf_add(struct buf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static struct node *node_prim(uint8_t tag, const void *d, size_t n)
{
	struct node *x = calloc(1, sizeof(*x));

	x->tag = tag;
	x->prim = malloc(n ? n : 1);
	memcpy(x->prim, d, n);
	x->plen = n;
	return x;
}

static struct node *node_cons(uint8_t tag)
{
	struct node *x = calloc(1, sizeof(*x));

	x->tag = tag;
	return x;
}

static void node_add(struct node *parent, struct node *kid, int at)
{
	if (at < 0 || at > parent->n)
		at = parent->n;
	memmove(&parent->kid[at + 1], &parent->kid[at], (size_t)(parent->n - at) * sizeof(kid));
	parent->kid[at] = kid;
	parent->n++;
}

static void node_free(struct node *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->n; i++)
		node_free(x->kid[i]);
	free(x->prim);
	free(x);
}

static struct node *der_parse(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *q = *p;
	size_t len = 0;
	struct node *x;

	if (end - q < 2)
		return NULL;
	uint8_t tag = *q++;

	if (*q < 0x80) {
		len = *q++;
	} else {
		int nb = *q++ & 0x7f;

		while (nb--)
			len = len << 8 | *q++;
	}
	if ((size_t)(end - q) < len)
		return NULL;
	if (tag & 0x20) {
		const uint8_t *c = q, *cend = q + len;

		x = node_cons(tag);
		while (c < cend) {
			struct node *k = der_parse(&c, cend);

			if (!k) {
				node_free(x);
				return NULL;
			}
			node_add(x, k, -1);
		}
	} else {
		x = node_prim(tag, q, len);
	}
	*p = q + len;
	return x;
}

static void der_write(const struct node *x, struct buf *out)
{
	struct buf c = { 0 };
	uint8_t h[8];
	size_t hl = 0, len;

	if (x->tag & 0x20)
		for (int i = 0; i < x->n; i++)
			der_write(x->kid[i], &c);
	else
		buf_add(&c, x->prim, x->plen);
	len = c.len;
	h[hl++] = x->tag;
	if (x->form == FORM_INDEFINITE) {
		h[hl++] = 0x80;
	} else {
		int nb = len < 0x80 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;

		if (x->form == FORM_LONG)
			nb++;
		if (!nb) {
			h[hl++] = (uint8_t)len;
		} else {
			h[hl++] = (uint8_t)(0x80 | nb);
			for (int i = nb - 1; i >= 0; i--)
				h[hl++] = i >= 4 ? 0 : (uint8_t)(len >> (8 * i));
		}
	}
	buf_add(out, h, hl);
	buf_add(out, c.p ? c.p : (uint8_t *)"", c.len);
	if (x->form == FORM_INDEFINITE)
		buf_add(out, "\0\0", 2);
	free(c.p);
}

static struct node *der_of(const uint8_t *d, size_t n)
{
	return der_parse(&d, d + n);
}

/* ---- the CMS's nodes ---- */
#define SIGNED_DATA(root) ((root)->kid[1]->kid[0])
#define CERTS(root)	  (SIGNED_DATA(root)->kid[3])
#define SIGNER_INFO(root) (SIGNED_DATA(root)->kid[4]->kid[0])
#define SIGNED_ATTRS(si)  ((si)->kid[3])

struct ctx {
	struct pki *pki;
	X509 *stranger;
	X509_CRL *crl;
};

static struct node *cert_node(X509 *x)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);
	struct node *k = der_of(d, (size_t)n);

	OPENSSL_free(d);
	return k;
}

static const uint8_t oid_test[] = { 0x2a, 0x03, 0x04 }; /* 1.2.3.4 */

static bool unsigned_attribute(struct node *r, struct ctx *c)
{
	struct node *attr = node_cons(0x30), *set = node_cons(0x31), *ua = node_cons(0xa1);

	(void)c;
	node_add(attr, node_prim(0x06, oid_test, sizeof(oid_test)), -1);
	node_add(set, node_prim(0x04, "PK\x05\x06 planted zip", 17), -1);
	node_add(attr, set, -1);
	node_add(ua, attr, -1);
	node_add(SIGNER_INFO(r), ua, -1);
	return true;
}

static bool extra_certificate(struct node *r, struct ctx *c)
{
	node_add(CERTS(r), cert_node(c->stranger), -1);
	return true;
}

static bool root_in_bag(struct node *r, struct ctx *c)
{
	node_add(CERTS(r), cert_node(c->pki->root), -1);
	return true;
}

static bool repeated_certificate(struct node *r, struct ctx *c)
{
	node_add(CERTS(r), cert_node(c->pki->leaf), -1);
	return true;
}

static bool intermediate_dropped(struct node *r, struct ctx *c)
{
	struct node *certs = CERTS(r);
	struct node *in = cert_node(c->pki->inter);
	struct buf a = { 0 }, b = { 0 };

	der_write(in, &a);
	for (int i = 0; i < certs->n; i++) {
		b.len = 0;
		der_write(certs->kid[i], &b);
		if (a.len == b.len && !memcmp(a.p, b.p, a.len)) {
			node_free(certs->kid[i]);
			memmove(&certs->kid[i], &certs->kid[i + 1],
				(size_t)(certs->n - i - 1) * sizeof(certs->kid[0]));
			certs->n--;
			break;
		}
	}
	free(a.p);
	free(b.p);
	node_free(in);
	return true;
}

static bool other_certificate_choice(struct node *r, struct ctx *c)
{
	struct node *other = node_cons(0xa3);

	(void)c;
	node_add(other, node_prim(0x06, oid_test, sizeof(oid_test)), -1);
	node_add(other, node_prim(0x04, "anything", 8), -1);
	node_add(CERTS(r), other, -1);
	return true;
}

static bool crls(struct node *r, struct ctx *c)
{
	unsigned char *d = NULL;
	int n = i2d_X509_CRL(c->crl, &d);
	struct node *set = node_cons(0xa1);

	node_add(set, der_of(d, (size_t)n), -1);
	OPENSSL_free(d);
	node_add(SIGNED_DATA(r), set, 4);
	return true;
}

static bool indefinite_outer(struct node *r, struct ctx *c)
{
	(void)c;
	r->form = FORM_INDEFINITE;
	return true;
}

static bool indefinite_signed_data(struct node *r, struct ctx *c)
{
	(void)c;
	SIGNED_DATA(r)->form = FORM_INDEFINITE;
	return true;
}

static bool long_length_signer_info(struct node *r, struct ctx *c)
{
	(void)c;
	SIGNER_INFO(r)->form = FORM_LONG;
	return true;
}

static bool long_length_signed_attrs(struct node *r, struct ctx *c)
{
	(void)c;
	SIGNED_ATTRS(SIGNER_INFO(r))->form = FORM_LONG;
	return true;
}

static bool long_length_certificate(struct node *r, struct ctx *c)
{
	(void)c;
	CERTS(r)->kid[0]->form = FORM_LONG;
	return true;
}

static bool long_length_version(struct node *r, struct ctx *c)
{
	(void)c;
	SIGNED_DATA(r)->kid[0]->form = FORM_LONG;
	return true;
}

static bool second_digest_algorithm(struct node *r, struct ctx *c)
{
	static const uint8_t md5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05 };
	struct node *alg = node_cons(0x30);

	(void)c;
	node_add(alg, node_prim(0x06, md5, sizeof(md5)), -1);
	node_add(SIGNED_DATA(r)->kid[1], alg, -1);
	return true;
}

static bool signed_data_version_3(struct node *r, struct ctx *c)
{
	(void)c;
	SIGNED_DATA(r)->kid[0]->prim[0] = 3;
	return true;
}

static bool signer_id_as_key_id(struct node *r, struct ctx *c)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c->pki->leaf);
	struct node *si = SIGNER_INFO(r);

	node_free(si->kid[1]);
	si->kid[1] = node_prim(0x80, ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
	si->kid[0]->prim[0] = 3;
	return true;
}

static bool signed_attrs_reordered(struct node *r, struct ctx *c)
{
	struct node *a = SIGNED_ATTRS(SIGNER_INFO(r)), *t = a->kid[0];

	(void)c;
	a->kid[0] = a->kid[2];
	a->kid[2] = t;
	return true;
}

static bool certificates_reordered(struct node *r, struct ctx *c)
{
	struct node *certs = CERTS(r), *t = certs->kid[0];

	(void)c;
	certs->kid[0] = certs->kid[1];
	certs->kid[1] = t;
	return true;
}

static bool algorithm_parameters(struct node *r, struct ctx *c)
{
	struct node *alg = SIGNER_INFO(r)->kid[2]; /* digest algorithm sha256 */

	(void)c;
	node_add(alg, node_prim(0x05, "", 0), -1);
	return true;
}

static bool ecdsa_high_s(struct node *r, struct ctx *c)
{
	struct node *sig = SIGNER_INFO(r)->kid[5];
	const unsigned char *p = sig->prim;
	ECDSA_SIG *es;
	const BIGNUM *rr, *s;
	BIGNUM *order = BN_new(), *ns = BN_new();
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	unsigned char *out = NULL;
	int n;

	if (EVP_PKEY_get_base_id(c->pki->leaf_key) != EVP_PKEY_EC) {
		BN_free(order);
		BN_free(ns);
		EC_GROUP_free(g);
		return false;
	}
	es = d2i_ECDSA_SIG(NULL, &p, (long)sig->plen);
	ECDSA_SIG_get0(es, &rr, &s);
	EC_GROUP_get_order(g, order, NULL);
	BN_sub(ns, order, s);
	ECDSA_SIG_set0(es, BN_dup(rr), ns);
	n = i2d_ECDSA_SIG(es, &out);
	free(sig->prim);
	sig->prim = malloc((size_t)n);
	memcpy(sig->prim, out, (size_t)n);
	sig->plen = (size_t)n;
	OPENSSL_free(out);
	ECDSA_SIG_free(es);
	BN_free(order);
	EC_GROUP_free(g);
	return true;
}

/* What every refusal of a reshaped signature says: the bytes are not what sbx sign writes. */
#define NOT_CANONICAL "it is not the exact DER structure sbx sign writes"

static const struct mutation {
	const char *name;
	bool (*fn)(struct node *r, struct ctx *c);
	const char *trailing; /* bytes appended after the ContentInfo */
	const char *why; /* the refusal's sentence holds this: refused for this, not another */
} mutations[] = {
	{ "unsigned attribute", unsigned_attribute, NULL, NOT_CANONICAL },
	{ "certificate off the chain added", extra_certificate, NULL, NOT_CANONICAL },
	{ "self-signed root added", root_in_bag, NULL, NOT_CANONICAL },
	{ "certificate repeated", repeated_certificate, NULL, "a certificate is repeated" },
	{ "intermediate dropped (it is an anchor)", intermediate_dropped, NULL,
	  "it does not carry certificate 'CN=intermediate" },
	{ "other certificate choice", other_certificate_choice, NULL, NOT_CANONICAL },
	{ "CRLs", crls, NULL, NOT_CANONICAL },
	{ "indefinite length (ContentInfo)", indefinite_outer, NULL, NOT_CANONICAL },
	{ "indefinite length (SignedData)", indefinite_signed_data, NULL, NOT_CANONICAL },
	{ "non-minimal length (SignerInfo)", long_length_signer_info, NULL, NOT_CANONICAL },
	{ "non-minimal length (signed attributes)", long_length_signed_attrs, NULL, NOT_CANONICAL },
	{ "non-minimal length (certificate)", long_length_certificate, NULL, NOT_CANONICAL },
	{ "non-minimal length (version)", long_length_version, NULL, NOT_CANONICAL },
	{ "second digest algorithm", second_digest_algorithm, NULL, NOT_CANONICAL },
	{ "SignedData version 3", signed_data_version_3, NULL, NOT_CANONICAL },
	{ "signer named by key identifier", signer_id_as_key_id, NULL, NOT_CANONICAL },
	{ "signed attributes reordered", signed_attrs_reordered, NULL, NOT_CANONICAL },
	{ "certificates reordered", certificates_reordered, NULL, NOT_CANONICAL },
	{ "NULL digest parameters", algorithm_parameters, NULL, NOT_CANONICAL },
	{ "ECDSA high s", ecdsa_high_s, NULL, "the ECDSA signature is not in its low-s form" },
	{ "trailing zero bytes", NULL, "\0\0", "bytes after the DER structure" },
	{ "trailing zip record", NULL, "PK\x05\x06", "bytes after the DER structure" },
};

static const uint8_t content[] = "SBXC a code directory stands here; any bytes will do";

FIXTURE(canon)
{
	struct pki pki;
	struct sbx_signer signer;
	X509_STORE *anchors; /* root and intermediate */
	uint8_t *der;
	size_t len;
	struct ctx ctx;
	char dir[256];
	bool have_openssl;
};

FIXTURE_VARIANT(canon)
{
	const char *leaf_key;
};

FIXTURE_VARIANT_ADD(canon, ecdsa_p256){ .leaf_key = "EC:P-256" };
FIXTURE_VARIANT_ADD(canon, rsa_2048){ .leaf_key = "RSA:2048" };

static int write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(d, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

FIXTURE_SETUP(canon)
{
	struct sbx_diag diag = { 0 };
	EVP_PKEY *skey = pki_key("EC:P-256");
	char path[512], missing[256];
	FILE *f;

	ASSERT_EQ(0, pki_make(&self->pki, variant->leaf_key));
	pki_signer(&self->signer, self->pki.leaf_key, self->pki.leaf, self->pki.inter);
	ASSERT_EQ(0, sbx_cms_sign(&self->signer, content, sizeof(content), &self->der, &self->len,
				  &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	self->anchors = X509_STORE_new();
	X509_STORE_add_cert(self->anchors, self->pki.root);
	X509_STORE_add_cert(self->anchors, self->pki.inter);
	self->ctx.pki = &self->pki;
	self->ctx.stranger =
		pki_cert(&(struct pki_cert_opts){ .cn = "stranger", .ca = true }, skey, NULL, NULL);
	self->ctx.crl = X509_CRL_new();
	X509_CRL_set_version(self->ctx.crl, 1);
	X509_CRL_set_issuer_name(self->ctx.crl, X509_get_subject_name(self->pki.inter));
	{
		ASN1_TIME *t = ASN1_TIME_new();

		X509_gmtime_adj(t, 0);
		X509_CRL_set1_lastUpdate(self->ctx.crl, t);
		ASN1_TIME_free(t);
	}
	ASSERT_NE(0, X509_CRL_sign(self->ctx.crl, self->pki.int_key, EVP_sha256()));
	EVP_PKEY_free(skey);

	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(path, sizeof(path), "%s/content", self->dir);
	ASSERT_EQ(0, write_file(path, content, sizeof(content)));
	snprintf(path, sizeof(path), "%s/anchors.pem", self->dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	PEM_write_X509(f, self->pki.root);
	fclose(f);
	self->have_openssl = !sbx_missing_commands("openssl", missing, sizeof(missing))[0];
}

FIXTURE_TEARDOWN(canon)
{
	X509_STORE_free(self->anchors);
	X509_CRL_free(self->ctx.crl);
	X509_free(self->ctx.stranger);
	sk_X509_free(self->signer.chain);
	pki_free(&self->pki);
	free(self->der);
	sbx_rmtree(self->dir);
}

/* sbx's whole CMS path: parse (canonical), signature, chain (bag rule included). */
static int sbx_accepts(FIXTURE_DATA(canon) * self, const uint8_t *der, size_t len, char *why,
		       size_t why_len)
{
	struct sbx_diag diag = { 0 };
	enum sbx_verify_reason reason = SBX_REASON_NONE;
	struct sbx_cms c;
	int err;

	err = sbx_cms_parse(der, len, &c, &diag);
	if (!err)
		err = sbx_cms_check_signature(&c, content, sizeof(content), &diag);
	if (!err)
		err = sbx_cms_verify_chain(&c, self->anchors, "anchors", time(NULL), NULL, &reason,
					   &diag);
	sbx_cms_free(&c);
	snprintf(why, why_len, "%s", diag.msg);
	return err;
}

/* 1: OpenSSL's own verifier accepts these bytes; 0: it refuses; -1: no openssl here. */
static int openssl_accepts(FIXTURE_DATA(canon) * self, const uint8_t *der, size_t len)
{
	char cms[512], cmd[2048];

	if (!self->have_openssl)
		return -1;
	snprintf(cms, sizeof(cms), "%s/cms.der", self->dir);
	if (write_file(cms, der, len))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "OPENSSL_CONF=/dev/null openssl cms -verify -binary -purpose any -inform DER "
		 "-in '%s' -content '%s/content' -CAfile '%s/anchors.pem' -out /dev/null "
		 ">/dev/null 2>&1",
		 cms, self->dir, self->dir);
	return system(cmd) == 0;
}

TEST_F(canon, the_original_verifies_in_sbx_and_openssl)
{
	char why[512];

	EXPECT_EQ(0, sbx_accepts(self, self->der, self->len, why, sizeof(why)))
	{
		TH_LOG("%s", why);
	}
	/* The cross-check of what sbx sign writes needs the openssl command line. */
	SBX_NEED_COMMANDS("openssl");
	EXPECT_EQ(1, openssl_accepts(self, self->der, self->len));
}

TEST_F(canon, the_tree_round_trips)
{
	struct node *root = der_of(self->der, self->len);
	struct buf out = { 0 };

	ASSERT_NE(NULL, root);
	der_write(root, &out);
	ASSERT_EQ(self->len, out.len);
	EXPECT_EQ(0, memcmp(self->der, out.p, out.len));
	free(out.p);
	node_free(root);
}

TEST_F(canon, every_mutation_is_rejected)
{
	int openssl_took = 0, tried = 0;
	char why[512];

	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];
		struct node *root = der_of(self->der, self->len);
		struct buf out = { 0 };
		int ossl;

		ASSERT_NE(NULL, root);
		if (m->fn && !m->fn(root, &self->ctx)) {
			node_free(root);
			continue; /* not applicable to this key type */
		}
		der_write(root, &out);
		node_free(root);
		if (m->trailing)
			buf_add(&out, m->trailing, m->trailing[0] ? strlen(m->trailing) : 2);
		ASSERT_FALSE(out.len == self->len && !memcmp(out.p, self->der, out.len))
		{
			TH_LOG("mutation '%s' changed nothing", m->name);
		}
		tried++;
		/* Malformed (-EBADMSG), for the reason this mutation is about. */
		EXPECT_EQ(-EBADMSG, sbx_accepts(self, out.p, out.len, why, sizeof(why)))
		{
			TH_LOG("%s: %s", m->name, why[0] ? why : "accepted");
		}
		EXPECT_NE(NULL, strstr(why, m->why))
		{
			TH_LOG("%s: refused as '%s', not for '%s'", m->name, why, m->why);
		}
		ossl = openssl_accepts(self, out.p, out.len);
		if (ossl == 1) {
			openssl_took++;
			TH_LOG("openssl cms -verify accepts (sbx refuses): %s", m->name);
		}
		free(out.p);
	}
	TH_LOG("%d mutations, all refused by sbx; openssl cms -verify accepted %d", tried,
	       openssl_took);
}

TEST_HARNESS_MAIN
