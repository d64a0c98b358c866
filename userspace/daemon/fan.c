// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The miss path: a fanotify FAN_OPEN_EXEC_PERM listener. The kernel holds each exec until
 * sbxd answers; sbxd verifies through the event's own descriptor (the very open file the
 * exec will read), stores the verdict (tier F: fcache.c; tier K: the BPF map, begin →
 * verify → store), and only then answers ALLOW or DENY.
 *
 * Threads: this file's main loop reads events, answers tier F's cache hits and write
 * events at once, and hands the rest to one worker thread (the verifier is
 * single-threaded; tier K's hits are looked up there, verdict_cached, because the
 * program's library walk runs at each exec, hit or not). It never waits for the worker:
 * an event that is not decided within timeout_ms, or that finds the queue of queue_max
 * full, is answered by the mode (DENY in enforce, ALLOW and log in complain) so that a
 * slow or stuck verification never hangs the machine.
 *
 * Writes: a cached verdict holds a read lease on its file (fcache.c), so a writer must
 * wait for sbxd to drop the verdict before it can write; the verifier takes that lease
 * before hashing, so a file cannot change under it unheard either. A file open for
 * writing when its exec is verified is refused (the kernel would refuse the exec too,
 * if the writer stayed). FAN_MODIFY and FAN_CLOSE_WRITE also drop verdicts, and mark a
 * verification in flight dirty (verified again, three times at most, then refused):
 * that is what still works where leases do not, and there nothing is cached.
 *
 * Tier K marks exec permission events only: the BPF write hooks move the file's write
 * generation on every write, so a verdict store after a write fails (-ESTALE), which
 * marks the verification dirty the same way. No event per write reaches sbxd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "sbxd.h"

#define MAX_RETRIES 3

struct item {
	int fd; /* the event's descriptor: answered and closed by the main loop */
	int wfd; /* the worker's duplicate, closed by the worker */
	pid_t pid;
	bool used, answered, dirty, in_worker;
	bool writer_waiting; /* a writer broke wfd's lease: answer, but do not cache */
	int retries;
	uint64_t deadline_ms;
	struct sbxd_file_id id; /* as the worker saw it after hashing */
	bool id_ok, no_cache;
	struct sbxd_check chk;
	char path[512], exe[256];
	struct item *next; /* worker queue */
};

/*
 * A dropped verdict's lease, kept until each exec it allowed is past the kernel's exec
 * write denial. A writer opening the file holds its write access while it waits for the
 * lease, so such an exec then fails with ETXTBSY rather than running what the writer is
 * about to write; let the writer go first and a slow exec could start after the write.
 * An exec is settled when its process runs the file (/proc/PID/exe) or is gone; one that
 * failed and lives on in its old image holds the writer until DRAIN_MAX_MS.
 */
#define DRAIN_MAX_MS 200

struct drain {
	int fd;
	struct sbxd_file_id id;
	struct sbxd_allowed allowed;
	uint64_t deadline_ms;
};

struct sbxd_fan {
	const struct sbxd_config *cfg;
	char tier;
	const char *cannot;
	struct sbxd_gate *gate;
	struct sbxd_fcache *fcache;
	struct sbxd_tierk *tierk;
	int fan;
	int done[2]; /* worker → main: finished item pointers */
	int sigfd; /* lease breaks (SBXD_LEASE_SIGNAL), SIGIO when those overflowed, SIGHUP */
	int mounts; /* /proc/self/mountinfo: POLLPRI when a mount comes or goes */
	struct mark_seen {
		dev_t dev;
		bool ok;
	} * marked; /* the file systems marked (or not) so far, to say each once */
	size_t nmarked, marked_cap;
	pthread_t worker;
	bool worker_started, worker_stop, worker_busy; /* busy: under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *head, *tail; /* worker queue, under lock */
	bool reload_asked; /* SIGHUP: the worker reads the trust store again; under lock */
	struct reload {
		struct item done; /* what the worker sends back when it has reloaded */
		int err;
		bool changed;
		unsigned int flushed; /* tier K: verdicts dropped from the map */
		char msg[sizeof(((struct sbx_diag *)0)->msg)];
	} reload;
	struct item *items; /* cfg->queue_max slots */
	struct drain *drains; /* lease descriptors waiting for their execs to settle */
	size_t ndrains, drains_cap;
	struct sbxd_state st;
	/* Written by the verifier thread (and main before it starts), read by main: atomic. */
	unsigned long long verified, cache_hits;
	bool state_dirty;
	uint64_t state_written_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void pid_exe(pid_t pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Tier F knows no task identity, so "sandboxed" is what every process `sbx run` starts
 * has and cannot shed: no_new_privs and a seccomp filter, both inherited and
 * irreversible. That also takes in other such processes (systemd services with
 * NoNewPrivileges= and SystemCallFilter=): more is enforced, never less.
 */
static bool pid_sandboxed(pid_t pid)
{
	char path[64], line[256];
	bool nnp = false, filter = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true; /* unknown: enforce */
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "NoNewPrivs:", 11))
			nnp = atoi(line + 11) == 1;
		else if (!strncmp(line, "Seccomp:", 8))
			filter = atoi(line + 8) == 2;
	}
	fclose(f);
	return nnp && filter;
}

