/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the enforcer's programs (bpf/exec_verdict, mmap_verdict, write_gen, task_scope,
 * ptrace_guard, self_protect): the maps, pinned by name so that every object of the
 * enforcer uses the same ones, and the one question every hook asks, "does this file have a
 * valid verdict for its current content?" (sbx_file_verdict).
 *
 * Why a verdict cannot be stale (the write side is bpf/write_gen.bpf.c):
 *  - A verdict stores the file's write generation as read before the verifier hashed it
 *    (SBX_IOC_VERDICT_BEGIN, userspace/lib/bpf/enforcer.c). Every open for write, write,
 *    truncate, rename over and shared writable mapping of a file that has a generation
 *    replaces it with a fresh value of one global clock, so a generation value is never
 *    seen twice on one inode. A verdict is valid only while the generations are equal.
 *  - A writer that opened before the generation was read is the hard case: its write hook
 *    can run (and bump) before the read while its bytes land during the hashing. So the
 *    verifier reads the generation first and then asks the kernel whether anybody holds
 *    the file open for write (i_writecount > 0): if so it refuses to verify. A writer that
 *    opens after that check bumps the generation at its open (file_open runs after the
 *    kernel counted it in i_writecount, so either the check saw it or the read generation
 *    predates its bump). The hooks below check i_writecount too: a file open for write
 *    (or mapped shared writable, which holds such an open) has no valid verdict.
 *  - A file without a generation (never asked about, or its inode was evicted from memory
 *    and read back) gets a fresh one when next asked, which matches no stored verdict: a
 *    miss, never a stale allow. Inode numbers reused after a delete get new storage too.
 *  - Identity is the inode, not a path: a rename over a verified file puts another inode
 *    at that path, with no verdict of its own.
 *
 * Mapped code (sbx_gen_write): a verdict is checked when a mapping is made, and a write
 * moves the generation but cannot reach into mappings made before it; the kernel refuses
 * writers (ETXTBSY) only for a running main executable, not for a library or any other
 * mapped file. So a file a hook let some task map executable on its verdict is marked
 * (SBX_GEN_EXEC_MAPPED), and while any vma maps it (its address_space's i_mmap tree is not
 * empty), every write hook refuses with ETXTBSY, as exec does, before bumping: an open
 * for write (O_TRUNC included), a write through a descriptor, a truncate by path, a shared
 * writable mmap or mprotect. Each order of mapping and writer:
 *  - writer first: it holds the file open for write (i_writecount > 0) while it can
 *    write, so sbx_file_verdict finds no valid verdict and the executable mapping is
 *    refused; that also holds for a descriptor opened before the verdict or kept across it;
 *  - mapping first: the open for write finds the mark and the vma, and is refused; so is
 *    a truncate by path, which opens nothing;
 *  - both at once: the mapping's hook saw no writer (i_writecount) and the writer's open
 *    no vma yet, because the kernel links the vma only after the mmap hook returns. The
 *    writer's later writes, truncates (ftruncate: the file_truncate hook of 6.2+ is not
 *    watched; on 6.1 it is path_truncate) and shared mappings are refused once the vma is
 *    linked; what it writes inside that window of one mmap call is not. Closing it needs
 *    the kernel's deny_write_access, which a BPF program cannot take.
 * A mark in the inode's storage, not a lookup of the verdict: the LRU verdict cache can
 * be filled until the entry is evicted while the file stays mapped. The mark is never
 * cleared (no hook sees the last munmap): once mapped executable, a file is busy whenever
 * anything maps it, even read-only. A rename is not a write (the inode's content does not
 * change). Complain mode refuses nothing here. Cost: one flag test in the storage slot the
 * bump reads anyway; a marked file also reads i_mmap.
 */
#ifndef SBX_ENFORCER_BPF_H
#define SBX_ENFORCER_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sbx_abi.h"

#ifndef SBX_VERDICT_CACHE_DEFAULT
#define SBX_VERDICT_CACHE_DEFAULT 65536
#endif
#define SBX_EVENTS_BYTES (256 * 1024)

