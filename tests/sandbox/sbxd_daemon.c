// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd, tier F: the daemon around the gate: sbx log, sbx status, sbxd --status/--unload,
 * kill -9, a verifier that cannot finish, the configuration (sbxd_fixture.h).
 */
#include "sbxd_fixture.h"

/* sbx log explains the denial; sbx status and sbxd --status show the daemon. */
TEST_F(sbxd, log_and_status)
{
	char u[PATH_LEN], want[2 * PATH_LEN];

	wpath(self, u, "unsigned");
	start_sbxd(_metadata, self, "enforce", NULL);
	ASSERT_EQ(-EPERM, exec_status(u));
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log", self->run, sbx_bin()));
	EXPECT_EQ(0, self->r->status);
	fmt(want, sizeof(want), " deny exec %s by pid ", u);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "tier F: unsigned: not signed: no sbx signature"))
	TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log --json", self->run, sbx_bin()));
	fmt(want, sizeof(want), "\"file\":\"%s\",\"hook\":\"exec\"", u);
	EXPECT_NE(NULL, strstr(self->r->out, want)) TH_LOG("%s", self->r->out);
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' status", self->run, sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, "sbxd:          running (pid "));
	EXPECT_NE(NULL, strstr(self->r->out, "tier F, enforce, scope all, cache "))
	TH_LOG("%s", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->out, "sbxd cannot:   executable mappings"));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' --status --run-dir '%s'", sbxd_bin(), self->run));
	EXPECT_EQ(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->out, "sbxd: running\npid="));
	EXPECT_NE(NULL, strstr(self->r->out, "\ntier=F\nmode=enforce\nscope=all\n"));
	/* --unload stops it: tier F has nothing pinned, so nothing enforces after. */
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' --unload --run-dir '%s'", sbxd_bin(), self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->out, "no tier K enforcer pinned; nothing enforces now"));
	waitpid(self->timeout_pid, NULL, 0);
	self->timeout_pid = 0;
	EXPECT_EQ(0, exec_status(u));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' --status --run-dir '%s'", sbxd_bin(), self->run));
	EXPECT_EQ(3, self->r->status);
	EXPECT_STREQ("sbxd: not running\n", self->r->out);
}

/*
 * kill -9: the fanotify group dies with sbxd, and with it the mark. Tier F fails open;
 * tier K's pinned programs are what keep refusing (tests/vm).
 */
TEST_F(sbxd, kill9_unsigned_stays_refused)
{
	char u[PATH_LEN];
	pid_t pid;

	wpath(self, u, "unsigned");
	start_sbxd(_metadata, self, "enforce", NULL);
	ASSERT_EQ(-EPERM, exec_status(u));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	waitpid(self->timeout_pid, NULL, 0);
	self->timeout_pid = 0;
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' status", self->run, sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, "sbxd:          not running (it died: nothing "
					     "enforces, tier F failed open)"));
	if (exec_status(u) == 0)
		XFAIL(return, "tier K: in tier F the mark dies with sbxd (fails open); only "
			      "pinned BPF programs keep refusing");
	EXPECT_EQ(-EPERM, exec_status(u));
}

/*
 * A verification that cannot finish: the verifier opens SCRIPT.sbxsig (a detached
 * signature) and this test holds that open with a permission listener of its own. sbxd's
 * main loop does not wait: the exec is decided by the mode when timeout_ms passes, and
 * the next miss finds the queue (of one) full.
 */
