// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sandboxed half of tests/escape/serve.c: serving where outside processes can reach
 * it, and a program's own Landlock confinement undone by sbx's supervisor. libc only.
 *
 *   listen-abstract NAME   bind @NAME, listen, print "ready @NAME", accept one client
 *   listen-autobind        bind the family alone (the kernel picks @XXXXX), as above
 *   listen-path PATH       bind PATH, listen, print "ready PATH", accept one client
 *   listen-passcred PATH   no bind: set SO_PASSCRED on a seqpacket socket and connect it
 *                          to a stream listener it made at PATH (the kernel autobinds it
 *                          to @XXXXX, then fails with EPROTOTYPE), then listen on it and
 *                          serve as above (atk6u A)
 *   listen-passcred-enoent PATH  the same with a stream socket connected to PATH, which
 *                          does not exist (ENOENT after the autobind)
 *   dgram-passcred-sendto PATH   a datagram socket never bound: set SO_PASSCRED and send to
 *                          PATH, which does not exist (the kernel autobinds the socket to
 *                          @XXXXX before it looks PATH up), print "ready @XXXXX" and
 *                          receive one datagram from an outside process
 *   dgram-passcred-connect PATH  the same with connect (unix_dgram_connect autobinds too)
 *   dgram-passpidfd-sendto PATH  the same with SO_PASSPIDFD (Linux 6.5)
 *   dgram-autobind         bind the family alone (the kernel picks @XXXXX), as above
 *   dgram-passcred-bound PATH    bind PATH first, then set SO_PASSCRED and send to a path
 *                          that does not exist: the name stays PATH; serve it as above
 *   seqpacket-autobind     a seqpacket socket bound to the family alone, listen, serve as
 *                          listen-autobind does
 *   dgram-send             a client: print "where DIR" ($TMPDIR), wait for
 *                          DIR/in.sock, connect a datagram socket to it and send one byte
 *                          (syslog(3) and journald's clients do this, without SO_PASSCRED)
 *   stream-passcred-connect the same with a stream socket with SO_PASSCRED set before
 *                          connect, as sd-bus's clients do
 *   tcp-connect PORT       connect to 127.0.0.1:PORT
 *   udp-connect PORT       a UDP client as glibc's resolver is one: connect to
 *                          127.0.0.1:PORT, send, print "udp-sent", receive the reply
 *   udp-sendto PORT        the same on an unconnected socket: sendto, then recvfrom
 *   selfll-connect PORT    confine itself (Landlock: TCP connect handled, no port), then
 *                          connect to 127.0.0.1:PORT
 *   selfll-fork-connect PORT   the same, from a child forked after confining itself
 *   selfll-orphan-connect PORT the same, from a grandchild whose parent has exited
 *   selfll-bind PATH       confine itself (Landlock: MAKE_SOCK handled, no rule), then
 *                          bind a unix socket at PATH
 *
 * A PATH of "@TMPDIR/NAME" is NAME relative to $TMPDIR (the container's tmp under sbx
 * run), which becomes the working directory: its absolute name may not fit in sun_path.
 *
 * Exit statuses as escape_probe's: 0 it worked (served, connected, bound), 10 refused
 * (errno printed), 11 the kernel lacks it, 12 setup problem.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "uapi_compat.h"

#include "probe_status.h"

#define WORKED	    PROBE_ESCAPED
#define REFUSED	    PROBE_REFUSED
#define UNSUPPORTED PROBE_UNSUPPORTED
#define SETUP	    PROBE_SETUP

static int verdict(int code, const char *what, int err)
{
	if (err)
		printf("serve-probe: %s: %s: %s\n",
		       code == WORKED	 ? "worked"
		       : code == REFUSED ? "refused"
					 : "unsupported",
		       what, strerror(err));
	else
		printf("serve-probe: worked: %s\n", what);
	fflush(stdout);
	return code;
}

/* Print "ready ADDRESS", the socket's name (absolute, or @ABSTRACT): 0, or -1 if it has none. */
static int say_where(int fd)
{
	struct sockaddr_un got;
	socklen_t glen = sizeof(got);
	char cwd[4096];

	if (getsockname(fd, (struct sockaddr *)&got, &glen) ||
	    glen <= offsetof(struct sockaddr_un, sun_path))
		return -1;
	if (got.sun_path[0] == '/')
		printf("ready %s\n", got.sun_path);
	else if (got.sun_path[0] && getcwd(cwd, sizeof(cwd)))
		printf("ready %s/%s\n", cwd, got.sun_path);
	else
		printf("ready @%.*s\n", (int)(glen - offsetof(struct sockaddr_un, sun_path) - 1),
		       got.sun_path + 1);
	fflush(stdout);
	return 0;
}

/* A listening unix socket: say where, accept one client. */
static int serve_listening(int fd)
{
	char byte;
	int c;

	if (say_where(fd))
		return verdict(SETUP, "getsockname", errno);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return verdict(SETUP, "accept", errno);
	if (read(c, &byte, 1) != 1)
		return verdict(SETUP, "read", errno);
	return verdict(WORKED, "an outside client connected and was served", 0);
}

/* Bind a unix socket of type to a (of len bytes), listen, say where, accept one client. */
static int serve_type(int type, const struct sockaddr_un *a, socklen_t len)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return verdict(SETUP, "socket", errno);
	if (bind(fd, (const struct sockaddr *)a, len))
		return verdict(REFUSED, "bind", errno);
	if (listen(fd, 4))
		return verdict(REFUSED, "listen", errno);
	return serve_listening(fd);
}

