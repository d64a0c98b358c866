// SPDX-License-Identifier: GPL-2.0-only
/*
 * Executable file mappings need a valid verdict too: without this, `ld.so ./unsigned`, an
 * LD_PRELOADed or dlopen'ed unsigned library, or a PROT_EXEC mmap of any written file runs
 * code no verdict covers. Same scope and mode as exec (exec_verdict.bpf.c). Anonymous
 * executable memory is the hardened runtime's concern (W^X), not this file's.
 *
 * The same two hooks are where a shared writable mapping moves the file's write
 * generation (the write side of the verdict cache, write_gen.bpf.c): one program per hook
 * does both, the bump first, so a mapping is not paid for twice.
 */
#include "sbx_enforcer.bpf.h"

static __always_inline int sbx_exec_mapping(struct file *file)
{
	struct sbx_enforcer_config *cfg = sbx_config_get();
	struct sbx_cached_verdict *v;
	__u32 reason;

	if (!cfg || !cfg->abi_version || !sbx_current_in_scope(cfg, SBX_CONFIG_MMAP_SANDBOXED_ONLY))
		return 0;
	reason = sbx_file_verdict(file, &v);
	if (!reason)
		return 0;
	return sbx_deny(cfg, file, NULL, SBX_HOOK_MMAP_EXEC, reason);
}

SEC("lsm/mmap_file")
int BPF_PROG(sbx_mmap_check, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0;
	if ((flags & SBX_MAP_SHARED) && (prot & SBX_PROT_WRITE))
		sbx_gen_bump(file->f_inode);
	if (!(prot & SBX_PROT_EXEC))
		return 0;
	return sbx_exec_mapping(file);
}

SEC("lsm/file_mprotect")
int BPF_PROG(sbx_mprotect_check, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	unsigned long vm_flags;
	struct file *file;

	if (ret)
		return ret;
	file = vma->vm_file;
	if (!file)
		return 0;
	vm_flags = BPF_CORE_READ(vma, vm_flags);
	if ((vm_flags & SBX_VM_SHARED) && (prot & SBX_PROT_WRITE))
		sbx_gen_bump(file->f_inode);
	if (!(prot & SBX_PROT_EXEC) || (vm_flags & SBX_VM_EXEC))
		return 0;
	return sbx_exec_mapping(file);
}

char LICENSE[] SEC("license") = "GPL";
