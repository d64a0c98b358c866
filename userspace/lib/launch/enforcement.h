/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a plan wanted against what this kernel enforced. The appliers (landlock/, seccomp/,
 * launch/) fill one entry per feature the plan touches; `sbx run --report` prints them,
 * a security-relevant drop is always printed, and --require refuses on a drop.
 */
#ifndef SBX_LAUNCH_ENFORCEMENT_H
#define SBX_LAUNCH_ENFORCEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct sbx_feature_state {
	const char *feature; /* stable name for --require, e.g. "landlock.scope" */
	const char *what; /* one phrase for people */
	bool wanted; /* the plan asked for it */
	bool enforced; /* this kernel does it for this run */
	bool available; /* this kernel has it, whether or not the plan asked */
	bool security; /* not enforcing it leaves the program more than the profile grants */
	bool rights; /* file or network rights of the ruleset: what --complain judges instead */
	char why[128]; /* for a drop: the reason, e.g. "needs Landlock ABI 6, kernel has 2" */
};

#define SBX_ENFORCEMENT_MAX 32

struct sbx_enforcement {
	struct sbx_feature_state items[SBX_ENFORCEMENT_MAX];
	size_t n;
	char notes[8][200]; /* limits that are not drops (e.g. audit records unreadable) */
	size_t n_notes;
};

/* Record one feature, enforced when wanted and available; returns the entry so the caller
 * may fill why. Never fails: past the
 * table's size the last entry is reused (the table is sized for every feature sbx knows). */
struct sbx_feature_state *sbx_enforcement_add(struct sbx_enforcement *e, const char *feature,
					      const char *what, bool wanted, bool available,
					      bool security);
void sbx_enforcement_note(struct sbx_enforcement *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const struct sbx_feature_state *sbx_enforcement_find(const struct sbx_enforcement *e,
						     const char *feature);
/* True if the plan wanted something this kernel did not enforce (security ones only when
 * security_only). */
bool sbx_enforcement_has_drop(const struct sbx_enforcement *e, bool security_only);
/*
 * --require: 0 if every feature in names (NULL-terminated, may be NULL) is available and,
 * when the plan wants it, enforced, and with all, nothing the plan wants was dropped.
 * Else -EOPNOTSUPP with the first refusal in d.
 */
int sbx_enforcement_require(const struct sbx_enforcement *e, const char *const *names, bool all,
			    struct sbx_diag *d);
/*
 * Whether to tell this user now that this kernel lacks feature: true the first time for
 * (kernel, feature), which is then recorded as a line "KERNEL FEATURE" in
 * BASE/REL/sbx/kernel-notes ($XDG_STATE_HOME/sbx, or $HOME/.local/state/sbx: base and rel as
 * sbx_state_dir_open() takes them, each directory made 0700 and this user's own, the file
 * a regular file of this user's, never reached through a symlink nor opened blocking).
 * True as well when the record cannot be read or written: saying it again beats hiding it.
 */
bool sbx_enforcement_first_notice(const char *base, const char *rel, const char *kernel,
				  const char *feature);
/* Every feature name sbx can report, NULL-terminated: what --require accepts. */
extern const char *const sbx_feature_names[];
bool sbx_feature_name_known(const char *name);

#endif /* SBX_LAUNCH_ENFORCEMENT_H */
