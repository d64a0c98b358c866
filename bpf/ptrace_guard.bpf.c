// SPDX-License-Identifier: GPL-2.0-only
/*
 * No debugging of a hardened task (sbx_hardened): nobody may attach to it, read or write
 * its memory or take its descriptors unless it carries get-task-allow or the other side is
 * a hardened program that carries cs.debugger. One hook covers most ways in:
 * ptrace_access_check, in both its modes, with one answer. ATTACH mode runs for
 * PTRACE_ATTACH and PTRACE_SEIZE (POKETEXT needs an attach first), for opening
 * /proc/PID/mem (and /proc/PID/syscall, stack), process_vm_readv/writev and pidfd_getfd.
 * READ mode gates as much: procfs's /proc/PID/fd/N (reopened with any mode the file
 * allows: a memfd O_RDWR writes the task's shared mapping), fdinfo, map_files, environ,
 * auxv, maps, smaps, pagemap, cwd, root, exe, ns, io, wchan; kcmp, process_madvise,
 * get_robust_list, move_pages, hidepid. So READ is refused too (atk4 P1), by the same
 * answer, and whatever the kernel gates on READ later is covered. What stays: what asks
 * nothing (/proc/PID/stat, statm, status, cmdline, comm: ps and top). stat's NOAUDIT
 * check hides fields only (eip, esp, wchan, the code and stack addresses): refused too,
 * without an event (NOAUDIT: every ps would send one), so they read 0 as for another
 * user's process: they are the task's memory layout, which ASLR keeps from whoever may
 * not debug it. sbxd reads (never attaches): READ is granted to it, which names the
 * program that execs in its events (/proc/PID/exe). perf asks in READ mode too, yet its
 * samples copy the task's stack and registers, so an event on a hardened task is
 * refused at perf_event_alloc, as an attach is.
 *
 * What that hook does not see:
 *  - the task itself: the kernel grants access within one thread group before asking any
 *    LSM, so the facilities that write a mapping whatever its protection, the way a
 *    debugger pokes code, are refused to a hardened task unless W^X is lifted
 *    (cs.allow-unsigned-executable-memory): /proc/self/mem opened for writing (file_open),
 *    a debugger's write into a CLONE_VM child, which shares its mm (ptrace hooks),
 *    and a userfaultfd on its mm, which fills a registered range without asking for
 *    VM_WRITE, refused where it is made (inode_init_security_anon);
 *  - PTRACE_TRACEME, where the task offers itself: ptrace_traceme;
 *  - a tracer attached before the task exec'd a hardened program (PTRACE_TRACEME, or an
 *    attach while it ran something else): attaching is asked once, so that exec is refused
 *    (exec_verdict.bpf.c), by the same two questions (sbx_debuggable, sbx_may_debug);
 *  - the launcher: sbx's supervisor reads the sandboxed program's memory and takes its
 *    descriptors to carry out calls for it (userspace/lib/supervise); a task running the
 *    sbx binary sbxd trusts (SBX_TASK_LAUNCHER, never a sandboxed one, never one exec'd
 *    under a tracer) may, on sandboxed tasks only, and on hardened ones only when that
 *    sbx is hardened itself (sbx_may_debug): else code preloaded into it would debug them.
 * Root is no exception, as on macOS: the hook runs after the capability checks. The task
 * itself (its threads) reads its own /proc/self: the kernel asks no LSM there.
 *
 * A core dump is the same memory, read by the kernel for whoever reads the core file or
 * the core_pattern helper: cred_prepare (below) refuses it.
 */
#include "sbx_enforcer.bpf.h"

/* include/linux/sched.h, the same values in 6.1 to 7.2 */
#define SBX_PF_EXITING	0x00000004
#define SBX_PF_SIGNALED 0x00000400
/* include/linux/ptrace.h (ATTACH: sbx_enforcer.bpf.h) */
#define SBX_PTRACE_MODE_NOAUDIT 0x04

const char sbx_name_core[] = "(core dump)";

static __always_inline int sbx_debug_deny(const char *name, __u32 hook, __u32 reason)
{
	struct sbx_enforcer_config *cfg = sbx_config_get();

	if (!cfg || !cfg->abi_version)
		return 0;
	return sbx_deny(cfg, NULL, name, hook, reason);
}

