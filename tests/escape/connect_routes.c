// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A connection out without network.client, by any call that implies a destination (atk7u
 * N1): the calls that connect are an allow-list, not the connect syscall. sendto, sendmsg
 * and sendmmsg with MSG_FASTOPEN connect in the send (tcp_sendmsg_fastopen ->
 * __inet_stream_connect), past the socket_connect LSM hook Landlock's CONNECT_TCP sits on
 * (kernels without landlock-lsm/linux#41: 6.18.44 here) and past the connect syscall
 * seccomp hands the supervisor below ABI 9. TCP_FASTOPEN_CONNECT defers connect(2)'s SYN
 * to the first write; a UDP datagram names its destination itself.
 *
 * An outside listener on 127.0.0.1 (a child of this test: TCP and UDP, it reports each
 * arrival on a pipe before it answers) and bin/connect_probe ROUTE PORT, which sends and
 * waits for the answer. The control, unconfined, reaches it; under `sbx run --profile
 * data/app-sandbox.yaml --allow network.server` (a server, no client) the listener must
 * receive nothing. With network.client each route works (no regression for clients).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

FIXTURE(connect_routes)
{
	char dir[PATH_MAX];
	char home[PATH_MAX + 16], xdg[PATH_MAX + 16];
	char tcp_port[8], udp_port[8];
	pid_t listener;
	int arrivals; /* read end: one line per connection or datagram the listener got */
};

FIXTURE_VARIANT(connect_routes)
{
	const char *route;
	bool udp;
	const char *allow; /* the entitlement the confined run gets */
	bool works; /* with it the route must reach the listener (a client's route) */
};

FIXTURE_VARIANT_ADD(connect_routes, connect_without_client){
	.route = "connect",
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, sendto_fastopen_without_client){
	.route = "sendto-fastopen",
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, sendmsg_fastopen_without_client){
	.route = "sendmsg-fastopen",
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, sendmmsg_fastopen_without_client){
	.route = "sendmmsg-fastopen",
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, fastopen_connect_option_without_client){
	.route = "fastopen-connect",
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, udp_sendto_without_client){
	.route = "udp-sendto",
	.udp = true,
	.allow = "network.server",
};
FIXTURE_VARIANT_ADD(connect_routes, sendto_fastopen_with_client){
	.route = "sendto-fastopen",
	.allow = "network.client",
	.works = true,
};
FIXTURE_VARIANT_ADD(connect_routes, sendmsg_fastopen_with_client){
	.route = "sendmsg-fastopen",
	.allow = "network.client",
	.works = true,
};
FIXTURE_VARIANT_ADD(connect_routes, sendmmsg_fastopen_with_client){
	.route = "sendmmsg-fastopen",
	.allow = "network.client",
	.works = true,
};
FIXTURE_VARIANT_ADD(connect_routes, fastopen_connect_option_with_client){
	.route = "fastopen-connect",
	.allow = "network.client",
	.works = true,
};

static int bound(int type, char *port, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 16)) || getsockname(fd, (struct sockaddr *)&a, &al))
		return -1;
	snprintf(port, len, "%u", ntohs(a.sin_port));
	return fd;
}

/* The outside party: reports each arrival on report, then answers it. */
static void listen_outside(int tcp, int udp, int report)
{
	struct pollfd p[2] = { { .fd = tcp, .events = POLLIN }, { .fd = udp, .events = POLLIN } };
	char buf[256];

	for (;;) {
		if (poll(p, 2, -1) < 0)
			_exit(1);
		if (p[0].revents) {
			int c = accept4(tcp, NULL, NULL, SOCK_CLOEXEC);
			ssize_t n = c < 0 ? -1 : read(c, buf, sizeof(buf));

			if (c >= 0) {
				dprintf(report, "tcp %zd\n", n);
				(void)!write(c, "answer\n", 7);
				close(c);
			}
		}
		if (p[1].revents) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n =
				recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (n >= 0) {
				dprintf(report, "udp %zd\n", n);
				sendto(udp, "answer\n", 7, 0, (struct sockaddr *)&from, fl);
			}
		}
	}
}

