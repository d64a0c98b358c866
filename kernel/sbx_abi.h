/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between sbx's BPF programs and userspace: every map key, map value, event
 * record and policy bit is defined here and only here. Fixed-width types, explicit padding,
 * and a size assertion for each record, because both sides read the same bytes.
 */
#ifndef SBX_ABI_H
#define SBX_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Moves whenever a map's key or value, or what the BPF side does with it, changes meaning:
 * a loader refuses to adopt an enforcer pinned with another (sbx_enforcer_open), whose
 * programs would read the maps the old way. 2: sbx_guard_files keyed by (device, inode
 * number), no generation; guarded inodes' attributes and xattrs refused while armed. 3: a
 * device node's guard keyed by its device number (struct sbx_file_id's kind).
 */
#define SBX_ABI_VERSION 3

/*
 * Kernel policy record: the part of a compiled profile (userspace/lib/compile) that the
 * BPF side enforces. Hardened Runtime is the default; each SBX_POLICY_ALLOW_* bit lifts
 * one restriction, as the matching cs.* entitlement does on macOS. A record carries Apple's
 * cascade already (sbx_compile_policy_flags, which makes every verdict's and every floor's
 * flags): DISABLE_EXEC_PAGE_PROTECTION comes with ALLOW_UNSIGNED_EXEC_MEM, which comes
 * with ALLOW_JIT, and the BPF side tests the one bit each restriction names.
 */
enum sbx_policy_flags {
	SBX_POLICY_APP_SANDBOX = 1u << 0,
	SBX_POLICY_HARDENED_RUNTIME = 1u << 1,
	SBX_POLICY_ALLOW_JIT = 1u << 2, /* cs.allow-jit */
	SBX_POLICY_ALLOW_UNSIGNED_EXEC_MEM = 1u << 3, /* cs.allow-unsigned-executable-memory */
	SBX_POLICY_ALLOW_DYLD_ENV = 1u << 4, /* cs.allow-dyld-environment-variables */
	SBX_POLICY_DISABLE_LIBRARY_VALIDATION = 1u << 5, /* cs.disable-library-validation */
	SBX_POLICY_DISABLE_EXEC_PAGE_PROTECTION = 1u
						  << 6, /* cs.disable-executable-page-protection */
	SBX_POLICY_DEBUGGER = 1u << 7, /* cs.debugger */
	SBX_POLICY_GET_TASK_ALLOW = 1u << 8, /* get-task-allow */
	SBX_POLICY_NETWORK_CLIENT = 1u << 9,
	SBX_POLICY_NETWORK_SERVER = 1u << 10,
	/*
	 * Not an entitlement: sbxd sets it on the verdict of the sbx binary it trusts as the
	 * launcher of sandboxed processes (scope `sandboxed`, struct sbx_task_state).
	 */
	SBX_POLICY_SBX_LAUNCHER = 1u << 31,
};

struct sbx_policy_record {
	__u32 abi_version; /* SBX_ABI_VERSION */
	__u32 flags; /* enum sbx_policy_flags */
};
_Static_assert(sizeof(struct sbx_policy_record) == 8, "sbx_policy_record is 8 bytes");

/*
 * BPF LSM probe (bpf/lsm_probe.bpf.c): `sbx status` proves the hook really runs by
 * exec'ing one child whose tgid it writes into the program's read-only data; the
 * program counts the calls it saw for that tgid.
 */
struct sbx_lsm_probe_result {
	__u32 hits; /* bprm_check_security calls seen for the monitored tgid */
	__u32 pad;
};
_Static_assert(sizeof(struct sbx_lsm_probe_result) == 8, "sbx_lsm_probe_result is 8 bytes");

/*
 * ---- Verdict cache and events (sbxd, tier K) ----
 * The BPF side (bpf/) owns the layout of its maps beyond these records; userspace reaches
 * them only through userspace/lib/bpf/enforcer.h. A verdict is valid for one file content:
 * it carries the file's write generation (bumped by the BPF write-side hooks on every
 * open for write, write, truncate, setattr, rename-over and shared writable mapping) as
 * read before the verifier hashed the file, and is ignored when the generation moved since.
 */
