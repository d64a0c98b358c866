// SPDX-License-Identifier: GPL-2.0-only
/*
 * Root's kernel instrumentation while self-protection is armed (issue 11; atk4 K1 to K4).
 * Self-protection and "no debugging" are LSM hooks, and root's tracing programs run below
 * every hook: an fmod_ret on a security_* function returns 1 and skips the whole LSM call
 * (sbx's lsm/bpf, lsm/bpf_map, and lockdown's security_locked_down alike), a raw tracepoint
 * bpf_probe_write_user()s the verdict sbxd is about to store, bpf_probe_read_user() and
 * bpf_copy_from_user_task() read a hardened task; and without BPF, a tracefs uprobe or
 * kprobe event's fetch-args (+0(%di):string, :ustring, @user) copy a task's memory into the
 * trace buffer. No hook about the task or the object is asked in any of them.
 *
 * The family is "code root puts into the kernel's tracing paths". Closed, while armed and
 * for anyone but sbxd, by an allow-list (macOS restricts DTrace under SIP the same way):
 *  - BPF_PROG_LOAD: only the program types of kernel/sbx_instr.h. They run on packets,
 *    sockets and cgroup events, with their own context, and no helper that writes another
 *    task's memory (bpf_probe_write_user, bpf_send_signal and bpf_override_return are
 *    tracing helpers). Every other type is refused, the ones the kernel adds later too:
 *    TRACING (fentry, fexit, fmod_ret, iter, tp_btf), KPROBE (kprobe, uprobe, multi),
 *    TRACEPOINT, RAW_TRACEPOINT(_WRITABLE), PERF_EVENT, LSM, EXT (freplace rewrites a
 *    loaded program), STRUCT_OPS (sched_ext, TCP congestion control, HID-BPF: kernel
 *    callbacks with tracing helpers) and SYSCALL (sleepable, with the tracing helpers as
 *    its fallback: bpf_copy_from_user_task reads any task). Refusing the load is enough:
 *    nothing attaches without a loaded program. The type is read from the kernel's copy of
 *    the attribute (__sys_bpf copied it before the hook), so it cannot change after.
 *  - BPF_LINK_CREATE of a tracing attach type, and BPF_RAW_TRACEPOINT_OPEN: a second line,
 *    for a program loaded before the arming (sbxd refuses to arm over one: instr.c).
 *  - tracefs: opening kprobe_events, uprobe_events or dynamic_events for write (on any
 *    tracefs mount, /sys/kernel/debug/tracing included: the superblock's magic and the
 *    file's name). Reading them, and every other tracefs file, stays open.
 *
 * Borderline types let through, and why:
 *  - CGROUP_DEVICE, CGROUP_SKB, CGROUP_SOCK(_ADDR), CGROUP_SYSCTL, CGROUP_SOCKOPT: systemd
 *    loads them for DeviceAllow=, IPAddressDeny=, SocketBind=; they answer a question
 *    about one operation and change nothing outside their context.
 *  - NETFILTER, SK_LOOKUP, FLOW_DISSECTOR, LWT_*, SK_*: packet and socket paths.
 *  - LIRC_MODE2: an IR decoder on a device's raw samples.
 * Not closed (userspace/daemon/README.md): a program of an allowed type, loaded by root
 * with CAP_PERFMON, may still call bpf_probe_read_user (the kernel's base helpers); a
 * cgroup hook runs in the calling task's context, so it reads that task's memory. Closing
 * it needs the program's helper calls (an allow-list of helpers at load).
 *
 * Fast paths: the bpf hook compares the command first (PROG_LOAD, LINK_CREATE and
 * RAW_TRACEPOINT_OPEN are rare); file_open tests the write mode and the superblock's magic
 * before anything else, and looks up the configuration only for the three names.
 */
#include "sbx_enforcer.bpf.h"
#include "sbx_instr.h" /* the types anyone may load while armed */

#define SBX_TRACEFS_MAGIC 0x74726163

