// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, no debugging of a hardened task through perf (bpf/ptrace_guard.bpf.c's
 * perf_event_alloc, and the exec's refusal in bpf/exec_verdict.bpf.c): every way a perf event
 * observes a hardened task's user state. A hardened target keeps a secret on its stack and spins on
 * the one CPU of the guest; an observer opens an event and waits for a sample of the target:
 *  - not bound to a task (CPU-wide, a cgroup event, a uprobe or breakpoint event on the
 *    CPU): user registers, stack or raw data are refused unless the observer is a hardened
 *    cs.debugger program; addresses and counts (IP, TID, CALLCHAIN) are not;
 *  - bound to a task that is not hardened yet (already enabled, or inherited from its
 *    parent): the task's exec of a hardened program is refused.
 * Each with a control that succeeds. As root and as uid 65534 at perf_event_paranoid -1,
 * software events only (TCG guests have no PMU).
 *
 * One binary, copies of it verified with the policy each role needs (enforcer_test.h):
 * with SBX_PERF_DO set, a copy plays one role in a constructor and exits: 0 it saw the
 * target (and, for a user stack, the secret in it), 1 refused (EPERM or EACCES), 2 another
 * failure.
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "enforcer_test.h"

#define TEAM	      0x7ea4u /* the hardened program's */
#define OBSERVER_TEAM 0x0712u
#define HR	      SBX_POLICY_HARDENED_RUNTIME
#define DEBUG	      (HR | SBX_POLICY_DEBUGGER)
#define SECRET	      "SBX-PERF-SECRET-5e1d07"
#define RING_PG	      16
#define NOBODY	      65534

/* x86-64 perf_regs: sp and ip, what perf record --call-graph dwarf asks for at least. */
#define REGS_SP_IP ((1ull << 7) | (1ull << 8))

static int refused(int r)
{
	return r == 0 ? 0 : (errno == EPERM || errno == EACCES) ? 1 : 2;
}

__attribute__((noinline)) static unsigned long spin(volatile char *s)
{
	unsigned long x = 0;

	for (int i = 0; i < 100000; i++)
		x += (unsigned char)s[i & 15];
	return x;
}

/* The target: the secret on its stack, on CPU 0, spinning until its stdin closes. */
static int hold(void)
{
	volatile char secret[64];
	unsigned long sink = 0;
	cpu_set_t cpu;
	char c;

	memcpy((char *)secret, SECRET, sizeof(SECRET));
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu) || fcntl(0, F_SETFL, O_NONBLOCK))
		return 2;
	printf("%lx\n", (unsigned long)(uintptr_t)&spin);
	fflush(stdout);
	for (;;) {
		ssize_t n;

		sink += spin(secret);
		n = read(0, &c, 1);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
	}
	return sink == 1 ? 3 : 0;
}

/* spin's offset in this program's file (every copy has the same), for a uprobe. */
static int spin_offset_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t vaddr = (uintptr_t)&spin - info->dlpi_addr;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr &&
		    vaddr < ph->p_vaddr + ph->p_memsz) {
			*(uint64_t *)arg = vaddr - ph->p_vaddr + ph->p_offset;
			return 1;
		}
	}
	return 0;
}

