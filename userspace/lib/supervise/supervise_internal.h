/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the supervisor: one carried-out call (struct sup_call), the object a call names
 * (struct sup_object), and the helpers each family of calls shares.
 */
#ifndef SBX_SUPERVISE_INTERNAL_H
#define SBX_SUPERVISE_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "landlock/landlock.h"
#include "supervise/supervise.h"
#include "uapi_compat.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* What a rule must grant beneath an object for the call to be carried out. */
enum sup_need {
	SUP_NEED_WRITE, /* LANDLOCK_ACCESS_FS_WRITE_FILE: metadata changes */
	SUP_NEED_READ, /* READ_FILE (READ_DIR for a directory): xattr reads, watches */
	SUP_NEED_UNIX, /* RESOLVE_UNIX (ABI 9, stated by the plan on every kernel) */
};

struct sup_call;

struct sbx_supervisor {
	struct landlock_grants roots; /* what the plan grants, opened before the program ran */
	bool fs_confined; /* the plan has a Landlock file-system ruleset: the roots decide */
	bool others_only; /* system rules granted by parts (landlock_others_only): by roots */
	bool complain; /* judged, not enforced: carried out outside the grants too */
	uint64_t handled_fs; /* the plan's handled rights (observe.c judges only those) */
	uint64_t handled_net;
	const struct sbx_landlock_plan *landlock; /* the plan's rules, by path (observe.c) */
	int ruleset_fd; /* for the executor, closed once it is confined */
	pid_t program; /* the root of the sandbox's process tree; 0 until it runs */
	bool keeper; /* program is the launcher's keeper: not itself the sandbox's */
	/* confined.c: RLIMIT_LOCKS's hard limit at the start; a process below it confined itself */
	rlim_t locks_max;
	bool all_further_confined; /* no mark possible: every caller counts as marked */
	uint64_t bind_net; /* the executor's Landlock domain checks these ports (unix.c) */
	/* The executor: one call at a time, handed over under lock. */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long (*job)(struct sup_call *c);
	struct sup_call *job_call;
	long job_ret;
	bool job_done, stop, ready;
	int start_err;
};

/* The object a call acts on, resolved by the executor. */
struct sup_object {
	int fd; /* O_PATH to the object (or the program's own descriptor); owned */
	int dir; /* O_PATH to the directory it was found in; -1 for a directory or descriptor */
	struct stat st; /* of fd, taken when it was resolved */
};

#define SUP_XATTR_MAX 65536

/* One call being carried out: the main thread fills it, the executor acts on it. */
struct sup_call {
	struct sbx_supervisor *s;
	const struct sup_spec *spec;
	int nr;
	uint64_t args[6];
	pid_t tid;
	int pidfd; /* the calling process, for pidfd_getfd */
	int notify_fd; /* the notification, for a call answered later (lock.c) */
	uint64_t notify_id;
	bool answered; /* answered apart: the supervisor sends no answer of its own */
	/* Where the object is: a descriptor of the program's (copy), or a path from base. */
	int fd; /* -1 */
	int base; /* where a relative path starts (dirfd copy or cwd); -1 */
	bool object_is_fd;
	bool follow;
	char path[PATH_MAX];
	/* Copies of the other arguments, per family. */
	int inst; /* inotify: the program's instance (copy); -1 */
	uint64_t mode, uid, gid, flags, mask;
	struct timespec ts[2];
	bool ts_now; /* times NULL: now */
	char name[256]; /* xattr name */
	int domain; /* a socket's family (SO_DOMAIN of the copy) */
	void *buf; /* xattr value in or out, or a socket address (malloc'd) */
	size_t buf_len;
	uint64_t out_addr; /* where an output goes in the program */
	unsigned char out[16]; /* a small output (prlimit's old limit) */
	size_t out_len;
	int answer_fd; /* the supervisor's descriptor the call answers with (pidfd_open); -1 */
	/* The outcome. */
	bool refused; /* the plan does not allow it: answer with refuse_errno */
	char *why;
	size_t why_len;
};

/*
 * One call the supervisor carries out on a file-system object: where its arguments are,
 * what it needs, and how the family copies the rest (main thread) and acts (executor).
 */
