// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `sbx run` and identity: what runs is the file that was verified (issue 9, item 2: a
 * swapper racing the exec must never win), and containers belong to an identity (issue 8
 * item 9, issue 9 item 3): another team's program claiming an identifier, or another
 * unsigned program, never opens a container that is not its own.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "run_test.h"

#include "signed_run.h"

#define RACE_RUNS 200

/* Containers (and their owner records) in the fixture's directory, not the user's home. */
static void private_data_home(const char *dir)
{
	char data[PATH_MAX + 16];

	snprintf(data, sizeof(data), "%s/data", dir);
	setenv("XDG_DATA_HOME", data, 1);
}

/* "exe SIZE socket ok|refused" from run_probe exe-socket. */
static int parse_exe_socket(const char *out, long long *size, bool *net)
{
	const char *line = strstr(out, "exe ");
	char verdict[16];

	if (!line || sscanf(line, "exe %lld socket %15s", size, verdict) != 2)
		return -1;
	*net = !strcmp(verdict, "ok");
	return 0;
}

/* 200 launches: minutes on a loaded machine, not the harness's default 30 s. */
TEST_F_TIMEOUT(signed_run, swapper_never_wins_the_exec_race, 600)
{
	char path[PATH_MAX + 16], signed_link[PATH_MAX + 16], unsigned_copy[PATH_MAX + 16];
	char tmp[PATH_MAX + 16];
	struct stat ss, us;
	int wins = 0, ran_signed = 0, ran_unsigned = 0, refused = 0;
	pid_t swapper;

	private_data_home(self->dir);
	snprintf(path, sizeof(path), "%s/racer", self->dir);
	snprintf(signed_link, sizeof(signed_link), "%s/signed", self->dir);
	snprintf(unsigned_copy, sizeof(unsigned_copy), "%s/unsigned", self->dir);
	snprintf(tmp, sizeof(tmp), "%s/next", self->dir);
	ASSERT_EQ(0, link(self->prog, signed_link));
	ASSERT_EQ(0, shell(self->r, "cp '%s' '%s' && cp '%s' '%s'", probe(), unsigned_copy,
			   self->prog, path));
	ASSERT_EQ(0, stat(signed_link, &ss));
	ASSERT_EQ(0, stat(unsigned_copy, &us));
	ASSERT_NE(ss.st_size, us.st_size);
	swapper = fork();
	ASSERT_LE(0, swapper);
	if (swapper == 0) {
		/* Forever: the signed file at the path, then the unsigned one, by rename. */
		for (;;) {
			if (!link(signed_link, tmp))
				rename(tmp, path);
			if (!link(unsigned_copy, tmp))
				rename(tmp, path);
		}
	}
	for (int i = 0; i < RACE_RUNS; i++) {
		long long size;
		bool net;

		ASSERT_EQ(0, shell(self->r,
				   "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' exe-socket",
				   self->trust, sbx_bin(), path) < 0
				     ? -1
				     : 0);
		if (parse_exe_socket(self->r->out, &size, &net)) {
			refused++; /* the run failed (never ran the program): not a win */
			continue;
		}
		if (size == us.st_size && net)
			wins++; /* the unsigned file ran with the signed entitlements */
		else if (size == us.st_size)
			ran_unsigned++;
		else
			ran_signed++;
	}
	kill(swapper, SIGKILL);
	waitpid(swapper, NULL, 0);
	TH_LOG("%d runs: signed %d, unsigned (default profile) %d, no run %d, swapper wins %d",
	       RACE_RUNS, ran_signed, ran_unsigned, refused, wins);
	EXPECT_EQ(0, wins);
	EXPECT_EQ(RACE_RUNS, ran_signed + ran_unsigned + refused);
	/* The race was run: both files were at the path when sbx opened it, many times over
	 * (a swapper that never swapped would leave no win to find on a broken sbx either). */
	EXPECT_LT(0, ran_signed);
	EXPECT_LT(0, ran_unsigned);
}

/* HOME as the program sees it: its container (run_home.c). */
static int container_of(FIXTURE_DATA(signed_run) * self, const char *prog, char *out, size_t len)
{
	char *v;

	if (shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' env HOME", self->trust,
		  sbx_bin(), prog))
		return -1;
	v = strstr(self->r->out, "HOME=");
	if (!v)
		return -1;
	snprintf(out, len, "%s", v + 5);
	out[strcspn(out, "\n")] = '\0';
	return strstr(out, "/sbx/containers/") ? 0 : -1;
}