static int uprobe_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int t = -1;

	if (f) {
		if (fscanf(f, "%d", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

/* Does the sample record rec (len bytes, of sample_type) come from pid, with the secret? */
static bool sample_of(const unsigned char *rec, size_t len, uint64_t sample_type, pid_t pid)
{
	size_t at = sizeof(struct perf_event_header) + 8; /* PERF_SAMPLE_IP comes first */
	uint32_t spid;

	if (len < at + 8)
		return false;
	memcpy(&spid, rec + at, sizeof(spid));
	if ((pid_t)spid != pid)
		return false;
	return !(sample_type & PERF_SAMPLE_STACK_USER) ||
	       memmem(rec, len, SECRET, sizeof(SECRET) - 1);
}

/* Wait (a bounded number of wake-ups) for a sample of pid in the ring of fd. */
static int wait_sample(int fd, uint64_t sample_type, pid_t pid)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), size = RING_PG * pg;
	struct perf_event_mmap_page *meta;
	static unsigned char rec[65536];
	unsigned char *data;
	int r = 2;

	meta = mmap(NULL, (RING_PG + 1) * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (meta == MAP_FAILED)
		return 2;
	data = (unsigned char *)meta + pg;
	for (int round = 0; round < 600 && r; round++) {
		struct pollfd p = { fd, POLLIN, 0 };
		uint64_t head, tail = meta->data_tail;

		poll(&p, 1, 100);
		head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		while (r && tail + sizeof(struct perf_event_header) <= head) {
			struct perf_event_header h;

			for (size_t i = 0; i < sizeof(h); i++)
				((unsigned char *)&h)[i] = data[(tail + i) % size];
			if (!h.size || tail + h.size > head)
				break;
			for (size_t i = 0; i < h.size && i < sizeof(rec); i++)
				rec[i] = data[(tail + i) % size];
			if (h.type == PERF_RECORD_SAMPLE &&
			    sample_of(rec, h.size, sample_type, pid))
				r = 0;
			tail += h.size;
		}
		__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	}
	munmap(meta, (RING_PG + 1) * pg);
	return r;
}

/*
 * The observer: an event of SBX_PERF_HOW (cpu, cgroup:DIR, uprobe:FILE, bp) on CPU 0
 * recording IP, TID and SBX_PERF_SAMPLE, then a sample of SBX_PERF_PID.
 */
static int watch(void)
{
	const char *how = getenv("SBX_PERF_HOW") ?: "cpu";
	uint64_t extra = strtoull(getenv("SBX_PERF_SAMPLE") ?: "0", NULL, 0), off = 0;
	pid_t pid = atoi(getenv("SBX_PERF_PID") ?: "0"), who = -1;
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000, /* 1 ms */
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | extra,
		.sample_regs_user = REGS_SP_IP,
		.sample_regs_intr = REGS_SP_IP,
		.sample_stack_user = 8192,
		.wakeup_events = 1,
		.exclude_kernel = 1,
	};
	unsigned long flags = PERF_FLAG_FD_CLOEXEC;
	int fd, r;

	if (!strncmp(how, "cgroup:", 7)) {
		who = open(how + 7, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (who < 0)
			return 2;
		flags |= PERF_FLAG_PID_CGROUP;
	} else if (!strncmp(how, "uprobe:", 7)) {
		a.type = (uint32_t)uprobe_type();
		a.config1 = (uint64_t)(uintptr_t)(how + 7);
		dl_iterate_phdr(spin_offset_cb, &off);
		a.config2 = off;
		a.sample_period = 1;
	} else if (!strcmp(how, "bpf_output")) {
		a.config = PERF_COUNT_SW_BPF_OUTPUT; /* no program writes: made is the answer */
		a.sample_period = 1;
	} else if (!strcmp(how, "bp")) {
		a.type = PERF_TYPE_BREAKPOINT;
		a.config = 0;
		a.bp_type = HW_BREAKPOINT_X;
		a.bp_addr = strtoull(getenv("SBX_PERF_ADDR") ?: "0", NULL, 16);
		a.bp_len = sizeof(long);
		a.sample_period = 1;
	}
	fd = (int)syscall(SYS_perf_event_open, &a, who, 0, -1, flags);
	if (fd < 0) {
		r = refused(-1);
		if (r != 1)
			fprintf(stderr, "perf_event_open(%s, %#llx): %s\n", how,
				(unsigned long long)a.sample_type, strerror(errno));
		return r;
	}
	return strcmp(how, "bpf_output") ? wait_sample(fd, a.sample_type, pid) : 0;
}

/*
 * Run SBX_PERF_ARG (a path) as the target, with an event made before its exec (how:
 * "enabled" on the child, "inherit" on this task before the fork), and wait for a sample
 * of the running program with the secret in its stack: 0 seen, 1 the exec was refused.
 */
static int exec_watched(const char *how)
{
	const char *prog = getenv("SBX_PERF_ARG") ?: "";
	char *argv[] = { (char *)prog, NULL }, *env[] = { "SBX_PERF_DO=hold", NULL };
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.sample_period = 1000000,
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_STACK_USER,
		.sample_stack_user = 8192,
		.wakeup_events = 1,
		.exclude_kernel = 1,
		.inherit = !strcmp(how, "inherit"),
	};
	int in[2], out[2], fd = -1, st, r = 2;
	char line[32];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return 2;
	/*
	 * inherit: on this task, inherited by the child below, whose samples come here. On
	 * one CPU (the target's), as perf record does: a ring is refused to an inherited
	 * event on every CPU.
	 */
	if (a.inherit &&
	    (fd = (int)syscall(SYS_perf_event_open, &a, 0, 0, -1, PERF_FLAG_FD_CLOEXEC)) < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || read(0, line, 1) != 1)
			_exit(2);
		execve(prog, argv, env);
		_exit(refused(-1));
	}
	close(in[0]);
	close(out[1]);
	/* enabled: on the child itself, sampling from now, before its exec */
	if (pid > 0 && !a.inherit)
		fd = (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (pid > 0 && fd >= 0 && write(in[1], "g", 1) == 1) {
		/* the program says where it spins once it runs; nothing if its exec failed */
		if (read(out[0], line, sizeof(line)) > 0)
			r = wait_sample(fd, a.sample_type, pid);
		close(in[1]);
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 1)
			r = 1;
	} else if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return r;
}

