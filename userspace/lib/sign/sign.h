/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signing a file: build the code directory over its content, sign it with CMS, and store
 * the signature appended (ELF and other files whose loader ignores trailing bytes), in
 * FILE.sbxsig and/or the user.sbx.sig xattr (scripts and everything else). Signing a
 * signed file replaces its signature.
 */
#ifndef SBX_SIGN_SIGN_H
#define SBX_SIGN_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "sign/cms.h"
#include "sign/format.h"

enum sbx_sig_placement {
	SBX_PLACE_AUTO = 0, /* ELF (or already embedded): appended; else detached + xattr */
	SBX_PLACE_EMBEDDED,
	SBX_PLACE_DETACHED,
	SBX_PLACE_XATTR,
};

struct sbx_sign_options {
	const struct sbx_signer *signer;
	const char *identifier; /* NULL: the file's base name */
	uint32_t flags; /* SBX_CD_FLAG_* */
	const uint8_t *entitlements;
	size_t entitlements_len;
	const uint8_t *launch_constraints;
	size_t launch_constraints_len;
	enum sbx_sig_placement placement;
};

struct sbx_sign_result {
	bool embedded, detached, xattr; /* where the signature went */
	bool replaced; /* an appended signature was there before */
	char xattr_skipped[160]; /* why AUTO wrote no xattr, "" if it did or was not asked */
	char identifier[SBX_IDENTIFIER_MAX + 1];
	char cdhash_hex[2 * SBX_DIGEST_LEN + 1];
};

int sbx_sign_path(const char *path, const struct sbx_sign_options *o, struct sbx_sign_result *res,
		  struct sbx_diag *diag);

/*
 * The complete signature blob (code directory, CMS, trailer) for the first content_len
 * bytes of fd. *blob is malloc'd.
 */
int sbx_sign_blob_fd(int fd, uint64_t content_len, const struct sbx_sign_options *o,
		     const char *default_identifier, uint8_t **blob, size_t *blob_len,
		     uint8_t cdhash[SBX_DIGEST_LEN], char *identifier, struct sbx_diag *diag);

#endif /* SBX_SIGN_SIGN_H */
