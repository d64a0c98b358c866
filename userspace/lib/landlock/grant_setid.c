// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "landlock/landlock.h"

/*
 * The files beneath a write grant carry only modes within 0777 | S_ISVTX and no file
 * capability (the allow-list of atk5u A, which the calls that carry a mode keep inside).
 * The kernel clears a set-id bit and security.capability when a caller without CAP_FSETID
 * writes a file (file_remove_privs: write, truncate, fallocate, copy_file_range, splice,
 * AIO), but not when it stores through a shared writable mapping (mmap or mprotect
 * PROT_WRITE of MAP_SHARED), and seccomp cannot tell a shared mapping's file: the program
 * would rewrite a set-user-id program that runs for whoever executes it (root's, under
 * --allow-root; the user's own, for every other user). So the launcher refuses the grant
 * while one is beneath it; the program cannot make one (its creating calls and chmod keep
 * the allow-list, and Landlock's REFER keeps links from outside out). Not followed:
 * symlinks (Landlock does not follow them either). A directory the launcher may not list
 * but may enter refuses the grant (fail closed); one it may not enter is out of reach.
 */
#define SETID_DEPTH 256

struct setid_walk {
	const struct sbx_fs_rule *r;
	char path[PATH_MAX];
	struct sbx_diag *d;
};

static int setid_refuse(struct setid_walk *w, const char *why)
{
	return sbx_diag_set(w->d, -EPERM,
			    "%s is %s, beneath the write grant %s (from %s): a program may "
			    "rewrite it through a shared mapping and keep that; remove it or "
			    "grant another directory",
			    w->path, why, w->r->path,
			    w->r->entitlement ? w->r->entitlement : "the plan");
}

/*
 * fd: the file, O_PATH (the granted file's own descriptor, or one opened beneath a granted
 * directory without following). Its mode and capability are read from the object through
 * /proc/self/fd/N, followed: lgetxattr of that name reads the procfs link, never the file
 * (atk7u S1: a file grant with a capability passed). ENOTSUP is what exec sees too (the
 * file's filesystem keeps no security.capability); any other failure refuses.
 */
static int setid_file(struct setid_walk *w, int fd, const struct stat *st)
{
	char at[32];

	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	/*
	 * Only a file the program could rewrite counts: one it may write, or its own (its
	 * owner may chmod it or give itself an ACL). Another user's set-id program in a
	 * shared directory (/tmp:rw) would otherwise let anyone block every such run. The
	 * program runs with sbx's ids, so sbx's access is the program's; root writes all.
	 */
	if (st->st_uid != geteuid() && faccessat(AT_FDCWD, at, W_OK, AT_EACCESS)) {
		if (errno == EACCES || errno == EROFS || errno == EPERM)
			return 0;
		return sbx_diag_set(w->d, -errno,
				    "%s (beneath the write grant %s): cannot tell whether the "
				    "program may write it: %s",
				    w->path, w->r->path, strerror(errno));
	}
	if (st->st_mode & S_ISUID)
		return setid_refuse(w, "set-user-id");
	if (st->st_mode & S_ISGID)
		return setid_refuse(w, "set-group-id");
	if (getxattr(at, "security.capability", NULL, 0) >= 0)
		return setid_refuse(w, "given a file capability (security.capability)");
	if (errno == ENODATA || errno == ENOTSUP)
		return 0;
	return sbx_diag_set(w->d, -errno,
			    "%s (beneath the write grant %s): cannot read its "
			    "security.capability: %s",
			    w->path, w->r->path, strerror(errno));
}

/* A regular file beneath a granted directory, by name, never followed. */
static int setid_entry(struct setid_walk *w, int dfd, const char *name)
{
	struct stat st;
	int fd, err;

	fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			       ? 0 /* removed meanwhile */
			       : sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	if (fstat(fd, &st))
		err = sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	else
		err = S_ISREG(st.st_mode) ? setid_file(w, fd, &st) : 0;
	close(fd);
	return err;
}

static int setid_dir(struct setid_walk *w, int dfd, unsigned int depth)
{
	size_t len = strlen(w->path);
	struct dirent *e;
	DIR *dir;
	int err = 0;

	if (depth > SETID_DEPTH)
		return sbx_diag_set(w->d, -ELOOP,
				    "%s (beneath the write grant %s) is more than "
				    "%d directories deep: not checked for set-id files",
				    w->path, w->r->path, SETID_DEPTH);
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	}
	while (!err && (errno = 0, e = readdir(dir))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (snprintf(w->path + len, sizeof(w->path) - len, "/%s", e->d_name) >=
		    (int)(sizeof(w->path) - len)) {
			err = sbx_diag_set(w->d, -ENAMETOOLONG,
					   "a name beneath the write grant "
					   "%s is too long to check for set-id files",
					   w->r->path);
			break;
		}
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT) /* removed meanwhile: nothing to check */
				err = sbx_diag_set(w->d, -errno, "%s: %s", w->path,
						   strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			err = setid_entry(w, dirfd(dir), e->d_name);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(dir), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				err = setid_dir(w, sub, depth + 1);
			else if (errno != EACCES ||
				 !faccessat(dirfd(dir), e->d_name, X_OK, AT_EACCESS))
				err = sbx_diag_set(w->d, -errno,
						   "%s (beneath the write grant %s): "
						   "cannot list it to check for set-id files: %s",
						   w->path, w->r->path, strerror(errno));
		}
		w->path[len] = '\0';
	}
	if (!err && errno)
		err = sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	closedir(dir);
	return err;
}

int landlock_grant_setid_check(const struct sbx_fs_rule *r, int fd, const struct stat *st,
			       struct sbx_diag *d)
{
	struct setid_walk *w;
	int sub, err;

	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return 0;
	w = malloc(sizeof(*w));
	if (!w)
		return sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
	w->r = r;
	w->d = d;
	snprintf(w->path, sizeof(w->path), "%s", r->path);
	if (S_ISREG(st->st_mode)) {
		err = setid_file(w, fd, st);
	} else {
		sub = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = sub < 0 ? sbx_diag_set(d, -errno,
					     "%s: cannot list it to check for set-id "
					     "files: %s",
					     r->path, strerror(errno))
			      : setid_dir(w, sub, 0);
	}
	free(w);
	return err;
}
