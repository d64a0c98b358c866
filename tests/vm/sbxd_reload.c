// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What sbxd's reload reads (atk6k F5, "sbxd trusts a path name after arming"): the trust
 * store sbxd opened when it started, through the descriptor it holds, never the store's
 * path again (userspace/daemon/README.md, "Reload"). The escape: a store whose revocation
 * list refuses a second team's program; its parent directory is renamed away (the guards
 * cover the store and its entries, not the directories above it), a store without the
 * revocation is put at the old path, sbxd reloads, and the revoked program ran. Scope
 * sandboxed through the signed launcher, on a private tmpfs (the fixture: sbxd_k.h). A
 * program of its own: each guest program has 300 s, and an armed start is slow under TCG.
 */
#include "sbxd_k.h"

/* DIR/etc/trust, a store of the fixture's anchor that revokes team2's certificate. */
static void revoking_store(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			   const char *etc, const char *store)
{
	ASSERT_EQ(0, mkdir(etc, 0755));
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' trust --trust '%s' add '%s/root.pem' >/dev/null && "
			    "'%s' trust --trust '%s' revoke cert '%s/rsa.pem' >/dev/null",
			    sbx_bin(), store, sbx_pki, sbx_bin(), store, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/*
 * The swap: etc renamed to etc.old, and at etc/trust a store of the same anchor without
 * the revocation, which allows team2's program.
 */
static void swap_store(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
		       const char *etc, const char *old, const char *store)
{
	ASSERT_EQ(0, rename(etc, old)) TH_LOG("rename %s: %s", etc, strerror(errno));
	ASSERT_EQ(0, mkdir(etc, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' add '%s/root.pem' >/dev/null",
			    sbx_bin(), store, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

/*
 * Unarmed (the build's unsigned sbxd, so SIGHUP from root is allowed): team2's program is
 * refused by the store's revocation; the store's parent is renamed away and a store
 * without the revocation put at the path; after the SIGHUP the program is still refused,
 * since the reload reads the store sbxd opened (unchanged: every verdict stands). The
 * control: the revocation dropped in the store sbxd holds, now at etc.old/trust, takes
 * effect at the next SIGHUP (the reload does read, through the descriptor).
 */
TEST_F_TIMEOUT(sbxd_k, store_moved_away_reload_reads_the_held_store, 300)
{
	char etc[LEN + 8], old[LEN + 16], store[LEN + 16], held[LEN + 24], flags[3 * LEN];
	char want[3 * LEN];
	struct team2 t;
	pid_t pid;

	team2_make(_metadata, self, &t);
	fmt(etc, sizeof(etc), "%s/etc", self->dir);
	fmt(old, sizeof(old), "%s/etc.old", self->dir);
	fmt(store, sizeof(store), "%s/trust", etc);
	fmt(held, sizeof(held), "%s/trust", old);
	revoking_store(_metadata, self, etc, store);
	fmt(flags, sizeof(flags), "--config /dev/null --trust-dir '%s'", store);
	start_sbxd_with(_metadata, self, NULL, false, flags);
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);

	swap_store(_metadata, self, etc, old, store);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want), "SIGHUP: the trust store %s is unchanged", store);
	EXPECT_TRUE(logged(self, want)) TH_LOG("the swapped store was read");
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));

	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' unrevoke cert '%s/rsa.pem'",
			    sbx_bin(), held, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, kill(pid, SIGHUP));
	fmt(want, sizeof(want), "SIGHUP: the trust store %s was reloaded: ", store);
	EXPECT_TRUE(logged(self, want));
	EXPECT_EQ(0, launched(self, t.prog));
}

/*
 * Armed (a signed copy of sbxd, protect = yes): root may not signal sbxd, but a hangup of
 * its controlling terminal is a SIGHUP the kernel sends itself (no task_kill hook sees it),
 * so sbxd runs as a session leader on a pseudo-terminal the test holds, and closing the
 * terminal's master is the reload. The store's own entries cannot be written (the held
 * store's revoked.list opens for writing with EPERM), the parent can be renamed, and after
 * the swap and the hangup team2's program is still refused.
 */
TEST_F_TIMEOUT(sbxd_k, armed_store_moved_away_hangup_reads_the_held_store, 300)
{
	char etc[LEN + 8], old[LEN + 16], store[LEN + 16], list[LEN + 40], cmd[4096];
	char out[LEN + 16], want[3 * LEN];
	int master, err;
	struct team2 t;
	pid_t pid;

	team2_make(_metadata, self, &t);
	sign_sbxd(_metadata, self);
	fmt(etc, sizeof(etc), "%s/etc", self->dir);
	fmt(old, sizeof(old), "%s/etc.old", self->dir);
	fmt(store, sizeof(store), "%s/trust", etc);
	fmt(list, sizeof(list), "%s/trust/revoked.list", old);
	revoking_store(_metadata, self, etc, store);
	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, master);
	ASSERT_EQ(0, grantpt(master));
	ASSERT_EQ(0, unlockpt(master));
	fmt(out, sizeof(out), "%s.out", self->run);
	fmt(cmd, sizeof(cmd),
	    "exec timeout -s KILL 240 setsid -c '%s' --config '%s' --tier K --mode enforce "
	    "--scope sandboxed --path '%s' --launcher '%s' --trust-dir '%s' --run-dir '%s' "
	    "<'%s'",
	    self->sbxd, self->conf, self->w, self->launcher, store, self->run, ptsname(master));
	self->armed = true;
	err = sbxd_test_start(cmd, self->notify, out, 120, &self->timeout_pid);
	if (err)
		sbx_sh(self->r, "cat '%s'", out);
	ASSERT_EQ(0, err) TH_LOG("sbxd did not start: %s", self->r->out);
	ASSERT_TRUE(logged(self, "self-protection on")) TH_LOG("sbxd did not arm");
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	pid = sbxd_test_pid(self->run);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-1, kill(pid, SIGHUP));
	EXPECT_EQ(EPERM, errno);

	swap_store(_metadata, self, etc, old, store);
	EXPECT_EQ(-1, open(list, O_WRONLY | O_CLOEXEC));
	EXPECT_EQ(EPERM, errno);
	close(master); /* the hangup: SIGHUP to the session's leader, sbxd */
	fmt(want, sizeof(want), "SIGHUP: the trust store %s is unchanged", store);
	EXPECT_TRUE(logged(self, want)) TH_LOG("the swapped store was read");
	EXPECT_EQ(EPERM, launched(self, t.prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

TEST_HARNESS_MAIN