#define SBX_EPERM	       1
#define SBX_ENOENT	       2
#define SBX_ENOMEM	       12
#define SBX_EFAULT	       14
#define SBX_ETXTBSY	       26
#define SBX_EALREADY	       114
#define SBX_ESTALE	       116
#define SBX_EOPNOTSUPP	       95
#define SBX_PROT_WRITE	       0x2
#define SBX_PROT_EXEC	       0x4
#define SBX_MAP_SHARED	       0x1
#define SBX_MAY_WRITE	       0x2
#define SBX_FMODE_WRITE	       0x2
#define SBX_VM_SHARED	       0x8
#define SBX_VM_EXEC	       0x4
#define SBX_VM_WRITE	       0x2
#define SBX_EINVAL	       22
#define SBX_PTRACE_MODE_ATTACH 0x02
#define SBX_PROC_SUPER_MAGIC   0x9fa0

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SBX_VERDICT_CACHE_DEFAULT);
	__type(key, struct sbx_verdict_key);
	__type(value, struct sbx_cached_verdict);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sbx_inode_gen);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_inode_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sbx_task_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbx_enforcer_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_config SEC(".maps");

/*
 * Files self-protection guards (self_protect.bpf.c); mmap_verdict.bpf.c adds sbxd's code.
 * Only where the inode lives as long as the file (sbx_guard_home): a disk's file is
 * guarded in sbx_guard_files below.
 */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32); /* enum sbx_guard_inode_flags */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_guard_inodes SEC(".maps");

/*
 * The same guards, for files on a block device's file system, by identity (struct
 * sbx_file_id): what sbx_guard_home says. Not an LRU: a guard is never evicted, and a full
 * map refuses the guard-add (sbxd does not arm).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SBX_GUARD_FILES_MAX);
	__type(key, struct sbx_file_id);
	__type(value, __u32); /* enum sbx_guard_inode_flags */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_guard_files SEC(".maps");

/*
 * Who sbxd is and where its pins live (self_protect.bpf.c); exec_verdict.bpf.c's commit
 * reads it to mark an exec of sbxd's executable (SBX_TASK_DAEMON_EXEC).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbx_guard_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_guard SEC(".maps");

/* The write generation clock: one counter for every inode (see above). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_gen_clock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SBX_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_events SEC(".maps");

/* inode's ctime across layouts: timespec64 i_ctime (6.1), __i_ctime (6.6), split (6.11). */
struct inode___ctime_ts {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));
struct inode___ctime_priv {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___ctime_split {
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

/* The high bit of the split nanoseconds is the multigrain "queried" flag (6.13), not time. */
#define SBX_CTIME_NSEC_MASK 0x3fffffffu

static __always_inline void sbx_inode_key(struct inode *inode, struct sbx_verdict_key *k)
{
	k->ino = BPF_CORE_READ(inode, i_ino);
	k->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (bpf_core_field_exists(((struct inode___ctime_split *)inode)->i_ctime_sec)) {
		struct inode___ctime_split *i = (void *)inode;

		k->ctime_sec = BPF_CORE_READ(i, i_ctime_sec);
		k->ctime_nsec = BPF_CORE_READ(i, i_ctime_nsec) & SBX_CTIME_NSEC_MASK;
	} else if (bpf_core_field_exists(((struct inode___ctime_priv *)inode)->__i_ctime)) {
		struct inode___ctime_priv *i = (void *)inode;

		k->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		k->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else {
		struct inode___ctime_ts *i = (void *)inode;

		k->ctime_sec = BPF_CORE_READ(i, i_ctime.tv_sec);
		k->ctime_nsec = BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

static __always_inline struct sbx_enforcer_config *sbx_config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sbx_config, &zero);
}

/* A value of the generation clock never handed out before; 0 only if the map is missing. */
static __always_inline __u64 sbx_gen_next(void)
{
	__u32 zero = 0;
	__u64 *clock = bpf_map_lookup_elem(&sbx_gen_clock, &zero);

	if (!clock)
		return 0;
	return __sync_fetch_and_add(clock, 1) + 1;
}

/* The inode's generation record, given a fresh generation when created. */
static __always_inline struct sbx_inode_gen *sbx_gen_get_or_create(struct inode *inode)
{
	struct sbx_inode_gen *g;

	g = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (g && !g->gen) {
		g->ino = BPF_CORE_READ(inode, i_ino);
		g->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		/* Two creators race: the first value wins, either is fresh. */
		__sync_val_compare_and_swap(&g->gen, 0, sbx_gen_next());
	}
	return g;
}

/* Content may change: a file nobody asked about needs no record (it gets a fresh one). */
static __always_inline void sbx_gen_bump(struct inode *inode)
{
	struct sbx_inode_gen *g;

	if (!inode)
		return;
	g = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, 0);
	if (g)
		g->gen = sbx_gen_next();
}

/*
 * Where a file's self-protection guard lives, so that it lasts as long as the file (a
 * guard lost is an allow, atk7k E1/E1b). By the inode's file system:
 *  - a block device's (s_dev is the device's: ext2/3/4, xfs, f2fs, ...): the identity hash
 *    sbx_guard_files, *id filled. An inode evicted and read back, or the device mounted
 *    again (lazy umount, mount), has the same device and number (why not the
 *    generation: struct sbx_file_id, kernel/sbx_abi.h);
 *  - tmpfs, ramfs, bpffs (the pins): the inode's storage, sbx_guard_inodes. These keep a
 *    file's inode in memory for as long as the file exists (its dentry is pinned), and a
 *    new mount of them is another, empty file system;
 *  - a device node (block or character, on any file system): the identity hash too, by
 *    the device's number (SBX_FILE_ID_BLKDEV/CHRDEV): every node of the device is the same
 *    device, and the guard lasts as long as sbxd's arming (SBX_GUARD_DEVICE);
 *  - any other (btrfs and every other anonymous s_dev, overlayfs, NFS, FUSE): neither. The
 *    inode is evicted like a disk's, and s_dev or inode numbers are not kept
 *    across mounts (btrfs: a new s_dev per mount and inode numbers per subvolume; overlayfs,
 *    FUSE, NFS: inodes made up by the file system). A guard there is refused
 *    (SBX_EOPNOTSUPP: sbxd does not arm), except SBX_GUARD_MAPPED alone, which is kept in
 *    the inode's storage: a mapped inode is never evicted (each vma holds its file), and
 *    the guard matters only while sbxd maps it.
 */
enum sbx_guard_home {
	SBX_GUARD_HOME_NONE,
	SBX_GUARD_HOME_INODE,
	SBX_GUARD_HOME_ID,
};
#define SBX_TMPFS_MAGIC	 0x01021994
#define SBX_RAMFS_MAGIC	 0x858458f6
#define SBX_BPF_FS_MAGIC 0xcafe4a11
#define SBX_S_IFMT	 00170000
#define SBX_S_IFBLK	 0060000
#define SBX_S_IFCHR	 0020000

static __always_inline enum sbx_guard_home sbx_guard_home(struct inode *inode,
							  struct sbx_file_id *id)
{
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	__u32 dev = BPF_CORE_READ(sb, s_dev);
	__u16 fmt = BPF_CORE_READ(inode, i_mode) & SBX_S_IFMT;
	unsigned long magic;

