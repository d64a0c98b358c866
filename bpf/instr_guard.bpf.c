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
 *  - BPF_PROG_ATTACH and BPF_LINK_CREATE: only the attach types of the allowed program
 *    types (SBX_INSTR_ALLOWED_ATTACH), an allow-list, and BPF_RAW_TRACEPOINT_OPEN refused:
 *    a second line, for a program loaded before the arming (atk6k F3: an LSM_CGROUP
 *    program attached by BPF_PROG_ATTACH after it).
 *  - tracefs: every write-open, every write (atk7k E3: through a descriptor opened before
 *    the arming) and every instance mkdir (atk6k F6), on any tracefs mount (the
 *    superblock's magic, never a name). Reading stays open.
 *  - sysctls: a write-open or a write under /proc/sys outside net, vm, fs, user and dev
 *    (atk6k F1, atk7k E3: kernel.ftrace_enabled=0 turns every BPF trampoline, so every
 *    sbx hook, into a NOP).
 *    Why an allow-list of top directories: it closes the switches the kernel adds later,
 *    and what admins write at run time is under those five (kernel.* is set at boot by
 *    systemd-sysctl, before sbxd). Why not a CGROUP_SYSCTL program: it is attached to a
 *    cgroup, and root moves itself out of it or detaches it (BPF_PROG_DETACH is not
 *    refused); an LSM hook has no such way around. Cost: net.core.bpf_jit_* stay open.
 * Borderline types let through, and why:
 *  - CGROUP_DEVICE, CGROUP_SKB, CGROUP_SOCK(_ADDR), CGROUP_SYSCTL, CGROUP_SOCKOPT: systemd
 *    loads them for DeviceAllow=, IPAddressDeny=, SocketBind=; they answer a question
 *    about one operation and change nothing outside their context.
 *  - NETFILTER, SK_LOOKUP, FLOW_DISSECTOR, LWT_*, SK_*: packet and socket paths.
 *  - LIRC_MODE2: an IR decoder on a device's raw samples.
 * What a program of an allowed type reads outside its context (bpf_probe_read_user and the
 * other CAP_PERFMON helpers, loads through BTF pointers: a cgroup hook runs in the calling
 * task's context, so it would read that task's memory) is kernel_lockdown.bpf.c's: while
 * armed, the loader is verified without CAP_PERFMON.
 *
 * Fast paths: the bpf hook compares the command first (PROG_LOAD, PROG_ATTACH, LINK_CREATE
 * and RAW_TRACEPOINT_OPEN are rare); file_open and file_permission test the write mode and
 * the superblock's magic before anything else, and look up the configuration only on
 * tracefs and /proc.
 */
#include "sbx_enforcer.bpf.h"
#include "sbx_instr.h" /* the types anyone may load while armed */

#define SBX_TRACEFS_MAGIC 0x74726163
#define SBX_PROC_MAGIC	  0x9fa0

const char sbx_name_instr_prog[] = "(kernel instrumentation: bpf program)";
const char sbx_name_instr_attach[] = "(kernel instrumentation: bpf tracing attach)";
const char sbx_name_instr_events[] = "(kernel instrumentation: tracefs)";
const char sbx_name_instr_sysctl[] = "(kernel instrumentation: sysctl)";

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
	case BPF_PROG_ATTACH:
		type = BPF_CORE_READ(attr, attach_type);
		if (SBX_INSTR_ATTACH_ALLOWED(type))
			return 0;
		return sbx_guard_refuse(sbx_name_instr_attach);
	case BPF_LINK_CREATE:
		type = BPF_CORE_READ(attr, link_create.attach_type);
		if (SBX_INSTR_ATTACH_ALLOWED(type))
			return 0;
		return sbx_guard_refuse(sbx_name_instr_attach);
	case BPF_RAW_TRACEPOINT_OPEN:
		return sbx_guard_refuse(sbx_name_instr_attach);
	}
	return 0;
}

/* Is s the string lit (shorter than 8)? */
static __always_inline bool sbx_instr_streq(const char *s, const char *lit)
{
	for (int i = 0; i < 8; i++) {
		if (s[i] != lit[i])
			return false;
		if (!lit[i])
			return true;
	}
	return false;
}

/* The first bytes of a dentry's name, NUL-terminated (empty if unreadable). */
static __always_inline void sbx_instr_name(struct dentry *d, char s[8])
{
	if (bpf_probe_read_kernel_str(s, 8, BPF_CORE_READ(d, d_name.name)) < 0)
		s[0] = '\0';
}

