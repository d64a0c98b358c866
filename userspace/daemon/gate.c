// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd's verifier: the library's struct sbx_verifier, the same code path, trust store,
 * revocations and trust caches as `sbx verify`. The verifier is documented for many
 * verifications but not for several threads, so sbxd calls it from one thread only (the
 * worker in fan.c, or main before the listener starts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "sbxd.h"
#include "sign/verify.h"

struct sbxd_gate {
	struct sbx_verify_options opts;
	struct sbx_verifier *v;
	char trust_dir[256];
};

int sbxd_gate_new(const char *trust_dir, struct sbxd_gate **out, struct sbx_diag *d)
{
	struct sbxd_gate *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	if (trust_dir && trust_dir[0]) {
		snprintf(g->trust_dir, sizeof(g->trust_dir), "%s", trust_dir);
		g->opts.trust_dir = g->trust_dir;
	}
	err = sbx_verifier_new(&g->opts, &g->v);
	if (err) {
		free(g);
		return sbx_diag_set(d, err, "cannot create the verifier: %s", strerror(-err));
	}
	*out = g;
	return 0;
}

/*
 * What the verified signature's entitlements lift in the kernel (tier K): the same flags
 * `sbx run` compiles for them. Entitlements that do not load lift nothing (the verifier
 * leaves refusing them to whoever applies them; here that is the safe side).
 */
static uint32_t gate_policy(const struct sbx_code_identity *id)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag d = { 0 };
	uint32_t flags;

	if (id->entitlements && sbx_profile_load_signed("the signed entitlements", id->entitlements,
							id->entitlements_len, &p, &d))
		p = NULL;
	flags = sbx_compile_policy_flags(p, p && sbx_profile_entitled(p, "app-sandbox"));
	if (!id->hardened_runtime)
		flags &= ~(uint32_t)SBX_POLICY_HARDENED_RUNTIME;
	sbx_profile_free(p);
	return flags;
}

void sbxd_gate_check(struct sbxd_gate *g, int fd, const char *path, struct sbxd_check *out)
{
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	int v = sbx_verifier_verify_fd(g->v, fd, path, &id, &diag);

	memset(out, 0, sizeof(*out));
	if (v == SBX_VERDICT_VALID || v == SBX_VERDICT_PLATFORM) {
		out->kind = v == SBX_VERDICT_VALID ? SBXD_KIND_VALID : SBXD_KIND_PLATFORM;
		out->verdict = sbx_verdict_name(v);
		out->reason = "";
	} else {
		out->kind = SBXD_KIND_REFUSED;
		out->verdict = v < 0 ? "error" : sbx_verdict_name((enum sbx_verdict)v);
		out->reason = v == SBX_VERDICT_UNSIGNED ? "unsigned"
			      : v < 0			? "io"
							: sbx_verify_reason_name(id.reason);
		sbx_diag_format(&diag, out->fact, sizeof(out->fact));
		if (!out->fact[0])
			snprintf(out->fact, sizeof(out->fact), "%s", out->verdict);
	}
	snprintf(out->identifier, sizeof(out->identifier), "%s", id.identifier);
	snprintf(out->team_id, sizeof(out->team_id), "%s", id.team_id);
	snprintf(out->cdhash, sizeof(out->cdhash), "%s", id.cdhash_hex);
	out->hardened_runtime = id.hardened_runtime;
	if (sbxd_kind_allows(out->kind))
		out->policy = gate_policy(&id);
	sbx_code_identity_free(&id);
}

const char *sbxd_gate_trust_dir(const struct sbxd_gate *g)
{
	return sbx_trust_dir(&g->opts);
}

void sbxd_gate_free(struct sbxd_gate *g)
{
	if (!g)
		return;
	sbx_verifier_free(g->v);
	free(g);
}
