// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * escape_probe TECHNIQUE [ARGS...]: make one real attempt to get out of a sandbox and say
 * whether it worked. The escape suite (tests/escape/escape.c) runs every technique twice:
 * unconfined, where it must work (the control that proves the probe is sound), and under
 * `sbx run`, where it must not.
 *
 * Exit status, and one line on stdout "escape-probe: VERDICT: TECHNIQUE: detail":
 *   0   escaped      the attempt worked
 *   10  refused      the kernel said no (the errno is printed)
 *   11  unsupported  the kernel lacks the mechanism (ENOSYS, no such op, no i386 entry):
 *                    unconfined this is a reason to skip; confined, a refusal only when
 *                    the errno is the answer the suite expects of sbx (.refused_as)
 *   12  setup        the probe could not make the attempt (bad arguments, no terminal)
 * A seccomp kill shows as death by SIGSYS. An argument "@TMPDIR" stands for $TMPDIR: the
 * directory the program may write (the container's private tmp under `sbx run`).
 *
 * Only libc and the kernel: the suite also runs in busybox initramfs images. Syscalls that
 * libc does not wrap are made raw.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>

/* Constants newer than the build host's headers (MFD_EXEC, MFD_NOEXEC_SEAL): no code. */
#include "probe_status.h"
#include "uapi_compat.h"
#include "read_other.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef KEYCTL_INVALIDATE
#define KEYCTL_INVALIDATE 21
#endif
#define KEY_SPEC_USER_KEYRING_ID (-4)
#define X32_SYSCALL_BIT		 0x40000000
#define I386_NR_SOCKET		 359

static const char *technique = "?";

/* Print the verdict line for code and return code, the probe's exit status. */
static int __attribute__((format(printf, 2, 3))) report(int code, const char *fmt, ...)
{
	static const char *const words[] = {
		[PROBE_ESCAPED] = "escaped",
		[PROBE_REFUSED] = "refused",
		[PROBE_UNSUPPORTED] = "unsupported",
		[PROBE_SETUP] = "setup",
	};
	va_list ap;

	printf("escape-probe: %s: %s: ", words[code], technique);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return code;
}

#define escaped(...)	  report(PROBE_ESCAPED, __VA_ARGS__)
#define unsupported(...)  report(PROBE_UNSUPPORTED, __VA_ARGS__)
#define setup_failed(...) report(PROBE_SETUP, __VA_ARGS__)

/* The attempt's call failed with err: ENOSYS means the kernel has no such call at all. */
static int refused(const char *call, int err)
{
	return report(err == ENOSYS ? PROBE_UNSUPPORTED : PROBE_REFUSED, "%s: %s (%s)", call,
		      strerror(err), strerrorname_np(err) ?: "?");
}

/* refused() for a call on fd, which is closed first (close may change errno). */
static int refused_closing(int fd, const char *call)
{
	int err = errno;

	close(fd);
	return refused(call, err);
}

/* The call failed with err, which means the kernel or file system lacks the mechanism. */
static int lacks(const char *call, int err, const char *what)
{
	return report(PROBE_UNSUPPORTED, "%s: %s: %s (%s)", call, what, strerror(err),
		      strerrorname_np(err) ?: "?");
}

/* ---- file system ---- */

static int read_path(const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return refused("open", errno);
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return refused_closing(fd, "read");
	close(fd);
	return escaped("read %zd bytes of %s", n, path);
}

static int t_read_file(char **argv)
{
	return read_path(argv[0]);
}

/*
 * The real ids taken back (atk11u I1), then FILE read: a launch that dropped only its
 * effective ids (root after seteuid, setpriv --euid) leaves the real ones to the program,
 * and setresuid and setresgid are its calls. Escaped when FILE is read.
 */
static int t_reuid_read(char **argv)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs))
		return setup_failed("getresuid: %s", strerror(errno));
	if (setresgid(gr, gr, gr))
		return refused("setresgid", errno);
	if (setresuid(r, r, r))
		return refused("setresuid", errno);
	return read_path(argv[0]);
}

/*
 * Not an escape: what a sandbox may still read of its own processes (tier K's
 * proc_scope.bpf.c must not refuse it). A child's and its thread's /proc entries, its own
 * through /proc/self and /proc/thread-self, and its own executable's link: 0 when all work.
 */
static int t_proc_own_tree(char **argv)
{
	static const char *const fmts[] = { "/proc/%d/cmdline", "/proc/%d/task/%d/status",
					    "/proc/self/status", "/proc/thread-self/stat" };
	char path[64], buf[256];
	int r = 0, fd;
	pid_t child;

	(void)argv;
	child = fork();
	if (child < 0)
		return setup_failed("fork: %s", strerror(errno));
	if (child == 0) {
		pause();
		_exit(0);
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]) && !r; i++) {
		snprintf(path, sizeof(path), fmts[i], (int)child, (int)child);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
			r = refused(path, errno);
		if (fd >= 0)
			close(fd);
	}
	if (!r && readlink("/proc/self/exe", buf, sizeof(buf)) < 0)
		r = refused("readlink /proc/self/exe", errno);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return r ? r : escaped("read its child's and its own /proc entries");
}

static int t_write_create(char **argv)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/sbx-escape-created-%d", argv[0], (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return refused("open(O_CREAT)", errno);
	if (write(fd, "x", 1) != 1) {
		close(fd);
		unlink(path);
		return setup_failed("write to new file %s: %s", path, strerror(errno));
	}
	close(fd);
	unlink(path);
	return escaped("created and wrote %s", path);
}

/* A device node where the program may write: /dev/null's numbers, opened for writing. */
static int t_mknod(char **argv)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/sbx-escape-node-%d", argv[0], (int)getpid());
	if (mknod(path, S_IFCHR | 0600, makedev(1, 3)) < 0)
		return refused("mknod(S_IFCHR)", errno);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	unlink(path);
	if (fd < 0)
		return refused("open of the new device node", errno);
	close(fd);
	return escaped("made and opened a character device node in %s", argv[0]);
}

/* Rewrite the first byte of an existing file with itself: write access, no damage. */
static int t_write_existing(char **argv)
{
	char c;
	int fd = open(argv[0], O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return refused("open(O_RDWR)", errno);
	if (pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1)
		return refused_closing(fd, "pwrite");
	close(fd);
	return escaped("rewrote the first byte of %s", argv[0]);
}

/* truncate(2) to the current size: Landlock's TRUNCATE right (ABI 3) decides, not open. */
static int t_truncate(char **argv)
{
	struct stat st;

	if (stat(argv[0], &st) < 0)
		return setup_failed("stat %s: %s", argv[0], strerror(errno));
	if (truncate(argv[0], st.st_size) < 0)
		return refused("truncate", errno);
	return escaped("truncated %s (to its own size)", argv[0]);
}

/* Hard-link a file from outside into a directory the sandbox may write (REFER). */
static int t_refer_link(char **argv)
{
	char dst[PATH_MAX];

	snprintf(dst, sizeof(dst), "%s/sbx-escape-linked", argv[1]);
	if (link(argv[0], dst) < 0)
		return refused("link", errno);
	unlink(dst);
	return escaped("linked %s to %s", argv[0], dst);
}

/* Move a file from outside into a writable directory, then put it back. */
static int t_refer_rename_in(char **argv)
{
	char dst[PATH_MAX];

	snprintf(dst, sizeof(dst), "%s/sbx-escape-moved", argv[1]);
	if (rename(argv[0], dst) < 0)
		return refused("rename", errno);
	if (rename(dst, argv[0]) < 0)
		return setup_failed("moved %s to %s and could not move it back: %s", argv[0], dst,
				    strerror(errno));
	return escaped("renamed %s to %s (and back)", argv[0], dst);
}

/* Create a file where the sandbox may write, then rename it out to a directory outside. */
static int t_refer_rename_out(char **argv)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int fd;

	snprintf(src, sizeof(src), "%s/sbx-escape-out", argv[0]);
	snprintf(dst, sizeof(dst), "%s/sbx-escape-out", argv[1]);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return setup_failed("create %s: %s", src, strerror(errno));
	close(fd);
	if (rename(src, dst) < 0) {
		int err = errno;

		unlink(src);
		return refused("rename", err);
	}
	unlink(dst);
	return escaped("renamed %s out to %s", src, dst);
}