enum sbx_cached_kind {
	SBX_CACHED_NONE = 0, /* no verdict: a miss (never an allow) */
	SBX_CACHED_VALID = 1, /* signed by a trusted team, unmodified, not revoked */
	SBX_CACHED_PLATFORM = 2, /* listed in a signed platform trust cache */
	SBX_CACHED_INVALID = 3, /* verified and refused: unsigned, modified, revoked, untrusted */
};

struct sbx_cached_verdict {
	__u64 write_gen; /* the file's write generation when the verifier began */
	__u32 kind; /* enum sbx_cached_kind */
	__u32 policy; /* enum sbx_policy_flags the signature's entitlements carry */
	__u32 identity; /* index of (team id, identifier, cdhash) in the daemon's table; 0 none */
	__u32 team_hash; /* FNV-1a of the team id (library validation compares teams); 0 none */
};
_Static_assert(sizeof(struct sbx_cached_verdict) == 24, "sbx_cached_verdict is 24 bytes");

enum sbx_event_hook {
	SBX_HOOK_EXEC = 1, /* bprm_check_security (bpf/exec_verdict.bpf.c) */
	SBX_HOOK_MMAP_EXEC = 2, /* mmap_file / file_mprotect with PROT_EXEC */
	/*
	 * bpf/ptrace_guard.bpf.c: ptrace_access_check, ptrace_traceme, perf_event_alloc; a
	 * hardened task writing its own code (/proc/PID/mem opened for writing, userfaultfd)
	 */
	SBX_HOOK_PTRACE = 3,
	SBX_HOOK_FANOTIFY = 4, /* tier F: the fanotify exec-permission gate */
	SBX_HOOK_COREDUMP = 5, /* cred_prepare of a task dumping core (bpf/ptrace_guard.bpf.c) */
	SBX_HOOK_PROC = 6, /* bpf/proc_scope.bpf.c: /proc/PID entries of another sandbox */
	SBX_HOOK_PERF = 7, /* bpf/ptrace_guard.bpf.c: a perf event without a task, user state */
	SBX_HOOK_SELF_PROTECT = 16, /* bpf/self_protect.bpf.c: sbx's own objects and files */
};

enum sbx_deny_reason {
	SBX_DENY_NO_VERDICT = 1, /* miss: nothing verified this content */
	SBX_DENY_INVALID = 2, /* verified and refused */
	SBX_DENY_STALE = 3, /* verified, then written: generation moved */
	SBX_DENY_TEAM_MISMATCH = 4, /* library validation */
	SBX_DENY_WX = 5, /* hardened runtime: writable and executable memory */
	/* hardened: debugged (ptrace, perf), dumped, or exec'd under a tracer or perf events */
	SBX_DENY_NOT_DEBUGGABLE = 6,
	SBX_DENY_TIMEOUT = 7, /* the verifier did not answer in time */
	/* hardened: writable memory made executable; code poked via /proc/PID/mem or userfaultfd */
	SBX_DENY_WX_FLIP = 8,
	SBX_DENY_OUTSIDE_SANDBOX = 9, /* a sandboxed task reached a process outside its sandbox */
	SBX_DENY_PROTECTED = 16, /* self-protection: only sbxd may do this */
};

#define SBX_EVENT_PATH_MAX 256

/*
 * The signal sbxd's leases are broken with (F_SETSIG; SIGRTMIN + 1 under glibc). With
 * SIGIO, the only signals that reach the armed sbxd as SIGIO from another process
 * (self_protect.bpf.c): it blocks both and reads them from a signalfd.
 */
#define SBX_SIGNAL_LEASE 35

struct sbx_event {
	__u64 time_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 dev; /* the file's device (kernel encoding) and inode */
	__u64 ino;
	__u32 pid; /* tgid of the acting process */
	__u32 hook; /* enum sbx_event_hook */
	__u32 reason; /* enum sbx_deny_reason */
	__u32 denied; /* 1 refused; 0 allowed and logged (complain mode) */
	char comm[16];
	char path[SBX_EVENT_PATH_MAX]; /* the file, as far as the hook can name it */
};
_Static_assert(sizeof(struct sbx_event) == 312, "sbx_event is 312 bytes");

