/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding a file's signature: the appended trailer first, then the user.sbx.sig xattr,
 * then FILE.sbxsig next to it. Everything read is bounded by the format's limits.
 */
#ifndef SBX_SIGN_SIGBLOB_H
#define SBX_SIGN_SIGBLOB_H

#include <stdint.h>

#include "diag.h"
#include "sign/format.h"

struct sbx_sig_blob {
	enum sbx_sig_location location;
	uint64_t file_size;
	uint64_t content_len; /* bytes of the file the trailer says are signed */
	uint8_t *cd; /* owned copies */
	size_t cd_len;
	uint8_t *cms;
	size_t cms_len;
	struct sbx_code_directory code_dir; /* parsed; borrows cd */
};

/*
 * Load and parse the signature of the open file fd. path (may be NULL) is only used to
 * find PATH.sbxsig. Returns 0 when a well-formed signature was found, -ENODATA when there
 * is none, -EBADMSG (with diag) when one is present but malformed, another -errno on I/O.
 */
int sbx_sig_load_fd(int fd, const char *path, struct sbx_sig_blob *blob, struct sbx_diag *diag);

/*
 * Parse a signature from memory: with embedded, buf is a whole file ending in a trailer;
 * otherwise buf is a detached/xattr signature. Same returns as sbx_sig_load_fd.
 */
int sbx_sig_parse_buffer(const uint8_t *buf, size_t len, bool embedded, struct sbx_sig_blob *blob,
			 struct sbx_diag *diag);

void sbx_sig_blob_free(struct sbx_sig_blob *blob);

/* The detached signature path for path: PATH.sbxsig, into out. -ENAMETOOLONG if it does not fit. */
int sbx_sig_detached_path(const char *path, char *out, size_t len);

#endif /* SBX_SIGN_SIGBLOB_H */