/* A symlink in a writable directory pointing at a file outside, then opened. */
static int t_symlink_follow(char **argv)
{
	char link_path[PATH_MAX];
	int r;

	snprintf(link_path, sizeof(link_path), "%s/sbx-escape-symlink", argv[1]);
	unlink(link_path);
	if (symlink(argv[0], link_path) < 0)
		return refused("symlink", errno);
	r = read_path(link_path);
	unlink(link_path);
	return r;
}

/* DIR/../../..(to the root)/FILE: a path that starts inside and walks out. */
static int t_dotdot(char **argv)
{
	char path[PATH_MAX];
	size_t len;
	const char *p;

	len = (size_t)snprintf(path, sizeof(path), "%s", argv[1]);
	for (p = argv[1]; *p; p++)
		if (*p == '/' && len + 4 < sizeof(path))
			len += (size_t)snprintf(path + len, sizeof(path) - len, "/..");
	snprintf(path + len, sizeof(path) - len, "%s", argv[0]);
	return read_path(path);
}

static int t_proc_self_root(char **argv)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/self/root%s", argv[0]);
	return read_path(path);
}

/* The parent's working directory, through /proc: ARG is relative to it. */
static int t_proc_parent_cwd(char **argv)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%d/cwd/%s", (int)getppid(), argv[0]);
	return read_path(path);
}

/*
 * open_by_handle_at with a handle computed outside ("TYPE:HEX"). The mount fd is any
 * directory the program may open on the same file system (its writable directory).
 */
static int t_open_by_handle(char **argv)
{
	unsigned char raw[MAX_HANDLE_SZ];
	struct file_handle *fh;
	char *hex;
	int type, mount_fd, fd, r;
	size_t n = 0;

	type = (int)strtol(argv[0], &hex, 10);
	if (*hex != ':')
		return setup_failed("bad handle '%s'", argv[0]);
	for (hex++; hex[0] && hex[1] && n < sizeof(raw); hex += 2)
		sscanf(hex, "%2hhx", &raw[n++]);
	fh = malloc(sizeof(*fh) + n);
	if (!fh)
		return setup_failed("out of memory");
	fh->handle_bytes = (unsigned int)n;
	fh->handle_type = type;
	memcpy(fh->f_handle, raw, n);
	mount_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0) {
		free(fh);
		return setup_failed("open %s for the mount fd: %s", argv[1], strerror(errno));
	}
	fd = open_by_handle_at(mount_fd, fh, O_RDONLY | O_CLOEXEC);
	free(fh);
	close(mount_fd);
	if (fd < 0)
		return refused("open_by_handle_at", errno);
	{
		char buf[64];
		ssize_t got = read(fd, buf, sizeof(buf));

		r = got < 0 ? refused("read", errno)
			    : escaped("opened by handle and read %zd bytes", got);
	}
	close(fd);
	return r;
}

/* ---- terminal ---- */

static int t_tiocsti(char **argv)
{
	char c = '\n';

	(void)argv;
	if (!isatty(0))
		return setup_failed("stdin is not a terminal");
	if (ioctl(0, TIOCSTI, &c) < 0)
		return refused("ioctl(TIOCSTI)", errno);
	return escaped("pushed a byte into the terminal's input queue");
}

/* ---- other processes ---- */

static pid_t target_pid(const char *arg)
{
	return strcmp(arg, "parent") ? (pid_t)atoi(arg) : getppid();
}

static int t_ptrace(char **argv)
{
	pid_t pid = target_pid(argv[0]);

	/* SEIZE does not stop the tracee; our exit detaches. */
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		return refused("ptrace(PTRACE_SEIZE)", errno);
	return escaped("seized pid %d", (int)pid);
}

static int t_process_vm_readv(char **argv)
{
	pid_t pid = target_pid(argv[0]);
	unsigned long addr = strtoul(argv[1], NULL, 0);
	char buf[8];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)addr, sizeof(buf) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0)
		return refused("process_vm_readv", errno);
	return escaped("read %zu bytes of pid %d's memory", sizeof(buf), (int)pid);
}

/* Take a copy of another process's open file descriptor (5.6+). */
static int t_pidfd_getfd(char **argv)
{
	pid_t pid = target_pid(argv[0]);
	int pidfd = (int)syscall(__NR_pidfd_open, pid, 0), fd, r;
	char buf[64];
	ssize_t n;

	if (pidfd < 0)
		return refused("pidfd_open", errno);
	fd = (int)syscall(__NR_pidfd_getfd, pidfd, atoi(argv[1]), 0);
	close(pidfd);
	if (fd < 0)
		return refused("pidfd_getfd", errno);
	n = pread(fd, buf, sizeof(buf), 0);
	r = n < 0 ? refused("read", errno)
		  : escaped("took fd %s of pid %d and read %zd bytes", argv[1], (int)pid, n);
	close(fd);
	return r;
}

static int t_signal(char **argv)
{
	pid_t pid = target_pid(argv[0]);

	/* SIGURG: delivered like any signal, ignored by default. */
	if (kill(pid, SIGURG) < 0)
		return refused("kill", errno);
	return escaped("sent SIGURG to pid %d", (int)pid);
}

/* ---- sockets ---- */