/*
 * ---- Maps of the enforcer (bpf/include/sbx_enforcer.bpf.h) ----
 *
 * The verdict cache, BPF_MAP_TYPE_LRU_HASH: key = the file's identity as the kernel sees
 * it (superblock device in kernel encoding, inode number) plus its change time, so a file
 * whose ctime moved is a miss. Never the mtime: its owner sets it. An evicted entry is a
 * miss, and a miss is never an allow.
 */
struct sbx_verdict_key {
	__u64 ino;
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 dev; /* inode->i_sb->s_dev (MAJOR << 20 | MINOR), not stat's st_dev */
};
_Static_assert(sizeof(struct sbx_verdict_key) == 24, "sbx_verdict_key is 24 bytes");

/*
 * Per-inode write generation, BPF_MAP_TYPE_INODE_STORAGE (it dies with the inode; userspace
 * reads it with the file's descriptor as key). gen is drawn from one global clock, so a
 * value is never stored twice for any inode: 0 means "not yet assigned" and validates
 * nothing. ino and dev are the kernel's own view of the file, for the verdict key. flags:
 * enum sbx_inode_gen_flags, set by the BPF side only.
 */
struct sbx_inode_gen {
	__u64 gen;
	__u64 ino;
	__u32 dev;
	__u32 flags;
};
_Static_assert(sizeof(struct sbx_inode_gen) == 24, "sbx_inode_gen is 24 bytes");

enum sbx_inode_gen_flags {
	/*
	 * A hook let a task map the file executable on its verdict: while anything maps it
	 * (any vma), its content may not change (bpf/include/sbx_enforcer.bpf.h, "mapped code").
	 */
	SBX_GEN_EXEC_MAPPED = 1u << 0,
};

/*
 * SBX_IOC_VERDICT_BEGIN: an ioctl the BPF side answers itself (bpf/write_gen.bpf.c, for
 * root callers), never the file system: it gives the file a write generation if it has
 * none, and fails with EALREADY when nobody holds the file open for writing, ETXTBSY when
 * someone does. Any other answer (ENOTTY) means sbx's programs are not attached.
 */
#define SBX_IOC_VERDICT_BEGIN 0x5bb0c0deu

/*
 * sbxd's writes to the verdict cache and the configuration (bpf/daemon_store.bpf.c): both
 * maps are frozen once self-protection is armed, so that no descriptor of them, whenever it
 * was opened, writes them from the syscall side; sbxd writes them through these ioctls,
 * which the BPF side answers for root before the arming and for sbxd's identity after it.
 * Answers: EALREADY done; EPERM not sbxd; ESTALE the file's generation is not the
 * verdict's (written since SBX_IOC_VERDICT_BEGIN, or open for writing); EINVAL a bad
 * value; EFAULT arg unreadable. Any other answer (ENOTTY) means sbx's programs are not
 * attached, or the caller is not root.
 *  - SBX_IOC_VERDICT_COMMIT, on the verified file: arg points to its struct
 *    sbx_cached_verdict, stored under the key the kernel makes of the file's own inode;
 *  - SBX_IOC_VERDICTS_FLUSH, on any file: every verdict dropped;
 *  - SBX_IOC_CONFIG_SET, on any file: arg points to a struct sbx_enforcer_config, whose
 *    SBX_CONFIG_SELF_PROTECT is ignored (only the claim sets it, only an unload ends it);
 *  - SBX_IOC_GUARD_ADD, on the file to guard: arg is the enum sbx_guard_inode_flags to add
 *    (the guard maps are frozen too: a re-arming sbxd guards what it maps anew this way);
 *    EOPNOTSUPP when the file's file system keeps no guard as long as the file
 *    (bpf/include/sbx_enforcer.bpf.h: sbx_guard_home).
 */
#define SBX_IOC_VERDICT_COMMIT 0x5bb0c0dfu
#define SBX_IOC_VERDICTS_FLUSH 0x5bb0c0e0u
#define SBX_IOC_CONFIG_SET     0x5bb0c0e1u
#define SBX_IOC_GUARD_ADD      0x5bb0c0e2u
/*
 * SBX_IOC_GUARD_TEST, on a file: EALREADY when its guard has every flag of arg (enum
 * sbx_guard_inode_flags), ENOENT when not. Writes nothing.
 */
#define SBX_IOC_GUARD_TEST 0x5bb0c0e3u

