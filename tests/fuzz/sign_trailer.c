// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the signature locator's parser: the first byte picks an embedded file (trailer at
 * the end of the whole input) or a detached/xattr signature; whatever parses then goes
 * through the CMS parser and signature check, as sbx verify would.
 */
#include <stddef.h>
#include <stdint.h>

#include "sign/cms.h"
#include "sign/sigblob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_sig_blob blob;
	struct sbx_cms cms;
	struct sbx_diag diag = { 0 };

	if (!size)
		return 0;
	if (!sbx_sig_parse_buffer(data + 1, size - 1, data[0] & 1, &blob, &diag)) {
		if (!sbx_cms_parse(blob.cms, blob.cms_len, &cms, &diag))
			sbx_cms_check_signature(&cms, blob.cd, blob.cd_len, &diag);
		sbx_cms_free(&cms);
	}
	sbx_sig_blob_free(&blob);
	return 0;
}
