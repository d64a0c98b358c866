/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Code signature verification: is this file signed, unmodified since, by a certificate
 * that chains to a trust anchor and is not revoked, and with which identity and
 * entitlements. The file is opened once and hashed through that descriptor.
 */
#ifndef LIBSBX_VERIFY_H
#define LIBSBX_VERIFY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sbx_verify_status {
	SBX_VERIFY_INVALID = 1, /* signed, but must not be trusted: see sbx_signature_reason() */
	SBX_VERIFY_VALID = 2, /* signed, unmodified, chains to an anchor, not revoked */
	SBX_VERIFY_UNSIGNED = 3, /* no signature and not in a platform trust cache */
	SBX_VERIFY_PLATFORM = 4, /* unsigned, but listed in a signed platform trust cache */
};

struct sbx_signature; /* what verifying one file found */

struct sbx_verify_file_opts {
	size_t sz; /* sizeof(struct sbx_verify_file_opts) */
	const char *trust_dir; /* NULL: $SBX_TRUST_DIR, else the system trust store */
	const char *identifier; /* require this signing identifier (with team_id); NULL: any */
	char *errbuf; /* why the file is not VALID or PLATFORM, one sentence */
	size_t errbuf_sz;
	/*
	 * Require this team id ("": a signature without a team); NULL: any, and then no
	 * identifier either: identity is team id and identifier, so identifier alone is -EINVAL.
	 */
	const char *team_id;
};

/*
 * Verify the file at path. Returns an enum sbx_verify_status with *out set (free it with
 * sbx_signature_free()), or a negative errno when the file could not be examined at all.
 */
int sbx_verify_file(const char *path, const struct sbx_verify_file_opts *opts,
		    struct sbx_signature **out);
void sbx_signature_free(struct sbx_signature *s);

enum sbx_verify_status sbx_signature_status(const struct sbx_signature *s);
/* A short stable name for why an INVALID file is not trusted ("digest-mismatch"), or "". */
const char *sbx_signature_reason(const struct sbx_signature *s);
/* The signing identifier, team identifier and cdhash (lower-case hex); "" when unsigned. */
const char *sbx_signature_identifier(const struct sbx_signature *s);
const char *sbx_signature_team_id(const struct sbx_signature *s);
const char *sbx_signature_cdhash(const struct sbx_signature *s);
/* The signed entitlement profile (canonical YAML, NUL-terminated), or NULL when none. */
const char *sbx_signature_entitlements(const struct sbx_signature *s, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* LIBSBX_VERIFY_H */