static int serve(const struct sockaddr_un *a, socklen_t len)
{
	return serve_type(SOCK_STREAM, a, len);
}

/*
 * Serve on a socket never bound: SO_PASSCRED makes connect() autobind it before the peer is
 * looked up, and a failed connect leaves it bound and unconnected.
 */
static int serve_passcred(const char *path, bool enoent)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l = -1, fd = socket(AF_UNIX, (enoent ? SOCK_STREAM : SOCK_SEQPACKET) | SOCK_CLOEXEC, 0);
	int one = 1;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0)
		return verdict(SETUP, "socket", errno);
	if (!enoent) {
		l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
			return verdict(SETUP, "the stream listener", errno);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return verdict(REFUSED, "setsockopt(SO_PASSCRED)", errno);
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return verdict(SETUP, "connect worked", 0);
	printf("serve-probe: connect: %s\n", strerror(errno));
	if (listen(fd, 4))
		return verdict(REFUSED, "listen", errno);
	return serve_listening(fd);
}

/* A bound datagram socket: say where, receive one datagram from an outside process. */
static int serve_dgram(int fd)
{
	char byte;

	if (say_where(fd))
		return verdict(SETUP, "getsockname (no name)", errno);
	if (recv(fd, &byte, 1, 0) != 1)
		return verdict(SETUP, "recv", errno);
	return verdict(WORKED, "an outside process's datagram was received", 0);
}

/*
 * A name no bind gave: with SO_PASSCRED (or SO_PASSPIDFD) set on a socket without one, the
 * kernel autobinds it in sendmsg and connect before it looks the address up, so a send
 * that then fails leaves the socket named and unconnected. bound: bind PATH first.
 */
static int serve_dgram_passcred(const char *how, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX }, none = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
	int opt = strstr(how, "passpidfd") ? SO_PASSPIDFD : SO_PASSCRED;

	if (fd < 0)
		return verdict(REFUSED, "socket(AF_UNIX, SOCK_DGRAM)", errno);
	snprintf(none.sun_path, sizeof(none.sun_path), "%s", path);
	if (strstr(how, "bound")) {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			return verdict(REFUSED, "bind", errno);
		snprintf(none.sun_path, sizeof(none.sun_path), "%s.none", path);
	}
	if (setsockopt(fd, SOL_SOCKET, opt, &one, sizeof(one)))
		return verdict(errno == ENOPROTOOPT ? UNSUPPORTED : REFUSED,
			       opt == SO_PASSCRED ? "setsockopt(SO_PASSCRED)"
						  : "setsockopt(SO_PASSPIDFD)",
			       errno);
	if (strstr(how, "connect")
		    ? !connect(fd, (struct sockaddr *)&none, sizeof(none))
		    : sendto(fd, "x", 1, 0, (struct sockaddr *)&none, sizeof(none)) == 1)
		return verdict(SETUP, "a path that does not exist was reached", 0);
	printf("serve-probe: %s: %s\n", strstr(how, "connect") ? "connect" : "sendto",
	       strerror(errno));
	return serve_dgram(fd);
}

