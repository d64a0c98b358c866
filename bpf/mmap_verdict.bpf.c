// SPDX-License-Identifier: GPL-2.0-only
/*
 * Executable file mappings need a valid verdict too: without this, `ld.so ./unsigned`, an
 * LD_PRELOADed or dlopen'ed unsigned library, or a PROT_EXEC mmap of any written file runs
 * code no verdict covers. Same scope and mode as exec (exec_verdict.bpf.c).
 *
 * A hardened task (sbx_hardened) is held to more, whatever the scope:
 *  - library validation: an executable file mapping needs a verdict of the task's own team
 *    or a platform one (cs.disable-library-validation lifts it): dlopen, LD_PRELOAD,
 *    `ld.so FILE`, and a written file or memfd mapped PROT_EXEC, none of which has one;
 *  - W^X: no mapping writable and executable at once (anonymous: cs.allow-jit; a file's
 *    private copy: cs.allow-unsigned-executable-memory), and no mapping made executable
 *    once it was writable or written (cs.allow-unsigned-executable-memory): that is the
 *    copy-on-write trick, a private file mapping written and flipped to executable, whose
 *    file still has its valid verdict. A mapping's anon_vma is set by its first written
 *    (copy-on-write or anonymous) page, ptrace and /proc/PID/mem writes included.
 *    cs.disable-executable-page-protection lifts all of W^X.
 *
 * Nothing announces a mapping to the verifier, so a library has a verdict only if it got
 * one before: sbxd verifies the PT_INTERP and DT_NEEDED closure of each program it
 * verifies at exec (userspace/daemon/libs.c). Anything else mapped executable (an
 * LD_PRELOAD or LD_LIBRARY_PATH library, `ld.so ./prog`, a dlopen outside the closure)
 * finds no verdict, or an evicted one, and is refused: a miss is never an allow. sbxd
 * does not set SBX_CONFIG_MMAP_SANDBOXED_ONLY, so in scope `all` every task is checked.
 *
 * Shared anonymous memory mapped executable counts as writable and executable (cs.allow-jit
 * lifts it, as for anonymous W+X): mremap(old_address, 0, ...) duplicates a shared mapping
 * without any hook seeing it, and an mprotect to read-write of the duplicate, which adds
 * no execute, writes what the executable view runs. Private anonymous read-execute memory
 * cannot be duplicated (mremap refuses old_size 0 for it) and holds zeroes. The other
 * shared objects without a verdict (memfd, SysV shm, shared anonymous memory made
 * executable by mprotect, which the hook sees as its shmem file) need a verdict under
 * library validation, so only cs.disable-library-validation lets them be mapped
 * executable, as it lets any code without a verdict. A shared object that has a verdict
 * is held by its file's write side: while mapped executable it cannot be written
 * (sbx_gen_write).
 *
 * The same two hooks are where a shared writable mapping moves the file's write
 * generation (the write side of the verdict cache, write_gen.bpf.c), or is refused while
 * the file is mapped executable on its verdict: one program per hook does both, the write
 * side first, so a mapping is not paid for twice. An executable mapping allowed on a
 * verdict marks the file (SBX_GEN_EXEC_MAPPED, "mapped code" in the header).
 *
 * A file sbxd maps executable is guarded by self-protection too (SBX_GUARD_MAPPED,
 * self_protect.bpf.c: nobody else writes it, in any mode, while the guard is pinned): the
 * mmap_file program marks it with the task storage it has looked up already.
 *
 * Fast paths: a mapping that is not executable costs no lookup (but the write side); an
 * anonymous executable one only the task's storage, and only when it is also writable or
 * shared.
 */
#include "sbx_enforcer.bpf.h"

static __always_inline int sbx_wx_deny(struct sbx_task_state *ts, __u32 lifted_by,
				       struct file *file, __u32 reason)
{
	struct sbx_enforcer_config *cfg;

	if (ts->policy & lifted_by)
		return 0;
	cfg = sbx_config_get();
	if (!cfg || !cfg->abi_version)
		return 0;
	return sbx_deny(cfg, file, file ? NULL : "(anonymous memory)", SBX_HOOK_MMAP_EXEC, reason);
}

/* A file sbxd maps executable: guarded against writes by anyone else (self_protect.bpf.c). */
static __always_inline int sbx_guard_daemon_code(struct file *file, struct sbx_task_state *ts)
{
	if (!file || !sbx_daemon_state(sbx_current(), ts)) /* 7.2: file is nullable */
		return 0;
	return sbx_guard_add(file->f_inode, SBX_GUARD_MAPPED);
}

/*
 * A shared writable mapping of a guarded inode writes it with no write(): refused while
 * armed, as self_protect.bpf.c refuses the write (one lookup, for shared writable mappings
 * only). A guarded device (SBX_GUARD_DEVICE) is the case that needs it: a block device
 * opened for write before the arming is not seen by the arming, unlike a guarded file.
 */
