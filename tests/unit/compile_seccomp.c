// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp rules sbx_compile() writes, loaded for real (through the launcher's
 * libseccomp builder) in a child: each encoding trick the compiler relies on holds on this
 * kernel. Every case runs twice, unconfined first (the control: the call does something
 * else there) and then under the compiled filter.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/xattr.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "compile_test.h"

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
	/* issue 8: the allow-list and the classes it closes */
	SYSV_SHMGET,
	SYSV_MSGGET,
	PRLIMIT_PARENT,
	SETPRIORITY_PARENT,
	SCHED_SETAFFINITY_PARENT,
	IOPRIO_SET_PARENT,
	KILL_PARENT,
	SOCKET_MPTCP,
	SOCKET_VSOCK,
	SOCKET_INET_STREAM,
	SOCKET_UNIX_DGRAM,
	FCNTL_SETLEASE,
	GETXATTR,
	LSM_LIST_MODULES,
	PTRACE_SELF,
	/* review-run holes 2, 3, 9, 10 */
	SOCKET_UNIX_RAW,
	SOCKET_UNIX_SEQPACKET,
	SOCKET_UDP,
	IOCTL_SETFLAGS,
	IOCTL_GETFLAGS,
	TRUNCATE_PATH,
	/* atk6u P, N, W: the page cache and fcntl by allow-lists */
	MADV_PAGEOUT_OWN_FILE,
	MADV_DONTNEED_ANON,
	MINCORE_ANON,
	AIO_SETUP,
	FCNTL_SET_RW_HINT,
	FCNTL_DUPFD_CLOEXEC,
	/* atk11u, noticed: ioctl by allow-list */
	IOCTL_FAT_ATTRIBUTES,
	IOCTL_FAT_ATTRIBUTES_HIGH_BITS,
	IOCTL_FIONREAD_PIPE,
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
	case SYSV_SHMGET:
		r = shmget(IPC_PRIVATE, 4096, 0600);
		if (r >= 0)
			shmctl((int)r, IPC_RMID, NULL);
		break;
	case SYSV_MSGGET:
		r = msgget(IPC_PRIVATE, 0600);
		if (r >= 0)
			msgctl((int)r, IPC_RMID, NULL);
		break;
	case PRLIMIT_PARENT: {
		struct rlimit old;

		r = syscall(SYS_prlimit64, getppid(), RLIMIT_CORE, NULL, &old);
		break;
	}
	case SETPRIORITY_PARENT:
		/* The parent's own value again: allowed to any process of the same user. */
		errno = 0;
		r = getpriority(PRIO_PROCESS, (id_t)getppid());
		r = errno ? -1 : setpriority(PRIO_PROCESS, (id_t)getppid(), (int)r);
		break;
	case SCHED_SETAFFINITY_PARENT: {
		cpu_set_t set;

		r = sched_getaffinity(getppid(), sizeof(set), &set);
		if (!r)
			r = sched_setaffinity(getppid(), sizeof(set), &set);
		break;
	}
	case IOPRIO_SET_PARENT:
		/* IOPRIO_WHO_PROCESS, best effort class, level 4: what a process has anyway. */
		r = syscall(SYS_ioprio_set, 1, getppid(), (2 << 13) | 4);
		break;
	case KILL_PARENT:
		r = kill(getppid(), 0);
		break;
	case SOCKET_MPTCP:
		r = socket(AF_INET, SOCK_STREAM, 262 /* IPPROTO_MPTCP */);
		break;
	case SOCKET_VSOCK:
		r = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
		break;
	case SOCKET_INET_STREAM:
		r = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
		break;
	case SOCKET_UNIX_DGRAM:
		r = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	case FCNTL_SETLEASE: {
		char path[] = "/tmp/sbx-lease-XXXXXX";
		int fd = mkstemp(path);

		if (fd < 0)
			return -errno;
		close(fd);
		fd = open(path, O_RDONLY);
		unlink(path);
		r = fd < 0 ? -1 : fcntl(fd, F_SETLEASE, F_RDLCK);
		break;
	}
	case GETXATTR:
		r = getxattr("/proc/self/exe", "user.sbx-test", NULL, 0);
		if (r < 0 && errno == ENODATA)
			r = 0; /* it ran and found none */
		break;
	case LSM_LIST_MODULES: {
		uint32_t size = 0;

		/* A call newer than the table: E2BIG (size too small) where the kernel has it. */
		r = syscall(461, NULL, &size, 0);
		if (r < 0 && errno == E2BIG)
			r = 0;
		break;
	}
	case PTRACE_SELF:
		r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		break;
	case SOCKET_UNIX_RAW:
		r = socket(AF_UNIX, SOCK_RAW | SOCK_CLOEXEC, 0);
		break;
	case SOCKET_UNIX_SEQPACKET:
		r = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		break;
	case SOCKET_UDP:
		r = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (r < 0 && errno == EAFNOSUPPORT)
			r = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	case MADV_DONTNEED_ANON:
	case MINCORE_ANON: {
		unsigned char vec = 0;
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			return -errno;
		p[0] = 1;
		r = what == MINCORE_ANON ? mincore(p, 4096, &vec) : madvise(p, 4096, MADV_DONTNEED);
		r = r < 0 ? -errno : 0;
		munmap(p, 4096);
		return r;
	}
	case AIO_SETUP: {
		unsigned long ctx = 0;

		r = syscall(SYS_io_setup, 1, &ctx);
		if (r == 0)
			syscall(SYS_io_destroy, ctx);
		break;
	}
	case FCNTL_DUPFD_CLOEXEC:
		r = fcntl(0, F_DUPFD_CLOEXEC, 100);
		if (r >= 0)
			close((int)r);
		break;
	case MADV_PAGEOUT_OWN_FILE:
	case FCNTL_SET_RW_HINT: {
		char path[] = "/tmp/sbx-pageout-XXXXXX", page[4096] = { 1 };
		int fd = mkstemp(path);
		uint64_t hint = 2; /* RWH_WRITE_LIFE_SHORT */
		char *p;

		if (fd < 0)
			return -errno;
		r = write(fd, page, sizeof(page)) == sizeof(page) ? 0 : -EIO;
		close(fd);
		fd = open(path, O_RDONLY); /* read-only: the kernel checks ownership alone */
		unlink(path);
		if (r || fd < 0)
			return -EIO;
		if (what == FCNTL_SET_RW_HINT) {
			r = fcntl(fd, 1036 /* F_SET_RW_HINT */, &hint);
			r = r < 0 ? -errno : 0;
			close(fd);
			return r;
		}
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			return -errno;
		r = *(volatile char *)p == 1 ? madvise(p, 4096, 21 /* MADV_PAGEOUT */) : -1;
		r = r < 0 ? -errno : 0;
		munmap(p, 4096);
		return r;
	}
	case IOCTL_FAT_ATTRIBUTES:
	case IOCTL_FAT_ATTRIBUTES_HIGH_BITS: {
		/* FAT_IOCTL_GET_ATTRIBUTES ('r'): a type no rule named; ENOTTY off vfat. */
		char path[] = "/tmp/sbx-fat-XXXXXX";
		int fd = mkstemp(path);
		uint32_t attr = 0;

		if (fd < 0)
			return -errno;
		r = syscall(SYS_ioctl, fd,
			    (what == IOCTL_FAT_ATTRIBUTES ? 0UL : 0x100000000UL) | 0x80047210UL,
			    &attr);
		r = r < 0 ? -errno : 0;
		close(fd);
		unlink(path);
		return r;
	}
	case IOCTL_FIONREAD_PIPE: {
		int p[2], n = -1;

		if (pipe(p))
			return -errno;
		r = write(p[1], "xy", 2) == 2 ? ioctl(p[0], FIONREAD, &n) : -1;
		r = r < 0 ? -errno : n == 2 ? 0 : -EIO;
		close(p[0]);
		close(p[1]);
		return r;
	}
	case IOCTL_SETFLAGS:
	case IOCTL_GETFLAGS:
	case TRUNCATE_PATH: {
		char path[] = "/tmp/sbx-flags-XXXXXX";
		int fd = mkstemp(path), flags = 0;

		if (fd < 0)
			return -errno;
		r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
		if (r == 0 && what == IOCTL_SETFLAGS) {
			flags |= FS_NODUMP_FL;
			r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
		if (what == TRUNCATE_PATH)
			r = truncate(path, 0);
		r = r < 0 ? -errno : 0;
		close(fd);
		unlink(path);
		return r;
	}
	}
	return r < 0 ? -errno : 0;
}

