// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp filter built from a plan, loaded on the running kernel: each rule refuses
 * its call with the plan's errno while a neighbouring call (the control) still works, a
 * kill rule kills, foreign entry points (x32, i386) kill, and a rule an entitlement could
 * lift is answered by the user-notification supervisor, which names that entitlement.
 */
#include <sys/personality.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "launch/fdpass.h"
#include "landlock/landlock.h"
#include "seccomp/seccomp.h"

#define WX (PROT_WRITE | PROT_EXEC)

#define RULE(call, err, why_, ...)                                            \
	{                                                                     \
		.syscall = call, .errno_value = err, .why = why_, __VA_ARGS__ \
	}
#define COND1(a, op_, mask_, value_) \
	.n_cond = 1, .cond = { { .arg = a, .op = op_, .mask = mask_, .value = value_ } }

static struct sbx_seccomp_rule test_rules[] = {
	RULE("socket", EACCES, "IPv4", COND1(0, SBX_CMP_EQ, 0, AF_INET),
	     .entitlement = "network.client"),
	RULE("socket", EACCES, "IPv6", COND1(0, SBX_CMP_EQ, 0, AF_INET6),
	     .entitlement = "network.client"),
	RULE("clone3", ENOSYS, "clone3 (libc falls back to clone)"),
	RULE("mmap", EACCES, "W+X memory", COND1(2, SBX_CMP_MASKED_EQ, WX, WX),
	     .entitlement = "cs.allow-jit"),
	RULE("ioctl", EPERM, "TIOCSTI", COND1(1, SBX_CMP_EQ, 0, TIOCSTI)),
	RULE("personality", EPERM, "READ_IMPLIES_EXEC",
	     COND1(0, SBX_CMP_MASKED_EQ, READ_IMPLIES_EXEC, READ_IMPLIES_EXEC)),
	RULE("getppid", 0, "a kill rule (test only)"),
};

static struct sbx_seccomp_plan test_plan = {
	.enabled = true,
	.deny_foreign_arches = true,
	.rules = test_rules,
	.n_rules = sizeof(test_rules) / sizeof(test_rules[0]),
};

/*
 * Run act in a child confined by the filter of plan p (unconfined when p is NULL).
 * Returns the child's exit code, or 1000 + signal if it was killed.
 */
static int in_plan(const struct sbx_seccomp_plan *p, int (*act)(void))
{
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_diag d = { 0 };
	int ws;
	pid_t pid;

	if (p && seccomp_filter_build(p, false, &f, &d))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(200);
		if (f && seccomp_filter_load(f, &d) != -1)
			_exit(201);
		_exit(act());
	}
	seccomp_filter_free(f);
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return WIFSIGNALED(ws) ? 1000 + WTERMSIG(ws) : WEXITSTATUS(ws);
}

/* The same with test_plan's filter (or none when confine is false). */
static int in_filter(bool confine, int (*act)(void))
{
	return in_plan(confine ? &test_plan : NULL, act);
}

static int act_socket_inet(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return fd < 0 ? errno : 0;
}

static int act_socket_inet6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	return fd < 0 ? errno : 0;
}

static int act_socket_unix(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	return fd < 0 ? errno : 0;
}

static int act_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 ? errno : 0;
}

