// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The system call groups the seccomp allow-list is made of (syscall_groups.h). A call
 * belongs to exactly one group (tests/unit/compile_seccomp.c checks it, and that every call
 * libseccomp knows for x86_64 is in a group or in @obsolete, the reviewed-and-refused list).
 * Argument checks on allowed calls (W^X, clone flags, socket families, targets other than
 * the caller) are rules compile.c adds; this table says only which calls exist for a
 * program at all.
 */
#include <errno.h>
#include <string.h>

#include "compile/syscall_groups.h"

#define CALLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct sbx_syscall_group sbx_syscall_groups[] = {
	{ "@basic-io", "read, write, seek, duplicate and close open descriptors", SBX_GROUP_ALLOW,
	  NULL, 0,
	  CALLS("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
		"preadv2", "pwritev2", "lseek", "close", "close_range", "dup", "dup2", "dup3",
		"ioctl") },
	{ "@file-system", "open, create, rename, link and remove files (Landlock decides where)",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("open", "openat", "openat2", "creat", "stat", "fstat", "lstat", "newfstatat",
		"statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "getcwd",
		"chdir", "fchdir", "getdents", "getdents64", "mkdir", "mkdirat", "rmdir", "rename",
		"renameat", "renameat2", "link", "linkat", "unlink", "unlinkat", "symlink",
		"symlinkat", "readlink", "readlinkat", "truncate", "ftruncate", "fallocate",
		"mknod", "mknodat", "umask", "fcntl", "flock", "fsync", "fdatasync", "sync",
		"syncfs", "sync_file_range", "fadvise64", "readahead", "copy_file_range",
		"sendfile", "splice", "tee", "vmsplice", "inotify_init", "inotify_init1",
		"inotify_rm_watch") },
	/* Carried out beneath a write grant only (userspace/lib/supervise/metadata.c, xattr.c). */
	{ "@file-metadata",
	  "change modes, owners, times and extended attributes (Landlock does not govern them)",
	  SBX_GROUP_SUPERVISE, NULL, EPERM,
	  CALLS("chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
		"utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
		"setxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat") },
	/* ENOTSUP reads as "this file system keeps no extended attributes": cp, ls, tar go on. */
	{ "@file-metadata-read", "read extended attributes (Landlock does not govern them)",
	  SBX_GROUP_SUPERVISE, NULL, ENOTSUP,
	  CALLS("getxattr", "lgetxattr", "fgetxattr", "getxattrat", "listxattr", "llistxattr",
		"flistxattr", "listxattrat") },
	{ "@file-watch", "inotify watches (names and access patterns of the watched files)",
	  SBX_GROUP_SUPERVISE, NULL, EACCES, CALLS("inotify_add_watch") },
	{ "@fanotify", "fanotify: watch or gate other programs' file access", SBX_GROUP_REFUSE,
	  NULL, EPERM, CALLS("fanotify_init", "fanotify_mark") },
	{ "@io-event", "wait for descriptors: poll, select, epoll, eventfd", SBX_GROUP_ALLOW, NULL,
	  0,
	  CALLS("poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
		"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2") },
	/*
	 * An iocb carries its read's flags (aio_rw_flags: RWF_NOWAIT probes the page cache,
	 * atk6u N) in memory seccomp cannot read, as clone3 and openat2 do. ENOSYS is what a
	 * kernel without CONFIG_AIO answers: libaio's users (InnoDB) fall back to threads.
	 */
	{ "@aio", "Linux asynchronous I/O (io_submit): its iocbs' flags are unreadable by seccomp",
	  SBX_GROUP_REFUSE, "sbx.aio", ENOSYS,
	  CALLS("io_setup", "io_destroy", "io_getevents", "io_pgetevents", "io_submit",
		"io_cancel") },
	{ "@io-uring", "io_uring: its operations run without passing seccomp", SBX_GROUP_REFUSE,
	  "sbx.io-uring", EPERM, CALLS("io_uring_setup", "io_uring_enter", "io_uring_register") },
	{ "@timer", "read clocks, sleep, and timers", SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("alarm", "getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime",
		"timer_getoverrun", "timer_delete", "timerfd_create", "timerfd_settime",
		"timerfd_gettime", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
		"gettimeofday", "time") },
	{ "@clock", "set the system clock", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("settimeofday", "clock_settime", "clock_adjtime", "adjtimex") },
	{ "@process", "create, run, wait for and describe the program's own processes",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("clone", "clone3", "fork", "vfork", "execve", "execveat", "exit", "exit_group",
		"wait4", "waitid", "getpid", "getppid", "gettid", "getpgid", "getpgrp", "getsid",
		"setsid", "setpgid", "pidfd_open", "getrusage", "times", "prctl", "arch_prctl",
		"personality", "set_tid_address", "set_robust_list", "get_robust_list", "rseq",
		"set_thread_area", "get_thread_area", "capget", "capset") },
	{ "@credentials", "read and switch among the process's own user and group ids",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
		"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
		"setfsgid", "setgroups") },
	{ "@scheduler", "read scheduling and limits; yield; set the caller's own limits",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler",
		"sched_getattr", "sched_get_priority_max", "sched_get_priority_min",
		"sched_rr_get_interval", "getpriority", "ioprio_get", "getrlimit", "setrlimit") },
	{ "@process-resources",
	  "limits, priorities, CPU and memory placement: of the caller itself in the kernel, "
	  "of another process through the supervisor",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("prlimit64", "setpriority", "sched_setaffinity", "sched_setscheduler",
		"sched_setparam", "sched_setattr", "ioprio_set", "migrate_pages", "move_pages",
		"process_madvise", "process_mrelease") },
	{ "@signal", "signal handlers, masks and sending signals (Landlock ABI 6 scopes them)",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
		"rt_sigtimedwait", "rt_sigsuspend", "sigaltstack", "signalfd", "signalfd4", "pause",
		"restart_syscall", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
		"rt_tgsigqueueinfo", "pidfd_send_signal") },
	{ "@memory", "map, protect and advise the process's own memory (W^X rules apply)",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("mmap", "munmap", "mremap", "mprotect", "pkey_mprotect", "pkey_alloc", "pkey_free",
		"madvise", "msync", "mlock", "mlock2", "munlock", "mlockall", "munlockall", "brk",
		"memfd_create", "mbind", "set_mempolicy", "get_mempolicy",
		"set_mempolicy_home_node", "remap_file_pages", "membarrier", "map_shadow_stack") },
	/*
	 * ENOSYS, as a kernel without them (cachestat before 6.5): libunwind's mincore check
	 * of an address falls back to msync, cachestat's callers to not knowing.
	 */
	{ "@page-cache",
	  "the page cache's state of a file: when other programs read it (cachestat, mincore)",
	  SBX_GROUP_REFUSE, NULL, ENOSYS, CALLS("cachestat", "mincore") },
	{ "@memfd-secret", "secret memory: writable pages that can be mapped executable",
	  SBX_GROUP_REFUSE, "cs.allow-unsigned-executable-memory", EPERM, CALLS("memfd_secret") },
	{ "@sync", "futexes", SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue") },
	{ "@pipe", "pipes", SBX_GROUP_ALLOW, NULL, 0, CALLS("pipe", "pipe2") },
	{ "@network-io", "sockets: which families, types and protocols is a rule of their own",
	  SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("socket", "socketpair", "connect", "accept", "accept4", "bind", "listen",
		"getsockname", "getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg",
		"sendmmsg", "recvmmsg", "shutdown", "setsockopt", "getsockopt") },
	{ "@sandbox", "confine itself further (seccomp, Landlock)", SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("seccomp", "landlock_create_ruleset", "landlock_add_rule",
		"landlock_restrict_self") },
	{ "@system-info", "uname, sysinfo, the current CPU, random bytes", SBX_GROUP_ALLOW, NULL, 0,
	  CALLS("uname", "sysinfo", "getcpu", "getrandom") },
	{ "@sysv-ipc",
	  "System V shared memory, message queues and semaphores: shared with every process "
	  "of the user, outside any sandbox",
	  SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
		"semget", "semop", "semtimedop", "semctl", "ipc") },
	{ "@mqueue", "POSIX message queues: shared with every process of the user",
	  SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
		"mq_getsetattr") },
	{ "@debug", "debug other processes: ptrace, their memory and descriptors", SBX_GROUP_REFUSE,
	  "cs.debugger", EPERM,
	  CALLS("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp") },
	{ "@kernel", "kernel attack surface: BPF, perf events, userfaultfd, file handles",
	  SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
		"lookup_dcookie") },
	{ "@mount", "mount, change root", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig",
		"fsmount", "fspick", "mount_setattr", "chroot") },
	{ "@namespace", "enter or create namespaces", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("unshare", "setns") },
	{ "@keyring", "kernel keyrings", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("keyctl", "add_key", "request_key") },
	{ "@module", "load and unload kernel modules", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("init_module", "finit_module", "delete_module", "create_module", "query_module",
		"get_kernel_syms") },
	{ "@reboot", "reboot, load a new kernel", SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("kexec_load", "kexec_file_load", "reboot") },
	{ "@privileged", "system administration: accounting, kernel log, swap, quotas, host name",
	  SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("acct", "syslog", "swapon", "swapoff", "quotactl", "quotactl_fd", "vhangup",
		"sethostname", "setdomainname", "nfsservctl", "_sysctl") },
	{ "@cpu-emulation", "I/O ports and descriptor tables (old x86 code)", SBX_GROUP_REFUSE,
	  NULL, EPERM, CALLS("modify_ldt", "iopl", "ioperm", "vm86", "vm86old") },
	/* Reviewed: obsolete, unimplemented or loading code from a path (uselib). */
	{ "@obsolete", "calls the kernel no longer implements or no program needs",
	  SBX_GROUP_REFUSE, NULL, EPERM,
	  CALLS("uselib", "ustat", "sysfs", "afs_syscall", "tuxcall", "security", "vserver",
		"getpmsg", "putpmsg", "epoll_ctl_old", "epoll_wait_old") },
};

const size_t sbx_n_syscall_groups = sizeof(sbx_syscall_groups) / sizeof(sbx_syscall_groups[0]);

const struct sbx_call_arg sbx_send_flags_args[] = {
	{ "sendto", 3 },
	{ "sendmsg", 2 },
	{ "sendmmsg", 3 },
	{ NULL, 0 },
};

const struct sbx_syscall_group *sbx_syscall_group_of(const char *call)
{
	for (size_t g = 0; g < sbx_n_syscall_groups; g++)
		for (const char *const *c = sbx_syscall_groups[g].calls; *c; c++)
			if (!strcmp(*c, call))
				return &sbx_syscall_groups[g];
	return NULL;
}

const struct sbx_syscall_group *sbx_syscall_group_find(const char *name)
{
	for (size_t g = 0; g < sbx_n_syscall_groups; g++)
		if (!strcmp(sbx_syscall_groups[g].name, name))
			return &sbx_syscall_groups[g];
	return NULL;
}

size_t sbx_syscall_group_size(const struct sbx_syscall_group *g)
{
	size_t n = 0;

	while (g->calls[n])
		n++;
	return n;
}