/* Connect to a unix socket: a path, or "@NAME" for the abstract NAME. */
static int t_unix_connect(char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(argv[0]);
	int fd;

	if (len >= sizeof(sun.sun_path))
		return setup_failed("address too long");
	memcpy(sun.sun_path, argv[0], len);
	if (argv[0][0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return setup_failed("socket(AF_UNIX): %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		return refused_closing(fd, "connect");
	close(fd);
	return escaped("connected to unix socket %s", argv[0]);
}

static int inet_attempt(int family, int type, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd;

	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return refused("socket", errno);
	if (type == SOCK_STREAM) {
		if (connect(fd, (struct sockaddr *)&ss, len) < 0)
			return refused_closing(fd, "connect");
		close(fd);
		return escaped("TCP connection to loopback port %s", port);
	}
	if (sendto(fd, "sbx-escape", 10, 0, (struct sockaddr *)&ss, len) != 10)
		return refused_closing(fd, "sendto");
	close(fd);
	return escaped("UDP datagram sent to loopback port %s", port);
}

static int t_tcp_connect(char **argv)
{
	return inet_attempt(AF_INET, SOCK_STREAM, argv[0]);
}

static int t_tcp6_connect(char **argv)
{
	return inet_attempt(AF_INET6, SOCK_STREAM, argv[0]);
}

static int t_udp_send(char **argv)
{
	return inet_attempt(AF_INET, SOCK_DGRAM, argv[0]);
}

static int socket_attempt(int family, int type, int protocol, const char *what)
{
	int fd = socket(family, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return refused("socket", errno);
	close(fd);
	return escaped("opened a %s socket", what);
}

static int t_raw_socket(char **argv)
{
	(void)argv;
	return socket_attempt(AF_INET, SOCK_RAW, IPPROTO_ICMP, "raw IPv4");
}

static int t_packet_socket(char **argv)
{
	(void)argv;
	return socket_attempt(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "AF_PACKET");
}

/* Dump the host's network interfaces over rtnetlink. */
static int t_netlink_route(char **argv)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	char buf[8192];
	ssize_t n;
	int fd;

	(void)argv;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return refused("socket(AF_NETLINK)", errno);
	if (send(fd, &req, sizeof(req), 0) < 0)
		return refused_closing(fd, "send");
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n <= 0)
		return refused("recv", n < 0 ? errno : EIO);
	return escaped("rtnetlink answered a link dump (%zd bytes)", n);
}

/* ---- io_uring, raw: one submission, one completion ---- */

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p = { 0 };
	void *sq, *cq;
	size_t sq_len, cq_len;

	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Submit sqe, wait for its completion: returns the cqe's res, or -errno of the syscalls. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int uring_attempt(const struct io_uring_sqe *sqe, const char *what)
{
	struct ring r = { 0 };
	int res = ring_setup(&r);

	if (res < 0)
		return refused("io_uring_setup", -res);
	res = ring_run(&r, sqe);
	close(r.fd);
	/* An opcode this kernel does not know completes with -EINVAL. */
	if (res == -EINVAL)
		return unsupported("%s: the kernel answered EINVAL (opcode unknown?)", what);
	if (res < 0)
		return refused(what, -res);
	close(res);
	return escaped("%s through io_uring gave fd %d", what, res);
}

static int t_io_uring_openat(char **argv)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_OPENAT,
		.fd = AT_FDCWD,
		.addr = (uintptr_t)argv[0],
		.open_flags = O_RDONLY | O_CLOEXEC,
	};

	return uring_attempt(&sqe, "IORING_OP_OPENAT");
}

static int t_io_uring_socket(char **argv)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_SOCKET,
		.fd = AF_INET,
		.off = SOCK_STREAM,
	};

	(void)argv;
	return uring_attempt(&sqe, "IORING_OP_SOCKET");
}

/* ---- other syscall entry points ---- */

/*
 * Run fn in a child so that a signal (a seccomp kill, or SIGSEGV from an int $0x80 the
 * kernel does not emulate) is reported instead of ending the probe.
 */
static int in_child(int (*fn)(void), const char *what)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return setup_failed("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) < 0)
		return setup_failed("waitpid: %s", strerror(errno));
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WTERMSIG(status) == SIGSYS) {
		return report(PROBE_REFUSED, "%s: killed by SIGSYS (seccomp)", what);
	}
	return unsupported("%s: killed by signal %d (%s)", what, WTERMSIG(status),
			   strsignal(WTERMSIG(status)));
}

static int x32_socket(void)
{
	long fd = syscall(X32_SYSCALL_BIT | __NR_socket, AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return refused("x32 socket(AF_INET)", errno);
	return escaped("x32 socket(AF_INET) gave fd %ld", fd);
}

static int t_x32_socket(char **argv)
{
	(void)argv;
	return in_child(x32_socket, "x32 socket(AF_INET)");
}

static int i386_socket(void)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(I386_NR_SOCKET), "b"(AF_INET), "c"(SOCK_STREAM), "d"(0)
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret < 0)
		return refused("int $0x80 socket(AF_INET)", (int)-ret);
	return escaped("i386 socket(AF_INET) through int $0x80 gave fd %ld", ret);
}

static int t_i386_socket(char **argv)
{
	(void)argv;
	return in_child(i386_socket, "int $0x80 socket(AF_INET)");
}

/* ---- memory ---- */

typedef int (*code_fn)(void);
/* mov $42, %eax; ret */
static const unsigned char code_42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

static int t_wx_mmap(char **argv)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	(void)argv;
	if (p == MAP_FAILED)
		return refused("mmap(PROT_WRITE|PROT_EXEC)", errno);
	memcpy(p, code_42, sizeof(code_42));
	return escaped("wrote and ran code in a W+X mapping: it returned %d", ((code_fn)p)());
}

static int t_mprotect_wx(char **argv)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)argv;
	if (p == MAP_FAILED)
		return setup_failed("mmap(PROT_READ|PROT_WRITE): %s", strerror(errno));
	memcpy(p, code_42, sizeof(code_42));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0)
		return refused("mprotect(PROT_EXEC) of written memory", errno);
	return escaped("made written memory executable and ran it: it returned %d", ((code_fn)p)());
}

static int __attribute__((noinline)) code_marker(void)
{
	return 7;
}

static char proc_mem_data = 1;

/* Write our own (read-only, executable) code through /proc/self/mem: FOLL_FORCE. */
static int t_proc_self_mem(char **argv)
{
	unsigned char c;
	off_t addr = (off_t)(uintptr_t)&code_marker;
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	(void)argv;
	if (fd < 0)
		return refused("open(/proc/self/mem, O_RDWR)", errno);
	if (pread(fd, &c, 1, addr) != 1)
		return refused_closing(fd, "pread");
	if (pwrite(fd, &c, 1, addr) != 1) {
		int err = errno;
		off_t data = (off_t)(uintptr_t)&proc_mem_data;

		/*
		 * EIO for code while writable data goes through: the kernel itself refuses
		 * FOLL_FORCE (proc_mem.force_override=never or ptrace, CONFIG_PROC_MEM_*).
		 */
		if (err == EIO && pwrite(fd, &proc_mem_data, 1, data) == 1) {
			close(fd);
			return unsupported("the kernel refuses forced writes to read-only memory "
					   "through /proc/self/mem (proc_mem.force_override)");
		}
		close(fd);
		return refused("pwrite into our own code", err);
	}
	close(fd);
	return escaped("wrote into our own read-only code at %p (same byte), marker still %d",
		       (void *)&code_marker, code_marker());
}

/* ---- exec ---- */

/* The new image gets an empty environment: only reaching main() matters. */
static char *probe_envp_dummy[] = { NULL };

/* Copy this program (/proc/self/exe) to fd. */
static int copy_self(int fd)
{
	char buf[65536];
	ssize_t n;
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			close(in);
			return -EIO;
		}
	close(in);
	return n < 0 ? -errno : 0;
}

static int copy_self_to(const char *path, mode_t mode)
{
	int r, fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	r = copy_self(fd);
	close(fd);
	return r;
}

/* A memfd holding a copy of this program; -1 with *verdict set if that failed. */
static int memfd_with_self(unsigned int flags, int *verdict)
{
	int r, fd = (int)syscall(__NR_memfd_create, "sbx-escape", flags);

	if (fd < 0) {
		*verdict = refused("memfd_create", errno);
		return -1;
	}
	r = copy_self(fd);
	if (r < 0) {
		*verdict = setup_failed("copy /proc/self/exe into the memfd: %s", strerror(-r));
		close(fd);
		return -1;
	}
	return fd;
}

static int t_memfd_execveat(char **argv)
{
	char *args[] = { "escape_probe", "exec_ok", NULL };
	int verdict, fd = memfd_with_self(MFD_CLOEXEC, &verdict);

	(void)argv;
	if (fd < 0)
		return verdict;
	syscall(__NR_execveat, fd, "", args, probe_envp_dummy, AT_EMPTY_PATH);
	return refused("execveat(memfd, AT_EMPTY_PATH)", errno);
}

