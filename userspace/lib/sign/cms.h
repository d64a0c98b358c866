/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CMS part of a signature (OpenSSL): a detached SignedData whose content is the code
 * directory, one signer, the signer's chain inside. Parsing is bounded (size, certificate
 * count, one signer, SHA-256 only); chain checks map OpenSSL's errors to verify reasons.
 */
#ifndef SBX_SIGN_CMS_H
#define SBX_SIGN_CMS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "diag.h"
#include "sign/trust.h"
#include "sign/verify.h"

struct sbx_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) * chain; /* intermediates to embed; may be empty */
	char team_id[SBX_TEAM_ID_MAX + 1]; /* the certificate subject's OU */
	char subject[256];
	/* Problems verify will reject, found at load time (the CLI warns). */
	bool lacks_code_signing_eku;
	bool outside_validity;
};

/* Load a PEM key (ECDSA P-256 or RSA >= 2048), its certificate and an optional chain. */
int sbx_signer_load(struct sbx_signer *s, const char *key_path, const char *cert_path,
		    const char *chain_path, struct sbx_diag *diag);
void sbx_signer_free(struct sbx_signer *s);
/* Sentences on what sbx verify will reject about this signer (at most 2), for warnings. */
size_t sbx_signer_warnings(const struct sbx_signer *s, char out[][512], size_t max);
/* DER CMS SignedData over cd, detached, signer chain included. *der is malloc'd. */
int sbx_cms_sign(const struct sbx_signer *s, const uint8_t *cd, size_t cd_len, uint8_t **der,
		 size_t *der_len, struct sbx_diag *diag);

struct sbx_cms {
	CMS_ContentInfo *ci;
	STACK_OF(X509) * certs; /* every certificate carried */
	X509 *signer; /* borrowed from certs once found */
	time_t signing_time; /* 0 when absent */
	/* After sbx_cms_verify_chain: SHA-256 of the trust anchor's SubjectPublicKeyInfo. */
	uint8_t anchor[32];
};

/* Parse DER; -EBADMSG with a sentence on anything outside the profile above. */
int sbx_cms_parse(const uint8_t *der, size_t len, struct sbx_cms *c, struct sbx_diag *diag);
/*
 * The canonical rule: der must be exactly the DER sbx sign writes for the parsed signer,
 * certificates, signed attributes and signature (called by sbx_cms_parse).
 */
int sbx_cms_check_canonical(const uint8_t *der, size_t len, struct sbx_cms *c,
			    struct sbx_diag *diag);
/* Is this DER ECDSA signature, made with key's curve, in its low-s form? */
bool sbx_ecdsa_sig_low_s(EVP_PKEY *key, const uint8_t *sig, size_t len);
/* ECDSA P-256 or RSA >= 2048: the keys allowed anywhere in a chain. */
int sbx_key_supported(EVP_PKEY *key, struct sbx_diag *diag);
/* Check the signature over cd and find the signer certificate. */
int sbx_cms_check_signature(struct sbx_cms *c, const uint8_t *cd, size_t cd_len,
			    struct sbx_diag *diag);
/*
 * Chain the signer to anchors as of `at`, then check revocations (every certificate of
 * the chain by serial) and the leaf's code-signing EKU. *reason says which check failed.
 */
int sbx_cms_verify_chain(struct sbx_cms *c, X509_STORE *anchors, const char *anchors_dir, time_t at,
			 const struct sbx_revocations *rev, enum sbx_verify_reason *reason,
			 struct sbx_diag *diag);
void sbx_cms_free(struct sbx_cms *c);

/*
 * One-line RFC 2253 subject; serial as uppercase hex; team id = the subject's one OU
 * ("" if none; -EINVAL with diag for several OUs or one that is not a team identifier).
 */
const char *sbx_x509_subject(X509 *x, char *buf, size_t len);
const char *sbx_x509_serial_hex(X509 *x, char *buf, size_t len);
/* The serial in the normal form of revocation entries (no leading zeros); -E2BIG, -ENOMEM. */
int sbx_x509_serial(X509 *x, char *buf, size_t len);
int sbx_x509_team_id(X509 *x, char *buf, size_t len, struct sbx_diag *diag);
/* RFC 3339 in UTC, "2026-12-28T00:28:41Z" (sbx_rfc3339); "?" if unreadable */
const char *sbx_asn1_time_str(const ASN1_TIME *t, char *buf, size_t len);

#endif /* SBX_SIGN_CMS_H */
