// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the code directory parser. Whatever it accepts must serialize again and parse back
 * to the same fields: the parser never accepts what the writer could not have written.
 */
#include <stdlib.h>
#include <string.h>

#include "sign/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_code_directory cd, again;
	struct sbx_diag diag = { 0 };
	uint8_t *buf;
	size_t len;

	if (sbx_cd_parse(data, size, &cd, &diag))
		return 0;
	if (sbx_cd_serialize(&cd, &buf, &len, &diag))
		abort();
	if (sbx_cd_parse(buf, len, &again, &diag))
		abort();
	if (strcmp(cd.identifier, again.identifier) || strcmp(cd.team_id, again.team_id) ||
	    cd.flags != again.flags || cd.content_size != again.content_size ||
	    memcmp(cd.content_digest, again.content_digest, SBX_DIGEST_LEN) ||
	    cd.entitlements_len != again.entitlements_len ||
	    (cd.entitlements_len &&
	     memcmp(cd.entitlements, again.entitlements, cd.entitlements_len)) ||
	    cd.launch_constraints_len != again.launch_constraints_len)
		abort();
	free(buf);
	return 0;
}