__attribute__((constructor)) static void perf_role(void)
{
	const char *how = getenv("SBX_PERF_DO");

	if (!how || !how[0])
		return;
	if (!strcmp(how, "hold"))
		_exit(hold());
	if (!strcmp(how, "watch"))
		_exit(watch());
	if (!strcmp(how, "enabled") || !strcmp(how, "inherit"))
		_exit(exec_watched(how));
	_exit(3);
}

FIXTURE(perf)
{
	ENFORCER_FIXTURE_DATA;
	char prog[128], observer[128], cgroup_mnt[128], paranoid[16];
	pid_t holder;
	int target_in;
	char addr[32];
};

FIXTURE_VARIANT(perf)
{
	uid_t uid;
};

FIXTURE_VARIANT_ADD(perf, root){
	.uid = 0,
};

/* Anyone at perf_event_paranoid -1 may open CPU-wide events. */
FIXTURE_VARIANT_ADD(perf, nobody){
	.uid = NOBODY,
};

static int read_paranoid(char *buf, size_t len)
{
	int fd = open("/proc/sys/kernel/perf_event_paranoid", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? 0 : -1;
}

static int write_paranoid(const char *v)
{
	return write_file("/proc/sys/kernel/perf_event_paranoid", v, strlen(v), 0644);
}

FIXTURE_SETUP(perf)
{
	self->holder = 0;
	self->cgroup_mnt[0] = '\0';
	self->paranoid[0] = '\0';
	ENFORCER_FIXTURE_SETUP(self);
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->prog, sizeof(self->prog), "%s/hardened", self->dir);
	snprintf(self->observer, sizeof(self->observer), "%s/observer", self->dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->prog));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->observer));
	verify_loaded_objects_as_platform(self->e);
	ASSERT_EQ(0, verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, HR, TEAM));
	ASSERT_EQ(0, read_paranoid(self->paranoid, sizeof(self->paranoid)));
	ASSERT_EQ(0, write_paranoid("-1\n"));
}

FIXTURE_TEARDOWN(perf)
{
	if (self->holder > 0) {
		kill(self->holder, SIGKILL);
		waitpid(self->holder, NULL, 0);
	}
	if (self->cgroup_mnt[0])
		umount2(self->cgroup_mnt, MNT_DETACH);
	if (self->paranoid[0])
		write_paranoid(self->paranoid);
	enforcer_fixture_cleanup(self->e, self->dir);
}

/* Start the hardened target, which says where spin is; 0 or -1. */
static int start_target(FIXTURE_DATA(perf) * self)
{
	int in[2], out[2];
	char *argv[] = { self->prog, NULL }, *env[] = { "SBX_PERF_DO=hold", NULL };
	ssize_t n;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	self->holder = fork();
	if (self->holder == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execve(argv[0], argv, env);
		_exit(98);
	}
	close(in[0]);
	close(out[1]);
	self->target_in = in[1];
	n = read(out[0], self->addr, sizeof(self->addr) - 1);
	close(out[0]);
	if (n <= 0)
		return -1;
	self->addr[strcspn(self->addr, "\n")] = '\0';
	return 0;
}

