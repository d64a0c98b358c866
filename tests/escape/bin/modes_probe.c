// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modes_probe TECHNIQUE ARG: the attempts of tests/escape/modes_locks.c, libc only.
 *
 *   setid HOW DIR      make DIR/setid-HOW (DIR "@TMPDIR": $TMPDIR) with a set-user-id (or, HOW
 * ending in _gid, set-group-id) bit: open, openat, creat, mknod, mknodat, openat2, chmod, fchmod,
 * fchmodat, fchmodat2, open_gid, chmod_gid; or set the security.capability xattr on it (fcaps)
 *   fdmeta HOW         change the metadata of the file on descriptor 0 (sbx's caller's
 *                      stdin): fchmod, fchown, futimens, fsetxattr, flock
 *   lock HOW FILE      lock FILE opened read-only: flock_ex, flock_sh, posix, posix_wait,
 *                      ofd, ofd_wait
 *   rewrite HOW FILE   change the bytes of FILE, a set-id file, by HOW: write, pwritev2,
 *                      mmap (a store through MAP_SHARED, PROT_WRITE), mprotect (MAP_SHARED
 *                      PROT_READ, then mprotect PROT_WRITE), otrunc (open O_TRUNC, write),
 *                      truncate, ftruncate, fallocate (extend), punch, zero (fallocate modes),
 *                      copy_file_range, splice, sendfile, aio (io_submit IOCB_CMD_PWRITE);
 *                      ESCAPED when its bytes changed and it kept its set-id bits;
 *                      outside: map FILE (not set-id yet) shared and writable, make
 *                      FILE.ready, wait until someone outside makes FILE set-user-id, then
 *                      store through the mapping
 *
 * Exit 0: the attempt worked (an escape when confined); 10: refused; 11: the kernel lacks
 * the call (errno printed); 12: setup problem. One line: "modes-probe: VERDICT: ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include <linux/falloc.h>

#include "probe_status.h"

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

struct how2 { /* struct open_how */
	uint64_t flags, mode, resolve;
};

static int __attribute__((format(printf, 2, 3))) report(int code, const char *fmt, ...)
{
	static const char *const verdict[] = { [PROBE_ESCAPED] = "ESCAPED",
					       [PROBE_REFUSED] = "refused",
					       [PROBE_UNSUPPORTED] = "unsupported",
					       [PROBE_SETUP] = "setup" };
	va_list ap;

	printf("modes-probe: %s: ", verdict[code]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return code;
}

static int failed(const char *what, int err)
{
	if (err == ENOSYS || err == EOPNOTSUPP)
		return report(PROBE_UNSUPPORTED, "%s: %s", what, strerror(err));
	return report(PROBE_REFUSED, "%s: %s", what, strerror(err));
}

static int make_plain(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0755);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int setid(const char *how, const char *dir)
{
	bool gid = strstr(how, "_gid") != NULL;
	mode_t mode = (gid ? 02000 : 04000) | 0755, bits = gid ? S_ISGID : S_ISUID;
	char path[4096];
	struct stat st;
	long r = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/setid-%s", dir, how);
	unlink(path);
	if (!strcmp(how, "open") || !strcmp(how, "open_gid")) {
		r = fd = open(path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, mode);
	} else if (!strcmp(how, "openat")) {
		r = fd = openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, mode);
	} else if (!strcmp(how, "creat")) {
		r = fd = creat(path, mode);
	} else if (!strcmp(how, "openat2")) {
		struct how2 h = { .flags = O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, .mode = mode };

		r = fd = (int)syscall(__NR_openat2, AT_FDCWD, path, &h, sizeof(h));
	} else if (!strcmp(how, "mknod")) {
		r = mknod(path, S_IFREG | mode, 0);
		fd = -1;
	} else if (!strcmp(how, "mknodat")) {
		r = mknodat(AT_FDCWD, path, S_IFREG | mode, 0);
		fd = -1;
	} else {
		if (make_plain(path))
			return report(PROBE_SETUP, "create %s: %s", path, strerror(errno));
		fd = -1;
		if (!strcmp(how, "chmod") || !strcmp(how, "chmod_gid")) {
			r = chmod(path, mode);
		} else if (!strcmp(how, "fchmod")) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			r = fd < 0 ? -1 : fchmod(fd, mode);
		} else if (!strcmp(how, "fchmodat")) {
			r = fchmodat(AT_FDCWD, path, mode, 0);
		} else if (!strcmp(how, "fchmodat2")) {
			r = syscall(__NR_fchmodat2, AT_FDCWD, path, mode, 0);
		} else if (!strcmp(how, "fcaps")) {
			/* VFS_CAP_REVISION_2, CAP_NET_RAW permitted and effective. */
			static const uint32_t cap[5] = { 0x02000001, 1U << 13, 0, 0, 0 };

			if (setxattr(path, "security.capability", cap, sizeof(cap), 0))
				return failed("setxattr(security.capability)", errno);
			return report(PROBE_ESCAPED, "%s has a file capability", path);
		} else {
			return report(PROBE_SETUP, "unknown setid way %s", how);
		}
	}
	if (r < 0)
		return failed(how, errno);
	if (fd >= 0)
		close(fd);
	if (stat(path, &st))
		return report(PROBE_SETUP, "stat %s: %s", path, strerror(errno));
	if (!(st.st_mode & bits))
		return report(PROBE_REFUSED, "%s: mode %o has no set-id bit", how,
			      st.st_mode & 07777);
	return report(PROBE_ESCAPED, "%s: %s is mode %o", how, path, st.st_mode & 07777);
}