	if (fmt == SBX_S_IFBLK || fmt == SBX_S_IFCHR) {
		id->ino = 0;
		id->dev = BPF_CORE_READ(inode, i_rdev);
		id->kind = fmt == SBX_S_IFBLK ? SBX_FILE_ID_BLKDEV : SBX_FILE_ID_CHRDEV;
		return SBX_GUARD_HOME_ID;
	}

	/* No device: the read of NULL's bd_dev gives 0, and an anonymous s_dev is not 0. */
	if (dev && BPF_CORE_READ(sb, s_bdev, bd_dev) == dev) {
		id->ino = BPF_CORE_READ(inode, i_ino);
		id->dev = dev;
		return SBX_GUARD_HOME_ID;
	}
	magic = BPF_CORE_READ(sb, s_magic);
	if (magic == SBX_TMPFS_MAGIC || magic == SBX_RAMFS_MAGIC || magic == SBX_BPF_FS_MAGIC)
		return SBX_GUARD_HOME_INODE;
	return SBX_GUARD_HOME_NONE;
}

/* The inode's guard (enum sbx_guard_inode_flags), 0 for none: one map lookup. */
static __always_inline __u32 sbx_guard_flags(struct inode *inode)
{
	struct sbx_file_id id = {};
	__u32 *flags;

	if (sbx_guard_home(inode, &id) == SBX_GUARD_HOME_ID)
		flags = bpf_map_lookup_elem(&sbx_guard_files, &id);
	else
		flags = bpf_inode_storage_get(&sbx_guard_inodes, inode, 0, 0);
	return flags ? *flags : 0;
}

/*
 * Kept in the inode's storage on any file system: SBX_GUARD_MAPPED (a mapped inode is never
 * evicted) and SBX_GUARD_LAUNCHER, which is not refused where sbx_guard_home has no home
 * for it (sbx on btrfs or overlayfs must still launch): there it lasts as long as the
 * inode stays in memory, and an eviction drops it (what an exec then does without a
 * verdict: exec_verdict.bpf.c).
 */
#define SBX_GUARD_INODE_ANYWHERE (SBX_GUARD_MAPPED | SBX_GUARD_LAUNCHER)

/* Add flags to the inode's guard, where sbx_guard_home keeps it: 0 or -errno. */
static __always_inline int sbx_guard_add(struct inode *inode, __u32 add)
{
	struct sbx_file_id id = {};
	enum sbx_guard_home home = sbx_guard_home(inode, &id);
	__u32 *flags = NULL;

	if (home == SBX_GUARD_HOME_ID) {
		flags = bpf_map_lookup_elem(&sbx_guard_files, &id);
		if (!flags && !bpf_map_update_elem(&sbx_guard_files, &id, &add, BPF_NOEXIST))
			return 0;
		if (!flags) /* added meanwhile, or the map is full */
			flags = bpf_map_lookup_elem(&sbx_guard_files, &id);
	} else if (home == SBX_GUARD_HOME_INODE || !(add & ~SBX_GUARD_INODE_ANYWHERE)) {
		flags = bpf_inode_storage_get(&sbx_guard_inodes, inode, 0,
					      BPF_LOCAL_STORAGE_GET_F_CREATE);
	} else {
		return -SBX_EOPNOTSUPP;
	}
	if (!flags)
		return -SBX_ENOMEM;
	__sync_fetch_and_or(flags, add);
	return 0;
}

static __always_inline bool sbx_inode_open_for_write(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_writecount.counter) > 0;
}

/* Is inode the executable that armed self-protection, with the content it had then? */
static __always_inline bool sbx_daemon_exe(const struct sbx_guard_state *g, struct inode *inode)
{
	struct sbx_verdict_key key = {};
	struct sbx_inode_gen *gen;

	if (!g->daemon_gen || BPF_CORE_READ(inode, i_ino) != g->daemon_exe.ino)
		return false;
	sbx_inode_key(inode, &key);
	if (key.dev != g->daemon_exe.dev || key.ctime_sec != g->daemon_exe.ctime_sec ||
	    key.ctime_nsec != g->daemon_exe.ctime_nsec)
		return false;
	gen = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, 0);
	return gen && gen->gen == g->daemon_gen;
}