/* The observer, verified with policy, watches the target with how and sample: its answer. */
static int observe(FIXTURE_DATA(perf) * self, const FIXTURE_VARIANT(perf) * variant,
		   uint32_t policy, const char *how, uint64_t sample)
{
	char pid_[32], how_[192], sample_[48], addr_[48];
	char *env[] = { "SBX_PERF_DO=watch", pid_, how_, sample_, addr_, NULL };
	char *argv[] = { self->observer, NULL };

	if (verify_file_as(self->e, self->observer, NULL, 0, SBX_CACHED_VALID, policy,
			   OBSERVER_TEAM))
		return -1;
	snprintf(pid_, sizeof(pid_), "SBX_PERF_PID=%d", (int)self->holder);
	snprintf(how_, sizeof(how_), "SBX_PERF_HOW=%s", how);
	snprintf(sample_, sizeof(sample_), "SBX_PERF_SAMPLE=%#llx", (unsigned long long)sample);
	snprintf(addr_, sizeof(addr_), "SBX_PERF_ADDR=%s", self->addr);
	return run_prog_as(variant->uid, argv, env);
}

/*
 * For an event of kind how, the target running: the controls (addresses and counts for
 * anyone, a user stack for a hardened cs.debugger) see the target; each field of
 * user_state is refused to anyone else, and reported; so is a user stack to cs.debugger
 * without the hardened runtime, and to the hardened runtime without cs.debugger. (The
 * list does not depend on the kind of event: the CPU-wide case tries every field, the
 * others the user stack, to stay within the suite's time on a loaded TCG host.)
 */
static void user_state_refused(FIXTURE_DATA(perf) * self, const FIXTURE_VARIANT(perf) * variant,
			       struct __test_metadata *_metadata, const char *how,
			       const uint64_t *user_state, size_t n)
{
	ASSERT_EQ(0, observe(self, variant, 0, how, PERF_SAMPLE_CALLCHAIN)); /* control */
	ASSERT_EQ(0, observe(self, variant, DEBUG, how, PERF_SAMPLE_STACK_USER)); /* control */
	events(self->e, 0, 0);
	for (size_t i = 0; i < n; i++) {
		TH_LOG("%s, sample_type %#llx", how, (unsigned long long)user_state[i]);
		EXPECT_EQ(1, observe(self, variant, 0, how, user_state[i]));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE));
	}
	/* cs.debugger counts in a hardened program only; the hardened runtime alone does not */
	EXPECT_EQ(1, observe(self, variant, SBX_POLICY_DEBUGGER, how, PERF_SAMPLE_STACK_USER));
	EXPECT_EQ(1, observe(self, variant, HR, how, PERF_SAMPLE_STACK_USER));
	EXPECT_EQ(2u, events(self->e, SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE));
}

static const uint64_t every_user_state[] = { PERF_SAMPLE_STACK_USER, PERF_SAMPLE_REGS_USER,
					     PERF_SAMPLE_REGS_INTR, PERF_SAMPLE_RAW };
static const uint64_t user_stack[] = { PERF_SAMPLE_STACK_USER };

/* perf record -a --call-graph dwarf: a CPU-wide event (pid -1). */
TEST_F_TIMEOUT(perf, cpu_wide_user_state_refused, 600)
{
	ASSERT_EQ(0, start_target(self));
	user_state_refused(self, variant, _metadata, "cpu", every_user_state,
			   sizeof(every_user_state) / sizeof(every_user_state[0]));
}

/* A cgroup event (perf record -G, PERF_FLAG_PID_CGROUP) on the cgroup2 root, the target's. */
TEST_F_TIMEOUT(perf, cgroup_user_state_refused, 600)
{
	struct perf_event_attr a = { .size = sizeof(a),
				     .type = PERF_TYPE_SOFTWARE,
				     .config = PERF_COUNT_SW_CPU_CLOCK };
	char how[192];
	int cg, fd;

	snprintf(self->cgroup_mnt, sizeof(self->cgroup_mnt), "%s/cg", self->dir);
	ASSERT_EQ(0, mkdir(self->cgroup_mnt, 0755));
	if (mount("cgroup2", self->cgroup_mnt, "cgroup2", 0, NULL)) {
		self->cgroup_mnt[0] = '\0';
		SKIP(return, "no cgroup2 to mount here: %s", strerror(errno));
	}
	cg = open(self->cgroup_mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, cg);
	fd = (int)syscall(SYS_perf_event_open, &a, cg, 0, -1, PERF_FLAG_PID_CGROUP);
	close(cg);
	if (fd < 0)
		SKIP(return, "no cgroup perf events here (CONFIG_CGROUP_PERF): %s",
			   strerror(errno));
	close(fd);
	snprintf(how, sizeof(how), "cgroup:%s", self->cgroup_mnt);
	ASSERT_EQ(0, start_target(self));
	user_state_refused(self, variant, _metadata, how, user_stack, 1);
}