/*
 * A write-open or write of a procfs file (atk6k F1: kernel.ftrace_enabled=0 turns every BPF
 * trampoline, so every sbx hook, into a NOP). Allowed only under the top directories of
 * /proc/sys that hold no switch of tracing, BPF, kernel code or dumps: net, vm, fs, user,
 * dev (what admins and systemd-sysctl's udev rule write after boot). kernel.* (ftrace_enabled,
 * perf_*, unprivileged_bpf_disabled, core_pattern, sysrq, kptr_restrict, yama.*,
 * ftrace_dump_on_oops, tracepoint_printk, stack_tracer_enabled...), debug.* and everything
 * else is refused: an allow-list, so a switch the kernel adds later is closed too. The top
 * directory is found by the dentry chain, which does not depend on where proc is mounted:
 * the file is a sysctl if its chain reaches "sys" just below procfs's root. Other procfs
 * files (/proc/PID/...) are not looked at here.
 */
#define SBX_SYSCTL_DEPTH 10 /* net.ipv4.conf.IF.NAME is 5 below "sys" */
static __always_inline int sbx_instr_sysctl(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry), *p, *pp;
	char s[8] = {};

	for (int i = 0; i < SBX_SYSCTL_DEPTH; i++) {
		p = BPF_CORE_READ(d, d_parent);
		pp = BPF_CORE_READ(p, d_parent);
		if (p == d)
			return 0; /* procfs's root */
		if (pp == p)
			return 0; /* d is a top entry of /proc, not under /proc/sys */
		if (BPF_CORE_READ(pp, d_parent) == pp) {
			/* p is a top entry of /proc, d one of p's */
			sbx_instr_name(p, s);
			if (!sbx_instr_streq(s, "sys"))
				return 0;
			sbx_instr_name(d, s);
			if (sbx_instr_streq(s, "net") || sbx_instr_streq(s, "vm") ||
			    sbx_instr_streq(s, "fs") || sbx_instr_streq(s, "user") ||
			    sbx_instr_streq(s, "dev"))
				return 0;
			return sbx_guard_refuse(sbx_name_instr_sysctl);
		}
		d = p;
	}
	return 0; /* deeper than any sysctl */
}

/*
 * Is file, opened or written for write, one of root's instrumentation files: 0, or the
 * refusal while armed. The one place that decides it, asked at open and again at every
 * write, whatever the descriptor.
 * tracefs is instrumentation (atk6k F6: on 7.x a plain sys_enter_write event in an instance
 * copies a task's write() buffer): while armed, no tracefs file is written by anyone but
 * sbxd, an allow-list of nothing, whatever the name (on any tracefs mount,
 * /sys/kernel/debug/tracing's automount included). Reading stays open.
 */
static __always_inline int sbx_instr_file_write(struct file *file)
{
	unsigned long magic = BPF_CORE_READ(file, f_inode, i_sb, s_magic);

	if (magic == SBX_TRACEFS_MAGIC)
		return sbx_guard_refuse(sbx_name_instr_events);
	if (magic == SBX_PROC_MAGIC)
		return sbx_instr_sysctl(file);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(sbx_instr_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & SBX_FMODE_WRITE))
		return 0;
	return sbx_instr_file_write(file);
}

/*
 * The same files written through a descriptor opened before the arming (atk7k E3: root
 * keeps ftrace_enabled or kprobe_events open from before sbxd starts, and pwrite(fd, "0",
 * 1, 0) turns every sbx hook off while armed): refused at the write, not only at the open.
 * security_file_permission(MAY_WRITE) comes from rw_verify_area, which every write of the
 * file's content passes: write, pwrite, writev, pwritev(2), AIO and io_uring's writes,
 * splice and sendfile into the file, copy_file_range. Neither file has an mmap that
 * writes: a sysctl has no mmap at all, and tracefs's mapped ring buffer (trace_pipe_raw,
 * 6.10) refuses VM_WRITE. Every read and write of the machine passes here: the mask, then
 * the superblock's magic, before anything else.
 */
SEC("lsm/file_permission")
int BPF_PROG(sbx_instr_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & SBX_MAY_WRITE))
		return 0;
	return sbx_instr_file_write(file);
}

/* A tracefs instance (mkdir instances/NAME) is a trace buffer of its own: refused too. */
SEC("lsm/inode_mkdir")
int BPF_PROG(sbx_instr_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	if (BPF_CORE_READ(dir, i_sb, s_magic) != SBX_TRACEFS_MAGIC)
		return 0;
	return sbx_guard_refuse(sbx_name_instr_events);
}

char LICENSE[] SEC("license") = "GPL";