/* Does any vma map the file (executable or not, in any process)? */
static __always_inline bool sbx_inode_mapped(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_mapping, i_mmap.rb_root.rb_node) != NULL;
}

/*
 * A writer is about to change the content ("mapped code" above): -ETXTBSY when the file
 * was mapped executable on its verdict and is still mapped, else 0 with the generation
 * bumped. A refused writer changes nothing, so it leaves the verdict valid.
 */
static __always_inline int sbx_gen_write(struct inode *inode)
{
	struct sbx_enforcer_config *cfg;
	struct sbx_inode_gen *g;

	if (!inode)
		return 0;
	g = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, 0);
	if (!g)
		return 0;
	if ((g->flags & SBX_GEN_EXEC_MAPPED) && sbx_inode_mapped(inode)) {
		cfg = sbx_config_get();
		if (cfg && cfg->mode == SBX_ENFORCE_ENFORCE)
			return -SBX_ETXTBSY;
	}
	g->gen = sbx_gen_next();
	return 0;
}

/*
 * The verdict for the file's current content: 0 with *out set when it is valid (or
 * platform), else the enum sbx_deny_reason why not (*out set when an entry was found);
 * *gp is the inode's generation record when it has one.
 *
 * The fast path is the inode's storage slot and one hash lookup. The verdict does not live
 * in the inode's storage beside the generation, though that would save the lookup:
 *  - userspace can only store it with bpf_map_update_elem, which replaces the whole value,
 *    generation included. A writer that bumps between the verifier's check of the
 *    generation and that update (or bumps the old element the update is replacing) is
 *    lost, and its content then runs on the older verdict: a stale allow. Merging needs
 *    the store made in BPF (an ioctl the file_ioctl hook answers, comparing the
 *    generation in the kernel), not a map update;
 *  - the LRU hash bounds the kernel memory verdicts take and userspace can count it
 *    (sbxd's state file and `sbx status` report fill and size); inode storage grows with
 *    the inodes that have one and cannot be walked from userspace.
 * The ctime in the key also catches setattr (chmod, chown, xattrs), which moves no
 * generation.
 */
