/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the suites that run the real sbxd in tier K (sbxd_tierk.c, sbxd_protect.c,
 * sbxd_cache.c, sbxd_escape.c, sbxd_lockdown.c):
 * the fixture, in a VM kernel with BPF LSM. Scope `sandboxed`, so only what a trusted
 * launcher starts is enforced and the guest itself keeps running: the launcher is a tiny
 * static ELF (enforcer_test.h) signed like the programs, named to sbxd with --launcher.
 * Files live on a private tmpfs in a private mount namespace, and sbxd runs under
 * timeout(1). An sbxd that armed self-protection is stopped the documented way,
 * `sbxd --unload`: nothing else can stop it.
 */
#ifndef SBX_VM_SBXD_K_H
#define SBX_VM_SBXD_K_H

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "enforcer_test.h"
#include "sbx_pki.h"
#include "sbxd_test.h"

#define LEN 256

/* snprintf through a va_list: paths here are short, and a long one is only cut. */
static void __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

SBX_TEST_PKI(geteuid() == 0); /* the tests need root */

/*
 * Whether tier K works here (sbx_enforcer_supported: a probe program loaded, attached and
 * seen running, ~0.3 s of CPU in TCG) is asked once, in the harness's process before the
 * tests fork: each setup reads the answer it cached, not one probe per test.
 */
static void __attribute__((constructor)) sbxd_k_probe_once(void)
{
	if (geteuid() == 0)
		sbx_enforcer_supported(NULL);
}

/* The test PKI's leaf, as `sbx sign` and `sbx trust cache build` take a signer. */
static const char *leaf(void)
{
	static char args[3 * sizeof(sbx_pki) + 64];

	fmt(args, sizeof(args), "--key '%s/leaf.key' --cert '%s/leaf.pem' --chain '%s/chain.pem'",
	    sbx_pki, sbx_pki, sbx_pki);
	return args;
}

FIXTURE(sbxd_k)
{
	char dir[LEN], w[LEN + 8], run[LEN + 8], trust[LEN + 8], notify[LEN + 8];
	char launcher[LEN + 16], signed_prog[LEN + 16], unsigned_prog[LEN + 16];
	char sbxd[LEN + 16], conf[LEN + 16]; /* a signed copy of sbxd (sign_sbxd), its config */
	bool armed; /* started the signed copy, which arms self-protection */
	char cgroup[LEN + 16]; /* a v2 cgroup sbxd starts in, alone (empty: this test's) */
	pid_t timeout_pid;
	struct sbx_cmd_result *r;
	bool mounted;
};

