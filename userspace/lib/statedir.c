// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statedir.h"

/*
 * gid is the euid's private group (user private groups, Debian's and Fedora's default,
 * where umask 002 makes directories group-writable): the user's primary group, named as
 * the user, listing no other member. Writable by it is writable by nobody else.
 */
static bool private_group(gid_t gid)
{
	char pbuf[4096], gbuf[4096];
	struct passwd pw, *p = NULL;
	struct group gr, *g = NULL;

	if (getpwuid_r(geteuid(), &pw, pbuf, sizeof(pbuf), &p) || !p || pw.pw_gid != gid ||
	    getgrgid_r(gid, &gr, gbuf, sizeof(gbuf), &g) || !g || strcmp(gr.gr_name, pw.pw_name))
		return false;
	for (char **m = gr.gr_mem; *m; m++)
		if (strcmp(*m, pw.pw_name))
			return false;
	return true;
}

/* fd (the directory path) is sbx's own: else -EPERM, naming it and its owner. */
static int check_own(int fd, const char *path, const char *what, struct sbx_diag *d)
{
	struct stat st;

	if (fstat(fd, &st))
		return sbx_diag_set(d, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return sbx_diag_set(d, -ENOTDIR, "%s: not a directory", path);
	if (st.st_uid != geteuid())
		return sbx_diag_set(d, -EPERM,
				    "%s is owned by uid %u, not by uid %u that runs sbx: %s are "
				    "kept only in directories nobody else can change; refused",
				    path, (unsigned int)st.st_uid, (unsigned int)geteuid(), what);
	if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && !private_group(st.st_gid)))
		return sbx_diag_set(d, -EPERM,
				    "%s (owned by uid %u, mode %04o) is writable by its group or "
				    "others: %s are kept only in directories nobody else can "
				    "change; refused",
				    path, (unsigned int)st.st_uid,
				    (unsigned int)(st.st_mode & 07777), what);
	return 0;
}

static int dir_at(int dfd, const char *dir, const char *name, bool follow_own, bool create,
		  const char *what, struct sbx_diag *d)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (create && mkdirat(dfd, name, 0700) && errno != EEXIST)
		return sbx_diag_set(d, -errno, "cannot create %s: %s", path, strerror(errno));
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* A symlink here is sbx's euid's own (its directory was checked): followed. */
	if (fd < 0 && errno == ELOOP && follow_own &&
	    !fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) && st.st_uid == geteuid())
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "%s: %s", path,
				    errno == ELOOP ? "a symlink, not a directory"
						   : strerror(errno));
	err = check_own(fd, path, what, d);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int sbx_state_dir_at(int dfd, const char *dir, const char *name, const char *what,
		     struct sbx_diag *d)
{
	return dir_at(dfd, dir, name, false, true, what, d);
}

static int state_dir_walk(const char *base, const char *rel, bool create, const char *what,
			  struct sbx_diag *d)
{
	char path[PATH_MAX], buf[PATH_MAX];
	int fd, err;

	if (base[0] != '/' || strlen(base) >= sizeof(path) || strlen(rel) >= sizeof(buf))
		return sbx_diag_set(d, -EINVAL, "'%s': not an absolute directory", base);
	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		/* mkdir -p, each one 0700: the user's own, from the first run. */
		snprintf(path, sizeof(path), "%s", base);
		for (char *s = path + 1;; s++) {
			char c = *s;

			if (c != '/' && c != '\0')
				continue;
			*s = '\0';
			if (mkdir(path, 0700) && errno != EEXIST)
				return sbx_diag_set(d, -errno, "cannot create %s: %s", path,
						    strerror(errno));
			*s = c;
			if (!c)
				break;
		}
		fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return sbx_diag_set(d, -errno, "%s: %s", base, strerror(errno));
	err = check_own(fd, base, what, d);
	snprintf(path, sizeof(path), "%s", base);
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); !err && c;
	     c = strtok_r(NULL, "/", &save)) {
		int next = dir_at(fd, path, c, true, create, what, d);

		if (next < 0)
			err = next;
		else if (snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", c) >=
			 (int)(sizeof(path) - strlen(path)))
			err = sbx_diag_set(d, -ENAMETOOLONG, "%s: path too long", base);
		close(fd);
		fd = next;
	}
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int sbx_state_dir_open(const char *base, const char *rel, const char *what, struct sbx_diag *d)
{
	return state_dir_walk(base, rel, true, what, d);
}

int sbx_state_dir_check(const char *base, const char *rel, const char *what, struct sbx_diag *d)
{
	return state_dir_walk(base, rel, false, what, d);
}
