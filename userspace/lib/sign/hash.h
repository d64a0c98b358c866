/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 of a byte range of an open file, read through that descriptor only. */
#ifndef SBX_SIGN_HASH_H
#define SBX_SIGN_HASH_H

#include <stdint.h>

#include "diag.h"
#include "sign/format.h"

/*
 * Hash len bytes of fd starting at off (pread: the file offset is left alone) with
 * OpenSSL's EVP SHA-256 in 256 KiB reads. -EIO (with diag) if the file is shorter.
 */
int sbx_sha256_fd(int fd, uint64_t off, uint64_t len, uint8_t out[SBX_DIGEST_LEN],
		  struct sbx_diag *diag);
/* SHA-256 of a buffer. */
void sbx_sha256(const void *buf, size_t len, uint8_t out[SBX_DIGEST_LEN]);

#endif /* SBX_SIGN_HASH_H */
