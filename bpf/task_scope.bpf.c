// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scope `sandboxed`: which tasks `sbx run` started. `sbx run` is unprivileged and cannot
 * write maps, so the BPF side recognises it by its code: sbxd stores the verdict of the
 * sbx binary it trusts with SBX_POLICY_SBX_LAUNCHER. A task that execs that binary with a
 * valid verdict becomes a launcher (exec_verdict.bpf.c); what a launcher, or any task
 * forked from it, execs is sandboxed; sandboxed tasks stay so, and so do their children.
 * A copy of sbx (another inode, no verdict) launches nothing sandboxed: scope `sandboxed`
 * protects users from the programs they chose to confine, not from themselves.
 *
 * Task storage does not follow fork by itself: task_alloc copies it to the child.
 */
#include "sbx_enforcer.bpf.h"

SEC("lsm/task_alloc")
int BPF_PROG(sbx_task_inherit, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct sbx_task_state *parent, *child;

	if (ret)
		return ret;
	parent = sbx_task_state(sbx_current(), false);
	if (!parent || !(parent->flags | parent->policy))
		return 0;
	child = sbx_task_state(task, true);
	if (!child) /* an untracked child of a sandboxed task would escape: no fork */
		return (parent->flags & (SBX_TASK_SANDBOXED | SBX_TASK_LAUNCHER)) ? -SBX_ENOMEM : 0;
	*child = *parent;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