static int act_mmap_wx(void)
{
	return mmap(NULL, 4096, PROT_READ | WX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED
		       ? errno
		       : 0;
}

static int act_mmap_rw(void)
{
	return mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
			       MAP_FAILED
		       ? errno
		       : 0;
}

static int act_tiocsti(void)
{
	char c = 'x';
	int fd = open("/dev/null", O_RDONLY);

	return ioctl(fd, TIOCSTI, &c) ? errno : 0;
}

static int act_fionread(void)
{
	int n, p[2];

	if (pipe(p))
		return 99;
	return ioctl(p[0], FIONREAD, &n) ? errno : 0;
}

static int act_personality_rie(void)
{
	return personality(READ_IMPLIES_EXEC) < 0 ? errno : 0;
}

static int act_personality_linux(void)
{
	return personality(PER_LINUX) < 0 ? errno : 0;
}

static int act_getppid(void)
{
	return getppid() > 0 ? 0 : 1;
}

static int act_x32_getpid(void)
{
	syscall(0x40000000 | SYS_getpid);
	return 0;
}

static int act_i386_getpid(void)
{
	long ret = 20; /* __NR_getpid in the i386 table */

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return 0;
}

TEST(inet_socket_refused_unix_allowed)
{
	ASSERT_EQ(0, in_filter(false, act_socket_inet));
	ASSERT_EQ(EACCES, in_filter(true, act_socket_inet));
	ASSERT_EQ(EACCES, in_filter(true, act_socket_inet6));
	ASSERT_EQ(0, in_filter(true, act_socket_unix));
}

TEST(clone3_answers_enosys)
{
	/* The control: clone3 with a NULL argument is EFAULT/EINVAL, never ENOSYS. */
	ASSERT_NE(ENOSYS, in_filter(false, act_clone3));
	ASSERT_EQ(ENOSYS, in_filter(true, act_clone3));
}

TEST(wx_mmap_refused_rw_allowed)
{
	ASSERT_EQ(0, in_filter(false, act_mmap_wx));
	ASSERT_EQ(EACCES, in_filter(true, act_mmap_wx));
	ASSERT_EQ(0, in_filter(true, act_mmap_rw));
}

TEST(tiocsti_refused_other_ioctls_allowed)
{
	ASSERT_EQ(ENOTTY, in_filter(false, act_tiocsti)); /* reaches the driver */
	ASSERT_EQ(EPERM, in_filter(true, act_tiocsti));
	ASSERT_EQ(0, in_filter(true, act_fionread));
}

TEST(read_implies_exec_refused_plain_linux_allowed)
{
	ASSERT_EQ(0, in_filter(false, act_personality_rie));
	ASSERT_EQ(EPERM, in_filter(true, act_personality_rie));
	ASSERT_EQ(0, in_filter(true, act_personality_linux));
}

TEST(kill_rule_kills)
{
	ASSERT_EQ(0, in_filter(false, act_getppid));
	ASSERT_EQ(1000 + SIGSYS, in_filter(true, act_getppid));
}

TEST(x32_entry_point_kills)
{
	ASSERT_EQ(0, in_filter(false, act_x32_getpid)); /* survives (ENOSYS or a pid) */
	ASSERT_EQ(1000 + SIGSYS, in_filter(true, act_x32_getpid));
}

TEST(i386_entry_point_kills)
{
	ASSERT_EQ(0, in_filter(false, act_i386_getpid));
	ASSERT_EQ(1000 + SIGSYS, in_filter(true, act_i386_getpid));
}

TEST(foreign_arches_allowed_get_the_rules_too)
{
	struct sbx_seccomp_plan p = test_plan;
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_diag d = { 0 };
	int ws;
	pid_t pid;

	p.deny_foreign_arches = false;
	ASSERT_EQ(0, seccomp_filter_build(&p, false, &f, &d)) TH_LOG("%s", d.msg);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_filter_load(f, &d) != -1)
			_exit(201);
		act_i386_getpid(); /* allowed now: the process lives on */
		_exit(act_socket_inet()); /* and the native rules still hold */
	}
	seccomp_filter_free(f);
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	ASSERT_TRUE(WIFEXITED(ws));
	EXPECT_EQ(EACCES, WEXITSTATUS(ws));
}

/*
 * The rules filter sbx writes for the native table compares 64-bit arguments as two words,
 * and a call's rules answer in plan order, the first that matches, as the supervisor's
 * seccomp_rule_match() takes them. getuid ignores its arguments, so each case passes
 * chosen ones; the control is the same call unconfined, which always succeeds.
 */
static struct sbx_seccomp_rule wide_rules[] = {
	RULE("getuid", E2BIG, "GT", COND1(0, SBX_CMP_GT, 0, 0x100000000ull)),
	RULE("getuid", ENOTTY, "NE", COND1(1, SBX_CMP_NE, 0, 0x500000005ull)),
	RULE("getuid", EXDEV, "MASKED_EQ",
	     COND1(2, SBX_CMP_MASKED_EQ, 0xff00000000ull, 0x100000000ull)),
	RULE("getuid", EDOM, "EQ, first", COND1(3, SBX_CMP_EQ, 0, 9)),
	RULE("getuid", ERANGE, "GT, second", COND1(3, SBX_CMP_GT, 0, 5)),
	RULE("getuid", ECHILD, "GT, first", COND1(4, SBX_CMP_GT, 0, 5)),
	RULE("getuid", ESRCH, "EQ, second", COND1(4, SBX_CMP_EQ, 0, 9)),
	/* an allow-list's refusal: any bit outside 0x0f0f in the low word, 0x3 in the high */
	RULE("getuid", EILSEQ, "MASKED_ANY",
	     COND1(5, SBX_CMP_MASKED_ANY, 0xfffffffcfffff0f0ull, 0)),
};

