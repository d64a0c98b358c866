/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sbxd suites' fixture (sbxd_exec.c, sbxd_daemon.c, sbxd_race.c): the real sbxd in
 * tier F (fanotify exec-permission events alone), each test in a private mount namespace
 * (unshare) on a private tmpfs, under timeout(1): a stalled permission listener on a
 * shared file system would freeze the machine, so sbxd never watches anything another
 * process can reach. The PKI is the suites' test PKI (tests/lib/sbx_pki.h). The programs
 * run are copies of the sbxd_exit_code helper (a busybox /bin/true in the VM guests is an
 * applet, not a program of its own).
 */
#ifndef SBXD_FIXTURE_H
#define SBXD_FIXTURE_H
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "sbx_pki.h"
#include "sbxd_test.h"

#define PATH_LEN 512

/* snprintf through a va_list: paths here are short, and a long one is only cut. */
static inline void __attribute__((format(printf, 3, 4)))
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

SBX_TEST_PKI(geteuid() == 0); /* the tests need root */

/* What every process `sbx run` starts has: no_new_privs and a seccomp filter. */
static inline int become_sandboxed(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Exec path (from a sandboxed process when asked): its exit status, or -errno when the
 * exec itself was refused. */
static inline int exec_as(const char *path, bool sandboxed)
{
	int p[2], e = 0, st = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1000;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };

		if (sandboxed && become_sandboxed())
			_exit(125);
		execv(path, argv);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], &e, sizeof(e));
	close(p[0]);
	waitpid(pid, &st, 0);
	if (n == sizeof(e))
		return -e;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline int exec_status(const char *path)
{
	return exec_as(path, false);
}

FIXTURE(sbxd)
{
	char dir[PATH_LEN], w[PATH_LEN], run[PATH_LEN], trust[PATH_LEN];
	char notify[PATH_LEN];
	pid_t timeout_pid; /* timeout(1), sbxd's parent */
	struct sbx_cmd_result *r;
	bool mounted;
};

FIXTURE_SETUP(sbxd)
{
	self->timeout_pid = 0;
	self->mounted = false;
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (geteuid())
		SKIP(return, "needs root: fanotify permission events (tier F)");
	SBX_NEED_PKI();
	/* The mark's file system exists only in this namespace. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	fmt(self->w, sizeof(self->w), "%s/w", self->dir);
	fmt(self->run, sizeof(self->run), "%s/run", self->dir);
	fmt(self->trust, sizeof(self->trust), "%s/trust", self->dir);
	fmt(self->notify, sizeof(self->notify), "%s/notify", self->dir);
	ASSERT_EQ(0, mkdir(self->w, 0755));
	ASSERT_EQ(0, mount("sbxd-test", self->w, "tmpfs", 0, "mode=0755"));
	self->mounted = true;
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' trust --trust '%s' add '%s/root.pem' && cp '%s' '%s/signed' "
			    "&& cp '%s' '%s/unsigned'",
			    sbx_bin(), self->trust, sbx_pki, sbx_test_helper("sbxd_exit_code"),
			    self->w, sbx_test_helper("sbxd_exit_code"), self->w));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

FIXTURE_TEARDOWN(sbxd)
{
	if (self->timeout_pid > 0) {
		kill(self->timeout_pid, SIGTERM);
		waitpid(self->timeout_pid, NULL, 0);
	}
	if (self->mounted)
		umount2(self->w, MNT_DETACH);
	if (self->dir[0])
		sbx_rmtree(self->dir);
	free(self->r);
}

static inline int sign_as(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
			  const char *who, const char *chain, const char *file, const char *extra)
{
	sbx_sh(self->r,
	       "'%s' sign --key '%s/%s.key' --cert '%s/%s.pem' %s%s%s --identifier "
	       "com.example.t %s '%s'",
	       sbx_bin(), sbx_pki, who, sbx_pki, who, chain ? "--chain '" : "", chain ? chain : "",
	       chain ? "'" : "", extra ? extra : "", file);
	if (self->r->status)
		TH_LOG("sign %s: %s", file, self->r->err);
	return self->r->status;
}

static inline int sign(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
		       const char *file)
{
	char chain[PATH_LEN];

	fmt(chain, sizeof(chain), "%s/chain.pem", sbx_pki);
	return sign_as(_metadata, self, "leaf", chain, file, NULL);
}

/* Start sbxd watching self->w and wait for its READY=1. */
static inline void start_sbxd(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
			      const char *mode, const char *extra)
{
	char cmd[4096], out[PATH_LEN + 16];
	int err;

	fmt(out, sizeof(out), "%s.out", self->run);
	fmt(cmd, sizeof(cmd),
	    "exec timeout -s KILL 120 '%s' --config /dev/null --tier F --path '%s' --scope all "
	    "--mode %s --trust-dir '%s' --run-dir '%s' --memfd-noexec no %s",
	    sbxd_bin(), self->w, mode, self->trust, self->run, extra ? extra : "");
	err = sbxd_test_start(cmd, self->notify, out, 60, &self->timeout_pid);
	if (err) {
		sbx_sh(self->r, "cat '%s'", out);
		ASSERT_EQ(0, err) TH_LOG("sbxd did not start: %s", self->r->out);
	}
}

/* The events file has a line naming file with this decision and reason. */
static inline bool has_event(FIXTURE_DATA(sbxd) * self, const char *file, const char *decision,
			     const char *reason)
{
	char path[PATH_LEN + 16], line[4096], want[3][PATH_LEN + 32];
	FILE *f;
	bool found = false;

	fmt(path, sizeof(path), "%s/events.jsonl", self->run);
	fmt(want[0], sizeof(want[0]), "\"file\":\"%s\"", file);
	fmt(want[1], sizeof(want[1]), "\"decision\":\"%s\"", decision);
	fmt(want[2], sizeof(want[2]), "\"reason\":\"%s\"", reason);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want[0]) && strstr(line, want[1]) && strstr(line, want[2]);
	if (f)
		fclose(f);
	return found;
}

static inline void wpath(FIXTURE_DATA(sbxd) * self, char *buf, const char *name)
{
	fmt(buf, PATH_LEN, "%s/%s", self->w, name);
}

/* W/platform/true (a copy of the helper) listed in a signed platform trust cache in the
 * trust store; its path in p. */
static inline void platform_cache(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
				  char *p)
{
	char dir[PATH_LEN], cache[PATH_LEN + 32];

	wpath(self, dir, "platform");
	fmt(p, PATH_LEN, "%s/true", dir);
	fmt(cache, sizeof(cache), "%s/platform.sbxtc", self->trust);
	ASSERT_EQ(
		0,
		sbx_sh(self->r,
		       "mkdir '%s' && cp '%s' '%s' && '%s' trust cache build --key "
		       "'%s/leaf.key' --cert '%s/leaf.pem' --chain '%s/chain.pem' -o '%s' '%s' && "
		       "'%s' trust --trust '%s' --platform add '%s/root.pem' >/dev/null",
		       dir, sbx_test_helper("sbxd_exit_code"), p, sbx_bin(), sbx_pki, sbx_pki,
		       sbx_pki, cache, dir, sbx_bin(), self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/* W/signed signed, sbxd started in enforce mode, and one exec that verified and cached it. */
static inline void signed_and_cached(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
				     char *s)
{
	wpath(self, s, "signed");
	ASSERT_EQ(0, sign(_metadata, self, s));
	start_sbxd(_metadata, self, "enforce", NULL);
	ASSERT_EQ(0, exec_status(s));
}

#endif /* SBXD_FIXTURE_H */
