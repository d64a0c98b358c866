/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan: what a compiled profile asks of the kernel. sbx_compile() produces it from a
 * profile and host facts (a pure function); the launcher, `sbx profile explain` and the
 * signer read it; nothing that touches the kernel reads a profile.
 *
 * The plan states what the profile *wants*, each rule with the lowest Landlock ABI that
 * can express it. Fitting it to the running kernel (dropping what the kernel lacks, and
 * reporting each drop) is the launcher's job, so the same profile always compiles to the
 * same plan whatever kernel `explain` runs on.
 */
#ifndef SBX_COMPILE_PLAN_H
#define SBX_COMPILE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sbx_abi.h"
#include "diag.h"
#include "probe/features.h"
#include "profile/profile.h"
#include "compile/syscall_groups.h"

/* ---- Landlock ---- */

struct sbx_fs_rule {
	/*
	 * Absolute; opened O_PATH by the launcher. Compile cannot know whether a path is a
	 * directory, so the launcher keeps only file rights when it is not one.
	 */
	char *path;
	uint64_t access; /* LANDLOCK_ACCESS_FS_* granted beneath path */
	unsigned int min_abi; /* lowest ABI with every right in access */
	bool if_exists; /* a system path that may be absent on this host: skipped if so */
	/*
	 * A system tree (/etc, /usr, a device directory) the profile grants without naming it:
	 * for a program run as root, the launcher grants it only as far as others may reach
	 * it (landlock.h: others_only), never root's own files in it.
	 */
	bool system;
	const char *entitlement; /* key that produced the rule, e.g. "app-sandbox" (static) */
};

struct sbx_net_rule {
	uint16_t port;
	uint64_t access; /* LANDLOCK_ACCESS_NET_* */
	unsigned int min_abi;
	const char *entitlement;
};

struct sbx_landlock_plan {
	bool enabled; /* app-sandbox: default-deny file system */
	uint64_t handled_fs; /* rights denied unless a rule grants them */
	uint64_t handled_net;
	uint64_t scoped; /* LANDLOCK_SCOPE_* */
	struct sbx_fs_rule *fs;
	size_t n_fs;
	struct sbx_net_rule *net;
	size_t n_net;
	/*
	 * sbx's own directories beneath the user's home: the user's profiles, the app
	 * containers, what sbx remembers. No rule may give write access to one of them or to a
	 * directory above it (the launcher checks by inode, so a symlink or bind mount does
	 * not hide one): else the program rewrites the profiles that decide later sandboxes,
	 * or plants code in another program's HOME. own_what[i] names what own[i] keeps.
	 */
	char *own[3];
	const char *own_what[3];
	size_t n_own;
	/*
	 * Set by the launcher, never by compile: the program runs as root (--allow-root), the
	 * owner of root's files. Each system rule is then granted only where it gives the
	 * program no more than it gives others (landlock/grant_others.c).
	 */
	bool others_only;
};

/* ---- seccomp ---- */

enum sbx_seccomp_op {
	SBX_CMP_EQ,
	SBX_CMP_NE,
	SBX_CMP_MASKED_EQ, /* (arg & mask) == value */
	SBX_CMP_GT, /* arg > value, all 64 bits (refuses a high half the kernel would ignore) */
	/*
	 * (arg & mask) != 0: some bit of mask is set (value unused). A refusal of every bit
	 * outside an allow-list; libseccomp has no such operator, so where it writes the
	 * filter (foreign arches) the rule becomes one MASKED_EQ rule per bit of mask.
	 */
	SBX_CMP_MASKED_ANY,
};

struct sbx_seccomp_cond {
	unsigned int arg; /* 0..5 */
	enum sbx_seccomp_op op;
	uint64_t mask; /* SBX_CMP_MASKED_EQ only */
	uint64_t value;
};

#define SBX_SECCOMP_MAX_COND 3