static bool exec_settled(pid_t pid, const struct sbxd_file_id *id)
{
	char exe[64];
	struct stat st;

	if (pid <= 0)
		return true;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (stat(exe, &st))
		return true; /* gone (or a zombie) */
	return major(st.st_dev) == id->dev >> 32 && minor(st.st_dev) == (id->dev & 0xffffffffu) &&
	       st.st_ino == id->ino;
}

static bool drain_settled(const struct drain *d)
{
	for (int i = 0; i < SBXD_ALLOWED_MAX; i++)
		if (!exec_settled(d->allowed.pid[i], &d->id))
			return false;
	return true;
}

/* The fcache's release callback, and finish's for an answer it did not cache. */
static void drain_add(void *arg, int fd, const struct sbxd_file_id *id,
		      const struct sbxd_allowed *allowed)
{
	struct sbxd_fan *f = arg;
	struct drain d = { .fd = fd, .id = *id, .allowed = *allowed };

	if (drain_settled(&d))
		goto release;
	if (f->ndrains == f->drains_cap) {
		size_t cap = f->drains_cap ? 2 * f->drains_cap : 16;
		struct drain *n = realloc(f->drains, cap * sizeof(*n));

		if (!n)
			goto release; /* out of memory: the lease goes now */
		f->drains = n;
		f->drains_cap = cap;
	}
	d.deadline_ms = now_ms() + DRAIN_MAX_MS;
	f->drains[f->ndrains++] = d;
	return;
release:
	close(fd);
}

static void drains_check(struct sbxd_fan *f, uint64_t now)
{
	for (size_t i = 0; i < f->ndrains;) {
		if (now < f->drains[i].deadline_ms && !drain_settled(&f->drains[i])) {
			i++;
			continue;
		}
		close(f->drains[i].fd);
		f->drains[i] = f->drains[--f->ndrains];
	}
}

static void state_update(struct sbxd_fan *f)
{
	f->st.cache_fill = sbxd_fcache_fill(f->fcache);
	f->st.cache_max = sbxd_fcache_size(f->fcache);
	f->st.entry_bytes = sbxd_fcache_entry_bytes();
	if (f->tierk)
		sbxd_tierk_fill(f->tierk, &f->st.cache_fill, &f->st.cache_max, &f->st.entry_bytes);
	f->st.verified = __atomic_load_n(&f->verified, __ATOMIC_RELAXED);
	f->st.cache_hits = __atomic_load_n(&f->cache_hits, __ATOMIC_RELAXED);
	sbxd_state_write(f->cfg, &f->st);
	f->state_dirty = false;
	f->state_written_ms = now_ms();
}

static void respond(struct sbxd_fan *f, int fd, bool allow)
{
	struct fanotify_response r = { .fd = fd, .response = allow ? FAN_ALLOW : FAN_DENY };

	if (write(f->fan, &r, sizeof(r)) != sizeof(r))
		sbxd_log(3, "cannot answer a fanotify event: %s", strerror(errno));
}

/* Answer by the check (or by the mode alone when reason is given), and log a refusal. */
static void decide(struct sbxd_fan *f, struct item *it, const char *reason, const char *fact)
{
	bool ok = !reason && sbxd_kind_allows(it->chk.kind);
	bool enforce = f->cfg->mode == SBXD_ENFORCE;
	struct sbxd_event e = {
		.pid = it->pid,
		.hook = "exec",
		.tier = f->tier,
		.reason = reason ? reason : it->chk.reason,
		.fact = fact ? fact : it->chk.fact,
		.identifier = it->chk.identifier,
		.team_id = it->chk.team_id,
	};

	it->answered = true;
	f->state_dirty = true;
	/*
	 * Tier K: the answer here only lets the exec reach bprm_check_security, where the BPF
	 * side decides with the verdict just stored (or refuses a miss) and for the scope it
	 * knows from task storage; its refusals come back as ring buffer events. One exec is
	 * sbxd's own to decide: in scope sandboxed the launcher's exec is outside the scope,
	 * and only its valid verdict puts what it starts inside; a launcher that does not
	 * verify (unsigned, revoked, its trust unreadable, or not verified in time) would
	 * start programs nothing enforces, so it is refused.
	 */
	if (f->tierk && (ok || f->cfg->scope != SBXD_SCOPE_SANDBOXED ||
			 !sbxd_tierk_is_launcher(f->tierk, it->fd))) {
		respond(f, it->fd, true);
		if (ok)
			f->st.allowed++;
		return;
	}
	if (ok) {
		respond(f, it->fd, true);
		f->st.allowed++;
		return;
	}
	e.decision = enforce ? SBXD_DENY : SBXD_WOULD_DENY;
	if (enforce)
		f->st.denied++;
	else
		f->st.would_deny++;
	if (reason)
		f->st.timeouts++;
	snprintf(e.exe, sizeof(e.exe), "%s", it->exe);
	snprintf(e.file, sizeof(e.file), "%s", it->path);
	/* Logged before the answer: when the exec returns, its event is already written. */
	sbxd_journal_event(&e);
	respond(f, it->fd, !enforce);
}