static int memfd_proc_exec(unsigned int flags)
{
	char path[64], *args[] = { "escape_probe", "exec_ok", NULL };
	int verdict, fd = memfd_with_self(flags, &verdict);

	if (fd < 0)
		return verdict;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	execve(path, args, probe_envp_dummy);
	return refused("execve(/proc/self/fd/N of a memfd)", errno);
}

static int t_memfd_proc_exec(char **argv)
{
	(void)argv;
	return memfd_proc_exec(0);
}

static int t_memfd_mfd_exec(char **argv)
{
	(void)argv;
	return memfd_proc_exec(MFD_EXEC);
}

/*
 * New code without exec or anonymous W+X: write it into a memfd and map that executable.
 * MFD_NOEXEC_SEAL is used where the kernel has it, to show the seal does not stop a map.
 */
static int t_memfd_map_exec(char **argv)
{
	int fd = (int)syscall(__NR_memfd_create, "sbx-escape", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	void *p;

	(void)argv;
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(__NR_memfd_create, "sbx-escape", MFD_CLOEXEC);
	if (fd < 0)
		return refused("memfd_create", errno);
	if (pwrite(fd, code_42, sizeof(code_42), 0) != (ssize_t)sizeof(code_42) ||
	    ftruncate(fd, 4096) < 0) {
		close(fd);
		return setup_failed("write code into the memfd: %s", strerror(errno));
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return refused("mmap(PROT_EXEC) of a written memfd", errno);
	return escaped("mapped code written into a memfd and ran it: it returned %d",
		       ((code_fn)p)());
}

/* Write a copy of this program where the sandbox may write, and run it. */
static int t_exec_written(char **argv)
{
	char path[PATH_MAX], *args[] = { path, "exec_ok", NULL };
	int r;

	snprintf(path, sizeof(path), "%s/sbx-escape-written-exe", argv[0]);
	r = copy_self_to(path, 0755);
	if (r < 0)
		return setup_failed("copy self to %s: %s", path, strerror(-r));
	execve(path, args, probe_envp_dummy);
	r = errno;
	unlink(path);
	return refused("execve of a file written in a writable directory", r);
}

/* This program's ELF interpreter (PT_INTERP), found without reading any file. */
static const char *own_interp(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t base = 0;

	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			base = (uintptr_t)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_INTERP)
			return (const char *)(base + ph[i].p_vaddr);
	return NULL;
}

/*
 * Run a non-executable copy (mode 0644) through the dynamic loader: ld.so FILE. In a
 * child: the loader may start and then fail to map FILE (tier K's mmap hook), and exit
 * with its own status and message, not a verdict; the copy that runs prints its own.
 */
static int t_ldso_exec(char **argv)
{
	char path[PATH_MAX];
	const char *interp = own_interp();
	char *args[] = { (char *)interp, path, "exec_ok", NULL };
	int r, status;
	pid_t pid;

	if (!interp)
		return setup_failed("this probe has no PT_INTERP (static build?)");
	snprintf(path, sizeof(path), "%s/sbx-escape-ldso-target", argv[0]);
	r = copy_self_to(path, 0644);
	if (r < 0)
		return setup_failed("copy self to %s: %s", path, strerror(-r));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return setup_failed("fork: %s", strerror(errno));
	if (pid == 0) {
		execve(interp, args, probe_envp_dummy);
		_exit(refused("execve of the dynamic loader", errno));
	}
	r = waitpid(pid, &status, 0) == pid ? 0 : errno;
	unlink(path);
	if (r)
		return setup_failed("waitpid: %s", strerror(r));
	if (WIFEXITED(status) &&
	    (WEXITSTATUS(status) == PROBE_ESCAPED || WEXITSTATUS(status) == PROBE_REFUSED))
		_exit(WEXITSTATUS(status)); /* the child printed the verdict */
	return report(PROBE_REFUSED, "%s %s: the loader could not run it (status %d)", interp, path,
		      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* The far side of the exec techniques: reaching main() in exec_ok mode is the escape. */
static int t_exec_ok(char **argv)
{
	(void)argv;
	return escaped("a new program image is running (%s)", program_invocation_name);
}

static int find_loaded(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	return info->dlpi_name && strstr(info->dlpi_name, (const char *)data) != NULL;
}

/* Is the library named by ARG mapped? The test sets LD_PRELOAD=ARG around sbx run. */
static int t_ld_preload(char **argv)
{
	const char *env = getenv("LD_PRELOAD");

	if (dl_iterate_phdr(find_loaded, argv[0]))
		return escaped("%s was preloaded (LD_PRELOAD=%s)", argv[0], env ? env : "(gone)");
	return report(PROBE_REFUSED, "%s is not loaded; LD_PRELOAD %s", argv[0],
		      env ? "still set" : "removed");
}

/* A loader variable that reaches the program was read by ld.so before main(). */
static int t_env_reaches(char **argv)
{
	const char *value = getenv(argv[0]);

	if (value)
		return escaped("%s=%s reached the program (and its loader)", argv[0], value);
	return report(PROBE_REFUSED, "%s was removed from the environment", argv[0]);
}

static int t_setuid(char **argv)
{
	(void)argv;
	if (geteuid() != getuid())
		return escaped("setuid took effect: ruid %d euid %d", (int)getuid(),
			       (int)geteuid());
	return report(PROBE_REFUSED, "setuid bit ignored (ruid = euid = %d)", (int)geteuid());
}

/* ---- privilege and kernel interfaces ---- */

static bool have_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(__NR_capget, &h, d) < 0)
		return false;
	return d[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
}

static int t_unshare_userns(char **argv)
{
	(void)argv;
	if (unshare(CLONE_NEWUSER) < 0)
		return refused("unshare(CLONE_NEWUSER)", errno);
	return escaped("new user namespace, CAP_SYS_ADMIN %s in it",
		       have_cap_sys_admin() ? "held" : "not held");
}

static int t_clone_newuser(char **argv)
{
	int status;
	long pid = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	(void)argv;
	if (pid < 0)
		return refused("clone(CLONE_NEWUSER)", errno);
	if (pid == 0)
		_exit(have_cap_sys_admin() ? 0 : 1);
	waitpid((pid_t)pid, &status, 0);
	return escaped("child in a new user namespace, CAP_SYS_ADMIN %s there",
		       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "held" : "not held");
}

static int t_clone3_newuser(char **argv)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	int status;
	long pid = syscall(__NR_clone3, &args, sizeof(args));

	(void)argv;
	if (pid < 0)
		return refused("clone3(CLONE_NEWUSER)", errno);
	if (pid == 0)
		_exit(0);
	waitpid((pid_t)pid, &status, 0);
	return escaped("clone3 made a child in a new user namespace");
}

static int t_mount(char **argv)
{
	if (mount("sbx-escape", argv[0], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0)
		return refused("mount(tmpfs)", errno);
	umount2(argv[0], MNT_DETACH);
	return escaped("mounted a tmpfs on %s (and unmounted it)", argv[0]);
}

/* What an ordinary user can do unconfined: a user and mount namespace, then mount. */
static int t_mount_userns(char **argv)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return refused("unshare(CLONE_NEWUSER|CLONE_NEWNS)", errno);
	if (mount("sbx-escape", argv[0], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0)
		return refused("mount(tmpfs) in the new namespaces", errno);
	return escaped("mounted a tmpfs on %s in a new mount namespace", argv[0]);
}

static int t_fsopen(char **argv)
{
	long fd = syscall(__NR_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);

	(void)argv;
	if (fd < 0)
		return refused("fsopen(tmpfs)", errno);
	close((int)fd);
	return escaped("fsopen gave a tmpfs context");
}

static int t_bpf(char **argv)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = 4,
		.value_size = 4,
		.max_entries = 1,
	};
	long fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));

	(void)argv;
	if (fd < 0)
		return refused("bpf(BPF_MAP_CREATE)", errno);
	close((int)fd);
	return escaped("created a BPF map");
}

