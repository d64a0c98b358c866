// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A unix socket of the sandbox reachable by a name no checked bind gave it (kdgram), by
 * datagram sockets, which need no listen: once named, any process of any uid can send to
 * one that is not connected. A unix socket gets a name by bind (a path, an abstract name,
 * or the family alone: autobind) and by the kernel's autobind when SO_PASSCRED or
 * SO_PASSPIDFD is set on a socket without a name: in connect (datagram, stream and
 * seqpacket) and in sendmsg (datagram; seqpacket only once connected), before the address
 * is looked up, so a send that fails leaves the socket named and unconnected. Landlock's
 * LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6) does not help: it checks the sender's domain,
 * and an outside sender has none.
 *
 * Each escape: the probe unconfined (the control, which must be reached) and under sbx
 * (serve_fixture.h). Below Landlock ABI 9 sbx refuses datagram unix sockets altogether
 * (they send to any pathname socket there), so there the escapes end at socket() and
 * what must keep working SKIPs; the holes were open from ABI 9 (sid's 7.2).
 *
 * And what must keep working: a datagram client of a socket outside (syslog(3),
 * journald's clients), SO_PASSCRED on a datagram socket bound to a path in the grants, a
 * stream client with SO_PASSCRED (sd-bus), and a datagram name with network.server.
 */
#include "serve_fixture.h"

#define TH_REFUSED_DGRAM "refused: socket(AF_UNIX, SOCK_DGRAM)"

static int landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* Below ABI 9 sbx makes no datagram unix socket at all: nothing of this file to prove. */
static bool no_dgram_here(FIXTURE_DATA(serve) * self)
{
	return self->status == PROBE_REFUSED && strstr(self->output, TH_REFUSED_DGRAM) &&
	       landlock_abi() < 9;
}

/* Reached by an outside process unconfined (the control); refused, not reached, confined. */
static void name_refused(struct __test_metadata *_metadata, FIXTURE_DATA(serve) * self,
			 const char *technique, const char *arg, const char *const *opts)
{
	ASSERT_EQ(0, run(self, false, NULL, technique, arg));
	if (self->status == PROBE_UNSUPPORTED)
		SKIP(return, "the kernel lacks it: %.200s", self->output);
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_TRUE(self->served);

	ASSERT_EQ(0, run(self, true, opts, technique, arg));
	EXPECT_FALSE(self->served) TH_LOG("HOLE: an outside process reached it: %s", self->output);
	EXPECT_EQ(PROBE_REFUSED, self->status) TH_LOG("%s", self->output);
	if (landlock_abi() >= 9) /* below, socket() is refused first */
		EXPECT_EQ(NULL, strstr(self->output, TH_REFUSED_DGRAM)) TH_LOG("%s", self->output);
}

/* The datagram socket journald's and syslog's clients use, with SO_PASSCRED: named on send. */
TEST_F(serve, dgram_passcred_autobound_on_send_refused)
{
	name_refused(_metadata, self, "dgram-passcred-sendto", "@TMPDIR/none.sock", app_sandbox);
}

TEST_F(serve, dgram_passcred_autobound_on_connect_refused)
{
	name_refused(_metadata, self, "dgram-passcred-connect", "@TMPDIR/none.sock", app_sandbox);
}

TEST_F(serve, dgram_passpidfd_autobound_on_send_refused)
{
	name_refused(_metadata, self, "dgram-passpidfd-sendto", "@TMPDIR/none.sock", app_sandbox);
}

TEST_F(serve, dgram_passcred_autobound_refused_with_network_client)
{
	name_refused(_metadata, self, "dgram-passcred-sendto", "@TMPDIR/none.sock", client_opts);
}

TEST_F(serve, dgram_autobind_refused)
{
	name_refused(_metadata, self, "dgram-autobind", NULL, app_sandbox);
}

/* A seqpacket socket named by autobind serves only through listen, which is refused. */
TEST_F(serve, seqpacket_autobind_refused)
{
	name_refused(_metadata, self, "seqpacket-autobind", NULL, app_sandbox);
}

/* ---- what must keep working ---- */

/* SO_PASSCRED on a socket bound to a path in the grants: the name stays that path. */
TEST_F(serve, dgram_passcred_on_a_pathname_socket_served)
{
	ASSERT_EQ(0, run(self, true, app_sandbox, "dgram-passcred-bound", "@TMPDIR/d.sock"));
	if (no_dgram_here(self))
		SKIP(return, "sbx refuses datagram unix sockets below Landlock ABI 9");
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	EXPECT_TRUE(self->served);
}

TEST_F(serve, dgram_autobound_name_served_with_network_server)
{
	ASSERT_EQ(0, run(self, true, server_opts, "dgram-passcred-sendto", "@TMPDIR/none.sock"));
	if (self->status == 125 && strstr(self->output, "lacks landlock.net.tcp"))
		SKIP(return, "Landlock TCP rules need ABI 4: %.200s", self->output);
	if (no_dgram_here(self))
		SKIP(return, "sbx refuses datagram unix sockets below Landlock ABI 9");
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	EXPECT_TRUE(self->served);
}

/* A client of a socket outside (the test's, in the program's tmp): control, then confined. */
static void client_reaches_outside(struct __test_metadata *_metadata, FIXTURE_DATA(serve) * self,
				   const char *technique, int type)
{
	self->in_type = type;
	ASSERT_EQ(0, run(self, false, NULL, technique, NULL));
	ASSERT_EQ(PROBE_WORKED, self->status) TH_LOG("control: %s", self->output);
	ASSERT_LE(0, self->in_fd);
	ASSERT_EQ(1, outside_end_reached(self->in_fd, type));
	close(self->in_fd);
	self->in_fd = -1;

	ASSERT_EQ(0, run(self, true, app_sandbox, technique, NULL));
	if (no_dgram_here(self))
		SKIP(return, "sbx refuses datagram unix sockets below Landlock ABI 9");
	EXPECT_EQ(PROBE_WORKED, self->status) TH_LOG("%s", self->output);
	ASSERT_LE(0, self->in_fd) TH_LOG("%s", self->output);
	EXPECT_EQ(1, outside_end_reached(self->in_fd, type));
}

TEST_F(serve, dgram_client_sends_outside)
{
	client_reaches_outside(_metadata, self, "dgram-send", SOCK_DGRAM);
}

TEST_F(serve, stream_client_with_passcred_connects_outside)
{
	client_reaches_outside(_metadata, self, "stream-passcred-connect", SOCK_STREAM);
}

TEST_HARNESS_MAIN
