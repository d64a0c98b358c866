// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serving outside processes, and a program's own confinement undone by sbx's supervisor
 * (atk5u C and G), by stream and seqpacket listeners (serve_fixture.h says how each
 * escape runs; datagram sockets are serve_dgram.c's).
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
#include "serve_fixture.h"

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