static int t_perf_event_open(char **argv)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	long fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);

	(void)argv;
	if (fd < 0)
		return refused("perf_event_open", errno);
	close((int)fd);
	return escaped("opened a perf event on ourselves");
}

static int t_userfaultfd(char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	long fd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	(void)argv;
	/* Kernels before 5.11 know no UFFD_USER_MODE_ONLY. */
	if (fd < 0 && errno == EINVAL)
		fd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (fd < 0)
		return refused("userfaultfd", errno);
	if (ioctl((int)fd, UFFDIO_API, &api) < 0)
		return refused_closing((int)fd, "ioctl(UFFDIO_API)");
	close((int)fd);
	return escaped("userfaultfd ready (features %#llx)", (unsigned long long)api.features);
}

/* A key in the user keyring, which every process of this uid shares. */
static int t_keyctl(char **argv)
{
	long id =
		syscall(__NR_add_key, "user", "sbx-escape-probe", "x", 1, KEY_SPEC_USER_KEYRING_ID);

	(void)argv;
	if (id < 0)
		return refused("add_key(user keyring)", errno);
	syscall(__NR_keyctl, KEYCTL_INVALIDATE, id);
	return escaped("added key %ld to the user keyring (and invalidated it)", id);
}

static int t_personality(char **argv)
{
	int cur = personality(0xffffffff);

	(void)argv;
	if (cur < 0)
		return refused("personality(query)", errno);
	if (personality((unsigned long)cur | READ_IMPLIES_EXEC) < 0)
		return refused("personality(READ_IMPLIES_EXEC)", errno);
	cur = personality(0xffffffff);
	if (cur < 0 || !(cur & READ_IMPLIES_EXEC))
		return refused("personality(READ_IMPLIES_EXEC) did not stick", EPERM);
	return escaped("READ_IMPLIES_EXEC set: readable mappings are now executable");
}

/*
 * Write VALUE to a /proc file, or with "-" write back what it already holds (write access,
 * no change). EINVAL means no kernel part behind the file takes the value (no LSM with a
 * /proc/self/attr interface): unsupported, not refused.
 */
static int t_proc_write(char **argv)
{
	const char *path = argv[0];
	char buf[512];
	ssize_t n;
	int fd;

	if (strcmp(argv[1], "-")) {
		n = (ssize_t)snprintf(buf, sizeof(buf), "%s", argv[1]);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return refused("open for reading", errno);
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < 0 && errno == EINVAL)
			return unsupported("read %s: EINVAL (no LSM serves this file here)", path);
		if (n < 0)
			return refused("read", errno);
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return refused("open(O_WRONLY)", errno);
	if (write(fd, buf, (size_t)n) < 0) {
		int err = errno;

		close(fd);
		if (err == EINVAL)
			return unsupported("write %s: EINVAL (no LSM takes this value here)", path);
		return refused("write", err);
	}
	close(fd);
	return escaped("wrote '%.*s' to %s", (int)strcspn(buf, "\n"), buf, path);
}

/* ---- issue 8: what the syscall allow-list closes ---- */

/*
 * SysV IPC is one namespace for every process of the user, in or out of a sandbox: open
 * the segment (queue) with KEY if another process made it, else make one; write and read
 * it back; remove it only if this run made it.
 */
static int t_sysv_shm(char **argv)
{
	key_t key = (key_t)strtol(argv[0], NULL, 0);
	bool made = false;
	int id = shmget(key, 4096, 0600);
	char *p;

	if (id < 0 && errno == ENOENT) {
		id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
		made = true;
	}
	if (id < 0)
		return refused("shmget", errno);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		int err = errno;

		if (made)
			shmctl(id, IPC_RMID, NULL);
		return refused("shmat", err);
	}
	strcpy(p, "written from the probe");
	shmdt(p);
	if (made)
		shmctl(id, IPC_RMID, NULL);
	return escaped("read and wrote SysV shared memory %#x", (unsigned int)key);
}

static int t_sysv_msg(char **argv)
{
	key_t key = (key_t)strtol(argv[0], NULL, 0);
	struct {
		long type;
		char text[16];
	} m = { 1, "hello" };
	bool made = false;
	int id = msgget(key, 0600), err = 0;

	if (id < 0 && errno == ENOENT) {
		id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
		made = true;
	}
	if (id < 0)
		return refused("msgget", errno);
	if (msgsnd(id, &m, sizeof(m.text), IPC_NOWAIT) < 0)
		err = errno;
	else
		msgrcv(id, &m, sizeof(m.text), 1, IPC_NOWAIT);
	if (made)
		msgctl(id, IPC_RMID, NULL);
	if (err)
		return refused("msgsnd", err);
	return escaped("sent a message on SysV queue %#x", (unsigned int)key);
}

/* SHM_EXEC maps a segment the program can write as executable: W^X around mprotect. */
static int t_shmat_exec(char **argv)
{
	int id = shmget(IPC_PRIVATE, 4096, 0700);
	void *p;

	(void)argv;
	if (id < 0)
		return refused("shmget", errno);
	p = shmat(id, NULL, SHM_EXEC);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1)
		return refused("shmat(SHM_EXEC)", errno);
	shmdt(p);
	return escaped("attached writable shared memory with SHM_EXEC");
}

/* Another process's limits: its own values again, which any process of the user may set. */
static int t_prlimit_other(char **argv)
{
	pid_t pid = target_pid(argv[0]);
	struct rlimit cur;

	if (syscall(SYS_prlimit64, pid, RLIMIT_CORE, NULL, &cur) < 0)
		return refused("prlimit64(read)", errno);
	if (syscall(SYS_prlimit64, pid, RLIMIT_CORE, &cur, NULL) < 0)
		return refused("prlimit64(set)", errno);
	return escaped("set pid %d's RLIMIT_CORE", (int)pid);
}

static int t_setpriority_other(char **argv)
{
	pid_t pid = target_pid(argv[0]);
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, (id_t)pid);
	if (errno)
		return refused("getpriority", errno);
	if (setpriority(PRIO_PROCESS, (id_t)pid, prio) < 0)
		return refused("setpriority", errno);
	return escaped("set pid %d's priority", (int)pid);
}

static int t_sched_setaffinity_other(char **argv)
{
	pid_t pid = target_pid(argv[0]);
	cpu_set_t set;

	if (sched_getaffinity(pid, sizeof(set), &set) < 0)
		return refused("sched_getaffinity", errno);
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		return refused("sched_setaffinity", errno);
	return escaped("set pid %d's CPU affinity", (int)pid);
}

static int t_ioprio_set_other(char **argv)
{
	pid_t pid = target_pid(argv[0]);

	/* IOPRIO_WHO_PROCESS; best effort, level 4: what a process has by default. */
	if (syscall(SYS_ioprio_set, 1, pid, (2 << 13) | 4) < 0)
		return refused("ioprio_set", errno);
	return escaped("set pid %d's I/O priority", (int)pid);
}

