// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hashing for verification sits on the exec path, so it reads in large blocks (a few
 * syscalls per megabyte) and lets the kernel read ahead; the digest is OpenSSL's SHA-256,
 * which uses SHA-NI where the CPU has it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* SHA256_Init and co. are deprecated in OpenSSL 3, not removed: see sbx_sha256(). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "sign/hash.h"

#define HASH_BLOCK (1u << 18) /* fits in L2, so the copy out of the page cache stays cheap */

/*
 * The same SHA-256 code as EVP's (SHA-NI where the CPU has it), called directly: EVP's first
 * use initializes OpenSSL, reading openssl.cnf and loading the default provider, about 1 ms.
 * sbx run hashes a program's path for its container key on every launch, and an unsigned
 * program needs nothing else of OpenSSL; a signature check initializes it as before.
 * No call that is not deprecated saves that: in OpenSSL 3, SHA256() is EVP_Q_digest(), and
 * a library context of sbx's own (OSSL_LIB_CTX_new, the default provider loaded without
 * openssl.cnf, EVP_MD_fetch once, EVP_Digest) still takes over 1 ms, most of it in the
 * fetch, which builds the provider's table of digests (sbx run --timings, "profile load"
 * of an unsigned program, best of 15 on OpenSSL 3.0.19: 0.07 ms as here, 1.19 ms so).
 * Deprecated is not removed; should a release remove these calls, take the 1 ms and EVP.
 */
void sbx_sha256(const void *buf, size_t len, uint8_t out[SBX_DIGEST_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, buf, len);
	SHA256_Final(out, &c);
}

int sbx_sha256_fd(int fd, uint64_t off, uint64_t len, uint8_t out[SBX_DIGEST_LEN],
		  struct sbx_diag *diag)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(HASH_BLOCK);
	unsigned int n = SBX_DIGEST_LEN;
	int err = 0;

	if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err = sbx_diag_set(diag, -ENOMEM, "out of memory for SHA-256");
		goto out;
	}
	posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_SEQUENTIAL);
	while (len) {
		size_t want = len < HASH_BLOCK ? (size_t)len : HASH_BLOCK;
		ssize_t got = pread(fd, buf, want, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = sbx_diag_set(diag, -errno, "read failed while hashing: %m");
			goto out;
		}
		if (got == 0) {
			err = sbx_diag_set(diag, -EIO, "file shrank while it was being hashed");
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	if (!EVP_DigestFinal_ex(ctx, out, &n))
		err = sbx_diag_set(diag, -EIO, "SHA-256 failed");
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return err;
}
