/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tier K enforcer: sbx's BPF LSM programs and their maps, as one handle. sbxd is its
 * only user; the rest of sbx never touches BPF objects directly. Programs, links and maps
 * are pinned under pin_dir so enforcement outlives the daemon (fail closed); opening again
 * adopts what is pinned instead of loading twice.
 *
 * Miss path (DESIGN.md, verdict cache): on a fanotify exec-permission event the daemon
 *   sbx_enforcer_verdict_begin(e, fd, &gen)   read the file's write generation
 *   ... verify through fd with the library verifier ...
 *   sbx_enforcer_verdict_store(e, fd, &v)     v.write_gen = gen
 * and only then answers the event. A write between begin and the exec moves the
 * generation, so the stored verdict is never used for the new content. fd must be open
 * read-only; begin fails with -ETXTBSY while anybody holds the file open for write (a
 * writer that opened earlier could change it during the hashing) and store with
 * -EOPNOTSUPP on a file system whose content can change without the kernel's write hooks
 * seeing it (network, FUSE, overlay): those files are never cached, so never run.
 *
 * One enforcer per pin_dir: two processes must not load at the same time. A handle is
 * used by one thread at a time (the event drain keeps its callback in the handle).
 *
 * Every function returns 0 or a negative errno with a message in d. libsbx is always
 * built with the BPF objects (the Makefile has no build without them); a kernel without
 * BPF LSM is found by sbx_enforcer_supported, whose answer is -EOPNOTSUPP in d.
 */
#ifndef SBX_BPF_ENFORCER_H
#define SBX_BPF_ENFORCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbx_abi.h"
#include "diag.h"

#define SBX_ENFORCER_PIN_DIR "/sys/fs/bpf/sbx"

struct sbx_enforcer_opts {
	size_t sz; /* sizeof(struct sbx_enforcer_opts): newer fields are read only if set */
	enum sbx_enforce_mode mode;
	enum sbx_enforce_scope scope;
	const char *pin_dir; /* NULL: SBX_ENFORCER_PIN_DIR */
	uint32_t cache_entries; /* 0: the default size */
	/*
	 * Check executable file mappings (ld.so's libraries, dlopen, PROT_EXEC mmap) for
	 * sandboxed tasks only, even in scope `all`: for a loader that cannot give verdicts to
	 * libraries. Without it, scope `all` refuses every unverified library mapping. sbxd
	 * does not set it: it verifies each program's libraries at its exec.
	 */
	bool mmap_sandboxed_only;
};

struct sbx_enforcer_stats {
	enum sbx_enforce_mode mode;
	enum sbx_enforce_scope scope;
	bool adopted; /* found pinned, not loaded by this process */
	uint32_t cache_entries, cache_max;
	uint32_t entry_bytes; /* key + value of one cached verdict (the goal is <= 64) */
	uint32_t kernel_bytes; /* kernel memory per entry: key, value, hash element, bucket */
	bool self_protect; /* armed: only sbxd reaches the enforcer (sbx_enforcer_protect) */
};

struct sbx_enforcer;

/* BPF LSM is active and an attached sbx hook runs here (the probe of `sbx status`). */
bool sbx_enforcer_supported(struct sbx_diag *d);
/* Adopt the pinned enforcer, or load, attach and pin a new one. */
int sbx_enforcer_open(const struct sbx_enforcer_opts *o, struct sbx_enforcer **out,
		      struct sbx_diag *d);
int sbx_enforcer_set_mode(struct sbx_enforcer *e, enum sbx_enforce_mode mode,
			  enum sbx_enforce_scope scope, struct sbx_diag *d);
int sbx_enforcer_verdict_begin(struct sbx_enforcer *e, int fd, uint64_t *write_gen,
			       struct sbx_diag *d);
int sbx_enforcer_verdict_store(struct sbx_enforcer *e, int fd, const struct sbx_cached_verdict *v,
			       struct sbx_diag *d);
/*
 * The verdict the hooks would find for fd's current content (same identity and write
 * generation): 0 with *v set; -ENOENT when there is none (never asked about, evicted,
 * written since, or its ctime moved). A daemon uses it to skip verifying again what
 * already holds a verdict; the hooks still refuse a file open for write.
 */
int sbx_enforcer_verdict_lookup(struct sbx_enforcer *e, int fd, struct sbx_cached_verdict *v,
				struct sbx_diag *d);
/*
 * Drop every cached verdict (how many into *flushed): each file is a miss again, verified
 * anew. For a daemon whose trust changed: verdicts never outlive the trust they were made
 * under. Executable mappings of files nobody verifies again are refused from then on.
 */
int sbx_enforcer_verdicts_flush(struct sbx_enforcer *e, uint32_t *flushed, struct sbx_diag *d);
/* The ring buffer of struct sbx_event: an fd to poll, and a drain calling cb per record. */
int sbx_enforcer_event_fd(struct sbx_enforcer *e);
int sbx_enforcer_events_drain(struct sbx_enforcer *e,
			      int (*cb)(const struct sbx_event *ev, void *arg), void *arg);
int sbx_enforcer_stats(struct sbx_enforcer *e, struct sbx_enforcer_stats *s, struct sbx_diag *d);
/*
 * Self-protection (bpf/self_protect.bpf.c; sbxd's README says what it refuses). protect
 * records the calling process's own executable as sbxd's (the caller verified it), guards
 * everything pinned, the pin directory and paths (regular files, or directories with
 * their entries; a symbolic link or anything else refuses to arm, /dev/null aside) against writes,
 * the files the caller has mapped executable (its code) against writes in place, freezes the
 * maps only the BPF side writes, and claims sbxd's identity, which arms: -EPERM when the
 * record then names another process (its claim came first). Armed stays armed, across
 * sbx_enforcer_open's adoption too, until sbx_enforcer_unload by sbxd. claim makes the calling
 * process sbxd (and no other) when its executable is the one that armed, nobody has traced it
 * since its exec, and it started after the arming: 0, -EPERM, -ENOENT (nothing armed), or
 * -ENOTTY (nothing attached, or not root).
 * Call it before sbx_enforcer_open when the enforcer may be armed: adoption needs it.
 */
int sbx_enforcer_protect(struct sbx_enforcer *e, const char *const *paths, size_t npaths,
			 struct sbx_diag *d);
int sbx_enforcer_claim(struct sbx_diag *d);
/* Leaves the pins: enforcement goes on without the daemon. */
void sbx_enforcer_close(struct sbx_enforcer *e);
/*
 * Detach and unpin everything under pin_dir (NULL: the default): enforcement has ended when
 * it returns 0. -ENOENT: nothing was pinned; -EBUSY: unpinned, but another process still
 * holds the programs (they stay attached until it closes them).
 */
int sbx_enforcer_unload(const char *pin_dir, struct sbx_diag *d);
/* Is an enforcer pinned in SBX_ENFORCER_PIN_DIR (enforcing, with or without sbxd)? */
bool sbx_enforcer_pinned(void);

#endif /* SBX_BPF_ENFORCER_H */
