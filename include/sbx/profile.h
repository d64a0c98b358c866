/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entitlement profiles (YAML, or an Apple .entitlements plist) and the plan one compiles
 * to: exactly the Landlock rules, seccomp rules and process attributes `sbx run` applies,
 * each with the entitlement behind it. The keys are listed in sbx-profile(5).
 */
#ifndef LIBSBX_PROFILE_H
#define LIBSBX_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sbx_profile; /* a loaded, validated profile */
struct sbx_plan; /* what the kernel gets for one profile on this host */

struct sbx_profile_open_opts {
	size_t sz; /* sizeof(struct sbx_profile_open_opts) */
	char *errbuf; /* on failure, one sentence: "file:line:col: message" */
	size_t errbuf_sz;
};

/* Load and validate the profile at path. Returns 0 with *out set, or a negative errno. */
int sbx_profile_open(const char *path, const struct sbx_profile_open_opts *opts,
		     struct sbx_profile **out);
void sbx_profile_close(struct sbx_profile *p);
/* Its reverse-DNS identifier. */
const char *sbx_profile_identifier(const struct sbx_profile *p);
/* True if the boolean entitlement key is true or the list entitlement key is present. */
bool sbx_profile_entitled(const struct sbx_profile *p, const char *key);

struct sbx_plan_opts {
	size_t sz; /* sizeof(struct sbx_plan_opts) */
	const char *program; /* the program the plan is for (it gets read+execute); NULL: none */
	char *errbuf;
	size_t errbuf_sz;
};

/*
 * Compile p for this user and host ($HOME, the XDG directories). Pure apart from reading
 * the environment: the same profile and host give the same plan.
 */
int sbx_plan_create(const struct sbx_profile *p, const struct sbx_plan_opts *opts,
		    struct sbx_plan **out);
void sbx_plan_free(struct sbx_plan *plan);

#define SBX_EXPLAIN_JSON (1u << 0) /* the stable JSON form `sbx profile explain --json` prints */
/* Write the plan as `sbx profile explain` does. Returns 0, or -EINVAL for unknown flags. */
int sbx_plan_explain(const struct sbx_plan *plan, FILE *out, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBSBX_PROFILE_H */
