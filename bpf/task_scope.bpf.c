// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scope `sandboxed`: which tasks `sbx run` started. `sbx run` is unprivileged and cannot
 * write maps, so the BPF side recognises it by its code: sbxd stores the verdict of the
 * sbx binary it trusts with SBX_POLICY_SBX_LAUNCHER. A task that execs that binary with a
 * valid verdict becomes a launcher (exec_verdict.bpf.c); what a launcher, or any task
 * forked from it, execs is sandboxed; sandboxed tasks stay so, and so do their children.
 * A copy of sbx (another inode, no launcher verdict, whether sbxd is alive or not)
 * launches nothing sandboxed: scope `sandboxed` protects users from the programs they chose
 * to confine, not from themselves. The launcher itself without a valid verdict (stale, or
 * gone, with no sbxd to verify it again) is refused, never run out of scope (atk7k E2b:
 * SBX_GUARD_LAUNCHER, exec_verdict.bpf.c).
 *
 * Task storage does not follow fork by itself: task_alloc copies it to the child. A child
 * that gets no storage (ENOMEM) is refused whatever its parent's state holds, fail closed:
 * scope (sandboxed, launcher), floor and domain confine the tree, a hardened policy the
 * program, the traced mark keeps it from claiming sbxd's identity; a child without them
 * would be free of them. What a child could lose harmlessly (sbxd's identity, a policy's
 * lifts) is not worth a deny list of what it may not. Not testable: storage cannot be made
 * to fail on demand.
 *
 * The launcher also declares the policy of the profile it runs (SBX_PRCTL_POLICY_FLOOR,
 * kernel/sbx_abi.h): a prctl only a launcher may make, answered here, that tightens the
 * floor of the tree it is about to start (exec_verdict.bpf.c applies it at every exec).
 */
#include "sbx_enforcer.bpf.h"

#define SBX_CLONE_THREAD 0x00010000

/*
 * The traced mark (self_protect.bpf.c) is kept on the thread group's leader only, and a
 * thread started before a tracer came has its own unmarked copy. Its fork (no
 * CLONE_THREAD) is a new thread group, its own leader: the mark must come from the
 * parent's leader, or code a tracer wrote into the process forks a child that claims
 * sbxd's identity. A fork from a thread that is not the leader costs that one lookup more.
 */
static __always_inline __u32 sbx_leader_traced(struct task_struct *self, unsigned long clone_flags)
{
	struct task_struct *leader = self->group_leader;
	struct sbx_task_state *ts;

	if (leader == self || (clone_flags & SBX_CLONE_THREAD))
		return 0;
	ts = sbx_task_state(leader, false);
	return ts ? ts->flags & SBX_TASK_TRACED : 0;
}

SEC("lsm/task_alloc")
int BPF_PROG(sbx_task_inherit, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct task_struct *self = sbx_current();
	struct sbx_task_state *parent, *child;
	__u32 traced;

	if (ret)
		return ret;
	parent = sbx_task_state(self, false);
	traced = sbx_leader_traced(self, clone_flags);
	if (!traced && (!parent || !(parent->flags | parent->policy | parent->floor)))
		return 0;
	child = sbx_task_state(task, true);
	if (!child) /* every bit of the state binds or names the child: none is shed, no fork */
		return -SBX_ENOMEM;
	if (parent)
		*child = *parent;
	child->flags |= traced;
	/*
	 * sbxd's identity and its claim's proof stay in their process: a fork is another
	 * process, and a flag root planted in a process before the arming would otherwise
	 * reach every fork it makes after (self_protect.bpf.c, the claim).
	 */
	if (!(clone_flags & SBX_CLONE_THREAD))
		child->flags &= ~(SBX_TASK_DAEMON | SBX_TASK_DAEMON_EXEC);
	return 0;
}

/* Every prctl passes here: any other option costs one comparison. */
SEC("lsm/task_prctl")
int BPF_PROG(sbx_policy_floor, int option, unsigned long arg2, unsigned long arg3,
	     unsigned long arg4, unsigned long arg5, int ret)
{
	struct sbx_task_state *ts;
	__u32 declared = (__u32)arg2;

	if (ret || option != SBX_PRCTL_POLICY_FLOOR)
		return ret;
	ts = sbx_task_state(sbx_current(), false);
	if (!ts || !(ts->flags & SBX_TASK_LAUNCHER) || arg3 || arg4 || arg5)
		return -SBX_EPERM;
	/* Only ever tighter: a hardened floor lifts nothing the one before it did not. */
	ts->floor = (ts->floor & SBX_POLICY_HARDENED_RUNTIME)
			    ? sbx_policy_tighten(declared, ts->floor)
			    : (declared & (SBX_POLICY_HARDENED_RUNTIME | SBX_POLICY_LIFTS));
	return -SBX_EALREADY;
}

char LICENSE[] SEC("license") = "GPL";
