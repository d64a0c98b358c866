// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A system rule granted only as far as others may reach it (plan.h: system, others_only;
 * landlock/grant_others.c), on the running kernel, with a private tree standing in for
 * /etc. The tree belongs to whoever runs the test, so it holds what /etc holds for root:
 * files of the runner's own that others may not read, a directory only the runner may
 * enter. Runs as root and as uid 65534 alike (the walk judges the runner's ids). The
 * control is the same plan without others_only: the runner, their owner, reads them all.
 */
#include <dirent.h>

#include "kselftest_harness.h"
#include "landlock_fixture.h"

FIXTURE(landlock_others)
{
	char root[PATH_MAX], tree[PATH_MAX + 8], apt[PATH_MAX + 16];
	char pub[PATH_MAX + 16], own[PATH_MAX + 16], inner[PATH_MAX + 32], clean[PATH_MAX + 32],
		link[PATH_MAX + 16], later[PATH_MAX + 16];
	struct sbx_fs_rule rules[5];
	struct sbx_landlock_plan plan;
	int abi;
};

FIXTURE_SETUP(landlock_others)
{
	char dir[PATH_MAX + 16];

	self->abi = landlock_abi_version();
	if (self->abi < 1)
		SKIP(return, "Landlock is unavailable on this kernel");
	ASSERT_NE(NULL, sbx_mkdtemp(self->root, sizeof(self->root)));
	ASSERT_EQ(0, chmod(self->root, 0755));
	snprintf(self->tree, sizeof(self->tree), "%s/etc", self->root);
	ASSERT_EQ(0, mkdir(self->tree, 0755));
	snprintf(self->pub, sizeof(self->pub), "%s/passwd", self->tree);
	snprintf(self->own, sizeof(self->own), "%s/shadow", self->tree);
	snprintf(self->link, sizeof(self->link), "%s/link", self->tree);
	snprintf(self->later, sizeof(self->later), "%s/later", self->tree);
	ASSERT_EQ(0, make_file(self->pub, "pub\n"));
	ASSERT_EQ(0, chmod(self->pub, 0644));
	ASSERT_EQ(0, make_file(self->own, "own\n")); /* 0600 */
	ASSERT_EQ(0, symlink("shadow", self->link));
	snprintf(dir, sizeof(dir), "%s/private", self->tree);
	ASSERT_EQ(0, mkdir(dir, 0700));
	snprintf(self->inner, sizeof(self->inner), "%s/key.pub", dir);
	ASSERT_EQ(0, make_file(self->inner, "inner\n"));
	ASSERT_EQ(0, chmod(self->inner, 0644));
	snprintf(self->apt, sizeof(self->apt), "%s/apt", self->tree);
	ASSERT_EQ(0, mkdir(self->apt, 0755));
	snprintf(self->clean, sizeof(self->clean), "%s/sources.list", self->apt);
	ASSERT_EQ(0, make_file(self->clean, "clean\n"));
	ASSERT_EQ(0, chmod(self->clean, 0644));
	self->rules[0] = (struct sbx_fs_rule){ .path = "/usr", .access = RX };
	self->rules[1] = (struct sbx_fs_rule){ .path = "/lib", .access = RX, .if_exists = true };
	self->rules[2] = (struct sbx_fs_rule){ .path = "/lib64", .access = RX, .if_exists = true };
	self->rules[3] = (struct sbx_fs_rule){ .path = "/bin", .access = RX, .if_exists = true };
	self->rules[4] = (struct sbx_fs_rule){ .path = self->tree, .access = RO, .system = true };
	self->plan = (struct sbx_landlock_plan){
		.enabled = true,
		.handled_fs = landlock_fs_mask(SBX_LANDLOCK_ABI_MAX),
		.fs = self->rules,
		.n_fs = 5,
	};
}

FIXTURE_TEARDOWN(landlock_others)
{
	if (self->root[0])
		sbx_rmtree(self->root);
}

static int act_list(void *path)
{
	DIR *d = opendir(path);

	if (!d)
		return errno;
	closedir(d);
	return 0;
}

TEST_F(landlock_others, owner_gets_what_others_get)
{
	/* The control: without others_only the runner, their owner, reads every one. */
	ASSERT_EQ(0, in_sandbox(&self->plan, act_read, self->own));
	ASSERT_EQ(0, in_sandbox(&self->plan, act_read, self->inner));
	ASSERT_EQ(0, in_sandbox(&self->plan, act_read, self->link));
	self->plan.others_only = true;
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, self->own));
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, self->link));
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, self->inner));
	/* What others may read stays granted: a file by its own rule, a clean subtree whole. */
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, self->pub));
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, self->clean));
	EXPECT_EQ(0, in_sandbox(&self->plan, act_list, self->apt));
}

/*
 * Others may list the tree, so the runner may too (`ls /etc` as root). private/ beneath
 * it, which only its owner may list, is listed with it: Landlock grants a listing with all
 * beneath it. Its names, never its files (grant_others.c: the boundary): a known gap.
 */