FIXTURE_SETUP(connect_routes)
{
	int tcp, udp, p[2];

	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->xdg, sizeof(self->xdg), "%s/xdg", self->dir);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, mkdir(self->xdg, 0700));
	tcp = bound(SOCK_STREAM, self->tcp_port, sizeof(self->tcp_port));
	udp = bound(SOCK_DGRAM, self->udp_port, sizeof(self->udp_port));
	ASSERT_LE(0, tcp);
	ASSERT_LE(0, udp);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	self->listener = fork();
	ASSERT_LE(0, self->listener);
	if (self->listener == 0) {
		close(p[0]);
		listen_outside(tcp, udp, p[1]);
	}
	close(p[1]);
	close(tcp);
	close(udp);
	self->arrivals = p[0];
	ASSERT_EQ(0, fcntl(self->arrivals, F_SETFL, O_NONBLOCK));
}

FIXTURE_TEARDOWN(connect_routes)
{
	kill(self->listener, SIGKILL);
	waitpid(self->listener, NULL, 0);
	close(self->arrivals);
	sbx_rmtree(self->dir);
}

/*
 * What reached the listener since the last call. Never early: the listener reports an
 * arrival before it answers, and the probe waits for the answer; a refused probe sent
 * nothing.
 */
static int arrived(FIXTURE_DATA(connect_routes) * self, char *buf, size_t len)
{
	ssize_t n = read(self->arrivals, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (int)n : 0;
}

static int run(FIXTURE_DATA(connect_routes) * self, const FIXTURE_VARIANT(connect_routes) * v,
	       bool confined, struct sbx_cmd_result *r)
{
	char env_home[PATH_MAX + 32], env_xdg[PATH_MAX + 32], env_path[4096], probe[PATH_MAX + 64];
	char *envp[] = { env_path, env_home, env_xdg, NULL };
	const char *path = getenv("PATH");
	char *args[8];
	int a = 0;

	snprintf(env_home, sizeof(env_home), "HOME=%s", self->home);
	snprintf(env_xdg, sizeof(env_xdg), "XDG_DATA_HOME=%s", self->xdg);
	snprintf(env_path, sizeof(env_path), "PATH=%s", path ? path : "/usr/bin:/bin");
	snprintf(probe, sizeof(probe), "%s", sbx_test_helper("connect_probe"));
	if (confined) {
		char profile[PATH_MAX];

		snprintf(profile, sizeof(profile), "%s%s", sbx_src(), PROFILE);
		args[a++] = "--allow";
		args[a++] = (char *)v->allow;
		args[a++] = "--";
		args[a++] = probe;
		args[a++] = (char *)v->route;
		args[a++] = v->udp ? self->udp_port : self->tcp_port;
		args[a] = NULL;
		return sbx_run_profile(profile, args, envp, r);
	}
	args[a++] = probe;
	args[a++] = (char *)v->route;
	args[a++] = v->udp ? self->udp_port : self->tcp_port;
	args[a] = NULL;
	return sbx_run_capture_env(args, envp, r);
}

TEST_F(connect_routes, listener_reached_only_with_network_client)
{
	static struct sbx_cmd_result r;
	char got[256];

	ASSERT_EQ(0, run(self, variant, false, &r));
	TH_LOG("control: %s%s", r.out, r.err);
	if (r.status == PROBE_UNSUPPORTED)
		SKIP(return, "the kernel lacks it unconfined (net.ipv4.tcp_fastopen without the "
			     "client bit?)");
	ASSERT_EQ(PROBE_ESCAPED, r.status) TH_LOG("the control must reach the listener");
	ASSERT_LT(0, arrived(self, got, sizeof(got))) TH_LOG("the listener saw no control");

	ASSERT_EQ(0, run(self, variant, true, &r));
	TH_LOG("confined (--allow %s): %s%s", variant->allow, r.out, r.err);
	if (!strstr(r.out, "connect-probe: ")) {
		/* sbx refused to start it (bookworm: no landlock.net.tcp): nothing ran. */
		if (variant->works)
			SKIP(return, "sbx runs no network profile on this kernel (above)");
		EXPECT_EQ(0, arrived(self, got, sizeof(got)));
		return;
	}
	if (variant->works) {
		EXPECT_EQ(PROBE_ESCAPED, r.status) TH_LOG("a client's route must work");
		EXPECT_LT(0, arrived(self, got, sizeof(got)));
		return;
	}
	EXPECT_EQ(PROBE_REFUSED, r.status)
	TH_LOG("HOLE: %s reached the outside listener without network.client", variant->route);
	EXPECT_EQ(0, arrived(self, got, sizeof(got))) TH_LOG("HOLE: the listener got %s", got);
}

TEST_HARNESS_MAIN
