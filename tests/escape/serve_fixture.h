/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the serving suites (serve.c: stream and seqpacket listeners and the program's
 * own confinement; serve_dgram.c: datagram sockets and unix clients). Each escape runs
 * bin/serve_probe twice, as escape.c does: unconfined (the control, which must work) and
 * under `sbx run --profile data/app-sandbox.yaml` (which must refuse it). The test plays
 * the outside process: the probe prints "ready ADDRESS" once it can be reached, and a
 * connection (or a datagram) from here is what "served" means; a client probe prints
 * "where DIR" and dials DIR/in.sock, which the test makes (the fixture's in_type).
 */
#ifndef SBX_ESCAPE_SERVE_FIXTURE_H
#define SBX_ESCAPE_SERVE_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"
#include "uapi_compat.h"

#define PROBE_WORKED PROBE_ESCAPED /* what must keep working worked */

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

FIXTURE(serve)
{
	char dir[PATH_MAX]; /* the private tree */
	char home[PATH_MAX + 16], tmp[PATH_MAX + 16], xdg[PATH_MAX + 16], out[PATH_MAX + 16];
	char probe[PATH_MAX + 64];
	char name[64]; /* an abstract name of this test's */
	char port[8]; /* a TCP listener on 127.0.0.1 */
	int tcp_fd;
	char udp_port[8]; /* a UDP socket on 127.0.0.1 that answers each "udp-sent" */
	int udp_fd;
	int in_type; /* a client probe's outside end (outside_end), when not 0 */
	int in_fd; /* the last run's outside end; -1 */
	/* The last run. */
	int status;
	bool served; /* the probe said "ready" and a client from here connected */
	char output[4096];
};

FIXTURE_SETUP(serve)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	self->in_fd = -1;
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->tmp, sizeof(self->tmp), "%s/tmp", self->dir);
	snprintf(self->xdg, sizeof(self->xdg), "%s/xdg", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, mkdir(self->tmp, 0700));
	ASSERT_EQ(0, mkdir(self->xdg, 0700));
	ASSERT_EQ(0, mkdir(self->out, 0700));
	snprintf(self->probe, sizeof(self->probe), "%s", sbx_test_helper("serve_probe"));
	snprintf(self->name, sizeof(self->name), "sbx-serve-%d", (int)getpid());
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	self->tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, self->tcp_fd);
	ASSERT_EQ(0, bind(self->tcp_fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(self->tcp_fd, 16));
	ASSERT_EQ(0, getsockname(self->tcp_fd, (struct sockaddr *)&a, &len));
	snprintf(self->port, sizeof(self->port), "%d", ntohs(a.sin_port));
	a.sin_port = 0;
	len = sizeof(a);
	self->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->udp_fd);
	ASSERT_EQ(0, bind(self->udp_fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, getsockname(self->udp_fd, (struct sockaddr *)&a, &len));
	snprintf(self->udp_port, sizeof(self->udp_port), "%d", ntohs(a.sin_port));
}

FIXTURE_TEARDOWN(serve)
{
	close(self->tcp_fd);
	close(self->udp_fd);
	if (self->in_fd >= 0)
		close(self->in_fd);
	sbx_rmtree(self->dir);
}