/* Task storage: where a task's code came from (scope `sandboxed`, issue 11's hooks). */
enum sbx_task_flags {
	SBX_TASK_LAUNCHER = 1u << 0, /* runs the sbx binary sbxd trusts (SBX_POLICY_SBX_LAUNCHER) */
	SBX_TASK_SANDBOXED = 1u << 1, /* exec'd by a launcher, or descends from such a task */
	/*
	 * sbxd's identity (bpf/self_protect.bpf.c): claimed with SBX_IOC_DAEMON_CLAIM by the
	 * executable that armed self-protection; threads inherit it, a fork does not, every
	 * exec clears it. Only with the process struct sbx_guard_state names: a flag written
	 * into another process's storage is nobody.
	 */
	SBX_TASK_DAEMON = 1u << 8, /* apart from the scope bits that other concerns extend */
	/*
	 * Traced since its last exec (bpf/self_protect.bpf.c): the exec was traced, or a tracer
	 * attached (or the task offered itself) later, or it set its own mm->exe_file
	 * (prctl PR_SET_MM: an identity not from an exec). Kept on the thread group's leader, the
	 * one task every thread of the group can name: a task whose leader carries it cannot
	 * claim sbxd's identity. Only an exec that nobody traces clears it.
	 */
	SBX_TASK_TRACED = 1u << 9,
	/*
	 * The task's own exec was of the executable that armed self-protection (struct
	 * sbx_guard_state), as the exec's file said (bpf/exec_verdict.bpf.c's commit): the claim's
	 * identity once armed, never mm->exe_file, which root can point elsewhere without an
	 * exec (prctl PR_SET_MM_EXE_FILE, PR_SET_MM_MAP). Threads inherit it, a fork does not
	 * (a planted flag would follow every fork), every exec clears it or sets it again.
	 */
	SBX_TASK_DAEMON_EXEC = 1u << 10,
};

/*
 * What an exec decided about the program it starts (bpf/exec_verdict.bpf.c): taken at
 * bprm_check_security, the task's own only at bprm_committing_creds, past the exec's point
 * of no return. An exec can still fail between the two (refused, no binary format takes
 * the file, its ELF interpreter cannot be opened), and the program that tried runs on
 * under its own state.
 */
struct sbx_task_exec {
	__u32 flags;
	__u32 policy;
	__u32 identity;
	__u32 team_hash;
};
_Static_assert(sizeof(struct sbx_task_exec) == 16, "sbx_task_exec is 16 bytes");

struct sbx_task_state {
	__u32 flags; /* enum sbx_task_flags; inherited on fork (task_alloc) */
	__u32 policy; /* the program's valid verdict: enum sbx_policy_flags (0: none), tightened
		       * by floor when the task is sandboxed */
	__u32 identity;
	__u32 team_hash;
	/*
	 * The least a sandboxed tree is held to (enum sbx_policy_flags): what the launcher
	 * declared for the profile it runs (SBX_PRCTL_POLICY_FLOOR). Every exec in the tree
	 * gets its verdict's policy tightened by it; it only ever tightens, and follows fork
	 * and exec, so a sandboxed program that runs sbx again sheds nothing.
	 */
	__u32 floor;
	__u32 staged; /* 1: next awaits its exec's bprm_committing_creds */
	struct sbx_task_exec next; /* replaces flags, policy, identity and team_hash then */
	/*
	 * Which sandbox (bpf/proc_scope.bpf.c): a value no other tree has, given when a
	 * launcher's task execs (the tree `sbx run` starts), inherited on fork and exec like
	 * flags; 0 outside every sandbox. A sandbox inside a sandbox keeps the outer one's.
	 */
	__u64 domain;
};
_Static_assert(sizeof(struct sbx_task_state) == 48, "sbx_task_state is 48 bytes");

/*
 * prctl(SBX_PRCTL_POLICY_FLOOR, flags, 0, 0, 0): the launcher (SBX_TASK_LAUNCHER, the
 * trusted sbx, unprivileged) declares the policy of the profile it is about to run, for the
 * sandboxed tree it starts. The BPF side answers the prctl itself (bpf/task_scope.bpf.c):
 * EALREADY when recorded (merged into the caller's floor, tightening only), EPERM when the
 * caller is not a launcher. Any other answer (EINVAL) means sbx's programs are not attached.
 */
