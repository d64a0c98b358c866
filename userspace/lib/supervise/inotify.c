// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * inotify watches: Landlock does not govern them, and a watch outside the readable grants
 * leaks names and access patterns (new files in ~/.ssh, say). A watch belongs to its
 * inotify instance, so the supervisor takes the program's instance (pidfd_getfd: the same
 * open file), resolves the path and checks it needs a rule granting reading, and adds the
 * watch to that instance itself; the watch descriptor is the call's answer.
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

static long act_watch(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	int wd;

	(void)o;
	/* The link lands on the object resolved (a symlink itself under IN_DONT_FOLLOW). */
	wd = inotify_add_watch(c->inst, proc, (uint32_t)(c->mask & ~(uint64_t)IN_DONT_FOLLOW));
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

const struct sup_spec *sup_inotify_spec(int nr)
{
	return nr == spec.nr ? &spec : NULL;
}