/* MPTCP: TCP that Landlock's TCP port rules do not see. The socket, or -1 and *verdict. */
static int mptcp_socket(int *verdict)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 262 /* IPPROTO_MPTCP */);

	if (fd < 0)
		*verdict = errno == EPROTONOSUPPORT || errno == ENOPROTOOPT
				   ? lacks("socket(IPPROTO_MPTCP)", errno, "no MPTCP")
				   : refused("socket(IPPROTO_MPTCP)", errno);
	return fd;
}

static int t_mptcp_connect(char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)atoi(argv[0])),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int verdict, fd = mptcp_socket(&verdict);

	if (fd < 0)
		return verdict;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return refused_closing(fd, "connect");
	close(fd);
	return escaped("connected to 127.0.0.1:%s over MPTCP", argv[0]);
}

static int t_mptcp_listen(char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int verdict, fd = mptcp_socket(&verdict);

	(void)argv;
	if (fd < 0)
		return verdict;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1) < 0)
		return refused_closing(fd, "bind/listen");
	close(fd);
	return escaped("listened on 127.0.0.1 over MPTCP");
}

/* AF_VSOCK: a socket to the hypervisor and other VMs, unseen by Landlock. */
static int t_vsock_bind(char **argv)
{
	struct {
		unsigned short family, reserved;
		unsigned int port, cid;
		unsigned char zero[4];
	} svm = { .family = 40 /* AF_VSOCK */, .port = 0xffffffffU, .cid = 0xffffffffU /* any */ };
	int fd = socket(40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)argv;
	if (fd < 0)
		return errno == EAFNOSUPPORT ? lacks("socket(AF_VSOCK)", errno, "no AF_VSOCK here")
					     : refused("socket(AF_VSOCK)", errno);
	if (bind(fd, (struct sockaddr *)&svm, sizeof(svm)) < 0)
		return errno == EADDRNOTAVAIL ? lacks("bind", errno, "no vsock transport here")
					      : refused_closing(fd, "bind");
	close(fd);
	return escaped("bound an AF_VSOCK socket");
}

/* A lease on a file stalls every other opener of it until the holder lets go. */
static int t_file_lease(char **argv)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/lease-probe", argv[0]);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return setup_failed("create %s: %s", path, strerror(errno));
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	if (fd < 0)
		return setup_failed("open %s: %s", path, strerror(errno));
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return refused_closing(fd, "fcntl(F_SETLEASE)");
	close(fd);
	return escaped("took a read lease");
}

/* A call newer than sbx's table (Linux 6.8): refused until someone reviews it. */
static int t_unlisted_syscall(char **argv)
{
	uint32_t size = 0;

	(void)argv;
	if (syscall(461 /* lsm_list_modules */, NULL, &size, 0) < 0 && errno != E2BIG)
		return refused("lsm_list_modules", errno);
	return escaped("lsm_list_modules ran (a call the allow-list does not name)");
}

/* ---- file metadata and watches (the supervisor carries these out in the grants only) ---- */

/* chmod FILE to MODE (octal), then back: a setuid bit, or a secret made world-readable. */
static int t_chmod(char **argv)
{
	mode_t mode = (mode_t)strtol(argv[1], NULL, 8);
	struct stat st;

	if (stat(argv[0], &st))
		return setup_failed("stat %s: %s", argv[0], strerror(errno));
	if (chmod(argv[0], mode))
		return refused("chmod", errno);
	chmod(argv[0], st.st_mode & 07777);
	return escaped("chmod %s %04o (then back)", argv[0], (unsigned int)mode);
}

/* chown FILE to its own owner: a change of owner the kernel carries out all the same. */
static int t_chown(char **argv)
{
	struct stat st;

	if (stat(argv[0], &st))
		return setup_failed("stat %s: %s", argv[0], strerror(errno));
	if (chown(argv[0], st.st_uid, st.st_gid))
		return refused("chown", errno);
	return escaped("chown %s (to its owner)", argv[0]);
}

/* Back-date FILE's times, then restore them. */
static int t_utimes(char **argv)
{
	struct timespec old[2], past[2] = { { 1000000, 0 }, { 1000000, 0 } };
	struct stat st;

	if (stat(argv[0], &st))
		return setup_failed("stat %s: %s", argv[0], strerror(errno));
	old[0] = st.st_atim;
	old[1] = st.st_mtim;
	if (utimensat(AT_FDCWD, argv[0], past, 0))
		return refused("utimensat", errno);
	utimensat(AT_FDCWD, argv[0], old, 0);
	return escaped("back-dated %s (then restored)", argv[0]);
}

static int t_setxattr(char **argv)
{
	if (setxattr(argv[0], "user.sbx-escape", "1", 1, 0)) {
		if (errno == EOPNOTSUPP)
			return lacks("setxattr", errno, "no user xattrs on this file system");
		return refused("setxattr", errno);
	}
	removexattr(argv[0], "user.sbx-escape");
	return escaped("set user.sbx-escape on %s (then removed)", argv[0]);
}

/* A read of FILE's xattrs: ENODATA is an answer about the file too. */
static int t_getxattr(char **argv)
{
	char v[64];

	if (getxattr(argv[0], "user.sbx-escape", v, sizeof(v)) < 0 && errno != ENODATA) {
		if (errno == EOPNOTSUPP)
			return lacks("getxattr", errno, "no user xattrs on this file system");
		return refused("getxattr", errno);
	}
	return escaped("read the xattrs of %s", argv[0]);
}

/* Watch the directory holding FILE (~/.ssh): new keys, every access, by name. */
static int t_inotify_watch(char **argv)
{
	char dir[PATH_MAX];
	char *slash;
	int in = inotify_init1(IN_CLOEXEC);

	snprintf(dir, sizeof(dir), "%s", argv[0]);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	if (in < 0)
		return refused("inotify_init1", errno);
	if (inotify_add_watch(in, dir, IN_ACCESS | IN_CREATE | IN_OPEN) < 0)
		return refused("inotify_add_watch", errno);
	return escaped("watching %s", dir);
}

/* A datagram socket by another name: the kernel makes AF_UNIX SOCK_RAW a SOCK_DGRAM. */
static int t_unix_raw_sendto(char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(argv[0]);
	int fd;

	if (len >= sizeof(sun.sun_path))
		return setup_failed("address too long");
	memcpy(sun.sun_path, argv[0], len);
	fd = socket(AF_UNIX, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return refused("socket(AF_UNIX, SOCK_RAW)", errno);
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&sun,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		return refused_closing(fd, "sendto");
	close(fd);
	return escaped("sent a datagram to %s through a unix SOCK_RAW socket", argv[0]);
}

/* chattr +d on a file the sandbox may only read: set FS_NODUMP_FL, then put it back. */
static int t_setflags(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), flags, set;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return lacks("ioctl(FS_IOC_GETFLAGS)", errno, "no inode flags on this file system");
	set = flags | FS_NODUMP_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &set) < 0)
		return refused("ioctl(FS_IOC_SETFLAGS)", errno);
	ioctl(fd, FS_IOC_SETFLAGS, &flags);
	return escaped("set FS_NODUMP_FL on %s opened read-only", argv[0]);
}