static void stall(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self, const char *mode,
		  int want, const char *decision)
{
	char script[PATH_LEN], sig[PATH_LEN + 8], u[PATH_LEN];
	char buf[4096] __attribute__((aligned(8)));
	struct fanotify_event_metadata *m = (void *)buf;
	int fan;
	ssize_t n;

	wpath(self, script, "script");
	wpath(self, u, "unsigned");
	fmt(sig, sizeof(sig), "%s.sbxsig", script);
	ASSERT_EQ(0, sbx_sh(self->r, "printf '#!/bin/sh\\nexit 0\\n' > '%s' && chmod +x '%s'",
			    script, script));
	ASSERT_EQ(0, sign_as(_metadata, self, "leaf", NULL, script, "--detached"));
	ASSERT_EQ(0, access(sig, R_OK));
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fan);
	ASSERT_EQ(0, fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, sig));
	start_sbxd(_metadata, self, mode, "--timeout-ms 200 --queue 1");
	EXPECT_EQ(want, exec_status(script));
	EXPECT_TRUE(has_event(self, script, decision, "timeout"));
	/* The verifier is still held: the next miss is decided at once. */
	EXPECT_EQ(want, exec_status(u));
	EXPECT_TRUE(has_event(self, u, decision, "queue-full"));
	/* Let the verifier go: it was held on the signature's open all along. */
	n = read(fan, buf, sizeof(buf));
	ASSERT_LT(0, n);
	ASSERT_TRUE(FAN_EVENT_OK(m, n));
	EXPECT_NE(0ull, (unsigned long long)(m->mask & FAN_OPEN_PERM));
	struct fanotify_response resp = { .fd = m->fd, .response = FAN_ALLOW };
	ASSERT_EQ((ssize_t)sizeof(resp), write(fan, &resp, sizeof(resp)));
	close(m->fd);
	close(fan);
}

TEST_F(sbxd, stalled_verifier_enforce_denies)
{
	stall(_metadata, self, "enforce", -EPERM, "deny");
}

TEST_F(sbxd, stalled_verifier_complain_allows)
{
	stall(_metadata, self, "complain", 0, "would-deny");
}

/*
 * A trust store sbxd cannot read wholly (userspace/daemon/README.md, "Trust changes"):
 * enforce mode does not start (exit 1, one line naming what cannot be read), rather than
 * run enforcing less than it is configured to: every signed file refused, and in tier K's
 * scope sandboxed the launcher unverified, so what it starts out of scope. The control
 * first: the same store readable, sbxd starts in scope sandboxed and enforces (the signed
 * program runs, the unsigned one is refused, both from a sandboxed process). After the
 * refusal, complain mode starts and says what it cannot read. break_it (sh) damages the
 * store; want is the sentence naming the damage.
 */
static void store_unreadable(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd) * self,
			     const char *break_it, const char *want)
{
	char s[PATH_LEN], u[PATH_LEN], line[2 * PATH_LEN];

	wpath(self, s, "signed");
	wpath(self, u, "unsigned");
	ASSERT_EQ(0, sign(_metadata, self, s));
	start_sbxd(_metadata, self, "enforce", "--scope sandboxed");
	EXPECT_EQ(0, exec_as(s, true));
	EXPECT_EQ(-EPERM, exec_as(u, true));
	kill(self->timeout_pid, SIGTERM);
	waitpid(self->timeout_pid, NULL, 0);
	self->timeout_pid = 0;

	ASSERT_EQ(0, sbx_sh(self->r, "%s", break_it));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	/* Bounded: an sbxd that starts anyway runs until timeout(1) kills it (137). */
	ASSERT_EQ(0, sbx_sh(self->r,
			    "timeout -s KILL 60 '%s' --config /dev/null --tier F --path '%s' "
			    "--scope sandboxed --mode enforce --trust-dir '%s' --run-dir '%s' "
			    "--memfd-noexec no",
			    sbxd_bin(), self->w, self->trust, self->run));
	EXPECT_EQ(1, self->r->status) TH_LOG("%s%s", self->r->out, self->r->err);
	fmt(line, sizeof(line),
	    "sbxd: refusing enforce mode: the trust store %s cannot be read wholly, so sbxd "
	    "cannot enforce what it is configured to (fix it, or start in complain mode): ",
	    self->trust);
	EXPECT_EQ(0, strncmp(self->r->err, line, strlen(line))) TH_LOG("%s", self->r->err);
	EXPECT_NE(NULL, strstr(self->r->err, want)) TH_LOG("%s", self->r->err);
	EXPECT_EQ(self->r->err + strlen(self->r->err) - 1, strchr(self->r->err, '\n'))
	TH_LOG("not one line: %s", self->r->err);

	start_sbxd(_metadata, self, "complain", "--scope sandboxed");
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "grep -F 'cannot be read wholly, so what it would allow may be refused' "
			 "'%s.out' | grep -F '%s'",
			 self->run, want));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_EQ(0, exec_as(u, true));
	EXPECT_TRUE(has_event(self, u, "would-deny", "unsigned"));
}

