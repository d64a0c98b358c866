// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, the hardened runtime (bpf/mmap_verdict, bpf/ptrace_guard, the floor in
 * bpf/task_scope): for a program whose verdict says hardened, W^X, library validation and
 * no debugging, each lifted by its entitlement, each technique with a control (the same
 * program with a verdict that is not hardened) that succeeds. In the VM kernels, as root.
 *
 * One fixture set, reused: copies of this test binary whose verdicts the minimal daemon
 * (enforcer_test.h) stores with the policy and team each case needs (re-verifying the
 * same file replaces its verdict), and the libraries it loaded, as platform code. Run
 * with SBX_HARDENED_DO set, a copy tries one technique in a constructor and exits: 0 it
 * worked, 1 refused (EPERM or EACCES), 2 another failure.
 */
#include <dlfcn.h>
#include <link.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "enforcer_test.h"
#include "launch/fdpass.h"
#include "compile/compile.h"
#include "profile/profile.h"

#define TEAM	   0x7ea4u /* the hardened program's team */
#define OTHER_TEAM 0x0712u
#define HR	   SBX_POLICY_HARDENED_RUNTIME

/* What a tracer writes into the target (its own value back: the target is unchanged). */
static volatile unsigned long poke_target = 0x5bb0;

static int refused(int r)
{
	return r == 0 ? 0 : (errno == EPERM || errno == EACCES) ? 1 : 2;
}

static int wx_mmap(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return refused(p == MAP_FAILED ? -1 : 0);
}

static int wx_flip(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	p[0] = (char)0xc3; /* ret */
	return refused(mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

/* The copy-on-write trick: a private mapping of a verified file, written, made executable. */
static int cow_flip(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	char *p;

	if (fd < 0)
		return 2;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 2;
	p[0x40] = (char)0xc3;
	if (mprotect(p, 4096, PROT_READ))
		return 2;
	return refused(mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

/* A byte of this program's own code written back through /proc/self/mem. */
static int self_mem(void)
{
	unsigned char b = *(volatile unsigned char *)(uintptr_t)&wx_mmap;
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	int r;

	if (fd < 0)
		return refused(-1);
	/* 4: the kernel forces no write through protections here (proc_mem.force_override) */
	r = pwrite(fd, &b, 1, (off_t)(uintptr_t)&wx_mmap) == 1 ? 0 : errno == EIO ? 4 : 2;
	close(fd);
	return r;
}

static char clone_stack[65536] __attribute__((aligned(16)));

static int clone_vm_child(void *arg)
{
	(void)arg;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		_exit(1);
	raise(SIGSTOP);
	for (;;)
		pause();
	return 0;
}

/*
 * A CLONE_VM child (a process of its own, sharing this program's mm) offers itself
 * (PTRACE_TRACEME) and this program, its tracer, pokes a word of its own code through it
 * (written back unchanged). 0 written, 1 refused (the offer or the poke).
 */
static int clone_vm_poke(void)
{
	void *addr = (void *)(uintptr_t)&wx_mmap;
	pid_t c =
		clone(clone_vm_child, clone_stack + sizeof(clone_stack), CLONE_VM | SIGCHLD, NULL);
	int st, r = 2;
	long word;

	if (c < 0 || waitpid(c, &st, 0) != c)
		return 2;
	if (!WIFSTOPPED(st))
		return WIFEXITED(st) && WEXITSTATUS(st) == 1 ? 1 : 2;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, c, addr, NULL);
	if (!errno)
		r = refused(ptrace(PTRACE_POKETEXT, c, addr, (void *)word));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return r;
}

/* Dump core: no limit on its size, then SIGABRT. */
static int core(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_CORE, &unlimited))
		return 2;
	abort();
}

/* The core_pattern helper (argv: core_sink FILE): the core on stdin, copied to FILE. */
static void core_sink(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		_exit(2);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			_exit(2);
	_exit(close(fd) || n < 0 ? 2 : 0);
}

static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 }; /* mov eax,42; ret */

/*
 * A userfaultfd on this task's mm, made by userfaultfd(2) or by /dev/userfaultfd's
 * USERFAULTFD_IOC_NEW (dev). Unprivileged, only a user-mode-only descriptor can be had
 * (vm.unprivileged_userfaultfd); a kernel that does not know the flag says EINVAL. -1 with
 * errno, or -2 when /dev/userfaultfd is missing.
 */
static int uffd_new(bool dev)
{
	int fd, ctl;

	if (!dev) {
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
		return fd >= 0 || errno != EINVAL ? fd : (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	}
	ctl = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return errno == ENOENT ? -2 : -1;
	fd = ioctl(ctl, USERFAULTFD_IOC_NEW, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0 && errno == EINVAL)
		fd = ioctl(ctl, USERFAULTFD_IOC_NEW, O_CLOEXEC);
	close(ctl);
	return fd;
}

static long ioctl64(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg);
}

/*
 * Fill the never-writable read-execute page x with code (UFFDIO_API, REGISTER, COPY) through
 * fd: 0 done, -1 with errno, 3 no ia32 entry (compat). The structs live in a page below
 * 4 GiB, which the ia32 entry needs.
 */
