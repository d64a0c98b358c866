/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A platform trust cache: the SHA-256 digests of files that cannot be re-signed
 * (distribution binaries), like Apple's trust cache. The file is a sorted digest table
 * (FORMAT.md) carrying an appended sbx signature with identifier "sbx.trust-cache".
 */
#ifndef SBX_SIGN_TRUSTCACHE_H
#define SBX_SIGN_TRUSTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "diag.h"
#include "sign/format.h"
#include "sign/verify.h"

#define SBX_TC_MAGIC	   "SBXTCACH"
#define SBX_TC_VERSION	   1
#define SBX_TC_HEADER_LEN  24
#define SBX_TC_MAX_ENTRIES (1u << 22)
#define SBX_TC_IDENTIFIER  "sbx.trust-cache"

struct sbx_trust_cache {
	uint8_t (*digests)[SBX_DIGEST_LEN]; /* sorted, unique */
	size_t n;
	time_t created;
};

/* Sort and deduplicate digests in place, then serialize. *buf is malloc'd. */
int sbx_trust_cache_serialize(uint8_t (*digests)[SBX_DIGEST_LEN], size_t n, time_t created,
			      uint8_t **buf, size_t *len, struct sbx_diag *diag);
/* Parse the unsigned body; -EBADMSG with a sentence if malformed, unsorted or oversized. */
int sbx_trust_cache_parse(const uint8_t *buf, size_t len, struct sbx_trust_cache *tc,
			  struct sbx_diag *diag);
/*
 * Verify the cache's signature against opts' trust store (never consulting trust caches
 * itself), then load its body from the same descriptor, re-hashed after reading.
 * id (may be NULL) receives the cache's own code identity.
 */
int sbx_trust_cache_load_fd(int fd, const struct sbx_verify_options *opts,
			    struct sbx_trust_cache *tc, struct sbx_code_identity *id,
			    struct sbx_diag *diag);
bool sbx_trust_cache_contains(const struct sbx_trust_cache *tc,
			      const uint8_t digest[SBX_DIGEST_LEN]);
void sbx_trust_cache_free(struct sbx_trust_cache *tc);

#endif /* SBX_SIGN_TRUSTCACHE_H */
