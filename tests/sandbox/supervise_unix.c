// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unix connect under the supervisor, where Landlock cannot govern pathname unix sockets
 * (ABI < 9: this host and every Debian kernel). The filter sends connect() to the
 * supervisor; a pathname socket is connected only beneath a rule granting RESOLVE_UNIX,
 * through the object the supervisor resolved; other families are connected by the
 * executor, inside the program's Landlock domain, so its TCP rules still hold. Each case
 * has its unconfined control; the races (a thread rewriting the address, a symlink swapped
 * under it) must never reach the socket outside.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "supervise_fixture.h"

FIXTURE(unix_connect)
{
	struct sup_env e;
	char in_sock[PATH_MAX + 64], out_sock[PATH_MAX + 64];
	int in_fd, out_fd;
};

static int listen_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096))
		return -1;
	return fd;
}

/* How many connections reached the listener (each accepted and closed). */
static int accepted(int fd)
{
	int n = 0, c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

FIXTURE_SETUP(unix_connect)
{
	struct sup_env *e = &self->e;

	ASSERT_EQ(0, sup_env_setup(e));
	/* The grant's rule is the 7th (system dirs, helper dir, then the grant). */
	ASSERT_STREQ(e->grant, e->fs[6].path);
	e->fs[6].access |= LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
	e->plan.landlock.handled_fs |= LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
	/*
	 * The compiler gives connect below_abi 9; 0 forces the rule on this kernel too (Linux
	 * 7.x has ABI 9+), so the supervisor's decision is proven wherever the suite runs.
	 */
	sup_env_rule(e, "connect", 0);
	snprintf(self->in_sock, sizeof(self->in_sock), "%s/sock", e->grant);
	snprintf(self->out_sock, sizeof(self->out_sock), "%s/sock", e->out);
	self->in_fd = listen_at(self->in_sock);
	self->out_fd = listen_at(self->out_sock);
	ASSERT_LE(0, self->in_fd);
	ASSERT_LE(0, self->out_fd);
}

FIXTURE_TEARDOWN(unix_connect)
{
	close(self->in_fd);
	close(self->out_fd);
	sbx_rmtree(self->e.root);
}

static int run2(struct sup_env *e, bool confined, const char *act, const char *arg)
{
	char *argv[] = { "meta_probe", (char *)act, (char *)arg, NULL };

	return sup_env_run(e, confined, argv);
}

TEST_F(unix_connect, pathname_inside_carried_out_outside_refused)
{
	struct sup_env *e = &self->e;

	/* The control: unconfined, the socket outside any grant answers. */
	ASSERT_EQ(0, run2(e, false, "connect", self->out_sock));
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);
	ASSERT_EQ(1, accepted(self->out_fd));

	ASSERT_EQ(0, run2(e, true, "connect", self->in_sock));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	EXPECT_EQ(1, accepted(self->in_fd));
	EXPECT_EQ(0, e->seen.n);

	ASSERT_EQ(0, run2(e, true, "connect", self->out_sock));
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ("refused: EACCES\n", e->output);
	EXPECT_EQ(0, accepted(self->out_fd));
	ASSERT_EQ(1, e->seen.n);
	EXPECT_NE(NULL, strstr(e->seen.last.call, "unix socket outside the grants"));
}

/* A relative address is resolved from the program's working directory, not sbx's. */
TEST_F(unix_connect, relative_address_from_the_programs_cwd)
{
	struct sup_env *e = &self->e;
	char rel[PATH_MAX + 64];

	/* The helper runs with sbx's cwd; name the socket relative to it. */
	ASSERT_EQ(0, chdir(e->root));
	snprintf(rel, sizeof(rel), "grant/sock");
	ASSERT_EQ(0, run2(e, true, "connect", rel));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	EXPECT_EQ(1, accepted(self->in_fd));
	snprintf(rel, sizeof(rel), "out/sock");
	ASSERT_EQ(0, run2(e, true, "connect", rel));
	EXPECT_EQ(3, e->status);
	EXPECT_EQ(0, accepted(self->out_fd));
	ASSERT_EQ(0, chdir("/"));
}

TEST_F(unix_connect, abstract_refused)
{
	struct sup_env *e = &self->e;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char name[64];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	socklen_t len;

	snprintf(name, sizeof(name), "sbx-test-%d", (int)getpid());
	memcpy(a.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(fd, 16));
	ASSERT_EQ(0, run2(e, false, "connect-abstract", name)); /* the control */
	ASSERT_EQ(0, e->status) TH_LOG("%s", e->output);
	ASSERT_EQ(0, run2(e, true, "connect-abstract", name));
	EXPECT_EQ(3, e->status);
	EXPECT_EQ(1, accepted(fd)); /* the control's, and nothing more */
	close(fd);
}

/* Another family is connected by the executor, with the program's Landlock TCP rules. */
TEST_F(unix_connect, tcp_connect_carried_out_with_landlock_rules)
{
	struct sup_env *e = &self->e;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char port[16];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(fd, 16));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&a, &len));
	snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
	ASSERT_EQ(0, run2(e, true, "connect-tcp", port));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	ASSERT_EQ(0, run2(e, true, "connect-tcp-nonblock", port));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	EXPECT_EQ(2, accepted(fd));
	if (landlock_abi_version() < 4) {
		close(fd);
		SKIP(return, "Landlock TCP rules need ABI 4");
	}
	/* Landlock handles TCP connect with no port granted: the executor is refused too. */
	e->plan.landlock.handled_net = LANDLOCK_ACCESS_NET_CONNECT_TCP;
	ASSERT_EQ(0, run2(e, true, "connect-tcp", port));
	EXPECT_EQ(3, e->status);
	EXPECT_STREQ("refused: EACCES\n", e->output);
	EXPECT_EQ(0, accepted(fd));
	close(fd);
}

TEST_F_TIMEOUT(unix_connect, race_rewriting_the_address_never_wins, 120)
{
	struct sup_env *e = &self->e;
	char *argv[] = { "meta_probe", "race-connect", self->in_sock, self->out_sock, NULL };

	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	TH_LOG("%s", e->output);
	EXPECT_EQ(0, accepted(self->out_fd));
	/* How many reached the socket inside depends on scheduling: logged, not asserted. */
}

TEST_F_TIMEOUT(unix_connect, race_swapping_a_symlink_never_wins, 120)
{
	struct sup_env *e = &self->e;
	char link[PATH_MAX + 64];
	char *argv[] = { "meta_probe",	"race-connect-link", link,
			 self->in_sock, self->out_sock,	     NULL };

	snprintf(link, sizeof(link), "%s/link", e->grant);
	ASSERT_EQ(0, symlink(self->in_sock, link));
	ASSERT_EQ(0, sup_env_run(e, true, argv));
	EXPECT_EQ(0, e->status) TH_LOG("%s", e->output);
	TH_LOG("%s", e->output);
	EXPECT_EQ(0, accepted(self->out_fd));
}

TEST_HARNESS_MAIN
