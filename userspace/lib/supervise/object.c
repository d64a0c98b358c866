// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The object a call names, resolved by the executor (as the program: no capabilities, the
 * program's DAC), and the check Landlock cannot make for it: is it beneath a rule of the
 * plan that grants the right the call needs? That is decided as Landlock itself decides,
 * by walking up from the object with ".." and comparing (st_dev, st_ino) against the roots
 * of the plan's rules, opened before the program started.
 *
 * Resolution follows the call's own symlink semantics one final component at a time, so
 * the directory an object was found in is known (a non-directory has no ".."): the walk
 * starts there, as Landlock's walk starts at the path's parent. A hard link is judged by
 * the directory it was reached through, as Landlock judges it. Magic links (/proc/PID/fd,
 * cwd, root) are never followed: they would name the supervisor's own objects; the
 * program's own /proc/self/fd/N is translated to its descriptor before resolution.
 * Anything on procfs is refused: /proc/self there is the supervisor, not the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uapi_compat.h"
#include "supervise/supervise_internal.h"

#define MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */

static int open_beneath(int dir, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_PATH | O_CLOEXEC),
				.resolve = RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

void sup_object_close(struct sup_object *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->dir >= 0)
		close(o->dir);
	o->fd = o->dir = -1;
}

int sup_object_from_fd(int fd, struct sup_object *o)
{
	int err;

	*o = (struct sup_object){ .fd = -1, .dir = -1 };
	o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (o->fd >= 0 && !fstat(o->fd, &o->st))
		return 0;
	err = -errno;
	sup_object_close(o);
	return err;
}

/* Split p (modified) into its directory part and final component. */
static void split(char *p, const char **dir, const char **last)
{
	char *slash = strrchr(p, '/');

	if (!slash) {
		*dir = ".";
		*last = p;
	} else if (slash == p) {
		*dir = "/";
		*last = p + 1;
	} else {
		*slash = '\0';
		*dir = p;
		*last = slash + 1;
	}
}

int sup_object_resolve(int base, const char *path, bool follow, struct sup_object *o)
{
	char buf[PATH_MAX];
	int start = base, owned = -1, err;
	size_t len = strlen(path);

	*o = (struct sup_object){ .fd = -1, .dir = -1 };
	if (!len)
		return -ENOENT;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (int hops = 0;; hops++) {
		const char *dname, *last;
		struct stat st;
		int dir, fd;

		len = strlen(buf);
		/* A trailing slash, ".", "..": the object is a directory, resolved whole. */
		if (buf[len - 1] == '/' || !strcmp(buf, ".") || !strcmp(buf, "..") ||
		    (len >= 2 && !strcmp(buf + len - 2, "/.")) ||
		    (len >= 3 && !strcmp(buf + len - 3, "/.."))) {
			fd = open_beneath(start, buf, O_DIRECTORY);
			err = fd < 0 ? fd : fstat(fd, &o->st) ? -errno : 0;
			if (!err)
				o->fd = fd;
			else if (fd >= 0)
				close(fd);
			break;
		}
		split(buf, &dname, &last);
		dir = open_beneath(start, dname, O_DIRECTORY);
		if (dir < 0) {
			err = dir;
			break;
		}
		fd = open_beneath(dir, last, O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st)) {
			err = fd < 0 ? fd : -errno;
			if (fd >= 0)
				close(fd);
			close(dir);
			break;
		}
		if (!S_ISLNK(st.st_mode) || !follow) {
			o->fd = fd;
			o->st = st;
			if (S_ISDIR(st.st_mode))
				close(dir);
			else
				o->dir = dir;
			err = 0;
			break;
		}
		/* Follow the final symlink from the directory it is in, as the kernel does. */
		ssize_t n = hops < MAX_SYMLINKS ? readlinkat(fd, "", buf, sizeof(buf) - 1) : -1;

		err = hops >= MAX_SYMLINKS ? -ELOOP : n < 0 ? -errno : 0;
		close(fd);
		if (!err && n == 0)
			err = -ENOENT;
		if (err) {
			close(dir);
			break;
		}
		buf[n] = '\0';
		if (owned >= 0)
			close(owned);
		start = owned = dir;
	}
	if (owned >= 0)
		close(owned);
	return err;
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) || sf.f_type == PROC_SUPER_MAGIC;
}

static bool is_root(const struct sbx_supervisor *s, const struct stat *st, uint64_t need)
{
	for (size_t i = 0; i < s->roots.n; i++)
		if (s->roots.v[i].dev == st->st_dev && s->roots.v[i].ino == st->st_ino &&
		    (s->roots.v[i].access & need))
			return true;
	return false;
}