static int uffd_copy_code(int fd, void *x, bool compat)
{
	static unsigned char src[4096] __attribute__((aligned(4096)));
	long (*io)(int, unsigned long, void *) = compat ? enforcer_ioctl32 : ioctl64;
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	struct uffdio_api *api = (void *)low;
	struct uffdio_register *reg = (void *)(low + 256);
	struct uffdio_copy *copy = (void *)(low + 512);

	if (low == MAP_FAILED)
		return -1;
	memcpy(src, ret42, sizeof(ret42));
	*api = (struct uffdio_api){ .api = UFFD_API };
	*reg = (struct uffdio_register){ .range = { (uintptr_t)x, 4096 },
					 .mode = UFFDIO_REGISTER_MODE_MISSING };
	*copy = (struct uffdio_copy){ .dst = (uintptr_t)x, .src = (uintptr_t)src, .len = 4096 };
	if (io(fd, UFFDIO_API, api))
		return compat && errno == ENOSYS ? 3 : -1;
	return io(fd, UFFDIO_REGISTER, reg) || io(fd, UFFDIO_COPY, copy) ? -1 : 0;
}

/*
 * userfaultfd fills this program's never-writable read-execute page with code, which then
 * runs: the descriptor made one way or another (dev), the ioctls through the 64-bit or the
 * ia32 entry (compat). 3: that way does not exist here.
 */
static int uffd_fill_by(bool dev, bool compat)
{
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = uffd_new(dev), r;

	if (fd == -2)
		return 3;
	if (fd < 0)
		return refused(-1);
	if (x == MAP_FAILED)
		return 2;
	r = uffd_copy_code(fd, x, compat);
	if (r)
		return r == 3 ? 3 : refused(-1);
	return ((int (*)(void))x)() == 42 ? 0 : 2;
}

static int uffd_fill(void)
{
	return uffd_fill_by(false, false);
}

static int uffd_dev(void)
{
	return uffd_fill_by(true, false);
}

static int uffd_compat(void)
{
	return uffd_fill_by(false, true);
}

/*
 * The userfaultfd goes to a helper that is not hardened (on fd 3, then the page's address),
 * which fills this program's read-execute page; once it says so ('y'), the page is called.
 */
static int uffd_give(void)
{
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = uffd_new(false);
	char ok = 0;

	if (fd < 0)
		return refused(-1);
	if (x == MAP_FAILED || sbx_fd_send(3, fd) ||
	    write(3, &x, sizeof(x)) != (ssize_t)sizeof(x) || read(3, &ok, 1) != 1 || ok != 'y')
		return 2;
	return ((int (*)(void))x)() == 42 ? 0 : 2;
}

/* What an exec'd copy runs to say it ran (perf_exec). */
static int ran(void)
{
	return 42;
}

/* A perf event sampling pid's user stack, as perf record does: 0 made, 1 refused. */
static int perf_stack_event(pid_t pid, bool on_exec)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.sample_period = 100000,
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_STACK_USER,
		.sample_stack_user = 8192,
		.disabled = on_exec,
		.enable_on_exec = on_exec,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? refused(-1) : 0;
}

static int traceme(void)
{
	return refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL) ? -1 : 0);
}

/*
 * An exec of prog that fails (ENOEXEC: no binary format takes the file; ENOENT: its ELF
 * interpreter is missing; EPERM: the exec check refused it), then a W+X mapping: this
 * program runs on, under its own policy.
 */
static int failed_exec(const char *prog)
{
	char *argv[] = { (char *)prog, NULL }, *env[] = { NULL };

	execve(prog, argv, env);
	return errno == ENOEXEC || errno == ENOENT || errno == EPERM ? wx_mmap() : 3;
}

/*
 * A child that execs prog traced from before that exec: by its own PTRACE_TRACEME
 * (traceme_exec), or by this tracer's PTRACE_SEIZE (seize_exec). 0: the exec went through
 * and the tracer read and wrote the new program's memory (the word at its first
 * instruction, written back unchanged); 1: the exec was refused.
 */
static int traced_exec(const char *how, const char *prog)
{
	char *argv[] = { (char *)prog, NULL }, *env[] = { "SBX_HARDENED_DO=ran", NULL };
	struct user_regs_struct regs;
	int go[2], st, r = 2;
	char c;
	long word;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC))
		return 2;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (!strcmp(how, "traceme_exec") && ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(2);
		if (read(go[0], &c, 1) < 0) /* until the tracer has seized it */
			_exit(2);
		execve(prog, argv, env);
		_exit(refused(-1));
	}
	close(go[0]);
	if (pid < 0 ||
	    (!strcmp(how, "seize_exec") &&
	     ptrace(PTRACE_SEIZE, pid, NULL, (void *)PTRACE_O_TRACEEXEC)) ||
	    (!strcmp(how, "perf_exec") && perf_stack_event(pid, true))) {
		close(go[1]);
		goto out;
	}
	close(go[1]);
	if (waitpid(pid, &st, __WALL) != pid)
		goto out;
	if (WIFEXITED(st)) /* perf_exec: the program ran (42) under the event, or was refused */
		return WEXITSTATUS(st) == 42 ? 0 : WEXITSTATUS(st);
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP || ptrace(PTRACE_GETREGS, pid, NULL, &regs))
		goto out;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)regs.rip, NULL);
	if (!errno)
		r = ptrace(PTRACE_POKETEXT, pid, (void *)regs.rip, (void *)word) ? 2 : 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
	}
	return r;
}

