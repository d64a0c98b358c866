/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * App containers: $XDG_DATA_HOME/sbx/containers/KEY (KEY from launch/target.h), the
 * program's writable home. What a run does in one (its home directories, a private tmp,
 * the lock that says a sandbox uses it) and what `sbx container list|path|rm` does with
 * them. Every walk inside a container goes through descriptors opened with O_NOFOLLOW:
 * a sandbox writes there, so a symlink it planted never leads sbx (unconfined) outside.
 */
#ifndef SBX_LAUNCH_CONTAINER_H
#define SBX_LAUNCH_CONTAINER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "compile/plan.h"
#include "diag.h"

/* What a run holds in its container; sbx_container_end() undoes it. */
struct sbx_container_run {
	int lock_fd; /* the container directory, flock(LOCK_SH) while the run lasts; -1 none */
	int tmp_parent_fd; /* the plan's tmp_dir, where this run's tmp was made; -1 none */
	char tmp_name[32]; /* this run's tmp beneath it */
	char tmp[PATH_MAX]; /* its path: the program's TMPDIR ("" none) */
	char canary[PATH_MAX]; /* the sandbox canary, passed as SBX_SANDBOX_CANARY ("" none) */
};

/*
 * Open the container, from the plan's container_base down, each directory made (0700)
 * where absent and this user's own, writable by nobody else (statedir.h; else
 * -EPERM naming the directory and its owner); with owner, record it in KEY.owner at first
 * use and refuse another (-EPERM); with canary, make sbx/sandbox-canary (r->canary). Then
 * lock the container shared (a `sbx container rm` in progress refuses the run, -EBUSY),
 * make the plan's home directories (home_dir and its XDG base directories, mode 0700,
 * where absent) and this run's tmp (a fresh directory, mode 0700, beneath tmp_dir). r is
 * the caller's, initialised here; on error no tmp is left made.
 */
int sbx_container_begin(const struct sbx_process_plan *pp, const char *owner, bool canary,
			struct sbx_container_run *r, struct sbx_diag *d);
/* Remove this run's tmp and everything in it, release the lock. Safe to call twice. */
void sbx_container_end(struct sbx_container_run *r);

/*
 * $XDG_DATA_HOME/sbx/containers from the host facts (as sbx_compile() places them), its
 * path in out, opened through the same ownership walk sbx run makes them with
 * (statedir.h; nothing is made): root's `sbx container rm` with a user's HOME refuses
 * rather than act in a tree that user can change. Returns the descriptor (O_CLOEXEC), or
 * -errno (-ENOENT: no containers yet; d says why).
 */
int sbx_containers_open(const struct sbx_host_facts *f, char *out, size_t len, struct sbx_diag *d);

/*
 * A container's key, its directory's name (launch/target.h says what each field is):
 * signed+ANCHOR+TEAM+IDENTIFIER, or profile+IDENTIFIER+H, each field with every byte
 * outside [A-Za-z0-9._-] as %XX, so a field never holds the '+' (sbx_container_list reads
 * the identifier back).
 */
void sbx_container_key_signed(char *out, size_t len, const char *anchor, const char *team,
			      const char *identifier);
void sbx_container_key_profile(char *out, size_t len, const char *identifier, const char *hash);

struct sbx_container_info {
	char key[NAME_MAX + 1]; /* the directory's name */
	char identifier[NAME_MAX + 1]; /* the identifier in the key (escaped as in the key) */
	char owner[PATH_MAX + 400]; /* KEY.owner: who it belongs to ("" unrecorded) */
	bool in_use; /* a running sbx holds its lock */
};

/*
 * Each container under rootfd (sbx_containers_open; root is its path, for messages), sorted
 * by key, passed to cb. Returns 0 or -errno (d says why).
 */
int sbx_container_list(int rootfd, const char *root,
		       void (*cb)(const struct sbx_container_info *, void *), void *arg,
		       struct sbx_diag *d);

/*
 * The container named name: its key, or the identifier in exactly one key. Fills out.
 * -ENOENT none; -EEXIST (ambiguous: several keys have that identifier; d lists them).
 */
int sbx_container_find(int rootfd, const char *root, const char *name,
		       struct sbx_container_info *out, struct sbx_diag *d);

/*
 * Remove the container key and its owner record. -EBUSY while a sbx run uses it (the
 * lock is taken); -ENOLCK and the like when the lock cannot be asked (then nobody can
 * know, and nothing is removed).
 */
int sbx_container_remove(int rootfd, const char *root, const char *key, struct sbx_diag *d);

#endif /* SBX_LAUNCH_CONTAINER_H */
