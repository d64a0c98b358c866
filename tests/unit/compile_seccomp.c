// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp rules sbx_compile() writes, loaded for real (through the launcher's
 * libseccomp builder) in a child: each encoding trick the compiler relies on holds on this
 * kernel. Every case runs twice, unconfined first (the control: the call does something
 * else there) and then under the compiled filter.
 */
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "sbx_test.h"

#include "compile/compile.h"
#include "profile/profile.h"
#include "seccomp/seccomp.h"

enum probe {
	PERSONALITY_QUERY,
	PERSONALITY_READ_IMPLIES_EXEC,
	PERSONALITY_RIE_HIGH_BIT,
	SOCKET_INET_HIGH_BITS,
	SOCKET_NETLINK_ROUTE,
	SOCKET_NETLINK_AUDIT,
	IOCTL_TIOCSTI_HIGH_BITS,
	CLONE_NEW_USER,
	CLONE3,
	MMAP_WX,
	MPROTECT_X,
	MEMFD_EXEC,
	MEMFD_UNSEALED,
	MEMFD_NOEXEC_SEAL,
};

static long probe_call(enum probe what)
{
	long r = -1;
	int fds[2];

	switch (what) {
	case PERSONALITY_QUERY:
		r = syscall(SYS_personality, 0xffffffffUL);
		break;
	case PERSONALITY_READ_IMPLIES_EXEC:
		r = syscall(SYS_personality, (unsigned long)READ_IMPLIES_EXEC);
		break;
	case PERSONALITY_RIE_HIGH_BIT:
		r = syscall(SYS_personality, 0x80000000UL | READ_IMPLIES_EXEC);
		break;
	case SOCKET_INET_HIGH_BITS:
		/* The kernel reads an int: this is AF_INET. */
		r = syscall(SYS_socket, 0x100000000UL | AF_INET, SOCK_STREAM, 0);
		break;
	case SOCKET_NETLINK_ROUTE:
		r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
		break;
	case SOCKET_NETLINK_AUDIT:
		r = syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 9);
		break;
	case IOCTL_TIOCSTI_HIGH_BITS:
		/* On a pipe: ENOTTY when it runs, EPERM when the rule catches it. */
		if (pipe(fds))
			return -errno;
		r = syscall(SYS_ioctl, fds[0], 0x100000000UL | 0x5412, "x");
		break;
	case CLONE_NEW_USER:
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		break;
	case CLONE3:
		r = syscall(SYS_clone3, NULL, 0); /* EINVAL when it runs */
		break;
	case MMAP_WX: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		r = p == MAP_FAILED ? -1 : 0;
		break;
	}
	case MPROTECT_X: {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		r = p == MAP_FAILED ? -1 : mprotect(p, 4096, PROT_READ | PROT_EXEC);
		break;
	}
	case MEMFD_EXEC:
		r = syscall(SYS_memfd_create, "x", 0x10U /* MFD_EXEC */);
		break;
	case MEMFD_UNSEALED:
		r = syscall(SYS_memfd_create, "x", 0x1U /* MFD_CLOEXEC */);
		break;
	case MEMFD_NOEXEC_SEAL:
		r = syscall(SYS_memfd_create, "x", 0x9U /* MFD_CLOEXEC | MFD_NOEXEC_SEAL */);
		break;
	}
	return r < 0 ? -errno : 0;
}

/* Run one probe in a child, under plan's seccomp rules when plan is given: 0 or -errno. */
static long run_probe(const struct sbx_plan *plan, enum probe what)
{
	int fds[2];
	long result = -EIO;
	pid_t pid;

	if (pipe(fds))
		return -EIO;
	pid = fork();
	if (pid == 0) {
		struct sbx_seccomp_filter *f = NULL;
		struct sbx_diag d = { 0 };

		close(fds[0]);
		if (plan) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
			    seccomp_filter_build(&plan->seccomp, false, &f, &d) ||
			    seccomp_filter_load(f, &d) < -1)
				_exit(3);
		}
		result = probe_call(what);
		if (write(fds[1], &result, sizeof(result)) != sizeof(result))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &result, sizeof(result)) != sizeof(result))
		result = -EIO;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return result;
}

static struct sbx_plan *compile_text(struct __test_metadata *_metadata, const char *ents)
{
	static const struct sbx_host_facts facts = { .home = "/home/u", .program = "/bin/true" };
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	struct sbx_plan *plan = NULL;
	char text[512];
	int n = snprintf(text, sizeof(text), "identifier: org.example.t\nentitlements:\n%s", ents);

