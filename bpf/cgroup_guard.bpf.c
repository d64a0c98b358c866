// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbxd's cgroup while self-protection is armed (atk7k E2). The family: what root does to
 * sbxd through cgroupfs, where no task hook is asked (self_protect.bpf.c's task_kill,
 * task_setrlimit, ... see a task; a cgroup file write sees only the file):
 *  - kill it (cgroup.kill) or freeze it (cgroup.freeze; v1's freezer.state);
 *  - starve it or have the kernel kill it (memory.max/high, pids.max, cpu.max, io.max,
 *    cpuset.cpus, ... any controller's file, the ones the kernel adds later too);
 *  - move it (cgroup.procs, cgroup.threads; v1's tasks) into a cgroup root prepared that
 *    way, or into one root kills or freezes afterwards.
 *
 * The rule, one for all of them: while armed, a process that is neither sbxd nor init
 * (systemd manages every cgroup) writes no file of a v2 cgroup that holds sbxd, or of one
 * of its ancestors: an allow-list of nothing for those cgroups (a file that moves, kills,
 * freezes or limits sbxd is a file of one of them, whatever its name). Asked where the
 * kernel asks for MAY_WRITE on the file: inode_permission (an open for write) and
 * file_permission (every write, through a descriptor opened before the arming too).
 *
 * Why that also refuses every move of sbxd: the target of a move is in the written bytes
 * (no hook reads them: invariant 2), but the kernel asks, for every migration on v2
 * (cgroup_procs_write_permission, and CLONE_INTO_CGROUP's cgroup_css_set_fork), for
 * MAY_WRITE on cgroup.procs of the common ancestor of the source and the destination, by
 * inode_permission, in the writer's context. The source is sbxd's cgroup, so the common
 * ancestor holds sbxd, whatever the destination: refused. What that costs: a move of any
 * other process whose source and destination meet only in an ancestor of sbxd's cgroup
 * (with sbxd in system.slice/sbxd.service: between slices; with sbxd in the root cgroup:
 * between top-level cgroups) is refused too, unless init makes it. Moves inside one
 * subtree that does not hold sbxd, new cgroups (mkdir is no write of a file), and every
 * file of a cgroup that does not hold sbxd stay open (tests/vm/sbxd_protect.c).
 *
 * cgroup v1: a migration asks for no ancestor's permission (__cgroup1_procs_write), so
 * the source is not seen; and a v1 hierarchy of a controller the v2 tree does not use
 * (freezer, on any kernel) can be mounted at any time. While armed no v1 cgroup file is
 * written by anyone but sbxd and init (v1 is legacy: systemd's hybrid mode writes as init).
 *
 * Where sbxd is: the claim records its group leader (struct sbx_guard_state), read here
 * only while that task is still the recorded process (tgid and start time). sbxd's own
 * cgroup in the v2 tree is its css_set's dfl_cgrp; "holds sbxd" is "is that cgroup or an
 * ancestor": its ancestors[] at the file's cgroup's level, one read, any depth.
 *
 * Fast path: both hooks test the mask, then the superblock's magic; everything else only
 * on cgroupfs.
 */
#include "sbx_enforcer.bpf.h"

#define SBX_CGROUP_SUPER_MAGIC	0x27e0eb
#define SBX_CGROUP2_SUPER_MAGIC 0x63677270
#define SBX_KERNFS_TYPE_MASK	0x000f
#define SBX_KERNFS_FILE		0x0002

const char sbx_name_cgroup[] = "(a cgroup that holds sbxd)";

/* kernfs_node's parent: `parent` until 6.14, `__parent` (RCU) from 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *sbx_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)kn)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* sbxd's cgroup in the v2 tree, NULL when no sbxd is recorded or it is gone. */
static __always_inline struct cgroup *sbx_daemon_cgroup(void)
{
	struct sbx_guard_state *g;
	struct task_struct *t;
	__u32 zero = 0;

	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	if (!g || !g->daemon_tgid || !g->daemon_task)
		return NULL;
	t = (struct task_struct *)g->daemon_task;
	if (BPF_CORE_READ(t, tgid) != g->daemon_tgid ||
	    BPF_CORE_READ(t, start_boottime) != g->daemon_start)
		return NULL;
	return BPF_CORE_READ(t, cgroups, dfl_cgrp);
}

/* Does the v2 cgroup c hold sbxd (sbxd's cgroup, or one of its ancestors)? */
static __always_inline bool sbx_cgroup_holds_daemon(struct cgroup *c)
{
	struct cgroup *d = sbx_daemon_cgroup(), *a = NULL;
	int level, dlevel;

	if (!c || !d)
		return false;
	level = BPF_CORE_READ(c, level);
	dlevel = BPF_CORE_READ(d, level);
	if (level < 0 || level > dlevel)
		return false;
	bpf_core_read(&a, sizeof(a), &d->ancestors[level]);
	return a == c;
}

/* inode, about to be opened for write or written: 0, or the refusal while armed. */
static __always_inline int sbx_cgroup_write(struct inode *inode)
{
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	struct kernfs_node *kn;

	if (magic != SBX_CGROUP2_SUPER_MAGIC && magic != SBX_CGROUP_SUPER_MAGIC)
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == 1)
		return 0; /* init: systemd manages the cgroups */
	if (magic == SBX_CGROUP_SUPER_MAGIC)
		return sbx_guard_refuse(sbx_name_cgroup);
	kn = (struct kernfs_node *)BPF_CORE_READ(inode, i_private);
	if (!kn || (BPF_CORE_READ(kn, flags) & SBX_KERNFS_TYPE_MASK) != SBX_KERNFS_FILE)
		return 0; /* a directory: mkdir and rmdir of cgroups stay open */
	/* A cgroup's files are children of its directory, whose kernfs node is the cgroup's. */
	if (!sbx_cgroup_holds_daemon((struct cgroup *)BPF_CORE_READ(sbx_kn_parent(kn), priv)))
		return 0;
	return sbx_guard_refuse(sbx_name_cgroup);
}

SEC("lsm/inode_permission")
int BPF_PROG(sbx_cgroup_permission, struct inode *inode, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & SBX_MAY_WRITE))
		return 0;
	return sbx_cgroup_write(inode);
}

SEC("lsm/file_permission")
int BPF_PROG(sbx_cgroup_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & SBX_MAY_WRITE))
		return 0;
	return sbx_cgroup_write(BPF_CORE_READ(file, f_inode));
}

char LICENSE[] SEC("license") = "GPL";