TEST_F(landlock_others, listed_where_others_list)
{
	char dir[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/private", self->tree);
	/* The control: the plain grant lists both. */
	ASSERT_EQ(0, in_sandbox(&self->plan, act_list, self->tree));
	ASSERT_EQ(0, in_sandbox(&self->plan, act_list, dir));
	self->plan.others_only = true;
	EXPECT_EQ(0, in_sandbox(&self->plan, act_list, self->tree));
	EXPECT_EQ(0, in_sandbox(&self->plan, act_list, self->apt));
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, self->inner));
	if (in_sandbox(&self->plan, act_list, dir) == 0 && _metadata->exit_code == KSFT_PASS)
		XFAIL(return, "root's program lists the names in a directory only its owner may "
			      "list: Landlock grants a listing with all beneath it; closed by a "
			      "tier K hook on directory opens of sandboxed root (not written)");
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_list, dir));
}

TEST_F(landlock_others, clean_tree_is_one_rule)
{
	struct landlock_grants g = { 0 };
	struct sbx_diag d = { 0 };
	char dir[PATH_MAX + 16];
	int fd;

	self->plan.others_only = true;
	fd = landlock_build_ruleset_others(&self->plan, self->abi, &g, &d);
	ASSERT_LE(0, fd) TH_LOG("%s", d.msg);
	close(fd);
	/* The tree (its listing), passwd, apt; link skipped (a symlink is no object), shadow
	 * and private left out. */
	EXPECT_EQ(3U, g.n);
	ASSERT_EQ(0, unlink(self->own));
	snprintf(dir, sizeof(dir), "%s/private", self->tree);
	ASSERT_EQ(0, chmod(dir, 0755));
	g.n = 0;
	fd = landlock_build_ruleset_others(&self->plan, self->abi, &g, &d);
	ASSERT_LE(0, fd) TH_LOG("%s", d.msg);
	close(fd);
	free(g.v);
	EXPECT_EQ(1U, g.n);
	EXPECT_EQ(0, in_sandbox(&self->plan, act_list, self->tree));
}

/* Build the ruleset now, make path (0644), then read it in a child under the ruleset. */
static int read_made_after_build(const struct sbx_landlock_plan *plan, int abi, const char *path)
{
	struct sbx_diag d = { 0 };
	int fd = landlock_build_ruleset(plan, abi, &d), ws;
	pid_t pid;

	if (fd < 0 || make_file(path, "later\n") || chmod(path, 0644))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || landlock_enforce_ruleset(fd, abi, &d))
			_exit(200);
		_exit(act_read((void *)path));
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws))
		return -1;
	return WEXITSTATUS(ws);
}

/*
 * A rule stays on its inode: an entry made after the start in a directory granted entry by
 * entry has none (closed, even when others may read it); one made in a subtree granted
 * whole is judged by DAC alone (the documented limit).
 */
TEST_F(landlock_others, created_later)
{
	char in_apt[PATH_MAX + 32];

	snprintf(in_apt, sizeof(in_apt), "%s/later", self->apt);
	/* The control: the plain grant covers both. */
	EXPECT_EQ(0, read_made_after_build(&self->plan, self->abi, self->later));
	ASSERT_EQ(0, unlink(self->later));
	self->plan.others_only = true;
	EXPECT_EQ(EACCES, read_made_after_build(&self->plan, self->abi, self->later));
	EXPECT_EQ(0, read_made_after_build(&self->plan, self->abi, in_apt));
}

/*
 * Deeper than the walk goes, beneath a directory that needs walking (shadow): closed, and
 * the run goes on (atk10u F1: whoever owns a directory in a system tree decides what the
 * walk meets there, and a refusal let them stop every run of root's).
 */
TEST_F(landlock_others, too_deep_is_closed)
{
	char path[PATH_MAX];
	size_t len;

	len = (size_t)snprintf(path, sizeof(path), "%s", self->tree);
	for (int i = 0; i < 70; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d");
		ASSERT_EQ(0, mkdir(path, 0755));
	}
	snprintf(path + len, sizeof(path) - len, "/deep");
	ASSERT_EQ(0, make_file(path, "deep\n"));
	ASSERT_EQ(0, chmod(path, 0644));
	/* The control: the plain grant needs no walk. */
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, path));
	self->plan.others_only = true;
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, path));
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, self->pub));
}

/*
 * A directory the runner cannot search, another user's (nobody:root 0700, as polkitd's
 * rules.d), holding a file of the runner's group: its owner may chmod 0750 after the
 * walk, and the file is then the runner's through its group (atk10u F2). No rule for it.
 * The runner here keeps its capabilities, so a rule alone decides.
 */
TEST_F(landlock_others, unenterable_directory_gets_no_rule)
{
	char dir[PATH_MAX + 16], file[PATH_MAX + 32];

	if (geteuid())
		SKIP(return, "needs root: the directory is another user's (chown)");
	snprintf(dir, sizeof(dir), "%s/rules.d", self->tree);
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(file, sizeof(file), "%s/secret", dir);
	ASSERT_EQ(0, make_file(file, "secret\n"));
	ASSERT_EQ(0, chmod(file, 0640));
	ASSERT_EQ(0, chown(dir, 65534, 0));
	ASSERT_EQ(0, chmod(dir, 0700));
	/* The control: the plain grant covers it. */
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, file));
	self->plan.others_only = true;
	EXPECT_EQ(EACCES, in_sandbox(&self->plan, act_read, file));
	EXPECT_EQ(0, in_sandbox(&self->plan, act_read, self->pub));
}

TEST_HARNESS_MAIN
