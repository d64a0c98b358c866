// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What `sbx run` trusts on disk, and whose it must be (the attack on per-app homes, e4):
 * a --grant follows only the system's symlinks (root's, in a directory only root can
 * change), never one root's own sandbox made in a directory users share.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "diag.h"
#include "launch/target.h"

#define NOBODY 65534

FIXTURE(trust)
{
	char dir[PATH_MAX], data[PATH_MAX + 16];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(trust)
{
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, chmod(self->dir, 0755)); /* uid 65534 passes through, as a user would */
	snprintf(self->data, sizeof(self->data), "%s/data", self->dir);
	setenv("XDG_DATA_HOME", self->data, 1);
}

FIXTURE_TEARDOWN(trust)
{
	unsetenv("XDG_DATA_HOME");
	sbx_rmtree(self->dir);
	free(self->r);
}

/*
 * sbx_launch_resolve_grant(path) as uid (a child of ours; -1: as we are). Returns its
 * result; msg gets what it said, out the path it resolved to.
 */
static int resolve_as(int uid, const char *path, char *out, char *msg, size_t len)
{
	int fds[2], ret = -1, ws;
	pid_t pid;

	if (pipe(fds))
		return -EPIPE;
	pid = fork();
	if (pid == 0) {
		struct sbx_diag d = { 0 };
		char buf[PATH_MAX + sizeof(d.msg) + 8];
		int err;

		close(fds[0]);
		if (uid >= 0 && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(100);
		err = sbx_launch_resolve_grant(path, buf, PATH_MAX, &d);
		snprintf(buf + strlen(buf) + 1, sizeof(buf) - strlen(buf) - 1, "%s", d.msg);
		if (write(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(101);
		_exit(-err);
	}
	close(fds[1]);
	if (pid > 0) {
		char buf[PATH_MAX + sizeof(((struct sbx_diag *)0)->msg) + 8] = "";

		if (read(fds[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf)) {
			snprintf(out, len, "%s", buf);
			snprintf(msg, len, "%s", buf + strlen(buf) + 1);
		}
		if (waitpid(pid, &ws, 0) == pid && WIFEXITED(ws))
			ret = -WEXITSTATUS(ws);
	}
	close(fds[0]);
	return ret;
}

/*
 * e4: root's sandbox (--allow-root, granted a directory users share) plants a root-owned
 * link there to a user's private directory; the user's --grant through it is refused,
 * naming it. The control: root's link in a directory only root can change (the system's
 * layout) is still followed.
 */
TEST_F(trust, grant_through_roots_link_in_a_shared_directory_refused)
{
	char shared[PATH_MAX + 16], priv[PATH_MAX + 16], link[PATH_MAX + 32], sys[PATH_MAX + 16];
	char syslink[PATH_MAX + 32], out[2 * PATH_MAX], msg[2 * PATH_MAX], want[3 * PATH_MAX];

	if (geteuid() != 0)
		SKIP(return,
			   "root makes the root-owned links (the control below runs as any user)");
	snprintf(shared, sizeof(shared), "%s/shared", self->dir);
	snprintf(priv, sizeof(priv), "%s/private", self->dir);
	snprintf(link, sizeof(link), "%s/results", shared);
	ASSERT_EQ(0, mkdir(shared, 0777));
	ASSERT_EQ(0, chmod(shared, 01777)); /* like /tmp */
	ASSERT_EQ(0, mkdir(priv, 0700));
	ASSERT_EQ(0, chown(priv, NOBODY, NOBODY));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' run --quiet --allow-root --grant '%s:rw' -- /bin/ln -s '%s' '%s'",
			    sbx_bin(), shared, priv, link));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(-ELOOP, resolve_as(NOBODY, link, out, msg, sizeof(msg))) TH_LOG("%s", out);
	snprintf(want, sizeof(want),
		 "%s: goes through the symlink %s (owned by root, in a directory others can write)",
		 link, link);
	EXPECT_EQ(0, strncmp(msg, want, strlen(want))) TH_LOG("%s", msg);
	/* The control: the same link in root's directory that only root can change. */
	snprintf(sys, sizeof(sys), "%s/sys", self->dir);
	snprintf(syslink, sizeof(syslink), "%s/results", sys);
	ASSERT_EQ(0, mkdir(sys, 0755));
	ASSERT_EQ(0, symlink(priv, syslink));
	EXPECT_EQ(0, resolve_as(NOBODY, syslink, out, msg, sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_STREQ(priv, out);
	/* And root's own resolution trusts none (as before). */
	EXPECT_EQ(-ELOOP, resolve_as(-1, syslink, out, msg, sizeof(msg)));
}

/* The control for every user: a link of the system's own layout resolves. */
TEST_F(trust, grant_through_a_system_link_resolves)
{
	static const char *const links[] = { "/lib", "/bin", "/sbin", "/lib64" };
	char out[2 * PATH_MAX], msg[2 * PATH_MAX], target[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		ssize_t n;

		if (lstat(links[i], &st) || !S_ISLNK(st.st_mode) || st.st_uid != 0)
			continue;
		n = readlink(links[i], target, sizeof(target) - 1);
		ASSERT_LT(0, n);
		target[n] = '\0';
		EXPECT_EQ(0, resolve_as(geteuid() ? -1 : NOBODY, links[i], out, msg, sizeof(msg)))
		TH_LOG("%s", msg);
		EXPECT_NE(NULL, strstr(out, target))
		TH_LOG("%s -> %s resolved to %s", links[i], target, out);
		return;
	}
	SKIP(return, "no system symlink (/lib, /bin, /sbin, /lib64) on this host");
}

TEST_HARNESS_MAIN
