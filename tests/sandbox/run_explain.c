// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx run explains the files it refuses (one line per distinct act, with the --grant or
 * entitlement that would allow it; on a terminal, or with --explain; the same record in
 * --log-json; --quiet silences), and
 * sbx run --complain judges files, network and exec without enforcing them, reporting each
 * act enforcement would refuse while the rest of the sandbox holds. Each refusal has its
 * control: the suggested grant, given, lets the same command through with no line.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "run_test.h"

/* How many times needle occurs in hay. */
static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

FIXTURE(explain)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], out[PATH_MAX + 16], line[4 * PATH_MAX];
	struct sbx_cmd_result *r;
};

FIXTURE_SETUP(explain)
{
	char tmp[PATH_MAX];
	FILE *f;

	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	ASSERT_NE(NULL, sbx_mkdtemp(tmp, sizeof(tmp)));
	/* As the kernel names it: the lines carry resolved paths. */
	ASSERT_NE(NULL, realpath(tmp, self->dir));
	snprintf(self->file, sizeof(self->file), "%s/notes.txt", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out.txt", self->dir);
	f = fopen(self->file, "w");
	ASSERT_NE(NULL, f);
	fputs("notes\n", f);
	fclose(f);
}

FIXTURE_TEARDOWN(explain)
{
	sbx_rmtree(self->dir);
	free(self->r);
}

TEST_F(explain, read_refused_names_the_grant)
{
	ASSERT_EQ(0, SBX("--explain", "--", "cat", self->file));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied"));
	/*
	 * The program's name is the file run: busybox's applets are all "busybox". The line
	 * is sbx's, written while the program writes its own error to the same stderr (the
	 * call is let run before it is judged), so it may start inside the program's line.
	 */
	EXPECT_NE(NULL, strstr(self->r->err, "sbx: ")) TH_LOG("%s", self->r->err);
	snprintf(self->line, sizeof(self->line), "] denied read of %s: add --grant %s\n",
		 self->file, self->dir);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
	/* The control: the grant the line names lets it through, and nothing is said. */
	ASSERT_EQ(0, SBX("--explain", "--grant", self->dir, "--", "cat", self->file));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("notes\n", self->r->out);
	EXPECT_EQ(NULL, strstr(self->r->err, "denied"));
}

TEST_F(explain, create_refused_names_a_read_write_grant)
{
	char cmd[PATH_MAX + 64], grant[PATH_MAX + 4];

	snprintf(cmd, sizeof(cmd), "echo x > '%s'", self->out);
	snprintf(grant, sizeof(grant), "%s:rw", self->dir);
	ASSERT_EQ(0, SBX("--explain", "--grant", self->dir, "--", "/bin/sh", "-c", cmd));
	EXPECT_NE(0, self->r->status);
	snprintf(self->line, sizeof(self->line), "] denied create of %s: add --grant %s:rw\n",
		 self->out, self->dir);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(self->out, F_OK));
	/* The control: read-write, as the line says. */
	ASSERT_EQ(0, SBX("--explain", "--grant", grant, "--", "/bin/sh", "-c", cmd));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, access(self->out, F_OK));
	EXPECT_EQ(NULL, strstr(self->r->err, "denied"));
}

/*
 * A write grant of a directory that holds sbx's own (the containers under
 * ~/.local/share/sbx) is refused by sbx run, so a line never says it: a new directory
 * beside them gets itself ("DIR/:rw", made by the grant), and removing what holds them gets
 * "no grant allows it". In a home of the test's own, where the run makes the containers.
 */