#define SBX_PRCTL_POLICY_FLOOR 0x5bb0f100

/* The enforcer's settings: one array element userspace rewrites (sbx_enforcer_set_mode). */
enum sbx_enforce_mode {
	SBX_ENFORCE_COMPLAIN = 0, /* log what would be refused, allow it */
	SBX_ENFORCE_ENFORCE = 1,
};

enum sbx_enforce_scope {
	SBX_SCOPE_SANDBOXED = 0, /* processes `sbx run` started, and their descendants */
	SBX_SCOPE_ALL = 1, /* every exec on the machine */
};

enum sbx_enforcer_config_flags {
	/*
	 * Executable file mappings are checked for sandboxed tasks only, even in scope `all`:
	 * for a loader that cannot give verdicts to the libraries ld.so maps (no fanotify
	 * event announces an mmap). sbxd does not set it: it verifies each program's
	 * libraries at its exec (userspace/daemon/libs.c).
	 */
	SBX_CONFIG_MMAP_SANDBOXED_ONLY = 1u << 0,
	/* Self-protection is armed: only sbxd's identity reaches sbx's objects and files. */
	SBX_CONFIG_SELF_PROTECT = 1u << 15,
};

struct sbx_enforcer_config {
	__u32 abi_version; /* SBX_ABI_VERSION of the loader; 0 = not configured: nothing enforced */
	__u32 mode; /* enum sbx_enforce_mode */
	__u32 scope; /* enum sbx_enforce_scope */
	__u32 flags; /* enum sbx_enforcer_config_flags */
};
_Static_assert(sizeof(struct sbx_enforcer_config) == 16, "sbx_enforcer_config is 16 bytes");

/*
 * ---- Self-protection (bpf/self_protect.bpf.c, userspace/daemon/README.md) ----
 * SBX_IOC_DAEMON_CLAIM: an ioctl the BPF side answers on a descriptor of the caller's own
 * executable: EALREADY (claimed: the caller's process is now sbxd, struct sbx_guard_state)
 * when that file is the unmodified sbxd executable recorded in struct sbx_guard_state and
 * nobody traced the caller, EPERM when not. Its argument: 0 claims an armed enforcer (ENOENT
 * when none is armed), SBX_CLAIM_ARM arms one that is not yet. Any other answer means sbx's
 * programs are not attached.
 */
#define SBX_IOC_DAEMON_CLAIM 0x5bb0c1a1u
#define SBX_CLAIM_ARM	     1

/* Key of the guarded-object hash (sbx_guard_ids): kind << 32 | the kernel's object id. */
enum sbx_guard_kind {
	SBX_GUARD_MAP = 1,
	SBX_GUARD_PROG = 2,
	SBX_GUARD_LINK = 3,
};
#define SBX_GUARD_KEY(kind, id) (((__u64)(kind) << 32) | (__u32)(id))

/* Value of the guarded-inode storage (sbx_guard_inodes). */
enum sbx_guard_inode_flags {
	SBX_GUARD_NO_WRITE = 1u << 0, /* trust store, sbxd.conf, the pin directory */
	SBX_GUARD_NO_OPEN = 1u << 1, /* a pin: no BPF_OBJ_GET, no open, no unlink */
	/*
	 * A file sbxd has mapped executable (its program, ld.so, its libraries): no open for
	 * write, no truncate. Rename and unlink stay open, so a package upgrade that puts a
	 * new file in its place (dpkg, rpm) works; the running sbxd keeps the old inode.
	 */
	SBX_GUARD_MAPPED = 1u << 2,
	/*
	 * Scope `sandboxed`'s launcher (atk7k E2b): a file sbxd stored a verdict for with
	 * SBX_POLICY_SBX_LAUNCHER, marked by that store (bpf/daemon_store.bpf.c), never by
	 * the guard ioctl. Its exec without a valid verdict is refused in enforce mode
	 * (bpf/exec_verdict.bpf.c): a launcher whose verdict went stale or missing, with no
	 * sbxd alive to verify it again, would start programs out of scope. While armed it is
	 * not opened for write either (as SBX_GUARD_MAPPED: rename and unlink stay open, so
	 * a package upgrade puts a new sbx in its place, which sbxd marks at its verdict).
	 */
	SBX_GUARD_LAUNCHER = 1u << 3,
	/*
	 * A block device under a guarded file (its partition, disk, stacked members), or a
	 * character device that reaches it (NVMe controller and generic nodes, SCSI generic
	 * and bsg): through any node of that device number, while armed, only opens for
	 * reading and the read-only ioctls (self_protect.bpf.c); never a write, a shared
	 * writable mapping or a uring_cmd. Its nodes stay free to unlink and rename (udev).
	 */
	SBX_GUARD_DEVICE = 1u << 4,
};