static void item_release(struct item *it)
{
	if (it->fd >= 0)
		close(it->fd);
	it->fd = -1;
	it->used = false;
}

static void worker_push(struct sbxd_fan *f, struct item *it)
{
	pthread_mutex_lock(&f->lock);
	it->next = NULL;
	it->in_worker = true;
	if (f->tail)
		f->tail->next = it;
	else
		f->head = it;
	f->tail = it;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void refuse(struct item *it, const char *reason, const char *fact)
{
	it->chk.kind = SBXD_KIND_REFUSED;
	it->chk.reason = reason;
	snprintf(it->chk.fact, sizeof(it->chk.fact), "%.319s", fact);
}

/*
 * Verify one file through fd and store the verdict; what main needs is left in it. The
 * read lease is taken before hashing, so no writer can change the file from then on
 * without sbxd hearing of it first (fcache.c).
 */
static void verify_one(struct sbxd_fan *f, struct item *it, int fd)
{
	struct sbxd_file_id before;
	struct sbx_diag d = { 0 };
	uint64_t gen = 0;
	bool kbegun = false;
	int lease = sbxd_lease_take(fd);

	if (lease == -EAGAIN) {
		/* The kernel would refuse the exec (ETXTBSY) if the writer stayed; if it went
		 * first, what it wrote would run unverified. */
		refuse(it, "open-for-write",
		       "the file is open for writing: what runs could differ from what is "
		       "verified");
		it->no_cache = true;
		return;
	}
	if (f->tierk)
		kbegun = sbxd_tierk_begin(f->tierk, fd, &gen, &d) == 0;
	it->id_ok = sbxd_file_id(fd, &before) == 0;
	__atomic_fetch_add(&f->verified, 1, __ATOMIC_RELAXED);
	sbxd_gate_check(f->gate, fd, it->path, &it->chk);
	if (it->id_ok)
		it->id_ok =
			sbxd_file_id(fd, &it->id) == 0 && !memcmp(&before, &it->id, sizeof(before));
	/* Without a lease (leases disabled) a verdict is used once, never cached. */
	it->no_cache = lease != 0 || !it->id_ok;
	if (!it->id_ok && sbxd_kind_allows(it->chk.kind))
		refuse(it, "modified", "the file changed while it was being verified");
	if (f->tierk && !kbegun && sbxd_kind_allows(it->chk.kind)) {
		/* No generation, no verdict the BPF hooks would take: they refuse it anyway. */
		refuse(it, "not-cacheable", d.msg[0] ? d.msg : "tier K could not begin a verdict");
	} else if (kbegun) {
		int err = sbxd_tierk_store(f->tierk, fd, gen, &it->chk, &d);

		if (err == -ESTALE) /* what FAN_MODIFY says in tier F: verified again */
			it->dirty = true;
		if (err == -ESTALE && sbxd_kind_allows(it->chk.kind))
			refuse(it, "modified",
			       "the file was written to while it was being verified");
		else if (err && sbxd_kind_allows(it->chk.kind))
			refuse(it, "not-cacheable", d.msg);
	}
}

/*
 * Tier K: a file whose current content holds a verdict in the BPF map is answered from it,
 * nothing hashed. The map is the one truth: an evicted verdict is a miss, verified again,
 * and nothing in sbxd's memory allows on its own. A stored refusal is a hit too: the exec
 * reaches bprm_check_security, which refuses it (enforce) or logs it as would-deny
 * (complain), as it does after a verification.
 *
 * Races: the lookup compares the verdict's write generation with the file's now, but a
 * write may come after it. That needs no lock here: the answer in tier K only lets the
 * exec go on, and bprm_check_security reads the file's generation again and refuses a file
 * open for writing (sbx_file_verdict_gen in bpf/include/sbx_enforcer.bpf.h), after the
 * exec has denied writers (deny_write_access). A write between this lookup and that check
 * moves the generation (bpf/write_gen.bpf.c), so the exec is refused as stale and the next
 * one is a miss here; the mmap hooks check a library's verdict the same way at each
 * mapping. A verdict flushed (sbxd_tierk_trust) after the lookup is a refusal, never an
 * allow.
 */
static bool verdict_cached(struct sbxd_fan *f, struct item *it)
{
	enum sbxd_kind k = f->tierk ? sbxd_tierk_lookup(f->tierk, it->wfd) : SBXD_KIND_NONE;

	if (k == SBXD_KIND_NONE)
		return false;
	memset(&it->chk, 0, sizeof(it->chk));
	it->chk.kind = k;
	it->chk.reason = sbxd_kind_allows(k) ? "" : "invalid";
	__atomic_fetch_add(&f->cache_hits, 1, __ATOMIC_RELAXED);
	return true;
}

/* One library of a program's closure (libs.c): verified unless it holds a verdict. */
static void verify_lib(void *arg, int fd, const char *path)
{
	struct sbxd_fan *f = arg;
	struct item it = { 0 };

	if (sbxd_kind_allows(sbxd_tierk_lookup(f->tierk, fd)))
		return; /* one map lookup */
	snprintf(it.path, sizeof(it.path), "%.511s", path);
	for (int i = 0; i <= MAX_RETRIES; i++) {
		it.dirty = false;
		verify_one(f, &it, fd);
		if (!it.dirty)
			break;
	}
}

/*
 * Tier K checks executable mappings too, and nothing announces a mapping: what ld.so
 * will map for the program gets its verdicts now, before the exec is answered (libs.c).
 * A refused program's libraries are not needed, except to log them in complain mode.
 */
static void verify_libs(struct sbxd_fan *f, struct item *it)
{
	if (!f->tierk || it->wfd < 0 ||
	    (!sbxd_kind_allows(it->chk.kind) && f->cfg->mode == SBXD_ENFORCE))
		return;
	sbxd_libs_walk(it->wfd, it->path, verify_lib, f);
}

/*
 * SIGHUP, in the verifier's thread (it alone uses the verifier): a new verifier from the
 * trust store, swapped in only if the store was read wholly and changed; then, before any
 * verification under the new trust, tier K's map is emptied of the verdicts made under the
 * old one (main empties tier F's cache when this item comes back: every item finished
 * before it was verified under the old trust, and the pipe keeps their order).
 */
static void worker_reload(struct sbxd_fan *f)
{
	struct reload *r = &f->reload;
	struct sbx_diag d = { 0 };

	r->flushed = 0;
	r->err = sbxd_gate_reload(f->gate, &r->changed, &d);
	if (!r->err && r->changed && f->tierk)
		r->err = sbxd_tierk_flush(f->tierk, &r->flushed, &d);
	snprintf(r->msg, sizeof(r->msg), "%s", d.msg);
}

static void *worker_main(void *arg)
{
	struct sbxd_fan *f = arg;

	for (;;) {
		struct item *it;

		pthread_mutex_lock(&f->lock);
		while (!f->head && !f->worker_stop && !f->reload_asked)
			pthread_cond_wait(&f->cond, &f->lock);
		if (f->worker_stop) {
			pthread_mutex_unlock(&f->lock);
			return NULL;
		}
		if (f->reload_asked) {
			f->reload_asked = false;
			f->worker_busy = true;
			pthread_mutex_unlock(&f->lock);
			worker_reload(f);
			it = &f->reload.done;
			goto done;
		}
		it = f->head;
		f->head = it->next;
		if (!f->head)
			f->tail = NULL;
		f->worker_busy = true;
		pthread_mutex_unlock(&f->lock);

		if (!verdict_cached(f, it))
			verify_one(f, it, it->wfd);
		verify_libs(f, it);
	done:
		pthread_mutex_lock(&f->lock);
		f->worker_busy = false;
		pthread_mutex_unlock(&f->lock);
		if (write(f->done[1], &it, sizeof(it)) != sizeof(it))
			abort(); /* a pipe of pointers cannot fill: main reads it at once */
	}
}

/* The worker finished it: store (the cache takes wfd and its lease), answer, release. */
static void finish(struct sbxd_fan *f, struct item *it)
{
	it->in_worker = false;
	if (it->dirty && !it->answered && it->retries < MAX_RETRIES) {
		it->retries++;
		it->dirty = false;
		close(it->wfd);
		it->wfd = fcntl(it->fd, F_DUPFD_CLOEXEC, 3);
		if (it->wfd >= 0) {
			worker_push(f, it);
			return;
		}
	}
	if (it->dirty) {
		it->no_cache = true;
		refuse(it, "modified", "the file was written to while it was being verified");
	}
	/* Tier K caches in the BPF map (an LRU of its own): a hit here could be a miss there. */
	if (!f->tierk && !it->answered && !it->no_cache && !it->writer_waiting && it->wfd >= 0 &&
	    sbxd_kind_allows(it->chk.kind)) {
		sbxd_fcache_store(f->fcache, &it->id, it->chk.kind, it->wfd, it->pid);
		it->wfd = -1;
		f->state_dirty = true;
	}
	if (!it->answered) {
		decide(f, it, NULL, NULL);
		/*
		 * Allowed but not cached: its lease still holds a waiting writer back. A tier K
		 * map hit (verdict_cached) took no lease and has no id to settle on: nothing.
		 */
		if (it->wfd >= 0 && it->id_ok && sbxd_kind_allows(it->chk.kind)) {
			struct sbxd_allowed a = { 0 };

			sbxd_allowed_add(&a, it->pid);
			drain_add(f, it->wfd, &it->id, &a);
			it->wfd = -1;
		}
	}
	if (it->wfd >= 0)
		close(it->wfd);
	it->wfd = -1;
	item_release(it);
}

static struct item *item_get(struct sbxd_fan *f)
{
	for (unsigned int i = 0; i < f->cfg->queue_max; i++)
		if (!f->items[i].used) {
			memset(&f->items[i], 0, sizeof(f->items[i]));
			f->items[i].used = true;
			f->items[i].fd = f->items[i].wfd = -1;
			return &f->items[i];
		}
	return NULL;
}

static void on_exec(struct sbxd_fan *f, int fd, pid_t pid)
{
	struct item tmp = { .fd = fd, .pid = pid }, *it;
	struct sbxd_file_id id;

	/* Tier K: the BPF side knows which tasks are sandboxed; every exec gets a verdict. */
	if (!f->tierk && f->cfg->scope == SBXD_SCOPE_SANDBOXED && !pid_sandboxed(pid)) {
		respond(f, fd, true);
		close(fd);
		return;
	}
	if (sbxd_file_id(fd, &id))
		memset(&id, 0, sizeof(id)); /* fstat failed: a miss, the worker says why */
	else if (sbxd_kind_allows(sbxd_fcache_hit(f->fcache, &id, pid))) {
		respond(f, fd, true);
		close(fd);
		f->st.allowed++;
		f->state_dirty = true;
		return;
	}
	/* Hashing is bounded: one huge (or sparse) file must not hold the one verifier. */
	if (id.size > f->cfg->max_file_bytes) {
		fd_path(fd, tmp.path, sizeof(tmp.path));
		pid_exe(pid, tmp.exe, sizeof(tmp.exe));
		refuse(&tmp, "too-large",
		       "not verified: the file is larger than sbxd's max_file_bytes");
		decide(f, &tmp, NULL, NULL);
		close(fd);
		return;
	}
	it = item_get(f);
	if (!it) {
		/* Queue full: the mode decides now rather than making the exec wait. */
		fd_path(fd, tmp.path, sizeof(tmp.path));
		pid_exe(pid, tmp.exe, sizeof(tmp.exe));
		decide(f, &tmp, "queue-full",
		       "not verified: the verifier's queue was full (sbxd queue=)");
		close(fd);
		return;
	}
	it->fd = fd;
	it->pid = pid;
	fd_path(fd, it->path, sizeof(it->path));
	pid_exe(pid, it->exe, sizeof(it->exe));
	it->deadline_ms = now_ms() + f->cfg->timeout_ms;
	it->wfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (it->wfd < 0) {
		decide(f, it, "io", "not verified: sbxd is out of file descriptors");
		item_release(it);
		return;
	}
	worker_push(f, it);
}

static void on_write(struct sbxd_fan *f, int fd)
{
	struct sbxd_file_id id;

	if (sbxd_file_id(fd, &id) == 0) {
		sbxd_fcache_invalidate(f->fcache, id.dev, id.ino);
		for (unsigned int i = 0; i < f->cfg->queue_max; i++) {
			struct item *it = &f->items[i];
			struct sbxd_file_id cur;

			/* it->id is the worker's: compare through the main loop's own fd. */
			if (it->used && it->in_worker && sbxd_file_id(it->fd, &cur) == 0 &&
			    cur.dev == id.dev && cur.ino == id.ino)
				it->dirty = true;
		}
		f->state_dirty = true;
	}
	close(fd);
}

/* The worker has reloaded (worker_reload): say what happened, once. */
static void reloaded(struct sbxd_fan *f)
{
	struct reload *r = &f->reload;
	unsigned int n = f->tierk ? r->flushed : sbxd_fcache_fill(f->fcache);

	if (!r->err && r->changed && !f->tierk)
		sbxd_fcache_clear(f->fcache);
	if (r->err && r->changed) /* tier K: the new trust is in, the old verdicts are not out */
		sbxd_log(3,
			 "SIGHUP: the trust store was reloaded, but the verdicts made under the "
			 "old trust could not be dropped: %s",
			 r->msg);
	else if (r->err)
		sbxd_log(3, "SIGHUP: %s", r->msg);
	else if (r->changed)
		sbxd_log(5,
			 "SIGHUP: the trust store %s was reloaded: %u verdicts made under the "
			 "old trust dropped, each file is verified again",
			 sbxd_gate_trust_dir(f->gate), n);
	else
		sbxd_log(5, "SIGHUP: the trust store %s is unchanged: every verdict stands",
			 sbxd_gate_trust_dir(f->gate));
	f->state_dirty = true;
}

/* SIGHUP: ask the worker to reload (once, however many signals came). */
static void ask_reload(struct sbxd_fan *f)
{
	pthread_mutex_lock(&f->lock);
	f->reload_asked = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/*
 * A writer is opening a file whose lease sbxd holds: drop the verdict, let it go. The same
 * signalfd brings SIGHUP.
 */
static void on_lease_break(struct sbxd_fan *f)
{
	struct signalfd_siginfo si[16];
	ssize_t n = read(f->sigfd, si, sizeof(si));

	for (ssize_t i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		bool overflow = si[i].ssi_signo == SIGIO;
		int fd = (int)si[i].ssi_fd;

		if (si[i].ssi_signo == SIGHUP) {
			ask_reload(f);
			continue;
		}

		/* SIGIO: the signal queue overflowed and which file is lost: forget them all. */
		if (overflow)
			sbxd_fcache_clear(f->fcache);
		else if (sbxd_fcache_invalidate_fd(f->fcache, fd))
			continue;
		for (unsigned int j = 0; j < f->cfg->queue_max; j++)
			if (f->items[j].used && (overflow || f->items[j].wfd == fd))
				f->items[j].writer_waiting = true;
		f->state_dirty = true;
	}
}

static int read_events(struct sbxd_fan *f)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n = read(f->fan, buf, sizeof(buf));
	struct fanotify_event_metadata *m = (void *)buf;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
		if (m->vers != FANOTIFY_METADATA_VERSION)
			return -EPROTO;
		if (m->fd < 0)
			continue; /* FAN_Q_OVERFLOW cannot happen: FAN_UNLIMITED_QUEUE */
		if (m->mask & FAN_OPEN_EXEC_PERM)
			on_exec(f, m->fd, m->pid);
		else if (m->mask & (FAN_MODIFY | FAN_CLOSE_WRITE))
			on_write(f, m->fd);
		else
			close(m->fd);
	}
	return 0;
}