TEST_F(explain, never_suggests_a_grant_sbx_run_refuses)
{
	char home[PATH_MAX + 8], env_home[PATH_MAX + 16], made[PATH_MAX + 16];
	char home_rw[PATH_MAX + 16], made_rw[PATH_MAX + 32], local[PATH_MAX + 16];
	char profiles[PATH_MAX + 32];
	/* The guests find the shipped profiles through SBX_PROFILE_PATH (tests/vm/init). */
	char *envp[] = { "PATH=/usr/bin:/bin", env_home, profiles, NULL };
	char *whole[] = { (char *)sbx_bin(), "run", "--allow-root", "--grant",
			  home_rw,	     "--",  "true",	    NULL };
	char *mk[] = {
		(char *)sbx_bin(), "run", "--allow-root", "--explain", "--", "mkdir", made, NULL
	};
	char *given[] = { (char *)sbx_bin(), "run", "--allow-root", "--explain", "--grant",
			  made_rw,	     "--",  "touch",	    made,	 NULL };
	char *rm[] = {
		(char *)sbx_bin(), "run", "--allow-root", "--explain", "--", "rmdir", local, NULL
	};

	snprintf(home, sizeof(home), "%s/home", self->dir);
	ASSERT_EQ(0, mkdir(home, 0700));
	snprintf(env_home, sizeof(env_home), "HOME=%s", home);
	snprintf(profiles, sizeof(profiles), "SBX_PROFILE_PATH=%s",
		 getenv("SBX_PROFILE_PATH") ? getenv("SBX_PROFILE_PATH") : "");
	snprintf(made, sizeof(made), "%s/made", home);
	snprintf(home_rw, sizeof(home_rw), "%s:rw", home);
	snprintf(made_rw, sizeof(made_rw), "%s/:rw", made);
	snprintf(local, sizeof(local), "%s/.local", home);
	ASSERT_EQ(0, sbx_run_capture_env(mk, envp, self->r));
	EXPECT_NE(0, self->r->status);
	snprintf(self->line, sizeof(self->line),
		 "] denied create directory of %s: add --grant %s/:rw\n", made, made);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
	/* Why: the directory's own grant, HOME:rw, is refused (sbx's own are in it). */
	ASSERT_EQ(0, sbx_run_capture_env(whole, envp, self->r));
	EXPECT_EQ(125, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "where sbx keeps "))
	TH_LOG("%s", self->r->err);
	/* The control: the grant the line names lets the program through, nothing said. */
	ASSERT_EQ(0, sbx_run_capture_env(given, envp, self->r));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(NULL, strstr(self->r->err, "denied")) TH_LOG("%s", self->r->err);
	/* What holds the containers itself: no grant allows removing it, and that is said. */
	ASSERT_EQ(0, sbx_run_capture_env(rm, envp, self->r));
	EXPECT_NE(0, self->r->status);
	snprintf(self->line, sizeof(self->line),
		 "] denied remove directory of %s: no grant allows it (sbx keeps its own "
		 "directories there)\n",
		 local);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, access(local, F_OK));
}

TEST_F(explain, one_line_per_distinct_act)
{
	char other[PATH_MAX + 16];

	ASSERT_EQ(0, SBX("--explain", "--", "cat", self->file, self->file, self->file));
	EXPECT_EQ(1, self->r->status);
	EXPECT_EQ(1, occurrences(self->r->err, "] denied read of ")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(3, occurrences(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "sbx: 3 denials in all, 2 not shown "))
	TH_LOG("%s", self->r->err);
	/*
	 * Interleaved, no act follows itself (the launcher passes each on): still one line
	 * per act, and the final count says what was held back.
	 */
	snprintf(other, sizeof(other), "%s/other.txt", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "echo other >'%s'", other));
	ASSERT_EQ(0, SBX("--explain", "--", "cat", self->file, other, self->file, other));
	EXPECT_EQ(1, self->r->status);
	EXPECT_EQ(2, occurrences(self->r->err, "] denied read of ")) TH_LOG("%s", self->r->err);
	EXPECT_EQ(4, occurrences(self->r->err, "Permission denied")) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, "sbx: 4 denials in all, 2 not shown "))
	TH_LOG("%s", self->r->err);
}

TEST_F(explain, quiet_silences_the_lines)
{
	ASSERT_EQ(0, SBX("--explain", "--quiet", "--", "cat", self->file));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied"));
	/* The kernel's warnings are another matter (a hole is always said). */
	EXPECT_EQ(NULL, strstr(self->r->err, "] denied ")) TH_LOG("%s", self->r->err);
}

/*
 * Observing costs a round trip per file act: a run whose stderr is no terminal (a
 * script, this test) explains only when asked. The control is every other case here,
 * which asks with --explain.
 */
TEST_F(explain, a_script_asks_with_explain)
{
	char *argv[] = { (char *)sbx_bin(), "run", "--allow-root", "--", "cat", self->file, NULL };

	ASSERT_EQ(0, sbx_run_capture(argv, self->r));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "Permission denied"));
	EXPECT_EQ(NULL, strstr(self->r->err, "] denied ")) TH_LOG("%s", self->r->err);
}

TEST_F(explain, file_denial_as_json_line)
{
	char cmd[3 * PATH_MAX];
	char *line;

	snprintf(cmd, sizeof(cmd),
		 "'%s' run --allow-root --quiet --log-json 3 -- cat '%s' 3>&1 >/dev/null "
		 "2>/dev/null",
		 sbx_bin(), self->file);
	ASSERT_EQ(0, sbx_sh(self->r, "%s", cmd));
	EXPECT_EQ(1, self->r->status);
	line = strstr(self->r->out, "\n{\"type\":\"denial\",\"time\":\"");
	ASSERT_NE(NULL, line) TH_LOG("%s", self->r->out);
	snprintf(self->line, sizeof(self->line),
		 "\",\"access\":\"read\",\"path\":\"%s\",\"grant\":\"%s\","
		 "\"errno\":13,\"errno_name\":\"EACCES\",\"suggestion\":\"add --grant "
		 "%s\",\"complain\":false}\n",
		 self->file, self->dir, self->dir);
	EXPECT_NE(NULL, strstr(line, self->line)) TH_LOG("%s", line);
}