/*
 * What happens to a call a rule matches. Invariant 2 of the design: the supervisor never
 * answers CONTINUE after reading the program's memory; it refuses, or carries the call out
 * itself on its own copy of the arguments and on objects it resolved itself.
 */
enum sbx_seccomp_answer {
	SBX_ANSWER_ERRNO =
		0, /* refused with errno_value (explained when an entitlement lifts it) */
	/*
	 * memfd_create only: where the kernel has MFD_NOEXEC_SEAL (6.3) and a supervisor
	 * answers, the call is carried out with that seal added instead of refused, so
	 * honest memfd users keep working and no memfd can ever be executed.
	 */
	SBX_ANSWER_SEALED_MEMFD,
	/*
	 * The supervisor carries the call out itself after checking it against the plan
	 * (userspace/lib/supervise/); a call it has no handler for is refused with errno_value.
	 */
	SBX_ANSWER_SUPERVISOR,
	/*
	 * Added by the launcher, never by compile: the supervisor is told of the call (a file
	 * act), lets it run whatever its arguments say (the kernel decides: Landlock, or
	 * nothing in complain mode) and only then judges a copy against the plan, to explain
	 * a refusal. No decision depends on it (supervise/observe.c).
	 */
	SBX_ANSWER_OBSERVE,
	/*
	 * An allow-list entry: the call runs (the kernel decides), and the rules after it
	 * are not checked. A later rule of the same call refuses what no entry names (ioctl
	 * requests: compile_ioctls). Only sbx's own writer keeps the order this needs: a plan
	 * with one is refused where libseccomp would write the filter (foreign arches).
	 */
	SBX_ANSWER_ALLOW,
};

struct sbx_seccomp_rule {
	const char *syscall; /* name, resolved by libseccomp for the native arch */
	int errno_value; /* returned instead of running the call; 0 = kill the process */
	unsigned int n_cond; /* all conditions must hold (AND); 0 = every call */
	struct sbx_seccomp_cond cond[SBX_SECCOMP_MAX_COND];
	const char *entitlement; /* the key that would lift this rule, NULL if none can */
	const char *why; /* one phrase, e.g. "IPv4 sockets (no network entitlement)" */
	enum sbx_seccomp_answer answer; /* how the supervisor answers a matching call */
	/*
	 * The rule stands in for a Landlock right this kernel lacks: it applies only when the
	 * running kernel's Landlock ABI is below this (0: on every kernel). The plan keeps it
	 * either way; fitting the plan to the kernel drops it where Landlock does the job.
	 */
	unsigned int below_abi;
	/*
	 * The refused (or supervised) group this rule stands for, one rule per call of it
	 * (explain prints the group, not each call); NULL for a rule on arguments.
	 */
	const struct sbx_syscall_group *group;
};

/* How the profile treats one group of syscall_groups.h. */
struct sbx_seccomp_group_verdict {
	const struct sbx_syscall_group *group;
	/*
	 * true: the calls run (subject to the argument rules); false: every call of the group
	 * has a rule without conditions (refused, or carried out by the supervisor) whose
	 * group is this one.
	 */
	bool allowed;
	const char *lifted_by; /* the entitlement that allowed it, or that would */
};

/*
 * The filter is an allow-list: a call runs only if its group is allowed and no rule
 * matches it. The rules are checked first, in order (the first match answers); a call no
 * group names gets unknown_errno (ENOSYS).
 */
struct sbx_seccomp_plan {
	bool enabled;
	bool deny_foreign_arches; /* x32 and i386 entry points refused */
	struct sbx_seccomp_rule *rules; /* static strings inside; the array is owned */
	size_t n_rules;
	struct sbx_seccomp_group_verdict *groups; /* one per group of the table, in its order */
	size_t n_groups;
	int unknown_errno;
};

/* ---- process attributes ---- */

struct sbx_rlimit_rule {
	int resource; /* RLIMIT_* */
	uint64_t cur, max;
	const char *entitlement;
};