const char sbx_name_guard_map[] = "(mapping a file guarded by sbxd for write)";

static __always_inline int sbx_guard_shared_write(struct inode *inode)
{
	if (!sbx_guard_flags(inode))
		return 0;
	return sbx_guard_refuse(sbx_name_guard_map);
}

static __always_inline int sbx_exec_mapping(struct file *file, struct sbx_task_state *ts)
{
	struct sbx_enforcer_config *cfg = sbx_config_get();
	struct sbx_cached_verdict *v;
	struct sbx_inode_gen *g;
	bool validate;
	__u32 reason;

	if (!cfg || !cfg->abi_version)
		return 0;
	validate = sbx_hardened(ts) && !(ts->policy & SBX_POLICY_DISABLE_LIBRARY_VALIDATION);
	if (!validate && !sbx_in_scope(cfg, ts, SBX_CONFIG_MMAP_SANDBOXED_ONLY))
		return 0;
	reason = sbx_file_verdict_gen(file, &v, &g);
	if (!reason && validate && v->kind != SBX_CACHED_PLATFORM &&
	    (!v->team_hash || v->team_hash != ts->team_hash))
		reason = SBX_DENY_TEAM_MISMATCH;
	if (reason)
		return sbx_deny(cfg, file, NULL, SBX_HOOK_MMAP_EXEC, reason);
	if (g && !(g->flags & SBX_GEN_EXEC_MAPPED))
		__sync_fetch_and_or(&g->flags, SBX_GEN_EXEC_MAPPED);
	return 0;
}

SEC("lsm/mmap_file")
int BPF_PROG(sbx_mmap_check, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	struct sbx_task_state *ts;
	__u64 file_addr = 0;
	bool anon;

	if (ret)
		return ret;
	/*
	 * Anonymous memory has no file, but the verifier (6.12 at least) takes a hook's
	 * pointer argument for non-NULL and folds `file == NULL` to false: the test is made
	 * on a copy of the argument it cannot see through.
	 */
	bpf_probe_read_kernel(&file_addr, sizeof(file_addr), &ctx[0]);
	anon = !file_addr;
	/* (and 7.2 takes it for nullable, so file itself is tested before it is read) */
	if (!anon && file && (flags & SBX_MAP_SHARED) && (prot & SBX_PROT_WRITE)) {
		ret = sbx_gen_write(file->f_inode);
		if (!ret)
			ret = sbx_guard_shared_write(file->f_inode);
		if (ret)
			return ret;
	}
	if (!(prot & SBX_PROT_EXEC))
		return 0;
	if (anon && !(prot & SBX_PROT_WRITE) && !(flags & SBX_MAP_SHARED))
		return 0; /* private anonymous read-execute memory holds zeroes */
	ts = sbx_task_state(sbx_current(), false);
	if (anon) {
		if (!sbx_hardened(ts))
			return 0;
		return sbx_wx_deny(ts, SBX_POLICY_ALLOW_JIT, NULL, SBX_DENY_WX);
	}
	if (sbx_hardened(ts) && (prot & SBX_PROT_WRITE)) {
		ret = sbx_wx_deny(ts, SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM, file, SBX_DENY_WX);
		if (ret)
			return ret;
	}
	ret = sbx_exec_mapping(file, ts);
	if (ret)
		return ret;
	return sbx_guard_daemon_code(file, ts);
}

SEC("lsm/file_mprotect")
int BPF_PROG(sbx_mprotect_check, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct sbx_task_state *ts;
	unsigned long vm_flags;
	struct file *file;

	if (ret)
		return ret;
	file = vma->vm_file;
	vm_flags = BPF_CORE_READ(vma, vm_flags);
	if (file && (vm_flags & SBX_VM_SHARED) && (prot & SBX_PROT_WRITE)) {
		ret = sbx_gen_write(file->f_inode);
		if (!ret)
			ret = sbx_guard_shared_write(file->f_inode);
		if (ret)
			return ret;
	}
	if (!(prot & SBX_PROT_EXEC))
		return 0;
	ts = sbx_task_state(sbx_current(), false);
	if (sbx_hardened(ts)) {
		if (prot & SBX_PROT_WRITE)
			ret = sbx_wx_deny(ts,
					  file ? SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM
					       : SBX_POLICY_ALLOW_JIT,
					  file, SBX_DENY_WX);
		else if (!(vm_flags & SBX_VM_EXEC) &&
			 ((vm_flags & SBX_VM_WRITE) || BPF_CORE_READ(vma, anon_vma)))
			ret = sbx_wx_deny(ts, SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM, file,
					  SBX_DENY_WX_FLIP);
		if (ret)
			return ret;
	}
	if (!file || (vm_flags & SBX_VM_EXEC))
		return 0;
	return sbx_exec_mapping(file, ts);
}

char LICENSE[] SEC("license") = "GPL";
