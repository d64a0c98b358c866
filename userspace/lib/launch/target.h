/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which profile applies to a program, and the descriptor it runs from: the one decision
 * `sbx run` and sbxd share. The program is opened once; its signature is verified through
 * that descriptor, and the launcher execs that same descriptor (launch.h, program_fd), so
 * the entitlements follow the file that was checked, never a path looked up again.
 *
 *  - an explicit profile (--profile) applies as given; the signature is not read;
 *  - else a valid signature carrying entitlements applies them;
 *  - else the default profile.
 * A signature showing the file was modified, or revoked, stops the run (-EPERM); one that
 * is merely not trusted here leaves a warning and the default profile.
 *
 * The container (the app's writable home) is keyed by identity, never by a name a profile
 * can claim: signed entitlements by (team id, signing identifier) of the verified
 * signature; any other profile by its identifier, the program's path and what the run may
 * do (sbx_launch_target_container), so two unsigned programs, or one program run with
 * different grants, never share one.
 */
#ifndef SBX_LAUNCH_TARGET_H
#define SBX_LAUNCH_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "diag.h"
#include "profile/profile.h"

struct sbx_launch_target {
	char path[PATH_MAX]; /* absolute, as resolved */
	int fd; /* the program (O_RDONLY, or O_PATH when execute-only): verified, then run */
	struct stat st; /* fstat before the verification read it */
	int script_fd; /* a verified #! script: its signed bytes in a sealed memfd, else -1 */
	struct sbx_profile *profile; /* owned */
	char source[PATH_MAX + 32]; /* the profile's file, or "PATH (signed entitlements)" */
	bool signed_entitlements; /* the profile came from the verified signature */
	char team_id[65]; /* of a valid signature, else "" */
	char identifier[256]; /* signing identifier of a valid signature, else "" */
	char anchor[33]; /* of a valid signature: the trust anchor (sbx_code_identity.anchor) */
	char cdhash_hex[65]; /* of a valid signature, else "" */
	uint32_t cd_flags; /* of a valid signature: SBX_CD_FLAG_* (hardened runtime, ...) */
	bool verified; /* a valid signature: the fields above are its identity */
	/* The container's directory name under $XDG_DATA_HOME/sbx/containers/, and who owns
	 * it (recorded beside it at first use; another owner is refused): set by
	 * sbx_launch_target_container(). */
	char container_key[320];
	char container_owner[PATH_MAX + 320];
	char warning[640]; /* a note for the user ("" none): the run goes on */
	char note[PATH_MAX + 200]; /* which profile applies and why, when not obvious ("" none) */
};

struct sbx_target_opts {
	const char *profile_file; /* explicit profile (a file), or NULL */
	const char *default_profile_file; /* when neither explicit nor signed */
	/* Before the default: the profile named like the program (profile/lookup.h), for an
	 * unsigned program ("curl" gets the profile curl); not for an untrusted signature. */
	bool profile_by_name;
	const char *trust_dir; /* NULL: $SBX_TRUST_DIR, else /etc/sbx/trust.d */
};

/*
 * Open path (absolute), verify it, choose its profile. Returns 0; -ENOENT, -EACCES (could
 * not open it: not found, not executable, not a regular file); -EPERM (its signature says
 * it must not run); another -errno (a profile could not be loaded). d says why.
 */
int sbx_launch_target_open(struct sbx_launch_target *t, const char *path,
			   const struct sbx_target_opts *o, struct sbx_diag *d);
void sbx_launch_target_close(struct sbx_launch_target *t);

struct sbx_grant;

/* What a run is given beyond its program's profile: sbx run's --grant, --allow, --complain. */
struct sbx_run_given {
	const struct sbx_grant *grants;
	size_t n_grants;
	const char *const *allow; /* the keys --allow set (already in t->profile) */
	size_t n_allow;
	bool complain;
};

/*
 * Name t's container for this run (t->container_key, t->container_owner), with t->profile
 * final (after --allow). Signed entitlements: the signed identity, whatever the run is
 * given. Any other profile: profile+IDENTIFIER+H, H from the program's path, the profile's
 * canonical bytes and g (grants and keys in any order): a program that reads code from its
 * HOME at start (python's usercustomize, git's config) run once with nothing granted must
 * not leave that code to a later run of it that is granted the user's files. The owner
 * record names the program and g. Returns 0 or -errno (d says why).
 */
int sbx_launch_target_container(struct sbx_launch_target *t, const struct sbx_run_given *g,
				struct sbx_diag *d);

/*
 * What the signature asks of this run that `sbx run` (tier U) must check or enforce itself:
 * the code directory's flags and the profile's launch constraints. The self constraint is
 * evaluated here against the verified identity; -EPERM when it fails. A flag or constraint
 * tier U cannot enforce (library validation: tier K's mmap hook; parent, responsible and
 * library constraints: tier K) refuses with -EOPNOTSUPP unless best_effort; each one is
 * recorded in e (security drops, reported by --report) either way. d names the first
 * refusal in one line.
 */
struct sbx_enforcement;
int sbx_launch_target_check(const struct sbx_launch_target *t, bool best_effort,
			    struct sbx_enforcement *e, struct sbx_diag *d);

/*
 * A path the user grants (--grant), made absolute and resolved without trusting symlinks a
 * program could have written: a symlink of the system's layout (/bin -> usr/bin,
 * /etc/alternatives/cc), owned by root in a directory owned by root that neither group nor
 * others can write, is followed when sbx is not root itself; any other one refuses the grant
 * with -ELOOP, naming it, so that a link planted by one run never redirects a later run's
 * grant (a sandbox of the user plants the user's links; root's, under --allow-root, plants
 * root's wherever it may write, /tmp too). The path must exist. Writes the resolved path to
 * out; returns 0 or -errno with d saying why.
 */
int sbx_launch_resolve_grant(const char *path, char *out, size_t len, struct sbx_diag *d);

/*
 * One --grant as `sbx run` and `sbx profile explain` take it: PATH, PATH:ro, PATH:rw or
 * PATH:x (execute), PATH resolved by sbx_launch_resolve_grant(). Fills g; g->path is
 * malloc'd, the caller's to free. Returns 0 or -errno with d saying why ("PATH: ...").
 * PATH:rw of a path that does not exist, in a directory that does, is a grant to create
 * it (g->create: an empty file, or a directory when PATH ends in '/'): that one file or
 * directory is granted, never its parent. Nothing is created here.
 */
int sbx_launch_parse_grant(const char *spec, struct sbx_grant *g, struct sbx_diag *d);
/* Create what g->create names (never through a symlink in its last name; umask applies). */
int sbx_launch_create_grant(const struct sbx_grant *g, struct sbx_diag *d);
/* Undo it when the program never ran: the file if still empty, the directory if empty. */
void sbx_launch_uncreate_grant(const struct sbx_grant *g);

/*
 * Positive proof that this process runs inside a sandbox sbx made (inherit: true runs only
 * there): no_new_privs and a seccomp filter are not enough (a systemd unit or a container
 * has both). The enclosing sbx names a canary file in SBX_SANDBOX_CANARY: this user's
 * regular file, readable to it by its mode, on no FUSE file system, beside the containers
 * where no plan grants anything. Opening it must fail with EACCES, which only a Landlock
 * domain (or another LSM) does to a file its mode lets the owner read; outside a sandbox
 * it opens, and a forged variable gains nothing. On false, why says what is missing.
 */
bool sbx_launch_in_sbx_sandbox(char *why, size_t len);

#endif /* SBX_LAUNCH_TARGET_H */
