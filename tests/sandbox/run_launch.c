// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launcher library (launch/launch.h) with hand-built plans, exec'ing the run_probe
 * helper: process attributes as the program sees them in /proc/self/status, the scrubbed
 * environment, MDWE, the denial supervisor, exit statuses, and all-or-nothing (a step
 * that fails means the program never ran: its marker file never appears).
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "compile/compile.h"
#include "landlock/landlock.h"
#include "launch/launch.h"
#include "uapi_compat.h"

/* The helper beside the tests: $SBX_BUILD, else the directory holding the sbx binary. */
static const char *probe_path(void)
{
	return sbx_test_helper("run_probe");
}

struct seen {
	int n;
	struct sbx_seccomp_denial last;
};

static void collect(const struct sbx_seccomp_denial *d, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *d;
}

/*
 * Launch run_probe ACT ARG under plan with envp; the program's stdout goes to out.
 * Returns what sbx_launch_exec returned; *status the program's status.
 */
static int launch(const struct sbx_plan *plan, char *const envp[], const char *act, const char *arg,
		  char *out, size_t len, int *status, struct sbx_launch *l, struct sbx_diag *d,
		  struct seen *seen, const char *program, int program_fd,
		  const struct stat *program_stat)
{
	char *argv[] = { "run_probe", (char *)act, (char *)arg, NULL };
	struct sbx_features f;
	struct sbx_launch_opts o = { .plan = plan,
				     .program = program ? program : probe_path(),
				     .program_fd = program_fd,
				     .program_stat = program_stat,
				     .argv = argv,
				     .envp = envp,
				     .features = &f,
				     .on_denial = collect,
				     .arg = seen };
	char tmpl[] = "/tmp/sbx-launch-out.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(1), err;
	ssize_t n;

	sbx_features_probe_sandbox(&f);
	unlink(tmpl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* the caller's part when the filter notifies */
	err = sbx_launch_prepare(l, &o, d);
	if (!err) {
		fflush(stdout);
		dup2(fd, 1);
		err = sbx_launch_exec(l, status, d);
		dup2(saved, 1);
	}
	close(saved);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	sbx_launch_cleanup(l);
	return err;
}

FIXTURE(launch)
{
	char root[PATH_MAX], container[PATH_MAX + 32], tmp[PATH_MAX + 48];
	char out[4096];
	const char *program; /* NULL: run_probe */
	int program_fd; /* 0: the launcher opens program */
	const struct stat *program_stat;
	struct sbx_plan plan;
	struct sbx_launch l;
	struct sbx_diag d;
	struct seen seen;
	int status;
};

FIXTURE_SETUP(launch)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->root, sizeof(self->root)));
	/* The layout sbx_compile() gives, from a base the launcher checks is this user's. */
	snprintf(self->container, sizeof(self->container), "%s/sbx/containers/org.sbx.test",
		 self->root);
	snprintf(self->tmp, sizeof(self->tmp), "%s/tmp", self->container);
	memset(&self->plan, 0, sizeof(self->plan));
	self->plan.identifier = "org.sbx.test";
	self->plan.process.no_new_privs = true;
	self->plan.process.drop_capabilities = true;
	self->plan.process.container_base = self->root;
	self->plan.process.container_dir = self->container;
	self->plan.process.tmp_dir = self->tmp;
	memset(&self->seen, 0, sizeof(self->seen));
	memset(&self->d, 0, sizeof(self->d));
}

FIXTURE_TEARDOWN(launch)
{
	sbx_rmtree(self->root);
}

#define LAUNCH(envp, act, arg)                                                                     \
	launch(&self->plan, envp, act, arg, self->out, sizeof(self->out), &self->status, &self->l, \
	       &self->d, &self->seen, self->program, self->program_fd, self->program_stat)

TEST_F(launch, capabilities_dropped_and_no_new_privs)
{
	ASSERT_EQ(0, LAUNCH(NULL, "status", NULL)) TH_LOG("%s", self->d.msg);
	ASSERT_EQ(0, self->status);
	EXPECT_NE(NULL, strstr(self->out, "CapInh:\t0000000000000000"));
	EXPECT_NE(NULL, strstr(self->out, "CapPrm:\t0000000000000000"));
	EXPECT_NE(NULL, strstr(self->out, "CapEff:\t0000000000000000"));
	EXPECT_NE(NULL, strstr(self->out, "CapAmb:\t0000000000000000"));
	EXPECT_NE(NULL, strstr(self->out, "NoNewPrivs:\t1"));
	if (geteuid() == 0) /* only root can empty the bounding set; a user has nothing in it */
		EXPECT_NE(NULL, strstr(self->out, "CapBnd:\t0000000000000000"));
}

