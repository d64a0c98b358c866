// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serving outside processes, and a program's own confinement undone by sbx's supervisor
 * (atk5u C and G). Each escape runs bin/serve_probe twice, as escape.c does: unconfined
 * (the control, which must work) and under `sbx run --profile data/app-sandbox.yaml`
 * (which must refuse it). This program plays the outside client: the probe prints
 * "ready ADDRESS" once it listens, and a connection from here is what "served" means.
 *
 * C: an abstract unix name (or an autobound one), which any process on the host can
 *    connect to (X11 clients dial @/tmp/.X11-unix/X<n> first), is refused without
 *    network.server; so is a pathname socket outside the grants.
 * A: (atk6u) a name no bind made: SO_PASSCRED's autobind in a connect that then fails
 *    leaves the socket bound to @XXXXX; its listen is refused (only a socket bound to a
 *    pathname listens without network.server).
 * G: the program confines itself (Landlock handling TCP connect, or MAKE_SOCK, with no
 *    rule): unconfined its own domain refuses; under sbx the supervisor, which carries
 *    out connect below ABI 9 and bind, must refuse too, for its children and orphans as
 *    well. The control there is the program's own refusal.
 *
 * And what must keep working (the same probe, confined, must succeed): a socket in the
 * container's tmp served, an abstract name with network.server, a TCP client, a UDP
 * client (atk6u U) on every Landlock ABI.
 */
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
	/* The last run. */
	int status;
	bool served; /* the probe said "ready" and a client from here connected */
	char output[4096];
};

FIXTURE_SETUP(serve)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

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
	sbx_rmtree(self->dir);
}

/* How many connections reached the TCP listener (each accepted and closed). */
static int tcp_accepted(int fd)
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
static int client_of(const char *where, int type)
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

/* A stream client, else a seqpacket one (atk6u A's socket is seqpacket). */
static int client(const char *where)
{
	int err = client_of(where, SOCK_STREAM);

	return err ? client_of(where, SOCK_SEQPACKET) : 0;
}

/*
 * Run the probe (confined: under sbx run with extra options, NULL-ended), its stdout a
 * pipe read here line by line; on "ready ADDRESS" connect to ADDRESS as an outside client.
 */
