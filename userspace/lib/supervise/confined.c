// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A program that confines itself further. The executor carries calls out in a Landlock
 * domain made from sbx's ruleset, a sibling of the program's: whatever the program adds
 * later with its own landlock_restrict_self does not hold there. Carrying out for it a
 * call its own domain would refuse (a TCP connect its ruleset has no port for, a socket
 * made where its ruleset grants no MAKE_SOCK) would make the supervisor a deputy that
 * undoes the program's confinement. So the filter sends landlock_restrict_self here;
 * it runs as asked (SECCOMP_USER_NOTIF_FLAG_CONTINUE: it only adds restrictions, and the
 * answer reads nothing of the program's), after the caller is marked "further confined".
 * For a caller so marked the supervisor carries out only what no Landlock right governs
 * (unix.c: a unix connect, a netlink bind) and refuses the rest (EACCES).
 *
 * The mark has to follow the restriction wherever the kernel takes it: every thread of
 * the process (landlock_restrict_self with TSYNC, or a thread made after), every child
 * made after, with fork, clone(CLONE_PARENT) or an orphan's reparenting, across exec. A
 * parent-and-pid record would lose it on the last two. The mark is the kernel's own:
 * RLIMIT_LOCKS, which the kernel has ignored since 2.4.25, lowered by one below the hard
 * limit the program started with. Limits are the thread group's, inherited by every
 * child and kept across exec, and only CAP_SYS_RESOURCE raises a hard limit, which no
 * program under sbx holds. A program that lowers its own is marked by its own hand: fail
 * closed. The mark is made before the call is let run, so no call of the caller that the
 * supervisor takes after it is carried out unmarked; a call another thread made earlier
 * was handled before this notification was read (the supervisor reads them in order), so
 * it happened before the restriction too. Marking the whole process for one thread's
 * restriction refuses its other threads' calls as well: too much, never too little.
 *
 * seccomp filters the program adds need no mark: the kernel runs every filter on the
 * program's own call, the most restrictive action wins, and one that refuses (ERRNO,
 * TRAP, KILL) outranks sbx's USER_NOTIF, so the supervisor never sees a call the
 * program's own filter refused. Nor can the program put a listener of its own in front of
 * sbx's: the kernel refuses a second listener in one filter chain (EBUSY).
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "supervise/supervise_internal.h"

#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

void sup_confined_start(struct sbx_supervisor *s)
{
	struct rlimit rl;

	/* No limit below the start's to mark with: every caller counts as further confined. */
	s->all_further_confined = getrlimit(RLIMIT_LOCKS, &rl) || rl.rlim_max == 0;
	s->locks_max = s->all_further_confined ? 0 : rl.rlim_max;
}

bool sup_further_confined(const struct sup_call *c)
{
	struct rlimit rl;

	if (c->s->all_further_confined)
		return true;
	if (prlimit(c->tid, RLIMIT_LOCKS, NULL, &rl))
		return true; /* cannot tell: fail closed */
	return rl.rlim_max < c->s->locks_max;
}

/* Main thread: mark the caller's process before its landlock_restrict_self runs. */
static int mark(struct sup_call *c)
{
	struct rlimit rl;

	if (c->s->all_further_confined)
		return 0;
	if (prlimit(c->tid, RLIMIT_LOCKS, NULL, &rl)) {
		c->s->all_further_confined = true; /* not markable: nothing tells them apart */
		return 0;
	}
	if (rl.rlim_max < c->s->locks_max)
		return 0; /* marked already */
	rl.rlim_max = c->s->locks_max - 1;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (prlimit(c->tid, RLIMIT_LOCKS, &rl, NULL))
		c->s->all_further_confined = true;
	return 0;
}

static const struct sup_spec spec = {
	.nr = __NR_landlock_restrict_self,
	.name = "landlock_restrict_self",
	.fd_arg = -1,
	.path_arg = -1,
	.flags_arg = -1,
	.copy_in = mark,
	.lets_run = true,
};

const struct sup_family sup_confined_calls = { &spec, 1 };