static uint64_t wide_args[6];

static int act_getuid_wide(void)
{
	return syscall(SYS_getuid, wide_args[0], wide_args[1], wide_args[2], wide_args[3],
		       wide_args[4], wide_args[5]) < 0
		       ? errno
		       : 0;
}

TEST(wide_arguments_and_plan_order)
{
	static const struct {
		uint64_t args[6];
		int want;
	} cases[] = {
		{ { 0x100000001ull, 0x500000005ull }, E2BIG },
		{ { 0x200000000ull, 0x500000005ull }, E2BIG }, /* high word greater, low 0 */
		{ { 0x100000000ull, 0x500000005ull }, 0 }, /* equal: not greater */
		{ { 0xffffffffull, 0x500000005ull }, 0 }, /* low word greater only */
		{ { 0, 0x5 }, ENOTTY }, /* low words equal, high ones differ */
		{ { 0, 0x500000005ull, 0x1ffffffffull }, EXDEV },
		{ { 0, 0x500000005ull, 0x200000001ull }, 0 },
		{ { 0, 0x500000005ull, 0, 9 }, EDOM },
		{ { 0, 0x500000005ull, 0, 6 }, ERANGE },
		{ { 0, 0x500000005ull, 0, 0x900000009ull }, ERANGE },
		{ { 0, 0x500000005ull, 0, 0, 9 }, ECHILD },
		{ { 0, 0x500000005ull, 0, 0, 0, 0x300000f0full }, 0 }, /* inside the list */
		{ { 0, 0x500000005ull, 0, 0, 0, 0x400000 }, EILSEQ }, /* an unknown low bit */
		{ { 0, 0x500000005ull, 0, 0, 0, 0x800000000ull }, EILSEQ }, /* a high one */
	};
	struct sbx_seccomp_plan p = {
		.enabled = true,
		.deny_foreign_arches = true,
		.rules = wide_rules,
		.n_rules = sizeof(wide_rules) / sizeof(wide_rules[0]),
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sbx_seccomp_rule *r =
			seccomp_rule_match(&p, SYS_getuid, cases[i].args);

		memcpy(wide_args, cases[i].args, sizeof(wide_args));
		EXPECT_EQ(0, in_plan(NULL, act_getuid_wide)) TH_LOG("control, case %zu", i);
		EXPECT_EQ(cases[i].want, in_plan(&p, act_getuid_wide)) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].want, r ? r->errno_value : 0) TH_LOG("supervisor, case %zu", i);
	}
}

/*
 * Where libseccomp writes the filter (a plan that lets x32 and i386 run), MASKED_ANY is one
 * MASKED_EQ rule per bit of its mask: the same answers.
 */
TEST(masked_any_through_libseccomp)
{
	static const struct {
		uint64_t arg;
		int want;
	} cases[] = {
		{ 0x4040, 0 },
		{ 0x400000, EILSEQ },
		{ 0x80000000, EILSEQ },
		{ 0x100000000ull, 0 },
	};
	struct sbx_seccomp_rule rule = RULE("getuid", EILSEQ, "MASKED_ANY",
					    COND1(5, SBX_CMP_MASKED_ANY, 0xffffbfbfull, 0));
	struct sbx_seccomp_plan p = { .enabled = true, .rules = &rule, .n_rules = 1 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(wide_args, 0, sizeof(wide_args));
		wide_args[5] = cases[i].arg;
		EXPECT_EQ(0, in_plan(NULL, act_getuid_wide)) TH_LOG("control, case %zu", i);
		EXPECT_EQ(cases[i].want, in_plan(&p, act_getuid_wide)) TH_LOG("case %zu", i);
	}
}

TEST(unknown_syscall_name_is_an_error)
{
	struct sbx_seccomp_rule bad = RULE("no_such_call", EPERM, "test");
	struct sbx_seccomp_plan p = { .enabled = true, .rules = &bad, .n_rules = 1 };
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_diag d = { 0 };

	ASSERT_EQ(-EINVAL, seccomp_filter_build(&p, false, &f, &d));
	ASSERT_EQ(NULL, f);
	ASSERT_STREQ("seccomp: unknown system call 'no_such_call'", d.msg);
}