static __always_inline __u32 sbx_file_verdict_gen(struct file *file,
						  struct sbx_cached_verdict **out,
						  struct sbx_inode_gen **gp)
{
	struct inode *inode = file ? file->f_inode : NULL;
	struct sbx_verdict_key key = {};
	struct sbx_inode_gen *g;
	struct sbx_cached_verdict *v;
	__u64 gen;

	*out = NULL;
	*gp = NULL;
	if (!inode)
		return SBX_DENY_NO_VERDICT;
	g = bpf_inode_storage_get(&sbx_inode_gen, inode, 0, 0);
	if (!g)
		return SBX_DENY_NO_VERDICT;
	*gp = g;
	gen = g->gen; /* before i_writecount: the order write_gen.bpf.c's argument needs */
	sbx_inode_key(inode, &key);
	v = bpf_map_lookup_elem(&sbx_verdicts, &key);
	if (!v)
		return SBX_DENY_NO_VERDICT;
	*out = v;
	if (!gen || v->write_gen != gen || sbx_inode_open_for_write(inode))
		return SBX_DENY_STALE;
	if (v->kind == SBX_CACHED_VALID || v->kind == SBX_CACHED_PLATFORM)
		return 0;
	return v->kind == SBX_CACHED_INVALID ? SBX_DENY_INVALID : SBX_DENY_NO_VERDICT;
}

/* sbx_file_verdict_gen for a caller that needs only the verdict. */
static __always_inline __u32 sbx_file_verdict(struct file *file, struct sbx_cached_verdict **out)
{
	struct sbx_inode_gen *g;

	return sbx_file_verdict_gen(file, out, &g);
}

static __always_inline struct task_struct *sbx_current(void)
{
	return bpf_get_current_task_btf();
}