static int run(FIXTURE_DATA(serve) * self, bool confined, const char *const *opts,
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

static const char *const app_sandbox[] = { NULL };
static const char *const client_opts[] = { "--allow", "network.client", NULL };
static const char *const server_opts[] = { "--allow", "network.server", NULL };

/* ---- C: serving outside processes ---- */

TEST_F(serve, abstract_name_refused)
{
	char at[80];

	ASSERT_EQ(0, run(self, false, NULL, "listen-abstract", self->name));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_TRUE(self->served);

	ASSERT_EQ(0, run(self, true, app_sandbox, "listen-abstract", self->name));
	EXPECT_FALSE(self->served)
	TH_LOG("HOLE: an outside client reached @%s: %s", self->name, self->output);
	EXPECT_EQ(PROBE_REFUSED, self->status) TH_LOG("%s", self->output);
	EXPECT_NE(NULL, strstr(self->output, "refused: bind")) TH_LOG("%s", self->output);
	snprintf(at, sizeof(at), "@%s", self->name);
	EXPECT_EQ(-ECONNREFUSED, client(at));
}

TEST_F(serve, autobound_name_refused)
{
	ASSERT_EQ(0, run(self, false, NULL, "listen-autobind", NULL));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_TRUE(self->served);

	ASSERT_EQ(0, run(self, true, app_sandbox, "listen-autobind", NULL));
	EXPECT_FALSE(self->served) TH_LOG("HOLE: an outside client reached it: %s", self->output);
	EXPECT_EQ(PROBE_REFUSED, self->status) TH_LOG("%s", self->output);
}

TEST_F(serve, pathname_outside_the_grants_refused)
{
	char sock[PATH_MAX + 32];

	snprintf(sock, sizeof(sock), "%s/c.sock", self->out);
	ASSERT_EQ(0, run(self, false, NULL, "listen-path", sock));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_TRUE(self->served);
	ASSERT_EQ(0, unlink(sock));

	ASSERT_EQ(0, run(self, true, app_sandbox, "listen-path", sock));
	EXPECT_FALSE(self->served) TH_LOG("HOLE: %s", self->output);
	EXPECT_EQ(PROBE_REFUSED, self->status) TH_LOG("%s", self->output);
	EXPECT_NE(0, access(sock, F_OK));
}

/*
 * atk6u A: no bind at all. SO_PASSCRED makes connect() autobind the socket to @XXXXX before
 * the peer is looked up; a connect that then fails leaves it bound, and listen() serves
 * it. A seqpacket socket dialling a stream listener fails (EPROTOTYPE) on every kernel,
 * the supervisor's connect below ABI 9 included; a path that does not exist fails
 * (ENOENT) in the kernel from ABI 9, and in the supervisor, before any autobind, below.
 */
static void passcred_refused(struct __test_metadata *_metadata, FIXTURE_DATA(serve) * self,
			     const char *technique, const char *const *opts)
{
	char sock[PATH_MAX + 32];

	ASSERT_EQ(0, run(self, false, NULL, technique, "@TMPDIR/pc.sock"));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_TRUE(self->served);
	snprintf(sock, sizeof(sock), "%s/pc.sock", self->tmp);
	unlink(sock); /* the control's listener, where it made one */

	ASSERT_EQ(0, run(self, true, opts, technique, "@TMPDIR/pc.sock"));
	EXPECT_FALSE(self->served) TH_LOG("HOLE: an outside client reached it: %s", self->output);
	EXPECT_EQ(PROBE_REFUSED, self->status) TH_LOG("%s", self->output);
}

TEST_F(serve, passcred_autobound_name_refused)
{
	passcred_refused(_metadata, self, "listen-passcred", app_sandbox);
}

TEST_F(serve, passcred_autobound_name_refused_on_a_failed_path)
{
	passcred_refused(_metadata, self, "listen-passcred-enoent", app_sandbox);
}

TEST_F(serve, passcred_autobound_name_refused_with_network_client)
{
	passcred_refused(_metadata, self, "listen-passcred", client_opts);
}

/* ---- G: the program's own confinement, which the supervisor must not undo ---- */

static void own_confinement_holds(struct __test_metadata *_metadata, FIXTURE_DATA(serve) * self,
				  const char *technique)
{
	/* The sbx control: under sbx, this program's plain TCP connect is carried out. */
	ASSERT_EQ(0, run(self, true, client_opts, "tcp-connect", self->port));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	ASSERT_EQ(1, tcp_accepted(self->tcp_fd));

	/* The control: unconfined, the program's own Landlock refuses it. */
	ASSERT_EQ(0, run(self, false, NULL, technique, self->port));
	if (self->status == PROBE_UNSUPPORTED)
		SKIP(return, "Landlock TCP rules need ABI 4: %.200s", self->output);
	ASSERT_EQ(PROBE_REFUSED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_EQ(0, tcp_accepted(self->tcp_fd));

	ASSERT_EQ(0, run(self, true, client_opts, technique, self->port));
	EXPECT_EQ(PROBE_REFUSED, self->status)
	TH_LOG("HOLE: sbx's supervisor connected for a program that refused itself: %s",
	       self->output);
	EXPECT_EQ(0, tcp_accepted(self->tcp_fd));
}

TEST_F(serve, own_landlock_connect_not_undone)
{
	own_confinement_holds(_metadata, self, "selfll-connect");
}

TEST_F(serve, own_landlock_connect_not_undone_in_a_child)
{
	own_confinement_holds(_metadata, self, "selfll-fork-connect");
}

TEST_F(serve, own_landlock_connect_not_undone_in_an_orphan)
{
	own_confinement_holds(_metadata, self, "selfll-orphan-connect");
}

TEST_F(serve, own_landlock_bind_not_undone)
{
	/* The control: unconfined, its own Landlock (MAKE_SOCK, no rule) refuses the bind. */
	ASSERT_EQ(0, run(self, false, NULL, "selfll-bind", "@TMPDIR/g.sock"));
	ASSERT_EQ(PROBE_REFUSED, self->status) TH_LOG("control: %s", self->output);

	ASSERT_EQ(0, run(self, true, app_sandbox, "selfll-bind", "@TMPDIR/g.sock"));
	EXPECT_EQ(PROBE_REFUSED, self->status)
	TH_LOG("HOLE: sbx's supervisor bound for a program that refused itself: %s", self->output);
}

/* ---- what must keep working ---- */

TEST_F(serve, pathname_socket_in_the_container_served)
{
	ASSERT_EQ(0, run(self, true, app_sandbox, "listen-path", "@TMPDIR/ok.sock"));
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	EXPECT_TRUE(self->served);
}

/* A client may serve a pathname socket in its grants too (listen went to the supervisor). */
TEST_F(serve, pathname_socket_in_the_container_served_with_network_client)
{
	ASSERT_EQ(0, run(self, true, client_opts, "listen-path", "@TMPDIR/ok.sock"));
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	EXPECT_TRUE(self->served);
}

TEST_F(serve, abstract_name_served_with_network_server)
{
	ASSERT_EQ(0, run(self, true, server_opts, "listen-abstract", self->name));
	/* sbx refuses (125) a server profile where Landlock cannot confine its ports. */
	if (self->status == 125 && strstr(self->output, "lacks landlock.net.tcp"))
		SKIP(return, "Landlock TCP rules need ABI 4: %.200s", self->output);
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	EXPECT_TRUE(self->served);
}

/*
 * atk6u U: a UDP client (glibc's resolver connects, musl's and QUIC's send unconnected)
 * keeps working under network.client on every kernel. From Landlock ABI 10 the kernel
 * checks the implicit bind of a first connect or sendto as bind(0) (BIND_UDP), which a
 * network.client profile handles; its port-0 rule is what lets the client run.
 */
static void udp_client_answered(struct __test_metadata *_metadata, FIXTURE_DATA(serve) * self,
				const char *technique)
{
	ASSERT_EQ(0, run(self, false, NULL, technique, self->udp_port));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);

	ASSERT_EQ(0, run(self, true, client_opts, technique, self->udp_port));
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
}

TEST_F(serve, udp_client_connected_answered_with_network_client)
{
	udp_client_answered(_metadata, self, "udp-connect");
}

TEST_F(serve, udp_client_unconnected_answered_with_network_client)
{
	udp_client_answered(_metadata, self, "udp-sendto");
}

TEST_HARNESS_MAIN