/* Descriptor 0 is a file outside every grant, handed down by sbx's caller. */
static int fdmeta(const char *how)
{
	static const struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	long r;

	if (!strcmp(how, "fchmod"))
		r = fchmod(0, 0600);
	else if (!strcmp(how, "fchown"))
		r = fchown(0, getuid(), getgid());
	else if (!strcmp(how, "futimens"))
		r = futimens(0, ts);
	else if (!strcmp(how, "fsetxattr"))
		r = fsetxattr(0, "user.sbx", "x", 1, 0);
	else if (!strcmp(how, "flock"))
		r = flock(0, LOCK_EX | LOCK_NB);
	else
		return report(PROBE_SETUP, "unknown fdmeta way %s", how);
	if (r)
		return failed(how, errno);
	return report(PROBE_ESCAPED, "%s on descriptor 0 worked", how);
}

static int lock(const char *how, const char *file)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	int fd = open(file, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return report(PROBE_SETUP, "open %s: %s", file, strerror(errno));
	if (!strcmp(how, "flock_ex"))
		r = flock(fd, LOCK_EX | LOCK_NB);
	else if (!strcmp(how, "flock_sh"))
		r = flock(fd, LOCK_SH);
	else if (!strcmp(how, "posix"))
		r = fcntl(fd, F_SETLK, &fl);
	else if (!strcmp(how, "posix_wait"))
		r = fcntl(fd, F_SETLKW, &fl);
	else if (!strcmp(how, "ofd"))
		r = fcntl(fd, F_OFD_SETLK, &fl);
	else if (!strcmp(how, "ofd_wait"))
		r = fcntl(fd, F_OFD_SETLKW, &fl);
	else
		return report(PROBE_SETUP, "unknown lock way %s", how);
	if (r)
		return failed(how, errno);
	return report(PROBE_ESCAPED, "%s: %s is locked", how, file);
}

/* The bytes each way puts at the start of FILE (truncate, ftruncate: its length changes). */
static const char marker[] = "#!/bin/sh\necho rewritten\n";

static long aio_pwrite(int fd)
{
	aio_context_t ctx = 0;
	struct iocb cb = { .aio_lio_opcode = IOCB_CMD_PWRITE,
			   .aio_fildes = (uint32_t)fd,
			   .aio_buf = (uint64_t)(uintptr_t)marker,
			   .aio_nbytes = sizeof(marker) - 1 };
	struct iocb *cbs[1] = { &cb };
	struct io_event ev;
	long r;

	if (syscall(__NR_io_setup, 1, &ctx))
		return -1;
	r = syscall(__NR_io_submit, ctx, 1, cbs);
	if (r == 1)
		r = syscall(__NR_io_getevents, ctx, 1, 1, &ev, NULL) == 1 && ev.res >= 0 ? 0 : -1;
	else
		r = -1;
	syscall(__NR_io_destroy, ctx);
	return r;
}

