// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Extended attributes, every variant (path, l*, f*, *at). Changes (set, remove) need a
 * rule that grants writing beneath the object, reads (get, list) one that grants reading,
 * a descriptor's object judged by its path as any other (object.c). Values are copied in
 * before the executor acts and copied out (getxattr, listxattr) after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "supervise/supervise_internal.h"

/* struct xattr_args of setxattrat/getxattrat (6.13) */
struct sup_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* Where name, value/list and size are: the arguments after the object's. */
struct xattr_layout {
	int name, value, size, flags; /* -1 when absent */
	bool args_struct; /* *xattrat: value, size, flags in struct xattr_args */
};

static struct xattr_layout layout(const struct sup_call *c)
{
	const struct sup_spec *sp = c->spec;
	int first = sp->path_arg < 0 ? 1 : sp->path_arg + 1;

	if (sp->flags_arg >= 0) /* *xattrat(dfd, path, at_flags, ...) */
		first = sp->flags_arg + 1;
	switch (c->nr) {
	case __NR_listxattr:
	case __NR_llistxattr:
	case __NR_flistxattr:
	case __NR_listxattrat:
		return (struct xattr_layout){ -1, first, first + 1, -1, false };
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_fremovexattr:
	case __NR_removexattrat:
		return (struct xattr_layout){ first, -1, -1, -1, false };
	case __NR_setxattrat:
	case __NR_getxattrat:
		return (struct xattr_layout){ first, first + 1, first + 2, -1, true };
	case __NR_setxattr:
	case __NR_lsetxattr:
	case __NR_fsetxattr:
		return (struct xattr_layout){ first, first + 1, first + 2, first + 3, false };
	default: /* getxattr */
		return (struct xattr_layout){ first, first + 1, first + 2, -1, false };
	}
}

static bool is_set(int nr)
{
	return nr == __NR_setxattr || nr == __NR_lsetxattr || nr == __NR_fsetxattr ||
	       nr == __NR_setxattrat;
}

/*
 * The attributes a program may set or remove: its own (user.*) and POSIX ACLs (access to
 * the file, what chmod gives; the kernel keeps the mode's set-id bits out of them). Not
 * security.capability (file capabilities are authority over whoever runs the file, the
 * family of a set-user-id bit), nor any other security.* or trusted.* attribute (labels
 * and integrity data other programs trust).
 */
static bool settable(const char *name)
{
	return !strncmp(name, "user.", 5) || !strcmp(name, "system.posix_acl_access") ||
	       !strcmp(name, "system.posix_acl_default");
}

static int copy_xattr(struct sup_call *c)
{
	struct xattr_layout l = layout(c);
	uint64_t value, size;
	int err;

	if (l.name >= 0) {
		err = sup_program_read_string(c->tid, c->args[l.name], c->name, sizeof(c->name));
		if (err == -ENAMETOOLONG || (!err && !c->name[0]))
			return -ERANGE;
		if (err)
			return err;
		if (c->spec->need == SUP_NEED_WRITE && !settable(c->name)) {
			c->refused = true;
			sup_why(c, "%s(%.60s): only user.* attributes and POSIX ACLs",
				c->spec->name, c->name);
			return 0;
		}
	}
	if (l.value < 0)
		return 0;
	value = c->args[l.value];
	size = c->args[l.size];
	if (l.args_struct) {
		struct sup_xattr_args a = { 0 };

		if (size < sizeof(a))
			return -EINVAL;
		err = sup_program_read(c->tid, c->args[l.value], &a, sizeof(a));
		if (err)
			return err;
		if (c->nr == __NR_getxattrat && a.flags)
			return -EINVAL;
		value = a.value;
		size = a.size;
		c->flags = a.flags;
	} else if (l.flags >= 0) {
		c->flags = c->args[l.flags];
	}
	if (is_set(c->nr)) {
		if (size > SUP_XATTR_MAX)
			return -E2BIG;
	} else if (size > SUP_XATTR_MAX) {
		size = SUP_XATTR_MAX; /* as the kernel clamps a larger buffer */
	}
	c->out_addr = value;
	c->buf_len = size;
	c->buf = malloc(size ? size : 1);
	if (!c->buf)
		return -ENOMEM;
	if (is_set(c->nr) && size)
		return sup_program_read(c->tid, value, c->buf, size);
	return 0;
}