static __always_inline int sbx_ptrace_deny(struct task_struct *target, __u32 reason)
{
	return sbx_debug_deny((const char *)target->comm, SBX_HOOK_PTRACE, reason);
}

/*
 * 0 when debugger may debug target (sbx_debuggable, sbx_may_debug) in this ptrace mode,
 * else the refusal. sbxd may read (no ATTACH): it names the programs in its events. A
 * NOAUDIT check is refused without an event; in complain mode it is let through, as any.
 */
static __always_inline int sbx_debug_check(struct task_struct *target, struct task_struct *debugger,
					   unsigned int mode)
{
	struct sbx_task_state *ts = sbx_task_state(target, false), *ds;
	struct sbx_enforcer_config *cfg;

	if (sbx_debuggable(ts))
		return 0;
	ds = sbx_task_state(debugger, false);
	if (sbx_may_debug(ds, ts) ||
	    (!(mode & SBX_PTRACE_MODE_ATTACH) && sbx_daemon_state(debugger, ds)))
		return 0;
	if (!(mode & SBX_PTRACE_MODE_NOAUDIT))
		return sbx_ptrace_deny(target, SBX_DENY_NOT_DEBUGGABLE);
	cfg = sbx_config_get();
	return cfg && cfg->abi_version && cfg->mode == SBX_ENFORCE_ENFORCE ? -SBX_EPERM : 0;
}

/*
 * 0 unless writer is hardened and writes code a way W^X does not see: into its own mm (own:
 * /proc/self/mem, a userfaultfd, a debugger's write into a task that shares its mm) or,
 * not being a debugger, into any (a mem file). Only cs.allow-unsigned-executable-memory
 * lifts it: cs.debugger is about other programs, not its own code.
 */
static __always_inline int sbx_code_write_check(struct task_struct *writer, bool own)
{
	struct sbx_task_state *ts = sbx_task_state(writer, false);

	if (!sbx_hardened(ts) || (ts->policy & SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM))
		return 0;
	if (!own && (ts->policy & SBX_POLICY_DEBUGGER))
		return 0;
	return sbx_ptrace_deny(writer, SBX_DENY_WX_FLIP);
}

/*
 * 0 when debugger may attach to target (and so write its memory), else the refusal. A
 * target that shares the debugger's mm (a CLONE_VM child, which is a process of its own,
 * so the kernel asks) is the debugger's own code: W^X's question first, then the debug one.
 */
static __always_inline int sbx_debug_write_check(struct task_struct *target,
						 struct task_struct *debugger)
{
	struct mm_struct *mm = target->mm;
	int ret = 0;

	if (mm && mm == debugger->mm)
		ret = sbx_code_write_check(debugger, true);
	if (ret)
		return ret;
	return sbx_debug_check(target, debugger, SBX_PTRACE_MODE_ATTACH);
}

/* Both modes (the head of this file): ATTACH writes, READ reads what procfs and kcmp give. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(sbx_ptrace_check, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	if (!(mode & SBX_PTRACE_MODE_ATTACH))
		return sbx_debug_check(child, sbx_current(), mode);
	return sbx_debug_write_check(child, sbx_current());
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(sbx_traceme_check, struct task_struct *parent, int ret)
{
	if (ret)
		return ret;
	return sbx_debug_write_check(sbx_current(), parent);
}

/*
 * /proc/PID/mem (and /proc/PID/task/TID/mem) opened for writing by a hardened task. Every
 * open passes here: the fast path reads the superblock's magic and returns, no lookup.
 * The kernel asks no LSM when the file is of the opener's own thread group, so its own
 * code is judged here, by the file's task's mm whatever PID names it (an mm that cannot be
 * read counts as its own): refused unless W^X is lifted. Another process's is refused too,
 * telling no PID apart, unless the task is a debugger (cs.debugger): a hardened program
 * writing a process it may debug is debugging it, which the open asks the ptrace hook
 * about, as for anyone opening a hardened task's mem file.
 */
