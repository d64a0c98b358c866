// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd: only verified code executes. Probes the tier (K: BPF LSM enforcer; F: fanotify
 * exec-permission events alone; else refuses with the reason), loads the configuration
 * (/etc/sbx/sbxd.conf, flags override), and serves the miss path until SIGTERM.
 * `sbxd --status` and `sbxd --unload` are the administrator's two other verbs.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe/features.h"
#include "sbxd.h"

#define EXIT_USAGE	 2
#define EXIT_NOT_RUNNING 3 /* --status: the LSB "program is not running" */

static const char tier_f_cannot[] =
	"executable mappings (ld.so ./prog, LD_PRELOAD, dlopen of unsigned libraries), "
	"task identity (launch constraints; scope sandboxed is approximated by no_new_privs "
	"+ seccomp), hardened runtime, execs from file systems mounted in another mount "
	"namespace (unshare -Urm: marks follow this namespace's mounts only), scripts read "
	"as data by an interpreter (sh script.sh) or rewritten while it runs; and it fails "
	"open: if sbxd dies the mark goes with it";

static volatile int stop;

#define MEMFD_NOEXEC "/proc/sys/vm/memfd_noexec"

/* vm.memfd_noexec of this pid namespace (and, as a floor, of every one below it); -1. */
static int memfd_noexec_get(void)
{
	FILE *f = fopen(MEMFD_NOEXEC, "re");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int memfd_noexec_set(int v)
{
	FILE *f = fopen(MEMFD_NOEXEC, "we");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", v) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/*
 * Tier F cannot see an exec from a memfd: fanotify cannot mark shmem's internal mount
 * (EINVAL), so a copy of any unsigned program in a memfd would fexecve unasked. In enforce
 * mode sbxd sets vm.memfd_noexec=2 (no memfd may ever be executable) for its pid namespace
 * and every one below it, and puts the old value back when it stops. Returns the value to
 * restore (-1: nothing to restore) and says what it did in why.
 */
static int memfd_noexec_raise(char *why, size_t len)
{
	int old = memfd_noexec_get(), err;

	if (old >= 2) {
		snprintf(why, len, "vm.memfd_noexec=%d already", old);
		return -1;
	}
	err = old < 0 ? -ENOENT : memfd_noexec_set(2);
	if (err) {
		snprintf(why, len,
			 "cannot set vm.memfd_noexec=2 (%s): an unsigned program "
			 "copied into a memfd RUNS",
			 old < 0 ? "kernel before 6.3" : strerror(-err));
		return -1;
	}
	snprintf(why, len, "vm.memfd_noexec=2 set (was %d; put back at stop)", old);
	return old;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(FILE *out, int status)
{
	fprintf(out,
		"usage: sbxd [--config FILE] [--mode enforce|complain] [--scope all|sandboxed]\n"
		"            [--tier auto|F|K] [--path DIR]... [--trust-dir DIR] [--run-dir DIR]\n"
		"            [--cache-entries N] [--queue N] [--timeout-ms N] "
		"[--events-max-bytes N]\n"
		"            [--launcher PATH] [--max-file-bytes N] [--memfd-noexec yes|no]\n"
		"            [--protect yes|no]\n"
		"       sbxd --status [--run-dir DIR]\n"
		"       sbxd --unload [--run-dir DIR]\n"
		"       sbxd --check-config [--config FILE]\n"
		"Only verified code executes: every exec on the watched file systems is verified\n"
		"(the trust store of `sbx verify`) and refused unless validly signed by a trusted\n"
		"team or listed in a platform trust cache. Without --path, every mounted file\n"
		"system is watched. In tier K executable file mappings are checked too (scope\n"
		"all: in every task): the libraries ld.so maps for a program are verified at its\n"
		"exec; one found only through LD_LIBRARY_PATH, LD_PRELOAD or dlopen is refused\n"
		"unless it already holds a verdict. Flags override %s.\n",
		SBXD_CONF_DEFAULT);
	return status;
}

/* systemd's readiness protocol, without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0)
		sbxd_log(4, "cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/* The state file's pid, if that process is alive; 0 otherwise. */
static pid_t running_pid(const struct sbxd_config *c, char *state, size_t len)
{
	char path[300];
	FILE *f;
	size_t n;
	const char *p;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/sbxd.state", c->run_dir);
	f = fopen(path, "re");
	state[0] = '\0';
	if (!f)
		return 0;
	n = fread(state, 1, len - 1, f);
	state[n] = '\0';
	fclose(f);
	p = strstr(state, "pid=");
	pid = p ? (pid_t)atoi(p + 4) : 0;
	if (pid <= 0 || (kill(pid, 0) && errno != EPERM))
		return 0;
	return pid;
}

static int do_status(const struct sbxd_config *c)
{
	char state[2048];
	pid_t pid = running_pid(c, state, sizeof(state));
	bool pins = sbxd_tierk_pinned();

	if (!pid) {
		printf("sbxd: not running%s\n",
		       pins	  ? "; tier K pins in /sys/fs/bpf/sbx still enforce (fail closed)"
		       : state[0] ? " (stale state file: the daemon died; tier F failed open)"
				  : "");
		return EXIT_NOT_RUNNING;
	}
	printf("sbxd: running\n%s", state);
	if (pins)
		printf("pins=/sys/fs/bpf/sbx\n");
	return 0;
}

static int do_unload(const struct sbxd_config *c)
{
	char state[2048];
	pid_t pid = running_pid(c, state, sizeof(state));
	struct sbx_diag d = { 0 };
	bool pinned;
	int err;

	/* Armed self-protection lets only sbxd stop sbxd and unpin: claim its identity. */
	if (sbxd_tierk_pinned())
		sbxd_tierk_claim(NULL); /* refused or not armed: the steps below say which */
	if (pid) {
		if (kill(pid, SIGTERM) && errno == EPERM) {
			fprintf(stderr,
				"sbxd: self-protection refuses to stop pid %d: run the sbxd "
				"executable that armed it, or boot with sbx.protect=0\n",
				(int)pid);
			return 1;
		}
		for (int i = 0; i < 100 && running_pid(c, state, sizeof(state)) == pid; i++)
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000 }, NULL);
		if (running_pid(c, state, sizeof(state)) == pid) {
			fprintf(stderr, "sbxd: pid %d did not stop on SIGTERM\n", (int)pid);
			return 1;
		}
		printf("sbxd: stopped pid %d\n", (int)pid);
	}
	pinned = sbxd_tierk_pinned();
	err = pinned ? sbxd_tierk_unload(&d) : 0;
	if (err) {
		fprintf(stderr, "sbxd: cannot unload the tier K enforcer: %s\n", d.msg);
		return 1;
	}
	printf("sbxd: %s\n", pinned ? "tier K enforcer detached and unpinned; nothing enforces now"
				    : "no tier K enforcer pinned; nothing enforces now");
	return 0;
}

static char probe_tier(const struct sbxd_config *c, struct sbx_diag *d)
{
	struct sbx_diag kd = { 0 };
	struct sbx_features f;

	if (c->tier_req != 'F') {
		if (sbxd_tierk_supported(&kd))
			return SBXD_TIER_K;
		if (c->tier_req == 'K') {
			sbx_diag_set(d, -EOPNOTSUPP, "tier K unavailable: %s", kd.msg);
			return SBXD_TIER_NONE;
		}
	}
	sbx_features_probe(&f, false);
	if (f.fanotify_perm)
		return SBXD_TIER_F;
	sbx_diag_set(d, -EOPNOTSUPP, "neither tier K (%s) nor tier F (fanotify: %s) works here",
		     kd.msg[0] ? kd.msg : "not asked", f.fanotify_why);
	return SBXD_TIER_NONE;
}

/* Each cached verdict keeps its file open (the lease holder, fcache.c). */
static void raise_fd_limit(const struct sbxd_config *c)
{
	rlim_t need = (rlim_t)c->cache_entries + 2 * (rlim_t)c->queue_max + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		sbxd_log(4, "cannot raise the open file limit to %llu: %s",
			 (unsigned long long)need, strerror(errno));
}

/*
 * sbxd's memory is never written out: no core file (RLIMIT_CORE 0, and armed, no other
 * process may raise it: self_protect.bpf.c) and not dumpable, so /proc/PID/{mem,environ,
 * maps,fd}... and ptrace need CAP_SYS_PTRACE even from a process of sbxd's own uid, and a
 * core is never written whatever the limit (atk6k F4b wrote an 11 MB one).
 */
static int no_core(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		fprintf(stderr, "sbxd: refusing to start: cannot make itself undumpable: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * sbxd's memory stays in memory (atk11k S1's family: pages that leave memory through swap
 * are bytes under a guard): its trust anchors, the verifier's state and its heap, swapped
 * out to a swap area root writes (a loop device over an image), would come back with
 * root's bytes. Locked before the trust store is read, and every later mapping too
 * (MCL_FUTURE). A failure (no CAP_IPC_LOCK and RLIMIT_MEMLOCK too low, or no memory)
 * refuses enforce mode; the other modes go on, logged.
 */
static int lock_memory(const struct sbxd_config *c)
{
	if (!mlockall(MCL_CURRENT | MCL_FUTURE))
		return 0;
	if (c->mode == SBXD_ENFORCE) {
		fprintf(stderr,
			"sbxd: refusing to start in enforce mode: cannot lock its memory against "
			"swap (mlockall: %s)\n",
			strerror(errno));
		return -1;
	}
	fprintf(stderr, "sbxd: its memory is not locked against swap (mlockall: %s)\n",
		strerror(errno));
	return 0;
}

static int serve(struct sbxd_config *c)
{
	struct sbx_diag d = { 0 };
	struct sbxd_fan_opts o = { .cfg = c };
	struct sbxd_fan *fan = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char buf[1024], memfd[160] = "";
	sigset_t hup;
	int err, memfd_old = -1;
	bool joined = true;

	if (geteuid() != 0) {
		fprintf(stderr, "sbxd: must run as root (fanotify permission events, BPF)\n");
		return 1;
	}
	if (no_core() || lock_memory(c))
		return 1;
	/*
	 * SIGHUP reloads the trust store once the listener runs (fan.c); until then it waits.
	 * SIGIO and the lease signal, which anyone may send the armed sbxd as SIGIO
	 * (self_protect.bpf.c), never take their default action (termination) either.
	 */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigaddset(&hup, SIGIO);
	sigaddset(&hup, SBXD_LEASE_SIGNAL);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	o.tier = probe_tier(c, &d);
	if (o.tier == SBXD_TIER_NONE) {
		fprintf(stderr, "sbxd: refusing to start: %s\n", d.msg);
		return 1;
	}
	o.cannot = o.tier == SBXD_TIER_F ? tier_f_cannot : "";
	raise_fd_limit(c);
	if ((err = sbxd_journal_open(c, &d)) ||
	    (err = sbxd_gate_new(c->trust_dir, c->mode == SBXD_ENFORCE, &o.gate, &d)))
		goto out;
	if (o.tier == SBXD_TIER_K && ((err = sbxd_tierk_open(c, &o.tierk, &d)) ||
				      (err = sbxd_tierk_trust(o.tierk, c, o.gate, &d))))
		goto out;
	/* Before the verifier thread: the gate has one user. */
	if (o.tier == SBXD_TIER_K && (err = sbxd_tierk_protect(o.tierk, c, o.gate, &d)))
		goto out;
	sbxd_journal_stdout_nonblocking();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (o.tier == SBXD_TIER_F && c->mode == SBXD_ENFORCE && c->memfd_noexec)
		memfd_old = memfd_noexec_raise(memfd, sizeof(memfd));
	else if (o.tier == SBXD_TIER_F && c->mode == SBXD_ENFORCE)
		snprintf(memfd, sizeof(memfd), "NOT refused (memfd_noexec = no)");
	o.memfd = memfd;
	if ((err = sbxd_fan_open(&o, &fan, &d)))
		goto out;
	sbxd_log(5, "started: tier %c, mode %s, scope %s, timeout %u ms, queue %u%s%s", o.tier,
		 sbxd_mode_name(c->mode), sbxd_scope_name(c->scope), c->timeout_ms, c->queue_max,
		 memfd[0] ? ", memfd exec: " : "", memfd);
	if (o.tier == SBXD_TIER_F)
		sbxd_log(4,
			 "tier F (fanotify) enforces exec of verified code only; it cannot "
			 "enforce %s",
			 tier_f_cannot);
	snprintf(buf, sizeof(buf), "READY=1\nSTATUS=tier %c, %s, scope %s", o.tier,
		 sbxd_mode_name(c->mode), sbxd_scope_name(c->scope));
	notify(buf);
	err = sbxd_fan_run(fan, &stop, &d);
	notify("STOPPING=1");
	sbxd_log(5, "stopping%s", o.tier == SBXD_TIER_K ? ": the tier K pins keep enforcing" : "");
out:
	if (memfd_old >= 0 && memfd_noexec_set(memfd_old))
		sbxd_log(4, "cannot put vm.memfd_noexec back to %d", memfd_old);
	joined = sbxd_fan_close(fan);
	if (!joined)
		sbxd_log(4, "stopping without waiting for a verification in progress");
	if (joined) {
		sbxd_tierk_close(o.tierk);
		sbxd_gate_free(o.gate);
	}
	if (fan)
		sbxd_state_remove(c);
	if (err)
		fprintf(stderr, "sbxd: %s\n", sbx_diag_format(&d, buf, sizeof(buf)));
	if (!joined) {
		/* No exit handlers (the crypto library's) under the verifier still running. */
		fflush(NULL);
		_exit(err ? 1 : 0);
	}
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "status", no_argument, NULL, 'S' },
		{ "unload", no_argument, NULL, 'U' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "mode", required_argument, NULL, 's' },
		{ "scope", required_argument, NULL, 's' },
		{ "tier", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 's' },
		{ "trust-dir", required_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 's' },
		{ "cache-entries", required_argument, NULL, 's' },
		{ "queue", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 's' },
		{ "events-max-bytes", required_argument, NULL, 's' },
		{ "launcher", required_argument, NULL, 's' },
		{ "max-file-bytes", required_argument, NULL, 's' },
		{ "memfd-noexec", required_argument, NULL, 's' },
		{ "protect", required_argument, NULL, 's' },
		{ 0 },
	};
	const char *conf = SBXD_CONF_DEFAULT, *flags[64][2];
	struct sbxd_config c;
	struct sbx_diag d = { 0 };
	char buf[1024];
	int nflags = 0, verb = 0, ch, idx;
	bool conf_given = false, path_flag = false;

	while ((ch = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			conf_given = true;
			break;
		case 'S':
		case 'U':
		case 'C':
			verb = ch;
			break;
		case 'h':
			return usage(stdout, 0);
		case 's':
			if (nflags == 64)
				return usage(stderr, EXIT_USAGE);
			flags[nflags][0] = opts[idx].name;
			flags[nflags++][1] = optarg;
			break;
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "sbxd: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	sbxd_config_defaults(&c);
	if (sbxd_config_load(&c, conf, conf_given, &d)) {
		fprintf(stderr, "sbxd: %s\n", sbx_diag_format(&d, buf, sizeof(buf)));
		return EXIT_USAGE;
	}
	snprintf(c.config_file, sizeof(c.config_file), "%s", conf);
	for (int i = 0; i < nflags; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%s", flags[i][0]);
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		/* --path flags replace the file's paths rather than add to them. */
		if (!strcmp(key, "path") && !path_flag) {
			c.npaths = 0;
			path_flag = true;
		}
		if (sbxd_config_set(&c, key, flags[i][1], &d)) {
			fprintf(stderr, "sbxd: --%s: %s\n", flags[i][0], d.msg);
			return EXIT_USAGE;
		}
	}
	switch (verb) {
	case 'S':
		return do_status(&c);
	case 'U':
		return do_unload(&c);
	case 'C':
		printf("sbxd: configuration is valid: mode %s, scope %s\n", sbxd_mode_name(c.mode),
		       sbxd_scope_name(c.scope));
		return 0;
	}
	return serve(&c);
}
