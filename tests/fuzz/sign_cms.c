// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the CMS SignedData parser and signature check over a fixed code directory. */
#include <stddef.h>
#include <stdint.h>

#include "sign/cms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t cd[64] = { 'S', 'B', 'X', 'C', 0, 1, 1 };
	struct sbx_cms cms;
	struct sbx_diag diag = { 0 };

	if (!sbx_cms_parse(data, size, &cms, &diag))
		sbx_cms_check_signature(&cms, cd, sizeof(cd), &diag);
	sbx_cms_free(&cms);
	return 0;
}