/* The target: says where poke_target is, then waits for its stdin to close. */
static int wait_for_tracer(void)
{
	char c;

	printf("%lx\n", (unsigned long)(uintptr_t)&poke_target);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return poke_target == 0x5bb0 ? 0 : 2;
}

/* Tracer techniques on SBX_HARDENED_PID at SBX_HARDENED_ADDR (the target's poke_target). */
static int trace(const char *how)
{
	pid_t pid = atoi(getenv("SBX_HARDENED_PID") ?: "0");
	unsigned long addr = strtoul(getenv("SBX_HARDENED_ADDR") ?: "0", NULL, 16), val = 0x5bb0;
	struct iovec local = { &val, sizeof(val) }, remote = { (void *)addr, sizeof(val) };
	char path[64];
	int fd, r;

	if (!strcmp(how, "attach_poke")) {
		if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
			return refused(-1);
		waitpid(pid, NULL, __WALL);
		r = ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)val) ? 2 : 0;
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return r;
	}
	if (!strcmp(how, "pid_mem")) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return refused(-1);
		r = pwrite(fd, &val, sizeof(val), (off_t)addr) == sizeof(val) ? 0 : 2;
		close(fd);
		return r;
	}
	if (!strcmp(how, "perf_stack"))
		return perf_stack_event(pid, false);
	if (!strcmp(how, "vm_writev"))
		return refused(
			process_vm_writev(pid, &local, 1, &remote, 1, 0) == sizeof(val) ? 0 : -1);
	if (!strcmp(how, "pidfd_getfd")) {
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0)
			return 2;
		r = refused(syscall(SYS_pidfd_getfd, fd, 0, 0) < 0 ? -1 : 0);
		close(fd);
		return r;
	}
	return 3;
}

static int lib_loaded_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	return strstr(info->dlpi_name, arg) != NULL;
}

/*
 * floor: the launcher declares a hardened floor, then execs argv[1] with this environment:
 * another floor stage while argv[2] names a program after it, else SBX_HARDENED_THEN.
 */
static int floor_launch(char **argv)
{
	unsigned long policy = strtoul(getenv("SBX_HARDENED_FLOOR") ?: "0", NULL, 0);

	if (prctl(SBX_PRCTL_POLICY_FLOOR, policy, 0, 0, 0) == 0 || errno != EALREADY)
		return errno == EPERM ? 1 : 2;
	setenv("SBX_HARDENED_DO", argv[2] ? "floor" : (getenv("SBX_HARDENED_THEN") ?: ""), 1);
	execv(argv[1], argv + 1);
	return 2;
}

/* The techniques that take no argument, by their SBX_HARDENED_DO name. */
static const struct {
	const char *name;
	int (*try)(void);
} techniques[] = {
	{ "wx_mmap", wx_mmap },
	{ "wx_flip", wx_flip },
	{ "cow_flip", cow_flip },
	{ "self_mem", self_mem },
	{ "traceme", traceme },
	{ "wait", wait_for_tracer },
	{ "core", core },
	{ "uffd_fill", uffd_fill },
	{ "ran", ran },
	{ "uffd_dev", uffd_dev },
	{ "uffd_compat", uffd_compat },
	{ "uffd_give", uffd_give },
	{ "clone_vm_poke", clone_vm_poke },
};

__attribute__((constructor)) static void hardened_technique(int argc, char **argv)
{
	const char *how = getenv("SBX_HARDENED_DO"), *arg = getenv("SBX_HARDENED_ARG");

	if (argc == 3 && !strcmp(argv[1], "core_sink"))
		core_sink(argv[2]);
	if (!how || !how[0])
		return;
	for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++)
		if (!strcmp(how, techniques[i].name))
			_exit(techniques[i].try());
	if (!strcmp(how, "dlopen"))
		_exit(dlopen(arg, RTLD_NOW | RTLD_LOCAL) ? 0 : 1);
	if (!strcmp(how, "loaded")) /* is a library whose name has arg loaded (LD_PRELOAD)? */
		_exit(dl_iterate_phdr(lib_loaded_cb, (void *)arg) ? 0 : 1);
	if (!strcmp(how, "floor"))
		_exit(floor_launch(argv));
	if (!strcmp(how, "failed_exec"))
		_exit(failed_exec(arg));
	if (!strcmp(how, "traceme_exec") || !strcmp(how, "seize_exec") || !strcmp(how, "perf_exec"))
		_exit(traced_exec(how, arg));
	_exit(trace(how));
}

FIXTURE(hardened)
{
	ENFORCER_FIXTURE_DATA;
	char prog[128], tracer[128], lib_team[128], lib_other[128], lib_unsigned[128];
};

