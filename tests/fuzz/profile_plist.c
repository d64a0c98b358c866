// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the profile loader with Apple plists (XML and binary, through libplist). Input
 * that does not already look like a plist is given the binary magic, so every run
 * reaches the plist reader rather than the YAML one.
 */
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_host_facts facts = { .home = "/home/f", .program = "/usr/bin/f" };
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL, *q = NULL;
	struct sbx_plan *plan = NULL;
	char *buf, *canon = NULL;
	size_t len = size;

	if (size >= 6 && (data[0] == '<' || !memcmp(data, "bplist", 6))) {
		buf = malloc(size ? size : 1);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
	} else {
		buf = malloc(size + 8);
		if (!buf)
			return 0;
		memcpy(buf, "bplist00", 8);
		memcpy(buf + 8, data, size);
		len = size + 8;
	}
	if (!sbx_profile_load_buffer("fuzz.entitlements", buf, len, &p, &d)) {
		size_t clen;

		if (sbx_profile_canonical(p, &canon, &clen) ||
		    sbx_profile_load_buffer("canonical", canon, clen, &q, &d) ||
		    !sbx_profile_equal(p, q))
			abort();
		if (!sbx_compile(p, &facts, &plan, &d))
			sbx_plan_free(plan);
	}
	free(canon);
	sbx_profile_free(q);
	sbx_profile_free(p);
	free(buf);
	return 0;
}