/*
 * Run one probe in a child, under plan's seccomp rules fitted to Landlock ABI abi when plan
 * is given (0 keeps every rule): 0 or -errno.
 */
static long run_probe(const struct sbx_plan *plan, enum probe what, unsigned int abi)
{
	int fds[2];
	long result = -EIO;
	pid_t pid;

	if (pipe(fds))
		return -EIO;
	pid = fork();
	if (pid == 0) {
		struct sbx_seccomp_filter *f = NULL;
		struct sbx_seccomp_plan fitted;
		struct sbx_diag d = { 0 };

		close(fds[0]);
		if (plan) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
			    seccomp_plan_fit(&plan->seccomp, abi, &fitted) ||
			    seccomp_filter_build(&fitted, false, &f, &d) ||
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

FIXTURE(seccomp_plan)
{
	struct sbx_plan *plan;
};

FIXTURE_VARIANT(seccomp_plan)
{
	const char *entitlements;
	enum probe probe;
	long confined; /* what the call returns under the filter */
	unsigned int abi; /* Landlock ABI the filter is fitted to (0: every rule) */
	bool needs_kernel_feature; /* an unconfined failure means this kernel lacks it: SKIP */
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
/*
 * Refused by the family allow-list, which compares all 64 bits (deny_outside): its rules come
 * first in the plan, and the first matching rule answers, in the kernel as in the supervisor.
 */
FIXTURE_VARIANT_ADD(seccomp_plan, socket_inet_with_high_bits){
	.entitlements = SANDBOX,
	.probe = SOCKET_INET_HIGH_BITS,
	.confined = -EAFNOSUPPORT,
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

FIXTURE_VARIANT_ADD(seccomp_plan, sysv_shared_memory){
	.entitlements = SANDBOX,
	.probe = SYSV_SHMGET,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, sysv_shared_memory_without_sandbox){
	.entitlements = "  cs.allow-jit: true\n",
	.probe = SYSV_SHMGET,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, sysv_message_queue){
	.entitlements = SANDBOX,
	.probe = SYSV_MSGGET,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, prlimit_of_another_process){
	.entitlements = SANDBOX,
	.probe = PRLIMIT_PARENT,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, setpriority_of_another_process){
	.entitlements = SANDBOX,
	.probe = SETPRIORITY_PARENT,
	/* Its first call reads the parent's value: refused as for no such process. */
	.confined = -ESRCH,
};
FIXTURE_VARIANT_ADD(seccomp_plan, sched_setaffinity_of_another_process){
	.entitlements = SANDBOX,
	.probe = SCHED_SETAFFINITY_PARENT,
	/* Its first call reads the parent's value: refused as for no such process. */
	.confined = -ESRCH,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ioprio_set_of_another_process){
	.entitlements = SANDBOX,
	.probe = IOPRIO_SET_PARENT,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, signal_outside_below_abi_6){
	.entitlements = SANDBOX,
	.probe = KILL_PARENT,
	.confined = -EPERM,
	.abi = 5,
};
FIXTURE_VARIANT_ADD(seccomp_plan, signal_left_to_landlock_from_abi_6){
	.entitlements = SANDBOX,
	.probe = KILL_PARENT,
	.confined = 0,
	.abi = 6,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mptcp_with_network_client){
	.entitlements = CLIENT,
	.probe = SOCKET_MPTCP,
	.confined = -EPROTONOSUPPORT,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, vsock_without_network){
	.entitlements = SANDBOX,
	.probe = SOCKET_VSOCK,
	.confined = -EAFNOSUPPORT,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, tcp_with_type_flags_and_network_client){
	.entitlements = CLIENT,
	.probe = SOCKET_INET_STREAM,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, unix_datagram_below_abi_9){
	.entitlements = SANDBOX,
	.probe = SOCKET_UNIX_DGRAM,
	.confined = -EACCES,
	.abi = 8,
};
FIXTURE_VARIANT_ADD(seccomp_plan, unix_datagram_from_abi_9){
	.entitlements = SANDBOX,
	.probe = SOCKET_UNIX_DGRAM,
	.confined = 0,
	.abi = 9,
};
FIXTURE_VARIANT_ADD(seccomp_plan, file_lease){
	.entitlements = SANDBOX,
	.probe = FCNTL_SETLEASE,
	.confined = -EINVAL, /* outside fcntl's allow-list */
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, xattr_read_without_supervisor){
	.entitlements = SANDBOX,
	.probe = GETXATTR,
	.confined = -ENOTSUP,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, call_newer_than_the_table){
	.entitlements = SANDBOX,
	.probe = LSM_LIST_MODULES,
	.confined = -ENOSYS,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ptrace_group_refused){
	.entitlements = SANDBOX,
	.probe = PTRACE_SELF,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ptrace_group_lifted_by_debugger){
	.entitlements = "  app-sandbox: true\n  cs.debugger: true\n",
	.probe = PTRACE_SELF,
	.confined = 0,
};
#define SERVER "  app-sandbox: true\n  network.server: true\n"
FIXTURE_VARIANT_ADD(seccomp_plan, unix_raw_below_abi_9){
	.entitlements = SANDBOX,
	.probe = SOCKET_UNIX_RAW,
	.confined = -EACCES,
	.abi = 8,
};
FIXTURE_VARIANT_ADD(seccomp_plan, unix_seqpacket_below_abi_9){
	.entitlements = SANDBOX,
	.probe = SOCKET_UNIX_SEQPACKET,
	.confined = 0,
	.abi = 8,
};
FIXTURE_VARIANT_ADD(seccomp_plan, udp_server_only_below_abi_10){
	.entitlements = SERVER,
	.probe = SOCKET_UDP,
	.confined = -EACCES,
	.abi = 9,
};
FIXTURE_VARIANT_ADD(seccomp_plan, udp_server_only_from_abi_10){
	.entitlements = SERVER,
	.probe = SOCKET_UDP,
	.confined = 0,
	.abi = 10,
};
FIXTURE_VARIANT_ADD(seccomp_plan, udp_server_and_client_below_abi_10){
	.entitlements = "  app-sandbox: true\n  network.server: true\n  network.client: true\n",
	.probe = SOCKET_UDP,
	.confined = 0,
	.abi = 9,
};
FIXTURE_VARIANT_ADD(seccomp_plan, fs_ioc_setflags){
	.entitlements = SANDBOX,
	.probe = IOCTL_SETFLAGS,
	.confined = -EPERM,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, fs_ioc_getflags_still_works){
	.entitlements = SANDBOX,
	.probe = IOCTL_GETFLAGS,
	.confined = 0,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, truncate_below_abi_3){
	.entitlements = SANDBOX,
	.probe = TRUNCATE_PATH,
	.confined = -EPERM,
	.abi = 2,
};
FIXTURE_VARIANT_ADD(seccomp_plan, truncate_from_abi_3){
	.entitlements = SANDBOX,
	.probe = TRUNCATE_PATH,
	.confined = 0,
	.abi = 3,
};
FIXTURE_VARIANT_ADD(seccomp_plan, madv_pageout_of_an_own_file){
	.entitlements = SANDBOX,
	.probe = MADV_PAGEOUT_OWN_FILE,
	.confined = -EINVAL, /* as a kernel without MADV_PAGEOUT */
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, madv_dontneed_still_works){
	.entitlements = SANDBOX,
	.probe = MADV_DONTNEED_ANON,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, mincore_answers_enosys){
	.entitlements = SANDBOX,
	.probe = MINCORE_ANON,
	.confined = -ENOSYS,
};
FIXTURE_VARIANT_ADD(seccomp_plan, linux_aio_answers_enosys){
	.entitlements = SANDBOX,
	.probe = AIO_SETUP,
	.confined = -ENOSYS,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, linux_aio_with_sbx_aio){
	.entitlements = "  app-sandbox: true\n  sbx.aio: true\n",
	.probe = AIO_SETUP,
	.confined = 0,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, fcntl_set_rw_hint_on_a_read_only_file){
	.entitlements = SANDBOX,
	.probe = FCNTL_SET_RW_HINT,
	.confined = -EINVAL,
	.needs_kernel_feature = true,
};
FIXTURE_VARIANT_ADD(seccomp_plan, fcntl_dupfd_cloexec_still_works){
	.entitlements = SANDBOX,
	.probe = FCNTL_DUPFD_CLOEXEC,
	.confined = 0,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ioctl_of_a_type_outside_the_allow_list){
	.entitlements = SANDBOX,
	.probe = IOCTL_FAT_ATTRIBUTES,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ioctl_outside_the_allow_list_with_high_bits){
	.entitlements = SANDBOX,
	.probe = IOCTL_FAT_ATTRIBUTES_HIGH_BITS,
	.confined = -EPERM,
};
FIXTURE_VARIANT_ADD(seccomp_plan, ioctl_fionread_on_a_pipe_still_works){
	.entitlements = SANDBOX,
	.probe = IOCTL_FIONREAD_PIPE,
	.confined = 0,
};

TEST_F(seccomp_plan, call)
{
	long control = run_probe(NULL, variant->probe, 0);

	if (control < 0 && variant->needs_kernel_feature)
		SKIP(return, "unconfined control fails (%ld): the kernel lacks the feature",
			   control);
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
	EXPECT_EQ(variant->confined, run_probe(self->plan, variant->probe, variant->abi));
}

/* A number no kernel has yet, the gate's default: ENOSYS, not EPERM. */
TEST(unknown_call_number_answers_enosys)
{
	struct sbx_plan *plan = compile_text(_metadata, SANDBOX);
	int fds[2];
	long result = -EIO;
	pid_t pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	if (pid == 0) {
		struct sbx_seccomp_filter *f = NULL;
		struct sbx_diag d = { 0 };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    seccomp_filter_build(&plan->seccomp, false, &f, &d) ||
		    seccomp_filter_load(f, &d) < -1)
			_exit(3);
		for (long nr = 1000; nr < 1024; nr++)
			if (syscall(nr) != -1 || errno != ENOSYS)
				result = nr;
		result = result == -EIO ? -ENOSYS : result;
		if (write(fds[1], &result, sizeof(result)) != sizeof(result))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ((ssize_t)sizeof(result), read(fds[0], &result, sizeof(result)));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(-ENOSYS, result);
	sbx_plan_free(plan);
}

TEST_HARNESS_MAIN
