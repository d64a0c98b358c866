/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile compiler: profile + host facts → plan (plan.h). sbx_compile() is pure: no
 * file system, no syscalls, no globals, so the same inputs always give the same plan and
 * `sbx profile explain` shows exactly what the launcher will apply. The one impure helper,
 * sbx_host_facts_from_environment(), lives apart in facts.c.
 */
#ifndef SBX_COMPILE_H
#define SBX_COMPILE_H

#include <stdio.h>

#include "compile/plan.h"
#include "profile/profile.h"
#include "uapi_compat.h"

/* Landlock rights sbx asks for: everything through ABI 9 (the launcher drops the rest). */
#define SBX_LANDLOCK_FS_ALL ((1ULL << 17) - 1)
/* The sets rules are made of (explain names each as a whole). */
#define SBX_FS_READ	 (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define SBX_FS_READ_EXEC (SBX_FS_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define SBX_FS_READ_WRITE                                                                         \
	(SBX_FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |            \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |                           \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM |                              \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_REFER | \
	 LANDLOCK_ACCESS_FS_TRUNCATE)
/* Every right that changes what is beneath a directory, or a file's bytes. */
#define SBX_FS_WRITES                                                                             \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                          \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                          \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                              \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                            \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | \
	 LANDLOCK_ACCESS_FS_TRUNCATE)

int sbx_compile(const struct sbx_profile *p, const struct sbx_host_facts *facts,
		struct sbx_plan **out, struct sbx_diag *diag);
void sbx_plan_free(struct sbx_plan *plan);
/*
 * The kernel policy record's flags for a profile (enum sbx_policy_flags): the hardened
 * runtime and what the profile's entitlements lift, Apple's memory cascade applied. Pure.
 * sbx_compile puts them in plan->policy; sbxd puts them in a signed program's verdict.
 */
uint32_t sbx_compile_policy_flags(const struct sbx_profile *p, bool sandboxed);

/*
 * What the absence of feature (a report row's name) costs plan, or NULL when compile said
 * nothing of it (the row's own judgment stands). Pure.
 */
const struct sbx_plan_drop *sbx_plan_drop_find(const struct sbx_plan *plan, const char *feature);

/* `explain --json`: deterministic, so snapshots compare byte for byte. */
void sbx_plan_write_json(const struct sbx_plan *plan, FILE *out);
/* `explain`: the same plan in words, each rule with the entitlement behind it. */
void sbx_plan_write_text(const struct sbx_plan *plan, FILE *out);

/* The lowest Landlock ABI that knows every right in a file-system access mask. */
unsigned int sbx_landlock_fs_min_abi(uint64_t access);
unsigned int sbx_landlock_net_min_abi(uint64_t access);

/*
 * Whether path is the directory named by the first n bytes of dir (trailing slashes aside) or
 * lies beneath it, by name; "/" holds every absolute path.
 */
bool sbx_path_within(const char *path, const char *dir, size_t n);

/*
 * Whether path is one of sbx's own directories (l->own) or above one: a write rule there is
 * refused by sbx run (the launcher finds it by inode; this judges the path, for the
 * suggestions below). l may be NULL: none.
 */
bool sbx_landlock_holds_own(const struct sbx_landlock_plan *l, const char *path);

/* What would lift a refused file act (sbx run's explanation, sbx learn's profile). */
struct sbx_suggestion {
	/*
	 * What the grant names: dir; or, when a write grant of dir would hold one of sbx's own
	 * directories (sbx run refuses it), the refused object itself (object set); or NULL
	 * when that holds one too: no grant allows the act.
	 */
	const char *path;
	bool object;
	const char *mode; /* the --grant suffix: "", ":rw" or ":x" */
	bool write;
	const char *entitlement; /* the files.user-selected key the grant needs and the profile
				    lacks, or NULL */
	/* The profile key and value that grant it without the command line (home-relative
	 * under home), or NULL: executing (no profile key names an executable path). */
	const char *profile_key;
	const char *profile_path; /* within path */
};
/*
 * need: LANDLOCK_ACCESS_FS_* rights refused; dir: the directory a grant would name; path:
 * the object refused (dir itself when the act is on it); own: the plan's (plan.h: own), or
 * NULL.
 */
void sbx_suggest_file_grant(const struct sbx_profile *p, const struct sbx_landlock_plan *own,
			    uint64_t need, const char *dir, const char *path, const char *home,
			    struct sbx_suggestion *out);

/*
 * Fill facts from the environment: $HOME, $XDG_DATA_HOME, $XDG_RUNTIME_DIR and the user
 * directories of ~/.config/user-dirs.dirs (XDG defaults when absent), and whether this
 * process already runs confined (/proc/self/status). Strings are copied
 * into storage (PATH_MAX * 8 is plenty); program, grants and features are left as they
 * were. Returns 0, or -ENOENT without a home directory, -ENOSPC if storage is too small.
 */
int sbx_host_facts_from_environment(struct sbx_host_facts *facts, char *storage,
				    size_t storage_len);

#endif /* SBX_COMPILE_H */