/*
 * The one descriptor number execveat(fd, "", AT_EMPTY_PATH) may name under sbx's filter.
 * The launcher execs the program through the very descriptor its signature was verified
 * on, moved to this number (close-on-exec); compile refuses AT_EMPTY_PATH on every other
 * number. A program that puts another file there gains nothing execve("/proc/self/fd/N")
 * does not already give it: exec opens the file behind the descriptor anew, so Landlock
 * checks EXECUTE on it, and a memfd (which Landlock does not govern) is sealed
 * non-executable or refused by the memfd_create rules. Above the descriptors a user keeps
 * (--keep-fd refuses this one) and below every RLIMIT_NOFILE a system sets (256 and up).
 */
#define SBX_EXEC_FD 254

struct sbx_process_plan {
	bool no_new_privs;
	bool drop_capabilities; /* all sets, ambient and inheritable included */
	bool dumpable; /* get-task-allow */
	unsigned long mdwe; /* PR_SET_MDWE flags; 0 = leave off */
	/*
	 * env_filtered: only the variables named in env_keep reach the program (one ending
	 * in '*' is a prefix, "LC_*"): sbx_env_kept(). Off: every variable passes
	 * (cs.allow-dyld-environment-variables).
	 */
	bool env_filtered;
	char **env_keep;
	size_t n_env_keep;
	struct sbx_rlimit_rule *rlimits;
	size_t n_rlimits;
	char *container_dir; /* $XDG_DATA_HOME/sbx/containers/<identifier>, created at run */
	/*
	 * Where the launcher's check of the containers' tree starts (statedir.h: each
	 * directory from here down to container_dir the user's own): $XDG_DATA_HOME, or $HOME
	 * (the containers in ~/.local/share), or $XDG_RUNTIME_DIR (the fallback).
	 */
	char *container_base;
	/* Where each run's private tmp is made (TMPDIR: a fresh directory beneath it, removed
	 * when the run ends); inside the container. */
	char *tmp_dir;
	/*
	 * The program's HOME, or NULL (the user's own stays). When set, HOME is this directory
	 * and XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_DATA_HOME, XDG_STATE_HOME are its .config,
	 * .cache, .local/share and .local/state (sbx_plan_home_dirs), all made at run time.
	 */
	char *home_dir;
	/*
	 * inherit: the program runs only inside its sandboxed parent's sandbox, as macOS's
	 * com.apple.security.inherit. The plan then builds no Landlock domain of its own
	 * (landlock.enabled is false: a fresh default one would take away the parent's
	 * grants) and the launcher must refuse to start unless it already runs confined.
	 */
	bool require_inherited_sandbox;
};

/*
 * Whether the plan passes the environment entry "NAME=value" (or "NAME") to the program:
 * every entry unless process.env_filtered, else exact names and prefixes ("LC_*") of
 * process.env_keep.
 */
bool sbx_env_kept(const struct sbx_process_plan *pp, const char *entry);

/* The XDG base directories a plan with home_dir sets, and where each is beneath it. */
struct sbx_home_dir {
	const char *env; /* "XDG_CONFIG_HOME" */
	const char *rel; /* ".config" */
};
extern const struct sbx_home_dir sbx_plan_home_dirs[4];

/* ---- what this plan loses on a kernel without a feature ---- */

/*
 * Invariant 5 of the design: a feature the plan relies on that the kernel lacks is
 * enforced another way or the run refuses (unless --best-effort). Compile decides, for each
 * feature a kernel may lack, what its absence costs this plan, from what only compile
 * knows (the entitlements, and the rules it wrote to stand in for a missing right); the
 * launcher copies the decision into that feature's row of the report (launch/enforcement.h:
 * security), and sbx run refuses a row that is a hole. The decision holds on every kernel:
 * a covering rule applies wherever the feature is missing (unit-tested for every ABI).
 */
