// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The calling program, as the main thread reaches it: copies of its memory
 * (process_vm_readv: what is read is the supervisor's from then on, whatever the program's
 * other threads write), its descriptors (pidfd_getfd: the same open file, not a reopened
 * path) and its working directory. All need ptrace access to the program; a program that
 * made itself non-dumpable refuses them, and its calls are then refused (fail closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervise/supervise_internal.h"

void sup_why(struct sup_call *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->why || !c->why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, c->why_len, fmt, ap);
	va_end(ap);
}

static int vm_error(void)
{
	/* EPERM/EACCES: no ptrace access (not dumpable); ESRCH: gone; else a bad address. */
	return errno == EPERM || errno == EACCES || errno == ESRCH ? -errno : -EFAULT;
}

/* len bytes between buf and the program's addr, whole or -errno. */
static int transfer(pid_t tid, uint64_t addr, void *buf, size_t len, bool write)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	n = write ? process_vm_writev(tid, &local, 1, &remote, 1, 0)
		  : process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return vm_error();
	return (size_t)n == len ? 0 : -EFAULT;
}

int sup_program_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	return transfer(tid, addr, buf, len, false);
}

int sup_program_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	return transfer(tid, addr, (void *)buf, len, true);
}

/* A NUL-terminated string of at most len - 1 bytes: -ENAMETOOLONG if longer. */
int sup_program_read_string(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;
	long page = sysconf(_SC_PAGESIZE);

	if (!addr)
		return -EFAULT;
	while (got < len) {
		/* To the end of the page: the next one may not be mapped. */
		size_t chunk = (size_t)page - ((addr + got) & ((uint64_t)page - 1));
		struct iovec local, remote;
		ssize_t n;

		if (chunk > len - got)
			chunk = len - got;
		local = (struct iovec){ buf + got, chunk };
		remote = (struct iovec){ (void *)(uintptr_t)(addr + got), chunk };
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return n < 0 ? vm_error() : -EFAULT;
		if (memchr(buf + got, '\0', (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

int sup_proc_field(const char *path, const char *key, pid_t *out)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "re");
	int err = -ESRCH;

	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			*out = (pid_t)strtol(line + klen + 1, NULL, 0); /* Umask is octal: 0022 */
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int sup_proc_status_field(pid_t pid, const char *key, pid_t *out)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return sup_proc_field(path, key, out);
}

int sup_program_pidfd(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, 0);
	pid_t tgid;

	/* The caller may be a thread other than the leader (PIDFD_THREAD needs 6.9). */
	if (fd < 0)
		fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd < 0 && !sup_proc_status_field(tid, "Tgid", &tgid) && tgid > 0)
		fd = (int)syscall(SYS_pidfd_open, tgid, 0);
	return fd < 0 ? -errno : fd;
}

int sup_program_getfd(struct sup_call *c, int fd)
{
	int copy;

	if (c->pidfd < 0) {
		c->pidfd = sup_program_pidfd(c->tid);
		if (c->pidfd < 0)
			return c->pidfd;
	}
	copy = (int)syscall(SYS_pidfd_getfd, c->pidfd, fd, 0);
	if (copy >= 0)
		return copy;
	if (errno == EPERM)
		sup_why(c, "%s(): the program is not dumpable, sbx cannot take its descriptor",
			c->spec ? c->spec->name : "?");
	return -errno;
}

int sup_program_cwd(pid_t tid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)tid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void sbx_program_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, len, "?");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}