static long act_xattr(struct sup_call *c, const struct sup_object *o, const char *proc)
{
	bool fd_call = c->spec->path_arg < 0; /* f*: on the descriptor, as the kernel would */
	ssize_t n;

	switch (c->nr) {
	case __NR_setxattr:
	case __NR_lsetxattr:
	case __NR_fsetxattr:
	case __NR_setxattrat:
		n = fd_call ? fsetxattr(o->fd, c->name, c->buf, c->buf_len, (int)c->flags)
			    : setxattr(proc, c->name, c->buf, c->buf_len, (int)c->flags);
		break;
	case __NR_removexattr:
	case __NR_lremovexattr:
	case __NR_fremovexattr:
	case __NR_removexattrat:
		n = fd_call ? fremovexattr(o->fd, c->name) : removexattr(proc, c->name);
		break;
	case __NR_listxattr:
	case __NR_llistxattr:
	case __NR_flistxattr:
	case __NR_listxattrat:
		n = fd_call ? flistxattr(o->fd, c->buf, c->buf_len)
			    : listxattr(proc, c->buf, c->buf_len);
		break;
	default:
		n = fd_call ? fgetxattr(o->fd, c->name, c->buf, c->buf_len)
			    : getxattr(proc, c->name, c->buf, c->buf_len);
		break;
	}
	return n < 0 ? -errno : n;
}

static int copy_out_xattr(struct sup_call *c, long ret)
{
	if (is_set(c->nr) || !c->buf_len || ret <= 0)
		return 0;
	return sup_program_write(c->tid, c->out_addr, c->buf, (size_t)ret);
}

#define X_PATH(n, f, need_)                                                                    \
	.nr = __NR_##n, .name = #n, .fd_arg = -1, .path_arg = 0, .flags_arg = -1, .follow = f, \
	.need = need_
#define X_FD(n, need_) \
	.nr = __NR_##n, .name = #n, .fd_arg = 0, .path_arg = -1, .flags_arg = -1, .need = need_
#define X_AT(n, need_)                                                                          \
	.nr = __NR_##n, .name = #n, .fd_arg = 0, .path_arg = 1, .flags_arg = 2, .follow = true, \
	.need = need_
#define X_OPS .copy_in = copy_xattr, .act = act_xattr, .copy_out = copy_out_xattr

static const struct sup_spec specs[] = {
	{ X_PATH(setxattr, true, SUP_NEED_WRITE), X_OPS },
	{ X_PATH(lsetxattr, false, SUP_NEED_WRITE), X_OPS },
	{ X_FD(fsetxattr, SUP_NEED_WRITE), X_OPS },
	{ X_AT(setxattrat, SUP_NEED_WRITE), X_OPS },
	{ X_PATH(removexattr, true, SUP_NEED_WRITE), X_OPS },
	{ X_PATH(lremovexattr, false, SUP_NEED_WRITE), X_OPS },
	{ X_FD(fremovexattr, SUP_NEED_WRITE), X_OPS },
	{ X_AT(removexattrat, SUP_NEED_WRITE), X_OPS },
	{ X_PATH(getxattr, true, SUP_NEED_READ), X_OPS },
	{ X_PATH(lgetxattr, false, SUP_NEED_READ), X_OPS },
	{ X_FD(fgetxattr, SUP_NEED_READ), X_OPS },
	{ X_AT(getxattrat, SUP_NEED_READ), X_OPS },
	{ X_PATH(listxattr, true, SUP_NEED_READ), X_OPS },
	{ X_PATH(llistxattr, false, SUP_NEED_READ), X_OPS },
	{ X_FD(flistxattr, SUP_NEED_READ), X_OPS },
	{ X_AT(listxattrat, SUP_NEED_READ), X_OPS },
};

const struct sup_family sup_xattr_calls = { specs, sizeof(specs) / sizeof(specs[0]) };