/* prog writes CONTAINER/secret (in its own container: allowed). */
static int write_secret(FIXTURE_DATA(signed_run) * self, const char *prog, const char *container)
{
	return shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' write '%s/secret'",
		     self->trust, sbx_bin(), prog, container);
}

static int read_secret(FIXTURE_DATA(signed_run) * self, const char *prog, const char *container)
{
	return shell(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root -- '%s' read '%s/secret'",
		     self->trust, sbx_bin(), prog, container);
}

TEST_F(signed_run, other_team_claiming_identifier_gets_another_container)
{
	char other[PATH_MAX + 16], mine[PATH_MAX + 64], theirs[PATH_MAX + 64];

	private_data_home(self->dir);
	snprintf(other, sizeof(other), "%s/other-team", self->dir);
	ASSERT_EQ(0, shell(self->r, "cp '%s' '%s'", probe(), other));
	/* TEAMRSA signs the same identifier and the same entitlements. */
	ASSERT_EQ(0,
		  shell(self->r,
			"'%s' sign --key '%s/rsa.key' --cert '%s/rsa.pem' --chain '%s' --profile "
			"'%s/tests/sandbox/data/run/network-client.yaml' '%s'",
			sbx_bin(), self->ca, self->ca, self->chain, sbx_src(), other))
	TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_of(self, self->prog, mine, sizeof(mine))) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_of(self, other, theirs, sizeof(theirs)));
	EXPECT_NE(NULL, strstr(mine, "+TEAM42+org.sbx.test.network-client"))
	TH_LOG("%s", mine);
	EXPECT_NE(NULL, strstr(theirs, "+TEAMRSA+org.sbx.test.network-client"));
	ASSERT_EQ(0, write_secret(self, self->prog, mine)) TH_LOG("%s", self->r->err);
	/* The control: the owner reads its own container. */
	EXPECT_EQ(0, read_secret(self, self->prog, mine));
	EXPECT_STREQ("read: written\n\n", self->r->out);
	/* The other team's program cannot. */
	EXPECT_EQ(3, read_secret(self, other, mine));
	EXPECT_EQ(NULL, strstr(self->r->out, "written"));
}

TEST_F(signed_run, unsigned_programs_do_not_share_a_container)
{
	char one[PATH_MAX + 16], two[PATH_MAX + 16], c1[PATH_MAX + 64], c2[PATH_MAX + 64];

	private_data_home(self->dir);
	snprintf(one, sizeof(one), "%s/one", self->dir);
	snprintf(two, sizeof(two), "%s/two", self->dir);
	ASSERT_EQ(0, shell(self->r, "cp '%s' '%s' && cp '%s' '%s'", probe(), one, probe(), two));
	ASSERT_EQ(0, container_of(self, one, c1, sizeof(c1))) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, container_of(self, two, c2, sizeof(c2)));
	EXPECT_STRNE(c1, c2);
	ASSERT_EQ(0, write_secret(self, one, c1)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, read_secret(self, one, c1)); /* the control */
	EXPECT_EQ(3, read_secret(self, two, c1));
	EXPECT_EQ(NULL, strstr(self->r->out, "written"));
}

TEST_F(signed_run, container_of_another_owner_refused)
{
	char mine[PATH_MAX + 64], owner[PATH_MAX + 80];
	FILE *f;

	private_data_home(self->dir);
	ASSERT_EQ(0, container_of(self, self->prog, mine, sizeof(mine))) TH_LOG("%s", self->r->err);
	snprintf(owner, sizeof(owner), "%s.owner", mine);
	f = fopen(owner, "r+");
	ASSERT_NE(NULL, f);
	fputs("team EVIL, identifier org.sbx.test.network-client\n", f);
	fclose(f);
	EXPECT_EQ(125, container_of(self, self->prog, mine, sizeof(mine)) ? self->r->status : 0);
	EXPECT_NE(NULL, strstr(self->r->err, "belongs to team EVIL, identifier "
					     "org.sbx.test.network-client, not to team TEAM42"))
	TH_LOG("%s", self->r->err);
	EXPECT_EQ(1, strchr(self->r->err, '\n') == self->r->err + strlen(self->r->err) - 1);
}

/*
 * Issue 8, item 10: one run plants container/x -> the secret directory; a later run is
 * granted container/x. The grant must not follow the planted link.
 */
