/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trust store: a directory of PEM trust anchors (<sha256-prefix>.pem), a revocation
 * list (revoked.list: "serial HEX" and "cdhash HEX" lines) and platform trust caches
 * (*.sbxtc). Everything read is bounded.
 */
#ifndef SBX_SIGN_TRUST_H
#define SBX_SIGN_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "diag.h"
#include "sign/format.h"

#define SBX_REVOCATION_FILE    "revoked.list"
#define SBX_PLATFORM_ANCHORS   "platform.d" /* the only anchors trust caches chain to */
#define SBX_TRUST_CACHE_SUFFIX ".sbxtc"
#define SBX_TRUST_MAX_ANCHORS  1024
#define SBX_TRUST_MAX_FILE     (1u << 20)
#define SBX_REVOCATIONS_MAX    100000

struct sbx_revocations {
	char **serials; /* normalized: uppercase hex, no leading zeros */
	size_t n_serials;
	uint8_t (*cdhashes)[SBX_DIGEST_LEN];
	size_t n_cdhashes;
};

/* Load every *.pem / *.crt certificate of dir into a new store. -ENOENT if dir is missing. */
int sbx_trust_load(const char *dir, X509_STORE **store, unsigned int *n_anchors,
		   struct sbx_diag *diag);
/* Copy a PEM certificate into dir as <fingerprint>.pem; name receives the file name. */
int sbx_trust_add(const char *dir, const char *cert_path, char *name, size_t name_len,
		  struct sbx_diag *diag);
/* Remove the anchor whose file name or fingerprint starts with what (unique match). */
int sbx_trust_remove(const char *dir, const char *what, char *name, size_t name_len,
		     struct sbx_diag *diag);

struct sbx_anchor_info {
	char file[256];
	char fingerprint[2 * SBX_DIGEST_LEN + 1]; /* SHA-256 of the DER */
	char subject[256];
	char not_after[32];
	char serial[96];
};
/* The anchors of dir, sorted by file name; *out is malloc'd. */
int sbx_trust_list(const char *dir, struct sbx_anchor_info **out, size_t *n, struct sbx_diag *diag);

/*
 * Parse a revocation list (lines: "serial HEX", "cdhash HEX"). A missing file is an empty
 * list only with missing_ok (the default list); one named explicitly must exist.
 */
int sbx_revocations_load(const char *path, bool missing_ok, struct sbx_revocations *r,
			 struct sbx_diag *diag);
int sbx_revocations_parse(const char *name, const char *text, size_t len, struct sbx_revocations *r,
			  struct sbx_diag *diag);
void sbx_revocations_free(struct sbx_revocations *r);
bool sbx_revoked_serial(const struct sbx_revocations *r, const char *serial_hex);
bool sbx_revoked_cdhash(const struct sbx_revocations *r, const uint8_t cdhash[SBX_DIGEST_LEN]);
/* Normalize "0x00:AB:cd" to "ABCD"; -EINVAL if not hex. */
int sbx_serial_normalize(const char *in, char *out, size_t len);
/* Append (add) or drop (remove) one entry, kind "serial" or "cdhash"; rewrites atomically. */
int sbx_revocation_edit(const char *path, const char *kind, const char *value, bool add,
			struct sbx_diag *diag);

#endif /* SBX_SIGN_TRUST_H */