	ASSERT_EQ(0, sbx_profile_load_buffer("t", text, (size_t)n, &p, &d)) TH_LOG("%s", d.msg);
	ASSERT_EQ(0, sbx_compile(p, &facts, &plan, &d)) TH_LOG("%s", d.msg);
	sbx_profile_free(p);
	return plan;
}

FIXTURE(seccomp_plan)
{
	struct sbx_plan *plan;
};

FIXTURE_VARIANT(seccomp_plan)
{
	const char *entitlements;
	enum probe probe;
	long confined; /* what the call returns under the filter */
};

FIXTURE_SETUP(seccomp_plan)
{
	self->plan = compile_text(_metadata, variant->entitlements);
}

FIXTURE_TEARDOWN(seccomp_plan)
{
	sbx_plan_free(self->plan);
}

#define SANDBOX "  app-sandbox: true\n"
#define CLIENT	"  app-sandbox: true\n  network.client: true\n"

FIXTURE_VARIANT_ADD(seccomp_plan, personality_query_still_works){
	.entitlements = SANDBOX,
	.probe = PERSONALITY_QUERY,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, personality_read_implies_exec){
	.entitlements = SANDBOX,
	.probe = PERSONALITY_READ_IMPLIES_EXEC,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, personality_read_implies_exec_high_bit){
	.entitlements = SANDBOX,
	.probe = PERSONALITY_RIE_HIGH_BIT,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, socket_inet_with_high_bits){
	.entitlements = SANDBOX,
	.probe = SOCKET_INET_HIGH_BITS,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, netlink_route_without_network){
	.entitlements = SANDBOX,
	.probe = SOCKET_NETLINK_ROUTE,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, netlink_route_with_network_client){
	.entitlements = CLIENT,
	.probe = SOCKET_NETLINK_ROUTE,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, netlink_audit_with_network_client){
	.entitlements = CLIENT,
	.probe = SOCKET_NETLINK_AUDIT,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, tiocsti_with_high_bits){
	.entitlements = SANDBOX,
	.probe = IOCTL_TIOCSTI_HIGH_BITS,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, clone_new_user){
	.entitlements = SANDBOX,
	.probe = CLONE_NEW_USER,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, clone3_answers_enosys){
	.entitlements = SANDBOX,
	.probe = CLONE3,
	.confined = -ENOSYS,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mmap_wx){
	.entitlements = SANDBOX,
	.probe = MMAP_WX,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mmap_wx_with_allow_jit){
	.entitlements = "  cs.allow-jit: true\n",
	.probe = MMAP_WX,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mprotect_x_with_allow_jit){
	.entitlements = "  cs.allow-jit: true\n",
	.probe = MPROTECT_X,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mprotect_x_with_unsigned_memory){
	.entitlements = "  cs.allow-unsigned-executable-memory: true\n",
	.probe = MPROTECT_X,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, memfd_exec_even_with_page_protection_off){
	.entitlements = "  cs.disable-executable-page-protection: true\n",
	.probe = MEMFD_EXEC,
	.confined = -EACCES,
};

FIXTURE_VARIANT_ADD(seccomp_plan, memfd_without_noexec_seal){
	.entitlements = SANDBOX,
	.probe = MEMFD_UNSEALED,
	.confined = -EACCES,
};
FIXTURE_VARIANT_ADD(seccomp_plan, memfd_with_noexec_seal){
	.entitlements = SANDBOX,
	.probe = MEMFD_NOEXEC_SEAL,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, memfd_without_seal_with_unsigned_memory){
	.entitlements = "  cs.allow-unsigned-executable-memory: true\n",
	.probe = MEMFD_UNSEALED,
	.confined = 0,
};

TEST_F(seccomp_plan, call)
{
	long control = run_probe(NULL, variant->probe);

	/* The control must differ from the confined answer, or the probe proves nothing. */
	if (variant->confined != 0) {
		if (control == -EPERM || control == -EINVAL || control == -EACCES) {
			if (variant->probe == CLONE_NEW_USER || variant->probe == MEMFD_EXEC)
				SKIP(return, "unconfined control fails too (%ld)", control);
		}
		ASSERT_NE(variant->confined, control) TH_LOG("control gave the same answer");
	} else {
		if (control == -EINVAL && variant->probe == MEMFD_NOEXEC_SEAL)
			SKIP(return, "kernel before 6.3: no MFD_NOEXEC_SEAL");
		ASSERT_EQ(0, control);
	}
	EXPECT_EQ(variant->confined, run_probe(self->plan, variant->probe));
}

TEST_HARNESS_MAIN