static int find_libz(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	if (info->dlpi_name[0] != '/' || !strstr(info->dlpi_name, "libz.so"))
		return 0;
	snprintf(arg, 128, "%s", info->dlpi_name);
	return 1;
}

FIXTURE_SETUP(hardened)
{
	struct sbx_diag d = { 0 };
	char libz[128];

	ENFORCER_FIXTURE_SETUP(self);
	/* Scope `sandboxed`: the hardened policy holds whatever the scope; the guest runs on. */
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	snprintf(self->prog, sizeof(self->prog), "%s/hardened", self->dir);
	snprintf(self->tracer, sizeof(self->tracer), "%s/tracer", self->dir);
	snprintf(self->lib_team, sizeof(self->lib_team), "%s/libteam.so", self->dir);
	snprintf(self->lib_other, sizeof(self->lib_other), "%s/libother.so", self->dir);
	snprintf(self->lib_unsigned, sizeof(self->lib_unsigned), "%s/libunsigned.so", self->dir);
	ASSERT_EQ(1, dl_iterate_phdr(find_libz, libz));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->prog));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->tracer));
	ASSERT_EQ(0, copy_file(libz, self->lib_team));
	ASSERT_EQ(0, copy_file(libz, self->lib_other));
	ASSERT_EQ(0, copy_file(libz, self->lib_unsigned));
	verify_loaded_objects_as_platform(self->e);
	ASSERT_EQ(0, verify_file_as(self->e, self->lib_team, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	ASSERT_EQ(0, verify_file_as(self->e, self->lib_other, NULL, 0, SBX_CACHED_VALID, 0,
				    OTHER_TEAM));
}

FIXTURE_TEARDOWN(hardened)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

/*
 * The policy sbxd stores for a signature entitled to key alone: sbx_compile_policy_flags's,
 * with the cascade applied. On error, a hardened policy that lifts nothing.
 */
static uint32_t entitled(const char *key)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag d = { 0 };
	uint32_t flags = HR;
	char text[256];
	int n = snprintf(text, sizeof(text),
			 "identifier: org.example.hardened\nentitlements:\n  %s: true\n", key);

	if (sbx_profile_load_buffer("entitled.yaml", text, (size_t)n, &p, &d) == 0)
		flags = sbx_compile_policy_flags(p, false);
	sbx_profile_free(p);
	return flags;
}

/* Give prog the verdict of a program of TEAM with this policy; run it trying `how`. */
static int try_as(FIXTURE_DATA(hardened) * self, uint32_t policy, const char *how, const char *arg,
		  const char *preload)
{
	char do_[64], arg_[192], pre[192];
	char *env[] = { do_, arg_, preload ? pre : NULL, NULL };
	char *argv[] = { self->prog, NULL };
	int err = verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, policy, TEAM);

	if (err)
		return 1000 - err;
	snprintf(do_, sizeof(do_), "SBX_HARDENED_DO=%s", how);
	snprintf(arg_, sizeof(arg_), "SBX_HARDENED_ARG=%s", arg ? arg : "");
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", preload ? preload : "");
	return run_prog(argv, env);
}

/* Cases that start a program many times have a bound of 300 s: TCG on a loaded host is slow. */

TEST_F(hardened, wx_anonymous_memory)
{
	ASSERT_EQ(0, try_as(self, 0, "wx_mmap", NULL, NULL)); /* control */
	events(self->e, 0, 0);
	EXPECT_EQ(1, try_as(self, HR, "wx_mmap", NULL, NULL));
	EXPECT_EQ(1u, events(self->e, SBX_HOOK_MMAP_EXEC, SBX_DENY_WX));
	EXPECT_EQ(0, try_as(self, entitled("cs.allow-jit"), "wx_mmap", NULL, NULL));
	/* The cascade: an upper key alone lifts what the lower ones do. */
	EXPECT_EQ(0, try_as(self, entitled("cs.allow-unsigned-executable-memory"), "wx_mmap", NULL,
			    NULL));
	EXPECT_EQ(0, try_as(self, entitled("cs.disable-executable-page-protection"), "wx_mmap",
			    NULL, NULL));
}

/* Why a technique the control (not hardened) could not use is missing here, else NULL. */
static const char *way_missing(int control)
{
	if (control == 4)
		return "this kernel writes /proc/self/mem through page protections only for a "
		       "ptracer (proc_mem.force_override)";
	if (control == 3)
		return "this kernel has no /dev/userfaultfd or no ia32 entry";
	return NULL;
}

