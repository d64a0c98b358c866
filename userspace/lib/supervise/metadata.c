// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * File metadata changes, every variant: chmod, chown, utimes. Landlock does not govern
 * them, so the supervisor carries them out, on objects beneath a rule that grants writing
 * (the container, its tmp, write grants), a descriptor judged by its path as any other
 * object (object.c). The executor acts on the object it resolved through its /proc/self/fd link,
 * which lands on that object and follows nothing further; the kernel then checks ownership
 * as it would for the program (the executor holds no capabilities).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "supervise/supervise_internal.h"

/*
 * The mode bits a program may give: 0777 | S_ISVTX (compile.c says why). A set-id bit is
 * refused whatever rule covers the file, before it is looked for (the kernel reads the
 * mode as a umode_t: the bits above it do nothing).
 */
static int copy_mode(struct sup_call *c)
{
	c->mode = c->args[c->spec->path_arg < 0 ? 1 : c->spec->path_arg + 1];
	if (c->mode & (S_ISUID | S_ISGID)) {
		c->refused = true;
		sup_why(c, "%s(mode %#o): a set-user-id or set-group-id bit", c->spec->name,
			(unsigned int)(c->mode & 07777));
	}
	return 0;
}

static long act_chmod(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	if (c->spec->path_arg < 0) /* fchmod: on the descriptor, as the kernel would */
		return fchmod(o->fd, (mode_t)c->mode) ? -errno : 0;
	/* fchmodat2 as itself: ENOSYS before 6.6, EOPNOTSUPP on a symlink, as the kernel. */
	if (c->nr == __NR_fchmodat2)
		return syscall(__NR_fchmodat2, o->fd, "", (mode_t)c->mode, AT_EMPTY_PATH) ? -errno
											  : 0;
	if (S_ISLNK(o->st.st_mode))
		return -EOPNOTSUPP; /* what fchmodat2(AT_SYMLINK_NOFOLLOW) answers for a link */
	return chmod(proc, (mode_t)c->mode) ? -errno : 0;
}

static int copy_owner(struct sup_call *c)
{
	int a = c->spec->path_arg < 0 ? 1 : c->spec->path_arg + 1;

	c->uid = c->args[a];
	c->gid = c->args[a + 1];
	return 0;
}

static long act_chown(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	(void)proc;
	if (c->spec->path_arg < 0)
		return fchown(o->fd, (uid_t)c->uid, (gid_t)c->gid) ? -errno : 0;
	return fchownat(o->fd, "", (uid_t)c->uid, (gid_t)c->gid, AT_EMPTY_PATH) ? -errno : 0;
}

/* utime(utimbuf), utimes/futimesat(timeval[2]), utimensat(timespec[2]); NULL is now. */
static int copy_times(struct sup_call *c)
{
	uint64_t addr = c->args[c->spec->path_arg + 1];
	int err;

	c->ts_now = !addr;
	if (!addr)
		return 0;
	if (c->nr == __NR_utime) {
		struct utimbuf u;

		err = sup_program_read(c->tid, addr, &u, sizeof(u));
		c->ts[0] = (struct timespec){ u.actime, 0 };
		c->ts[1] = (struct timespec){ u.modtime, 0 };
	} else if (c->nr == __NR_utimensat) {
		err = sup_program_read(c->tid, addr, c->ts, sizeof(c->ts));
	} else {
		struct timeval tv[2];

		err = sup_program_read(c->tid, addr, tv, sizeof(tv));
		for (int i = 0; !err && i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			c->ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
		}
	}
	return err;
}

static long act_utimes(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	const struct timespec *ts = c->ts_now ? NULL : c->ts;

	if (c->object_is_fd && c->nr == __NR_utimensat && !c->args[1])
		return syscall(__NR_utimensat, o->fd, NULL, ts, 0) ? -errno : 0;
	return utimensat(AT_FDCWD, proc, ts, 0) ? -errno : 0;
}

#define PATH_CALL(n, p, fl, f)                                                                 \
	.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = p, .flags_arg = fl, .follow = f, \
	.need = SUP_NEED_WRITE
#define AT_CALL(n, p, fl)                                                                        \
	.nr = __NR_##n, .name = #n, .fd_arg = 0, .path_arg = p, .flags_arg = fl, .follow = true, \
	.need = SUP_NEED_WRITE
#define FD_CALL(n)                                                                \
	.nr = __NR_##n, .name = #n, .fd_arg = 0, .path_arg = -1, .flags_arg = -1, \
	.need = SUP_NEED_WRITE

static const struct sup_spec specs[] = {
	{ PATH_CALL(chmod, 0, -1, true), .copy_in = copy_mode, .act = act_chmod },
	{ FD_CALL(fchmod), .copy_in = copy_mode, .act = act_chmod },
	{ AT_CALL(fchmodat, 1, -1), .copy_in = copy_mode, .act = act_chmod },
	{ AT_CALL(fchmodat2, 1, 3), .copy_in = copy_mode, .act = act_chmod },
	{ PATH_CALL(chown, 0, -1, true), .copy_in = copy_owner, .act = act_chown },
	{ PATH_CALL(lchown, 0, -1, false), .copy_in = copy_owner, .act = act_chown },
	{ FD_CALL(fchown), .copy_in = copy_owner, .act = act_chown },
	{ AT_CALL(fchownat, 1, 4), .copy_in = copy_owner, .act = act_chown },
	{ PATH_CALL(utime, 0, -1, true), .copy_in = copy_times, .act = act_utimes },
	{ PATH_CALL(utimes, 0, -1, true), .copy_in = copy_times, .act = act_utimes },
	{ AT_CALL(futimesat, 1, -1), .copy_in = copy_times, .act = act_utimes },
	{ AT_CALL(utimensat, 1, 3), .null_path_is_fd = true, .copy_in = copy_times,
	  .act = act_utimes },
};

const struct sup_family sup_metadata_calls = { specs, sizeof(specs) / sizeof(specs[0]) };
