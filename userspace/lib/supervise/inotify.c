// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * inotify watches: Landlock does not govern them, and a watch outside the readable grants
 * leaks names and access patterns (new files in ~/.ssh, say). A watch belongs to its
 * inotify instance, so the supervisor takes the program's instance (pidfd_getfd: the same
 * open file), resolves the path and checks it needs a rule granting reading, and adds the
 * watch to that instance itself; the watch descriptor is the call's answer.
 *
 * What a watch may report is an allow-list too. A read grant (/etc, /usr) lets the program
 * read those files, and so learn of their changes by reading them again; it does not let it
 * see who else reads them: the access events (IN_ACCESS, IN_OPEN, IN_CLOSE_NOWRITE) on a
 * watch of /usr/bin name every program anyone on the machine runs. They stay only where the
 * program may write (its container, its :rw grants: its own files); elsewhere they are taken
 * out of the mask, and a watch that asked for nothing else is refused.
 */
#include <errno.h>
#include <sys/inotify.h>
#include <sys/syscall.h>

#include "supervise/supervise_internal.h"

static int copy_watch(struct sup_call *c)
{
	c->mask = c->args[2];
	c->follow = !(c->mask & IN_DONT_FOLLOW);
	c->inst = sup_program_getfd(c, (int)c->args[0]);
	return c->inst < 0 ? c->inst : 0;
}

#define SUP_WATCH_CHANGES                                                                   \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | \
	 IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
#define SUP_WATCH_FLAGS (IN_ONLYDIR | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT)

static long act_watch(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	uint32_t mask = (uint32_t)c->mask & ~(uint32_t)IN_DONT_FOLLOW;
	int wd;

	if (c->s->fs_confined && !c->s->complain &&
	    (mask & ~(SUP_WATCH_CHANGES | SUP_WATCH_FLAGS)) &&
	    !sup_object_grants(c->s, o, LANDLOCK_ACCESS_FS_WRITE_FILE)) {
		mask &= SUP_WATCH_CHANGES | SUP_WATCH_FLAGS;
		if (!(mask & SUP_WATCH_CHANGES)) {
			c->refused = true;
			sup_why(c,
				"inotify_add_watch(%.60s): access events outside the program's "
				"own files",
				c->path);
			return -EACCES;
		}
	}
	/* The link lands on the object resolved (a symlink itself under IN_DONT_FOLLOW). */
	wd = inotify_add_watch(c->inst, proc, mask);
	return wd < 0 ? -errno : wd;
}

static const struct sup_spec spec = {
	.nr = __NR_inotify_add_watch,
	.name = "inotify_add_watch",
	.fd_arg = -1,
	.path_arg = 1,
	.flags_arg = -1,
	.follow = true,
	.need = SUP_NEED_READ,
	.copy_in = copy_watch,
	.act = act_watch,
};

const struct sup_family sup_inotify_calls = { &spec, 1 };
