// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attack on per-app homes (atk-u): a container is the program's HOME, whose dotfiles a
 * later run executes, so nobody else may prepare one. Each directory from the containers'
 * base (XDG_DATA_HOME, HOME, or XDG_RUNTIME_DIR) down to the container is the euid's own
 * and writable by nobody else, or the run is refused (e15: another uid pre-created the
 * container in a shared XDG_RUNTIME_DIR; e16: root's sbx with a user's HOME ran the
 * user's code as uid 0).
 */
#include "home_fixture.h"

static const char refusal[] =
	"the app containers are kept only in directories nobody else can change; refused\n";

/* The run was refused in one line: r->err is "sbx run: " want refusal, nothing ran. */
#define EXPECT_REFUSED(want)                                                      \
	do {                                                                      \
		char __line[2 * PATH_MAX + 256];                                  \
                                                                                  \
		snprintf(__line, sizeof(__line), "sbx run: %s%s", want, refusal); \
		EXPECT_EQ(125, self->r->status);                                  \
		EXPECT_STREQ("", self->r->out);                                   \
		EXPECT_STREQ(__line, self->r->err);                               \
	} while (0)

/* e15's shape: each directory of the tree in turn made one another user could change. */
TEST_F(home, container_tree_another_user_can_change_is_refused)
{
	char c[PATH_MAX], level[4][PATH_MAX + 32], want[2 * PATH_MAX], rt[PATH_MAX + 16];
	char env_rt[PATH_MAX + 32];

	/* The control: the tree sbx made is the user's own, and the run goes on. */
	ASSERT_EQ(0, RUN_SH("echo ran"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_dir(self, c, sizeof(c)));
	snprintf(level[0], sizeof(level[0]), "%.4000s", self->data);
	snprintf(level[1], sizeof(level[1]), "%.4000s/sbx", self->data);
	snprintf(level[2], sizeof(level[2]), "%.4000s/sbx/containers", self->data);
	snprintf(level[3], sizeof(level[3]), "%.4000s", c);
	for (int i = 0; i < 4; i++) {
		/* Writable by others: anyone could replace what is in it. */
		ASSERT_EQ(0, chmod(level[i], 0777));
		ASSERT_EQ(0, RUN_SH("echo ran"));
		snprintf(
			want, sizeof(want),
			"%.4000s (owned by uid %u, mode 0777) is writable by its group or others: ",
			level[i], geteuid());
		EXPECT_REFUSED(want);
		ASSERT_EQ(0, chmod(level[i], 0700));
		if (geteuid() != 0)
			continue;
		/*
		 * Writable by root's private group (named root, no other member: umask 002
		 * under user private groups): nobody else; the run goes on. Writable by a
		 * group with others in it (nogroup here): refused.
		 */
		ASSERT_EQ(0, chmod(level[i], 0770));
		ASSERT_EQ(0, RUN_SH("echo ran"));
		EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
		EXPECT_STREQ("ran\n", self->r->out);
		ASSERT_EQ(0, chown(level[i], 0, 65534));
		ASSERT_EQ(0, RUN_SH("echo ran"));
		snprintf(
			want, sizeof(want),
			"%.4000s (owned by uid %u, mode 0770) is writable by its group or others: ",
			level[i], geteuid());
		EXPECT_REFUSED(want);
		ASSERT_EQ(0, chmod(level[i], 0700));
		/* Another uid's (root's sbx with it, or its pre-created directory). */
		ASSERT_EQ(0, chown(level[i], 65534, 65534));
		ASSERT_EQ(0, RUN_SH("echo ran"));
		snprintf(want, sizeof(want),
			 "%.4000s is owned by uid 65534, not by uid 0 that runs sbx: ", level[i]);
		EXPECT_REFUSED(want);
		ASSERT_EQ(0, chown(level[i], 0, 0));
	}
	/* XDG_RUNTIME_DIR a shared sticky directory, as /tmp in images that set it so. */
	snprintf(rt, sizeof(rt), "%.4000s/rt", self->dir);
	snprintf(env_rt, sizeof(env_rt), "XDG_RUNTIME_DIR=%s", rt);
	ASSERT_EQ(0, mkdir(rt, 0700));
	ASSERT_EQ(0, chmod(rt, 01777));
	self->envp[1] = "HOME=/nonexistent";
	self->envp[2] = env_rt;
	ASSERT_EQ(0, RUN_SH("echo ran"));
	snprintf(want, sizeof(want),
		 "%.4000s (owned by uid %u, mode 1777) is writable by its group or others: ", rt,
		 geteuid());
	EXPECT_REFUSED(want);
	EXPECT_NE(0, access(strcat(rt, "/sbx"), F_OK)) TH_LOG("sbx made %s", rt);
	/* The control: the user's own tree again, and the run goes on. */
	self->envp[1] = self->env_home;
	self->envp[2] = self->env_data;
	ASSERT_EQ(0, RUN_SH("echo ran"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("ran\n", self->r->out);
}

/*
 * e16's shape: root's sbx run --allow-root with a user's HOME (sudo -E, su without -, a
 * job's inherited HOME). The user prepared the container root's run would use, with code
 * in it: root's sbx must not run it as uid 0. The control: the user's own run of it.
 */
TEST_F(home, root_with_a_users_home_is_refused)
{
	char c[PATH_MAX], user[PATH_MAX + 8], key[NAME_MAX + 1], want[2 * PATH_MAX];
	char env_user[PATH_MAX + 16], sbx[PATH_MAX + 16];
	char planted[2 * PATH_MAX], line[3 * PATH_MAX];
	char *script = ". ~/planted; echo ran";
	char *verbs[] = { "path", "rm", "list" };
	char *rm[] = { "setpriv",
		       "--reuid=65534",
		       "--regid=65534",
		       "--clear-groups",
		       sbx,
		       "container",
		       "rm",
		       key,
		       NULL };

	if (geteuid() != 0)
		SKIP(return, "root's sbx with another user's HOME: needs root");
	/* The key of the private sh's container, from a run in the fixture's own data. */
	ASSERT_EQ(0, RUN_SH("true"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_dir(self, c, sizeof(c)));
	snprintf(key, sizeof(key), "%s", strrchr(c, '/') + 1);
	/* The user (uid 65534) prepares that container in its home, code in it. */
	snprintf(user, sizeof(user), "%.4000s/user", self->dir);
	snprintf(sbx, sizeof(sbx), "%.4000s/bin/sbx", self->dir);
	ASSERT_EQ(0, chmod(self->dir, 0755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "mkdir -p '%s/.local/share/sbx/containers/%s' && cp '%s.owner' "
			    "'%s/.local/share/sbx/containers/' && echo 'echo planted ran as uid "
			    "$(id -u)' >'%s/.local/share/sbx/containers/%s/planted' && "
			    "chown -R 65534:65534 '%s'",
			    user, key, c, user, user, key, user));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* For the user's run: sbx and its profiles where uid 65534 reaches them. */
	ASSERT_EQ(0, sbx_sh(self->r, "mkdir '%s/bin' && cp '%s' '%s' && cp -r '%s/profiles' '%s/'",
			    self->dir, sbx_bin(), sbx, sbx_src(), self->dir));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(env_user, sizeof(env_user), "HOME=%.4000s", user);
	self->envp[1] = env_user;
	self->envp[2] = NULL;
	ASSERT_EQ(0, RUN_SH(script));
	snprintf(want, sizeof(want),
		 "%.4000s is owned by uid 65534, not by uid 0 that runs sbx: ", user);
	EXPECT_REFUSED(want);
	/* The control: the user's own run, in its own home, runs its own code. */
	{
		char *argv[] = { "setpriv",
				 "--reuid=65534",
				 "--regid=65534",
				 "--clear-groups",
				 sbx,
				 "run",
				 "--",
				 self->sh,
				 "-c",
				 script,
				 NULL };

		ASSERT_EQ(0, sbx_run_capture_env(argv, self->envp, self->r));
	}
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("planted ran as uid 65534\nran\n", self->r->out);
	/*
	 * sbx container with that HOME, as root: the same walk refuses, and nothing of the
	 * user's is listed, named or removed. The control: the user's own rm removes it.
	 */
	snprintf(planted, sizeof(planted), "%s/.local/share/sbx/containers/%s/planted", user, key);
	snprintf(line, sizeof(line), "sbx container: %s%s", want, strstr(refusal, "the app"));
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		char *argv[] = { (char *)sbx_bin(), "container", verbs[i],
				 strcmp(verbs[i], "list") ? key : NULL, NULL };

		ASSERT_EQ(0, sbx_run_capture_env(argv, self->envp, self->r));
		EXPECT_EQ(1, self->r->status) TH_LOG("sbx container %s", verbs[i]);
		EXPECT_STREQ("", self->r->out);
		EXPECT_STREQ(line, self->r->err);
		EXPECT_EQ(0, access(planted, F_OK)) TH_LOG("root's %s acted", verbs[i]);
	}
	ASSERT_EQ(0, sbx_run_capture_env(rm, self->envp, self->r));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(planted, F_OK)) TH_LOG("the user's own rm left %s", planted);
}

/* HOME as the private sh sees it, run with more options: written to dest. */
#define HOME_OF(dest, ...)                                             \
	do {                                                           \
		ASSERT_EQ(0, RUN_SH("echo $HOME", ##__VA_ARGS__));     \
		ASSERT_EQ(0, self->r->status);                         \
		snprintf(dest, sizeof(dest), "%.4000s", self->r->out); \
	} while (0)

/*
 * e9 and e10's shape: a program that reads code from its HOME at start (python's
 * usercustomize, git's core.fsmonitor; here a script the shell sources) is run once with
 * nothing granted and plants that code; a later run of it granted the user's private files
 * must not run it, and so hand them to the next ungranted run. Runs given different grants,
 * --allow keys or --complain get different containers; the same run again keeps its own.
 */
TEST_F(home, runs_given_different_grants_do_not_share_a_home)
{
	char secret[PATH_MAX + 16], grant[PATH_MAX + 32], script[3 * PATH_MAX];
	char plain[PATH_MAX], granted[PATH_MAX], other[PATH_MAX], want[2 * PATH_MAX];
	char *list[] = { (char *)sbx_bin(), "container", "list", NULL };

	snprintf(secret, sizeof(secret), "%.4000s/private", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "mkdir -m 700 '%s' && echo 'TOP SECRET' >'%s/notes'", secret,
			    secret));
	/* Run 1, nothing granted: plants ~/rc. */
	snprintf(script, sizeof(script), "echo 'cat %s/notes >~/loot 2>/dev/null' >~/rc", secret);
	ASSERT_EQ(0, RUN_SH(script));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* Run 2, granted the secret, sources ~/rc if its HOME has one. */
	snprintf(script, sizeof(script), "if [ -f ~/rc ]; then . ~/rc; fi; wc -c <'%s/notes'",
		 secret);
	ASSERT_EQ(0, RUN_SH(script, "--grant", secret));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("11\n", self->r->out); /* the control: the grant reads the secret */
	/* Run 3, nothing granted: no loot. */
	ASSERT_EQ(0, RUN_SH("cat ~/loot 2>/dev/null || echo no loot; test -f ~/rc && echo kept"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("no loot\nkept\n", self->r->out);
	/* Each of these is another container; the grants' order is not. */
	HOME_OF(plain);
	HOME_OF(granted, "--grant", secret);
	EXPECT_STRNE(plain, granted);
	snprintf(grant, sizeof(grant), "%.4000s:rw", secret);
	HOME_OF(other, "--grant", grant);
	EXPECT_STRNE(granted, other);
	EXPECT_STRNE(plain, other);
	HOME_OF(other, "--allow", "network.client");
	EXPECT_STRNE(plain, other);
	HOME_OF(other, "--complain");
	EXPECT_STRNE(plain, other);
	HOME_OF(granted, "--grant", secret, "--grant", self->sh);
	HOME_OF(other, "--grant", self->sh, "--grant", secret);
	EXPECT_STREQ(granted, other);
	/* sbx container list tells them apart: the owner names the grants. */
	ASSERT_EQ(0, sbx_run_capture_env(list, self->envp, self->r));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "program %.4000s, --grant %.4000s:ro\n", self->sh, secret);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	snprintf(want, sizeof(want), "program %.4000s, --complain\n", self->sh);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
}

/*
 * The family of F1 and of the user's profiles: a sandbox given write access to a directory
 * above sbx's own (the user's profiles, which decide every later sandbox; the app
 * containers, other programs' homes; what sbx remembers) could rewrite them. Landlock
 * grants a directory with everything beneath it and has no exception, so such a rule is
 * refused, found by inode (a bind mount of one is refused too), naming the grant and the
 * directory. The controls: a grant beside them, and read-only grants above them, run.
 */
TEST_F(home, write_rule_above_sbx_own_directories_is_refused)
{
	char proj[PATH_MAX + 16], profiles[PATH_MAX + 64], grant[2 * PATH_MAX];
	char write_proj[2 * PATH_MAX];
	char want[3 * PATH_MAX], alias[PATH_MAX + 16];
	char plant[3 * PATH_MAX], cfg[PATH_MAX + 16];
	static const struct {
		const char *grant, *own, *what;
	} cases[] = {
		{ "home", "home/.config/sbx", "the user's profiles" },
		{ "home/.config", "home/.config/sbx", "the user's profiles" },
		{ "data", "data/sbx", "the app containers" },
		{ "", "home/.config/sbx", "the user's profiles" },
	};

	snprintf(proj, sizeof(proj), "%s/proj", self->home);
	snprintf(profiles, sizeof(profiles), "%s/.config/sbx/profiles/default.yaml", self->home);
	snprintf(cfg, sizeof(cfg), "%s/.config", self->home);
	ASSERT_EQ(0, mkdir(proj, 0700));
	ASSERT_EQ(0, mkdir(cfg, 0700));
	/* What a program given such a grant would do (inside, HOME is its container). */
	snprintf(plant, sizeof(plant),
		 "mkdir -p '%s/sbx/profiles' && echo 'app-sandbox: false' "
		 ">'%s/sbx/profiles/default.yaml' && echo planted",
		 cfg, cfg);
	/* The control: a grant beside sbx's directories runs, and writes there. */
	snprintf(grant, sizeof(grant), "%s:rw", proj);
	snprintf(write_proj, sizeof(write_proj), "echo x >'%s/f' && echo ran", proj);
	ASSERT_EQ(0, RUN_SH(write_proj, "--grant", grant));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("ran\n", self->r->out);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(grant, sizeof(grant), "%.4000s%s%s:rw", self->dir,
			 cases[i].grant[0] ? "/" : "", cases[i].grant);
		ASSERT_EQ(0, RUN_SH(plant, "--grant", grant));
		snprintf(want, sizeof(want),
			 "sbx run: %.*s (from files.user-selected.read-write) would let "
			 "the program write %s/%s, where sbx keeps %s: grant a directory beneath "
			 "or beside it instead\n",
			 (int)(strlen(grant) - 3), grant, self->dir, cases[i].own, cases[i].what);
		EXPECT_EQ(125, self->r->status) TH_LOG("--grant %s", grant);
		EXPECT_STREQ("", self->r->out);
		EXPECT_STREQ(want, self->r->err);
		EXPECT_NE(0, access(profiles, F_OK)) TH_LOG("--grant %s planted a profile", grant);
		/* Read-only above them: nothing of sbx's can change; the run goes on. */
		grant[strlen(grant) - 3] = '\0';
		ASSERT_EQ(0, RUN_SH("echo ran", "--grant", grant));
		EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
		EXPECT_STREQ("ran\n", self->r->out);
	}
	if (geteuid() != 0)
		return;
	/* Another name for the same directory: a bind mount of the home, in a private
	 * mount namespace (root). Refused by inode, whatever the path says. */
	snprintf(alias, sizeof(alias), "%s/alias", self->dir);
	ASSERT_EQ(0, mkdir(alias, 0700));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "unshare -m sh -c 'mount --bind \"%s\" \"%s\" && HOME=\"%s\" "
			    "XDG_DATA_HOME=\"%s\" \"%s\" run --allow-root --grant \"%s:rw\" -- "
			    "\"%s\" -c \"echo ran\"'",
			    self->home, alias, self->home, self->data, sbx_bin(), alias, self->sh));
	EXPECT_EQ(125, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "where sbx keeps the user's profiles"))
	TH_LOG("%s", self->r->err);
	/* The control: through the same bind mount, a grant beside them runs and writes. */
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "unshare -m sh -c 'mount --bind \"%s\" \"%s\" && HOME=\"%s\" "
			 "XDG_DATA_HOME=\"%s\" \"%s\" run --allow-root --grant \"%s/proj:rw\" -- "
			 "\"%s\" -c \"echo y >%s/proj/f && echo ran\"'",
			 self->home, alias, self->home, self->data, sbx_bin(), alias, self->sh,
			 alias));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("ran\n", self->r->out);
}

TEST_HARNESS_MAIN