static void expire(struct sbxd_fan *f, uint64_t now)
{
	for (unsigned int i = 0; i < f->cfg->queue_max; i++) {
		struct item *it = &f->items[i];

		if (it->used && !it->answered && now >= it->deadline_ms)
			decide(f, it, "timeout",
			       "not verified in time: the verifier did not answer within "
			       "timeout_ms");
	}
}

/* The file system of path gets the marks; false (and a loud line) when it cannot. */
static bool mark_path(struct sbxd_fan *f, const char *path, struct sbx_diag *d)
{
	uint64_t mask = FAN_OPEN_EXEC_PERM | (f->tierk ? 0 : FAN_MODIFY | FAN_CLOSE_WRITE);
	struct stat st;
	bool known = stat(path, &st) == 0, ok = false;
	size_t i;

	/* Marked again at every rescan (idempotent; a device number can be reused by the
	 * next mount), said once per file system and outcome. */
	if (known)
		ok = fanotify_mark(f->fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD,
				   path) == 0;
	if (!ok)
		sbx_diag_set(d, -errno, "cannot mark the file system of %s: %s", path,
			     strerror(errno));
	for (i = 0; known && i < f->nmarked; i++)
		if (f->marked[i].dev == st.st_dev)
			break;
	if (known && i < f->nmarked && f->marked[i].ok == ok)
		return ok;
	if (known && i == f->nmarked && f->nmarked == f->marked_cap) {
		size_t cap = f->marked_cap ? 2 * f->marked_cap : 32;
		struct mark_seen *n = realloc(f->marked, cap * sizeof(*n));

		if (n) {
			f->marked = n;
			f->marked_cap = cap;
		}
	}
	if (known && i < f->marked_cap) {
		f->marked[i] = (struct mark_seen){ .dev = st.st_dev, .ok = ok };
		f->nmarked += i == f->nmarked;
	}
	if (ok)
		sbxd_log(6, "watching the file system of %s", path);
	else
		sbxd_log(3, "%s: execs there are NOT verified", d->msg);
	return ok;
}