/*
 * A client of a socket outside: say where it is, wait until in.sock is there (the test
 * makes it), connect and send one byte.
 */
static int dial_outside(int type, bool passcred)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "in.sock" };
	char cwd[4096];
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return verdict(REFUSED,
			       type == SOCK_DGRAM ? "socket(AF_UNIX, SOCK_DGRAM)"
						  : "socket(AF_UNIX)",
			       errno);
	if (chdir(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") || !getcwd(cwd, sizeof(cwd)))
		return verdict(SETUP, "getcwd", errno);
	printf("where %s\n", cwd);
	fflush(stdout);
	while (access("in.sock", F_OK))
		usleep(1000);
	if (passcred && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return verdict(REFUSED, "setsockopt(SO_PASSCRED)", errno);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return verdict(REFUSED, "connect", errno);
	if (write(fd, "x", 1) != 1)
		return verdict(REFUSED, "write", errno);
	return verdict(WORKED, "sent to the socket outside", 0);
}

/* Confine the calling process with a ruleset handling fs and net with no rule at all. */
static int confine_self(__u64 fs, __u64 net)
{
	struct sbx_landlock_ruleset_attr attr = { .handled_access_fs = fs,
						  .handled_access_net = net };
	/* The prefix the kernel knows: ABI 1 has handled_access_fs alone. */
	size_t size = net ? offsetof(struct sbx_landlock_ruleset_attr, scoped)
			  : offsetof(struct sbx_landlock_ruleset_attr, handled_access_net);
	int rs;

	/* Unconfined and without CAP_SYS_ADMIN, Landlock needs no_new_privs. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	rs = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		return -errno;
	if (syscall(__NR_landlock_restrict_self, rs, 0)) {
		int err = errno;

		close(rs);
		return -err;
	}
	close(rs);
	return 0;
}

static int tcp_connect(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return verdict(SETUP, "socket(AF_INET)", errno);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return verdict(REFUSED, "connect to 127.0.0.1", errno);
	return verdict(WORKED, "connected to 127.0.0.1", 0);
}

/* A UDP client asking 127.0.0.1:PORT one question and reading the answer. */
static int udp_client(const char *port, bool connected)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char reply[16];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return verdict(SETUP, "socket(AF_INET, SOCK_DGRAM)", errno);
	if (connected && connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return verdict(REFUSED, "connect (UDP)", errno);
	if (connected ? send(fd, "q", 1, 0) != 1
		      : sendto(fd, "q", 1, 0, (struct sockaddr *)&a, sizeof(a)) != 1)
		return verdict(REFUSED, connected ? "send (UDP)" : "sendto (UDP)", errno);
	printf("udp-sent\n");
	fflush(stdout);
	if (recv(fd, reply, sizeof(reply), 0) != 1)
		return verdict(SETUP, "recv (UDP)", errno);
	return verdict(WORKED, "a UDP client asked and was answered", 0);
}

/* Run fn(arg) in a child (or a grandchild whose parent exited first); its status. */
static int in_child(int (*fn)(const char *), const char *arg, bool orphan)
{
	int p[2], status, code = SETUP;
	pid_t pid;

	if (pipe(p))
		return verdict(SETUP, "pipe", errno);
	pid = fork();
	if (pid < 0)
		return verdict(SETUP, "fork", errno);
	if (pid == 0) {
		close(p[0]);
		if (orphan) {
			pid_t parent = getpid(), g = fork();

			if (g < 0)
				_exit(SETUP);
			if (g > 0)
				_exit(0); /* the grandchild is orphaned and reparented */
			while (getppid() == parent)
				usleep(1000);
		}
		code = fn(arg);
		if (write(p[1], &(char){ (char)code }, 1) != 1)
			_exit(SETUP);
		_exit(code);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	{
		char c;

		/* The grandchild writes when done: the pipe ends when it exits. */
		if (read(p[0], &c, 1) == 1)
			code = (unsigned char)c;
	}
	close(p[0]);
	return code;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *t = argc > 1 ? argv[1] : "";
	int err;

	/* A container's tmp can be longer than sun_path: bind relative to it. */
	if (argc == 3 && !strncmp(argv[2], "@TMPDIR/", 8)) {
		if (chdir(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp"))
			return verdict(SETUP, "chdir $TMPDIR", errno);
		argv[2] += 8;
	}
	if (!strcmp(t, "tcp-connect") && argc == 3)
		return tcp_connect(argv[2]);

	if (!strcmp(t, "listen-abstract") && argc == 3) {
		size_t n = strlen(argv[2]);

		if (n + 1 >= sizeof(a.sun_path))
			return verdict(SETUP, "name too long", ENAMETOOLONG);
		memcpy(a.sun_path + 1, argv[2], n);
		return serve(&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	}
	if (!strcmp(t, "listen-autobind") && argc == 2)
		return serve(&a, sizeof(sa_family_t));
	if (!strcmp(t, "listen-path") && argc == 3) {
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[2]);
		return serve(&a, sizeof(a));
	}
	if (!strcmp(t, "seqpacket-autobind") && argc == 2)
		return serve_type(SOCK_SEQPACKET, &a, sizeof(sa_family_t));
	if (!strcmp(t, "dgram-autobind") && argc == 2) {
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return verdict(REFUSED, "socket(AF_UNIX, SOCK_DGRAM)", errno);
		if (bind(fd, (struct sockaddr *)&a, sizeof(sa_family_t)))
			return verdict(REFUSED, "bind", errno);
		return serve_dgram(fd);
	}
	if (!strncmp(t, "dgram-pass", 10) && argc == 3)
		return serve_dgram_passcred(t, argv[2]);
	if (!strcmp(t, "dgram-send") && argc == 2)
		return dial_outside(SOCK_DGRAM, false);
	if (!strcmp(t, "stream-passcred-connect") && argc == 2)
		return dial_outside(SOCK_STREAM, true);
	if (!strncmp(t, "udp-", 4) && argc == 3)
		return udp_client(argv[2], !strcmp(t, "udp-connect"));
	if (!strncmp(t, "listen-passcred", 15) && argc == 3)
		return serve_passcred(argv[2], !strcmp(t, "listen-passcred-enoent"));
	if (!strncmp(t, "selfll-", 7) && strstr(t, "connect") && argc == 3) {
		err = confine_self(0, LANDLOCK_ACCESS_NET_CONNECT_TCP);
		if (err)
			return verdict(UNSUPPORTED, "landlock_restrict_self (TCP connect)", -err);
		if (!strcmp(t, "selfll-connect"))
			return tcp_connect(argv[2]);
		if (!strcmp(t, "selfll-fork-connect"))
			return in_child(tcp_connect, argv[2], false);
		if (!strcmp(t, "selfll-orphan-connect"))
			return in_child(tcp_connect, argv[2], true);
	}
	if (!strcmp(t, "selfll-bind") && argc == 3) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		err = confine_self(LANDLOCK_ACCESS_FS_MAKE_SOCK, 0);
		if (err)
			return verdict(UNSUPPORTED, "landlock_restrict_self (MAKE_SOCK)", -err);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[2]);
		if (fd < 0)
			return verdict(SETUP, "socket", errno);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			return verdict(REFUSED, "bind after confining itself", errno);
		return verdict(WORKED, "bound after confining itself", 0);
	}
	fprintf(stderr,
		"usage: serve_probe listen-abstract NAME | listen-autobind | listen-path PATH |\n"
		"       listen-passcred PATH | listen-passcred-enoent PATH |\n"
		"       dgram-passcred-sendto PATH | dgram-passcred-connect PATH |\n"
		"       dgram-passpidfd-sendto PATH | dgram-autobind |\n"
		"       dgram-passcred-bound PATH |\n"
		"       seqpacket-autobind | dgram-send | stream-passcred-connect |\n"
		"       tcp-connect PORT | udp-connect PORT | udp-sendto PORT |\n"
		"       selfll-connect PORT | selfll-fork-connect PORT | selfll-orphan-connect "
		"PORT |\n"
		"       selfll-bind PATH\n");
	return SETUP;
}