TEST(rule_match_is_pure_and_exact)
{
	uint64_t inet[6] = { AF_INET, SOCK_STREAM }, unix_[6] = { AF_UNIX }, wx[6] = { 0, 4096, 7 };
	const struct sbx_seccomp_rule *r;

	r = seccomp_rule_match(&test_plan, SYS_socket, inet);
	ASSERT_NE(NULL, r);
	ASSERT_STREQ("network.client", r->entitlement);
	ASSERT_EQ(NULL, seccomp_rule_match(&test_plan, SYS_socket, unix_));
	r = seccomp_rule_match(&test_plan, SYS_mmap, wx);
	ASSERT_NE(NULL, r);
	ASSERT_STREQ("cs.allow-jit", r->entitlement);
}

TEST(notified_denial_names_the_entitlement)
{
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_seccomp_denial den;
	struct sbx_diag d = { 0 };
	int sv[2], nfd, ws;
	pid_t pid;

	ASSERT_EQ(0, seccomp_filter_build(&test_plan, true, &f, &d));
	ASSERT_TRUE(seccomp_filter_notifies(f));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		prctl(PR_SET_NAME, "sbx-notified", 0, 0, 0);
		fd = seccomp_filter_load(f, &d);
		if (fd < 0)
			_exit(201);
		if (sbx_fd_send(sv[1], fd))
			_exit(202);
		close(fd);
		/* Kept in the kernel, never notified: no entitlement can lift it. */
		if (act_clone3() != ENOSYS)
			_exit(203);
		_exit(act_socket_inet());
	}
	seccomp_filter_free(f);
	nfd = sbx_fd_recv(sv[0]);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, seccomp_supervise_one(nfd, &test_plan, &den));
	ASSERT_EQ(pid, den.pid);
	ASSERT_STREQ("sbx-notified", den.comm);
	ASSERT_STREQ("socket(AF_INET)", den.call);
	ASSERT_NE(NULL, den.rule);
	ASSERT_STREQ("network.client", den.rule->entitlement);
	ASSERT_EQ(pid, waitpid(pid, &ws, 0));
	ASSERT_TRUE(WIFEXITED(ws));
	ASSERT_EQ(EACCES, WEXITSTATUS(ws)); /* the supervisor's answer is the rule's errno */
	close(nfd);
}

/*
 * Without app-sandbox, W^X rests on seccomp and MDWE, and a write to /proc/self/mem goes
 * through page protections: the plan gives such a profile a Landlock domain that handles
 * only writing files, granted everywhere but /proc. Control: the same shell line unconfined.
 */
TEST(proc_self_mem_closed_without_app_sandbox)
{
	static const char profile[] = "identifier: org.example.bare\n"
				      "entitlements:\n  cs.allow-jit: true\n";
	char dir[PATH_MAX], path[PATH_MAX + 16], out[PATH_MAX + 16];
	char line[PATH_MAX + 128];
	char *sh[] = { "/bin/sh", "-c", line, NULL };
	char *run[] = { (char *)sbx_bin(), "run", "--allow-root", "--profile", path, "--",
			"/bin/sh",	   "-c",  line,		  NULL };
	struct sbx_cmd_result r = { 0 };
	FILE *f;

	if (landlock_abi_version() < 1)
		SKIP(return, "no Landlock on this kernel");
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/bare.yaml", dir);
	snprintf(out, sizeof(out), "%s/written", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(profile, f);
	fclose(f);
	snprintf(line, sizeof(line), "(exec 3<>/proc/self/mem) && echo opened; echo x > %s", out);
	ASSERT_EQ(0, sbx_run_capture(sh, &r));
	ASSERT_STREQ("opened\n", r.out) TH_LOG("control: %s", r.err);
	ASSERT_EQ(0, unlink(out));
	ASSERT_EQ(0, sbx_run_capture(run, &r));
	EXPECT_STREQ("", r.out) TH_LOG("/proc/self/mem opened for writing under sbx run");
	EXPECT_EQ(0, access(out, F_OK)) TH_LOG("writing elsewhere must still work: %s", r.err);
	sbx_rmtree(dir);
}

TEST_HARNESS_MAIN
