// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the trust store's list parsers: the first byte picks the revocation list (text)
 * or a trust cache body (sorted digests); lookups run on whatever parses.
 */
#include <stddef.h>
#include <stdint.h>

#include "sign/trust.h"
#include "sign/trustcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[SBX_DIGEST_LEN];
	struct sbx_diag diag = { 0 };

	if (!size)
		return 0;
	if (data[0] & 1) {
		struct sbx_revocations r;

		if (!sbx_revocations_parse("fuzz", (const char *)data + 1, size - 1, &r, &diag)) {
			sbx_revoked_cert(&r, zero, "1");
			sbx_revoked_cdhash(&r, zero);
			sbx_revocations_free(&r);
		}
	} else {
		struct sbx_trust_cache tc;

		if (!sbx_trust_cache_parse(data + 1, size - 1, &tc, &diag)) {
			sbx_trust_cache_contains(&tc, zero);
			sbx_trust_cache_free(&tc);
		}
	}
	return 0;
}
