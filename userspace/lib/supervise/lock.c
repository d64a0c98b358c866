// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Advisory locks: flock() and fcntl()'s F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW. A
 * lock is an effect on every other program that locks the same file (a sandboxed root
 * held /etc/.pwd.lock, and useradd and passwd failed), the sibling of a lease: a program
 * may lock only what it may write, a file beneath a rule granting
 * LANDLOCK_ACCESS_FS_WRITE_FILE, judged by the file's path as any object (object.c).
 * Landlock does not govern locks and seccomp cannot see the file, so the supervisor takes
 * the program's descriptor (pidfd_getfd: the same open file) and locks that.
 *
 * flock and OFD locks belong to the open file: taken on the copy, they are the program's.
 * A classic POSIX lock belongs to the process, which the supervisor cannot be; letting the
 * call run after a check would leave the program time to put another file behind the
 * number (dup2). It is taken as an OFD lock on the program's open file instead: the same
 * ranges and types, excluding other processes alike. What differs: two descriptors of one
 * file opened apart in one process now exclude each other, the lock goes with the open
 * file (a child sharing it shares the lock; closing another descriptor of the file does not
 * drop it), and F_GETLK shows its holder as pid -1. F_GETLK and F_OFD_GETLK stay in the
 * kernel: they change nothing.
 *
 * A lock that has to wait (F_SETLKW, flock without LOCK_NB) is first tried without
 * waiting, then left to a thread of its own, which answers the notification when the lock
 * is taken: the supervisor goes on with other calls meanwhile (the holder may need one to
 * finish). If the program gives up waiting (a signal), that thread may still take the lock
 * for its open file later; it is the program's file, beneath a write grant.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervise/supervise_internal.h"

static bool waits(const struct sup_call *c)
{
	if (c->nr == __NR_flock)
		return !(c->args[1] & LOCK_NB);
	return (int)c->args[1] == F_SETLKW || (int)c->args[1] == F_OFD_SETLKW;
}

static int copy_lock(struct sup_call *c)
{
	int cmd = (int)c->args[1];

	if (c->nr == __NR_fcntl && cmd != F_SETLK && cmd != F_SETLKW && cmd != F_OFD_SETLK &&
	    cmd != F_OFD_SETLKW) {
		c->refused = true; /* a plan that sends other commands here: not carried out */
		return 0;
	}
	if (c->nr == __NR_fcntl) {
		struct flock *fl = calloc(1, sizeof(*fl));
		int err;

		if (!fl)
			return -ENOMEM;
		c->buf = fl;
		c->buf_len = sizeof(*fl);
		err = sup_program_read(c->tid, c->args[2], fl, sizeof(*fl));
		if (err)
			return err == -EIO ? -EFAULT : err;
		/* A classic lock, as an OFD lock of the same range (whose l_pid must be 0). */
		if (cmd == F_SETLK || cmd == F_SETLKW)
			fl->l_pid = 0;
	}
	c->fd = sup_program_getfd(c, (int)c->args[0]);
	return c->fd < 0 ? c->fd : 0;
}

/* The lock, on the copy, waiting or not. */
static long take(int fd, int nr, uint64_t arg, struct flock *fl, bool wait)
{
	if (nr == __NR_flock) {
		int op = (int)arg & ~LOCK_NB;

		return flock(fd, wait ? op : op | LOCK_NB) ? -errno : 0;
	}
	return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, fl) ? -errno : 0;
}

struct waiter {
	int fd, notify_fd, nr;
	uint64_t id, arg;
	struct flock fl;
};

static void *wait_and_answer(void *arg)
{
	struct waiter *w = arg;
	struct seccomp_notif_resp resp = { .id = w->id };
	long ret = take(w->fd, w->nr, w->arg, &w->fl, true);

	if (ret < 0)
		resp.error = (int)ret;
	/* Answered, or the call is gone (ENOENT): nothing more either way. */
	ioctl(w->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	close(w->fd);
	close(w->notify_fd);
	free(w);
	return NULL;
}

/* Leaves a lock that must wait to a thread of its own; 0 when it answers the call. */
static int wait_apart(struct sup_call *c)
{
	struct waiter *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (!w)
		return -ENOMEM;
	*w = (struct waiter){ .nr = c->nr, .id = c->notify_id, .arg = c->args[1] };
	if (c->buf)
		w->fl = *(struct flock *)c->buf;
	w->fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 3);
	w->notify_fd = fcntl(c->notify_fd, F_DUPFD_CLOEXEC, 3);
	err = w->fd < 0 || w->notify_fd < 0 ? -errno : 0;
	if (!err && pthread_attr_init(&attr))
		err = -ENOMEM;
	if (!err) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		err = -pthread_create(&t, &attr, wait_and_answer, w);
		pthread_attr_destroy(&attr);
	}
	if (!err) {
		c->answered = true;
		return 0;
	}
	if (w->fd >= 0)
		close(w->fd);
	if (w->notify_fd >= 0)
		close(w->notify_fd);
	free(w);
	return err;
}

static long exec_lock(struct sup_call *c)
{
	struct sup_object o;
	const char *why;
	long ret;

	ret = sup_object_from_fd(c->fd, &o);
	if (ret)
		return ret;
	why = sup_object_refusal(c->s, &o, SUP_NEED_WRITE);
	sup_object_close(&o);
	if (why && c->s->complain) {
		sup_why(c, "%s(descriptor): %s", c->spec->name, why);
	} else if (why) {
		c->refused = true;
		sup_why(c, "%s(descriptor): lock %s", c->spec->name, why);
		return -EPERM;
	}
	ret = take(c->fd, c->nr, c->args[1], c->buf, false);
	if ((ret == -EAGAIN || ret == -EACCES) && waits(c))
		ret = wait_apart(c);
	return ret;
}

static bool takes_lock(const uint64_t args[6])
{
	int cmd = (int)args[1];

	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

static const struct sup_spec specs[] = {
	{ .nr = __NR_flock,
	  .name = "flock",
	  .fd_arg = -1,
	  .path_arg = -1,
	  .flags_arg = -1,
	  .need = SUP_NEED_WRITE,
	  .copy_in = copy_lock,
	  .exec = exec_lock },
	{ .nr = __NR_fcntl,
	  .name = "fcntl",
	  .fd_arg = -1,
	  .path_arg = -1,
	  .flags_arg = -1,
	  .need = SUP_NEED_WRITE,
	  .copy_in = copy_lock,
	  .exec = exec_lock,
	  .takes = takes_lock },
};

const struct sup_family sup_lock_calls = { specs, sizeof(specs) / sizeof(specs[0]) };