/* outside: FILE.ready, then wait (at most 10 s) for FILE's set-user-id bit. */
static int wait_for_setuid(const char *file)
{
	char ready[4096];
	struct stat st;
	int fd;

	snprintf(ready, sizeof(ready), "%s.ready", file);
	fd = open(ready, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	for (int i = 0; i < 1000; i++) {
		if (!stat(file, &st) && (st.st_mode & S_ISUID))
			return 0;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static long map_store(int fd, bool later, const char *wait_file)
{
	char *m = mmap(NULL, 4096, later ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -1;
	if ((later && mprotect(m, 4096, PROT_READ | PROT_WRITE)) ||
	    (wait_file && wait_for_setuid(wait_file))) {
		munmap(m, 4096);
		return -1;
	}
	memcpy(m, marker, sizeof(marker) - 1);
	msync(m, 4096, MS_SYNC);
	munmap(m, 4096);
	return 0;
}

/* A source beside file (O_TMPFILE, same file system: copy_file_range crosses none). */
static long from_source(const char *how, int fd, const char *file)
{
	char dir[4096];
	int p[2], src;
	long r;

	if (!strcmp(how, "copy_file_range") || !strcmp(how, "sendfile")) {
		snprintf(dir, sizeof(dir), "%s", file);
		*(strrchr(dir, '/') ?: dir) = '\0';
		src = open(dir[0] ? dir : ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (src < 0 || pwrite(src, marker, sizeof(marker) - 1, 0) < 0)
			return -1;
		if (!strcmp(how, "sendfile"))
			r = sendfile(fd, src, &(off_t){ 0 }, sizeof(marker) - 1);
		else
			r = copy_file_range(src, &(loff_t){ 0 }, fd, &(loff_t){ 0 },
					    sizeof(marker) - 1, 0);
		close(src);
		return r < 0 ? -1 : 0;
	}
	if (pipe(p) || write(p[1], marker, sizeof(marker) - 1) < 0)
		return -1;
	r = splice(p[0], NULL, fd, &(loff_t){ 0 }, sizeof(marker) - 1, 0);
	close(p[0]);
	close(p[1]);
	return r < 0 ? -1 : 0;
}

/* The first bytes of file (zeros past its end), to tell a change that keeps the size. */
static void head(const char *file, char *buf, size_t len)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	memset(buf, 0, len);
	if (fd >= 0) {
		if (read(fd, buf, len) < 0)
			buf[0] = '\0';
		close(fd);
	}
}

/* What running file gives: a set-id bit or a file capability. */
static bool authority(const char *file, const struct stat *st)
{
	return (st->st_mode & (S_ISUID | S_ISGID)) ||
	       getxattr(file, "security.capability", NULL, 0) >= 0;
}

static int rewrite(const char *how, const char *file)
{
	char was[64], is[64];
	struct stat before, after;
	long r;
	int fd;

	head(file, was, sizeof(was));
	if (stat(file, &before) || (strcmp(how, "outside") && !authority(file, &before)))
		return report(PROBE_SETUP, "%s is neither set-id nor given a file capability",
			      file);
	if (!strcmp(how, "truncate")) {
		r = truncate(file, 1);
	} else {
		fd = open(file, O_RDWR | O_CLOEXEC | (!strcmp(how, "otrunc") ? O_TRUNC : 0));
		if (fd < 0)
			return failed("open for writing", errno);
		if (!strcmp(how, "write") || !strcmp(how, "otrunc"))
			r = pwrite(fd, marker, sizeof(marker) - 1, 0) < 0 ? -1 : 0;
		else if (!strcmp(how, "pwritev2"))
			r = pwritev2(fd, &(struct iovec){ (void *)marker, sizeof(marker) - 1 }, 1,
				     0, RWF_DSYNC) < 0
				    ? -1
				    : 0;
		else if (!strcmp(how, "mmap") || !strcmp(how, "mprotect"))
			r = map_store(fd, !strcmp(how, "mprotect"), NULL);
		else if (!strcmp(how, "outside"))
			r = map_store(fd, false, file);
		else if (!strcmp(how, "ftruncate"))
			r = ftruncate(fd, 1);
		else if (!strcmp(how, "fallocate"))
			r = fallocate(fd, 0, 0, before.st_size + 4096);
		else if (!strcmp(how, "punch"))
			r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
		else if (!strcmp(how, "zero"))
			r = fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096);
		else if (!strcmp(how, "aio"))
			r = aio_pwrite(fd);
		else if (!strcmp(how, "copy_file_range") || !strcmp(how, "sendfile") ||
			 !strcmp(how, "splice"))
			r = from_source(how, fd, file);
		else
			return report(PROBE_SETUP, "unknown rewrite way %s", how);
		if (r)
			r = -errno;
		close(fd);
		errno = (int)-r;
		r = r ? -1 : 0;
	}
	if (r)
		return failed(how, errno);
	if (stat(file, &after))
		return report(PROBE_SETUP, "stat %s: %s", file, strerror(errno));
	head(file, is, sizeof(is));
	if (after.st_size == before.st_size && !memcmp(was, is, sizeof(is)))
		return report(PROBE_SETUP, "%s: %s did not change", how, file);
	if (!authority(file, &after))
		return report(
			PROBE_REFUSED,
			"%s: the kernel cleared the set-id bits and file capability (%o to %o)",
			how, before.st_mode & 07777, after.st_mode & 07777);
	return report(PROBE_ESCAPED, "%s: %s changed and kept mode %o%s", how, file,
		      after.st_mode & 07777,
		      getxattr(file, "security.capability", NULL, 0) >= 0
			      ? " and its file capability"
			      : "");
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "setid") && !strcmp(argv[3], "@TMPDIR"))
		return setid(argv[2], getenv("TMPDIR") ?: "/nonexistent");
	if (argc == 4 && !strcmp(argv[1], "setid"))
		return setid(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "fdmeta"))
		return fdmeta(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "lock"))
		return lock(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "rewrite"))
		return rewrite(argv[2], argv[3]);
	fprintf(stderr, "usage: modes_probe setid HOW DIR | fdmeta HOW | lock HOW FILE | rewrite "
			"HOW FILE\n");
	return PROBE_SETUP;
}