static __always_inline struct sbx_task_state *sbx_task_state(struct task_struct *t, bool create)
{
	return bpf_task_storage_get(&sbx_tasks, t, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The struct pid a procfs inode belongs to (NULL: not a process's), read as an address. */
static __always_inline __u64 sbx_proc_pid_of(struct inode *inode)
{
	struct proc_inode *pi;

	pi = (void *)((__u64)inode - bpf_core_field_offset(struct proc_inode, vfs_inode));
	return (__u64)BPF_CORE_READ(pi, pid);
}

/*
 * The task a procfs inode belongs to (NULL: not a process's, or gone), read as an address
 * (only BPF_CORE_READ through it): pid_task(pid, PIDTYPE_PID).
 */
static __always_inline struct task_struct *sbx_proc_task_of(struct inode *inode)
{
	struct pid *pid = (struct pid *)sbx_proc_pid_of(inode);
	struct hlist_node *first;

	if (!pid)
		return NULL;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return NULL;
	return (void *)((__u64)first - bpf_core_field_offset(struct task_struct, pid_links));
}

/*
 * The mm of the task a procfs inode belongs to (0: not a process's, gone, or a kernel
 * thread), read as an address: pid_task(pid, PIDTYPE_PID)->mm.
 */
static __always_inline __u64 sbx_proc_mm_of(struct inode *inode)
{
	struct task_struct *task = sbx_proc_task_of(inode);

	return task ? (__u64)BPF_CORE_READ(task, mm) : 0;
}

/* Is t a thread of the process g names (its tgid, and its leader's start time)? */
static __always_inline bool sbx_daemon_process(const struct sbx_guard_state *g,
					       struct task_struct *t)
{
	return g->daemon_tgid && BPF_CORE_READ(t, tgid) == g->daemon_tgid &&
	       BPF_CORE_READ(t, group_leader, start_boottime) == g->daemon_start;
}

/*
 * Is t, whose state is ts, sbxd (self_protect.bpf.c): claimed, a thread of the process
 * whose claim sbx_guard records, and never traced since its exec? The flag alone can be
 * planted (root writes any task's storage while nothing is armed), the record cannot: only
 * an accepted claim writes it. A tracer that got in while self-protection was not armed
 * yet leaves a task that is nobody.
 */
static __always_inline bool sbx_daemon_state(struct task_struct *t, const struct sbx_task_state *ts)
{
	struct sbx_guard_state *g;
	__u32 zero = 0;

	if (!ts || !(ts->flags & SBX_TASK_DAEMON))
		return false;
	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	if (!g || !sbx_daemon_process(g, t))
		return false;
	ts = sbx_task_state(t->group_leader, false);
	return !ts || !(ts->flags & SBX_TASK_TRACED);
}

/* Is the task whose state is ts one the configured scope covers (`all` unless narrowed)? */
static __always_inline bool sbx_in_scope(const struct sbx_enforcer_config *cfg,
					 const struct sbx_task_state *ts, __u32 narrowed_by)
{
	if (cfg->scope == SBX_SCOPE_ALL && !(cfg->flags & narrowed_by))
		return true;
	return ts && (ts->flags & SBX_TASK_SANDBOXED);
}

/*
 * ---- Hardened runtime (issue 11) ----
 * A task runs hardened when its policy has SBX_POLICY_HARDENED_RUNTIME: its verdict's
 * signature asked for it, or the floor of its sandboxed tree did. Each lift is one bit:
 * a policy record carries Apple's cascade already (kernel/sbx_abi.h), so nothing here
 * works out again what an upper key implies.
 */
#define SBX_POLICY_LIFTS                                                                         \
	(SBX_POLICY_ALLOW_JIT | SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM | SBX_POLICY_ALLOW_DYLD_ENV | \
	 SBX_POLICY_DISABLE_LIBRARY_VALIDATION | SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION |       \
	 SBX_POLICY_DEBUGGER | SBX_POLICY_GET_TASK_ALLOW)

static __always_inline bool sbx_hardened(const struct sbx_task_state *ts)
{
	return ts && (ts->policy & SBX_POLICY_HARDENED_RUNTIME);
}

/* No debugging of a hardened task (ptrace_guard.bpf.c), unless it carries get-task-allow. */
static __always_inline bool sbx_debuggable(const struct sbx_task_state *target)
{
	return !sbx_hardened(target) || (target->policy & SBX_POLICY_GET_TASK_ALLOW);
}

/* Before 6.2, task->perf_event_ctxp was an array of two (hardware, software) contexts. */
struct task_struct___perf_ctx_array {
	struct perf_event_context *perf_event_ctxp[2];
} __attribute__((preserve_access_index));

static __always_inline bool sbx_perf_ctx_busy(struct perf_event_context *ctx)
{
	return ctx && BPF_CORE_READ(ctx, nr_events);
}

/*
 * Perf events are attached to task: made by a watcher before an exec, they go on sampling
 * the program it starts (perf record -- PROG), as a tracer attached before it would. The
 * layout this kernel has is chosen at load (the other branch is relocated away).
 */
static __always_inline bool sbx_perf_watched(struct task_struct *task)
{
	struct task_struct___perf_ctx_array *old = (void *)task;

	if (bpf_core_field_exists(old->perf_event_ctxp))
		return sbx_perf_ctx_busy(BPF_CORE_READ(old, perf_event_ctxp[0])) ||
		       sbx_perf_ctx_busy(BPF_CORE_READ(old, perf_event_ctxp[1]));
	return sbx_perf_ctx_busy(BPF_CORE_READ(task, perf_event_ctxp));
}

/*
 * Powers over other processes count in a hardened tracer only: anything could be loaded
 * into one that is not (LD_PRELOAD, dlopen of any library, a tracer of its own) and use
 * them. So cs.debugger, and so the launcher's exemption (sbx's supervisor reads and writes
 * a sandboxed program's memory and takes its descriptors: userspace/lib/supervise), which
 * reaches the sandboxed processes only. A launcher that is not hardened is an ordinary
 * dynamic program: it reaches what anyone may debug, and no hardened program.
 */
static __always_inline bool sbx_may_debug(const struct sbx_task_state *tracer,
					  const struct sbx_task_state *target)
{
	if (!sbx_hardened(tracer))
		return false;
	if (tracer->policy & SBX_POLICY_DEBUGGER)
		return true;
	return target && (tracer->flags & SBX_TASK_LAUNCHER) &&
	       (target->flags & SBX_TASK_SANDBOXED);
}

/*
 * policy held to floor: hardened if either is, lifting only what both lift. cs.debugger,
 * a power over other processes, needs both at any floor: a verdict grants it, and the
 * floor (declared by an unprivileged launcher for a profile the user chose) must lift it
 * too; a policy that is not hardened lifts everything else it could.
 */
static __always_inline __u32 sbx_policy_tighten(__u32 policy, __u32 floor)
{
	__u32 lifts;

	if (!(floor & SBX_POLICY_HARDENED_RUNTIME))
		return policy & (floor | ~SBX_POLICY_DEBUGGER);
	lifts = (policy & SBX_POLICY_HARDENED_RUNTIME) ? policy & SBX_POLICY_LIFTS
						       : (SBX_POLICY_LIFTS & ~SBX_POLICY_DEBUGGER) |
								 (policy & SBX_POLICY_DEBUGGER);
	return (policy & ~SBX_POLICY_LIFTS) | SBX_POLICY_HARDENED_RUNTIME | (lifts & floor);
}

/* Report a refusal (or, in complain mode, what would have been one); returns the answer. */
static __always_inline int sbx_deny(const struct sbx_enforcer_config *cfg, struct file *file,
				    const char *name, __u32 hook, __u32 reason)
{
	bool enforce = cfg->mode == SBX_ENFORCE_ENFORCE;
	struct sbx_event *ev;

	ev = bpf_ringbuf_reserve(&sbx_events, sizeof(*ev), 0);
	if (ev) {
		struct inode *inode = file ? file->f_inode : NULL;

		ev->time_ns = bpf_ktime_get_ns();
		ev->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		ev->ino = BPF_CORE_READ(inode, i_ino);
		ev->pid = (__u32)(bpf_get_current_pid_tgid() >> 32);
		ev->hook = hook;
		ev->reason = reason;
		ev->denied = enforce;
		bpf_get_current_comm(ev->comm, sizeof(ev->comm));
		if (!name)
			name = (const char *)BPF_CORE_READ(file, f_path.dentry, d_name.name);
		if (bpf_probe_read_kernel_str(ev->path, sizeof(ev->path), name) < 0)
			ev->path[0] = '\0';
		bpf_ringbuf_submit(ev, 0);
	}
	return enforce ? -SBX_EPERM : 0;
}

/*
 * An act self-protection guards (self_protect.bpf.c) or keeps from root's instrumentation
 * (instr_guard.bpf.c): refused unless disarmed or the caller is sbxd.
 */
/* Armed, and the caller is not sbxd: what every self-protection refusal asks. */
static __always_inline bool sbx_guard_applies(const struct sbx_enforcer_config *cfg)
{
	struct task_struct *t;

	if (!cfg || !(cfg->flags & SBX_CONFIG_SELF_PROTECT))
		return false;
	t = sbx_current();
	return !sbx_daemon_state(t, sbx_task_state(t, false));
}

static __always_inline int sbx_guard_refuse(const char *name)
{
	struct sbx_enforcer_config *cfg = sbx_config_get();

	if (!sbx_guard_applies(cfg))
		return 0;
	return sbx_deny(cfg, NULL, name, SBX_HOOK_SELF_PROTECT, SBX_DENY_PROTECTED);
}

/*
 * A writer of a guarded inode (an open for write, a shared writable mapping) with flags
 * its guard: armed, sbx_guard_refuse. Not armed yet, a guard against writers (NO_WRITE,
 * MAPPED) refuses everyone from the moment it is added, while an arming is under way
 * (sbxd's record written: sbx_enforcer_protect writes it before the first guard and clears
 * it if the arming fails before its freeze), so the writers check sbxd makes after adding
 * a guard stays true until the claim (atk11k W1: a writer opened between the check and the
 * claim). Refusals before the arming are not events (nothing armed reads them). Not on
 * bpffs (the pin directory): an arming whose claim fails after the freeze keeps its record,
 * and `sbxd --unload` must still unpin there.
 */
#define SBX_GUARD_NO_WRITER (SBX_GUARD_NO_WRITE | SBX_GUARD_MAPPED)

static __always_inline int sbx_guard_refuse_writer(struct inode *inode, __u32 flags,
						   const char *name)
{
	struct sbx_enforcer_config *cfg = sbx_config_get();
	struct sbx_guard_state *g;
	__u32 zero = 0;

	if (!flags)
		return 0;
	if (cfg && (cfg->flags & SBX_CONFIG_SELF_PROTECT))
		return sbx_guard_refuse(name);
	if (!(flags & SBX_GUARD_NO_WRITER) || !inode ||
	    BPF_CORE_READ(inode, i_sb, s_magic) == SBX_BPF_FS_MAGIC)
		return 0; /* the pin directory: an unload unpins there */
	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	if (!g || !g->daemon_gen)
		return 0;
	return -SBX_EPERM;
}

#endif /* SBX_ENFORCER_BPF_H */