SEC("lsm/file_open")
int BPF_PROG(sbx_proc_mem_open, struct file *file, int ret)
{
	struct task_struct *self;
	char name[4];
	__u64 mm;

	if (ret)
		return ret;
	if (!(file->f_mode & SBX_FMODE_WRITE) ||
	    BPF_CORE_READ(file, f_inode, i_sb, s_magic) != SBX_PROC_SUPER_MAGIC)
		return 0;
	if (bpf_probe_read_kernel_str(name, sizeof(name),
				      BPF_CORE_READ(file, f_path.dentry, d_name.name)) != 4 ||
	    name[0] != 'm' || name[1] != 'e' || name[2] != 'm')
		return 0;
	self = sbx_current();
	mm = sbx_proc_mm_of(file->f_inode);
	return sbx_code_write_check(self, !mm || mm == (__u64)self->mm);
}

/*
 * No core dump of a task that may not be debugged (sbx_debuggable), started by `sbx run`
 * or not, in every core_pattern form (a file, a |helper, 6.16's @socket). The kernel's own
 * switch (dumpable, PR_SET_DUMPABLE) cannot be set from BPF and no hook asks about a dump
 * by name, so the refusal is the dump's first step that can fail: its prepare_creds().
 * get_signal() marks a task killed by a signal PF_SIGNALED and then, for a core-dumping
 * signal, calls do_coredump() (vfs_coredump() since 6.16), which asks for new credentials
 * before it waits for the other threads, names the core or starts the helper, and gives up
 * when it gets none (6.1, 6.12: `if (!cred) goto fail`; 6.16+: `return`). Nothing else
 * runs between: do_exit(), which sets PF_EXITING, comes after; a thread killed by the
 * dumping one has PF_SIGNALED but dumps nothing. So a cred_prepare in a task that has
 * PF_SIGNALED and not yet PF_EXITING is the dump's. The task dies as it would have, without
 * a core (WCOREDUMP is not set). Every prepare_creds passes here: the fast path is one flag
 * test; the lookup is a dying task's.
 */
SEC("lsm/cred_prepare")
int BPF_PROG(sbx_core_dump_check, struct cred *new, const struct cred *old, gfp_t gfp, int ret)
{
	struct task_struct *self;

	if (ret)
		return ret;
	self = sbx_current();
	if ((self->flags & (SBX_PF_SIGNALED | SBX_PF_EXITING)) != SBX_PF_SIGNALED)
		return 0;
	if (sbx_debuggable(sbx_task_state(self, false)))
		return 0;
	return sbx_debug_deny(sbx_name_core, SBX_HOOK_COREDUMP, SBX_DENY_NOT_DEBUGGABLE);
}

/*
 * Perf events, both kinds, in one program (the hook runs for every event the kernel makes,
 * inherited ones too, with its final attr and target):
 *  - bound to a task (event->hw.target): PERF_SAMPLE_STACK_USER copies up to 64 KiB of its
 *    stack a sample (registers, raw data, breakpoints too), so an event on a hardened task
 *    is refused as an attach is. The kernel asks ptrace_may_access (READ mode) of a caller
 *    without CAP_PERFMON only, and after this hook. Events made before the task exec'd a
 *    hardened program (perf record -- PROG) are the exec's (exec_verdict.bpf.c).
 *  - bound to no task (CPU-wide, pid -1, or a cgroup event: atk3 B): it samples whatever
 *    runs on its CPU, hardened tasks too (perf record -a --call-graph dwarf). As on macOS,
 *    system-wide profiling sees where every process is (addresses, call chains, counts),
 *    not a hardened process's memory or registers: such an event may record only the
 *    fields of SBX_PERF_SAMPLE_OPEN, unless the opener is a hardened program with
 *    cs.debugger (sbx_may_debug), which may debug every hardened task anyway.
 * Why perf_event_alloc and not perf_event_open: the latter gets only the check's type in
 * 6.12 and 7.2 (their BTF: bpf_lsm_perf_event_open(int type)), and in 6.1 the attr but
 * not the event. exclude_user is no way out: a sample taken in the kernel still copies the
 * interrupted task's user registers and stack (perf_sample_regs_user reads task_pt_regs).
 * Nothing changes sample_type after the event is made (PERF_EVENT_IOC_MODIFY_ATTRIBUTES
 * only moves a breakpoint). Fast path: an event without a task whose fields are all on
 * the list returns before any lookup (perf record -a without user stacks costs nothing).
 */