TEST_F_TIMEOUT(hardened, write_then_execute_flips, 300)
{
	/* userfaultfd made by the syscall or /dev/userfaultfd, used through either ioctl entry */
	const char *flips[] = { "wx_flip",   "cow_flip", "self_mem",
				"uffd_fill", "uffd_dev", "uffd_compat" };

	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		int control = try_as(self, 0, flips[i], NULL, NULL);

		TH_LOG("%s", flips[i]);
		if (way_missing(control)) {
			TH_LOG("%s: not tried: %s", flips[i], way_missing(control));
			continue;
		}
		ASSERT_EQ(0, control); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, try_as(self, HR, flips[i], NULL, NULL));
		EXPECT_EQ(1u, events(self->e, i < 2 ? SBX_HOOK_MMAP_EXEC : SBX_HOOK_PTRACE,
				     SBX_DENY_WX_FLIP));
		/* cs.allow-jit is not enough for a flip, the key above it is. */
		EXPECT_EQ(1, try_as(self, entitled("cs.allow-jit"), flips[i], NULL, NULL));
		EXPECT_EQ(0, try_as(self, entitled("cs.allow-unsigned-executable-memory"), flips[i],
				    NULL, NULL));
		EXPECT_EQ(0, try_as(self, entitled("cs.disable-executable-page-protection"),
				    flips[i], NULL, NULL));
	}
}

/*
 * prog (policy) makes a userfaultfd and hands it to this test, not hardened, which fills
 * prog's read-execute page with code through it: prog's exit status (uffd_give).
 */
static int uffd_helped_as(FIXTURE_DATA(hardened) * self, uint32_t policy)
{
	char *env[] = { "SBX_HARDENED_DO=uffd_give", NULL };
	char *argv[] = { self->prog, NULL };
	posix_spawn_file_actions_t fa;
	int sv[2], fd, status, r;
	void *x;
	pid_t pid;

	if (verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, policy, TEAM) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	r = posix_spawn(&pid, self->prog, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (r) {
		close(sv[0]);
		return -1;
	}
	fd = sbx_fd_recv(sv[0]); /* -EPIPE: prog got no userfaultfd */
	if (fd >= 0 && read(sv[0], &x, sizeof(x)) == (ssize_t)sizeof(x)) {
		r = uffd_copy_code(fd, x, false);
		fprintf(stderr, "# the helper's ioctls: %s\n", r ? strerror(errno) : "done");
		if (write(sv[0], r ? "n" : "y", 1) != 1)
			r = -1;
	}
	if (fd >= 0)
		close(fd);
	close(sv[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * A userfaultfd acts on the mm that made it, whoever issues its ioctls: a hardened program
 * gets none to pass to a helper that is not hardened (or to use through the ia32 entry,
 * write_then_execute_flips' uffd_compat).
 */
TEST_F_TIMEOUT(hardened, userfaultfd_passed_to_a_helper, 300)
{
	ASSERT_EQ(0, uffd_helped_as(self, 0)); /* control */
	events(self->e, 0, 0);
	EXPECT_EQ(1, uffd_helped_as(self, HR));
	EXPECT_EQ(1u, events(self->e, SBX_HOOK_PTRACE, SBX_DENY_WX_FLIP));
	EXPECT_EQ(0, uffd_helped_as(self, entitled("cs.allow-unsigned-executable-memory")));
}

/*
 * A hardened debugger (cs.debugger) writes other programs' memory, not its own code: not
 * through /proc/self/mem, nor by POKETEXT into a CLONE_VM child of its own, which shares
 * its mm. Only cs.allow-unsigned-executable-memory lifts that, as for any hardened program
 * (write_then_execute_flips). The control: the same program, not hardened.
 */
TEST_F_TIMEOUT(hardened, debugger_writes_its_own_code, 300)
{
	const char *ways[] = { "self_mem", "clone_vm_poke" };
	const uint32_t debugger = HR | SBX_POLICY_DEBUGGER;

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		int control = try_as(self, 0, ways[i], NULL, NULL);

		TH_LOG("%s", ways[i]);
		if (way_missing(control)) {
			TH_LOG("%s: not tried: %s", ways[i], way_missing(control));
			continue;
		}
		ASSERT_EQ(0, control); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, try_as(self, debugger, ways[i], NULL, NULL));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_PTRACE, SBX_DENY_WX_FLIP));
		EXPECT_EQ(0,
			  try_as(self, debugger | entitled("cs.allow-unsigned-executable-memory"),
				 ways[i], NULL, NULL));
	}
}

/* Start prog (policy) waiting for a tracer; its pid, and poke_target's address in *addr. */
static pid_t start_target(FIXTURE_DATA(hardened) * self, uint32_t policy, int *in, char *addr)
{
	int to[2], from[2];
	char *env[] = { "SBX_HARDENED_DO=wait", NULL };
	char *argv[] = { self->prog, NULL };
	posix_spawn_file_actions_t fa;
	ssize_t n;
	pid_t pid;

	if (verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, policy, TEAM) ||
	    pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	if (posix_spawn(&pid, self->prog, &fa, NULL, argv, env))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(to[0]);
	close(from[1]);
	n = pid > 0 ? read(from[0], addr, 31) : -1;
	close(from[0]);
	addr[n > 0 ? n - 1 : 0] = '\0';
	*in = to[1];
	return pid;
}

/* The tracer (policy) tries `how` on a target (target_policy); then the target ends. */
static int trace_as(FIXTURE_DATA(hardened) * self, uint32_t policy, uint32_t target_policy,
		    const char *how)
{
	char do_[64], pid_[48], addr_[64], addr[32];
	char *env[] = { do_, pid_, addr_, NULL };
	char *argv[] = { self->tracer, NULL };
	int in, r, status;
	pid_t pid = start_target(self, target_policy, &in, addr);

	if (pid <= 0)
		return -1;
	snprintf(do_, sizeof(do_), "SBX_HARDENED_DO=%s", how);
	snprintf(pid_, sizeof(pid_), "SBX_HARDENED_PID=%d", (int)pid);
	snprintf(addr_, sizeof(addr_), "SBX_HARDENED_ADDR=%s", addr);
	r = verify_file_as(self->e, self->tracer, NULL, 0, SBX_CACHED_VALID, policy, OTHER_TEAM);
	r = r ? -1 : run_prog(argv, env);
	close(in);
	waitpid(pid, &status, 0);
	/* The target saw poke_target unchanged and ended normally. */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? r : 100 + r;
}

TEST_F_TIMEOUT(hardened, not_debuggable_from_outside, 300)
{
	const char *ways[] = { "attach_poke", "pid_mem", "vm_writev", "pidfd_getfd", "perf_stack" };

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		TH_LOG("%s", ways[i]);
		ASSERT_EQ(0, trace_as(self, 0, 0, ways[i])); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, trace_as(self, 0, HR, ways[i]));
		EXPECT_LE(1u, events(self->e, SBX_HOOK_PTRACE, SBX_DENY_NOT_DEBUGGABLE));
		EXPECT_EQ(0, trace_as(self, 0, HR | SBX_POLICY_GET_TASK_ALLOW, ways[i]));
		EXPECT_EQ(0, trace_as(self, HR | SBX_POLICY_DEBUGGER, HR, ways[i]));
		/* cs.debugger in a tracer that is not hardened: anything could be loaded in it. */
		EXPECT_EQ(1, trace_as(self, SBX_POLICY_DEBUGGER, HR, ways[i]));
	}
}

