// SPDX-License-Identifier: GPL-2.0-only
/*
 * Write-side invalidation of the verdict cache: every way the content of a file can change
 * gives the file a fresh write generation, so a verdict taken before is no longer valid
 * (the argument is in include/sbx_enforcer.bpf.h). A file that has no generation yet needs
 * none: it gets a fresh one when the verifier or a hook first asks. Shared writable
 * mappings are bumped by mmap_verdict.bpf.c's programs on the same hooks (one program
 * per hook). Every one of these writers is refused with ETXTBSY instead while the file is
 * mapped executable on its verdict (sbx_gen_write, "mapped code" in the header).
 *
 * Also the verifier's half of the miss path: SBX_IOC_VERDICT_BEGIN (sbx_abi.h).
 */
#include "sbx_enforcer.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(sbx_gen_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	/* O_TRUNC and every later write of this open come after this bump. */
	if (BPF_CORE_READ(file, f_mode) & SBX_FMODE_WRITE)
		return sbx_gen_write(file->f_inode);
	return 0;
}

SEC("lsm/file_permission")
int BPF_PROG(sbx_gen_file_write, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (mask & SBX_MAY_WRITE) /* write, pwrite, splice, copy_file_range, fallocate */
		return sbx_gen_write(file->f_inode);
	return 0;
}

SEC("lsm/path_truncate")
int BPF_PROG(sbx_gen_truncate, const struct path *path, int ret)
{
	struct dentry *dentry;

	if (ret)
		return ret;
	dentry = path->dentry;
	return dentry ? sbx_gen_write(dentry->d_inode) : 0;
}

SEC("lsm/inode_rename")
int BPF_PROG(sbx_gen_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	/*
	 * Identity is the inode, so this is belt and braces: both files are touched. Not a
	 * write: a mapped file keeps its content, whatever its name.
	 */
	sbx_gen_bump(old_dentry->d_inode);
	sbx_gen_bump(new_dentry->d_inode);
	return 0;
}

/*
 * The verifier (root) asks before hashing, and again after reading the generation: give
 * the file a generation, and say whether anybody holds it open for write. Answered here
 * with an error so the ioctl never reaches the file system; anyone else's call passes on.
 * Through both ioctl entries (file_ioctl_compat where the kernel has it: the loader's list
 * of ioctl programs, userspace/lib/bpf/enforcer.c).
 */
static __always_inline int sbx_gen_begin(struct file *file, unsigned int cmd)
{
	struct task_struct *task;
	struct inode *inode;
	struct sbx_inode_gen *g;

	if (cmd != SBX_IOC_VERDICT_BEGIN)
		return 0;
	task = sbx_current();
	if (BPF_CORE_READ(task, cred, euid.val) != 0)
		return 0;
	inode = file->f_inode;
	g = sbx_gen_get_or_create(inode);
	if (!g)
		return -SBX_ENOMEM;
	/* A full barrier between the caller's read of the generation and i_writecount. */
	__sync_fetch_and_add(&g->flags, 0);
	return sbx_inode_open_for_write(inode) ? -SBX_ETXTBSY : -SBX_EALREADY;
}

SEC("lsm/file_ioctl")
int BPF_PROG(sbx_gen_verdict_begin, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return sbx_gen_begin(file, cmd);
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(sbx_gen_verdict_begin_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return sbx_gen_begin(file, cmd);
}

char LICENSE[] SEC("license") = "GPL";
