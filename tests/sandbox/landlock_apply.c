// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * landlock_apply_plan() on the running kernel, with plans built here by hand: each
 * denial has its control (the same act allowed by a rule, or done unconfined), and each
 * feature a kernel lacks is a SKIP with the ABI it needs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "landlock_fixture.h"

static int act_write(void *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int act_exec(void *path)
{
	pid_t pid = fork();
	int ws;

	if (pid == 0) {
		char *argv[] = { path, NULL };
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(path, argv);
		_exit(errno);
	}
	if (waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws))
		return 250;
	return WEXITSTATUS(ws);
}

static int act_truncate(void *path)
{
	return truncate(path, 0) ? errno : 0;
}

static int act_rename(void *paths)
{
	char **p = paths;

	return rename(p[0], p[1]) ? errno : 0;
}

FIXTURE(landlock_fs)
{
	char root[PATH_MAX], ro[PATH_MAX + 8], rw[PATH_MAX + 8], secret[PATH_MAX + 16];
	char ro_file[PATH_MAX + 16], rw_file[PATH_MAX + 16];
	struct sbx_fs_rule rules[6];
	struct sbx_landlock_plan plan;
	int abi;
};

FIXTURE_SETUP(landlock_fs)
{
	self->abi = landlock_abi_version();
	if (self->abi < 1)
		SKIP(return, "Landlock is unavailable on this kernel");
	ASSERT_NE(NULL, sbx_mkdtemp(self->root, sizeof(self->root)));
	snprintf(self->ro, sizeof(self->ro), "%s/ro", self->root);
	snprintf(self->rw, sizeof(self->rw), "%s/rw", self->root);
	snprintf(self->secret, sizeof(self->secret), "%s/id_rsa", self->root);
	snprintf(self->ro_file, sizeof(self->ro_file), "%s/data", self->ro);
	snprintf(self->rw_file, sizeof(self->rw_file), "%s/out", self->rw);
	ASSERT_EQ(0, mkdir(self->ro, 0700));
	ASSERT_EQ(0, mkdir(self->rw, 0700));
	ASSERT_EQ(0, make_file(self->ro_file, "data\n"));
	ASSERT_EQ(0, make_file(self->secret, ""));
	self->rules[0] = (struct sbx_fs_rule){ .path = "/usr", .access = RX, .min_abi = 1 };
	self->rules[1] = (struct sbx_fs_rule){ .path = "/lib", .access = RX, .if_exists = true };
	/* /bin is /usr/bin on merged-/usr hosts, a directory of its own elsewhere (busybox). */
	self->rules[5] = (struct sbx_fs_rule){ .path = "/bin", .access = RX, .if_exists = true };
	self->rules[2] = (struct sbx_fs_rule){ .path = "/lib64", .access = RX, .if_exists = true };
	self->rules[3] = (struct sbx_fs_rule){ .path = self->ro, .access = RO };
	self->rules[4] = (struct sbx_fs_rule){ .path = self->rw,
					       .access = landlock_fs_mask(self->abi) &
							 ~LANDLOCK_ACCESS_FS_EXECUTE };
	self->plan = (struct sbx_landlock_plan){
		.enabled = true,
		.handled_fs = landlock_fs_mask(SBX_LANDLOCK_ABI_MAX),
		.fs = self->rules,
		.n_fs = 6,
	};
}

FIXTURE_TEARDOWN(landlock_fs)
{
	if (self->root[0])
		sbx_rmtree(self->root);
}

TEST_F(landlock_fs, read_granted_allowed)
{
	ASSERT_EQ(0, in_sandbox(&self->plan, act_read, self->ro_file));
}

TEST_F(landlock_fs, read_outside_denied)
{
	ASSERT_EQ(0, in_sandbox(NULL, act_read, self->secret)); /* control */
	ASSERT_EQ(EACCES, in_sandbox(&self->plan, act_read, self->secret));
}

TEST_F(landlock_fs, write_granted_allowed)
{
	ASSERT_EQ(0, in_sandbox(&self->plan, act_write, self->rw_file));
}

TEST_F(landlock_fs, write_read_only_denied)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/new", self->ro);
	ASSERT_EQ(0, in_sandbox(NULL, act_write, path)); /* control */
	unlink(path);
	ASSERT_EQ(EACCES, in_sandbox(&self->plan, act_write, path));
	ASSERT_NE(0, access(path, F_OK));
}

TEST_F(landlock_fs, exec_granted_allowed)
{
	ASSERT_EQ(0, in_sandbox(&self->plan, act_exec, "/bin/true"));
}

