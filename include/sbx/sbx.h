/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsbx, the public API: entitlement profiles, the plan a profile compiles to, and code
 * signature verification. Link with `pkg-config --cflags --libs sbx`.
 *
 *	SBX_OPTS(sbx_profile_open_opts, po, .errbuf = err, .errbuf_sz = sizeof(err));
 *	struct sbx_profile *p;
 *	if (sbx_profile_open("app.yaml", &po, &p) < 0) { puts(err); ... }
 *	struct sbx_plan *plan;
 *	if (!sbx_plan_create(p, NULL, &plan)) { sbx_plan_explain(plan, stdout, 0); ... }
 *
 * Conventions (those of libbpf): functions return 0 or a negative errno; every handle is
 * opaque and freed by its own function (NULL is a no-op); every options struct starts with
 * its size, so a program built against an older header keeps working with a newer library
 * (fields it does not know are zero). Pass NULL for default options.
 */
#ifndef LIBSBX_SBX_H
#define LIBSBX_SBX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SBX_API_VERSION_MAJOR 0
#define SBX_API_VERSION_MINOR 1

/* Declare an options struct NAME of type struct TYPE with its size set. */
#define SBX_OPTS(TYPE, NAME, ...) struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *sbx_library_version(void);

#ifdef __cplusplus
}
#endif

#include <sbx/profile.h>
#include <sbx/verify.h>

#endif /* LIBSBX_SBX_H */
