// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * connect() where Landlock cannot govern pathname unix sockets (ABI < 9): the user's D-Bus
 * session bus, docker.sock, X11 would otherwise be one connect away. The supervisor takes
 * the program's socket (pidfd_getfd: the same open file) and a copy of the address. A
 * socket of another family is connected by the executor as it is, so Landlock's TCP rules
 * hold for it (its domain is the program's) with the same result and errno (EINPROGRESS
 * for a non-blocking one). A pathname address is resolved by the executor, must name a
 * socket beneath a rule of the plan granting LANDLOCK_ACCESS_FS_RESOLVE_UNIX (the plan
 * states ABI-9 rights on every kernel), and is connected through the resolved object
 * ("/proc/self/fd/N" fits in sun_path), never through the path again.
 *
 * Abstract addresses are refused: nothing proves the listener is inside the sandbox (on
 * ABI 6 and later Landlock's scope would, but the executor's domain is a sibling of the
 * program's, not its parent, so it cannot connect to the program's own either). The peer
 * sees the supervisor's pid in SO_PEERCRED (the uid and gid are the program's). A blocking
 * connect holds the supervisor until it completes.
 *
 * bind() without network.server, on every kernel: binding a name others can reach is
 * serving. No Landlock ABI governs binding an abstract unix name, and Landlock's scope
 * stops only connecting out, so a program could squat a name trusted clients dial (X11
 * clients try @/tmp/.X11-unix/X<n> first, D-Bus unix:abstract= addresses) and accept them.
 * seccomp cannot see the socket's family, so every bind comes here. An abstract address
 * and autobind (an address of the family alone: the kernel picks an abstract name) are
 * refused. A pathname address is bound by the executor where a rule of the plan grants
 * LANDLOCK_ACCESS_FS_MAKE_SOCK in the directory (its Landlock domain checks it again, on
 * the kernel's own resolution), from the program's working directory (fchdir: the
 * executor's is its own) and with the program's umask. Other families are bound as they are, in the
 * executor's domain, and an IP one only where that domain checks its port (Landlock's TCP bind
 * right from ABI 4, UDP from ABI 10: a profile without network.server has no port to bind, and
 * seccomp refused every bind before).
 *
 * listen() without network.server, on every kernel: what may listen is an allow-list, not
 * the binds that lead to it. A socket gets a name by more than bind: SO_PASSCRED (or
 * SO_PASSPIDFD) makes connect() autobind it to an abstract name before the peer is looked
 * up, and a connect that then fails leaves it bound and unconnected (atk6u A); a unix
 * datagram send autobinds the same way; a socket can be handed in bound. So listen comes
 * here, and the executor carries it out on the copy (the same socket: no descriptor number
 * to swap) only for a unix socket whose own name (getsockname) is a pathname, which only a
 * bind checked above can have made in the sandbox. A name cannot change once bound, so the
 * check and the listen see the same one. Anything else gets EACCES: no name, an abstract
 * one, and every IP socket (an unbound one's listen picks a port no Landlock ABI checks).
 *
 * setsockopt(SO_PASSCRED or SO_PASSPIDFD) without network.server, on every kernel
 * (kdgram): what listen is to a stream socket, these options are to a datagram one. With
 * either set on a unix socket without a name, the kernel autobinds it to an abstract name
 * in connect and sendmsg, before the address is looked up (a send that fails leaves it
 * named and unconnected), and an unconnected datagram socket receives from any process
 * that knows the name; it needs no listen. So the executor sets them (on the copy, with
 * the value copied here) only where they give no name: a socket of another family (netlink
 * and udev's monitors), a stream or seqpacket unix socket (a name serves only through
 * listen, above), one that has a name already (a pathname only a checked bind made, or
 * one handed in), or turning the option off. A unix datagram socket without a name gets
 * EACCES: bind it to a path in the grants first. Names are never taken back, so what is
 * checked here still holds when the option is set. syslog(3) and journald's clients set
 * neither; sd-bus sets SO_PASSCRED on a stream socket.
 *
 * A caller that confined itself further (confined.c) gets only what no Landlock right
 * governs: a unix connect (below ABI 9) and a netlink bind. A connect of another family and
 * any other bind are refused (EACCES): its own Landlock domain, which the executor does not
 * share, may refuse them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "uapi_compat.h"
#include "supervise/supervise_internal.h"

static bool pathname(const struct sup_call *c)
{
	const struct sockaddr_un *sun = c->buf;

	return c->buf_len > offsetof(struct sockaddr_un, sun_path) && sun->sun_family == AF_UNIX &&
	       sun->sun_path[0] != '\0';
}

/* The address, the socket (a copy) and its family; for a pathname, the path and its base. */
static int copy_address(struct sup_call *c)
{
	const struct sockaddr_un *sun;
	socklen_t dlen = sizeof(c->domain);
	size_t n;
	int err;

	if (c->args[2] > sizeof(struct sockaddr_storage))
		return -EINVAL;
	c->buf_len = (size_t)c->args[2];
	c->buf = calloc(1, sizeof(struct sockaddr_storage) + 1);
	if (!c->buf)
		return -ENOMEM;
	err = sup_program_read(c->tid, c->args[1], c->buf, c->buf_len);
	if (err)
		return err;
	c->fd = sup_program_getfd(c, (int)c->args[0]);
	if (c->fd < 0)
		return c->fd;
	if (getsockopt(c->fd, SOL_SOCKET, SO_DOMAIN, &c->domain, &dlen))
		return -errno; /* ENOTSOCK, as the call itself would answer */
	if (c->domain != AF_UNIX || !pathname(c))
		return 0;
	sun = c->buf;
	n = c->buf_len - offsetof(struct sockaddr_un, sun_path);
	if (n >= sizeof(c->path))
		n = sizeof(c->path) - 1;
	memcpy(c->path, sun->sun_path, n);
	c->path[n] = '\0'; /* sun_path need not end in NUL; the kernel stops at the length */
	if (c->path[0] != '/') {
		c->base = sup_program_cwd(c->tid);
		if (c->base < 0)
			return c->base;
	}
	return 0;
}

/* A refusal for a caller that confined itself further; false when it did not. */
static bool refused_further(struct sup_call *c)
{
	if (!sup_further_confined(c))
		return false;
	c->refused = true;
	sup_why(c,
		"%s(): the program confined itself further, and sbx does not stand in for "
		"its own Landlock domain",
		c->spec->name);
	return true;
}

static int copy_connect(struct sup_call *c)
{
	int err = copy_address(c);

	if (!err && c->domain != AF_UNIX)
		refused_further(c);
	return err;
}

static long exec_connect(struct sup_call *c)
{
	const struct sockaddr_un *sun = c->buf;
	struct sockaddr_un via = { .sun_family = AF_UNIX };
	struct sup_object o;
	long ret;

	if (c->domain != AF_UNIX || c->buf_len <= offsetof(struct sockaddr_un, sun_path) ||
	    sun->sun_family != AF_UNIX)
		return connect(c->fd, c->buf, (socklen_t)c->buf_len) ? -errno : 0;
	if (!pathname(c)) {
		c->refused = true;
		sup_why(c, "connect(abstract unix socket): not provably inside the sandbox");
		return -EACCES;
	}
	ret = sup_object_resolve(c->base, c->path, true, &o);
	if (ret)
		return ret;
	if (!S_ISSOCK(o.st.st_mode))
		ret = -ECONNREFUSED; /* what the kernel answers for a path that is no socket */
	else if (sup_object_refusal(c->s, &o, SUP_NEED_UNIX)) {
		c->refused = true;
		sup_why(c, "connect(%.60s): unix socket outside the grants", c->path);
		ret = -EACCES;
	} else {
		snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", o.fd);
		ret = connect(c->fd, (struct sockaddr *)&via, sizeof(via)) ? -errno : 0;
	}
	sup_object_close(&o);
	return ret;
}

static int copy_bind(struct sup_call *c)
{
	const struct sockaddr_un *sun;
	int err = copy_address(c);
	pid_t mask;

	if (err)
		return err;
	sun = c->buf;
	if (c->domain == AF_NETLINK)
		return 0;
	if (c->domain == AF_INET || c->domain == AF_INET6) {
		int type = 0;
		socklen_t tlen = sizeof(type);
		uint64_t need;

		if (getsockopt(c->fd, SOL_SOCKET, SO_TYPE, &type, &tlen))
			return -errno;
		need = type == SOCK_STREAM  ? LANDLOCK_ACCESS_NET_BIND_TCP
		       : type == SOCK_DGRAM ? LANDLOCK_ACCESS_NET_BIND_UDP
					    : 0;
		if (!need || (c->s->bind_net & need) != need) {
			c->refused = true;
			sup_why(c,
				"bind(%s port): Landlock on this kernel keeps no ports for "
				"it (TCP: ABI 4, UDP: ABI 10); serving needs network.server",
				type == SOCK_STREAM ? "TCP" : "UDP");
			return 0;
		}
	}
	if (c->domain != AF_UNIX) {
		refused_further(c);
		return 0;
	}
	if (c->buf_len < sizeof(sa_family_t) || sun->sun_family != AF_UNIX)
		return 0; /* the kernel's EINVAL, from the executor's bind */
	if (!pathname(c)) {
		c->refused = true;
		sup_why(c,
			"bind(%s unix socket): a name any process can connect to; serving "
			"needs network.server",
			c->buf_len == sizeof(sa_family_t) ? "autobound" : "abstract");
		return 0;
	}
	if (refused_further(c))
		return 0;
	err = sup_proc_status_field(c->tid, "Umask", &mask);
	c->mode = err ? 0777 : (uint64_t)mask & 0777; /* unknown: no one else may connect */
	return 0;
}

/*
 * Bind a pathname socket where the plan lets the program make one, in the executor. The
 * address is bound as the program gave it (getsockname and its peers see that name), from
 * the program's working directory for a relative one; the kernel resolves it again, in the
 * executor's Landlock domain, which checks MAKE_SOCK where the socket is made: a directory
 * swapped after the check below is Landlock's to refuse. The check names the refusal.
 */
static long bind_pathname(struct sup_call *c)
{
	char dir[sizeof(c->path)];
	char *last;
	struct sup_object o;
	int here = -1;
	mode_t old;
	long ret;

	snprintf(dir, sizeof(dir), "%s", c->path);
	last = strrchr(dir, '/');
	if (last == dir)
		last[1] = '\0';
	else if (last)
		*last = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	ret = sup_object_resolve(c->base, dir, true, &o);
	if (ret)
		return ret;
	if (!S_ISDIR(o.st.st_mode)) {
		sup_object_close(&o);
		return -ENOTDIR;
	}
	if (c->s->fs_confined && !sup_dir_grants(c->s, o.fd, LANDLOCK_ACCESS_FS_MAKE_SOCK)) {
		sup_object_close(&o);
		c->refused = true;
		sup_why(c, "bind(%.60s): no rule lets the program make a socket there", c->path);
		return -EACCES;
	}
	sup_object_close(&o);
	if (c->base >= 0) {
		here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (here < 0)
			return -errno;
		if (fchdir(c->base)) {
			ret = -errno;
			close(here);
			return ret;
		}
	}
	old = umask((mode_t)c->mode);
	ret = bind(c->fd, c->buf, (socklen_t)c->buf_len) ? -errno : 0;
	umask(old);
	if (here >= 0) {
		/* The executor's own working directory (unshare(CLONE_FS)): put back. */
		if (fchdir(here) && !ret)
			ret = -errno;
		close(here);
	}
	return ret;
}

static long exec_bind(struct sup_call *c)
{
	if (c->domain == AF_UNIX && pathname(c))
		return bind_pathname(c);
	return bind(c->fd, c->buf, (socklen_t)c->buf_len) ? -errno : 0;
}

/* The socket (a copy) and whether it may listen: a unix socket bound to a pathname. */
static int copy_listen(struct sup_call *c)
{
	struct sockaddr_un name = { 0 };
	socklen_t len = sizeof(name), dlen = sizeof(c->domain);

	c->fd = sup_program_getfd(c, (int)c->args[0]);
	if (c->fd < 0)
		return c->fd;
	if (getsockopt(c->fd, SOL_SOCKET, SO_DOMAIN, &c->domain, &dlen))
		return -errno; /* ENOTSOCK, as the call itself would answer */
	if (c->domain == AF_UNIX && getsockname(c->fd, (struct sockaddr *)&name, &len))
		return -errno;
	if (c->domain == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path) &&
	    name.sun_path[0] != '\0')
		return 0;
	c->refused = true;
	sup_why(c,
		"listen(%s): only a unix socket bound to a path in the grants serves without "
		"network.server",
		c->domain != AF_UNIX				? "IP socket"
		: len <= offsetof(struct sockaddr_un, sun_path) ? "unix socket with no name"
								: "abstract unix socket");
	return 0;
}

static long exec_listen(struct sup_call *c)
{
	return listen(c->fd, (int)c->args[1]) ? -errno : 0;
}

/* setsockopt(SOL_SOCKET, SO_PASSCRED or SO_PASSPIDFD): the calls seccomp sends here. */
static bool takes_passcred(const uint64_t args[6])
{
	return (int)args[1] == SOL_SOCKET &&
	       ((int)args[2] == SO_PASSCRED || (int)args[2] == SO_PASSPIDFD);
}

/* The value and the socket (a copy), and whether setting it names nothing. */
static int copy_passcred(struct sup_call *c)
{
	struct sockaddr_un name = { 0 };
	socklen_t len = sizeof(name), ilen = sizeof(int);
	int on = 0, type = 0, err;

	if (c->args[4] < sizeof(on))
		return -EINVAL; /* as the kernel answers a short option */
	err = sup_program_read(c->tid, c->args[3], &on, sizeof(on));
	if (err)
		return err;
	c->flags = (uint32_t)on;
	c->fd = sup_program_getfd(c, (int)c->args[0]);
	if (c->fd < 0)
		return c->fd;
	if (getsockopt(c->fd, SOL_SOCKET, SO_DOMAIN, &c->domain, &ilen))
		return -errno; /* ENOTSOCK, as the call itself would answer */
	if (c->domain != AF_UNIX || !on)
		return 0;
	ilen = sizeof(type);
	if (getsockopt(c->fd, SOL_SOCKET, SO_TYPE, &type, &ilen))
		return -errno;
	if (type == SOCK_STREAM || type == SOCK_SEQPACKET)
		return 0;
	if (getsockname(c->fd, (struct sockaddr *)&name, &len))
		return -errno;
	if (len > offsetof(struct sockaddr_un, sun_path))
		return 0;
	c->refused = true;
	sup_why(c,
		"setsockopt(%s) on a unix datagram socket without a name: its next send would "
		"name it, and any process could send to it; bind it to a path in the grants "
		"first (serving needs network.server)",
		(int)c->args[2] == SO_PASSCRED ? "SO_PASSCRED" : "SO_PASSPIDFD");
	return 0;
}

static long exec_passcred(struct sup_call *c)
{
	int on = (int)c->flags;

	return setsockopt(c->fd, SOL_SOCKET, (int)c->args[2], &on, sizeof(on)) ? -errno : 0;
}

static const struct sup_spec specs[] = {
	{
		.nr = __NR_connect,
		.name = "connect",
		.fd_arg = -1,
		.path_arg = -1,
		.flags_arg = -1,
		.need = SUP_NEED_UNIX,
		.copy_in = copy_connect,
		.exec = exec_connect,
	},
	{
		.nr = __NR_bind,
		.name = "bind",
		.fd_arg = -1,
		.path_arg = -1,
		.flags_arg = -1,
		.copy_in = copy_bind,
		.exec = exec_bind,
	},
	{
		.nr = __NR_listen,
		.name = "listen",
		.fd_arg = -1,
		.path_arg = -1,
		.flags_arg = -1,
		.copy_in = copy_listen,
		.exec = exec_listen,
	},
	{
		.nr = __NR_setsockopt,
		.name = "setsockopt",
		.fd_arg = -1,
		.path_arg = -1,
		.flags_arg = -1,
		.copy_in = copy_passcred,
		.exec = exec_passcred,
		.takes = takes_passcred,
	},
};

const struct sup_family sup_unix_calls = { specs, sizeof(specs) / sizeof(specs[0]) };