enum sbx_drop_cost {
	SBX_DROP_HOLE = 0, /* the program gets more than the profile grants */
	SBX_DROP_COVERED, /* a rule of the plan refuses (or sbx carries out) what it would */
	SBX_DROP_HARMLESS, /* it costs function or sbx's explanations, never confinement */
};

struct sbx_plan_drop {
	const char *feature; /* its name in the report (launch/enforcement.h), static */
	enum sbx_drop_cost cost;
	/*
	 * SBX_DROP_COVERED: the call whose rules stand in. The launcher takes the cover only
	 * if the filter this kernel gets has a rule on it (fail closed).
	 */
	const char *cover_call;
	const char *how; /* one phrase: how it is covered, why nothing is lost, what is open */
};

#define SBX_PLAN_DROPS_MAX 16

struct sbx_plan {
	char *identifier;
	char *program; /* absolute path of the program, when known */
	struct sbx_landlock_plan landlock;
	struct sbx_seccomp_plan seccomp;
	struct sbx_process_plan process;
	struct sbx_policy_record policy; /* for the BPF side */
	/* Launch constraints from the profile, as data for the verifier (NULL: none). */
	struct sbx_lc_node *launch_constraints[SBX_LC_NSLOTS];
	/* Each feature a kernel may lack, with what its absence costs this plan (above). */
	struct sbx_plan_drop drops[SBX_PLAN_DROPS_MAX];
	size_t n_drops;
};

/* A path the user granted on the command line (files.user-selected.*). */
struct sbx_grant {
	const char *path; /* absolute */
	bool write;
	bool execute;
	/* PATH:rw of a path that does not exist yet, in a directory that does: sbx run creates
	 * it (empty; a directory when spelled with a trailing '/') and grants that, not its
	 * directory. */
	bool create;
	bool create_dir;
};

/* Everything compile needs to know about the host; compile reads nothing else. */
struct sbx_host_facts {
	const char *home; /* $HOME */
	/*
	 * $XDG_DATA_HOME, else $HOME/.local/share, else (HOME is not a directory: uid 65534's
	 * /nonexistent) $XDG_RUNTIME_DIR; NULL when none is usable, data_home_problem says why.
	 */
	const char *xdg_data_home;
	/* The directory xdg_data_home is, or is beneath: $XDG_DATA_HOME, $HOME or
	 * $XDG_RUNTIME_DIR (NULL: xdg_data_home itself). */
	const char *data_home_base;
	const char *data_home_problem; /* one sentence, or NULL */
	const char *xdg_download_dir, *xdg_pictures_dir, *xdg_music_dir, *xdg_videos_dir;
	/* $XDG_CONFIG_HOME and $XDG_STATE_HOME (NULL: $HOME/.config, $HOME/.local/state). */
	const char *xdg_config_home, *xdg_state_home;
	const char *program; /* absolute path of the program to run, or NULL */
	const struct sbx_grant *grants;
	size_t n_grants;
	const struct sbx_features *features; /* may be NULL: compile for the newest ABI */
	const char *xdg_runtime_dir; /* $XDG_RUNTIME_DIR (audio sockets), or NULL */
	/*
	 * The caller already runs confined: no_new_privs and a seccomp filter, as every
	 * program sbx runs does. An inherit profile compiles only then (fail closed).
	 */
	bool in_sandbox;
	/*
	 * The names in "/", each ending in NUL, the list in an empty one ("bin\0etc\0\0"), or
	 * NULL when unknown: without app-sandbox, every one but proc gets a write rule, so
	 * that /proc/self/mem (which writes through page protections) stays closed.
	 */
	const char *root_entries;
	/* The container's directory name under sbx/containers/ (launch/target.h keys it by
	 * identity); NULL: the profile's identifier. */
	const char *container_key;
};

#endif /* SBX_COMPILE_PLAN_H */
