/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Verifying code: the API the launcher (sbx run) and the enforcement daemon use.
 *
 *	struct sbx_verify_options o = { 0 };	// defaults: $SBX_TRUST_DIR or /etc/sbx/trust.d
 *	struct sbx_code_identity id;
 *	struct sbx_diag diag = { 0 };
 *	int v = sbx_verify_fd(fd, &o, &id, &diag);
 *	if (v == SBX_VERDICT_VALID || v == SBX_VERDICT_PLATFORM) ... allow, use id ...
 *	else ... deny; diag.msg says why (v < 0: could not read the file at all) ...
 *	sbx_code_identity_free(&id);
 *
 * The file is hashed through fd (pread, never re-opened by path). No verdict value is 0,
 * so a zeroed identity is never valid.
 */
#ifndef SBX_SIGN_VERIFY_H
#define SBX_SIGN_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"
#include "sign/format.h"

#ifndef SBX_TRUST_DIR_DEFAULT /* the build sets $(SYSCONFDIR)/sbx/trust.d */
#define SBX_TRUST_DIR_DEFAULT "/etc/sbx/trust.d"
#endif
#define SBX_TRUST_DIR_ENV  "SBX_TRUST_DIR"
#define SBX_ANCHOR_HEX_LEN 32

enum sbx_verdict {
	SBX_VERDICT_INVALID = 1, /* a signature is present and must not be trusted */
	SBX_VERDICT_VALID = 2, /* signed, unmodified, chains to an anchor, not revoked */
	SBX_VERDICT_UNSIGNED = 3, /* no signature and not in a trust cache */
	SBX_VERDICT_PLATFORM = 4, /* no signature, but its digest is in a trusted trust cache */
};

enum sbx_verify_reason {
	SBX_REASON_NONE = 0,
	SBX_REASON_MALFORMED, /* trailer, code directory or CMS could not be parsed */
	SBX_REASON_DIGEST_MISMATCH, /* content modified after signing */
	SBX_REASON_STRIPPED, /* content modified: ELF section headers moved (strip/objcopy) */
	SBX_REASON_BAD_SIGNATURE, /* the CMS signature does not match the code directory */
	SBX_REASON_UNTRUSTED, /* does not chain to a trust anchor */
	SBX_REASON_EXPIRED,
	SBX_REASON_NOT_YET_VALID,
	SBX_REASON_NO_CODE_SIGNING_EKU,
	SBX_REASON_WRONG_KEY_USAGE, /* key usage present without digitalSignature */
	SBX_REASON_REVOKED, /* by certificate serial or by cdhash */
	SBX_REASON_TEAM_MISMATCH, /* code directory team id is not the certificate's OU */
	SBX_REASON_IDENTIFIER_MISMATCH, /* not the identifier the caller required */
	SBX_REASON_CERT_INVALID, /* any other certificate chain error */
	SBX_REASON_IO, /* the file or the trust store could not be read */
	SBX_REASON_UNSAFE_LAYOUT, /* appended to a file a loader reads past its content (zip, ELF)
				   */
};

/* Skip the trust cache lookup for unsigned files. */
#define SBX_VERIFY_NO_TRUST_CACHE (1u << 0)
/* The trust store is trust_dir_fd (below), not a path. */
#define SBX_VERIFY_TRUST_DIR_FD (1u << 1)

struct sbx_revocations;

/*
 * A trust directory, revocation list or trust cache named here (or the trust directory
 * named by $SBX_TRUST_DIR) must be readable: a typo is an error, never "nothing trusted"
 * or "nothing revoked". Only the defaults may be missing.
 */
struct sbx_verify_options {
	const char *trust_dir; /* NULL: $SBX_TRUST_DIR, else /etc/sbx/trust.d (may be missing) */
	const char *revocation_list; /* NULL: <trust_dir>/revoked.list (may be missing) */
	const char *const *trust_caches; /* NULL-terminated; NULL: <trust_dir>/ *.sbxtc */
	time_t at; /* verify "as of" this time; 0: now */
	const char *path; /* the file's path, only to find PATH.sbxsig; NULL: none */
	/*
	 * Identity is (team id, identifier), as a macOS designated requirement: an
	 * identifier requirement must name its team too (team_id NULL with an identifier is
	 * refused, -EINVAL); "" requires a signature without a team. team_id alone requires
	 * that team for any identifier.
	 */
	const char *identifier; /* require this signing identifier; NULL: any */
	const char *team_id; /* require this team id; NULL: any (only without identifier) */
	unsigned int flags; /* SBX_VERIFY_* */
	/*
	 * With SBX_VERIFY_TRUST_DIR_FD: the trust store as a directory descriptor (borrowed:
	 * it outlives the verifier), and trust_dir only names it in messages. Every entry is
	 * read beneath it (sbx_trust_open_in), never through a path again: the store is the
	 * directory that was opened, wherever its path points since (sbxd, README "Reload").
	 * The path form opens trust_dir once and reads through that descriptor the same way.
	 */
	int trust_dir_fd;
	/* Revocations already loaded, used as they are (borrowed); NULL: revocation_list. */
	const struct sbx_revocations *revocations;
};

