// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-protection, the SIP analogue: while it is armed (SBX_CONFIG_SELF_PROTECT, set by
 * sbxd in enforce mode), only sbxd reaches sbx's BPF objects and files. Root without
 * sbxd's identity cannot open, update, detach, unpin or replace the enforcer's maps,
 * programs and links, write the trust store or sbxd.conf, unmount the pins' bpffs,
 * debug sbxd, signal it or act on its process in any other way (init excepted). The way off is
 * sbxd's own (`sbxd --unload`, or the boot parameter sbx.protect=0 before sbxd starts):
 * userspace/daemon/README.md.
 *
 * DESIGN
 *  - Identity. sbxd verifies its own executable with the library verifier; only when it
 *    is validly signed does sbxd record it in sbx_guard (its verdict-cache key and write
 *    generation) and arm. A process becomes sbxd by SBX_IOC_DAEMON_CLAIM on a descriptor
 *    of its own executable: the file must be that recorded inode, unmodified (same
 *    generation, nobody writing), and the task never traced since its exec. The accepted
 *    claim records the process (tgid, its leader's start time) in sbx_guard, and sbxd is
 *    that one process (sbx_daemon_state): a flag in task storage is only half of it, so
 *    what root wrote into any process's storage while nothing was armed names nobody. The
 *    first claim arms (SBX_CLAIM_ARM, in the same program run), so nothing claimed before
 *    the arming survives it; sbxd reads the record back and stops if it is not itself.
 *    Once armed, "its own executable" is what its exec ran, as the exec's file said
 *    (SBX_TASK_DAEMON_EXEC, set by exec_verdict.bpf.c's commit), never mm->exe_file: root
 *    points that at any file without an exec (prctl PR_SET_MM_EXE_FILE, or PR_SET_MM_MAP's
 *    exe_fd, once its own executable is unmapped) and would claim from code of its
 *    choosing; and the process must have started after the arming (or be sbxd's own),
 *    since a flag could be planted in one that existed before. Only the arming claim, by a
 *    sbxd whose exec preceded the programs (no hook saw it), is judged by mm->exe_file; a
 *    task that sets its exe_file once they are loaded is marked as traced (below).
 *    A copy of sbxd is another inode. A tracer could have changed the image before it let go
 *    (PTRACE_TRACEME, poke at the exec stop, detach, then claim): so an exec under a
 *    tracer, and any later attach to a task (ptrace_access_check in ATTACH mode: PTRACE_
 *    ATTACH/SEIZE, /proc/PID/mem, process_vm_writev, pidfd_getfd) or PTRACE_TRACEME,
 *    marks its thread group SBX_TASK_TRACED until an exec nobody traces; a marked task
 *    never claims. Once claimed nobody else may attach. Threads and forks inherit the
 *    mark through task storage (task_scope.bpf.c: a thread's fork from the group's
 *    leader, which holds the mark); threads inherit the identity, a fork (another
 *    process) neither the identity nor SBX_TASK_DAEMON_EXEC; the marks of an exec
 *    (traced, sbxd's executable) are made by exec_verdict.bpf.c, whose check and commit
 *    run at every exec anyway, and every exec clears SBX_TASK_DAEMON: sbxd's process
 *    that execs something else is not sbxd any more.
 *    The record is not an LRU entry: an evicted verdict cannot lock sbxd out.
 *  - Code. Every file sbxd has mapped executable when it arms (its program, ld.so, its
 *    libraries: sbx_enforcer_protect reads /proc/self/map_files) is guarded against
 *    writes (SBX_GUARD_MAPPED): the kernel's ETXTBSY covers the executable only, and a
 *    write to a mapped library's page cache is a write into the running sbxd. A library
 *    sbxd maps executable later (dlopen) is guarded by mmap_verdict.bpf.c's mmap_file
 *    program, which looks up the mapping task's storage anyway.
 *  - Objects. An fd to a map or program is created only after the bpf_map / bpf_prog hook
 *    saw the object (map_create, *_GET_FD_BY_ID, BPF_OBJ_GET alike); links have no such
 *    hook, so the bpf hook refuses BPF_LINK_GET_FD_BY_ID of a guarded id and the pins
 *    themselves cannot be opened (BPF_OBJ_GET walks inode_permission on the pin).
 *    Without an fd, nothing can be updated, detached (BPF_LINK_DETACH/UPDATE take an fd)
 *    or re-pinned; sbxd holds no link fds, and /proc/PID/fd cannot reopen a BPF fd.
 *  - Files, by inode, never by path: MAY_WRITE is refused on the trust
 *    store, its entries and sbxd.conf (open for write, truncate, create or delete in a
 *    guarded directory), any open of a pin, unlink/rmdir/rename of a guarded inode;
 *    sbxd's mapped code only against writes (its path may get a new file).
 *    7.x skips inode_permission for MAY_EXEC on world-searchable directories, which is
 *    why pins are guarded by MAY_READ/MAY_WRITE on the pin itself, not by lookup.
 *    A guard lasts as long as the file, not its in-memory inode (atk7k E1/E1b): a disk's
 *    file is guarded by its identity (device, inode number: sbx_guard_files),
 *    so an inode evicted and read back, or the device mounted again after a lazy umount,
 *    is still guarded; a file on tmpfs, ramfs or bpffs in its inode's storage, which lives
 *    as long as the file there; on any other file system a guard is refused and sbxd does
 *    not arm (sbx_guard_home, bpf/include/sbx_enforcer.bpf.h).
 *  - umount of the pins' bpffs would drop every pin and detach everything: refused; so
 *    is a mount over a guarded inode. A mount over one of its parents (/etc/sbx) is
 *    not seen here: a restarted sbxd finds the guarded inodes are no longer at its paths
 *    and refuses to re-arm over them (sbx_enforcer_protect), the running one has read
 *    its trust store already.
 *  - Kernel modules, /dev/mem, kexec, /proc/kcore and BPF reads of kernel memory:
 *    kernel_lockdown.bpf.c.
 *  - sbxd's cgroup (moving, killing, freezing or limiting it through cgroupfs, which no
 *    task hook sees): cgroup_guard.bpf.c.
 *  - Not covered (README): a map of sbx's put into an outer map
 *    through a descriptor opened before the arming (lsm/bpf_prog below). The maps
 *    themselves are frozen as sbxd arms, so no descriptor writes them (daemon_store.bpf.c).
 *
 * Fast paths: the bpf hook compares the command first; the object hooks are one hash
 * lookup (rare calls); inode_permission, the hot one, is one lookup (the identity hash
 * for a disk's file, else the inode's storage) that misses for every inode but a few;
 * the task hooks (task_kill, ptrace, ...) one task-storage lookup of the target. The armed flag and
 * the caller's identity are read only after a hit. An exec runs no program of this file:
 * exec_verdict.bpf.c's check and commit set or clear its marks in the lookups they make anyway (the
 * commit adds sbx_guard's one element: did it run sbxd's executable); sbxd's executable mappings
 * are marked by mmap_verdict.bpf.c, from the task storage it has looked up already. PR_SET_MM costs
 * a lookup.
 */
#include "sbx_enforcer.bpf.h"

#define SBX_MAY_WRITE_ANY (0x2 | 0x8) /* MAY_WRITE | MAY_APPEND */
#define SBX_MAY_OPEN_ANY  (0x2 | 0x4 | 0x8) /* ... | MAY_READ */

/*
 * Every pinned object: a program and a link per program (enforcer.c refuses more than
 * ENFORCER_PROGS_MAX, 96, programs) and the maps. A full hash answers E2BIG and the
 * arming fails: 128 was outgrown at 45 programs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64); /* SBX_GUARD_KEY(kind, id) */
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sbx_guard_ids SEC(".maps");

/* What the refusal names in the event (sbx log's file=). */
const char sbx_name_map[] = "(bpf map of sbx)";
const char sbx_name_prog[] = "(bpf program of sbx)";
const char sbx_name_link[] = "(bpf link of sbx)";
const char sbx_name_inode[] = "(file guarded by sbxd)";
const char sbx_name_umount[] = "(umount of sbx's bpffs)";
const char sbx_name_ptrace[] = "(debugging sbxd)";
const char sbx_name_kill[] = "(signal to sbxd)";

/* sbxd, and never traced since its exec (sbx_daemon_state). */
static __always_inline bool sbx_is_daemon(struct task_struct *t)
{
	return sbx_daemon_state(t, sbx_task_state(t, false));
}

static __always_inline int sbx_guard_object(__u32 kind, __u32 id, const char *name)
{
	__u64 key = SBX_GUARD_KEY(kind, id);

	if (!bpf_map_lookup_elem(&sbx_guard_ids, &key))
		return 0;
	return sbx_guard_refuse(name);
}

static __always_inline int sbx_guard_inode(struct inode *inode, __u32 deny)
{
	if (!inode || !(sbx_guard_flags(inode) & deny))
		return 0;
	return sbx_guard_refuse(sbx_name_inode);
}

/*
 * Traced since its exec: the mark is on the thread group's leader (kernel/sbx_abi.h),
 * given here (an exec under a tracer: exec_verdict.bpf.c).
 */
static __always_inline int sbx_mark_traced(struct task_struct *leader)
{
	struct sbx_task_state *ts = sbx_task_state(leader, true);

	if (!ts)
		return -SBX_ENOMEM; /* unmarked, it could claim later: no tracing */
	ts->flags |= SBX_TASK_TRACED;
	return 0;
}

/*
 * The claim (DESIGN above). Answered with an error so the ioctl never reaches the file
 * system; a caller that is not root passes on (ENOTTY, as if nothing were attached).
 * Through both ioctl entries (file_ioctl, and file_ioctl_compat where the kernel has it:
 * the loader's list of ioctl programs, userspace/lib/bpf/enforcer.c).
 *
 * What proves the caller is sbxd:
 *  - not armed yet, only with SBX_CLAIM_ARM (sbx_enforcer_protect): the file is its
 *    mm->exe_file (no hook saw sbxd's exec). The claim arms, in one step: it records the
 *    caller's process in sbx_guard, the time, and sets SBX_CONFIG_SELF_PROTECT. Whatever
 *    claimed or was planted before is nobody, since the record names one process; a
 *    process that armed before sbxd (root, with exe_file pointed at sbxd before the
 *    programs loaded) leaves sbxd's own claim refused, and sbxd stops (it reads the
 *    record back);
 *  - armed: its exec was of sbxd's executable (SBX_TASK_DAEMON_EXEC), and its process
 *    started after the arming, or is sbxd's own. A process that existed before the
 *    arming could carry a flag root wrote into its storage then (and a fork made later
 *    inherits nothing of it: task_scope.bpf.c), so it never claims, even if it execs
 *    sbxd: a restarted sbxd or `sbxd --unload` is a new process. The record then names
 *    the new claimer: sbxd is one process at a time.
 */
static __always_inline int sbx_claim(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sbx_enforcer_config *cfg;
	struct task_struct *task;
	struct sbx_guard_state *g;
	struct sbx_task_state *ts;
	struct inode *inode;
	__u64 start;
	__u32 zero = 0;
	bool armed, exec_was_daemon;

	if (cmd != SBX_IOC_DAEMON_CLAIM)
		return 0;
	task = sbx_current();
	if (BPF_CORE_READ(task, cred, euid.val) != 0)
		return 0;
	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	cfg = sbx_config_get();
	inode = file->f_inode;
	if (!g || !cfg || BPF_CORE_READ(task, ptrace) || !sbx_daemon_exe(g, inode) ||
	    sbx_inode_open_for_write(inode))
		return -SBX_EPERM;
	armed = cfg->flags & SBX_CONFIG_SELF_PROTECT;
	start = BPF_CORE_READ(task, group_leader, start_boottime);
	ts = sbx_task_state(task, false);
	if (armed)
		exec_was_daemon = ts && (ts->flags & SBX_TASK_DAEMON_EXEC) &&
				  (start > g->armed_at || sbx_daemon_process(g, task));
	else if (arg != SBX_CLAIM_ARM)
		return -SBX_ENOENT; /* nothing armed: nothing to claim */
	else /* the first arming: no hook saw sbxd's exec (DESIGN) */
		exec_was_daemon = inode == BPF_CORE_READ(task, mm, exe_file, f_inode);
	if (!exec_was_daemon)
		return -SBX_EPERM;
	ts = sbx_task_state(task->group_leader, false);
	if (ts && (ts->flags & SBX_TASK_TRACED))
		return -SBX_EPERM;
	ts = sbx_task_state(task, true);
	if (!ts)
		return -SBX_ENOMEM;
	ts->flags |= SBX_TASK_DAEMON;
	g->daemon_tgid = BPF_CORE_READ(task, tgid);
	g->daemon_start = start;
	g->daemon_task = (__u64)BPF_CORE_READ(task, group_leader);
	if (!armed) {
		g->armed_at = bpf_ktime_get_boot_ns();
		cfg->flags |= SBX_CONFIG_SELF_PROTECT;
	}
	return -SBX_EALREADY;
}

/*
 * An ioctl on a guarded inode (atk8k G1, second line): an ioctl is a file system's own
 * entry, and some write the inode without MAY_WRITE (FS_IOC_SETVERSION and
 * FS_IOC_SETFLAGS ask inode_owner_or_capable, through a read-only descriptor) where no
 * other hook looks. So an allow-list, not a list of the writing ones: what only reads
 * (flags, version, extents, block size, label), the descriptor's own flags (FIOCLEX,
 * FIONBIO, ...), and sbx's own commands, which its hooks answer before any file system
 * sees them. Everything else, on a guarded inode, for a caller that is not sbxd while
 * armed: refused. Any cmd outside the list costs the one lookup of sbx_guard_flags.
 * The same list for a guarded device (SBX_GUARD_DEVICE: the disk under a guarded file, its
 * partitions and pass-through nodes, guarded by device number, so any node of it): a
 * read-only descriptor of a block device writes through SG_IO (CAP_SYS_RAWIO), the NVMe
 * pass-through ioctls on the namespace, /dev/ngXnY or the controller's /dev/nvmeX
 * (CAP_SYS_ADMIN), SCSI generic and bsg nodes; a writable one, opened before the arming,
 * through BLKDISCARD, BLKZEROOUT, BLKSECDISCARD; partitions change through BLKPG and
 * BLKRRPART. None is on the list: only what reads the device's size and limits is.
 */
#define SBX_FIGETBSZ		0x00000002u
#define SBX_TCGETS		0x00005401u
#define SBX_FIONBIO		0x00005421u
#define SBX_FIONREAD		0x0000541bu
#define SBX_FIONCLEX		0x00005450u
#define SBX_FIOCLEX		0x00005451u
#define SBX_FIOASYNC		0x00005452u
#define SBX_FS_IOC_GETFLAGS	0x80086601u
#define SBX_FS_IOC32_GETFLAGS	0x80046601u
#define SBX_FS_IOC_GETVERSION	0x80087601u
#define SBX_FS_IOC32_GETVERSION 0x80047601u
#define SBX_FS_IOC_FSGETXATTR	0x801c581fu
#define SBX_FS_IOC_FIEMAP	0xc020660bu
#define SBX_FS_IOC_GETFSLABEL	0x81009431u
/* A guarded block device's read-only ioctls (its size, geometry, limits: blkid, lsblk). */
#define SBX_BLKROGET	     0x0000125eu
#define SBX_BLKGETSIZE	     0x00001260u
#define SBX_BLKRAGET	     0x00001263u
#define SBX_BLKFRAGET	     0x00001265u
#define SBX_BLKSECTGET	     0x00001267u
#define SBX_BLKSSZGET	     0x00001268u
#define SBX_BLKBSZGET	     0x80081270u
#define SBX_BLKBSZGET32	     0x80041270u
#define SBX_BLKGETSIZE64     0x80081272u
#define SBX_BLKGETSIZE64_32  0x80041272u
#define SBX_BLKIOMIN	     0x00001278u
#define SBX_BLKIOOPT	     0x00001279u
#define SBX_BLKALIGNOFF	     0x0000127au
#define SBX_BLKPBSZGET	     0x0000127bu
#define SBX_BLKDISCARDZEROES 0x0000127cu
#define SBX_BLKROTATIONAL    0x0000127eu
#define SBX_BLKGETDISKSEQ    0x80081280u
#define SBX_BLKGETZONESZ     0x80041284u
#define SBX_BLKGETNRZONES    0x80041285u
#define SBX_HDIO_GETGEO	     0x00000301u
#define SBX_NVME_IOCTL_ID    0x00004e40u

static __always_inline bool sbx_ioctl_reads_only(unsigned int cmd)
{
	switch (cmd) {
	case SBX_FIGETBSZ:
	case SBX_TCGETS:
	case SBX_FIONBIO:
	case SBX_FIONREAD:
	case SBX_FIONCLEX:
	case SBX_FIOCLEX:
	case SBX_FIOASYNC:
	case SBX_FS_IOC_GETFLAGS:
	case SBX_FS_IOC32_GETFLAGS:
	case SBX_FS_IOC_GETVERSION:
	case SBX_FS_IOC32_GETVERSION:
	case SBX_FS_IOC_FSGETXATTR:
	case SBX_FS_IOC_FIEMAP:
	case SBX_FS_IOC_GETFSLABEL:
	case SBX_BLKROGET:
	case SBX_BLKGETSIZE:
	case SBX_BLKRAGET:
	case SBX_BLKFRAGET:
	case SBX_BLKSECTGET:
	case SBX_BLKSSZGET:
	case SBX_BLKBSZGET:
	case SBX_BLKBSZGET32:
	case SBX_BLKGETSIZE64:
	case SBX_BLKGETSIZE64_32:
	case SBX_BLKIOMIN:
	case SBX_BLKIOOPT:
	case SBX_BLKALIGNOFF:
	case SBX_BLKPBSZGET:
	case SBX_BLKDISCARDZEROES:
	case SBX_BLKROTATIONAL:
	case SBX_BLKGETDISKSEQ:
	case SBX_BLKGETZONESZ:
	case SBX_BLKGETNRZONES:
	case SBX_HDIO_GETGEO:
	case SBX_NVME_IOCTL_ID:
	case SBX_IOC_VERDICT_BEGIN:
	case SBX_IOC_VERDICT_COMMIT:
	case SBX_IOC_VERDICTS_FLUSH:
	case SBX_IOC_CONFIG_SET:
	case SBX_IOC_GUARD_ADD:
	case SBX_IOC_GUARD_TEST:
	case SBX_IOC_DAEMON_CLAIM:
		return true;
	}
	return false;
}

static __always_inline int sbx_guard_ioctl(struct file *file, unsigned int cmd)
{
	if (sbx_ioctl_reads_only(cmd))
		return 0;
	return sbx_guard_inode(file->f_inode, ~0u);
}

/* One program per ioctl entry: the claim, then the guarded inode's allow-list. */
static __always_inline int sbx_guard_ioctls(struct file *file, unsigned int cmd, unsigned long arg)
{
	int err = sbx_claim(file, cmd, arg);

	if (err)
		return err;
	return sbx_guard_ioctl(file, cmd);
}

SEC("lsm/file_ioctl")
int BPF_PROG(sbx_guard_claim, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_ioctls(file, cmd, arg);
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(sbx_guard_claim_compat, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	return sbx_guard_ioctls(file, cmd, arg);
}

/*
 * io_uring's uring_cmd (security_uring_cmd, 6.0+): the NVMe pass-through of /dev/ngXnY
 * and, on newer kernels, a block device's discard, both through a read-only descriptor,
 * asking no ioctl hook. On a guarded device or file, for anyone but sbxd while armed:
 * refused, whatever the command (sbxd issues none).
 */
SEC("lsm/uring_cmd")
int BPF_PROG(sbx_guard_uring_cmd, struct io_uring_cmd *ioucmd, int ret)
{
	if (ret)
		return ret;
	/* walked, not read: the inode's storage takes the kernel's pointer, not a copy */
	return sbx_guard_inode(ioucmd->file->f_inode, ~0u);
}

/*
 * mm->exe_file set without an exec (PR_SET_MM_EXE_FILE, PR_SET_MM_MAP's exe_fd; the
 * kernel's only writers of it besides exec, fork's copy and exit): the process is marked
 * as traced, so it never claims until an exec nobody traces. Asked before the kernel
 * checks the call, so an attempt that fails marks too. Any other prctl: two comparisons.
 * The sub-option is read as the kernel reads it: prctl_set_mm(int opt, ...) keeps arg2's
 * low 32 bits, so PR_SET_MM_EXE_FILE | 1 << 32 sets exe_file like PR_SET_MM_EXE_FILE
 * (atk3 C). Every argument a hook compares is as wide as the kernel's own reading of it:
 * prctl's option is an int, an ioctl's command an unsigned int, in the hooks too.
 */
#define SBX_PR_SET_MM	       35
#define SBX_PR_SET_MM_EXE_FILE 13
#define SBX_PR_SET_MM_MAP      14

SEC("lsm/task_prctl")
int BPF_PROG(sbx_guard_set_exe, int option, unsigned long arg2, unsigned long arg3,
	     unsigned long arg4, unsigned long arg5, int ret)
{
	int opt = (int)arg2;

	if (ret || option != SBX_PR_SET_MM ||
	    (opt != SBX_PR_SET_MM_EXE_FILE && opt != SBX_PR_SET_MM_MAP))
		return ret;
	return sbx_mark_traced(sbx_current()->group_leader);
}

/*
 * No `ret` here: 6.15 added `bool kernel` after size, which moves it. It is 0 anyway: a
 * BPF LSM program runs only while every program before it on the hook returned 0.
 */
SEC("lsm/bpf")
int BPF_PROG(sbx_guard_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	switch (cmd) {
	case BPF_MAP_GET_FD_BY_ID:
		return sbx_guard_object(SBX_GUARD_MAP, BPF_CORE_READ(attr, map_id), sbx_name_map);
	case BPF_PROG_GET_FD_BY_ID:
		return sbx_guard_object(SBX_GUARD_PROG, BPF_CORE_READ(attr, prog_id),
					sbx_name_prog);
	case BPF_LINK_GET_FD_BY_ID:
		return sbx_guard_object(SBX_GUARD_LINK, BPF_CORE_READ(attr, link_id),
					sbx_name_link);
	}
	return 0;
}

SEC("lsm/bpf_map")
int BPF_PROG(sbx_guard_bpf_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_object(SBX_GUARD_MAP, BPF_CORE_READ(map, id), sbx_name_map);
}

/*
 * A program of another's that uses one of sbx's maps: it would write what the frozen maps
 * refuse the syscall side (daemon_store.bpf.c), through a descriptor opened before the
 * arming, in a program of a type anyone may load while armed (instr_guard.bpf.c). The hook
 * runs once the verifier has resolved every map the program names (aux->used_maps), before
 * the program has a descriptor, so nothing of it runs; on its first descriptor, so a
 * program loaded before the arming is refused by the id lookup when reopened, and the
 * programs that hold a reference then (sbxd's own) are sbx's. The loop only finds; the
 * refusal (its event) is made once after it: inside, the verifier walked it for every
 * iteration, past the tests' 30 s on 6.12. Known gap: a map of sbx's
 * put into an outer map (map-in-map) through such a descriptor, reached by lookup in the
 * outer map; tests/vm/enforcer_protect.c says which tier closes it.
 */
#define SBX_USED_MAPS_MAX 64 /* MAX_USED_MAPS */

static __always_inline int sbx_guard_used_maps(struct bpf_prog *prog)
{
	struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);
	struct bpf_map **maps = BPF_CORE_READ(aux, used_maps);
	__u32 n = BPF_CORE_READ(aux, used_map_cnt);
	bool used = false;

	for (__u32 i = 0; i < SBX_USED_MAPS_MAX && i < n && !used; i++) {
		struct bpf_map *map = NULL;
		__u64 key;

		bpf_probe_read_kernel(&map, sizeof(map), &maps[i]);
		key = SBX_GUARD_KEY(SBX_GUARD_MAP, BPF_CORE_READ(map, id));
		used = bpf_map_lookup_elem(&sbx_guard_ids, &key) != NULL;
	}
	return used ? sbx_guard_refuse(sbx_name_map) : 0;
}

SEC("lsm/bpf_prog")
int BPF_PROG(sbx_guard_bpf_prog, struct bpf_prog *prog, int ret)
{
	int err;

	if (ret)
		return ret;
	err = sbx_guard_object(SBX_GUARD_PROG, BPF_CORE_READ(prog, aux, id), sbx_name_prog);
	if (err)
		return err;
	return sbx_guard_used_maps(prog);
}

SEC("lsm/inode_permission")
int BPF_PROG(sbx_guard_permission, struct inode *inode, int mask, int ret)
{
	__u32 flags;

	if (ret)
		return ret;
	if (!(mask & SBX_MAY_OPEN_ANY))
		return 0; /* lookups (MAY_EXEC) are most calls: no lookup for them */
	flags = sbx_guard_flags(inode);
	if (!flags)
		return 0;
	if (mask & SBX_MAY_WRITE_ANY)
		return sbx_guard_refuse_writer(inode, flags, sbx_name_inode);
	if (flags & SBX_GUARD_NO_OPEN)
		return sbx_guard_refuse(sbx_name_inode);
	return 0;
}

SEC("lsm/inode_unlink")
int BPF_PROG(sbx_guard_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_inode(dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(sbx_guard_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_inode(dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
}

/* Moving a guarded inode away, or another file over it. */
SEC("lsm/inode_rename")
int BPF_PROG(sbx_guard_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	int err;

	if (ret)
		return ret;
	err = sbx_guard_inode(old_dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
	if (err)
		return err;
	return sbx_guard_inode(new_dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
}

/*
 * A guarded inode's attributes and extended attributes (atk8k: chmod, chown, utimes,
 * setxattr and removexattr on the trust store passed while armed). The allow-list is
 * sbxd alone: for anyone else, while armed, every change is refused, whatever the
 * attribute (mode, owner, times, size) or the xattr's namespace (security., trusted.,
 * user., system.posix_acl_*), through a path or a read-only descriptor. Reads (stat,
 * getxattr, listxattr) ask none of these hooks and pass. On 6.2+ a POSIX ACL is set and
 * removed through its own hooks (inode_set_acl, inode_remove_acl: optional, the loader's
 * enforcer_optional_hooks); before, through the xattr ones. inode_setattr gained the
 * mount's idmap (or user namespace) as its first argument in 6.2: one program per
 * prototype, and the loader keeps the one whose argument count the running kernel's hook
 * has (enforcer_hook_variants). The first argument of the others is the mount's idmap
 * (6.3+) or user namespace (6.1, 6.2), unused here.
 */
/* A change of dentry's inode: an earlier refusal stands, else the guard decides. */
static __always_inline int sbx_guard_change(int ret, struct dentry *dentry)
{
	if (ret)
		return ret;
	return sbx_guard_inode(dentry->d_inode, ~0u);
}

SEC("lsm/inode_setattr")
int BPF_PROG(sbx_guard_setattr, void *idmap, struct dentry *dentry, struct iattr *attr, int ret)
{
	return sbx_guard_change(ret, dentry);
}

SEC("lsm/inode_setattr")
int BPF_PROG(sbx_guard_setattr_noidmap, struct dentry *dentry, struct iattr *attr, int ret)
{
	return sbx_guard_change(ret, dentry);
}

SEC("lsm/inode_setxattr")
int BPF_PROG(sbx_guard_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	return sbx_guard_change(ret, dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(sbx_guard_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	return sbx_guard_change(ret, dentry);
}

SEC("lsm/inode_set_acl")
int BPF_PROG(sbx_guard_set_acl, void *idmap, struct dentry *dentry, const char *acl_name,
	     struct posix_acl *kacl, int ret)
{
	return sbx_guard_change(ret, dentry);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(sbx_guard_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name,
	     int ret)
{
	return sbx_guard_change(ret, dentry);
}

/* Mounting over a guarded inode would put another trust store or config at its path. */
SEC("lsm/sb_mount")
int BPF_PROG(sbx_guard_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_inode(path->dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
}

SEC("lsm/move_mount")
int BPF_PROG(sbx_guard_move_mount, const struct path *from_path, const struct path *to_path,
	     int ret)
{
	if (ret)
		return ret;
	return sbx_guard_inode(to_path->dentry->d_inode, SBX_GUARD_NO_WRITE | SBX_GUARD_NO_OPEN);
}

SEC("lsm/sb_umount")
int BPF_PROG(sbx_guard_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct sbx_guard_state *g;
	__u32 zero = 0;

	if (ret)
		return ret;
	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	if (!g || !g->pin_dev || BPF_CORE_READ(mnt, mnt_sb, s_dev) != g->pin_dev)
		return 0;
	return sbx_guard_refuse(sbx_name_umount);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(sbx_guard_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	/* PTRACE_MODE_READ (ps, /proc/PID/status, fdinfo) stays open to everyone. */
	if (!(mode & SBX_PTRACE_MODE_ATTACH))
		return 0;
	if (sbx_is_daemon(child)) {
		int err = sbx_guard_refuse(sbx_name_ptrace);

		if (err)
			return err;
	}
	return sbx_mark_traced(child->group_leader); /* attaches are rare: a lookup is cheap */
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(sbx_guard_traceme, struct task_struct *parent, int ret)
{
	if (ret)
		return ret;
	return sbx_mark_traced(sbx_current()->group_leader);
}

/*
 * A process other than sbxd acting on sbxd's task (F4 of atk6k): every LSM hook whose
 * object is another task, one rule. Refused unless the actor is sbxd (sbx_guard_refuse)
 * or init (systemd stops, reloads and moves its services). The hooks (lsm_hook_defs.h,
 * the same on 6.1, 6.12 and 7.x): task_kill (kill, tgkill, pidfd_send_signal),
 * file_send_sigiotask (a descriptor's owner signalled: F_SETOWN/F_SETSIG), task_setrlimit
 * (prlimit of another process: RLIMIT_CORE, RLIMIT_CPU's SIGKILL), task_setnice,
 * task_setioprio, task_setscheduler (sched_setscheduler/setattr/setaffinity, and a move
 * into another cpuset), task_movememory (migrate_pages, move_pages), task_setpgid, and
 * ptrace_access_check in ATTACH mode (sbx_guard_ptrace above). What only reads (getpgid,
 * getsid, getscheduler, getioprio, prlimit without a new limit, capget, PTRACE_MODE_READ)
 * stays open, as ps needs it. Each is one task-storage lookup of the target.
 */
const char sbx_name_task[] = "(acting on sbxd's process)";

static __always_inline int sbx_guard_task(struct task_struct *p, const char *name)
{
	if (!sbx_is_daemon(p) || (__u32)(bpf_get_current_pid_tgid() >> 32) == 1)
		return 0;
	return sbx_guard_refuse(name);
}

SEC("lsm/task_kill")
int BPF_PROG(sbx_guard_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	/* kill(pid, 0) only asks whether sbxd lives. */
	if (!sig)
		return 0;
	return sbx_guard_task(p, sbx_name_kill);
}

/*
 * SIGIO and F_SETSIG's signal reach a descriptor's owner from whoever makes the
 * descriptor ready (a writer of a pipe, the opener that breaks a lease), in that task's
 * context, or from an interrupt (a socket, a terminal), so the actor says nothing here.
 * The signal does: sbxd asks only for SIGIO (sig 0, or SIGIO) and its lease signal, blocks
 * both from its start and reads them from a signalfd; a forged one makes it forget
 * verdicts (fail closed). Any other signal to the armed sbxd as SIGIO is refused.
 */
#define SBX_SIGIO 29

SEC("lsm/file_send_sigiotask")
int BPF_PROG(sbx_guard_sigio, struct task_struct *tsk, struct fown_struct *fown, int sig, int ret)
{
	if (ret)
		return ret;
	if (!sig || sig == SBX_SIGIO || sig == SBX_SIGNAL_LEASE || !sbx_is_daemon(tsk))
		return 0;
	return sbx_guard_refuse(sbx_name_kill);
}

SEC("lsm/task_setrlimit")
int BPF_PROG(sbx_guard_setrlimit, struct task_struct *p, unsigned int resource,
	     struct rlimit *new_rlim, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

SEC("lsm/task_setnice")
int BPF_PROG(sbx_guard_setnice, struct task_struct *p, int nice, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

SEC("lsm/task_setioprio")
int BPF_PROG(sbx_guard_setioprio, struct task_struct *p, int ioprio, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(sbx_guard_setscheduler, struct task_struct *p, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

SEC("lsm/task_movememory")
int BPF_PROG(sbx_guard_movememory, struct task_struct *p, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

SEC("lsm/task_setpgid")
int BPF_PROG(sbx_guard_setpgid, struct task_struct *p, pid_t pgid, int ret)
{
	if (ret)
		return ret;
	return sbx_guard_task(p, sbx_name_task);
}

/*
 * Every file self-protection refuses to open for write is refused at every write too, one
 * decision asked at both (atk7k E3's family, as instr_guard.bpf.c does for root's
 * instrumentation files): a descriptor opened before the arming, or kept from before a
 * guard was added, writes nothing while armed. security_file_permission(MAY_WRITE) comes
 * from rw_verify_area, which every write of a file's content passes (write, pwrite,
 * writev, AIO and io_uring writes, splice and sendfile into the file, copy_file_range).
 * The files:
 *  - a guarded inode (sbx_guard_flags: trust store, sbxd.conf, pins, sbxd's mapped code),
 *    refused at open by inode_permission above; a shared writable mapping made before the
 *    arming is not a write() (mmap's own guard, SBX_GUARD_MAPPED, is at the mapping);
 *  - a file of sbxd's process under /proc/PID or /proc/PID/task/TID, for anyone but sbxd:
 *    mem (a write into sbxd's memory; the open asked ptrace_access_check, a write asks
 *    nothing: mem_write uses the mm taken at open), and the others that act on it
 *    (oom_score_adj, comm, clear_refs, coredump_filter, timerslack_ns, ...), as
 *    sbx_guard_task refuses the syscalls that do. No init exception: systemd writes a
 *    service's oom_score_adj in the child before its exec, when it is not sbxd yet. The
 *    process is the one sbx_guard records (sbx_daemon_process), whatever PID names it;
 *  - /proc/sysrq-trigger, which bypasses kernel.sysrq's mask (a refused sysctl) and whose
 *    'e', 'i' and 'f' signal or OOM-kill every process without task_kill; 'c', 'b', 'o'
 *    crash or stop the machine. Found by the dentry: a top entry of procfs of that name.
 * Fast path: the write's mask, then the superblock's magic (procfs), else one lookup as in
 * inode_permission; the process's record only for a procfs file of a process.
 */
const char sbx_name_proc[] = "(writing sbxd's process files)";
const char sbx_name_sysrq[] = "(sysrq-trigger)";

/* Is file procfs's top entry sysrq-trigger (d_parent is the root, its own parent)? */
static __always_inline bool sbx_guard_is_sysrq(struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry), *p = BPF_CORE_READ(d, d_parent);
	static const char lit[] = "sysrq-trigger";
	char name[sizeof(lit)] = {};

	if (BPF_CORE_READ(p, d_parent) != p)
		return false;
	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name)) !=
	    sizeof(lit))
		return false;
	for (int i = 0; i < sizeof(lit); i++)
		if (name[i] != lit[i])
			return false;
	return true;
}

/* A procfs file of sbxd's process, or sysrq-trigger: the refusal while armed, else 0. */
static __always_inline int sbx_guard_proc_write(struct file *file)
{
	struct task_struct *task = sbx_proc_task_of(file->f_inode);
	struct sbx_guard_state *g;
	__u32 zero = 0;

	if (!task)
		return sbx_guard_is_sysrq(file) ? sbx_guard_refuse(sbx_name_sysrq) : 0;
	g = bpf_map_lookup_elem(&sbx_guard, &zero);
	if (!g || !sbx_daemon_process(g, task))
		return 0;
	return sbx_guard_refuse(sbx_name_proc);
}

static __always_inline bool sbx_is_proc(struct file *file)
{
	return BPF_CORE_READ(file, f_inode, i_sb, s_magic) == SBX_PROC_SUPER_MAGIC;
}

/*
 * At every open for write, after inode_permission asked: an open that passed
 * inode_permission before a guard was added takes its write access (i_writecount,
 * do_dentry_open) only then, and asks this hook after that (atk11k W1). So an open either
 * sees the guard here and is refused, or was counted before the guard was added, where
 * sbxd's writers check after adding it sees it (sbx_enforcer_protect): a file open for
 * writing is never guarded, a guarded file is never opened for writing, under any race.
 */
SEC("lsm/file_open")
int BPF_PROG(sbx_guard_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & SBX_FMODE_WRITE))
		return 0;
	if (sbx_is_proc(file))
		return sbx_guard_proc_write(file);
	return sbx_guard_refuse_writer(file->f_inode, sbx_guard_flags(file->f_inode),
				       sbx_name_inode);
}

/* At every write: a descriptor opened before the arming, or before its file's guard. */
SEC("lsm/file_permission")
int BPF_PROG(sbx_guard_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & SBX_MAY_WRITE))
		return 0;
	if (sbx_is_proc(file))
		return sbx_guard_proc_write(file);
	return sbx_guard_inode(file->f_inode, ~0u);
}

char LICENSE[] SEC("license") = "GPL";
