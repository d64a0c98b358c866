// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbxd's writes to the maps it owns (issue 11, item 5): the verdict cache, the configuration
 * and self-protection's own guards. The BPF side makes them, for root before
 * self-protection is armed and for sbxd's identity after.
 *
 * The family: a descriptor of one of sbx's maps, used by anyone but sbxd, whenever it was
 * opened. The bpf hooks see a descriptor only when it is made (lsm/bpf_map), so one root
 * opened before the arming passes none afterwards; and resolving attr->map_fd in lsm/bpf
 * is not an answer, since another thread can dup2 a guarded descriptor onto the checked
 * number between the hook and the kernel's own fdget. So the kernel checks it: every map
 * sbxd writes is frozen as it arms (BPF_MAP_FREEZE, userspace/lib/bpf/enforcer.c), and the
 * kernel then refuses every syscall-side write through every descriptor, on the map it
 * holds its own reference to. sbxd's writes come here instead, as ioctls (kernel/sbx_abi.h)
 * that no descriptor of a map helps with: the caller's identity is checked in the program
 * (sbx_guard_refuse). A program of another's that writes the maps is the other half
 * (self_protect.bpf.c's lsm/bpf_prog: no program but sbxd's uses them).
 *
 * Better than the map update it replaces: a verdict is stored under the key the kernel
 * makes of the verified file's own inode (the one sbx_file_verdict looks up), never a key
 * userspace built, and only while the file's generation is still the verdict's, compared
 * in the kernel.
 *
 * Fast path: an ioctl with another command costs five comparisons.
 */
#include "sbx_enforcer.bpf.h"

const char sbx_name_store[] = "(sbx's verdicts or configuration)";

static long sbx_store_drop(struct bpf_map *map, struct sbx_verdict_key *key,
			   struct sbx_cached_verdict *v, __u32 *n)
{
	if (!bpf_map_delete_elem(&sbx_verdicts, key))
		(*n)++;
	return 0;
}

/*
 * One walk over every verdict, deleting: it may miss some (an LRU element is reused at
 * once), which the caller sees in the map and flushes again.
 */
static __always_inline void sbx_store_flush(void)
{
	__u32 n = 0;

	bpf_for_each_map_elem(&sbx_verdicts, sbx_store_drop, &n, 0);
}

static __always_inline int sbx_store_verdict(struct file *file, unsigned long arg)
{
	struct sbx_verdict_key key = {};
	struct sbx_cached_verdict v;
	struct inode *inode = file->f_inode;
	struct sbx_inode_gen *g;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)arg))
		return -SBX_EFAULT;
	if (!v.write_gen || v.kind > SBX_CACHED_INVALID)
		return -SBX_EINVAL;
	g = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, 0);
	if (!g || g->gen != v.write_gen)
		return -SBX_ESTALE;
	/*
	 * The launcher's identity outlives its verdict (atk7k E2b): marked before the verdict
	 * is stored, so a launcher's verdict never exists without the mark.
	 */
	if (v.policy & SBX_POLICY_SBX_LAUNCHER) {
		int err = sbx_guard_add(inode, SBX_GUARD_LAUNCHER);

		if (err)
			return err;
	}
	sbx_inode_key(inode, &key);
	if (bpf_map_update_elem(&sbx_verdicts, &key, &v, BPF_ANY))
		return -SBX_ENOMEM;
	return -SBX_EALREADY;
}

/* SBX_CONFIG_SELF_PROTECT stays as it is: the claim sets it, an unload ends it. */
static __always_inline int sbx_store_config(unsigned long arg)
{
	struct sbx_enforcer_config *cfg = sbx_config_get(), want;
	__u32 keep = SBX_CONFIG_SELF_PROTECT;

	if (!cfg)
		return -SBX_ENOENT;
	if (bpf_probe_read_user(&want, sizeof(want), (void *)arg))
		return -SBX_EFAULT;
	if (want.abi_version != SBX_ABI_VERSION || want.mode > 1 || want.scope > 1)
		return -SBX_EINVAL;
	cfg->abi_version = want.abi_version;
	cfg->mode = want.mode;
	cfg->scope = want.scope;
	/* Atomic: a claim arming meanwhile sets the kept bit. */
	__sync_fetch_and_or(&cfg->flags, want.flags & ~keep);
	__sync_fetch_and_and(&cfg->flags, want.flags | keep);
	return -SBX_EALREADY;
}

#define SBX_GUARD_FLAGS \
	(SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN | SBX_GUARD_MAPPED | SBX_GUARD_DEVICE)

/* Where the guard lives, by the file's file system: sbx_guard_home (sbx_enforcer.bpf.h). */
static __always_inline int sbx_store_guard(struct file *file, unsigned int cmd, unsigned long arg)
{
	int err;

	if (!arg || (arg & ~(unsigned long)SBX_GUARD_FLAGS))
		return -SBX_EINVAL;
	if (cmd == SBX_IOC_GUARD_TEST)
		return (sbx_guard_flags(file->f_inode) & arg) == arg ? -SBX_EALREADY : -SBX_ENOENT;
	err = sbx_guard_add(file->f_inode, (__u32)arg);
	return err ? err : -SBX_EALREADY;
}

/* Answered with an error so the ioctl never reaches the file system (as the claim). */
static __always_inline int sbx_store(struct file *file, unsigned int cmd, unsigned long arg)
{
	int err;

	if (cmd != SBX_IOC_VERDICT_COMMIT && cmd != SBX_IOC_VERDICTS_FLUSH &&
	    cmd != SBX_IOC_CONFIG_SET && cmd != SBX_IOC_GUARD_ADD && cmd != SBX_IOC_GUARD_TEST)
		return 0;
	if (BPF_CORE_READ(sbx_current(), cred, euid.val) != 0)
		return 0;
	err = sbx_guard_refuse(sbx_name_store);
	if (err)
		return err;
	if (cmd == SBX_IOC_VERDICT_COMMIT)
		return sbx_store_verdict(file, arg);
	if (cmd == SBX_IOC_CONFIG_SET)
		return sbx_store_config(arg);
	if (cmd == SBX_IOC_GUARD_ADD || cmd == SBX_IOC_GUARD_TEST)
		return sbx_store_guard(file, cmd, arg);
	sbx_store_flush();
	return -SBX_EALREADY;
}

SEC("lsm/file_ioctl")
int BPF_PROG(sbx_store_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return sbx_store(file, cmd, arg);
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(sbx_store_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return sbx_store(file, cmd, arg);
}

char LICENSE[] SEC("license") = "GPL";
