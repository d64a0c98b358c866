// SPDX-License-Identifier: GPL-2.0-only
/*
 * No new swap area while self-protection is armed (atk11k S1, S2). The family: pages that
 * leave memory through swap are bytes under a guard or a verdict. A tmpfs file's pages,
 * and sbxd's own memory, go to swap, and swap can be storage root writes past every write
 * hook (a loop device over an image file, a device served by a process): root pages a
 * guarded file out, edits the swap, and the swap-in gives the file root's bytes.
 *
 * Userspace decides whether the swap that exists is kernel-only (enforcer.c's
 * enforcer_swap_kernel_only: /proc/swaps, each area through the same backing predicate as
 * a guarded file's device); this program keeps that answer true while armed: swapon(2) is
 * refused to everyone but sbxd. swapoff stays open (it brings pages back into memory).
 *
 * swapon has no LSM hook of its own (mm/swapfile.c on 6.1, 6.12 and 7.2): the first hook
 * it passes, before anything is allocated or opened, is capable(CAP_SYS_ADMIN). Asked
 * there, for the task whose current system call is swapon (x86-64, x32, and ia32 while
 * the task is in a 32-bit system call). Fast path: the capability's number.
 */
#include "sbx_enforcer.bpf.h"

#define SBX_CAP_SYS_ADMIN   21
#define SBX_NR_SWAPON_64    167 /* x86-64 and x32 (its bit masked off) */
#define SBX_NR_SWAPON_IA32  87
#define SBX_X32_SYSCALL_BIT 0x40000000
#define SBX_TS_COMPAT	    0x0002 /* thread_info.status: in a 32-bit system call */

const char sbx_name_swapon[] = "(swapon while sbxd is armed)";

static __always_inline bool sbx_in_swapon(void)
{
	struct task_struct *t = sbx_current();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	long nr;

	if (!regs)
		return false;
	nr = BPF_CORE_READ(regs, orig_ax);
	if ((nr & ~SBX_X32_SYSCALL_BIT) == SBX_NR_SWAPON_64 &&
	    !(BPF_CORE_READ(t, thread_info.status) & SBX_TS_COMPAT))
		return true;
	return nr == SBX_NR_SWAPON_IA32 && (BPF_CORE_READ(t, thread_info.status) & SBX_TS_COMPAT);
}

SEC("lsm/capable")
int BPF_PROG(sbx_swapon_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	if (ret)
		return ret;
	if (cap != SBX_CAP_SYS_ADMIN || !sbx_in_swapon())
		return 0;
	return sbx_guard_refuse(sbx_name_swapon);
}

char LICENSE[] SEC("license") = "GPL";