/*
 * An ioctl of a file system's own on a file the sandbox may only read (atk11u, noticed):
 * FAT_IOCTL_GET_ATTRIBUTES, then FAT_IOCTL_SET_ATTRIBUTES with what it read (a vfat file's
 * attributes change through a read-only descriptor; FUSE forwards any request to its
 * server). Off vfat the file system answers ENOTTY: the request reached it all the same.
 */
static int t_fs_own_ioctl(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	uint32_t attr = 0;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, 0x80047210 /* FAT_IOCTL_GET_ATTRIBUTES */, &attr) < 0 && errno != ENOTTY)
		return refused_closing(fd, "ioctl(FAT_IOCTL_GET_ATTRIBUTES)");
	if (ioctl(fd, 0x40047211 /* FAT_IOCTL_SET_ATTRIBUTES */, &attr) < 0 && errno != ENOTTY)
		return refused_closing(fd, "ioctl(FAT_IOCTL_SET_ATTRIBUTES)");
	close(fd);
	return escaped("FAT_IOCTL_SET_ATTRIBUTES on %s opened read-only reached its file system",
		       argv[0]);
}

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

/* The page cache of a file as a probe of other programs' reads (atk5u E). */
static int t_cachestat(char **argv)
{
	struct {
		uint64_t off, len;
	} range = { 0, 0 };
	uint64_t cs[5] = { 0 }; /* struct cachestat: cache, dirty, writeback, evicted, ... */
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	if (syscall(__NR_cachestat, fd, &range, cs, 0) < 0)
		return refused_closing(fd, "cachestat");
	close(fd);
	return escaped("%llu pages of %s cached", (unsigned long long)cs[0], argv[0]);
}

static int t_evict_page_cache(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (err)
		return refused("posix_fadvise(POSIX_FADV_DONTNEED)", err);
	return escaped("evicted %s opened read-only", argv[0]);
}

/* EAGAIN: the first page is not cached; data: it is. Either answer is the probe's. */
static int t_read_nowait(char **argv)
{
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	n = preadv2(fd, &iov, 1, 0, RWF_NOWAIT);
	if (n < 0 && errno == EOPNOTSUPP) {
		close(fd);
		return lacks("preadv2(RWF_NOWAIT)", EOPNOTSUPP, "not on this file");
	}
	if (n < 0 && errno != EAGAIN)
		return refused_closing(fd, "preadv2(RWF_NOWAIT)");
	close(fd);
	return escaped("%s's first page is %scached", argv[0], n < 0 ? "not " : "");
}

/*
 * The page cache by madvise (atk6u P): MADV_PAGEOUT or MADV_COLD on a file mapping act on
 * the file's cached pages, which every reader shares; the kernel allows it on a file the
 * caller owns or may write. EINVAL is what a kernel without the advice says.
 */
static int t_madvise_evict(char **argv)
{
	int advice = !strcmp(argv[0], "pageout") ? 21 /* MADV_PAGEOUT */
		     : !strcmp(argv[0], "cold")	 ? 20 /* MADV_COLD */
						 : -1;
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *p;
	int r;

	if (advice < 0 || fd < 0 || fstat(fd, &st) || st.st_size < 1)
		return setup_failed("pageout|cold FILE: %s", argv[1]);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return setup_failed("mmap %s: %s", argv[1], strerror(errno));
	for (off_t o = 0; o < st.st_size; o += 4096) /* it walks the caller's page tables */
		(void)*(volatile char *)(p + o);
	r = madvise(p, (size_t)st.st_size, advice);
	if (r < 0 && errno == EINVAL)
		return lacks("madvise", errno, argv[0]);
	if (r < 0)
		return refused("madvise", errno);
	return escaped("madvise(%s) of %s opened read-only", argv[0], argv[1]);
}

/* mincore of a file mapping: which of its pages are cached, whoever read them. */
static int t_mincore(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	unsigned char vec = 0;
	char *p;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return setup_failed("mmap %s: %s", argv[0], strerror(errno));
	if (mincore(p, 4096, &vec) < 0)
		return refused("mincore", errno);
	return escaped("%s's first page is %scached", argv[0], vec & 1 ? "" : "not ");
}

/* One read through Linux AIO with aio_rw_flags: the event's result, or -errno of a call. */
static long aio_read_once(aio_context_t ctx, int fd, int rw_flags)
{
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	struct io_event ev = { 0 };
	char buf[64];

	cb.aio_fildes = (uint32_t)fd;
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_buf = (uint64_t)(uintptr_t)buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_rw_flags = rw_flags;
	if (syscall(SYS_io_submit, ctx, 1, cbs) != 1)
		return -errno;
	if (syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1)
		return -errno;
	return ev.res;
}

/*
 * RWF_NOWAIT in a Linux AIO iocb (atk6u N): seccomp sees preadv2's flags, not an iocb's.
 * The read answers EAGAIN when the page is not cached: either answer is the probe's. A
 * file that cannot read without waiting (tmpfs before 6.x, the guests' initramfs) answers
 * EOPNOTSUPP: then a plain AIO read shows io_submit reached, which is what sbx refuses.
 */
static int t_aio_nowait(char **argv)
{
	aio_context_t ctx = 0;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	long res;

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	if (syscall(SYS_io_setup, 1, &ctx) < 0)
		return refused_closing(fd, "io_setup");
	res = aio_read_once(ctx, fd, RWF_NOWAIT);
	if (res == -EOPNOTSUPP) {
		res = aio_read_once(ctx, fd, 0);
		syscall(SYS_io_destroy, ctx);
		close(fd);
		if (res < 0)
			return refused("io_submit", (int)-res);
		return escaped("read %s through io_submit (RWF_NOWAIT not on this file)", argv[0]);
	}
	syscall(SYS_io_destroy, ctx);
	close(fd);
	if (res < 0 && res != -EAGAIN)
		return refused("io_submit(RWF_NOWAIT)", (int)-res);
	return escaped("%s's first page is %scached (io_submit, RWF_NOWAIT: %ld)", argv[0],
		       res == -EAGAIN ? "not " : "", res);
}

/*
 * fcntl(F_SET_RW_HINT) on a file opened read-only (atk6u W): the inode's write-lifetime
 * hint, shared by every writer, gated on ownership alone. Put back afterwards.
 */
static int t_rw_hint(char **argv)
{
	uint64_t hint = 2 /* RWH_WRITE_LIFE_SHORT */, old = 0;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return setup_failed("open %s: %s", argv[0], strerror(errno));
	if (fcntl(fd, 1035 /* F_GET_RW_HINT */, &old) < 0)
		old = 0;
	if (fcntl(fd, 1036 /* F_SET_RW_HINT */, &hint) < 0) {
		int err = errno;

		close(fd);
		return err == EINVAL ? lacks("fcntl(F_SET_RW_HINT)", err, "no such command")
				     : refused("fcntl(F_SET_RW_HINT)", err);
	}
	fcntl(fd, 1036 /* F_SET_RW_HINT */, &old);
	close(fd);
	return escaped("set %s's write-lifetime hint, opened read-only", argv[0]);
}

struct technique {
	const char *name;
	int nargs;
	int (*fn)(char **argv);
	const char *usage;
};

/* Another process's attributes by the calls that name it (atk5u J): read_other.h. */
static int t_read_other(char **argv)
{
	pid_t pid = target_pid(argv[1]);
	long r;

	errno = 0;
	r = read_other(argv[0], pid);
	if (r < 0 && errno == EINVAL && !read_other_known(argv[0]))
		return setup_failed("no such call: %s", argv[0]);
	if (r < 0)
		return refused(argv[0], errno);
	return escaped("%s(pid %d) answered %ld", argv[0], (int)pid, r);
}