/*
 * The fields of enum perf_event_sample_format (uapi: the same values in 6.1 to 7.2) that
 * are addresses, identifiers or counts. CALLCHAIN's user part is return addresses the kernel
 * reads off the user stack by frame pointer, BRANCH_STACK the last branches' source and
 * target, ADDR a data address, TRANSACTION an abort code and flags. Left off: RAW
 * (tracepoint payloads: system call arguments, what the probe fetched), REGS_USER,
 * STACK_USER, REGS_INTR (the user registers when the interrupt hit user mode), AUX (a
 * PMU's trace or sample buffer: Intel PT, ARM SPE), and every bit above WEIGHT_STRUCT.
 * One exception: the raw data of a BPF output event (PERF_COUNT_SW_BPF_OUTPUT, what
 * libbpf's perf_buffer and BCC open on every CPU) is only what a BPF program writes
 * there, never a sampled task's state; what such a program may read is root's BPF
 * tracing, which no perf event rule reaches (userspace/daemon/README.md, Limits).
 */
#define SBX_PERF_SAMPLE_OPEN                                                           \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |      \
	 PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_ID | PERF_SAMPLE_CPU | \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_BRANCH_STACK |       \
	 PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_IDENTIFIER |          \
	 PERF_SAMPLE_TRANSACTION | PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_CGROUP |        \
	 PERF_SAMPLE_DATA_PAGE_SIZE | PERF_SAMPLE_CODE_PAGE_SIZE | PERF_SAMPLE_WEIGHT_STRUCT)

const char sbx_name_perf[] = "(perf event without a task)";

SEC("lsm/perf_event_alloc")
int BPF_PROG(sbx_perf_event_check, struct perf_event *event, int ret)
{
	struct task_struct *task;
	__u64 allowed = SBX_PERF_SAMPLE_OPEN;

	if (ret)
		return ret;
	task = event->hw.target; /* a BTF pointer, as task storage needs */
	if (task)
		return sbx_debug_check(task, sbx_current(), SBX_PTRACE_MODE_ATTACH);
	if (event->attr.type == PERF_TYPE_SOFTWARE &&
	    event->attr.config == PERF_COUNT_SW_BPF_OUTPUT)
		allowed |= PERF_SAMPLE_RAW;
	if (!(event->attr.sample_type & ~allowed) ||
	    sbx_may_debug(sbx_task_state(sbx_current(), false), NULL))
		return 0;
	return sbx_debug_deny(sbx_name_perf, SBX_HOOK_PERF, SBX_DENY_NOT_DEBUGGABLE);
}

/*
 * userfaultfd installs pages in a registered range whatever its protection (UFFDIO_COPY,
 * ZEROPAGE, CONTINUE, MOVE: registering checks VM_MAYWRITE, which every private mapping
 * has), so whoever holds one on a hardened task's mm writes code into its read-execute
 * memory: the task itself, or any helper it passes the descriptor to, through either ioctl
 * entry (file_ioctl, file_ioctl_compat). So a hardened task gets none: a userfaultfd is
 * bound to the mm of the task that makes it, here, where both userfaultfd(2) and
 * /dev/userfaultfd's USERFAULTFD_IOC_NEW name its anonymous inode, on 6.1 to 7.2. The one
 * made for a fork event (context_inode set) is for a child of an mm that already had one,
 * so not a hardened mm: the exec that hardens a task gives it a new mm, and every task that
 * shares a hardened mm carries its policy (task_alloc refuses a thread or CLONE_VM child
 * it cannot give one). The fast path is the name, no lookup.
 */
SEC("lsm/inode_init_security_anon")
int BPF_PROG(sbx_userfaultfd_new, struct inode *inode, const struct qstr *name,
	     const struct inode *context_inode, int ret)
{
	static const char uffd[] = "[userfaultfd]";
	char buf[sizeof(uffd)];

	if (ret)
		return ret;
	if (BPF_CORE_READ(name, len) != sizeof(uffd) - 1 ||
	    bpf_probe_read_kernel(buf, sizeof(buf), BPF_CORE_READ(name, name)))
		return 0;
	for (int i = 0; i < sizeof(uffd); i++)
		if (buf[i] != uffd[i])
			return 0;
	return sbx_code_write_check(sbx_current(), true);
}

char LICENSE[] SEC("license") = "GPL";