/*
 * For VALID, (anchor, team_id, identifier) is the code's identity: team_id is the leaf
 * certificate's OU, checked equal to the code directory's ("" when the certificate has no
 * OU), and anchor the trust anchor that vouched for that OU. Key anything per program
 * (containers, caches, constraints) on all three.
 */
struct sbx_code_identity {
	enum sbx_verdict verdict;
	enum sbx_verify_reason reason; /* for SBX_VERDICT_INVALID */
	enum sbx_sig_location location;
	char identifier[SBX_IDENTIFIER_MAX + 1];
	char team_id[SBX_TEAM_ID_MAX + 1];
	/*
	 * VALID: the trust anchor the chain ends in, as the first 16 bytes of SHA-256 of its
	 * SubjectPublicKeyInfo in lower-case hex. Any anchor can issue a leaf with any OU, so
	 * a team id means something only together with the anchor that vouched for it.
	 */
	char anchor[SBX_ANCHOR_HEX_LEN + 1];
	uint8_t cdhash[SBX_DIGEST_LEN]; /* SHA-256 of the code directory */
	char cdhash_hex[2 * SBX_DIGEST_LEN + 1];
	uint8_t content_digest[SBX_DIGEST_LEN]; /* signed: SHA-256 of the signed content */
	uint8_t file_digest[SBX_DIGEST_LEN]; /* PLATFORM: SHA-256 of the whole file */
	uint32_t flags; /* SBX_CD_FLAG_* */
	bool hardened_runtime;
	bool library_validation;
	bool platform;
	uint8_t *entitlements; /* caller-owned copy (NUL-terminated), NULL when none */
	size_t entitlements_len;
	uint64_t content_size;
	char signer[256]; /* leaf certificate subject, RFC 2253 */
	char signer_serial[136]; /* optional '-', uppercase hex (up to 128 digits) */
	time_t signing_time; /* from the CMS signed attributes; 0 when absent */
};

/*
 * Verify the open regular file fd. Returns the verdict (also in id->verdict), or a
 * negative errno when the file could not be examined at all (then id->verdict is
 * SBX_VERDICT_INVALID too). diag holds one sentence for anything but VALID/PLATFORM.
 * id is always initialised; release it with sbx_code_identity_free().
 */
int sbx_verify_fd(int fd, const struct sbx_verify_options *opts, struct sbx_code_identity *id,
		  struct sbx_diag *diag);
void sbx_code_identity_free(struct sbx_code_identity *id);

/*
 * For many verifications (the enforcement daemon): a verifier keeps the trust anchors,
 * revocations and trust caches of opts once loaded (each on first need). Recreate it
 * when the trust directory changes. opts' strings must outlive it; opts->path is unused:
 * each call names its file's path (NULL: no FILE.sbxsig lookup).
 * A verifier is not thread-safe (it loads lazily): threads use one verifier each, or
 * hold a lock around sbx_verifier_verify_fd. sbx_verify_fd makes its own and is safe.
 */
struct sbx_verifier;
int sbx_verifier_new(const struct sbx_verify_options *opts, struct sbx_verifier **out);
/*
 * Load now what opts names explicitly (trust directory, revocation list, trust caches)
 * and say what cannot be read or trusted: a CLI calls it before the first file.
 */
int sbx_verifier_preload(struct sbx_verifier *v, struct sbx_diag *diag);
int sbx_verifier_verify_fd(struct sbx_verifier *v, int fd, const char *path,
			   struct sbx_code_identity *id, struct sbx_diag *diag);
void sbx_verifier_free(struct sbx_verifier *v);

const char *sbx_verdict_name(enum sbx_verdict v);
/* A short stable name for logs and JSON: "digest-mismatch", "untrusted", ... */
const char *sbx_verify_reason_name(enum sbx_verify_reason r);
/* The trust directory opts would use. */
const char *sbx_trust_dir(const struct sbx_verify_options *opts);

#endif /* SBX_SIGN_VERIFY_H */
