// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Issue 12, items 3 and 4: the app container is the program's home (HOME and the XDG base
 * directories inside it, made on first run, 0700), each run gets a private tmp removed at
 * exit, a HOME that is not a directory falls back to $XDG_RUNTIME_DIR or says what to set,
 * `sbx container list|path|rm` (rm refused while a run uses the container); grants of a file
 * not there yet, and relative program paths. Every run is of a private copy of sh, so that
 * its container is this fixture's alone, under XDG_DATA_HOME in the fixture's directory.
 */
#include "home_fixture.h"

TEST_F(home, home_and_xdg_dirs_are_in_the_container)
{
	static const char *const xdg[] = { "XDG_CONFIG_HOME=%s/.config", "XDG_CACHE_HOME=%s/.cache",
					   "XDG_DATA_HOME=%s/.local/share",
					   "XDG_STATE_HOME=%s/.local/state" };
	char c[PATH_MAX], want[2 * PATH_MAX], path[2 * PATH_MAX];
	struct stat st;

	ASSERT_EQ(0,
		  RUN_SH("echo HOME=$HOME; echo XDG_CONFIG_HOME=$XDG_CONFIG_HOME; "
			 "echo XDG_CACHE_HOME=$XDG_CACHE_HOME; echo XDG_DATA_HOME=$XDG_DATA_HOME; "
			 "echo XDG_STATE_HOME=$XDG_STATE_HOME; echo kept >~/.toolrc && "
			 "echo conf >$XDG_CONFIG_HOME/tool.conf"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_dir(self, c, sizeof(c)));
	EXPECT_NE(NULL, strstr(c, "/profile+org.sbx.default+")) TH_LOG("%s", c);
	snprintf(want, sizeof(want), "HOME=%s\n", c);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	for (size_t i = 0; i < sizeof(xdg) / sizeof(xdg[0]); i++) {
		snprintf(want, sizeof(want), xdg[i], c);
		EXPECT_NE(NULL, strstr(self->r->out, want))
		TH_LOG("%s not in %s", want, self->r->out);
		snprintf(path, sizeof(path), "%s", strchr(want, '=') + 1);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0700U, st.st_mode & 07777);
		EXPECT_EQ(geteuid(), st.st_uid);
	}
	ASSERT_EQ(0, stat(c, &st));
	EXPECT_EQ(0700U, st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);
	/* The dotfile stays in the container for the next run, not in the user's home. */
	snprintf(path, sizeof(path), "%s/.toolrc", self->home);
	EXPECT_NE(0, access(path, F_OK));
	ASSERT_EQ(0, RUN_SH("cat ~/.toolrc $XDG_CONFIG_HOME/tool.conf"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("kept\nconf\n", self->r->out);
}

/* Control: a profile naming home-relative paths (git's) keeps the user's own HOME. */
TEST_F(home, home_relative_profile_keeps_the_users_home)
{
	char want[PATH_MAX + 16];

	ASSERT_EQ(0, RUN_SH("echo HOME=$HOME", "--profile", "git"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "HOME=%s\n", self->home);
	EXPECT_STREQ(want, self->r->out);
}

TEST_F(home, each_run_has_its_own_tmp_removed_at_exit)
{
	char first[PATH_MAX], second[PATH_MAX], c[PATH_MAX], outside[PATH_MAX + 16];
	char script[4 * PATH_MAX];
	struct stat st;

	snprintf(outside, sizeof(outside), "%s/outside", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "echo keep >'%s'", outside));
	/* Left behind: a read-only directory, a file in it, a link to a file outside. */
	snprintf(script, sizeof(script),
		 "echo $TMPDIR; mkdir -p $TMPDIR/d/e && echo x >$TMPDIR/d/e/f && "
		 "ln -s '%s' $TMPDIR/link && chmod 500 $TMPDIR/d/e $TMPDIR/d",
		 outside);
	ASSERT_EQ(0, RUN_SH(script));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(first, sizeof(first), "%.4000s", self->r->out);
	first[strcspn(first, "\n")] = '\0';
	ASSERT_EQ(0, RUN_SH("echo $TMPDIR; test -d $TMPDIR && test -w $TMPDIR"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(second, sizeof(second), "%.4000s", self->r->out);
	second[strcspn(second, "\n")] = '\0';
	ASSERT_EQ(0, container_dir(self, c, sizeof(c)));
	EXPECT_EQ(0, strncmp(first, c, strlen(c))) TH_LOG("%s not in %s", first, c);
	EXPECT_NE(NULL, strstr(first, "/tmp/run.")) TH_LOG("%s", first);
	EXPECT_STRNE(first, second);
	EXPECT_NE(0, stat(first, &st)) TH_LOG("%s is left after the run", first);
	EXPECT_NE(0, stat(second, &st)) TH_LOG("%s is left after the run", second);
	/* The control: removing the tmp did not follow its link. */
	ASSERT_EQ(0, stat(outside, &st));
	EXPECT_EQ(5, st.st_size);
}

TEST_F(home, home_not_a_directory_falls_back_or_says_what_to_set)
{
	char run[PATH_MAX + 8], env_run[PATH_MAX + 32];
	char *envp[] = { self->env_path, "HOME=/nonexistent", NULL, NULL };

	/* Neither: one line, 125, nothing made. */
	self->envp[1] = "HOME=/nonexistent";
	self->envp[2] = NULL;
	ASSERT_EQ(0, RUN_SH("echo ran"));
	EXPECT_EQ(125, self->r->status);
	EXPECT_STREQ("", self->r->out);
	EXPECT_STREQ("sbx run: no place for the app container: HOME=/nonexistent is not a "
		     "directory and XDG_RUNTIME_DIR is not set; set XDG_DATA_HOME (or HOME) to a "
		     "directory of yours\n",
		     self->r->err);
	/* $XDG_RUNTIME_DIR: the containers go there, and --report says so. */
	snprintf(run, sizeof(run), "%s/run", self->dir);
	ASSERT_EQ(0, mkdir(run, 0700));
	snprintf(env_run, sizeof(env_run), "XDG_RUNTIME_DIR=%s", run);
	envp[2] = env_run;
	memcpy(self->envp, envp, sizeof(envp));
	ASSERT_EQ(0, RUN_SH("echo $HOME", "--report"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, strncmp(self->r->out, run, strlen(run))) TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "/sbx/containers/profile+org.sbx.default+"));
	EXPECT_NE(NULL, strstr(self->r->err, "note: HOME=/nonexistent is not a directory: the "
					     "app containers are under $XDG_RUNTIME_DIR"))
	TH_LOG("%s", self->r->err);
	/* The control: XDG_DATA_HOME set, HOME unusable, no fallback needed. */
	self->envp[1] = self->env_data;
	self->envp[2] = NULL;
	ASSERT_EQ(0, RUN_SH("echo ran"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("ran\n", self->r->out);
}

/* sbx container VERB ARG in the fixture's environment. */
static int container_cmd(FIXTURE_DATA(home) * self, const char *verb, const char *arg)
{
	char *argv[] = { (char *)sbx_bin(), "container", (char *)verb, (char *)arg, NULL };

	return sbx_run_capture_env(argv, self->envp, self->r);
}

TEST_F(home, container_list_path_rm)
{
	char c[PATH_MAX], key[PATH_MAX], want[2 * PATH_MAX], script[PATH_MAX];
	char ready[8] = "";
	int in[2], out[2], status;
	pid_t pid;

	ASSERT_EQ(0, RUN_SH("true"));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_dir(self, c, sizeof(c)));
	snprintf(key, sizeof(key), "%s", strrchr(c, '/') + 1);
	ASSERT_EQ(0, container_cmd(self, "list", NULL));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "%s\n  identifier org.sbx.default\n", key);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	snprintf(want, sizeof(want), "program %s\n", self->sh);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, container_cmd(self, "path", key));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "%s\n", c);
	EXPECT_STREQ(want, self->r->out);
	/* The only container with that identifier: the identifier names it too. */
	ASSERT_EQ(0, container_cmd(self, "path", "org.sbx.default"));
	EXPECT_STREQ(want, self->r->out);
	ASSERT_EQ(0, container_cmd(self, "path", "org.example.none"));
	EXPECT_EQ(1, self->r->status);

	/* While a run uses it, rm is refused; the run holds until we close its stdin. */
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	snprintf(script, sizeof(script), "echo ready; read x || true");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--",
				 self->sh,	    "-c",  script,	   NULL };

		dup2(in[0], 0);
		dup2(out[1], 1);
		execve(argv[0], argv, self->envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ASSERT_LT(0, read(out[0], ready, sizeof(ready) - 1));
	EXPECT_STREQ("ready\n", ready);
	ASSERT_EQ(0, container_cmd(self, "rm", key));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx container: %s is in use by a running sbx run: refused (end that run "
		 "first)\n",
		 key);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_EQ(0, access(c, F_OK));
	ASSERT_EQ(0, container_cmd(self, "list", NULL));
	EXPECT_NE(NULL, strstr(self->r->out, ", in use by a running sbx run\n"));
	close(in[1]);
	close(out[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	/* The control: the run ended, rm removes the container and its owner record. */
	ASSERT_EQ(0, container_cmd(self, "rm", key));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(c, F_OK));
	snprintf(want, sizeof(want), "%s.owner", c);
	EXPECT_NE(0, access(want, F_OK));
	ASSERT_EQ(0, container_cmd(self, "rm", key));
	EXPECT_EQ(1, self->r->status);
	ASSERT_EQ(0, container_cmd(self, "rm", NULL));
	EXPECT_EQ(2, self->r->status);
}

TEST_F(home, grant_of_a_file_not_there_yet_creates_it)
{
	char file[PATH_MAX + 16], dir[PATH_MAX + 16], g[PATH_MAX + 32], script[3 * PATH_MAX];
	char bad[PATH_MAX + 16], want[3 * PATH_MAX];
	int fd;

	snprintf(file, sizeof(file), "%s/out.txt", self->dir);
	snprintf(g, sizeof(g), "%s:rw", file);
	snprintf(script, sizeof(script), "echo result >'%s'", file);
	ASSERT_EQ(0, RUN_SH(script, "--grant", g));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s'", file));
	EXPECT_STREQ("result\n", self->r->out);
	/* Only that file: a sibling in its directory stays out of reach. */
	snprintf(script, sizeof(script), "echo x >'%s/sibling'", self->dir);
	ASSERT_EQ(0, RUN_SH(script, "--grant", g));
	EXPECT_NE(0, self->r->status);
	/* A directory, spelled with a trailing slash. */
	snprintf(dir, sizeof(dir), "%s/outdir", self->dir);
	snprintf(g, sizeof(g), "%s/:rw", dir);
	snprintf(script, sizeof(script), "echo in >'%s/a'", dir);
	ASSERT_EQ(0, RUN_SH(script, "--grant", g));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* Read-only needs the file: one line, 125, nothing made. */
	snprintf(file, sizeof(file), "%s/in.txt", self->dir);
	snprintf(g, sizeof(g), "%s:ro", file);
	ASSERT_EQ(0, RUN_SH("true", "--grant", g));
	EXPECT_EQ(125, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx run: --grant %s: no such file; a read-only or execute grant needs an "
		 "existing path (%s:rw creates it)\n",
		 file, file);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_NE(0, access(file, F_OK));
	/* The program never runs (it is no executable): the file made for it goes again. */
	snprintf(bad, sizeof(bad), "%s/bad", self->dir);
	fd = open(bad, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "\x7f\x45\x4c\x00", 4));
	close(fd);
	snprintf(g, sizeof(g), "%s:rw", file);
	{
		char *argv[] = {
			(char *)sbx_bin(), "run", "--allow-root", "--grant", g, "--", bad, NULL
		};

		ASSERT_EQ(0, sbx_run_capture_env(argv, self->envp, self->r));
	}
	EXPECT_EQ(126, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(file, F_OK)) TH_LOG("%s is left by a run that never ran", file);
}

/* make then make test: a granted tree where the program writes and runs what it built. */
TEST_F(home, grant_rwx_runs_what_the_program_wrote)
{
	char work[PATH_MAX + 8], g[PATH_MAX + 16], script[4 * PATH_MAX];

	snprintf(work, sizeof(work), "%s/work", self->dir);
	ASSERT_EQ(0, mkdir(work, 0755));
	snprintf(script, sizeof(script),
		 "printf '#!/bin/sh\\necho built\\n' >'%s/t' && chmod 755 '%s/t' && '%s/t'", work,
		 work, work);
	snprintf(g, sizeof(g), "%s:rwx", work);
	ASSERT_EQ(0, RUN_SH(script, "--allow", "files.user-selected.executable", "--grant", g));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("built\n", self->r->out);
	/* The control: read-write without execute writes it, and cannot run it. */
	snprintf(g, sizeof(g), "%s:rw", work);
	ASSERT_EQ(0, RUN_SH(script, "--allow", "files.user-selected.executable", "--grant", g));
	EXPECT_NE(0, self->r->status);
	EXPECT_STREQ("", self->r->out);
	/* :rx reads and executes, never writes. */
	snprintf(g, sizeof(g), "%s:rx", work);
	snprintf(script, sizeof(script), "'%s/t' && echo x >'%s/u'", work, work);
	ASSERT_EQ(0, RUN_SH(script, "--allow", "files.user-selected.executable", "--grant", g));
	EXPECT_NE(0, self->r->status);
	EXPECT_STREQ("built\n", self->r->out);
	EXPECT_NE(0, access(strcat(work, "/u"), F_OK));
}

TEST_F(home, relative_program_path_is_normalised)
{
	char sub[PATH_MAX + 8], cwd[PATH_MAX], want[PATH_MAX + 16];
	char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--",
			 "../sh",	    "-c",  "echo $HOME",   NULL };
	char *abs_argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--",
			     self->sh,		"-c",  "echo $HOME",   NULL };

	snprintf(sub, sizeof(sub), "%s/sub", self->dir);
	ASSERT_EQ(0, mkdir(sub, 0755));
	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	/* The control: by its absolute path. */
	ASSERT_EQ(0, sbx_run_capture_env(abs_argv, self->envp, self->r));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(want, sizeof(want), "%.4000s", self->r->out);
	ASSERT_EQ(0, chdir(sub));
	ASSERT_EQ(0, sbx_run_capture_env(argv, self->envp, self->r));
	ASSERT_EQ(0, chdir(cwd));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* The same program, the same container. */
	EXPECT_STREQ(want, self->r->out);
}

TEST_HARNESS_MAIN