struct sup_spec {
	int nr;
	const char *name;
	signed char fd_arg; /* the descriptor (f* calls) or directory (*at calls); -1 none */
	signed char path_arg; /* -1: the object is fd_arg's descriptor */
	signed char flags_arg; /* AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH; -1 none */
	bool follow; /* without flags: the final symlink is followed */
	bool null_path_is_fd; /* utimensat: a NULL path means the descriptor itself */
	enum sup_need need;
	/* Main thread: copy the call's other arguments (no decision). Returns 0 or -errno. */
	int (*copy_in)(struct sup_call *c);
	/* Executor: act on the object, whose /proc/self/fd path is proc. Returns >= 0 or -errno. */
	long (*act)(struct sup_call *c, const struct sup_object *o, const char *proc);
	/*
	 * Executor: the whole call, for a family whose object is not a path argument
	 * (connect); then copy_in alone locates it. NULL: resolve, check, act.
	 */
	long (*exec)(struct sup_call *c);
	/* Main thread: write outputs back (getxattr). Returns 0 or -errno. */
	int (*copy_out)(struct sup_call *c, long ret);
	/* Let run as the program asked (CONTINUE) once copy_in succeeded: no exec, no act. */
	bool lets_run;
	/*
	 * For a call more than one family carries out, each for its own commands (fcntl's
	 * locks and signal owners): whether this spec is the one for these arguments. NULL:
	 * every call of nr.
	 */
	bool (*takes)(const uint64_t args[6]);
};

/* The calls one family carries out (metadata.c, xattr.c, ...): supervise.c's find_spec. */
struct sup_family {
	const struct sup_spec *specs;
	size_t n;
};

extern const struct sup_family sup_metadata_calls, sup_xattr_calls, sup_inotify_calls,
	sup_unix_calls, sup_procs_calls, sup_lock_calls, sup_confined_calls;

/* confined.c: the program's own further confinement (landlock_restrict_self). */
void sup_confined_start(struct sbx_supervisor *s);
/* Whether the caller's process confined itself after sbx did (or cannot be told). */
bool sup_further_confined(const struct sup_call *c);

/* program.c: the calling program, from the main thread. */
int sup_program_read(pid_t tid, uint64_t addr, void *buf, size_t len);
int sup_program_write(pid_t tid, uint64_t addr, const void *buf, size_t len);
int sup_program_read_string(pid_t tid, uint64_t addr, char *buf, size_t len);
int sup_program_pidfd(pid_t tid);
int sup_program_getfd(struct sup_call *c, int fd);
int sup_program_cwd(pid_t tid);
/* The number after "key:" in a /proc file (status, fdinfo): 0, or -ESRCH if none. */
int sup_proc_field(const char *path, const char *key, pid_t *out);
int sup_proc_status_field(pid_t pid, const char *key, pid_t *out);
void sup_why(struct sup_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* object.c: resolution and the grant check, in the executor. */
int sup_object_resolve(int base, const char *path, bool follow, struct sup_object *o);
int sup_object_from_fd(int fd, struct sup_object *o);
/*
 * Whether rules grant every right in bits on o (each right may come from another rule, as
 * in Landlock): for a directory, beneath it; for anything else, beneath the directory it
 * was found in.
 */
bool sup_object_grants(const struct sbx_supervisor *s, const struct sup_object *o, uint64_t bits);
/* The same for the directory dir itself (O_PATH), where entries are created or removed. */
bool sup_dir_grants(const struct sbx_supervisor *s, int dir, uint64_t bits);
/* NULL when a call with this need may act on o, else why not ("outside the grants"). */
const char *sup_object_refusal(const struct sbx_supervisor *s, const struct sup_object *o,
			       enum sup_need need);
void sup_object_close(struct sup_object *o);

/* roots.c: system, when not NULL, the grants the launcher's ruleset got for the system rules. */
int sup_roots_open(struct sbx_supervisor *s, const struct sbx_landlock_plan *p,
		   const struct landlock_grants *system, struct sbx_diag *d);

/* executor.c */
int sup_executor_start(struct sbx_supervisor *s, struct sbx_diag *d);
long sup_executor_run(struct sbx_supervisor *s, long (*fn)(struct sup_call *c), struct sup_call *c);
void sup_executor_stop(struct sbx_supervisor *s);

#endif /* SBX_SUPERVISE_INTERNAL_H */