static bool pseudo_fs(const char *type)
{
	static const char *const pseudo[] = { "proc",	  "sysfs",	 "cgroup",  "cgroup2",
					      "bpf",	  "securityfs",	 "debugfs", "tracefs",
					      "configfs", "devpts",	 "mqueue",  "pstore",
					      "fusectl",  "binfmt_misc", "autofs",  "efivarfs",
					      "nsfs",	  "selinuxfs" };

	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (!strcmp(type, pseudo[i]))
			return true;
	return false;
}

/* One space-separated mountinfo field, its octal escapes (\040 a space, \011, \012,
 * \134) decoded; NULL when the line ends first. */
static const char *mountinfo_field(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return NULL;
	for (; *p && *p != ' ' && *p != '\n'; p++) {
		char c = *p;

		if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			c = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			p += 3;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	return p;
}

/* mnt is path or below it. */
static bool below(const char *mnt, const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return !strncmp(mnt, path, n) && (mnt[n] == '\0' || mnt[n] == '/' || n == 1);
}

/*
 * Mark what the configuration covers: each path's file system, and every file system
 * mounted at or below one (without paths: every mounted one but pseudo file systems).
 * Called at start-up and again whenever this mount namespace's mount table changes, so a
 * file system mounted later is marked as soon as its mount appears. Only a path's own
 * failure is fatal; a mount that cannot be marked is said loudly.
 */
static int mark_mounts(struct sbxd_fan *f, bool start, struct sbx_diag *d)
{
	FILE *m = fopen("/proc/self/mountinfo", "re");
	char line[8192];
	struct sbx_diag ignored = { 0 };

	for (int i = 0; start && i < f->cfg->npaths; i++)
		if (!mark_path(f, f->cfg->paths[i], d))
			goto fail;
	if (!m)
		return sbx_diag_set(d, -errno, "cannot read /proc/self/mountinfo: %s",
				    strerror(errno));
	while (fgets(line, sizeof(line), m)) {
		char mnt[4096], type[64], skip[64];
		const char *p = line, *sep = strstr(line, " - ");
		bool want = f->cfg->npaths == 0;

		for (int i = 0; p && i < 4; i++)
			p = mountinfo_field(p, skip, sizeof(skip));
		if (!sep || !p || !mountinfo_field(p, mnt, sizeof(mnt)) ||
		    !mountinfo_field(sep + 3, type, sizeof(type)) || pseudo_fs(type))
			continue;
		for (int i = 0; !want && i < f->cfg->npaths; i++)
			want = below(mnt, f->cfg->paths[i]);
		if (want)
			mark_path(f, mnt, &ignored);
	}
	fclose(m);
	return 0;
fail:
	if (m)
		fclose(m);
	return d->err ? d->err : -EIO;
}

/* Verify file now and keep its verdict; a refused one is added to the refused list. */
static void preverify(struct sbxd_fan *f, const char *file, char *refused, size_t sz,
		      unsigned int *nrefused)
{
	struct item it = { 0 };
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	snprintf(it.path, sizeof(it.path), "%.511s", file);
	verify_one(f, &it, fd);
	/* Tier K: the verdict is in the BPF map now (finish says why not here too). */
	if (!f->tierk && !it.no_cache && sbxd_kind_allows(it.chk.kind)) {
		sbxd_fcache_store(f->fcache, &it.id, it.chk.kind, fd, 0);
		fd = -1;
	}
	if (!sbxd_kind_allows(it.chk.kind) && (*nrefused)++ < 4) {
		const char *base = strrchr(file, '/');
		size_t len = strlen(refused);

		snprintf(refused + len, sz - len, "%s%s (%s)", len ? ", " : "", base + 1,
			 it.chk.reason);
	}
	if (fd >= 0)
		close(fd);
}

/*
 * sbxd's own executable and libraries, verified before the listener starts: a verdict
 * for each is cached (tier F: fcache; tier K: the BPF map), and a file of its own that
 * would be refused is said at start-up, not discovered by a restart that cannot exec.
 * Tier K's launcher too: its verdict's store marks the file (SBX_GUARD_LAUNCHER), and
 * only a marked launcher is refused without a verdict once sbxd is gone; one never run
 * while sbxd lived would start programs out of scope after sbxd's death.
 */
static void preverify_self(struct sbxd_fan *f)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char line[4096], last[1024] = "", refused[1024] = "";
	const char *launcher = f->tierk && f->cfg->scope == SBXD_SCOPE_SANDBOXED
				       ? sbxd_tierk_launcher(f->tierk)
				       : NULL;
	unsigned int nrefused = 0;

	while (maps && fgets(line, sizeof(line), maps)) {
		char perms[8], file[1024];

		if (sscanf(line, "%*s %7s %*s %*s %*s %1023s", perms, file) != 2 ||
		    perms[2] != 'x' || file[0] != '/' || !strcmp(file, last))
			continue;
		snprintf(last, sizeof(last), "%s", file);
		preverify(f, file, refused, sizeof(refused), &nrefused);
	}
	if (maps)
		fclose(maps);
	if (nrefused)
		sbxd_log(4,
			 "%u of sbxd's own files are not verified: %s%s; sbxd could not be "
			 "started again where it enforces its own file system",
			 nrefused, refused, nrefused > 4 ? ", ..." : "");
	if (launcher) {
		refused[0] = '\0';
		nrefused = 0;
		preverify(f, launcher, refused, sizeof(refused), &nrefused);
		if (nrefused)
			sbxd_log(4,
				 "tier K: the launcher %s does not verify (%s): its exec is "
				 "refused",
				 launcher, refused);
	}
}