/* revoked.list a dangling link: the verifier's revocations cannot load. */
TEST_F_TIMEOUT(sbxd, linked_revocation_list_refuses_enforce_mode, 180)
{
	char cmd[4 * PATH_LEN], want[2 * PATH_LEN];

	fmt(cmd, sizeof(cmd), "ln -s '%s/elsewhere.list' '%s/revoked.list'", self->dir,
	    self->trust);
	fmt(want, sizeof(want), "%s/revoked.list is a symbolic link", self->trust);
	store_unreadable(_metadata, self, cmd, want);
}

/*
 * platform.d a link to a directory of platform anchors: the verifier reads it only at the
 * first trust cache, so the start reads every entry of the store, as the verifier would.
 */
TEST_F_TIMEOUT(sbxd, linked_platform_anchors_refuse_enforce_mode, 180)
{
	char cmd[4 * PATH_LEN], want[2 * PATH_LEN];

	fmt(cmd, sizeof(cmd),
	    "mkdir '%s/plat' && cp '%s/root.pem' '%s/plat/' && ln -s '%s/plat' "
	    "'%s/platform.d'",
	    self->dir, sbx_pki, self->dir, self->dir, self->trust);
	fmt(want, sizeof(want), "%s/platform.d is a symbolic link", self->trust);
	store_unreadable(_metadata, self, cmd, want);
}

/* sbxd's output (RUN.out) has a line with what. */
static bool logged(FIXTURE_DATA(sbxd) * self, const char *what)
{
	char out[PATH_LEN + 8];

	fmt(out, sizeof(out), "%s.out", self->run);
	return sbxd_test_logged(out, what);
}

/*
 * SIGHUP reloads the trust store: a team's program runs and its verdict is cached; its
 * certificate is revoked in the store, and until the HUP the cached verdict still lets it
 * run (the control: sbxd reads the store only at start or HUP). After the HUP it is
 * refused as revoked, and the fixture's signer still runs. Then a store that cannot be
 * read wholly (revoked.list moved behind a link): the HUP keeps the trust in use, the
 * revocation included, and says so in one line.
 */
TEST_F_TIMEOUT(sbxd, hup_reloads_trust_revoked_refused_broken_store_kept, 120)
{
	char s[PATH_LEN], t[PATH_LEN], list[PATH_LEN + 16], want[3 * PATH_LEN];
	pid_t pid;

	signed_and_cached(_metadata, self, s);
	wpath(self, t, "team2");
	fmt(list, sizeof(list), "%s/chain.pem", sbx_pki);
	ASSERT_EQ(0, sbx_sh(self->r, "cp '%s' '%s'", s, t));
	ASSERT_EQ(0, sign_as(_metadata, self, "rsa", list, t, NULL));
	ASSERT_EQ(0, exec_status(t));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' revoke cert '%s/rsa.pem'", sbx_bin(),
			    self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, exec_status(t));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want), "SIGHUP: the trust store %s was reloaded: ", self->trust);
	EXPECT_TRUE(logged(self, want));
	EXPECT_EQ(-EPERM, exec_status(t));
	EXPECT_TRUE(has_event(self, t, "deny", "revoked"));
	EXPECT_EQ(0, exec_status(s));

	fmt(list, sizeof(list), "%s/elsewhere.list", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "mv '%s/revoked.list' '%s' && ln -s '%s' '%s/revoked.list'",
			    self->trust, list, list, self->trust));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want),
	    "SIGHUP: the trust store %s cannot be read wholly, so the trust in use stays: "
	    "%s/revoked.list is a symbolic link",
	    self->trust, self->trust);
	EXPECT_TRUE(logged(self, want));
	EXPECT_EQ(-EPERM, exec_status(t));
	EXPECT_EQ(0, exec_status(s));
	EXPECT_EQ(0, kill(pid, 0)); /* still running */
}

