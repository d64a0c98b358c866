// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sandboxed task reaches the per-process /proc entries (/proc/PID/..., and through it
 * /proc/PID/task/TID/...) only of its own sandbox's processes and of itself. procfs asks
 * for ptrace access (which Landlock's scoping refuses) on some entries only: cmdline,
 * status, stat, statm, comm, cgroup, mountinfo and more are readable by anyone, and name
 * what runs outside, its arguments and its state. An allow-list, not a list of entries:
 * every open, symlink follow (the magic links fd/N, exe, cwd, root, ns/...) and readlink of
 * a procfs inode that belongs to a process is refused unless that process is in the
 * caller's sandbox. What is not per-process (/proc itself and its listing, /proc/meminfo,
 * /proc/sys, /proc/self and /proc/thread-self, which only point at the caller's own) has
 * no process and is left to Landlock.
 *
 * Which process an entry belongs to is decided by its place, not by its inode alone: not
 * every inode beneath /proc/PID carries the process. /proc/PID/net/... (and
 * /proc/PID/task/TID/net/...) are procfs's proc_dir_entry inodes of PID's network
 * namespace, made without a pid and shared by every process of that namespace, so they
 * cannot carry a sandbox either. An entry belongs to the process of the nearest dentry, from
 * itself up, whose inode has a pid (/proc/PID/net, /proc/PID/task/TID); none up to procfs's
 * root means no process (/proc/meminfo, /proc/sys/..., /proc/net, which is the link
 * self/net, so what it reaches is the caller's own /proc/PID/net). A walk longer than
 * SBX_PROC_WALK_MAX is refused: fail closed. An ancestor reached through d_parent is no
 * trusted pointer on 7.x, so its sandbox cannot be read from it: an entry beneath
 * /proc/PID is let through only for the caller's own process, and refused for the other
 * processes of its sandbox too.
 *
 * Which sandbox: the domain in task storage (struct sbx_task_state), a fresh value when a
 * launcher's task execs, given by exec_verdict.bpf.c's check where it makes that tree
 * sandboxed, kept on fork and exec. A procfs inode names its process by a
 * struct pid, from which no BPF program can reach a task it may look up; so the process's
 * domain is copied onto the inode when procfs makes or revalidates it (task_to_inode,
 * called at every lookup of a /proc/PID dentry), as SELinux labels these inodes. A process
 * never leaves its sandbox, so a copy is never less strict than the task; one that entered
 * a sandbox after the inode was made is refused until the next lookup copies again. An
 * inode without a copy belongs to a process outside every sandbox.
 *
 * Fast paths: an inode not on procfs returns after reading its superblock's magic, no
 * lookup; on procfs, an unsandboxed caller costs its task storage lookup; a sandboxed one
 * also the walk up to the process's inode (reads, no lookup; none for an entry that has a
 * pid) and that inode's storage lookup.
 */
#include "sbx_enforcer.bpf.h"

/* A process's sandbox (its domain), kept on its procfs inodes. */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_proc_domain SEC(".maps");

/* procfs made or revalidated inode for process p: copy p's sandbox onto it. */
SEC("lsm/task_to_inode")
int BPF_PROG(sbx_proc_domain_tag, struct task_struct *p, struct inode *inode)
{
	struct sbx_task_state *ts = sbx_task_state(p, false);
	__u64 *domain;

	if (!ts || !(ts->flags & SBX_TASK_SANDBOXED) || !ts->domain)
		return 0;
	domain = bpf_inode_storage_get(&sbx_proc_domain, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (domain)
		*domain = ts->domain;
	return 0;
}

/*
 * Deeper than any procfs entry: /proc/sys/dev/parport/parport0/devices/lp0/timeslice is 7
 * dentries below procfs's root, /proc/PID/net/netfilter/nf_log/0 3 below /proc/PID/net.
 */
#define SBX_PROC_WALK_MAX 16

/*
 * The process an entry without a pid (at dentry) belongs to: 1 with *pid that of the
 * nearest ancestor inode that has one; 0 for none up to procfs's root (no process's); -1
 * for a walk too long, refused. Reads only: an inode reached through d_parent is no
 * trusted pointer on 7.x, so its storage cannot be looked up (the caller judges by *pid).
 */
static __always_inline int sbx_proc_owner(struct dentry *dentry, __u64 *pid)
{
	struct dentry *parent;
	struct inode *inode;

	for (int i = 0; i < SBX_PROC_WALK_MAX; i++) {
		parent = BPF_CORE_READ(dentry, d_parent);
		if (!parent || parent == dentry)
			return 0;
		dentry = parent;
		inode = BPF_CORE_READ(dentry, d_inode);
		if (!inode)
			break;
		*pid = sbx_proc_pid_of(inode);
		if (*pid)
			return 1;
	}
	return -1;
}

/*
 * 0, or the refusal of a sandboxed task reaching the procfs entry at dentry (inode: its
 * inode) of a process outside its sandbox. An entry with a pid is judged by the sandbox
 * copied onto it; one beneath a process's entry (/proc/PID/net/...) only by whether that
 * process is the caller itself: another process of its own sandbox is refused too.
 */
static __always_inline int sbx_proc_check(struct inode *inode, struct file *file,
					  struct dentry *dentry)
{
	struct task_struct *self;
	struct sbx_enforcer_config *cfg;
	struct sbx_task_state *ts;
	__u64 pid = 0, *domain;

	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != SBX_PROC_SUPER_MAGIC)
		return 0;
	self = sbx_current();
	ts = sbx_task_state(self, false);
	if (!ts || !(ts->flags & SBX_TASK_SANDBOXED))
		return 0;
	pid = sbx_proc_pid_of(inode);
	if (pid) {
		domain = bpf_inode_storage_get(&sbx_proc_domain, inode, 0, 0);
		if (domain && ts->domain && *domain == ts->domain)
			return 0;
	} else if (!sbx_proc_owner(dentry, &pid)) {
		return 0;
	}
	/* Itself, whatever names it: its thread or its thread group. */
	if (pid && (pid == (__u64)BPF_CORE_READ(self, thread_pid) ||
		    pid == (__u64)BPF_CORE_READ(self, signal, pids[PIDTYPE_TGID])))
		return 0;
	cfg = sbx_config_get();
	if (!cfg || !cfg->abi_version)
		return 0;
	return sbx_deny(cfg, file, file ? NULL : (const char *)BPF_CORE_READ(dentry, d_name.name),
			SBX_HOOK_PROC, SBX_DENY_OUTSIDE_SANDBOX);
}

SEC("lsm/file_open")
int BPF_PROG(sbx_proc_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return sbx_proc_check(file->f_inode, file, file->f_path.dentry);
}

SEC("lsm/inode_follow_link")
int BPF_PROG(sbx_proc_follow_link, struct dentry *dentry, struct inode *inode, bool rcu, int ret)
{
	if (ret)
		return ret;
	return sbx_proc_check(inode, NULL, dentry);
}

SEC("lsm/inode_readlink")
int BPF_PROG(sbx_proc_readlink, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return sbx_proc_check(dentry->d_inode, NULL, dentry);
}

char LICENSE[] SEC("license") = "GPL";