TEST_F(landlock_fs, exec_without_execute_right_denied)
{
	self->rules[0].access = RO; /* /usr and /bin readable, not executable */
	self->rules[5].access = RO;
	ASSERT_EQ(0, in_sandbox(NULL, act_exec, "/bin/true")); /* control */
	ASSERT_EQ(EACCES, in_sandbox(&self->plan, act_exec, "/bin/true"));
}

TEST_F(landlock_fs, missing_rule_path_fails_before_enforcing)
{
	struct sbx_diag d = { 0 };
	int fd;

	self->rules[3].path = "/nonexistent/sbx-test";
	fd = landlock_build_ruleset(&self->plan, self->abi, &d);
	ASSERT_EQ(-ENOENT, fd);
	ASSERT_NE(NULL, strstr(d.msg, "/nonexistent/sbx-test"));
	self->rules[3].if_exists = true; /* an optional system path is skipped */
	fd = landlock_build_ruleset(&self->plan, self->abi, &d);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(landlock_fs, truncate_read_only_denied)
{
	if (self->abi < 3)
		SKIP(return, "TRUNCATE needs Landlock ABI 3, kernel has %d", self->abi);
	self->rules[3].access = RO | LANDLOCK_ACCESS_FS_WRITE_FILE; /* write but not truncate */
	ASSERT_EQ(0, in_sandbox(NULL, act_truncate, self->secret)); /* control */
	ASSERT_EQ(EACCES, in_sandbox(&self->plan, act_truncate, self->ro_file));
	self->rules[3].access |= LANDLOCK_ACCESS_FS_TRUNCATE;
	ASSERT_EQ(0, in_sandbox(&self->plan, act_truncate, self->ro_file));
}

TEST_F(landlock_fs, rename_out_of_granted_dir_denied)
{
	char dst[PATH_MAX + 32], src[PATH_MAX + 32];
	char *paths[] = { src, dst };

	snprintf(src, sizeof(src), "%s/moved", self->rw);
	snprintf(dst, sizeof(dst), "%s/moved", self->root);
	ASSERT_EQ(0, in_sandbox(&self->plan, act_write, src));
	ASSERT_NE(0, in_sandbox(&self->plan, act_rename, paths));
	ASSERT_EQ(0, access(src, F_OK));
	ASSERT_EQ(0, in_sandbox(NULL, act_rename, paths)); /* control */
}

TEST(fit_reports_each_drop)
{
	struct sbx_landlock_plan p = {
		.enabled = true,
		.handled_fs = landlock_fs_mask(SBX_LANDLOCK_ABI_MAX),
		.handled_net = landlock_net_mask(SBX_LANDLOCK_ABI_MAX),
		.scoped = landlock_scope_mask(SBX_LANDLOCK_ABI_MAX),
	};
	struct sbx_enforcement e = { 0 };
	const struct sbx_feature_state *s;

	landlock_fit_plan(&p, 2, &e);
	s = sbx_enforcement_find(&e, "landlock.refer");
	ASSERT_TRUE(s && s->enforced);
	s = sbx_enforcement_find(&e, "landlock.scope");
	ASSERT_TRUE(s && s->wanted && !s->enforced && s->security);
	ASSERT_STREQ("needs Landlock ABI 6, kernel has 2", s->why);
	s = sbx_enforcement_find(&e, "landlock.net.tcp");
	ASSERT_TRUE(s && !s->enforced);
	ASSERT_TRUE(sbx_enforcement_has_drop(&e, true));
	memset(&e, 0, sizeof(e));
	landlock_fit_plan(&p, SBX_LANDLOCK_ABI_MAX, &e);
	ASSERT_FALSE(sbx_enforcement_has_drop(&e, false));
}

TEST(abi_table_grows)
{
	ASSERT_EQ(0ULL, landlock_fs_mask(1) & LANDLOCK_ACCESS_FS_REFER);
	ASSERT_NE(0ULL, landlock_fs_mask(2) & LANDLOCK_ACCESS_FS_REFER);
	ASSERT_EQ(0ULL, landlock_net_mask(3));
	ASSERT_EQ(0ULL, landlock_net_mask(9) & LANDLOCK_ACCESS_NET_BIND_UDP);
	ASSERT_NE(0ULL, landlock_net_mask(10) & LANDLOCK_ACCESS_NET_BIND_UDP);
	ASSERT_EQ(0ULL, landlock_scope_mask(5));
	ASSERT_EQ(8UL, landlock_ruleset_attr_size(3));
	ASSERT_EQ(16UL, landlock_ruleset_attr_size(4));
	ASSERT_EQ(24UL, landlock_ruleset_attr_size(6));
	ASSERT_EQ(48UL, landlock_ruleset_attr_size(10));
	ASSERT_EQ(landlock_fs_mask(10), landlock_fs_mask(99));
}

/* ---- network (ABI 4) ---- */

static int listen_on_loopback(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* A TCP socket and the loopback address at *portp, for the acts below. */
static int loopback_socket(const void *portp, struct sockaddr_in *a)
{
	*a = (struct sockaddr_in){ .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons(*(const uint16_t *)portp) };
	return socket(AF_INET, SOCK_STREAM, 0);
}

static int act_connect(void *portp)
{
	struct sockaddr_in a;
	int fd = loopback_socket(portp, &a);

	if (fd < 0)
		return errno;
	return connect(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

static int act_bind(void *portp)
{
	struct sockaddr_in a;
	int fd = loopback_socket(portp, &a);

	if (fd < 0)
		return errno;
	return bind(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

TEST(tcp_connect_only_granted_port)
{
	uint16_t granted, other;
	int a = listen_on_loopback(&granted), b = listen_on_loopback(&other);
	struct sbx_net_rule rule = { .port = 0,
				     .access = LANDLOCK_ACCESS_NET_CONNECT_TCP,
				     .min_abi = 4 };
	struct sbx_landlock_plan p = { .enabled = true,
				       .handled_net = LANDLOCK_ACCESS_NET_CONNECT_TCP |
						      LANDLOCK_ACCESS_NET_BIND_TCP,
				       .net = &rule,
				       .n_net = 1 };

	if (landlock_abi_version() < 4)
		SKIP(return, "TCP rules need Landlock ABI 4, kernel has %d",
			   landlock_abi_version());
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	rule.port = granted;
	ASSERT_EQ(0, in_sandbox(NULL, act_connect, &other)); /* control */
	ASSERT_EQ(0, in_sandbox(&p, act_connect, &granted));
	ASSERT_EQ(EACCES, in_sandbox(&p, act_connect, &other));
	close(a);
	close(b);
}

TEST(tcp_bind_denied_without_rule)
{
	uint16_t port;
	int a = listen_on_loopback(&port);
	struct sbx_landlock_plan p = { .enabled = true,
				       .handled_net = LANDLOCK_ACCESS_NET_BIND_TCP };
	uint16_t zero = 0;

	if (landlock_abi_version() < 4)
		SKIP(return, "TCP rules need Landlock ABI 4, kernel has %d",
			   landlock_abi_version());
	ASSERT_LE(0, a);
	close(a); /* the port is free again: bind is the act, not a conflict */
	ASSERT_EQ(0, in_sandbox(NULL, act_bind, &port)); /* control */
	ASSERT_EQ(EACCES, in_sandbox(&p, act_bind, &port));
	/* Port 0 asks the kernel to pick: Landlock checks it as port 0, also not granted. */
	ASSERT_EQ(EACCES, in_sandbox(&p, act_bind, &zero));
}

/* ---- pathname unix sockets (ABI 9) ---- */

static int act_unix_connect(void *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", (char *)path);
	if (fd < 0)
		return errno;
	return connect(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

static int unix_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8))
		return -1;
	return fd;
}

TEST(unix_socket_connect_only_where_granted)
{
	char dir[PATH_MAX], granted[PATH_MAX + 8], other[PATH_MAX + 8];
	struct sbx_fs_rule rule = { .path = granted, .access = LANDLOCK_ACCESS_FS_RESOLVE_UNIX };
	struct sbx_landlock_plan p = { .enabled = true,
				       .handled_fs = LANDLOCK_ACCESS_FS_RESOLVE_UNIX,
				       .fs = &rule,
				       .n_fs = 1 };
	int a, b;

	if (landlock_abi_version() < 9)
		SKIP(return, "RESOLVE_UNIX needs Landlock ABI 9, kernel has %d",
			   landlock_abi_version());
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(granted, sizeof(granted), "%s/g.sock", dir);
	snprintf(other, sizeof(other), "%s/o.sock", dir);
	a = unix_listen(granted);
	b = unix_listen(other);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, in_sandbox(NULL, act_unix_connect, other)); /* control */
	/* The rule is on the socket file itself: a file right, kept by the applier. */
	EXPECT_EQ(0, in_sandbox(&p, act_unix_connect, granted));
	EXPECT_EQ(EACCES, in_sandbox(&p, act_unix_connect, other));
	close(a);
	close(b);
	sbx_rmtree(dir);
}

/* ---- scopes (ABI 6) ---- */

static int act_signal_parent(void *unused)
{
	(void)unused;
	return kill(getppid(), 0) ? errno : 0;
}

static int act_abstract_connect(void *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(a.sun_path + 1, name, strlen(name));
	if (fd < 0)
		return errno;
	return connect(fd, (struct sockaddr *)&a,
		       offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))
		       ? errno
		       : 0;
}

TEST(scope_signal_outside_denied)
{
	struct sbx_landlock_plan p = { .enabled = true, .scoped = LANDLOCK_SCOPE_SIGNAL };

	if (landlock_abi_version() < 6)
		SKIP(return, "scopes need Landlock ABI 6, kernel has %d", landlock_abi_version());
	ASSERT_EQ(0, in_sandbox(NULL, act_signal_parent, NULL)); /* control */
	ASSERT_EQ(EPERM, in_sandbox(&p, act_signal_parent, NULL));
}

TEST(scope_abstract_unix_outside_denied)
{
	struct sbx_landlock_plan p = { .enabled = true,
				       .scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char name[64];
	int fd;

	if (landlock_abi_version() < 6)
		SKIP(return, "scopes need Landlock ABI 6, kernel has %d", landlock_abi_version());
	snprintf(name, sizeof(name), "sbx-test-%d", getpid());
	memcpy(a.sun_path + 1, name, strlen(name));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a,
			  offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
	ASSERT_EQ(0, listen(fd, 8));
	ASSERT_EQ(0, in_sandbox(NULL, act_abstract_connect, name)); /* control */
	ASSERT_EQ(EPERM, in_sandbox(&p, act_abstract_connect, name));
	close(fd);
}

/*
 * The ladder on the real kernel: a plan fitted to an older ABI than the kernel's gets
 * exactly what that ABI can express. Each variant builds the same plan for one ABI and
 * checks one right that ABI handles (denied) and one it cannot (still allowed), which is
 * what a kernel of that ABI would give.
 */
FIXTURE(ladder)
{
	char root[PATH_MAX], in[PATH_MAX + 8], file[PATH_MAX + 16], outside[PATH_MAX + 16];
	struct sbx_fs_rule rule;
	struct sbx_landlock_plan plan;
};

FIXTURE_VARIANT(ladder)
{
	int abi;
};

FIXTURE_VARIANT_ADD(ladder, abi1){ .abi = 1 };
FIXTURE_VARIANT_ADD(ladder, abi2){ .abi = 2 };
FIXTURE_VARIANT_ADD(ladder, abi3){ .abi = 3 };
FIXTURE_VARIANT_ADD(ladder, abi5){ .abi = 5 };
FIXTURE_VARIANT_ADD(ladder, abi6){ .abi = 6 };

FIXTURE_SETUP(ladder)
{
	if (landlock_abi_version() < variant->abi)
		SKIP(return, "kernel Landlock ABI %d < %d", landlock_abi_version(), variant->abi);
	ASSERT_NE(NULL, sbx_mkdtemp(self->root, sizeof(self->root)));
	snprintf(self->in, sizeof(self->in), "%s/in", self->root);
	snprintf(self->file, sizeof(self->file), "%s/f", self->in);
	snprintf(self->outside, sizeof(self->outside), "%s/outside", self->root);
	ASSERT_EQ(0, mkdir(self->in, 0700));
	ASSERT_EQ(0, make_file(self->file, "data"));
	ASSERT_EQ(0, make_file(self->outside, ""));
	/* Everything the newest ABI has, write granted but not truncate. */
	self->rule = (struct sbx_fs_rule){ .path = self->in,
					   .access = RO | LANDLOCK_ACCESS_FS_WRITE_FILE };
	self->plan = (struct sbx_landlock_plan){
		.enabled = true,
		.handled_fs = landlock_fs_mask(SBX_LANDLOCK_ABI_MAX),
		.scoped = landlock_scope_mask(SBX_LANDLOCK_ABI_MAX),
		.fs = &self->rule,
		.n_fs = 1,
	};
}

FIXTURE_TEARDOWN(ladder)
{
	if (self->root[0])
		sbx_rmtree(self->root);
}

TEST_F(ladder, enforces_what_the_abi_knows)
{
	/* ABI 1 and up: reading outside the rule is denied (the control: unconfined). */
	ASSERT_EQ(0, in_sandbox(NULL, act_read, self->outside));
	EXPECT_EQ(EACCES, in_sandbox_at(&self->plan, variant->abi, act_read, self->outside));
	EXPECT_EQ(0, in_sandbox_at(&self->plan, variant->abi, act_read, self->file));
	/* TRUNCATE is handled from ABI 3: before, write access implies truncate. */
	EXPECT_EQ(variant->abi >= 3 ? EACCES : 0,
		  in_sandbox_at(&self->plan, variant->abi, act_truncate, self->file));
	/* Signal scoping from ABI 6. */
	EXPECT_EQ(variant->abi >= 6 ? EPERM : 0,
		  in_sandbox_at(&self->plan, variant->abi, act_signal_parent, NULL));
}

TEST_HARNESS_MAIN