/* Write text to conf and run `sbxd --check-config --config conf`. */
static int check_config(const char *conf, const char *text, struct sbx_cmd_result *r)
{
	char *argv[] = { (char *)sbxd_bin(), "--check-config", "--config", (char *)conf, NULL };
	FILE *f = fopen(conf, "w");

	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return sbx_run_capture(argv, r);
}

/* Configuration errors are one file:line:col line; no root needed. */
TEST(bad_config_is_one_line)
{
	char dir[PATH_LEN], conf[PATH_LEN + 16], want[PATH_LEN + 128];
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	fmt(conf, sizeof(conf), "%s/sbxd.conf", dir);
	ASSERT_EQ(0, check_config(conf, "# test\nmode = enforce\n  mod = complain\n", r));
	EXPECT_EQ(2, r->status);
	fmt(want, sizeof(want), "sbxd: %s:3:3: unknown key 'mod' (did you mean 'mode'?)\n", conf);
	EXPECT_STREQ(want, r->err);
	ASSERT_EQ(0, check_config(conf, "scope = everything\n", r));
	EXPECT_EQ(2, r->status);
	fmt(want, sizeof(want), "sbxd: %s:1:9: scope is all or sandboxed, not 'everything'\n",
	    conf);
	EXPECT_STREQ(want, r->err);
	ASSERT_EQ(0, check_config(conf, "mode = complain\nscope = all\ntimeout_ms = 250\n", r));
	EXPECT_EQ(0, r->status);
	EXPECT_STREQ("sbxd: configuration is valid: mode complain, scope all\n", r->out);
	sbx_rmtree(dir);
	free(r);
}

/*
 * sbxd.conf is read from the file itself, never through a symbolic link, armed or not (the
 * armed guard refuses a link too). Control: the file itself, and /dev/null (no
 * configuration), are read.
 */
TEST(linked_config_is_refused)
{
	char dir[PATH_LEN], conf[PATH_LEN + 16], link[PATH_LEN + 16], want[2 * PATH_LEN];
	char *argv[] = { (char *)sbxd_bin(), "--check-config", "--config", link, NULL };
	struct sbx_cmd_result *r = malloc(sizeof(*r));

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	fmt(conf, sizeof(conf), "%s/sbxd.conf", dir);
	fmt(link, sizeof(link), "%s/linked.conf", dir);
	ASSERT_EQ(0, check_config(conf, "mode = complain\n", r));
	EXPECT_EQ(0, r->status);
	EXPECT_STREQ("sbxd: configuration is valid: mode complain, scope sandboxed\n", r->out);
	ASSERT_EQ(0, symlink(conf, link));
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(2, r->status);
	fmt(want, sizeof(want),
	    "sbxd: %s is a symbolic link: sbxd reads its configuration from the file itself "
	    "(name the real path)\n",
	    link);
	EXPECT_STREQ(want, r->err);
	EXPECT_STREQ("", r->out);
	argv[3] = "/dev/null";
	ASSERT_EQ(0, sbx_run_capture(argv, r));
	EXPECT_EQ(0, r->status) TH_LOG("%s", r->err);
	sbx_rmtree(dir);
	free(r);
}

TEST_HARNESS_MAIN