TEST_F(explain, complain_runs_what_enforcement_refuses_and_says_so)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cat '%s' && echo x > '%s'", self->file, self->out);
	/* The control: enforced, both acts are refused. */
	ASSERT_EQ(0, SBX("--explain", "--quiet", "--", "/bin/sh", "-c", cmd));
	EXPECT_NE(0, self->r->status);
	EXPECT_NE(0, access(self->out, F_OK));
	ASSERT_EQ(0, SBX("--explain", "--complain", "--", "/bin/sh", "-c", cmd));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_STREQ("notes\n", self->r->out);
	EXPECT_EQ(0, access(self->out, F_OK));
	snprintf(self->line, sizeof(self->line), "] would be denied read of %s: add --grant %s\n",
		 self->file, self->dir);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
	snprintf(self->line, sizeof(self->line),
		 "] would be denied create of %s: add --grant %s:rw\n", self->out, self->dir);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
}

TEST_F(explain, complain_exec_outside_the_grants)
{
	char prog[PATH_MAX + 16], cmd[PATH_MAX + 32];

	/* The probe (its libraries are the system's), copied where nothing grants executing. */
	snprintf(prog, sizeof(prog), "%s/tool", self->dir);
	snprintf(cmd, sizeof(cmd), "'%s' exit 0", prog);
	ASSERT_EQ(0, sbx_sh(self->r, "cp '%s' '%s'", probe(), prog));
	/* The control: enforced, the shell cannot execute it. */
	ASSERT_EQ(0, SBX("--explain", "--quiet", "--", "/bin/sh", "-c", cmd));
	EXPECT_EQ(126, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, SBX("--explain", "--complain", "--", "/bin/sh", "-c", cmd));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	snprintf(self->line, sizeof(self->line),
		 "] would be denied execute of %s: add --grant %s:x with --allow "
		 "files.user-selected.executable\n",
		 prog, self->dir);
	EXPECT_NE(NULL, strstr(self->r->err, self->line)) TH_LOG("%s", self->r->err);
}

TEST_F(explain, complain_network_runs_and_is_reported)
{
	ASSERT_EQ(0, SBX("--explain", "--quiet", "--", probe(), "socket-inet"));
	EXPECT_EQ(3, self->r->status); /* the control: refused */
	ASSERT_EQ(0, SBX("--explain", "--complain", "--", probe(), "socket-inet"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err,
			       "] would be denied socket(AF_INET): needs network.client (--allow "
			       "network.client)\n"))
	TH_LOG("%s", self->r->err);
}

/* Complain mode lifts files, network and exec only: W^X (seccomp, MDWE) still holds. */
TEST_F(explain, complain_keeps_the_rest_of_the_sandbox)
{
	ASSERT_EQ(0, SBX("--explain", "--complain", "--", probe(), "mmap-wx"));
	EXPECT_EQ(3, self->r->status) TH_LOG("%s %s", self->r->out, self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "refused")) TH_LOG("%s", self->r->out);
	/* The control: the entitlement that lifts it, under --complain too. */
	ASSERT_EQ(0, SBX("--explain", "--complain", "--allow", "cs.allow-jit", "--", probe(),
			 "mmap-wx"));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s %s", self->r->out, self->r->err);
	ASSERT_EQ(0, SBX("--explain", "--complain", "--report", "--", "/bin/true"));
	EXPECT_NE(NULL, strstr(self->r->err, "--complain: judged, not enforced"));
	/* Only the ruleset's file and network rights are judged: not its scope or audit log. */
	for (const char *row = self->r->err; (row = strstr(row, "landlock.")); row++) {
		const char *end = strchr(row, '\n');
		int len = end ? (int)(end - row) : (int)strlen(row);

		if (!strncmp(row, "landlock.scope ", 15) || !strncmp(row, "landlock.log ", 13))
			EXPECT_EQ(NULL, memmem(row, len, "judged", 6)) TH_LOG("%.*s", len, row);
	}
	EXPECT_NE(NULL, strstr(self->r->err, "enforced    seccomp "));
	EXPECT_NE(NULL, strstr(self->r->err, "enforced    no-new-privs"));
}

TEST_HARNESS_MAIN