/* The tracer (policy) traces a child from before it execs prog (target_policy). */
static int traced_exec_as(FIXTURE_DATA(hardened) * self, uint32_t policy, uint32_t target_policy,
			  const char *how)
{
	char do_[64], arg_[192];
	char *env[] = { do_, arg_, NULL };
	char *argv[] = { self->tracer, NULL };

	if (verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, target_policy, TEAM) ||
	    verify_file_as(self->e, self->tracer, NULL, 0, SBX_CACHED_VALID, policy, OTHER_TEAM))
		return -1;
	snprintf(do_, sizeof(do_), "SBX_HARDENED_DO=%s", how);
	snprintf(arg_, sizeof(arg_), "SBX_HARDENED_ARG=%s", self->prog);
	return run_prog(argv, env);
}

/*
 * Attaching is asked once: a tracer that attached while the task ran something else would
 * keep reading and writing the hardened program it execs. That exec is refused instead,
 * unless the program carries get-task-allow or the tracer is a hardened cs.debugger.
 */
TEST_F_TIMEOUT(hardened, traced_before_exec, 300)
{
	const char *ways[] = { "traceme_exec", "seize_exec" };

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		TH_LOG("%s", ways[i]);
		ASSERT_EQ(0, traced_exec_as(self, 0, 0, ways[i])); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, traced_exec_as(self, 0, HR, ways[i]));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_EXEC, SBX_DENY_NOT_DEBUGGABLE));
		EXPECT_EQ(0, traced_exec_as(self, 0, HR | SBX_POLICY_GET_TASK_ALLOW, ways[i]));
		EXPECT_EQ(0, traced_exec_as(self, HR | SBX_POLICY_DEBUGGER, HR, ways[i]));
		EXPECT_EQ(1, traced_exec_as(self, SBX_POLICY_DEBUGGER, HR, ways[i]));
	}
}

/*
 * Perf events attached to a task before it execs a hardened program (perf record -- PROG,
 * here with enable_on_exec) would sample its stack: the exec is refused unless the program
 * carries get-task-allow. The control: a program not hardened runs under the event.
 */
TEST_F_TIMEOUT(hardened, watched_by_perf_before_exec, 300)
{
	ASSERT_EQ(0, traced_exec_as(self, 0, 0, "perf_exec")); /* control */
	events(self->e, 0, 0);
	EXPECT_EQ(1, traced_exec_as(self, 0, HR, "perf_exec"));
	EXPECT_EQ(1u, events(self->e, SBX_HOOK_EXEC, SBX_DENY_NOT_DEBUGGABLE));
	EXPECT_EQ(0, traced_exec_as(self, 0, HR | SBX_POLICY_GET_TASK_ALLOW, "perf_exec"));
	/* Not even a hardened debugger's events: their owner is not known at the exec. */
	EXPECT_EQ(1, traced_exec_as(self, HR | SBX_POLICY_DEBUGGER, HR, "perf_exec"));
}

TEST_F(hardened, traceme_refused)
{
	ASSERT_EQ(0, try_as(self, 0, "traceme", NULL, NULL)); /* control */
	EXPECT_EQ(1, try_as(self, HR, "traceme", NULL, NULL));
	EXPECT_EQ(0, try_as(self, HR | SBX_POLICY_GET_TASK_ALLOW, "traceme", NULL, NULL));
}

