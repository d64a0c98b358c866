// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K: sbx's BPF LSM enforcer (userspace/lib/bpf/enforcer.h) behind sbxd's own types.
 * The enforcer pins its programs, links and maps, so enforcement outlives sbxd (fail
 * closed) and a restarted sbxd adopts them. The fanotify miss path (fan.c) stores each
 * verdict with begin → verify → store; the BPF hooks check the map at every exec and
 * executable mapping, and their denial events come back here to go into the same log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/enforcer.h"
#include "sbxd.h"

struct sbxd_tierk {
	struct sbx_enforcer *e;
	char launcher[PATH_MAX]; /* the sbx binary whose verdict carries SBX_POLICY_SBX_LAUNCHER */
	dev_t launcher_dev; /* and its file at start */
	ino_t launcher_ino;
	bool launcher_known;
};

/*
 * Scope `sandboxed` knows what `sbx run` starts by the program that started it: the
 * configured launcher, or the sbx next to sbxd's own executable. Only a valid verdict
 * carries the bit (bpf/exec_verdict.bpf.c), so an unsigned sbx launches nothing sandboxed.
 */
static void find_launcher(struct sbxd_tierk *k, const struct sbxd_config *c)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (c->launcher[0]) {
		snprintf(path, sizeof(path), "%s", c->launcher);
	} else {
		n = readlink("/proc/self/exe", path, sizeof(path) - 5);
		if (n <= 0)
			return;
		path[n] = '\0';
		snprintf(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, 4, "sbx");
	}
	snprintf(k->launcher, sizeof(k->launcher), "%s", path);
	if (stat(path, &st) == 0) {
		k->launcher_dev = st.st_dev;
		k->launcher_ino = st.st_ino;
		k->launcher_known = true;
		sbxd_log(6, "tier K: the launcher of sandboxed processes is %s", path);
	} else if (c->scope == SBXD_SCOPE_SANDBOXED) {
		sbxd_log(4,
			 "tier K: no sbx launcher at %s: scope sandboxed covers nothing until one "
			 "is there",
			 path);
	}
}

const char *sbxd_tierk_launcher(const struct sbxd_tierk *k)
{
	return k->launcher_known ? k->launcher : NULL;
}

/*
 * fd is the launcher: the file found at start, or the one at the launcher's path now (an
 * sbx installed in place of the old one, as a package upgrade does, is the launcher too:
 * otherwise what it starts would silently leave the scope).
 */
