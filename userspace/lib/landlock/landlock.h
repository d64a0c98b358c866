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

/* Rights that mean something on a non-directory; the others make add_rule fail EINVAL. */
#define SBX_LANDLOCK_FS_FILE_RIGHTS                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)

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
/* A grant a ruleset got: its object, by inode (as Landlock keeps a rule), and its rights. */
struct landlock_grant {
	dev_t dev;
	ino_t ino;
	uint64_t access;
};

/* Grants in the order they were made (v malloc'd, grown by landlock_grants_add; free(v)). */
struct landlock_grants {
	struct landlock_grant *v;
	size_t n, cap;
};

/* The object (dev, ino) with access appended to g: 0 or -ENOMEM. */
int landlock_grants_add(struct landlock_grants *g, dev_t dev, ino_t ino, uint64_t access);

/*
 * The same, and with p->others_only the grants the system rules became appended to
 * *others (may be NULL): one walk for the ruleset and the supervisor (supervise/roots.c).
 */
int landlock_build_ruleset_others(const struct sbx_landlock_plan *p, int abi,
				  struct landlock_grants *others, struct sbx_diag *d);

/*
 * A write grant (rule r, its path open as fd, st its stat) refused while a set-id or
 * file-capability file the program could rewrite lies beneath it (grant_setid.c says why).
 * 0, or -EPERM (or the error that stopped the walk) with d naming the file.
 */
int landlock_grant_setid_check(const struct sbx_fs_rule *r, int fd, const struct stat *st,
			       struct sbx_diag *d);

/* Whose access a system rule is judged for (grant_others.c): the program's ids. */
struct landlock_ids {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
};

/*
 * Pure: the rights that give a program with ids self nothing on an entry (mode, owner,
 * group) that others lack: every right but those its mode bits grant self and not others.
 * A directory self may search and others may not gives nothing beneath it (0).
 */
uint64_t landlock_others_clean(mode_t mode, uid_t owner, gid_t group,
			       const struct landlock_ids *self);

/* The most entries one system rule is walked through (grant_others.c). */
#define SBX_LANDLOCK_OTHERS_MAX_ENTRIES 250000

/*
 * A system rule (r, its path open as fd, st its stat) granted with access only as far as
 * it gives self no more than others: one rule where that holds for the whole subtree, rules
 * entry by entry beneath where it does not (grant_others.c says how). 0, or -errno with d
 * saying why; what lies past the bounds (entries, depth, a path's length) gets no rule:
 * closed.
 */
struct landlock_grant_sink {
	int ruleset; /* the rules go here; -1: none */
	struct landlock_grants *record; /* and each is appended here (may be NULL) */
};
int landlock_grant_others(const struct landlock_grant_sink *sink, const struct sbx_fs_rule *r,
			  uint64_t access, int fd, const struct stat *st,
			  const struct landlock_ids *self, struct sbx_diag *d);

/*
 * Whether the caller's program gets the system rules only as far as others may reach them:
 * when it runs as root (--allow-root), the owner of root's files. One decision for the
 * ruleset (launch) and the supervisor's grants (supervise/roots.c).
 */
bool landlock_others_only(void);
/* The caller's ids into self, groups (n entries) holding its supplementary groups. */
size_t landlock_ids_of_caller(struct landlock_ids *self, gid_t *groups, size_t n);

/* Restrict the calling thread with a built ruleset (needs no_new_privs or CAP_SYS_ADMIN). */
int landlock_enforce_ruleset(int ruleset_fd, int abi, struct sbx_diag *d);

/*
 * Both, in the calling process: fit, build, enforce. A plan that does not enable Landlock,
 * or a kernel without it, restricts nothing; e (may be NULL) says what was enforced.
 */
int landlock_apply_plan(const struct sbx_landlock_plan *p, int abi, struct sbx_enforcement *e,
			struct sbx_diag *d);

#endif /* SBX_LANDLOCK_H */
