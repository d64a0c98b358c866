/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sbxd, the enforcement daemon: only verified code executes (README.md in this folder).
 * One file per concern: main.c (command line, tier, lifecycle), config.c (sbxd.conf),
 * gate.c (the library verifier), fan.c (the fanotify miss path, its queue and timeout),
 * fcache.c (tier F's userspace verdict cache), tierk.c (tier K: the BPF enforcer),
 * libs.c (tier K: the libraries ld.so will map for a program, verified at its exec),
 * journal.c (events to stdout/journal and the events file, and the state file).
 * gate.c alone includes sign/verify.h and tierk.c alone includes bpf/enforcer.h, so the
 * rest of sbxd depends on neither the verifier's nor the BPF side's types.
 */
#ifndef SBXD_H
#define SBXD_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "sbx_abi.h"

#define SBXD_CONF_DEFAULT    "/etc/sbx/sbxd.conf"
#define SBXD_RUN_DIR_DEFAULT "/run/sbx"
#define SBXD_MAX_PATHS	     16
/* Hashing 512 MiB takes about a second: the one verifier thread stays responsive. */
#define SBXD_MAX_FILE_BYTES_DEFAULT (512ul << 20)

enum sbxd_tier { SBXD_TIER_NONE = 0, SBXD_TIER_F = 'F', SBXD_TIER_K = 'K' };
enum sbxd_mode { SBXD_COMPLAIN = 0, SBXD_ENFORCE = 1 };
enum sbxd_scope { SBXD_SCOPE_SANDBOXED = 0, SBXD_SCOPE_ALL = 1 };

struct sbxd_config {
	enum sbxd_mode mode;
	enum sbxd_scope scope;
	char tier_req; /* 0 probe; 'F' or 'K' demanded */
	char trust_dir[256]; /* empty: the library's default */
	char run_dir[256]; /* events.jsonl, sbxd.state */
	char launcher[256]; /* tier K: the sbx binary that starts sandboxed processes */
	char paths[SBXD_MAX_PATHS][256]; /* what the fanotify mark covers */
	int npaths;
	unsigned int cache_entries; /* tier F cache slots; tier K map size hint */
	unsigned int queue_max; /* misses waiting for the verifier */
	unsigned int timeout_ms; /* a verification older than this is decided by the mode */
	unsigned long events_max_bytes; /* events.jsonl is rotated past this size */
	unsigned long max_file_bytes; /* larger files are refused unhashed ("too-large") */
	bool memfd_noexec; /* tier F enforce: set vm.memfd_noexec=2 while running */
	bool protect; /* tier K enforce: arm self-protection (README, "Self-protection") */
	char config_file[256]; /* the file read: guarded with the trust store */
	bool foreground_notify; /* tell systemd READY=1 (NOTIFY_SOCKET) */
};

void sbxd_config_defaults(struct sbxd_config *c);
/* Parse FILE into c. A missing file is not an error when !must_exist. */
int sbxd_config_load(struct sbxd_config *c, const char *file, bool must_exist, struct sbx_diag *d);
/* Apply one "key = value" setting (from the file or a --key=value flag). */
int sbxd_config_set(struct sbxd_config *c, const char *key, const char *value, struct sbx_diag *d);

const char *sbxd_mode_name(enum sbxd_mode m);
const char *sbxd_scope_name(enum sbxd_scope s);

/* ---- gate.c: one code path with `sbx verify` ---- */
enum sbxd_kind {
	SBXD_KIND_NONE = 0, /* not verified */
	SBXD_KIND_VALID, /* signed by a trusted team, unmodified, not revoked */
	SBXD_KIND_PLATFORM, /* listed in a signed platform trust cache */
	SBXD_KIND_REFUSED, /* unsigned, modified, revoked, untrusted or unreadable */
};

struct sbxd_check {
	enum sbxd_kind kind;
	const char *reason; /* the verifier's reason name: "digest-mismatch", "revoked", ... */
	char fact[320]; /* the missing signature fact, one sentence (empty when allowed) */
	char identifier[256];
	char team_id[72];
	char cdhash[65];
	bool hardened_runtime; /* the signature asks for the hardened runtime */
	/*
	 * For tier K's verdict: enum sbx_policy_flags of the signed entitlements (cs.* lifts,
	 * cascade applied), SBX_POLICY_HARDENED_RUNTIME only with hardened_runtime.
	 */
	uint32_t policy;
};

struct sbxd_gate;
/*
 * The gate for trust_dir (empty: the library's default). whole (enforce mode): the trust
 * store must be read wholly (the verifier's anchors and revocations, and every entry of
 * the store), or there is no gate and d says why in one sentence.
 */
int sbxd_gate_new(const char *trust_dir, bool whole, struct sbxd_gate **out, struct sbx_diag *d);
/*
 * Read the trust store again into a new verifier, through the directory opened at the
 * start (never its path: a store moved away and another put at the path changes
 * nothing); only if it is read wholly, and differs
 * from the one in use (*changed), swap it in. Otherwise the trust in use stays and d says
 * why. Single-threaded, like a check: the verifier's one thread calls it.
 */
int sbxd_gate_reload(struct sbxd_gate *g, bool *changed, struct sbx_diag *d);
/* Verify the open file fd (path only names FILE.sbxsig). Never fails: an unreadable file
 * is SBXD_KIND_REFUSED with its reason. Single-threaded: one caller at a time. */
void sbxd_gate_check(struct sbxd_gate *g, int fd, const char *path, struct sbxd_check *out);
/* The trust store the gate reads (the configured one or the library's default). */
const char *sbxd_gate_trust_dir(const struct sbxd_gate *g);
/*
 * The store's directory as the gate opened it when sbxd started, which every read goes
 * through (the reload too); -ENOENT: there was none; -EBADF: it could not be opened.
 */
int sbxd_gate_dir_fd(const struct sbxd_gate *g);
/*
 * A digest of what the verifier would trust: every file of the trust store (anchors,
 * platform.d, revocations, trust caches) by name and content, and extra. -errno when an
 * entry could not be read or is a link (the caller treats the trust as changed), with d
 * (may be NULL) naming it.
 */
int sbxd_gate_stamp(const struct sbxd_gate *g, const void *extra, size_t extra_len,
		    unsigned char out[32], struct sbx_diag *d);
void sbxd_gate_free(struct sbxd_gate *g);

static inline bool sbxd_kind_allows(enum sbxd_kind k)
{
	return k == SBXD_KIND_VALID || k == SBXD_KIND_PLATFORM;
}

/* ---- fcache.c: tier F verdict cache ---- */
struct sbxd_file_id {
	uint64_t dev, ino;
	int64_t ctime_sec, btime_sec;
	uint32_t ctime_nsec, btime_nsec;
	uint64_t size;
};

/* The latest execs allowed for one file: until each is past the kernel's exec write
 * denial, a writer must not be let go (fan.c, drain). */
#define SBXD_ALLOWED_MAX 8
struct sbxd_allowed {
	pid_t pid[SBXD_ALLOWED_MAX]; /* 0: none */
	unsigned int next;
};
void sbxd_allowed_add(struct sbxd_allowed *a, pid_t pid);

struct sbxd_fcache;
/* release(arg, lease_fd, id, allowed) takes each lease descriptor a dropped slot held. */
int sbxd_fcache_new(unsigned int entries,
		    void (*release)(void *arg, int lease_fd, const struct sbxd_file_id *id,
				    const struct sbxd_allowed *allowed),
		    void *arg, struct sbxd_fcache **out);
void sbxd_fcache_free(struct sbxd_fcache *c);
/* The identity of fd's file; -errno. */
int sbxd_file_id(int fd, struct sbxd_file_id *id);
/* SBXD_KIND_NONE on a miss: the entry is absent, evicted or for other content. */
enum sbxd_kind sbxd_fcache_lookup(struct sbxd_fcache *c, const struct sbxd_file_id *id);
/* A lookup that allows records pid as an exec answered from the slot. */
enum sbxd_kind sbxd_fcache_hit(struct sbxd_fcache *c, const struct sbxd_file_id *id, pid_t pid);
/* Cache a verdict; the slot owns lease_fd (a descriptor holding a read lease); pid is the
 * exec it is about to allow (0: none). */
void sbxd_fcache_store(struct sbxd_fcache *c, const struct sbxd_file_id *id, enum sbxd_kind k,
		       int lease_fd, pid_t pid);
/* A write to (dev, ino): drop its entry. */
void sbxd_fcache_invalidate(struct sbxd_fcache *c, uint64_t dev, uint64_t ino);
/* A writer is breaking the lease held by fd: drop its entry (and so the lease). */
bool sbxd_fcache_invalidate_fd(struct sbxd_fcache *c, int fd);
void sbxd_fcache_clear(struct sbxd_fcache *c);
/* Drop the verdicts of deleted files (their open descriptors would keep them): count slots. */
void sbxd_fcache_sweep(struct sbxd_fcache *c, unsigned int count);
unsigned int sbxd_fcache_fill(const struct sbxd_fcache *c);
unsigned int sbxd_fcache_size(const struct sbxd_fcache *c);
/* sbxd's memory per slot; each cached verdict also keeps one open file and its lease. */
unsigned int sbxd_fcache_entry_bytes(void);

/*
 * A lease break is signalled with this (SIGIO when the signal queue overflowed). The armed
 * sbxd lets only these two in as SIGIO (self_protect.bpf.c), so the value is the ABI's.
 */
#define SBXD_LEASE_SIGNAL SBX_SIGNAL_LEASE
/* Take a read lease on fd: 0, -EAGAIN while someone has the file open for writing, or
 * another -errno where leases do not work (fs.leases-enable=0, odd file systems). */
int sbxd_lease_take(int fd);

/* ---- tierk.c: the BPF enforcer (tier K) ---- */
struct sbxd_tierk;
bool sbxd_tierk_supported(struct sbx_diag *d);
int sbxd_tierk_open(const struct sbxd_config *c, struct sbxd_tierk **out, struct sbx_diag *d);
/* Flush the verdicts an adopted map holds unless they were made under this start's trust
 * (sbxd.trust in the run directory); an error: do not start. */
int sbxd_tierk_trust(struct sbxd_tierk *k, const struct sbxd_config *c, struct sbxd_gate *g,
		     struct sbx_diag *d);
int sbxd_tierk_begin(struct sbxd_tierk *k, int fd, uint64_t *gen, struct sbx_diag *d);
/* -ESTALE: written since begin; -EOPNOTSUPP: a file system tier K cannot watch. */
int sbxd_tierk_store(struct sbxd_tierk *k, int fd, uint64_t gen, const struct sbxd_check *chk,
		     struct sbx_diag *d);
/* Drop every verdict the map holds (a reload swapped another trust in): *n dropped. */
int sbxd_tierk_flush(struct sbxd_tierk *k, unsigned int *n, struct sbx_diag *d);
/* fd is scope sandboxed's launcher (the configured one, or the sbx next to sbxd). */
bool sbxd_tierk_is_launcher(struct sbxd_tierk *k, int fd);
/* The launcher's path, or NULL when none is configured or found. */
const char *sbxd_tierk_launcher(const struct sbxd_tierk *k);
/* The verdict the BPF hooks would find for fd's current content; SBXD_KIND_NONE: none. */
enum sbxd_kind sbxd_tierk_lookup(struct sbxd_tierk *k, int fd);
int sbxd_tierk_event_fd(struct sbxd_tierk *k);
void sbxd_tierk_drain(struct sbxd_tierk *k);
int sbxd_tierk_fill(struct sbxd_tierk *k, unsigned int *fill, unsigned int *max,
		    unsigned int *entry_bytes);
void sbxd_tierk_close(struct sbxd_tierk *k);
/*
 * Self-protection: claim sbxd's identity for this process (0, or -errno when the enforcer
 * is not armed by this executable), and arm it (enforce mode, `protect = yes`, no
 * sbx.protect=0 on the kernel command line, sbxd's executable validly signed).
 */
int sbxd_tierk_claim(struct sbx_diag *d);
/* An error only when the enforcer was armed already and cannot be re-armed: do not start. */
int sbxd_tierk_protect(struct sbxd_tierk *k, const struct sbxd_config *c, struct sbxd_gate *g,
		       struct sbx_diag *d);
/* The enforcer's pins exist (enforcing with or without sbxd). */
bool sbxd_tierk_pinned(void);
int sbxd_tierk_unload(struct sbx_diag *d);

/* ---- libs.c: the libraries a program will map ---- */
/*
 * The program open at fd (its real path: $ORIGIN's directory) and what ld.so would map for
 * it: its PT_INTERP and the DT_NEEDED closure, resolved as ld.so does without the exec's
 * environment (README.md, "Libraries"). visit(arg, fd, path) is called once per object
 * other than the program (fd borrowed, read-only); at most SBXD_LIBS_MAX objects. Returns
 * how many were visited.
 */
#define SBXD_LIBS_MAX 256
int sbxd_libs_walk(int fd, const char *path, void (*visit)(void *arg, int fd, const char *path),
		   void *arg);

/* ---- journal.c: events and state ---- */
enum sbxd_decision { SBXD_DENY, SBXD_ALLOW, SBXD_WOULD_DENY };

struct sbxd_event {
	pid_t pid;
	char exe[256]; /* the acting process's executable (before the exec) */
	char file[512]; /* the file being executed */
	const char *hook; /* "exec" (tier F: fanotify exec permission), "mmap-exec", ... */
	char tier;
	enum sbxd_decision decision;
	const char *reason; /* "unsigned", "revoked", "timeout", "queue-full", ... */
	const char *fact; /* the missing signature fact */
	const char *identifier, *team_id;
};

int sbxd_journal_open(const struct sbxd_config *c, struct sbx_diag *d);
/* A stdout that is a pipe or socket (the journal) is written without blocking. */
void sbxd_journal_stdout_nonblocking(void);
void sbxd_journal_event(const struct sbxd_event *e);
/* "sbxd: ..." on stdout with a syslog priority prefix journald understands. */
void sbxd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct sbxd_state {
	char tier;
	enum sbxd_mode mode;
	enum sbxd_scope scope;
	unsigned int cache_fill, cache_max, entry_bytes;
	unsigned long long allowed, denied, would_deny, timeouts;
	unsigned long long verified; /* files the verifier checked (programs and libraries) */
	unsigned long long cache_hits; /* tier K: exec events answered from the BPF map */
	const char *cannot; /* protections this tier cannot give */
	const char *memfd; /* tier F: what sbxd did about memfd execs (empty: nothing) */
};
void sbxd_state_write(const struct sbxd_config *c, const struct sbxd_state *s);
void sbxd_state_remove(const struct sbxd_config *c);

/* ---- fan.c: the miss path ---- */
struct sbxd_fan;
struct sbxd_fan_opts {
	const struct sbxd_config *cfg;
	char tier;
	struct sbxd_gate *gate;
	struct sbxd_tierk *tierk; /* tier K; NULL in tier F */
	const char *cannot;
	const char *memfd; /* for the state file */
};
int sbxd_fan_open(const struct sbxd_fan_opts *o, struct sbxd_fan **out, struct sbx_diag *d);
/* Serve events until *stop becomes true. */
int sbxd_fan_run(struct sbxd_fan *f, volatile int *stop, struct sbx_diag *d);
/* false: the verifier thread is still in a verification and uses what was shared with it
 * (the gate, tier K): the caller leaves those to its exit. */
bool sbxd_fan_close(struct sbxd_fan *f);

#endif /* SBXD_H */
