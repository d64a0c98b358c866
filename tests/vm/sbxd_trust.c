// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real sbxd in tier K and the trust it is configured with: enforce mode does not start
 * on a trust store it cannot read wholly, scope sandboxed's launcher runs only with a valid
 * verdict (and stays the launcher when a new file is renamed in at its path), and SIGHUP
 * reloads the trust store, dropping the verdicts made under the old trust
 * (userspace/daemon/README.md, "Trust changes" and "Reload"). Scope sandboxed through the
 * signed launcher, on a private tmpfs (the fixture: sbxd_k.h). A program of its own: each
 * guest program has 300 s, and sbxd_cache's cases fill much of its share under TCG.
 */
#include "sbxd_k.h"

/*
 * A first start on a trust store that cannot be read wholly (the anchors' directory a
 * symbolic link to a real one): enforce mode does not start and loads nothing, so nothing
 * is pinned. The control: the same store read through its real path, sbxd starts and what
 * the launcher starts is enforced (the unsigned program refused, the signed one runs).
 */
TEST_F_TIMEOUT(sbxd_k, unreadable_trust_store_refuses_enforce_mode_at_start, 300)
{
	char real[LEN + 16], extra[2 * LEN];

	fmt(real, sizeof(real), "%s/real-trust", self->dir);
	ASSERT_EQ(0, rename(self->trust, real));
	ASSERT_EQ(0, symlink(real, self->trust));
	refused_start(_metadata, self, "");
	EXPECT_NE(NULL, strstr(self->r->err, " is a symbolic link")) TH_LOG("%s", self->r->err);
	EXPECT_NE(0, access(SBX_ENFORCER_PIN_DIR, F_OK)); /* nothing loaded */
	EXPECT_EQ(0, launched(self, self->unsigned_prog));
	fmt(extra, sizeof(extra), "--config /dev/null --trust-dir '%s'", real);
	start_sbxd_with(_metadata, self, NULL, false, extra);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

/*
 * In scope sandboxed only the launcher's valid verdict puts what it starts in scope, and
 * its own exec is outside the scope: a launcher that does not verify (here unsigned) would
 * start what nothing enforces, so sbxd refuses its exec (a deny event names it). The
 * control: the signed launcher, with the same sbxd, starts the signed program and the
 * unsigned one is refused.
 */
TEST_F_TIMEOUT(sbxd_k, unverified_launcher_refused_in_scope_sandboxed, 300)
{
	char plain[LEN + 16], extra[2 * LEN];
	char *argv[] = { plain, self->unsigned_prog, NULL };
	struct tiny_elf launch;

	fmt(plain, sizeof(plain), "%s/launcher-unsigned", self->w);
	tiny_elf_launcher(&launch);
	ASSERT_EQ(0, write_file(plain, launch.bytes, launch.len, 0755));
	start_sbxd(_metadata, self);
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	stop_sbxd(self, SIGTERM);
	fmt(extra, sizeof(extra), "--config /dev/null --launcher '%s'", plain);
	start_sbxd_with(_metadata, self, NULL, false, extra);
	EXPECT_EQ(1000 + EPERM, run_prog(argv, NULL));
	ASSERT_EQ(0,
		  sbx_sh(self->r, "grep '\"decision\":\"deny\"' '%s/events.jsonl' | grep -F '%s'",
			 self->run, plain));
	EXPECT_EQ(0, self->r->status) TH_LOG("no deny event for the launcher");
}

/*
 * The launcher replaced by a new file at its path (a package upgrade renames one in):
 * still the launcher, so what it starts stays in scope. Replaced by an unsigned file, its
 * exec is refused. Control: before the upgrade, the unsigned program is refused.
 */
TEST_F_TIMEOUT(sbxd_k, launcher_replaced_at_its_path_stays_the_launcher, 300)
{
	char next[LEN + 16];
	struct tiny_elf launch;

	fmt(next, sizeof(next), "%s/launcher.new", self->w);
	start_sbxd(_metadata, self);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	ASSERT_EQ(0, copy_file(self->launcher, next));
	ASSERT_EQ(0, chmod(next, 0755));
	ASSERT_EQ(0, rename(next, self->launcher));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	tiny_elf_launcher(&launch);
	ASSERT_EQ(0, write_file(next, launch.bytes, launch.len, 0755));
	ASSERT_EQ(0, rename(next, self->launcher));
	EXPECT_EQ(1000 + EPERM, launched(self, self->unsigned_prog));
}

/*
 * SIGHUP reloads the trust store and drops the map's verdicts made under the old trust: a
 * second team's program runs and is cached; its certificate is revoked in the store, and
 * until the HUP the cached verdict still lets it run (the control). After the HUP it is
 * refused, and the fixture's signer still runs. Then a store that cannot be read wholly
 * (revoked.list moved behind a link): the HUP keeps the trust in use, the revocation
 * included, and says so in one line.
 */
TEST_F_TIMEOUT(sbxd_k, revoked_signer_refused_after_hup_broken_store_kept, 300)
{
	char want[3 * LEN], list[LEN + 16];
	struct team2 t;
	pid_t pid;

	team2_make(_metadata, self, &t);
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, launched(self, t.prog));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' revoke cert '%s/rsa.pem'", sbx_bin(),
			    self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(0, launched(self, t.prog));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want), "SIGHUP: the trust store %s was reloaded: ", self->trust);
	EXPECT_TRUE(logged(self, want));
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));

	fmt(list, sizeof(list), "%s/elsewhere.list", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "mv '%s/revoked.list' '%s' && ln -s '%s' '%s/revoked.list'",
			    self->trust, list, list, self->trust));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want),
	    "SIGHUP: the trust store %s cannot be read wholly, so the trust in use stays: ",
	    self->trust);
	EXPECT_TRUE(logged(self, want));
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(0, kill(pid, 0)); /* still running */
}

TEST_HARNESS_MAIN
