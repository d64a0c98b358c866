/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Landlock from a plan: one ruleset, fitted to the ABI of the running kernel. Each right,
 * scope or flag a kernel lacks is dropped and recorded (never silently), in the manner of
 * the kernel's samples/landlock/sandboxer.c, with an ABI-indexed mask table as minijail
 * keeps one.
 *
 * The ruleset is built where errors can still be reported (the parent: paths opened,
 * rules added), and only enforced in the child, so a bad rule never leaves a half-built
 * sandbox around a running program.
 */
#ifndef SBX_LANDLOCK_H
#define SBX_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "compile/plan.h"
#include "diag.h"
#include "launch/enforcement.h"

/* The newest ABI sbx knows; a newer kernel is used at this level. */
#define SBX_LANDLOCK_ABI_MAX 10

/* The running kernel's Landlock ABI, 0 when Landlock is unavailable (errno says why). */
int landlock_abi_version(void);

/* Pure: what ABI abi can express (abi is clamped to 0..SBX_LANDLOCK_ABI_MAX). */
uint64_t landlock_fs_mask(int abi);
uint64_t landlock_net_mask(int abi);
uint64_t landlock_scope_mask(int abi);
uint32_t landlock_restrict_flags(int abi);
/* The size of struct landlock_ruleset_attr this ABI reads. */
size_t landlock_ruleset_attr_size(int abi);

/*
 * Pure: what of the plan ABI abi enforces, one entry per Landlock feature the plan
 * touches, appended to e.
 */
void landlock_fit_plan(const struct sbx_landlock_plan *p, int abi, struct sbx_enforcement *e);

/*
 * Create the ruleset for abi and add every rule of the plan (paths opened O_PATH, rights a
 * path's type cannot hold removed, if_exists rules for absent paths skipped). Returns the
 * ruleset fd (close-on-exec), or -errno with d saying which rule and why. Does not restrict
 * the caller. With abi 0 or a disabled plan, returns -ENOENT without an error in d.
 */
int landlock_build_ruleset(const struct sbx_landlock_plan *p, int abi, struct sbx_diag *d);

/*
 * A write grant (rule r, its path open as fd, st its stat) refused while a set-id or
 * file-capability file the program could rewrite lies beneath it (grant_setid.c says why).
 * 0, or -EPERM (or the error that stopped the walk) with d naming the file.
 */
int landlock_grant_setid_check(const struct sbx_fs_rule *r, int fd, const struct stat *st,
			       struct sbx_diag *d);

/* Restrict the calling thread with a built ruleset (needs no_new_privs or CAP_SYS_ADMIN). */
int landlock_enforce_ruleset(int ruleset_fd, int abi, struct sbx_diag *d);

/*
 * Both, in the calling process: fit, build, enforce. A plan that does not enable Landlock,
 * or a kernel without it, restricts nothing; e (may be NULL) says what was enforced.
 */
int landlock_apply_plan(const struct sbx_landlock_plan *p, int abi, struct sbx_enforcement *e,
			struct sbx_diag *d);

#endif /* SBX_LANDLOCK_H */
