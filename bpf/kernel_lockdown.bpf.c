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
 *    (bpftool prog show) is self_protect's question. Not closed: a kfunc call as such
 *    (a rule on aux->kfunc_tab did not fire for it at the descriptor on 6.12), so a
 *    kfunc that copies kernel memory into the program's own buffer without a probe load
 *    would pass; enforcer_lockdown's rcu case is the XFAIL, closed by an allow-list of
 *    kfunc BTF ids at lsm/bpf_prog_load (6.9+), not written.
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

SEC("lsm/bpf_prog")
int BPF_PROG(sbx_lockdown_bpf_prog, struct bpf_prog *prog, int ret)
{
	struct bpf_prog_aux *aux;

	if (ret)
		return ret;
	aux = BPF_CORE_READ(prog, aux);
	if (!BPF_CORE_READ(aux, used_btf_cnt) && !BPF_CORE_READ(aux, num_exentries))
		return 0;
	if (!sbx_in_prog_load())
		return 0;
	return sbx_guard_refuse(sbx_name_kfunc);
}

char LICENSE[] SEC("license") = "GPL";