int sbxd_fan_open(const struct sbxd_fan_opts *o, struct sbxd_fan **out, struct sbx_diag *d)
{
	struct sbxd_fan *f = calloc(1, sizeof(*f));
	sigset_t lease_sigs, all, old;
	int err;

	if (!f)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	f->cfg = o->cfg;
	f->tier = o->tier;
	f->cannot = o->cannot;
	f->gate = o->gate;
	f->tierk = o->tierk;
	f->done[0] = f->done[1] = -1;
	f->sigfd = f->mounts = -1;
	f->st.tier = o->tier;
	f->st.mode = o->cfg->mode;
	f->st.scope = o->cfg->scope;
	f->st.cannot = o->cannot;
	f->st.memfd = o->memfd;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->items = calloc(o->cfg->queue_max, sizeof(*f->items));
	if (!f->items || sbxd_fcache_new(o->cfg->cache_entries, drain_add, f, &f->fcache)) {
		err = sbx_diag_set(d, -ENOMEM, "out of memory");
		goto err_free;
	}
	/* Unlimited queue: a full kernel queue would drop permission events, i.e. allow. */
	f->fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NONBLOCK);
	if (f->fan < 0) {
		err = sbx_diag_set(d, -errno, "fanotify_init: %s", strerror(errno));
		goto err_free;
	}
	if (pipe2(f->done, O_CLOEXEC)) {
		err = sbx_diag_set(d, -errno, "pipe: %s", strerror(errno));
		goto err_close;
	}
	/* Blocked before the worker starts, so it inherits the mask: only signalfd sees it. */
	sigemptyset(&lease_sigs);
	sigaddset(&lease_sigs, SBXD_LEASE_SIGNAL);
	sigaddset(&lease_sigs, SIGIO);
	sigaddset(&lease_sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &lease_sigs, NULL);
	f->sigfd = signalfd(-1, &lease_sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (f->sigfd < 0) {
		err = sbx_diag_set(d, -errno, "signalfd: %s", strerror(errno));
		goto err_close;
	}
	preverify_self(f);
	/* The worker takes no signals at all: SIGTERM must wake the main loop's poll. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&f->worker, NULL, worker_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		err = sbx_diag_set(d, -err, "cannot start the verifier thread");
		goto err_close;
	}
	f->worker_started = true;
	f->mounts = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (f->mounts < 0) {
		err = sbx_diag_set(d, -errno, "cannot open /proc/self/mountinfo: %s",
				   strerror(errno));
		goto err_close;
	}
	if ((err = mark_mounts(f, true, d)))
		goto err_close;
	state_update(f);
	*out = f;
	return 0;

err_close:
	sbxd_fan_close(f);
	return err;
err_free:
	sbxd_fcache_free(f->fcache);
	free(f->items);
	free(f);
	return err;
}

int sbxd_fan_run(struct sbxd_fan *f, volatile int *stop, struct sbx_diag *d)
{
	int kfd = f->tierk ? sbxd_tierk_event_fd(f->tierk) : -1;

	while (!*stop) {
		struct pollfd p[5] = {
			{ .fd = f->fan, .events = POLLIN },
			{ .fd = f->done[0], .events = POLLIN },
			{ .fd = f->sigfd, .events = POLLIN },
			{ .fd = f->mounts, .events = POLLPRI },
			{ .fd = kfd, .events = POLLIN },
		};
		uint64_t now = now_ms(), next = now + (f->ndrains ? 1 : 1000);
		int err;

		for (unsigned int i = 0; i < f->cfg->queue_max; i++)
			if (f->items[i].used && !f->items[i].answered &&
			    f->items[i].deadline_ms < next)
				next = f->items[i].deadline_ms;
		if (poll(p, kfd >= 0 ? 5 : 4, next > now ? (int)(next - now) : 0) < 0 &&
		    errno != EINTR)
			return sbx_diag_set(d, -errno, "poll: %s", strerror(errno));
		/* Lease breaks first: a writer waiting is seen before any later exec event. */
		if (p[2].revents & POLLIN)
			on_lease_break(f);
		/* A mount came or went: mark what is new before reading more execs. */
		if (p[3].revents & (POLLPRI | POLLERR))
			mark_mounts(f, false, d);
		if (p[0].revents & POLLIN) {
			err = read_events(f);
			if (err)
				return sbx_diag_set(d, err, "reading fanotify events: %s",
						    strerror(-err));
		}
		if (p[1].revents & POLLIN) {
			struct item *done[64];
			ssize_t n = read(f->done[0], done, sizeof(done));

			for (ssize_t i = 0; i < n / (ssize_t)sizeof(done[0]); i++)
				if (done[i] == &f->reload.done)
					reloaded(f);
				else
					finish(f, done[i]);
		}
		if (kfd >= 0 && (p[4].revents & POLLIN))
			sbxd_tierk_drain(f->tierk);
		now = now_ms();
		expire(f, now);
		drains_check(f, now);
		if (now - f->state_written_ms >= 1000) {
			sbxd_fcache_sweep(f->fcache, 512);
			if (f->state_dirty)
				state_update(f);
			else
				f->state_written_ms = now;
		}
	}
	return 0;
}

