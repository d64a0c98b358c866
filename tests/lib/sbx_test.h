/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by sbx's suites: run a command and capture what it printed, find the
 * sbx binary and source tree, make a private temporary directory. Header-only, so every
 * suite (unit, sandbox, escape, vm) gets them with the harness alone.
 */
#ifndef SBX_TEST_H
#define SBX_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct sbx_cmd_result {
	int status; /* exit status, or 128 + signal */
	char out[65536]; /* stdout, NUL-terminated, truncated if longer */
	char err[16384]; /* stderr */
};

/* Read both pipes to EOF without deadlocking on either. */
static inline void __sbx_drain(int ofd, int efd, struct sbx_cmd_result *r)
{
	size_t olen = 0, elen = 0;
	struct pollfd p[2] = { { .fd = ofd, .events = POLLIN }, { .fd = efd, .events = POLLIN } };
	int open_fds = 2;

	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char tmp[4096];
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			char *buf = i == 0 ? r->out : r->err;
			size_t cap = i == 0 ? sizeof(r->out) - 1 : sizeof(r->err) - 1;
			size_t *len = i == 0 ? &olen : &elen;
			size_t take = (size_t)n < cap - *len ? (size_t)n : cap - *len;

			memcpy(buf + *len, tmp, take);
			*len += take;
			buf[*len] = '\0';
		}
	}
}

/*
 * Run argv (argv[0] looked up in PATH) with stdin from /dev/null and envp (NULL: inherit),
 * capturing stdout and stderr. Returns 0, or -errno if it could not be started.
 */