/* Walk up from the directory dir (not closed) to "/", looking for a root granting need. */
static bool beneath(const struct sbx_supervisor *s, int dir, uint64_t need)
{
	struct stat st, up;
	int cur = fcntl(dir, F_DUPFD_CLOEXEC, 3);
	bool found = false;

	if (cur < 0 || fstat(cur, &st))
		goto out;
	for (int depth = 0; depth < 4096; depth++) {
		int parent;

		if (is_root(s, &st, need)) {
			found = true;
			break;
		}
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up)) {
			if (parent >= 0)
				close(parent);
			break;
		}
		close(cur);
		cur = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break; /* "/" */
		st = up;
	}
out:
	if (cur >= 0)
		close(cur);
	return found;
}

/*
 * The path of a descriptor, checked to still name the same object, resolved into o.
 * 1 when the object has no path (a pipe, socket or anonymous inode: "pipe:[N]").
 */
static int object_by_name(int fd, const struct stat *st, struct sup_object *o)
{
	char link[64], path[PATH_MAX];
	ssize_t n;
	int err;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n > 0 && path[0] != '/')
		return 1;
	if (n <= 0)
		return -EACCES;
	path[n] = '\0';
	err = sup_object_resolve(AT_FDCWD, path, false, o);
	if (err)
		return -EACCES;
	if (o->st.st_dev != st->st_dev || o->st.st_ino != st->st_ino) {
		sup_object_close(o);
		return -EACCES; /* renamed or replaced since: refused, not guessed */
	}
	return 0;
}

/*
 * Metadata changes, xattrs and watches act on files and directories only (a symlink itself
 * for the l* calls and IN_DONT_FOLLOW), whatever rule covers the object: never on a device
 * node, FIFO or socket, which are shared with everyone (chmod /dev/null, a watch on
 * /dev/tty seeing other users' terminals). A socket's connect is judged by its rule alone.
 */
static bool kind_allowed(const struct stat *st, enum sup_need need)
{
	return need == SUP_NEED_UNIX || S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) ||
	       S_ISLNK(st->st_mode);
}

/* Whether one rule grants bits on o (the caller's object, already judged not procfs). */
static bool grants_one(const struct sbx_supervisor *s, const struct sup_object *o, uint64_t bits)
{
	struct sup_object named = { .fd = -1, .dir = -1 };
	bool ok;
	int err;

	if (is_root(s, &o->st, bits))
		return true; /* a rule on the object itself (a file rule, or the root) */
	if (S_ISDIR(o->st.st_mode))
		return beneath(s, o->fd, bits);
	if (o->dir >= 0)
		return beneath(s, o->dir, bits);
	/*
	 * A descriptor of a non-directory opened without the right: judged by the path it
	 * has now, if that still names it. An object with no path (pipe, socket, anonymous
	 * inode) belongs to no directory: no rule can grant it, and Landlock never governs it.
	 */
	err = object_by_name(o->fd, &o->st, &named);
	if (err)
		return err > 0;
	ok = named.dir >= 0 && beneath(s, named.dir, bits);
	sup_object_close(&named);
	return ok;
}

bool sup_object_grants(const struct sbx_supervisor *s, const struct sup_object *o, uint64_t bits)
{
	if (on_procfs(o->fd))
		return false;
	for (uint64_t b = 1; b && b <= bits; b <<= 1)
		if ((bits & b) && !grants_one(s, o, b))
			return false;
	return true;
}

bool sup_dir_grants(const struct sbx_supervisor *s, int dir, uint64_t bits)
{
	for (uint64_t b = 1; b && b <= bits; b <<= 1)
		if ((bits & b) && !beneath(s, dir, b))
			return false;
	return true;
}

static bool allowed(const struct sbx_supervisor *s, const struct sup_object *o, enum sup_need need)
{
	uint64_t bits;

	/*
	 * A descriptor is judged by the object's path, as a path is, never by how it was
	 * opened: Landlock never checked the descriptors sbx's caller handed down (a
	 * redirected stdout outside every grant), and an open's right is to the contents,
	 * not to the mode, owner or attributes.
	 */
	switch (need) {
	case SUP_NEED_WRITE:
		bits = LANDLOCK_ACCESS_FS_WRITE_FILE;
		break;
	case SUP_NEED_READ:
		bits = S_ISDIR(o->st.st_mode) ? LANDLOCK_ACCESS_FS_READ_DIR
					      : LANDLOCK_ACCESS_FS_READ_FILE;
		break;
	default:
		bits = LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
		break;
	}
	return sup_object_grants(s, o, bits);
}

const char *sup_object_refusal(const struct sbx_supervisor *s, const struct sup_object *o,
			       enum sup_need need)
{
	if (!s->fs_confined)
		return NULL;
	if (!kind_allowed(&o->st, need))
		return "not a file or directory";
	return allowed(s, o, need) ? NULL : "outside the grants";
}