TEST_F(launch, control_without_the_steps_keeps_privileges)
{
	self->plan.process.no_new_privs = false;
	self->plan.process.drop_capabilities = false;
	ASSERT_EQ(0, LAUNCH(NULL, "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "NoNewPrivs:\t0"));
	if (geteuid() == 0)
		EXPECT_EQ(NULL, strstr(self->out, "CapEff:\t0000000000000000"));
}

TEST_F(launch, loader_environment_scrubbed_tmpdir_private)
{
	char *envp[] = { "LD_BIND_NOW=1", "SBX_KEEP=kept", "TMPDIR=/tmp", NULL };
	char *keep[] = { "SBX_KEEP", "PATH" };
	char want[PATH_MAX + 64];
	struct stat st;

	self->plan.process.env_filtered = true; /* an allow-list: only what it names passes */
	self->plan.process.env_keep = keep;
	self->plan.process.n_env_keep = 2;
	ASSERT_EQ(0, LAUNCH(envp, "env", "LD_BIND_NOW"));
	EXPECT_STREQ("LD_BIND_NOW=(unset)\n", self->out);
	ASSERT_EQ(0, LAUNCH(envp, "env", "SBX_KEEP"));
	EXPECT_STREQ("SBX_KEEP=kept\n", self->out);
	ASSERT_EQ(0, LAUNCH(envp, "env", "TMPDIR"));
	/* The run's own tmp beneath the plan's tmp_dir, gone when the run ended. */
	snprintf(want, sizeof(want), "TMPDIR=%s/run.", self->tmp);
	EXPECT_EQ(0, strncmp(want, self->out, strlen(want))) TH_LOG("%s", self->out);
	self->out[strcspn(self->out, "\n")] = '\0';
	EXPECT_NE(0, stat(self->out + 7, &st)) TH_LOG("%s outlived its run", self->out + 7);
	ASSERT_EQ(0, stat(self->container, &st));
	EXPECT_EQ(0700U, st.st_mode & 07777);
	ASSERT_EQ(0, stat(self->tmp, &st));
	EXPECT_EQ(0700U, st.st_mode & 07777);
	/* The control: a plan that filters nothing passes it through. */
	self->plan.process.env_filtered = false;
	ASSERT_EQ(0, LAUNCH(envp, "env", "LD_BIND_NOW"));
	EXPECT_STREQ("LD_BIND_NOW=1\n", self->out);
}

TEST_F(launch, exit_status_and_signal_pass_through)
{
	ASSERT_EQ(0, LAUNCH(NULL, "exit", "7"));
	EXPECT_EQ(7, self->status);
	ASSERT_EQ(0, LAUNCH(NULL, "signal", "15"));
	EXPECT_EQ(128 + 15, self->status);
}

TEST_F(launch, failing_step_means_program_never_ran)
{
	char marker[PATH_MAX + 16];
	struct sbx_rlimit_rule rl = { .resource = RLIMIT_NOFILE };
	long nr_open = 1048576;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	if (f) {
		if (fscanf(f, "%ld", &nr_open) != 1)
			nr_open = 1048576;
		fclose(f);
	}
	/* Above nr_open: refused even to root, so the rlimits step fails in the child. */
	rl.cur = rl.max = (uint64_t)nr_open + 1;
	self->plan.process.rlimits = &rl;
	self->plan.process.n_rlimits = 1;
	snprintf(marker, sizeof(marker), "%s/marker", self->root);
	ASSERT_EQ(-EPERM, LAUNCH(NULL, "write", marker));
	EXPECT_NE(NULL, strstr(self->d.msg, "rlimits: cannot set rlimit"))
	TH_LOG("%s", self->d.msg);
	EXPECT_NE(0, access(marker, F_OK));
	/* The control: the same launch with a possible limit writes the marker. */
	rl.cur = rl.max = 64;
	ASSERT_EQ(0, LAUNCH(NULL, "write", marker));
	EXPECT_EQ(0, access(marker, F_OK));
}

TEST_F(launch, bad_landlock_rule_fails_before_fork)
{
	char marker[PATH_MAX + 16];
	struct sbx_fs_rule rule = { .path = "/nonexistent/sbx", .access = 1, .min_abi = 1 };

	if (landlock_abi_version() < 1)
		SKIP(return, "Landlock is unavailable on this kernel");
	self->plan.landlock = (struct sbx_landlock_plan){
		.enabled = true, .handled_fs = landlock_fs_mask(1), .fs = &rule, .n_fs = 1
	};
	snprintf(marker, sizeof(marker), "%s/marker", self->root);
	ASSERT_EQ(-ENOENT, LAUNCH(NULL, "write", marker));
	EXPECT_STREQ("landlock", self->l.failed_step);
	EXPECT_EQ(-1, self->l.pid);
	EXPECT_NE(0, access(marker, F_OK));
}

TEST_F(launch, program_without_execute_grant_cannot_start)
{
	struct sbx_fs_rule rule = {
		.path = "/", .access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR
	};

	if (landlock_abi_version() < 1)
		SKIP(return, "Landlock is unavailable on this kernel");
	self->plan.landlock = (struct sbx_landlock_plan){
		.enabled = true, .handled_fs = landlock_fs_mask(1), .fs = &rule, .n_fs = 1
	};
	ASSERT_EQ(-EACCES, LAUNCH(NULL, "exit", "0"));
	EXPECT_STREQ("execve", self->l.failed_step);
	EXPECT_EQ(EACCES, self->l.failed_errno);
	rule.access |= LANDLOCK_ACCESS_FS_EXECUTE; /* the control */
	ASSERT_EQ(0, LAUNCH(NULL, "exit", "0"));
}

TEST_F(launch, mdwe_refuses_wx_memory)
{
	struct sbx_features f;

	sbx_features_probe(&f, false);
	if (!f.mdwe)
		SKIP(return, "PR_SET_MDWE needs Linux 6.3");
	ASSERT_EQ(0, LAUNCH(NULL, "mmap-wx", NULL)); /* the control */
	EXPECT_EQ(0, self->status);
	ASSERT_EQ(0, LAUNCH(NULL, "mprotect-x", NULL));
	EXPECT_EQ(0, self->status);
	self->plan.process.mdwe = PR_MDWE_REFUSE_EXEC_GAIN;
	ASSERT_EQ(0, LAUNCH(NULL, "mmap-wx", NULL));
	EXPECT_EQ(3, self->status);
	ASSERT_EQ(0, LAUNCH(NULL, "mprotect-x", NULL));
	EXPECT_EQ(3, self->status);
	EXPECT_NE(NULL, strstr(self->out, "refused: EACCES"));
}

/*
 * On a kernel without Landlock TRUNCATE (ABI 3) or MDWE (6.3), the plan's seccomp rules
 * refuse what each would: the drop is reported as covered, not as a hole (refused unless
 * --best-effort). The kernel is told to the launcher as such a kernel; nothing is exec'd.
 */
TEST_F(launch, truncate_and_mdwe_drops_covered_by_seccomp)
{
	struct sbx_seccomp_rule rules[] = {
		{ .syscall = "truncate",
		  .errno_value = EPERM,
		  .why = "truncate by path",
		  .answer = SBX_ANSWER_ERRNO,
		  .below_abi = 3 },
		{ .syscall = "mprotect",
		  .errno_value = EACCES,
		  .n_cond = 1,
		  .cond = { { 2, SBX_CMP_MASKED_EQ, 4, 4 } },
		  .why = "making memory executable",
		  .answer = SBX_ANSWER_ERRNO },
	};
	char *argv[] = { "run_probe", "exit", "0", NULL };
	struct sbx_launch_opts o = { .plan = &self->plan, .program = probe_path(), .argv = argv };
	struct sbx_features f;
	const struct sbx_feature_state *t, *m;

	sbx_features_probe_sandbox(&f);
	if (f.landlock_abi < 3 || !f.seccomp_filter)
		SKIP(return, "needs Landlock ABI 3 and seccomp to stand in for an older kernel");
	f.landlock_abi = 2;
	f.mdwe = false;
	o.features = &f;
	self->plan.landlock.enabled = true;
	self->plan.landlock.handled_fs = SBX_FS_READ | LANDLOCK_ACCESS_FS_TRUNCATE;
	self->plan.process.mdwe = PR_MDWE_REFUSE_EXEC_GAIN;
	self->plan.seccomp =
		(struct sbx_seccomp_plan){ .enabled = true, .rules = rules, .n_rules = 2 };
	/* What compile says of them (plan.h, sbx_plan_drop). */
	self->plan.drops[0] =
		(struct sbx_plan_drop){ "landlock.truncate", SBX_DROP_COVERED, "truncate",
					"seccomp refuses truncate(2) by path" };
	self->plan.drops[1] = (struct sbx_plan_drop){ "mdwe", SBX_DROP_COVERED, "mprotect",
						      "seccomp refuses making memory executable" };
	self->plan.n_drops = 2;
	ASSERT_EQ(0, sbx_launch_prepare(&self->l, &o, &self->d)) TH_LOG("%s", self->d.msg);
	t = sbx_enforcement_find(&self->l.enforced, "landlock.truncate");
	m = sbx_enforcement_find(&self->l.enforced, "mdwe");
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, m);
	EXPECT_TRUE(t->wanted && !t->enforced && !t->security) TH_LOG("%s", t->why);
	EXPECT_NE(NULL, strstr(t->why, "covered: seccomp refuses truncate(2) by path"));
	EXPECT_TRUE(m->wanted && !m->enforced && !m->security) TH_LOG("%s", m->why);
	EXPECT_NE(NULL, strstr(m->why, "covered: seccomp refuses"));
	sbx_launch_cleanup(&self->l);
	/* The control: without the rules the covers do not count, and both are holes. */
	self->plan.seccomp.n_rules = 0;
	ASSERT_EQ(0, sbx_launch_prepare(&self->l, &o, &self->d)) TH_LOG("%s", self->d.msg);
	EXPECT_TRUE(sbx_enforcement_find(&self->l.enforced, "landlock.truncate")->security);
	EXPECT_TRUE(sbx_enforcement_find(&self->l.enforced, "mdwe")->security);
	sbx_launch_cleanup(&self->l);
}

TEST_F(launch, denied_call_reported_with_entitlement)
{
	struct sbx_seccomp_rule rule = {
		.syscall = "socket",
		.errno_value = EACCES,
		.n_cond = 1,
		.cond = { { 0, SBX_CMP_EQ, 0, 2 } },
		.entitlement = "network.client",
		.why = "IPv4 sockets",
	};

	self->plan.seccomp = (struct sbx_seccomp_plan){
		.enabled = true, .deny_foreign_arches = true, .rules = &rule, .n_rules = 1
	};
	ASSERT_EQ(0, LAUNCH(NULL, "socket-inet", NULL)) TH_LOG("%s", self->d.msg);
	EXPECT_EQ(3, self->status);
	EXPECT_NE(NULL, strstr(self->out, "refused: EACCES"));
	ASSERT_EQ(1, self->seen.n);
	EXPECT_EQ(self->l.pid, self->seen.last.pid);
	EXPECT_STREQ("run_probe", self->seen.last.comm);
	EXPECT_STREQ("socket(AF_INET)", self->seen.last.call);
	EXPECT_STREQ("network.client", self->seen.last.rule->entitlement);
	/* The control: without the rule the socket opens and nothing is reported. */
	self->plan.seccomp.n_rules = 0;
	self->seen.n = 0;
	ASSERT_EQ(0, LAUNCH(NULL, "socket-inet", NULL));
	EXPECT_EQ(0, self->status);
	EXPECT_EQ(0, self->seen.n);
}

TEST_F(launch, not_dumpable_limit_is_reported)
{
	ASSERT_EQ(0, LAUNCH(NULL, "status", NULL));
	ASSERT_EQ(1, (int)self->l.enforced.n_notes >= 1);
	EXPECT_NE(NULL, strstr(self->l.enforced.notes[0], "not-dumpable holds only until execve"));
	/* What the note says, as the program sees it: the kernel made it dumpable again. */
	EXPECT_NE(NULL, strstr(self->out, "Dumpable:\t1")) TH_LOG("%s", self->out);
}

/* A copy of run_probe in the fixture's directory, opened: fd, and its fstat in st. */
static int probe_copy(const char *root, char *path, size_t len, struct stat *st)
{
	char cmd[3 * PATH_MAX];
	int fd;

	snprintf(path, len, "%s/prog", root);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", probe_path(), path);
	if (system(cmd))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Issue 9, item 2: the file replaced at its path after the check is not what runs. */
TEST_F(launch, exec_follows_descriptor_not_path)
{
	char prog[PATH_MAX + 8], other[PATH_MAX + 16], cmd[3 * PATH_MAX];
	struct stat st;
	int fd = probe_copy(self->root, prog, sizeof(prog), &st);

	ASSERT_LE(0, fd);
	snprintf(other, sizeof(other), "%s/other", self->root);
	/* Another ELF: sbx itself, which exits 2 given "exit 7" (no such command). */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", sbx_bin(), other);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, rename(other, prog)); /* the swap, after the descriptor was opened */
	self->program = prog;
	self->program_fd = fd;
	self->program_stat = &st;
	ASSERT_EQ(0, LAUNCH(NULL, "exit", "7")) TH_LOG("%s", self->d.msg);
	EXPECT_EQ(7, self->status);
	EXPECT_STREQ("", self->out);
	/* The control: by path, the launcher opens (and runs) what is there now. */
	self->program_fd = 0;
	self->program_stat = NULL;
	ASSERT_EQ(0, LAUNCH(NULL, "exit", "7"));
	EXPECT_EQ(2, self->status);
	close(fd);
}

/* Written in place between the check and the exec: refused, the program never runs. */
TEST_F(launch, file_written_after_verification_refused)
{
	char prog[PATH_MAX + 8], marker[PATH_MAX + 16];
	struct stat st;
	int fd = probe_copy(self->root, prog, sizeof(prog), &st), wfd;

	ASSERT_LE(0, fd);
	snprintf(marker, sizeof(marker), "%s/marker", self->root);
	self->program = prog;
	self->program_fd = fd;
	self->program_stat = &st;
	wfd = open(prog, O_WRONLY | O_APPEND);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(1, write(wfd, "", 1));
	close(wfd);
	ASSERT_EQ(-ESTALE, LAUNCH(NULL, "write", marker));
	EXPECT_NE(NULL, strstr(self->d.msg, "was modified after it was verified"))
	TH_LOG("%s", self->d.msg);
	EXPECT_NE(0, access(marker, F_OK));
	/* The control: its fstat taken now, the same file runs. */
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(0, LAUNCH(NULL, "write", marker)) TH_LOG("%s", self->d.msg);
	EXPECT_EQ(0, access(marker, F_OK));
	close(fd);
}

/* The descriptor the program is executed through is the launcher's own. */
TEST_F(launch, exec_descriptor_cannot_be_kept)
{
	int keep[] = { SBX_EXEC_FD };
	struct sbx_launch_opts o = {
		.plan = &self->plan, .program = probe_path(), .keep_fds = keep, .n_keep_fds = 1
	};

	ASSERT_EQ(-EBUSY, sbx_launch_prepare(&self->l, &o, &self->d));
	EXPECT_NE(NULL, strstr(self->d.msg, "is the launcher's own"));
	sbx_launch_cleanup(&self->l);
}

TEST(resolve_program_like_execvp)
{
	char out[PATH_MAX];
	struct sbx_diag d = { 0 };

	ASSERT_EQ(0, sbx_launch_resolve_program("sh", "/nonexistent:/bin:/usr/bin", out,
						sizeof(out), &d));
	EXPECT_EQ('/', out[0]);
	ASSERT_EQ(-ENOENT,
		  sbx_launch_resolve_program("sbx-no-such-program", "/bin", out, sizeof(out), &d));
	ASSERT_EQ(-ENOENT,
		  sbx_launch_resolve_program("/nonexistent/prog", NULL, out, sizeof(out), &d));
	snprintf(out, sizeof(out), "%s", "/tmp/sbx-noexec.XXXXXX");
	close(mkstemp(out)); /* mode 0600: found, not executable */
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", out);
	ASSERT_EQ(-EACCES, sbx_launch_resolve_program(path, NULL, out, sizeof(out), &d));
	unlink(path);
}

TEST_HARNESS_MAIN