FIXTURE_SETUP(sbxd_k)
{
	struct sbx_diag d = { 0 };
	struct tiny_elf launch, exit0;

	self->timeout_pid = 0;
	self->mounted = false;
	self->armed = false;
	self->cgroup[0] = '\0';
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (geteuid())
		SKIP(return, "needs root: BPF LSM and fanotify");
	if (!sbx_enforcer_supported(&d))
		SKIP(return, "tier K unavailable here: %.160s", d.msg);
	SBX_NEED_PKI();
	/* A test killed by its timeout skips its teardown: its pins must not outlive it. */
	sbx_enforcer_unload(NULL, NULL);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	fmt(self->w, sizeof(self->w), "%s/w", self->dir);
	fmt(self->run, sizeof(self->run), "%s/run", self->dir);
	fmt(self->trust, sizeof(self->trust), "%s/trust", self->dir);
	fmt(self->notify, sizeof(self->notify), "%s/notify", self->dir);
	fmt(self->launcher, sizeof(self->launcher), "%s/launcher", self->w);
	fmt(self->signed_prog, sizeof(self->signed_prog), "%s/signed", self->w);
	fmt(self->unsigned_prog, sizeof(self->unsigned_prog), "%s/unsigned", self->w);
	fmt(self->sbxd, sizeof(self->sbxd), "%s/sbxd", self->w);
	fmt(self->conf, sizeof(self->conf), "%s/sbxd.conf", self->dir);
	ASSERT_EQ(0, mkdir(self->w, 0755));
	ASSERT_EQ(0, mount("sbxd-tierk", self->w, "tmpfs", 0, "mode=0755"));
	self->mounted = true;
	tiny_elf_launcher(&launch);
	tiny_elf_exit(&exit0, 0);
	ASSERT_EQ(0, write_file(self->launcher, launch.bytes, launch.len, 0755));
	ASSERT_EQ(0, write_file(self->signed_prog, exit0.bytes, exit0.len, 0755));
	ASSERT_EQ(0, write_file(self->unsigned_prog, exit0.bytes, exit0.len, 0755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' trust --trust '%s' add '%s/root.pem' >/dev/null && "
			    "'%s' sign %s --identifier com.example.t '%s' '%s' >/dev/null",
			    sbx_bin(), self->trust, sbx_pki, sbx_bin(), leaf(), self->launcher,
			    self->signed_prog));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

static void stop_sbxd(FIXTURE_DATA(sbxd_k) * self, int sig)
{
	if (self->timeout_pid <= 0)
		return;
	kill(self->timeout_pid, sig);
	waitpid(self->timeout_pid, NULL, 0);
	self->timeout_pid = 0;
}

FIXTURE_TEARDOWN(sbxd_k)
{
	/* The documented way off; if even that failed, sbxd is left behind, not waited for. */
	if (self->armed && sbx_sh(self->r, "'%s' --unload --run-dir '%s'", self->sbxd, self->run))
		TH_LOG("sbxd --unload: %s%s", self->r->out, self->r->err);
	stop_sbxd(self, self->armed ? SIGKILL : SIGTERM);
	/* The pins outlive sbxd: this test's enforcement ends here. */
	sbx_enforcer_unload(NULL, NULL);
	if (self->mounted)
		umount2(self->w, MNT_DETACH);
	if (self->cgroup[0]) { /* cg_setup's tree, if the test ended before its cleanup */
		fmt(self->cgroup, sizeof(self->cgroup), "%s/cg", self->dir);
		umount2(self->cgroup, MNT_DETACH);
	}
	if (self->dir[0])
		sbx_rmtree(self->dir);
	free(self->r);
}

/* sbxd's executable, copied where sbxd verifies and signed like the programs. */
static inline void sign_sbxd(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self)
{
	ASSERT_EQ(
		0,
		sbx_sh(self->r,
		       "cp '%s' '%s' && '%s' sign %s --identifier com.example.sbxd '%s' >/dev/null",
		       sbxd_bin(), self->sbxd, sbx_bin(), leaf(), self->sbxd));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/*
 * Start sbxd in tier K, enforce, and wait for its READY=1: the executable exe (NULL: the
 * build's, which is unsigned, so it never arms self-protection), in scope all over every
 * file system or in scope sandboxed through the launcher on W, with extra flags.
 */
static inline void start_sbxd_with(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				   const char *exe, bool all, const char *extra)
{
	char cmd[4096], out[LEN + 16], scope[3 * LEN] = "all", cg[LEN + 64] = "";
	int err;

	if (!all)
		fmt(scope, sizeof(scope), "sandboxed --path '%s' --launcher '%s'", self->w,
		    self->launcher);
	fmt(out, sizeof(out), "%s.out", self->run);
	if (self->cgroup[0]) /* the shell moves itself, so timeout(1) and sbxd start there */
		fmt(cg, sizeof(cg), "echo $$ > '%s/cgroup.procs' && ", self->cgroup);
	fmt(cmd, sizeof(cmd),
	    "%sexec timeout -s KILL 240 '%s' --tier K --mode enforce --scope %s --trust-dir '%s' "
	    "--run-dir '%s' %s",
	    cg, exe ? exe : sbxd_bin(), scope, self->trust, self->run, extra);
	err = sbxd_test_start(cmd, self->notify, out, 120, &self->timeout_pid);
	if (err) {
		sbx_sh(self->r, "cat '%s'", out);
		ASSERT_EQ(0, err) TH_LOG("sbxd did not start: %s", self->r->out);
	}
}

/* Start the signed copy of sbxd with a configuration file of its own, and extra flags. */
static inline void start_signed(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				const char *extra)
{
	char flags[LEN * 2];

	sign_sbxd(_metadata, self);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	fmt(flags, sizeof(flags), "--config '%s' %s", self->conf, extra);
	start_sbxd_with(_metadata, self, self->sbxd, false, flags);
}

/*
 * The trust store and sbxd.conf on a disk: ext2 made on dev, mounted on DIR/disk (mnt),
 * the fixture's store copied there, self->trust and self->conf pointed at it; pem is its
 * first certificate.
 */
static inline void trust_store_on_disk(struct __test_metadata *_metadata,
				       FIXTURE_DATA(sbxd_k) * self, const char *dev, char *mnt,
				       size_t mnt_len, char *pem, size_t pem_len)
{
	fmt(mnt, mnt_len, "%s/disk", self->dir);
	EXPECT_EQ(0, sbx_sh(self->r, "busybox mke2fs -F -q '%s' >/dev/null 2>&1", dev));
	EXPECT_EQ(0, self->r->status);
	EXPECT_EQ(0, mkdir(mnt, 0755));
	EXPECT_EQ(0, mount(dev, mnt, "ext2", MS_NOSUID | MS_NODEV, NULL))
	TH_LOG("mount %s: %s", dev, strerror(errno));
	EXPECT_EQ(0, sbx_sh(self->r, "mkdir '%s/trust' && cp -a '%s'/. '%s/trust/' && sync", mnt,
			    self->trust, mnt));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	fmt(self->trust, sizeof(self->trust), "%s/trust", mnt);
	fmt(self->conf, sizeof(self->conf), "%s/sbxd.conf", mnt);
	EXPECT_EQ(0, sbx_sh(self->r, "ls '%s'/*.pem | head -n 1", self->trust));
	self->r->out[strcspn(self->r->out, "\n")] = '\0';
	EXPECT_NE('\0', self->r->out[0]);
	fmt(pem, pem_len, "%s", self->r->out);
}

/*
 * The signed copy of sbxd in enforce mode (sign_sbxd, self->conf), which must refuse to
 * arm: its refusal line in line ("" when none came). An armed sbxd ignores timeout(1)'s
 * kill, so waiting for its exit would not be bounded: READY=1 is the failure, and the
 * teardown unloads what armed (self->armed stays set for the starts that follow). false
 * when it armed.
 */
static inline bool refused_to_arm(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				  char *line, size_t len)
{
	const char want[] = "sbxd: self-protection cannot be armed";
	char cmd[4096], out[LEN + 16];
	bool found = false;
	FILE *f;
	int err;

	fmt(out, sizeof(out), "%s.out", self->run);
	fmt(cmd, sizeof(cmd),
	    "exec '%s' --config '%s' --tier K --mode enforce --scope sandboxed --path '%s' "
	    "--launcher '%s' --trust-dir '%s' --run-dir '%s'",
	    self->sbxd, self->conf, self->w, self->launcher, self->trust, self->run);
	self->armed = true; /* the signed copy: what it armed, the teardown unloads */
	err = sbxd_test_start(cmd, self->notify, out, 120, &self->timeout_pid);
	EXPECT_EQ(-1, err) TH_LOG("sbxd started (%d)", err);
	f = fopen(out, "re");
	while (f && !found && fgets(line, len, f))
		found = !strncmp(line, want, strlen(want));
	if (f)
		fclose(f);
	if (!found)
		line[0] = '\0';
	printf("# sbxd: %s", found ? line : "(no refusal)\n");
	EXPECT_TRUE(found);
	return err == -1;
}

/* sbxd's output (RUN.out) has a line with what (bounded: sbxd_test_logged). */
static inline bool logged(FIXTURE_DATA(sbxd_k) * self, const char *what)
{
	char out[LEN + 16];

	fmt(out, sizeof(out), "%s.out", self->run);
	return sbxd_test_logged(out, what);
}

/*
 * sbxd in enforce mode, scope sandboxed through the fixture's launcher, with extra flags,
 * expected not to start: exit 1 and one line on stderr beginning "sbxd: refusing enforce
 * mode: the trust store TRUST cannot be read wholly" (in self->r->err). Bounded: an sbxd
 * that starts anyway is killed by timeout(1) (137).
 */
static inline void refused_start(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
				 const char *extra)
{
	char want[3 * LEN];

	ASSERT_EQ(0, sbx_sh(self->r,
			    "timeout -s KILL 90 '%s' --config /dev/null --tier K --mode enforce "
			    "--scope sandboxed --path '%s' --launcher '%s' --trust-dir '%s' "
			    "--run-dir '%s' %s",
			    sbxd_bin(), self->w, self->launcher, self->trust, self->run, extra));
	EXPECT_EQ(1, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	fmt(want, sizeof(want),
	    "sbxd: refusing enforce mode: the trust store %s cannot be read wholly", self->trust);
	EXPECT_EQ(0, strncmp(self->r->err, want, strlen(want))) TH_LOG("%s", self->r->err);
	EXPECT_EQ(self->r->err + strlen(self->r->err) - 1, strchr(self->r->err, '\n'))
	TH_LOG("not one line: %s", self->r->err);
}

/* The build's sbxd in scope sandboxed, configured by its flags alone. */
static inline void start_sbxd(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self)
{
	start_sbxd_with(_metadata, self, NULL, false, "--config /dev/null");
}

/* 0 when path opened for writing (O_APPEND: it writes nothing), else the errno. */
static inline int open_for_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* The launcher execs prog: prog's exit status, or the errno of the refused exec. */
static inline int launched(FIXTURE_DATA(sbxd_k) * self, const char *prog)
{
	char *argv[] = { self->launcher, (char *)prog, NULL };

	return run_prog(argv, NULL);
}

/* Write s to the file name of the cgroup directory cg: 0, or the errno. */
static inline int cg_write(const char *cg, const char *name, const char *s)
{
	char path[LEN + 64];
	int fd, err = 0;

	fmt(path, sizeof(path), "%s/%s", cg, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		err = errno;
	close(fd);
	return err;
}

static inline int cg_write_pid(const char *cg, const char *name, pid_t pid)
{
	char s[16];

	fmt(s, sizeof(s), "%d", (int)pid);
	return cg_write(cg, name, s);
}

/*
 * Cgroups for a test of sbxd's (atk7k E2): the v2 tree mounted at DIR/cg, with the pids
 * controller for its children; SVC, where the fixture starts sbxd alone (self->cgroup),
 * and OTHER, where a process of the test's waits (SLEEPER), for what must work while
 * armed. Each test's cgroups have names of their own: sbxd holds SVC until the teardown.
 */
struct sbxd_cgroups {
	char root[LEN + 8], svc[LEN + 32], other[LEN + 32];
	pid_t sleeper;
};

static inline void cg_setup(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			    struct sbxd_cgroups *cg)
{
	fmt(cg->root, sizeof(cg->root), "%s/cg", self->dir);
	ASSERT_EQ(0, mkdir(cg->root, 0700));
	ASSERT_EQ(0, mount("cgroup2", cg->root, "cgroup2", 0, NULL));
	ASSERT_EQ(0, cg_write(cg->root, "cgroup.subtree_control", "+pids"));
	fmt(cg->svc, sizeof(cg->svc), "%s/sbxd-%d", cg->root, (int)getpid());
	fmt(cg->other, sizeof(cg->other), "%s/other-%d", cg->root, (int)getpid());
	ASSERT_EQ(0, mkdir(cg->svc, 0755));
	ASSERT_EQ(0, mkdir(cg->other, 0755));
	cg->sleeper = fork();
	ASSERT_LE(0, cg->sleeper);
	if (cg->sleeper == 0) {
		for (;;)
			pause();
	}
	ASSERT_EQ(0, cg_write_pid(cg->other, "cgroup.procs", cg->sleeper));
	fmt(self->cgroup, sizeof(self->cgroup), "%s", cg->svc);
}

static inline void cg_cleanup(struct sbxd_cgroups *cg)
{
	if (cg->sleeper > 0) {
		kill(cg->sleeper, SIGKILL);
		waitpid(cg->sleeper, NULL, 0);
	}
	umount2(cg->root, MNT_DETACH);
}

/*
 * A second team's program, W/team2 (signed with rsa.pem), and the paths a revocation test
 * uses: a directory outside the trust directory (DIR/rev), its revoked.list, and the trust
 * directory's own revoked.list.
 */
struct team2 {
	char prog[LEN + 16], rev_dir[LEN + 8], list[LEN + 24], link[LEN + 24];
};

static inline void team2_make(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			      struct team2 *t)
{
	struct tiny_elf exit0;

	fmt(t->rev_dir, sizeof(t->rev_dir), "%s/rev", self->dir);
	fmt(t->list, sizeof(t->list), "%s/revoked.list", t->rev_dir);
	fmt(t->link, sizeof(t->link), "%s/revoked.list", self->trust);
	fmt(t->prog, sizeof(t->prog), "%s/team2", self->w);
	tiny_elf_exit(&exit0, 0);
	ASSERT_EQ(0, write_file(t->prog, exit0.bytes, exit0.len, 0755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' sign --key '%s/rsa.key' --cert '%s/rsa.pem' --chain "
			    "'%s/chain.pem' --identifier com.example.t2 '%s' >/dev/null",
			    sbx_bin(), sbx_pki, sbx_pki, sbx_pki, t->prog));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

#endif /* SBX_VM_SBXD_K_H */
