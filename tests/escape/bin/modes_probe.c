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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

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
	fprintf(stderr, "usage: modes_probe setid HOW DIR | fdmeta HOW | lock HOW FILE\n");
	return PROBE_SETUP;
}
