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

/* A certificate serial as text: optional '-', uppercase hex without leading zeros. */
#define SBX_SERIAL_MAX_DIGITS 128 /* 64 bytes; longer serials cannot be revoked: refused */

/* A certificate named by its issuer and serial, as X.509 names it. */
struct sbx_revoked_cert {
	uint8_t issuer[SBX_DIGEST_LEN]; /* SHA-256 of the issuer's DER name */
	char serial[SBX_SERIAL_MAX_DIGITS + 2];
};

struct sbx_revocations {
	struct sbx_revoked_cert *certs;
	size_t n_certs;
	uint8_t (*cdhashes)[SBX_DIGEST_LEN];
	size_t n_cdhashes;
};

/*
 * Open an entry of a trust store (with O_DIRECTORY: a directory of it) for reading, never
 * through a symbolic link: sbxd's self-protection guards the store's own inodes, not where
 * a link points, so every reader of the store holds to regular files and directories.
 * Returns the descriptor, -ENOENT (no diag: the caller says what missing means), -ELOOP for
 * a link, else -errno; with a diag.
 */
int sbx_trust_openat(int at, const char *path, int flags, struct sbx_diag *diag);
/*
 * The entry name of the store held open as dirfd (dir names the store in messages),
 * opened as above and beneath it only (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS): what a descriptor reads is the directory it was opened on,
 * wherever the store's path points since.
 */
int sbx_trust_open_in(int dirfd, const char *dir, const char *name, int flags,
		      struct sbx_diag *diag);
/* The store dir as a directory descriptor: -ENOENT (with a diag) when it is missing. */
int sbx_trust_store_open(const char *dir, struct sbx_diag *diag);
/*
 * Every anchor of the store dirfd (dir names it); the path form opens dir and calls it.
 * -ENOENT if dir is missing.
 */
int sbx_trust_load_at(int dirfd, const char *dir, X509_STORE **store, unsigned int *n_anchors,
		      struct sbx_diag *diag);
int sbx_trust_load(const char *dir, X509_STORE **store, unsigned int *n_anchors,
		   struct sbx_diag *diag);
/* Copy a PEM certificate into dir as <fingerprint>.pem; name receives the file name. */
int sbx_trust_add(const char *dir, const char *cert_path, char *name, size_t name_len,
		  struct sbx_diag *diag);
/*
 * Remove the anchor whose file name or fingerprint starts with what (unique match), or,
 * when what is a certificate file (a path, or a file in the working directory), the anchor
 * that file was added as.
 */
int sbx_trust_remove(const char *dir, const char *what, char *name, size_t name_len,
		     struct sbx_diag *diag);

struct sbx_anchor_info {
	char file[256];
	char fingerprint[2 * SBX_DIGEST_LEN + 1]; /* SHA-256 of the DER */
	char subject[256];
	char not_after[32];
	char serial[SBX_SERIAL_MAX_DIGITS + 2];
};
/* The anchors of dir, sorted by file name; *out is malloc'd. */
int sbx_trust_list(const char *dir, struct sbx_anchor_info **out, size_t *n, struct sbx_diag *diag);

/*
 * Parse a revocation list (lines: "serial HEX", "cdhash HEX"). A missing file is an empty
 * list only with missing_ok (the default list); one named explicitly must exist.
 */
int sbx_revocations_load(const char *path, bool missing_ok, struct sbx_revocations *r,
			 struct sbx_diag *diag);
/* The same, for the entry name of the store at (dir names it; at AT_FDCWD, dir NULL: a path). */
int sbx_revocations_load_at(int at, const char *dir, const char *name, bool missing_ok,
			    struct sbx_revocations *r, struct sbx_diag *diag);
int sbx_revocations_parse(const char *name, const char *text, size_t len, struct sbx_revocations *r,
			  struct sbx_diag *diag);
void sbx_revocations_free(struct sbx_revocations *r);
bool sbx_revoked_cert(const struct sbx_revocations *r, const uint8_t issuer[SBX_DIGEST_LEN],
		      const char *serial);
bool sbx_revoked_cdhash(const struct sbx_revocations *r, const uint8_t cdhash[SBX_DIGEST_LEN]);
/*
 * Normalize "0x00:AB:cd" to "ABCD", "-0x0f" to "-F"; -EINVAL if not hex, -E2BIG if more
 * than SBX_SERIAL_MAX_DIGITS significant digits (never cut).
 */
int sbx_serial_normalize(const char *in, char *out, size_t len);
/* 64 hex digits into the SHA-256 of an issuer name; -EINVAL otherwise. */
int sbx_parse_issuer(const char *hex, uint8_t issuer[SBX_DIGEST_LEN]);
/* What a revocation names x by; -E2BIG when its serial is too long to be revoked. */
int sbx_x509_revocation_id(X509 *x, uint8_t issuer[SBX_DIGEST_LEN], char *serial, size_t len);
/* The issuer hash (hex) and serial of the one certificate in a PEM file. */
int sbx_cert_revocation_id(const char *cert_path, char issuer_hex[2 * SBX_DIGEST_LEN + 1],
			   char *serial, size_t len, struct sbx_diag *diag);
/*
 * Append (add) or drop (remove) one entry and rewrite the list atomically: kind "serial"
 * with value = the issuer's name hash (64 hex digits) and serial, or kind "cdhash" with
 * value = 64 hex digits (serial NULL). What cannot be stored exactly is refused.
 */
int sbx_revocation_edit(const char *path, const char *kind, const char *value, const char *serial,
			bool add, struct sbx_diag *diag);

#endif /* SBX_SIGN_TRUST_H */
