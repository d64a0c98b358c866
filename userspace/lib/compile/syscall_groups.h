/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every system call sbx knows, in named groups (as systemd's @basic-io, @debug, ...). The
 * seccomp filter is an allow-list built from this table: a call in a group the profile
 * allows runs (its arguments still checked by the plan's rules), a call in a refused group
 * is refused with the group's errno, and a call in no group at all (a system call newer than
 * this table) is refused with ENOSYS until someone reviews it and puts it in a group.
 */
#ifndef SBX_COMPILE_SYSCALL_GROUPS_H
#define SBX_COMPILE_SYSCALL_GROUPS_H

#include <stddef.h>

enum sbx_group_action {
	SBX_GROUP_ALLOW, /* every profile: arguments may still be checked by rules */
	SBX_GROUP_REFUSE, /* refused with errno_value unless lifted_by is entitled */
	/*
	 * Acts Landlock does not govern on objects outside the grants (file metadata,
	 * watches): under app-sandbox the supervisor carries each call out after checking the
	 * grants (refused with errno_value where no supervisor answers); without app-sandbox
	 * nothing is confined to grants, so the group is allowed.
	 */
	SBX_GROUP_SUPERVISE,
};

struct sbx_syscall_group {
	const char *name; /* "@debug" */
	const char *help; /* one line */
	enum sbx_group_action action;
	const char *lifted_by; /* SBX_GROUP_REFUSE: the entitlement that allows it, or NULL */
	int errno_value; /* refused (or unanswered) calls get this */
	const char *const *calls; /* NULL-terminated; names as libseccomp spells them */
};

extern const struct sbx_syscall_group sbx_syscall_groups[];
extern const size_t sbx_n_syscall_groups;

/*
 * The calls of @network-io that take send flags (MSG_*), and the argument holding them: the
 * flags the kernel honours for every message (sendmsg's and sendmmsg's msg_flags in memory
 * are overwritten by it, ____sys_sendmsg). A flag can make a send connect (MSG_FASTOPEN),
 * so a profile without network.client gets a rule on each (compile.c). Ends with NULL.
 */
struct sbx_call_arg {
	const char *call;
	unsigned int arg;
};

extern const struct sbx_call_arg sbx_send_flags_args[];

/* The group that names call, or NULL (a call no group names is refused with ENOSYS). */
const struct sbx_syscall_group *sbx_syscall_group_of(const char *call);
const struct sbx_syscall_group *sbx_syscall_group_find(const char *name);
size_t sbx_syscall_group_size(const struct sbx_syscall_group *g);

#endif /* SBX_COMPILE_SYSCALL_GROUPS_H */