TEST(grant_through_planted_symlink_refused)
{
	char dir[PATH_MAX], cmd[6 * PATH_MAX], container[PATH_MAX], data[PATH_MAX + 8];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(data, sizeof(data), "%s/data", dir);
	setenv("XDG_DATA_HOME", data, 1);
	snprintf(cmd, sizeof(cmd), "mkdir '%s/ssh' && echo SECRET >'%s/ssh/id'", dir, dir);
	ASSERT_EQ(0, system(cmd));
	/* The first run, a sandbox, plants the link in its own (writable) container. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' run --allow-root -- /bin/sh -c 'c=$HOME; ln -s %s/ssh \"$c/x\" "
		 "&& echo \"$c\"'",
		 sbx_bin(), dir);
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	ASSERT_EQ(0, r->status) TH_LOG("%s", r->err);
	snprintf(container, sizeof(container), "%.4000s", r->out);
	container[strcspn(container, "\n")] = '\0';
	ASSERT_NE(0, container[0]);
	/* The second run is granted container/x: refused, in one line, nothing read. */
	snprintf(cmd, sizeof(cmd), "'%s' run --allow-root --grant '%s/x' -- /bin/cat '%s/x/id'",
		 sbx_bin(), container, container);
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(125, r->status);
	EXPECT_STREQ("", r->out);
	EXPECT_NE(NULL, strstr(r->err, "goes through the symlink")) TH_LOG("%s", r->err);
	EXPECT_EQ(strlen(r->err) - 1, (size_t)(strchr(r->err, '\n') - r->err));
	/* The control: the directory itself, granted by its own path, is read. */
	snprintf(cmd, sizeof(cmd), "'%s' run --allow-root --grant '%s/ssh' -- /bin/cat '%s/ssh/id'",
		 sbx_bin(), dir, dir);
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_STREQ("SECRET\n", r->out);
	sbx_rmtree(dir);
	free(r);
}

/* argv under no_new_privs and an allow-all seccomp filter (a systemd unit's or a
 * container's lot, with no sbx around it); its stderr into r->err. */
static int run_in_plain_filter(char *const argv[], struct sbx_cmd_result *r)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	char tmpl[] = "/tmp/sbx-inherit-err.XXXXXX";
	int fd = mkstemp(tmpl), ws;
	pid_t pid;
	ssize_t n;

	if (fd < 0)
		return -1;
	unlink(tmpl);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(120);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	n = pread(fd, r->err, sizeof(r->err) - 1, 0);
	r->err[n > 0 ? n : 0] = '\0';
	close(fd);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Issue 8, item 8: inherit: true needs proof of an enclosing sbx, not just nnp + seccomp. */
TEST(inherit_needs_an_enclosing_sbx)
{
	char profile[PATH_MAX], cmd[4 * PATH_MAX], forged[PATH_MAX + 8];
	int fd;
	char *argv[] = { (char *)sbx_bin(), "run",   "--allow-root",
			 "--profile",	    profile, "--",
			 "/bin/echo",	    "ran",   NULL };
	char *sh[] = { "/bin/sh", "-c", cmd, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	ASSERT_NE(NULL, r);
	snprintf(profile, sizeof(profile), "%s/tests/unit/data/profile/valid/inherit.yaml",
		 sbx_src());
	/* Under a plain filter: refused, in one line. */
	EXPECT_EQ(125, run_in_plain_filter(argv, r));
	EXPECT_NE(NULL, strstr(r->err, "inherit: true runs only inside an sbx sandbox"))
	TH_LOG("%s", r->err);
	/* A forged canary (the caller's own readable file) proves nothing. */
	ASSERT_NE(NULL, sbx_mkdtemp(forged, sizeof(forged)));
	strcat(forged, "/canary");
	fd = open(forged, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	setenv("SBX_SANDBOX_CANARY", forged, 1);
	EXPECT_EQ(125, run_in_plain_filter(argv, r));
	EXPECT_NE(NULL, strstr(r->err, "opens: no sandbox domain around this process"))
	TH_LOG("%s", r->err);
	unsetenv("SBX_SANDBOX_CANARY");
	unlink(forged);
	*strrchr(forged, '/') = '\0';
	rmdir(forged);
	/* The control: inside sbx's sandbox, the helper runs. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' run --allow-root --grant '%s' -- '%s' run --allow-root --profile '%s' -- "
		 "/bin/echo ran",
		 sbx_bin(), profile, sbx_bin(), profile);
	ASSERT_EQ(0, sbx_run_capture(sh, r));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	EXPECT_STREQ("ran\n", r->out);
	free(r);
}

TEST_HARNESS_MAIN
