// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the profile loader with YAML: whatever loads must also survive the rest of the
 * path its bytes take (canonical form read back equal, compile, both plan writers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "profile/profile.h"

/* A directory that does not exist: relative includes in fuzz input resolve nowhere. */
#define FUZZ_NAME "/nonexistent-sbx-fuzz/profile.yaml"

void sbx_fuzz_profile(const uint8_t *data, size_t size);

void sbx_fuzz_profile(const uint8_t *data, size_t size)
{
	static const struct sbx_grant grants[] = {
		{ .path = "/srv/in", .write = false, .execute = false },
		{ .path = "/srv/out", .write = true, .execute = false }
	};
	struct sbx_host_facts facts = {
		.home = "/home/f",
		.xdg_data_home = "/home/f/.local/share",
		.xdg_runtime_dir = "/run/user/1",
		.program = "/opt/f/bin/f",
	};
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL, *q = NULL;
	struct sbx_plan *plan = NULL;
	char *canon = NULL;
	size_t len;
	FILE *null;

	if (sbx_profile_load_buffer(FUZZ_NAME, data, size, &p, &d))
		return;
	if (sbx_profile_canonical(p, &canon, &len) ||
	    sbx_profile_load_buffer("canonical", canon, len, &q, &d) || !sbx_profile_equal(p, q))
		abort(); /* canonical bytes must read back to an equal profile */
	if (sbx_profile_entitled(p, "files.user-selected.read-write")) {
		facts.grants = grants;
		facts.n_grants = 2;
	}
	if (!sbx_compile(p, &facts, &plan, &d)) {
		null = fopen("/dev/null", "we");
		if (null) {
			sbx_plan_write_json(plan, null);
			sbx_plan_write_text(plan, null);
			fclose(null);
		}
		sbx_plan_free(plan);
	}
	free(canon);
	sbx_profile_free(q);
	sbx_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sbx_fuzz_profile(data, size);
	return 0;
}