bool sbxd_fan_close(struct sbxd_fan *f)
{
	bool busy = false;

	if (!f)
		return true;
	if (f->worker_started) {
		pthread_mutex_lock(&f->lock);
		f->worker_stop = true;
		busy = f->worker_busy;
		pthread_cond_signal(&f->cond);
		pthread_mutex_unlock(&f->lock);
		if (!busy)
			pthread_join(f->worker, NULL);
	}
	if (busy) {
		/*
		 * The verifier is in one long verification (a slow file system): a stop does
		 * not wait for it. Pending execs are answered by the mode, the group closed,
		 * and the rest left to the process's exit, which the worker still uses.
		 */
		for (unsigned int i = 0; i < f->cfg->queue_max; i++)
			if (f->items[i].used && !f->items[i].answered)
				decide(f, &f->items[i], "shutdown",
				       "not verified: sbxd was stopping");
		close(f->fan);
		return false;
	}
	/* Pending execs are answered by the mode; closing the group would allow them. */
	for (unsigned int i = 0; f->items && i < f->cfg->queue_max; i++) {
		struct item *it = &f->items[i];

		if (!it->used)
			continue;
		if (!it->answered)
			decide(f, it, "shutdown", "not verified: sbxd was stopping");
		if (it->wfd >= 0)
			close(it->wfd);
		item_release(it);
	}
	if (f->fan >= 0)
		close(f->fan);
	if (f->done[0] >= 0) {
		close(f->done[0]);
		close(f->done[1]);
	}
	if (f->sigfd >= 0)
		close(f->sigfd);
	sbxd_fcache_free(f->fcache);
	for (size_t i = 0; i < f->ndrains; i++)
		close(f->drains[i].fd);
	free(f->drains);
	free(f->items);
	free(f->marked);
	if (f->mounts >= 0)
		close(f->mounts);
	free(f);
	return true;
}