const char sbx_name_instr_prog[] = "(kernel instrumentation: bpf program)";
const char sbx_name_instr_attach[] = "(kernel instrumentation: bpf tracing attach)";
const char sbx_name_instr_events[] = "(kernel instrumentation: tracefs dynamic events)";

/*
 * Attach types BPF_LINK_CREATE refuses while armed: the tracing ones, and every number the
 * kernel adds after the last one this file knows (the second line need not be an
 * allow-list: a program of a refused type never loads while armed).
 */
#define SBX_ATTACH_KNOWN 58 /* BPF_TRACE_UPROBE_SESSION + 1 */
static const __u64 sbx_instr_tracing_attach =
	SBX_INSTR_TYPE(BPF_TRACE_RAW_TP) | SBX_INSTR_TYPE(BPF_TRACE_FENTRY) |
	SBX_INSTR_TYPE(BPF_TRACE_FEXIT) | SBX_INSTR_TYPE(BPF_MODIFY_RETURN) |
	SBX_INSTR_TYPE(BPF_LSM_MAC) | SBX_INSTR_TYPE(BPF_TRACE_ITER) |
	SBX_INSTR_TYPE(BPF_PERF_EVENT) | SBX_INSTR_TYPE(BPF_TRACE_KPROBE_MULTI) |
	SBX_INSTR_TYPE(BPF_LSM_CGROUP) | SBX_INSTR_TYPE(BPF_STRUCT_OPS) |
	SBX_INSTR_TYPE(BPF_TRACE_UPROBE_MULTI) | SBX_INSTR_TYPE(BPF_TRACE_KPROBE_SESSION) |
	SBX_INSTR_TYPE(BPF_TRACE_UPROBE_SESSION);

/* No `ret`: its place moved in 6.15 (self_protect.bpf.c's sbx_guard_bpf says why). */
SEC("lsm/bpf")
int BPF_PROG(sbx_instr_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	__u32 type;

	switch (cmd) {
	case BPF_PROG_LOAD:
		type = BPF_CORE_READ(attr, prog_type);
		if (SBX_INSTR_ALLOWED(type))
			return 0;
		return sbx_guard_refuse(sbx_name_instr_prog);
	case BPF_LINK_CREATE:
		type = BPF_CORE_READ(attr, link_create.attach_type);
		if (type < SBX_ATTACH_KNOWN && !(sbx_instr_tracing_attach & SBX_INSTR_TYPE(type)))
			return 0;
		return sbx_guard_refuse(sbx_name_instr_attach);
	case BPF_RAW_TRACEPOINT_OPEN:
		return sbx_guard_refuse(sbx_name_instr_attach);
	}
	return 0;
}

/* Is s the string lit (shorter than 16)? */
static __always_inline bool sbx_instr_streq(const char *s, const char *lit)
{
	for (int i = 0; i < 16; i++) {
		if (s[i] != lit[i])
			return false;
		if (!lit[i])
			return true;
	}
	return false;
}

/* Is name (a dentry's) one of tracefs's dynamic event files? */
static __always_inline bool sbx_instr_events_file(const unsigned char *name)
{
	char s[16] = {};

	if (bpf_probe_read_kernel_str(s, sizeof(s), name) < 0)
		return false;
	return sbx_instr_streq(s, "kprobe_events") || sbx_instr_streq(s, "uprobe_events") ||
	       sbx_instr_streq(s, "dynamic_events");
}

SEC("lsm/file_open")
int BPF_PROG(sbx_instr_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & SBX_FMODE_WRITE) ||
	    BPF_CORE_READ(file, f_inode, i_sb, s_magic) != SBX_TRACEFS_MAGIC)
		return 0;
	if (!sbx_instr_events_file(BPF_CORE_READ(file, f_path.dentry, d_name.name)))
		return 0;
	return sbx_guard_refuse(sbx_name_instr_events);
}

char LICENSE[] SEC("license") = "GPL";