bool sbxd_tierk_is_launcher(struct sbxd_tierk *k, int fd)
{
	struct stat st, now;

	if (!k->launcher[0] || fstat(fd, &st))
		return false;
	if (k->launcher_known && st.st_dev == k->launcher_dev && st.st_ino == k->launcher_ino)
		return true;
	return stat(k->launcher, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino;
}

bool sbxd_tierk_supported(struct sbx_diag *d)
{
	return sbx_enforcer_supported(d);
}

static bool protect_off_at_boot(void);

/* This start asks for a first arming, or re-arms (sbxd_tierk_protect). */
static bool sbxd_tierk_will_arm(const struct sbxd_config *c)
{
	return c->mode == SBXD_ENFORCE && c->protect && !protect_off_at_boot();
}

int sbxd_tierk_open(const struct sbxd_config *c, struct sbxd_tierk **out, struct sbx_diag *d)
{
	struct sbx_enforcer_opts o = {
		.sz = sizeof(o),
		.mode = c->mode == SBXD_ENFORCE ? SBX_ENFORCE_ENFORCE : SBX_ENFORCE_COMPLAIN,
		.scope = c->scope == SBXD_SCOPE_ALL ? SBX_SCOPE_ALL : SBX_SCOPE_SANDBOXED,
		.cache_entries = c->cache_entries,
	};
	struct sbxd_tierk *k = calloc(1, sizeof(*k));
	struct sbx_enforcer_stats s;
	int err;

	if (!k)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	find_launcher(k, c);
	/* An armed enforcer lets only sbxd adopt it: claim first (self-protection). */
	if (sbx_enforcer_claim(NULL) == 0)
		sbxd_log(6, "tier K: this is the sbxd executable that armed self-protection");
	/* Loaded or adopted, the enforcer is configured with o's mode and scope. */
	err = sbx_enforcer_open(&o, &k->e, d);
	/*
	 * A first arming starts from state sbxd wrote itself (atk11k A1): pins found unarmed
	 * hold whatever root wrote into them while nothing was armed (a verdict stored through
	 * the BPF side's ioctls, a write generation, task storage, a forged enforcer pinned
	 * under sbx's names), and the arming would freeze it in. So a start that will arm
	 * unloads them and loads fresh ones; only an armed enforcer, whose maps have been
	 * sbxd's alone since its arming, is adopted. Unarmed pins are root's to unload anyway:
	 * nothing is lost but the unarmed cache.
	 */
	if (!err && sbx_enforcer_stats(k->e, &s, d) == 0 && s.adopted && !s.self_protect &&
	    sbxd_tierk_will_arm(c)) {
		sbx_enforcer_close(k->e);
		k->e = NULL;
		err = sbx_enforcer_unload(NULL, d);
		if (!err)
			err = sbx_enforcer_open(&o, &k->e, d);
		if (!err)
			sbxd_log(6, "tier K: the pinned enforcer was not armed: loaded afresh");
	}
	if (err) {
		sbx_enforcer_close(k->e);
		free(k);
		return err;
	}
	if (sbx_enforcer_stats(k->e, &s, d) == 0 && s.adopted)
		sbxd_log(6, "tier K: adopted the pinned enforcer in %s", SBX_ENFORCER_PIN_DIR);
	*out = k;
	return 0;
}

/*
 * Cached verdicts must not outlive the trust they were made under. What a verdict depends
 * on, besides the file: the trust store (anchors, revocations, trust caches), the launcher
 * (its verdict carries SBX_POLICY_SBX_LAUNCHER) and sbxd itself (how a signature's
 * entitlements become policy bits). Their stamp is kept in RUN_DIR/sbxd.trust; an adopted
 * map whose stamp is not this start's (or unknown) is flushed before anything is verified,
 * so sbxd's own files (fan.c, preverify_self) and every later exec get verdicts made under
 * the trust of today. A trust change takes effect when sbxd starts, as before, for the
 * verdicts in the map too.
 */
int sbxd_tierk_trust(struct sbxd_tierk *k, const struct sbxd_config *c, struct sbxd_gate *g,
		     struct sbx_diag *d)
{
	struct {
		uint64_t dev, ino, size;
		int64_t ctime_sec, ctime_nsec;
		uint64_t launcher_dev, launcher_ino;
	} extra = { 0 };
	unsigned char stamp[32], old[32];
	char path[300], tmp[310];
	struct sbx_enforcer_stats s;
	struct stat st;
	uint32_t flushed;
	bool same = false;
	FILE *f;
	int serr, err;

	if (stat("/proc/self/exe", &st) == 0) {
		extra.dev = st.st_dev;
		extra.ino = st.st_ino;
		extra.size = (uint64_t)st.st_size;
		extra.ctime_sec = st.st_ctim.tv_sec;
		extra.ctime_nsec = st.st_ctim.tv_nsec;
	}
	if (k->launcher_known) {
		extra.launcher_dev = k->launcher_dev;
		extra.launcher_ino = k->launcher_ino;
	}
	serr = sbxd_gate_stamp(g, &extra, sizeof(extra), stamp, NULL); /* unreadable: changed */
	snprintf(path, sizeof(path), "%s/sbxd.trust", c->run_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = serr ? NULL : fopen(path, "re");
	if (f) {
		same = fread(old, 1, sizeof(old), f) == sizeof(old) && !memcmp(old, stamp, 32);
		fclose(f);
	}
	if (!same && sbx_enforcer_stats(k->e, &s, NULL) == 0 && s.adopted) {
		err = sbx_enforcer_verdicts_flush(k->e, &flushed, d);
		if (err)
			return err; /* verdicts of another trust would stay: do not start */
		sbxd_log(5,
			 "tier K: the trust store, the launcher or sbxd may have changed since the "
			 "pinned verdicts were made: %u dropped, each file is verified again",
			 flushed);
	}
	unlink(path);
	f = serr ? NULL : fopen(tmp, "we");
	if (f && fwrite(stamp, 1, sizeof(stamp), f) == sizeof(stamp) && fclose(f) == 0)
		rename(tmp, path);
	else if (f)
		fclose(f);
	return 0;
}

int sbxd_tierk_flush(struct sbxd_tierk *k, unsigned int *n, struct sbx_diag *d)
{
	uint32_t flushed = 0;
	int err = sbx_enforcer_verdicts_flush(k->e, &flushed, d);

	*n = flushed;
	return err;
}

int sbxd_tierk_begin(struct sbxd_tierk *k, int fd, uint64_t *gen, struct sbx_diag *d)
{
	return sbx_enforcer_verdict_begin(k->e, fd, gen, d);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	if (!s || !*s)
		return 0;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

int sbxd_tierk_store(struct sbxd_tierk *k, int fd, uint64_t gen, const struct sbxd_check *chk,
		     struct sbx_diag *d)
{
	struct sbx_cached_verdict v = {
		.write_gen = gen,
		.kind = chk->kind == SBXD_KIND_VALID	  ? SBX_CACHED_VALID
			: chk->kind == SBXD_KIND_PLATFORM ? SBX_CACHED_PLATFORM
							  : SBX_CACHED_INVALID,
		.policy = chk->policy,
		.team_hash = fnv1a(chk->team_id),
	};

	if (sbxd_tierk_is_launcher(k, fd))
		v.policy |= SBX_POLICY_SBX_LAUNCHER;

	return sbx_enforcer_verdict_store(k->e, fd, &v, d);
}

enum sbxd_kind sbxd_tierk_lookup(struct sbxd_tierk *k, int fd)
{
	struct sbx_cached_verdict v;

	if (sbx_enforcer_verdict_lookup(k->e, fd, &v, NULL))
		return SBXD_KIND_NONE;
	return v.kind == SBX_CACHED_VALID      ? SBXD_KIND_VALID
	       : v.kind == SBX_CACHED_PLATFORM ? SBXD_KIND_PLATFORM
					       : SBXD_KIND_REFUSED;
}

int sbxd_tierk_event_fd(struct sbxd_tierk *k)
{
	return sbx_enforcer_event_fd(k->e);
}

static const char *hook_name(uint32_t h)
{
	switch (h) {
	case SBX_HOOK_EXEC:
		return "exec";
	case SBX_HOOK_MMAP_EXEC:
		return "mmap-exec";
	case SBX_HOOK_PTRACE:
		return "ptrace";
	case SBX_HOOK_COREDUMP:
		return "coredump";
	case SBX_HOOK_PROC:
		return "proc";
	case SBX_HOOK_PERF:
		return "perf";
	case SBX_HOOK_SELF_PROTECT:
		return "self-protect";
	default:
		return "fanotify";
	}
}

/* enum sbx_deny_reason: a short name for logs, and the fact that was missing. */
static const struct {
	const char *name, *fact;
} reasons[] = {
	[SBX_DENY_NO_VERDICT] = { "no-verdict", "no verified signature for this content" },
	[SBX_DENY_INVALID] = { "invalid", "the signature was verified and refused (sbx verify "
					  "says why)" },
	[SBX_DENY_STALE] = { "stale", "written to after it was verified" },
	[SBX_DENY_TEAM_MISMATCH] = { "team-mismatch",
				     "library signed by another team (library validation; "
				     "cs.disable-library-validation allows it)" },
	[SBX_DENY_WX] = { "write-and-execute",
			  "writable and executable memory (hardened runtime; cs.allow-jit "
			  "allows it for anonymous memory, cs.allow-unsigned-executable-memory "
			  "for a file's copy)" },
	[SBX_DENY_NOT_DEBUGGABLE] = { "not-debuggable",
				      "the target runs with the hardened runtime (get-task-allow "
				      "on it, or cs.debugger on the tracer, allows it)" },
	[SBX_DENY_TIMEOUT] = { "timeout", "the verifier did not answer in time" },
	[SBX_DENY_WX_FLIP] = { "write-then-execute",
			       "memory that was writable made executable, or code written "
			       "through /proc/PID/mem or userfaultfd (hardened runtime; "
			       "cs.allow-unsigned-executable-memory allows it)" },
	[SBX_DENY_OUTSIDE_SANDBOX] = { "outside-sandbox",
				       "a process outside the caller's sandbox (its /proc entries "
				       "are not the sandbox's to read)" },
	[SBX_DENY_PROTECTED] = { "self-protection",
				 "only sbxd may do this while self-protection is on" },
};

static int on_event(const struct sbx_event *ev, void *arg)
{
	struct sbxd_event e = {
		.pid = (pid_t)ev->pid,
		.hook = hook_name(ev->hook),
		.tier = 'K',
		.decision = ev->denied ? SBXD_DENY : SBXD_WOULD_DENY,
		.reason = "unknown",
		.fact = "",
	};

	(void)arg;
	if (ev->reason < sizeof(reasons) / sizeof(reasons[0]) && reasons[ev->reason].name) {
		e.reason = reasons[ev->reason].name;
		e.fact = reasons[ev->reason].fact;
	}
	/* Not debuggable, refused at another door than an attach. */
	if (ev->reason == SBX_DENY_NOT_DEBUGGABLE && ev->hook == SBX_HOOK_EXEC)
		e.fact = "exec'd under a tracer or with perf events attached: the program runs "
			 "with the hardened runtime (get-task-allow on it allows it; for a tracer, "
			 "so does cs.debugger on the tracer)";
	else if (ev->reason == SBX_DENY_NOT_DEBUGGABLE && ev->hook == SBX_HOOK_COREDUMP)
		e.fact = "no core dump: the program runs with the hardened runtime "
			 "(get-task-allow on it allows one)";
	else if (ev->reason == SBX_DENY_NOT_DEBUGGABLE && ev->hook == SBX_HOOK_PERF)
		e.fact = "a system-wide or cgroup perf event may record addresses and counts only, "
			 "not user registers, stacks or raw data, while hardened programs run "
			 "(cs.debugger on the profiler allows it)";
	snprintf(e.exe, sizeof(e.exe), "%.*s", (int)sizeof(ev->comm), ev->comm);
	snprintf(e.file, sizeof(e.file), "%.*s", (int)sizeof(ev->path), ev->path);
	sbxd_journal_event(&e);
	return 0;
}

void sbxd_tierk_drain(struct sbxd_tierk *k)
{
	sbx_enforcer_events_drain(k->e, on_event, NULL);
}

int sbxd_tierk_fill(struct sbxd_tierk *k, unsigned int *fill, unsigned int *max,
		    unsigned int *entry_bytes)
{
	struct sbx_enforcer_stats s;
	struct sbx_diag d = { 0 };
	int err = sbx_enforcer_stats(k->e, &s, &d);

	if (err)
		return err;
	*fill = s.cache_entries;
	*max = s.cache_max;
	*entry_bytes = s.entry_bytes;
	return 0;
}

void sbxd_tierk_close(struct sbxd_tierk *k)
{
	if (!k)
		return;
	sbx_enforcer_close(k->e);
	free(k);
}

int sbxd_tierk_claim(struct sbx_diag *d)
{
	return sbx_enforcer_claim(d);
}

/* sbx.protect=0 (or off, no) on the kernel command line: the way off that needs a reboot. */
static bool protect_off_at_boot(void)
{
	FILE *f = fopen("/proc/cmdline", "re");
	char buf[4096], *p = buf;
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	while ((p = strstr(p, "sbx.protect="))) {
		const char *v = p + strlen("sbx.protect=");

		if (p == buf || p[-1] == ' ')
			return v[0] == '0' || !strncmp(v, "off", 3) || !strncmp(v, "no", 2);
		p++;
	}
	return false;
}

/*
 * Self-protection (bpf/self_protect.bpf.c) is armed only for an sbxd whose own executable
 * the verifier accepts: the kernel then knows sbxd by that file, and a copy of it, or an
 * unsigned build, is nobody (that sbxd runs unprotected and says so). An enforcer found
 * armed stays armed whatever this start's settings say, and sbxd re-arms it or does not
 * start: its trust store or configuration no longer being the guarded files means
 * something was mounted over them. A first arming asked for (enforce mode, protect = yes)
 * that fails is as fatal: a symbolic link in the trust store (which also keeps a signed
 * sbxd from verifying: the store cannot be read), a signed sbxd that does not verify,
 * another process's claim first. sbxd does not run unprotected when protection was asked
 * for. The pins it loaded stay and enforce, unarmed, as after any stop of sbxd (fail
 * closed): unloading them would let whoever planted the link switch enforcement off. The
 * next start that arms loads them afresh (sbxd_tierk_open): unarmed, they hold what root
 * could write.
 */
int sbxd_tierk_protect(struct sbxd_tierk *k, const struct sbxd_config *c, struct sbxd_gate *g,
		       struct sbx_diag *d)
{
	const char *why = NULL, *paths[2];
	struct sbx_enforcer_stats s;
	struct sbxd_check chk;
	char exe[PATH_MAX], why_not[sizeof(d->msg)], held[48];
	bool armed;
	size_t n = 0;
	ssize_t len;
	int fd, dfd, err;

	armed = sbx_enforcer_stats(k->e, &s, NULL) == 0 && s.self_protect;
	if (c->mode != SBXD_ENFORCE)
		why = "complain mode";
	else if (!c->protect)
		why = "protect = no";
	else if (protect_off_at_boot())
		why = "sbx.protect=0 on the kernel command line";
	if (why && !armed) {
		sbxd_log(c->mode == SBXD_ENFORCE ? 4 : 6, "tier K: self-protection off: %s", why);
		return 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (len <= 0 || fd < 0) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		sbx_diag_set(d, err, "cannot open sbxd's executable: %s", strerror(-err));
		goto fail;
	}
	exe[len] = '\0';
	sbxd_gate_check(g, fd, exe, &chk);
	close(fd);
	if (!sbxd_kind_allows(chk.kind)) {
		sbx_diag_set(d, -EPERM,
			     "sbxd's own executable %s is not verified (%s%s%s), "
			     "so the kernel cannot tell sbxd from a copy",
			     exe, chk.reason, chk.fact[0] ? ": " : "", chk.fact);
		/* An unsigned build cannot arm, by design: it runs unprotected, saying so. */
		if (!armed && !strcmp(chk.reason, "unsigned")) {
			sbxd_log(4, "tier K: self-protection off: %s", d->msg);
			return 0;
		}
		goto fail;
	}
	/*
	 * The store guarded is the directory sbxd holds and reads (gate.c), reached through
	 * its descriptor, not whatever its path names by now: the directory, its entries and
	 * platform.d's. A store swapped in at the path before the arming stays unguarded and
	 * unread; a restart reads it, and re-arming refuses it (not the guarded inode).
	 */
	dfd = sbxd_gate_dir_fd(g);
	if (dfd >= 0)
		snprintf(held, sizeof(held), "/proc/self/fd/%d/.", dfd);
	paths[n++] = dfd >= 0 ? held : sbxd_gate_trust_dir(g);
	if (c->config_file[0])
		paths[n++] = c->config_file;
	if (sbx_enforcer_protect(k->e, paths, n, d))
		goto fail;
	sbxd_log(5,
		 "tier K: self-protection on%s: only %s may change sbx's BPF objects, %s%s%s "
		 "or signal sbxd; the way off is `sbxd --unload`",
		 armed ? " (it was armed)" : "", exe, sbxd_gate_trust_dir(g), n > 1 ? ", " : "",
		 n > 1 ? paths[1] : "");
	return 0;
fail:
	snprintf(why_not, sizeof(why_not), "%s", d->msg);
	return sbx_diag_set(
		d, d->err ? d->err : -EPERM,
		"self-protection cannot be %s, and sbxd does not run unprotected (%s): %s",
		armed ? "re-armed" : "armed",
		sbx_enforcer_stats(k->e, &s, NULL) == 0 && s.self_protect
			? "the armed tier K pins go on enforcing"
			: "the tier K pins go on enforcing, unarmed; the next start "
			  "that arms loads them afresh",
		why_not);
}

bool sbxd_tierk_pinned(void)
{
	return sbx_enforcer_pinned();
}

int sbxd_tierk_unload(struct sbx_diag *d)
{
	return sbx_enforcer_unload(NULL, d);
}