static inline int sbx_run_capture_env(char *const argv[], char *const envp[],
				      struct sbx_cmd_result *r)
{
	int o[2], e[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(o, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(e, O_CLOEXEC) < 0) {
		close(o[0]);
		close(o[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		if (envp)
			execvpe(argv[0], argv, envp);
		else
			execvp(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	__sbx_drain(o[0], e[0], r);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static inline int sbx_run_capture(char *const argv[], struct sbx_cmd_result *r)
{
	return sbx_run_capture_env(argv, NULL, r);
}

/* sh -c CMD, CMD formatted as printf does; -E2BIG when it does not fit (never cut). */
static inline int __attribute__((format(printf, 2, 3)))
sbx_sh(struct sbx_cmd_result *r, const char *fmt, ...)
{
	char cmd[8192];
	char *argv[] = { "sh", "-c", cmd, NULL };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -E2BIG;
	return sbx_run_capture(argv, r);
}

/* In CI (CI=true) every tool the suites use is installed (make deps). */
static inline bool sbx_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && !strcmp(ci, "true");
}

/*
 * The commands of list (separated by spaces) that are not on PATH, written into buf
 * separated by spaces: "" when every one is there.
 */
static inline const char *sbx_missing_commands(const char *list, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char name[256], file[PATH_MAX];
	size_t used = 0;

	buf[0] = '\0';
	for (const char *c = list; *c;) {
		size_t n = strcspn(c, " ");
		bool found = false;

		snprintf(name, sizeof(name), "%.*s", (int)n, c);
		for (const char *d = path ? path : "/usr/bin:/bin"; n && !found && *d;) {
			size_t dn = strcspn(d, ":");

			snprintf(file, sizeof(file), "%.*s/%s", (int)dn, d, name);
			found = !access(file, X_OK);
			d += dn + (d[dn] == ':');
		}
		if (n && !found && used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
		c += n + (c[n] == ' ');
	}
	return buf;
}

/*
 * SBX_NEED_COMMANDS("man bash"): a test that needs tools SKIPs, naming them, where they
 * are missing; in CI, where make deps installs them, a missing one is a failure, as a
 * SKIP there would hide the test (tests/vm/run.sh does the same with the VM matrix).
 */
#define SBX_NEED_COMMANDS(list)                                                       \
	do {                                                                          \
		char __missing[256];                                                  \
		if (sbx_missing_commands(list, __missing, sizeof(__missing))[0]) {    \
			ASSERT_FALSE(sbx_in_ci())                                     \
			TH_LOG("CI=true, yet not installed: %s", __missing);          \
			SKIP(return, "not installed (make deps): %.200s", __missing); \
		}                                                                     \
	} while (0)

/*
 * argv as the leader of a new session on master's pty, its 0-2 the slave, which becomes its
 * controlling terminal: a shell's foreground job. The pid, or -1.
 */
static inline pid_t sbx_pty_spawn(int master, char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int slave;

		setsid();
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0)
			_exit(120);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		close(master);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/*
 * Read the pty master into buf (appending, NUL-terminated) until want appears, the slave
 * side closes or 10 s pass without output (a hang guard, not an assertion on time).
 */
static inline bool sbx_pty_read_until(int master, char *buf, size_t len, const char *want)
{
	size_t have = strlen(buf);

	while (!strstr(buf, want) && have < len - 1) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return false;
		n = read(master, buf + have, len - 1 - have);
		if (n <= 0)
			return false;
		have += (size_t)n;
		buf[have] = '\0';
	}
	return strstr(buf, want) != NULL;
}

/* The sbx binary under test: $SBX_BIN, else build/sbx relative to the source tree. */
static inline const char *sbx_bin(void)
{
	const char *b = getenv("SBX_BIN");

	return b && *b ? b : "build/sbx";
}

/* The source tree (fixtures, profiles): $SBX_SRC, else the current directory. */
static inline const char *sbx_src(void)
{
	const char *s = getenv("SBX_SRC");

	return s && *s ? s : ".";
}

/*
 * A helper program the suites build from tests/SUITE/bin/NAME.c: it sits in bin/ next to
 * the running test program (build/tests/SUITE/). Returns a static buffer.
 */
static inline const char *sbx_test_helper(const char *name)
{
	static char path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", path, PATH_MAX);
	char *slash;

	if (n <= 0)
		return name;
	path[n] = '\0';
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, 64, "bin/%s", name);
	return path;
}

/*
 * sbx run --allow-root --profile PROFILE ARGS... with envp (NULL: inherit): ARGS are more
 * options, then "--" and the program. --allow-root: make check runs the suites as root too
 * (root inside a sandbox must be confined as well).
 */
static inline int sbx_run_profile(const char *profile, char *const args[], char *const envp[],
				  struct sbx_cmd_result *r)
{
	char *argv[64] = { (char *)sbx_bin(), "run", "--allow-root", "--profile", (char *)profile };
	int n = 5;

	for (int i = 0; args[i]; i++) {
		if (n == 63)
			return -E2BIG;
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return sbx_run_capture_env(argv, envp, r);
}

/* A fresh private directory under $TMPDIR (or /tmp), written into buf. */
static inline char *sbx_mkdtemp(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/sbx-test.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(buf);
}

/* rm -rf for a test's own temporary tree. */
static inline void sbx_rmtree(const char *path)
{
	char *argv[] = { "rm", "-rf", "--", (char *)path, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	if (r) {
		sbx_run_capture(argv, r);
		free(r);
	}
}

/*
 * XFAIL(statement, fmt, ...): a known gap, declared where the test is, as SKIP is. sbx's
 * harness has it; the kernel's marks expected failures only per variant (XFAIL_ADD) but
 * counts a test that exits KSFT_XFAIL as one, which is what this does there.
 */
#ifndef XFAIL
#define XFAIL(statement, fmt, ...)                                                            \
	do {                                                                                  \
		snprintf(_metadata->results->reason, sizeof(_metadata->results->reason), fmt, \
			 ##__VA_ARGS__);                                                      \
		_metadata->exit_code = KSFT_XFAIL;                                            \
		_metadata->trigger = 0;                                                       \
		statement;                                                                    \
	} while (0)
#endif

#endif /* SBX_TEST_H */