/*
 * Key of the guarded-file hash (sbx_guard_files): a file's identity that outlives its
 * in-memory inode, for a file on a block device's file system. The inode's storage dies
 * when the inode is evicted (vm.drop_caches, memory pressure) or its superblock goes (a
 * lazy umount, the device mounted again), and a guard lost is an allow; the device and the
 * inode number name the same file in every inode read back for it. Where the guard lives,
 * by file system: bpf/include/sbx_enforcer.bpf.h (sbx_guard_home).
 *
 * Only what the file's creation sets is in the key. The generation (i_generation) was,
 * to tell a new file that reused a deleted one's inode number; but root rewrites it
 * through a read-only descriptor (FS_IOC_SETVERSION on ext2/ext3/ext4: the kernel asks
 * inode_owner_or_capable, never MAY_WRITE), and every lookup then missed (atk8k G1). The
 * number is reused only after the guarded inode is deleted, and self-protection refuses
 * that while armed (unlink, rmdir, rename over a guarded inode); eviction and a remount
 * (atk7k E1, E1b) keep the device and the number as they keep the generation.
 */
struct sbx_file_id {
	__u64 ino; /* inode->i_ino; 0 for a device */
	__u32 dev; /* inode->i_sb->s_dev, which is the block device's (kernel encoding); a
		    * device node's: its inode->i_rdev, whatever file system the node is on */
	__u32 kind; /* enum sbx_file_id_kind; also keeps the key free of padding */
};
_Static_assert(sizeof(struct sbx_file_id) == 16, "sbx_file_id is 16 bytes");
/*
 * What a struct sbx_file_id names: a file, or a device by its number, so that every node
 * of a guarded device (one mknod'ed anywhere too) finds the one guard.
 */
enum sbx_file_id_kind {
	SBX_FILE_ID_FILE = 0,
	SBX_FILE_ID_BLKDEV = 1,
	SBX_FILE_ID_CHRDEV = 2,
};
#define SBX_GUARD_FILES_MAX 4096 /* guarded files on block devices (sbx_guard_files) */

/*
 * One element (sbx_guard): who sbxd is, and where its pins live. Userspace writes the
 * executable, its generation and pin_dev before arming; the rest is the claim's alone
 * (bpf/self_protect.bpf.c): sbxd is one process, the one whose claim was accepted last,
 * named by its tgid and its group leader's start time (a pid reused after it died is
 * another process). Nothing written before the arming (a flag in task storage, a record)
 * names that process: the claim that arms writes it.
 */
struct sbx_guard_state {
	struct sbx_verdict_key daemon_exe; /* sbxd's executable, as the verdict cache keys it */
	__u64 daemon_gen; /* its write generation when it armed: 0 = never armed */
	__u32 pin_dev; /* the pins' bpffs superblock (kernel encoding): no umount */
	__u32 daemon_tgid; /* sbxd's process (kernel tgid, init's pid namespace): 0 = nobody */
	__u64 daemon_start; /* its group leader's start_boottime (ns) */
	/*
	 * CLOCK_BOOTTIME (ns) of the arming: once armed, only a process started after it
	 * (or sbxd's own) may claim, since what existed before could carry planted state.
	 */
	__u64 armed_at;
	/*
	 * sbxd's group leader (its task_struct's address, set by the claim): where sbxd is in
	 * the cgroup tree (bpf/cgroup_guard.bpf.c). Read only through bpf_probe_read_kernel, and
	 * believed only while that task's tgid and start time are daemon_tgid and daemon_start.
	 */
	__u64 daemon_task;
};
_Static_assert(sizeof(struct sbx_guard_state) == 64, "sbx_guard_state is 64 bytes");

#endif /* SBX_ABI_H */
