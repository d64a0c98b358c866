// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory and kernel code while self-protection is armed (issue 11, atk6k F2 and M):
 * the family is "root, not sbxd, reads kernel memory or another process's memory through
 * the kernel's debug routes, or runs kernel code sbx has not vetted". Two questions the
 * kernel itself asks at every such route, answered for anyone but sbxd while armed:
 *
 * 1. security_locked_down(reason) (lsm/locked_down): the kernel's own list of routes, the
 *    one its lockdown LSM answers in integrity and confidentiality modes, asked in the
 *    caller's context whether or not lockdown is active (the bpf LSM's hook runs on the
 *    cloud kernels' lockdown=none too). An allow-list of reasons, so a route the kernel
 *    adds later is closed too. Refused (the enum's values are CO-RE relocated: they moved
 *    between 6.1 and 7.x):
 *     MODULE_SIGNATURE      an unsigned module, or one signed by a key the kernel lacks
 *                           (atk6k M); a module the kernel's keyring verifies never asks,
 *                           so the distribution's modules load (platform code, as SIP
 *                           admits signed kexts)
 *     MODULE_PARAMETERS     a signed module's hardware parameters (I/O ports, memory)
 *     KEXEC                 kexec_load, and kexec_file_load of an image the kernel cannot
 *                           verify: a new kernel of root's choosing
 *     DEV_MEM, KCORE        /dev/mem, /dev/kmem, /dev/port; /proc/kcore
 *     BPF_READ_KERNEL       bpf_probe_read_kernel(_str), bpf_probe_read (asked when the
 *                           verifier offers the helper, so at load, in the loader's context;
 *                           atk6k F2)
 *     BPF_WRITE_USER        bpf_probe_write_user
 *     PERF, KPROBES         perf's interrupt registers, kprobes by perf or tracefs
 *     DEBUGFS               debugfs files that write, ioctl or mmap
 *     HIBERNATION           an image written and read back in as memory
 *     PCI_ACCESS, IOPORT, MSR, ACPI_TABLES, DEVICE_TREE, PCMCIA_CIS, TIOCSSERIAL,
 *     MMIOTRACE, EFI_TEST   hardware that reaches memory by DMA or I/O, or kernel tables
 *     XMON_*, RTAS_*, XEN_USER_ACTIONS   other architectures' and hypervisors' routes
 *     DBG_READ/WRITE_KERNEL kdb: decided without the caller's identity (below)
 *    Allowed, and why:
 *     NONE                  not a route
 *     TRACEFS               opening a tracefs file; every write and instance is refused by
 *                           instr_guard.bpf.c already, reading stays open there by design
 *     XFRM_SECRET           whether an IPsec key dump carries the keys root installed: an
 *                           interface of its own data, not a route to memory, and asked from
 *                           SA-expiry timers, where the current task is whoever was running
 *    What systemd and a running machine do that this refuses while armed (the cost): load
 *    an unsigned DKMS module (sign it with a key in the kernel's keyring, or load it before
 *    sbxd arms), load a kdump kernel with kexec_load (before sbxd arms, or kexec_file_load
 *    of a verified image), hibernate (logind reports it unavailable), setserial, dmidecode's
 *    /dev/mem fallback, perf record -e ...:k with --intr-regs, bpftrace, debugfs writes.
 *
 * 2. CAP_PERFMON, inside bpf(BPF_PROG_LOAD) (lsm/capable): lockdown does not cover every BPF
 *    read of kernel memory. For the program types anyone may load while armed (kernel/
 *    sbx_instr.h), the verifier offers what reads outside the program's context only to
 *    CAP_PERFMON (or CAP_SYS_ADMIN, perfmon_capable's fallback): loads through BTF pointers
 *    (bpf_get_current_task_btf, bpf_skc_to_*, bpf_rdonly_cast on 6.2+, typed __ksym
 *    variables: "access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN"), and the helpers
 *    bpf_probe_read_user(_str), bpf_snprintf (%s reads any kernel string), bpf_snprintf_btf
 *    (dumps a kernel struct at any address), bpf_trace_printk, bpf_get_current_task. None of
 *    them asks lockdown. The kernel draws the line there; so does sbx: while armed, a
 *    loader other than sbxd is verified without CAP_PERFMON, as a CAP_BPF-only loader is.
 *    Both capabilities are refused only while the calling thread is in bpf() with
 *    BPF_PROG_LOAD (its own saved syscall number and first argument: x86-64 and ia32), so
 *    root keeps CAP_SYS_ADMIN everywhere else. Cost: root's programs of those types are
 *    verified as unprivileged-pointer programs (Spectre v1 masking, no pointer stored in a
 *    map); systemd's cgroup programs need none of it. The refusal is silent (no event): the
 *    verifier asks four times per load and once per such helper, and it tells the loader
 *    why its program was rejected.
 *
 * 3. What a kfunc leaves (lsm/bpf_prog, at the load's descriptor): CAP_BPF alone calls
 *    kfuncs, and on 7.2 bpf_rdonly_cast(addr, 0) returns untyped memory that is read
 *    without CAP_PERFMON (measured: a SCHED_CLS program loaded armed with rules 1 and 2
 *    alone). The verifier inlines the cast into a move, so what is left is the load
 *    through it: a BPF_PROBE_MEM, which the verifier counts in aux->num_exentries as it
 *    counts every load through a BTF pointer, untrusted memory or an arena. While armed a
 *    program of anyone but sbxd with such a load, or naming a kernel symbol by BTF
 *    (__ksym: aux->used_btf_cnt), gets no descriptor and is freed unrun. Only at load (the
 *    thread in bpf(BPF_PROG_LOAD)): a descriptor for a program loaded before the arming
 *    (bpftool prog show) is self_protect's question.
 *
 * 4. kfunc calls as such (the family: a call into kernel code by BTF id, the verifier's
 *    BPF_PSEUDO_KFUNC_CALL). kfuncs read and write kernel objects (bpf_rdonly_cast, the
 *    conntrack and XDP ones, bpf_obj_new, dynptrs over packets and kernel memory, crypto,
 *    cgroup and task acquire/release, bpf_kfunc_call_test*), and the set grows with every
 *    kernel and module: so an allow-list, and it is empty. While armed, a program of anyone
 *    but sbxd with a kfunc call is refused, whatever the function (module kfuncs too: the
 *    instruction's off names a module's BTF). Why empty: the programs an armed machine
 *    loads of the allowed types (systemd's cgroup programs: DeviceAllow=, IPAddressDeny=,
 *    SocketBind=, RestrictNetworkInterfaces=) call none; no kfunc is needed for a packet
 *    or cgroup verdict; and even those that read nothing (bpf_rcu_read_lock) only serve
 *    programs that walk kernel pointers. Cost: root's tc/XDP programs that use conntrack
 *    lookups, dynptrs, open-coded iterators (bpf_iter_num_*) or XDP metadata load before
 *    sbxd arms, or not at all while armed.
 *    Where: lsm/bpf_prog_load (6.9+), which the kernel asks after it copied the
 *    instructions into the program and before the verifier runs (so nothing is verified,
 *    JITed or run for a refused one), in the loader's context. The instructions are the
 *    kernel's copy (prog->insnsi), the very ones the verifier reads, so the loader cannot
 *    change them after. Before 6.9 (6.1) the same scan at lsm/bpf_prog, at the load's
 *    descriptor, over the verified instructions: the verifier keeps a kfunc call's src_reg
 *    when it fixes its address (fixup_kfunc_call), and only inlines kfuncs 6.1 lacks. Not
 *    aux->kfunc_tab: bpf_prog_jit_attempt_done() frees it after the JIT, before the
 *    descriptor (which is why a rule on it did not fire on 6.12). On 6.9+ the lsm/bpf_prog
 *    scan finds nothing (the load was refused before), and costs a scan only for loads of
 *    anyone but sbxd while armed, as does the first.
 *
 * Contexts: every reason on the allow-list is answered before any lookup, so the hook costs
 * one comparison where it is called most (tracefs opens) and never looks up task storage
 * from a timer (XFRM_SECRET). kdb's reasons are asked from the debugger's stop of every CPU:
 * answered from the configuration alone, never a task-storage lookup or an event. The other
 * refused reasons are asked by a syscall in its caller's context, where sbx_guard_refuse
 * looks up the configuration, then (armed only) the caller's task storage, as self_protect
 * does. The capable hook compares the capability first (CAP_SYS_ADMIN is asked often), then
 * the thread's saved registers, and only inside bpf(BPF_PROG_LOAD) looks anything up.
 */
#include "sbx_enforcer.bpf.h"

#define SBX_CAP_SYS_ADMIN   21
#define SBX_CAP_PERFMON	    38
#define SBX_NR_BPF	    321 /* x86-64 */
#define SBX_NR_BPF_IA32	    357
#define SBX_X32_SYSCALL_BIT 0x40000000
#define SBX_BPF_PROG_LOAD   5

const char sbx_name_lockdown[] = "(kernel memory or code: lockdown route)";
const char sbx_name_kfunc[] = "(kernel memory or code: bpf kfunc or kernel symbol)";

#define SBX_REASON(r) bpf_core_enum_value(enum lockdown_reason, r)
#define SBX_REASON_IS(what, r) \
	(bpf_core_enum_value_exists(enum lockdown_reason, r) && (what) == SBX_REASON(r))

SEC("lsm/locked_down")
int BPF_PROG(sbx_lockdown, enum lockdown_reason what, int ret)
{
	struct sbx_enforcer_config *cfg;

	if (ret)
		return ret;
	if (what == SBX_REASON(LOCKDOWN_NONE) || SBX_REASON_IS(what, LOCKDOWN_TRACEFS) ||
	    SBX_REASON_IS(what, LOCKDOWN_XFRM_SECRET))
		return 0;
	if (SBX_REASON_IS(what, LOCKDOWN_DBG_READ_KERNEL) ||
	    SBX_REASON_IS(what, LOCKDOWN_DBG_WRITE_KERNEL)) {
		cfg = sbx_config_get();
		return cfg && (cfg->flags & SBX_CONFIG_SELF_PROTECT) ? -SBX_EPERM : 0;
	}
	return sbx_guard_refuse(sbx_name_lockdown);
}

/* Is the current thread in bpf(BPF_PROG_LOAD), as its saved registers say? */
static __always_inline bool sbx_in_prog_load(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long nr = BPF_CORE_READ(regs, orig_ax) & ~SBX_X32_SYSCALL_BIT;

	if (nr == SBX_NR_BPF)
		return BPF_CORE_READ(regs, di) == SBX_BPF_PROG_LOAD;
	if (nr == SBX_NR_BPF_IA32)
		return (__u32)BPF_CORE_READ(regs, bx) == SBX_BPF_PROG_LOAD;
	return false;
}

SEC("lsm/capable")
int BPF_PROG(sbx_lockdown_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	if (ret)
		return ret;
	if (cap != SBX_CAP_PERFMON && cap != SBX_CAP_SYS_ADMIN)
		return 0;
	if (!sbx_in_prog_load())
		return 0;
	/*
	 * Silent: the verifier asks several times a load (no event per question). A branch,
	 * not "applies ? -EPERM : 0": clang turns that into a negation, whose range 6.12's
	 * verifier does not track (the program is refused at load).
	 */
	if (!sbx_guard_applies(sbx_config_get()))
		return 0;
	return -SBX_EPERM;
}

/*
 * Rule 4's scan: does one of prog's instructions call a kfunc? BPF_JMP | BPF_CALL with
 * src_reg BPF_PSEUDO_KFUNC_CALL (struct bpf_insn: code, then dst_reg in the low and src_reg
 * in the high nibble of the second byte, x86-64 being little-endian). An instruction that
 * cannot be read counts as a call (fail closed). The allow-list is empty (above): any
 * kfunc is a find. One instruction a step of bpf_loop (a program has up to 1M).
 */
#define SBX_BPF_CALL	      0x85 /* BPF_JMP | BPF_CALL */
#define SBX_PSEUDO_KFUNC_CALL 2

struct sbx_kfunc_scan {
	const __u8 *insns;
	bool found;
};

static long sbx_kfunc_scan_one(__u64 i, void *ctx)
{
	struct sbx_kfunc_scan *s = ctx;
	__u8 head[2];

	if (bpf_probe_read_kernel(head, sizeof(head), s->insns + i * 8) ||
	    (head[0] == SBX_BPF_CALL && head[1] >> 4 == SBX_PSEUDO_KFUNC_CALL)) {
		s->found = true;
		return 1;
	}
	return 0;
}

static __always_inline bool sbx_calls_kfunc(struct bpf_prog *prog)
{
	/* prog as a number (aux->prog is prog), so the loop may add a variable offset */
	struct sbx_kfunc_scan s = {
		.insns = (const __u8 *)BPF_CORE_READ(prog, aux, prog) +
			 bpf_core_field_offset(struct bpf_prog, insnsi),
	};

	bpf_loop(BPF_CORE_READ(prog, len), sbx_kfunc_scan_one, &s, 0);
	return s.found;
}

/* Rule 4, asked first: armed, not sbxd, then the scan. */
static __always_inline int sbx_kfunc_refuse(struct bpf_prog *prog)
{
	if (!sbx_guard_applies(sbx_config_get()) || !sbx_calls_kfunc(prog))
		return 0;
	return sbx_guard_refuse(sbx_name_kfunc);
}

/*
 * No `ret`: 6.16 added `bool kernel` after token, which moves it (0 anyway, as in
 * self_protect.bpf.c's sbx_guard_bpf). Optional (6.9+): userspace/lib/bpf/enforcer.c.
 */
SEC("lsm/bpf_prog_load")
int BPF_PROG(sbx_lockdown_prog_load, struct bpf_prog *prog, union bpf_attr *attr)
{
	return sbx_kfunc_refuse(prog);
}

SEC("lsm/bpf_prog")
int BPF_PROG(sbx_lockdown_bpf_prog, struct bpf_prog *prog, int ret)
{
	struct bpf_prog_aux *aux;

	if (ret)
		return ret;
	if (!sbx_in_prog_load())
		return 0;
	aux = BPF_CORE_READ(prog, aux);
	if (BPF_CORE_READ(aux, used_btf_cnt) || BPF_CORE_READ(aux, num_exentries))
		return sbx_guard_refuse(sbx_name_kfunc);
	return sbx_kfunc_refuse(prog); /* rule 4 before 6.9 */
}

char LICENSE[] SEC("license") = "GPL";