/*
 * A uprobe on the hardened program's code, CPU-wide (the uprobe PMU, as perf probe -x
 * and bpftrace make): the same list. The uprobe PMU wants CAP_PERFMON whatever the
 * paranoia, so only root can make one at all.
 */
TEST_F_TIMEOUT(perf, uprobe_user_state_refused, 600)
{
	char how[160];

	if (uprobe_type() < 0)
		SKIP(return, "no uprobe PMU (CONFIG_UPROBE_EVENTS)");
	if (variant->uid)
		SKIP(return, "the uprobe PMU needs CAP_PERFMON: uid %d cannot make one", NOBODY);
	snprintf(how, sizeof(how), "uprobe:%s", self->prog);
	ASSERT_EQ(0, start_target(self));
	user_state_refused(self, variant, _metadata, how, user_stack, 1);
}

/* An execute breakpoint on the hardened program's code, CPU-wide: the same list. */
TEST_F_TIMEOUT(perf, breakpoint_user_state_refused, 600)
{
	ASSERT_EQ(0, start_target(self));
	user_state_refused(self, variant, _metadata, "bp", user_stack, 1);
}

/*
 * A BPF output event on the CPU (libbpf's perf_buffer, BCC): its raw data is what a BPF
 * program writes, so RAW is allowed there, and nothing else beyond the list.
 */
TEST_F(perf, bpf_output_raw_allowed)
{
	ASSERT_EQ(0, observe(self, variant, 0, "bpf_output", PERF_SAMPLE_RAW));
	events(self->e, 0, 0);
	EXPECT_EQ(1,
		  observe(self, variant, 0, "bpf_output", PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER));
	EXPECT_EQ(1u, events(self->e, SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE));
	EXPECT_EQ(0, observe(self, variant, DEBUG, "bpf_output",
			     PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER));
}

/* The watcher (policy) runs the program with an event bound to it, or its parent, before. */
static int exec_watched_as(FIXTURE_DATA(perf) * self, const FIXTURE_VARIANT(perf) * variant,
			   uint32_t target_policy, const char *how)
{
	char do_[64], arg_[192];
	char *env[] = { do_, arg_, NULL };
	char *argv[] = { self->observer, NULL };

	if (verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, target_policy, TEAM) ||
	    verify_file_as(self->e, self->observer, NULL, 0, SBX_CACHED_VALID, 0, OBSERVER_TEAM))
		return -1;
	snprintf(do_, sizeof(do_), "SBX_PERF_DO=%s", how);
	snprintf(arg_, sizeof(arg_), "SBX_PERF_ARG=%s", self->prog);
	return run_prog_as(variant->uid, argv, env);
}

/*
 * A task event made while the task ran something else goes on sampling after its exec,
 * user stack included (the kernel ends them only when the new image is not dumpable):
 * already enabled, or inherited from the parent's event at fork. The exec of a hardened
 * program is refused unless it carries get-task-allow; a program that is not hardened is
 * sampled, its secret seen.
 * (enable_on_exec: enforcer_hardened's watched_by_perf_before_exec.)
 */
TEST_F_TIMEOUT(perf, task_event_before_exec, 300)
{
	const char *ways[] = { "enabled", "inherit" };

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		TH_LOG("%s", ways[i]);
		ASSERT_EQ(0, exec_watched_as(self, variant, 0, ways[i])); /* control */
		events(self->e, 0, 0);
		EXPECT_EQ(1, exec_watched_as(self, variant, HR, ways[i]));
		EXPECT_EQ(1u, events(self->e, SBX_HOOK_EXEC, SBX_DENY_NOT_DEBUGGABLE));
		EXPECT_EQ(0,
			  exec_watched_as(self, variant, HR | SBX_POLICY_GET_TASK_ALLOW, ways[i]));
	}
}

TEST_HARNESS_MAIN