static const struct technique techniques[] = {
	{ "read_file", 1, t_read_file, "FILE" },
	{ "reuid_read", 1, t_reuid_read, "FILE" },
	{ "write_create", 1, t_write_create, "DIR" },
	{ "mknod", 1, t_mknod, "DIR" },
	{ "write_existing", 1, t_write_existing, "FILE" },
	{ "truncate", 1, t_truncate, "FILE" },
	{ "refer_link", 2, t_refer_link, "OUTSIDE_FILE WRITABLE_DIR" },
	{ "refer_rename_in", 2, t_refer_rename_in, "OUTSIDE_FILE WRITABLE_DIR" },
	{ "refer_rename_out", 2, t_refer_rename_out, "WRITABLE_DIR OUTSIDE_DIR" },
	{ "symlink_follow", 2, t_symlink_follow, "OUTSIDE_FILE WRITABLE_DIR" },
	{ "dotdot", 2, t_dotdot, "OUTSIDE_FILE INSIDE_DIR" },
	{ "proc_self_root", 1, t_proc_self_root, "OUTSIDE_FILE" },
	{ "proc_parent_cwd", 1, t_proc_parent_cwd, "PATH_RELATIVE_TO_PARENT_CWD" },
	{ "open_by_handle", 2, t_open_by_handle, "TYPE:HEX DIR_ON_SAME_FS" },
	{ "tiocsti", 0, t_tiocsti, "" },
	{ "ptrace", 1, t_ptrace, "PID|parent" },
	{ "process_vm_readv", 2, t_process_vm_readv, "PID|parent ADDRESS" },
	{ "pidfd_getfd", 2, t_pidfd_getfd, "PID|parent FD" },
	{ "signal", 1, t_signal, "PID|parent" },
	{ "unix_connect", 1, t_unix_connect, "PATH|@ABSTRACT_NAME" },
	{ "tcp_connect", 1, t_tcp_connect, "PORT" },
	{ "tcp6_connect", 1, t_tcp6_connect, "PORT" },
	{ "udp_send", 1, t_udp_send, "PORT" },
	{ "raw_socket", 0, t_raw_socket, "" },
	{ "packet_socket", 0, t_packet_socket, "" },
	{ "netlink_route", 0, t_netlink_route, "" },
	{ "io_uring_openat", 1, t_io_uring_openat, "FILE" },
	{ "io_uring_socket", 0, t_io_uring_socket, "" },
	{ "x32_socket", 0, t_x32_socket, "" },
	{ "i386_socket", 0, t_i386_socket, "" },
	{ "wx_mmap", 0, t_wx_mmap, "" },
	{ "mprotect_wx", 0, t_mprotect_wx, "" },
	{ "proc_self_mem", 0, t_proc_self_mem, "" },
	{ "memfd_execveat", 0, t_memfd_execveat, "" },
	{ "memfd_proc_exec", 0, t_memfd_proc_exec, "" },
	{ "memfd_mfd_exec", 0, t_memfd_mfd_exec, "" },
	{ "memfd_map_exec", 0, t_memfd_map_exec, "" },
	{ "exec_written", 1, t_exec_written, "WRITABLE_DIR" },
	{ "ldso_exec", 1, t_ldso_exec, "WRITABLE_DIR" },
	{ "exec_ok", 0, t_exec_ok, "" },
	{ "proc_own_tree", 0, t_proc_own_tree, "" },
	{ "ld_preload", 1, t_ld_preload, "LIBRARY_NAME" },
	{ "env_reaches", 1, t_env_reaches, "NAME" },
	{ "setuid", 0, t_setuid, "" },
	{ "unshare_userns", 0, t_unshare_userns, "" },
	{ "clone_newuser", 0, t_clone_newuser, "" },
	{ "clone3_newuser", 0, t_clone3_newuser, "" },
	{ "mount", 1, t_mount, "DIR" },
	{ "mount_userns", 1, t_mount_userns, "DIR" },
	{ "fsopen", 0, t_fsopen, "" },
	{ "bpf", 0, t_bpf, "" },
	{ "perf_event_open", 0, t_perf_event_open, "" },
	{ "userfaultfd", 0, t_userfaultfd, "" },
	{ "keyctl", 0, t_keyctl, "" },
	{ "personality", 0, t_personality, "" },
	{ "proc_write", 2, t_proc_write, "PROC_FILE VALUE|-" },
	{ "sysv_shm", 1, t_sysv_shm, "KEY" },
	{ "sysv_msg", 1, t_sysv_msg, "KEY" },
	{ "shmat_exec", 0, t_shmat_exec, "" },
	{ "prlimit_other", 1, t_prlimit_other, "PID|parent" },
	{ "setpriority_other", 1, t_setpriority_other, "PID|parent" },
	{ "sched_setaffinity_other", 1, t_sched_setaffinity_other, "PID|parent" },
	{ "ioprio_set_other", 1, t_ioprio_set_other, "PID|parent" },
	{ "mptcp_connect", 1, t_mptcp_connect, "PORT" },
	{ "mptcp_listen", 0, t_mptcp_listen, "" },
	{ "vsock_bind", 0, t_vsock_bind, "" },
	{ "file_lease", 1, t_file_lease, "WRITABLE_DIR" },
	{ "unlisted_syscall", 0, t_unlisted_syscall, "" },
	{ "chmod", 2, t_chmod, "FILE MODE" },
	{ "chown", 1, t_chown, "FILE" },
	{ "utimes", 1, t_utimes, "FILE" },
	{ "setxattr", 1, t_setxattr, "FILE" },
	{ "getxattr", 1, t_getxattr, "FILE" },
	{ "inotify_watch", 1, t_inotify_watch, "FILE_IN_DIR" },
	{ "unix_raw_sendto", 1, t_unix_raw_sendto, "DGRAM_SOCKET_PATH" },
	{ "setflags", 1, t_setflags, "FILE" },
	{ "fs_own_ioctl", 1, t_fs_own_ioctl, "FILE" },
	{ "cachestat", 1, t_cachestat, "FILE" },
	{ "evict_page_cache", 1, t_evict_page_cache, "FILE" },
	{ "read_nowait", 1, t_read_nowait, "FILE" },
	{ "madvise_evict", 2, t_madvise_evict, "pageout|cold FILE" },
	{ "mincore", 1, t_mincore, "FILE" },
	{ "aio_nowait", 1, t_aio_nowait, "FILE" },
	{ "rw_hint", 1, t_rw_hint, "FILE" },
	{ "read_other", 2, t_read_other, "CALL PID|parent" },
};

int main(int argc, char **argv)
{
	if (argc >= 2)
		for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++)
			if (!strcmp(argv[1], techniques[i].name)) {
				technique = techniques[i].name;
				if (argc - 2 != techniques[i].nargs)
					return setup_failed("usage: escape_probe %s %s", technique,
							    techniques[i].usage);
				for (int a = 2; a < argc; a++)
					if (!strcmp(argv[a], "@TMPDIR")) {
						argv[a] = getenv("TMPDIR");
						if (!argv[a])
							return setup_failed("TMPDIR is not set");
					}
				return techniques[i].fn(argv + 2);
			}
	fprintf(stderr, "usage: escape_probe TECHNIQUE [ARGS...]; techniques:");
	for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++)
		fprintf(stderr, " %s", techniques[i].name);
	fputc('\n', stderr);
	return PROBE_SETUP;
}