/* Write value to a sysctl file; its old value (newline kept) in old when given. */
static int sysctl_swap(const char *path, const char *value, char *old, size_t size)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	ssize_t n = 0;
	int r;

	if (fd < 0)
		return -errno;
	if (old) {
		n = read(fd, old, size - 1);
		old[n > 0 ? n : 0] = '\0';
	}
	r = n >= 0 && pwrite(fd, value, strlen(value), 0) == (ssize_t)strlen(value) ? 0 : -errno;
	close(fd);
	return r;
}

/*
 * Run argv (with SBX_HARDENED_DO=core, or a launcher that ends in it) and say what its
 * death left: -1 not a SIGABRT, else 1 if the kernel reported a core (WCOREDUMP) plus 2 if
 * the file the core_pattern names (pattern: %d for the pid) exists, which is removed.
 */
static int core_left(char *const argv[], char *const env[], const char *pattern)
{
	char path[160];
	int status, r;
	pid_t pid;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, env))
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		return -1;
	snprintf(path, sizeof(path), pattern, (int)pid);
	r = (WCOREDUMP(status) ? 1 : 0) + (unlink(path) == 0 ? 2 : 0);
	return r;
}

static int core_as(FIXTURE_DATA(hardened) * self, uint32_t policy, const char *pattern)
{
	char *env[] = { "SBX_HARDENED_DO=core", NULL };
	char *argv[] = { self->prog, NULL };

	if (verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, policy, TEAM))
		return -2;
	return core_left(argv, env, pattern);
}

/*
 * No core dump of a hardened program unless it carries get-task-allow, whatever the
 * core_pattern: a file (here on the guest's tmpfs) and a |helper (core_pipe_limit 1: the
 * kernel waits for the helper before the dumping task dies). The controls, not hardened
 * and get-task-allow, leave a core (3: WCOREDUMP and the file). A hardened floor declared
 * by the launcher (`sbx run`) counts as the verdict's own.
 */
TEST_F_TIMEOUT(hardened, no_core_dump, 300)
{
	char file[128], pipe_[256], file_left[128], sink_left[128], old_pattern[256], old_limit[32];
	const char *patterns[] = { file, pipe_ }, *lefts[] = { file_left, sink_left };
	char then[] = "SBX_HARDENED_THEN=core", floor_[64];
	char *env[] = { "SBX_HARDENED_DO=floor", then, floor_, NULL };
	char *run[] = { self->tracer, self->prog, NULL };

	snprintf(file, sizeof(file), "%s/core.%%p", self->dir);
	snprintf(file_left, sizeof(file_left), "%s/core.%%d", self->dir);
	snprintf(pipe_, sizeof(pipe_), "|%s core_sink %s/piped.%%p", self->tracer, self->dir);
	snprintf(sink_left, sizeof(sink_left), "%s/piped.%%d", self->dir);
	snprintf(floor_, sizeof(floor_), "SBX_HARDENED_FLOOR=%#x", HR);
	ASSERT_EQ(0, sysctl_swap("/proc/sys/kernel/core_pipe_limit", "1", old_limit,
				 sizeof(old_limit)));
	ASSERT_EQ(0, sysctl_swap("/proc/sys/kernel/core_pattern", file, old_pattern,
				 sizeof(old_pattern)));
	for (size_t i = 0; i < 2; i++) {
		const char *pattern = lefts[i];

		TH_LOG("%s", patterns[i]);
		EXPECT_EQ(0, sysctl_swap("/proc/sys/kernel/core_pattern", patterns[i], NULL, 0));
		EXPECT_EQ(3, core_as(self, 0, pattern)); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(0, core_as(self, HR, pattern));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_COREDUMP, SBX_DENY_NOT_DEBUGGABLE));
		EXPECT_EQ(3, core_as(self, HR | SBX_POLICY_GET_TASK_ALLOW, pattern));
		EXPECT_EQ(0, verify_file_as(self->e, self->tracer, NULL, 0, SBX_CACHED_VALID,
					    SBX_POLICY_SBX_LAUNCHER, OTHER_TEAM));
		EXPECT_EQ(0,
			  verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
		EXPECT_EQ(0, core_left(run, env, pattern));
	}
	EXPECT_EQ(0, sysctl_swap("/proc/sys/kernel/core_pattern", old_pattern, NULL, 0));
	EXPECT_EQ(0, sysctl_swap("/proc/sys/kernel/core_pipe_limit", old_limit, NULL, 0));
}

/* An ELF whose interpreter (PT_INTERP) does not exist: the ELF loader fails its exec. */
static void tiny_elf_missing_interp(struct tiny_elf *t)
{
	static const char interp[] = "/nonexistent/ld.so";
	Elf64_Ehdr *eh = (Elf64_Ehdr *)t->bytes;
	Elf64_Phdr *ph = (Elf64_Phdr *)(t->bytes + sizeof(*eh)) + 1;

	tiny_elf_exit(t, 0);
	memset(ph, 0, sizeof(*ph)); /* over the code, which never runs */
	eh->e_phnum = 2;
	ph->p_type = PT_INTERP;
	ph->p_offset = sizeof(*eh) + 2 * sizeof(*ph);
	ph->p_filesz = sizeof(interp);
	memcpy(t->bytes + ph->p_offset, interp, sizeof(interp));
	t->len = ph->p_offset + sizeof(interp);
}