/* How many connections reached the TCP listener (each accepted and closed). */
static inline int tcp_accepted(int fd)
{
	int n = 0, c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

/*
 * Connect to "@NAME" (abstract) or a path, and send one byte: 0 or -errno. A path longer
 * than sun_path (a container's tmp) is reached through its directory, opened here.
 */
static inline int client_of(const char *where, int type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char via[64], dir[PATH_MAX];
	size_t n = strlen(where);
	socklen_t len;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), err = 0, dfd;
	const char *slash = strrchr(where, '/');

	if (fd < 0)
		return -errno;
	if (n >= sizeof(a.sun_path) && where[0] == '/' && slash &&
	    (size_t)(slash - where) < sizeof(dir) && strlen(slash) < 40) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - where), where);
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			close(fd);
			return -errno;
		}
		snprintf(via, sizeof(via), "/proc/self/fd/%d%s", dfd, slash);
		err = client_of(via, type);
		close(dfd);
		close(fd);
		return err;
	}
	if (n >= sizeof(a.sun_path)) {
		close(fd);
		return -EINVAL;
	}
	memcpy(a.sun_path, where, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (where[0] != '@'));
	if (where[0] == '@')
		a.sun_path[0] = '\0';
	if (connect(fd, (struct sockaddr *)&a, len) || write(fd, "x", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

/*
 * A stream client, else a seqpacket one (atk6u A's socket is seqpacket), else a datagram
 * sender (its connect and write reach a datagram socket's queue: serve_dgram.c).
 */
static inline int client(const char *where)
{
	int err = client_of(where, SOCK_STREAM);

	if (err)
		err = client_of(where, SOCK_SEQPACKET);
	return err ? client_of(where, SOCK_DGRAM) : 0;
}

/*
 * The outside end a client probe dials: a socket of type at DIR/in.sock (listening, for a
 * connection-oriented type), DIR being where the probe said it is ("where DIR"). A
 * container's tmp can be longer than sun_path: bound through the directory, opened here.
 */
static inline int outside_end(const char *dir, int type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0 || dfd < 0)
		err = -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/in.tmp", dfd);
	if (!err && bind(fd, (struct sockaddr *)&a, sizeof(a)))
		err = -errno;
	if (!err && type != SOCK_DGRAM && listen(fd, 4))
		err = -errno;
	/* The probe dials once in.sock is there: not before it listens. */
	if (!err && renameat(dfd, "in.tmp", dfd, "in.sock"))
		err = -errno;
	if (dfd >= 0)
		close(dfd);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/* What reached the outside end: 1 if a client sent it a byte, else 0. */
static inline int outside_end_reached(int fd, int type)
{
	char byte;
	int c = type == SOCK_DGRAM ? fd : accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int n = c >= 0 && recv(c, &byte, 1, MSG_DONTWAIT) == 1;

	if (c >= 0 && c != fd)
		close(c);
	return n;
}

/*
 * Run the probe (confined: under sbx run with extra options, NULL-ended), its stdout a
 * pipe read here line by line; on "ready ADDRESS" connect to ADDRESS as an outside client.
 */
static inline int run(FIXTURE_DATA(serve) * self, bool confined, const char *const *opts,
		      const char *technique, const char *arg)
{
	char profile[PATH_MAX], env_home[PATH_MAX + 32], env_tmp[PATH_MAX + 32],
		env_xdg[PATH_MAX + 32], env_path[4096];
	char *argv[24], *envp[8];
	const char *path = getenv("PATH");
	size_t have = 0;
	bool answered = false;
	int a = 0, e = 0, p[2], status;
	pid_t pid;

	snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
	snprintf(env_home, sizeof(env_home), "HOME=%s", self->home);
	snprintf(env_tmp, sizeof(env_tmp), "TMPDIR=%s", self->tmp);
	snprintf(env_xdg, sizeof(env_xdg), "XDG_DATA_HOME=%s", self->xdg);
	snprintf(env_path, sizeof(env_path), "PATH=%s", path ? path : "/usr/bin:/bin");
	envp[e++] = env_path;
	envp[e++] = env_home;
	envp[e++] = env_xdg;
	if (!confined)
		envp[e++] = env_tmp; /* under sbx run, TMPDIR is the container's tmp */
	envp[e] = NULL;
	if (confined) {
		argv[a++] = (char *)sbx_bin();
		argv[a++] = "run";
		argv[a++] = "--allow-root";
		argv[a++] = "--profile";
		argv[a++] = profile;
		for (int i = 0; opts && opts[i]; i++)
			argv[a++] = (char *)opts[i];
		argv[a++] = "--";
	}
	argv[a++] = self->probe;
	argv[a++] = (char *)technique;
	if (arg)
		argv[a++] = (char *)arg;
	argv[a] = NULL;

	self->served = false;
	self->output[0] = '\0';
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], self->output + have, sizeof(self->output) - 1 - have);
		char *ready, *end;

		if (n <= 0)
			break;
		have += (size_t)n;
		self->output[have] = '\0';
		ready = strstr(self->output, "ready ");
		end = ready ? strchr(ready, '\n') : NULL;
		if (end && !self->served) {
			char where[256];

			snprintf(where, sizeof(where), "%.*s", (int)(end - ready - 6), ready + 6);
			self->served = client(where) == 0;
			if (!self->served)
				kill(pid, SIGKILL); /* it would wait for a client for ever */
		}
		/* A client probe says where it is: make the outside end it dials there. */
		ready = strstr(self->output, "where ");
		end = ready ? strchr(ready, '\n') : NULL;
		if (end && self->in_type && self->in_fd < 0) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%.*s", (int)(end - ready - 6), ready + 6);
			self->in_fd = outside_end(dir, self->in_type);
			if (self->in_fd < 0)
				kill(pid, SIGKILL); /* it would wait for it for ever */
		}
		/* The probe sent its question before saying so: answer it. */
		if (strstr(self->output, "udp-sent\n") && !answered) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			char q;

			answered = true;
			if (recvfrom(self->udp_fd, &q, 1, 0, (struct sockaddr *)&from, &flen) == 1)
				sendto(self->udp_fd, "a", 1, 0, (struct sockaddr *)&from, flen);
		}
		if (have == sizeof(self->output) - 1)
			break;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	self->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* The profile's options: app-sandbox alone, with a client's network, or a server's. */
static const char *const app_sandbox[] = { NULL };
static const char *const client_opts[] = { "--allow", "network.client", NULL };
static const char *const server_opts[] = { "--allow", "network.server", NULL };

#endif /* SBX_ESCAPE_SERVE_FIXTURE_H */