/*
 * An exec can fail after its check passed: the file (validly signed, not hardened) has no
 * binary format, or its ELF interpreter is missing; or the check itself refuses it (scope
 * `all`, a file without a verdict). The hardened program that tried runs on, and stays
 * hardened: the failed exec's policy was never its own.
 */
TEST_F_TIMEOUT(hardened, failed_exec_keeps_the_old_policy, 300)
{
	static const char text[] = "not a program\n";
	char noformat[128], nointerp[128];
	const char *files[] = { noformat, nointerp, self->unverified };
	struct sbx_diag d = { 0 };
	struct tiny_elf t;

	snprintf(noformat, sizeof(noformat), "%s/noformat", self->dir);
	snprintf(nointerp, sizeof(nointerp), "%s/nointerp", self->dir);
	tiny_elf_missing_interp(&t);
	ASSERT_EQ(0, write_file(noformat, text, sizeof(text) - 1, 0755));
	ASSERT_EQ(0, write_file(nointerp, t.bytes, t.len, 0755));
	ASSERT_EQ(0, verify_file_as(self->e, noformat, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	ASSERT_EQ(0, verify_file_as(self->e, nointerp, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		TH_LOG("%s", files[i]);
		if (files[i] == self->unverified) /* refused by the check: a miss in scope `all` */
			ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE,
							   SBX_SCOPE_ALL, &d));
		ASSERT_EQ(0, try_as(self, 0, "failed_exec", files[i], NULL)); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, try_as(self, HR, "failed_exec", files[i], NULL));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_MMAP_EXEC, SBX_DENY_WX));
		EXPECT_EQ(0, try_as(self, entitled("cs.allow-jit"), "failed_exec", files[i], NULL));
	}
}

TEST_F_TIMEOUT(hardened, library_validation, 300)
{
	const uint32_t dlv = HR | SBX_POLICY_DISABLE_LIBRARY_VALIDATION;

	ASSERT_EQ(0, try_as(self, 0, "dlopen", self->lib_other, NULL)); /* control */
	ASSERT_EQ(0, try_as(self, 0, "loaded", "libunsigned", self->lib_unsigned));
	events(self->e, 0, 0);
	EXPECT_EQ(0, try_as(self, HR, "dlopen", self->lib_team, NULL));
	EXPECT_EQ(1, try_as(self, HR, "dlopen", self->lib_other, NULL));
	EXPECT_LE(1u, events(self->e, SBX_HOOK_MMAP_EXEC, SBX_DENY_TEAM_MISMATCH));
	EXPECT_EQ(1, try_as(self, HR, "dlopen", self->lib_unsigned, NULL));
	EXPECT_EQ(1, try_as(self, HR, "loaded", "libunsigned", self->lib_unsigned));
	EXPECT_LE(1u, events(self->e, SBX_HOOK_MMAP_EXEC, SBX_DENY_NO_VERDICT));
	EXPECT_EQ(0, try_as(self, dlv, "dlopen", self->lib_other, NULL));
	EXPECT_EQ(0, try_as(self, dlv, "loaded", "libunsigned", self->lib_unsigned));
}

/*
 * The floor of a sandboxed tree: only a launcher may declare it, and it hardens a program
 * whose own verdict does not; a sandboxed program that runs the launcher again is no
 * launcher, so it cannot declare a looser one.
 */
TEST_F(hardened, floor_declared_by_the_launcher_only_tightens)
{
	char then[64], floor_[64];
	char *env[] = { "SBX_HARDENED_DO=floor", then, floor_, NULL };
	char *run[] = { self->tracer, self->prog, NULL };
	char *again[] = { self->tracer, self->tracer, self->prog, NULL };

	errno = 0;
	EXPECT_EQ(-1, prctl(SBX_PRCTL_POLICY_FLOOR, HR, 0, 0, 0));
	EXPECT_EQ(EPERM, errno); /* not a launcher: this test's own process */
	ASSERT_EQ(0, verify_file_as(self->e, self->tracer, NULL, 0, SBX_CACHED_VALID,
				    SBX_POLICY_SBX_LAUNCHER, OTHER_TEAM));
	ASSERT_EQ(0, verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	snprintf(then, sizeof(then), "SBX_HARDENED_THEN=wx_mmap");
	snprintf(floor_, sizeof(floor_), "SBX_HARDENED_FLOOR=%#x", HR);
	EXPECT_EQ(1, run_prog(run, env));
	snprintf(floor_, sizeof(floor_), "SBX_HARDENED_FLOOR=%#x", HR | SBX_POLICY_ALLOW_JIT);
	EXPECT_EQ(0, run_prog(run, env)); /* control: the profile allows JIT */
	/*
	 * The sandboxed launcher is no launcher: its declaration is refused (1) before it
	 * runs prog, whose W+X mapping the JIT floor would let through (0).
	 */
	EXPECT_EQ(1, run_prog(again, env));
}

TEST_HARNESS_MAIN
