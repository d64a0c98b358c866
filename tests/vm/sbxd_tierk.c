// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real sbxd in tier K, in a VM kernel with BPF LSM: it loads and pins the enforcer,
 * verifies on fanotify exec-permission events with the library verifier and stores the
 * verdicts; the BPF hooks refuse. Scope `sandboxed`, so only what a trusted launcher
 * starts is enforced and the guest itself keeps running (the fixture: sbxd_k.h).
 */
#include "sbxd_k.h"

TEST_F(sbxd_k, signed_runs_unsigned_refused)
{
	/* Control: before sbxd (and its pins), both run through the launcher. */
	ASSERT_EQ(0, launched(self, self->unsigned_prog));
	start_sbxd(_metadata, self);
	EXPECT_EQ(0, launched(self, self->signed_prog));
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	/* Outside the scope (not started by the launcher) the unsigned program runs. */
	EXPECT_EQ(0, run1(self->unsigned_prog));
	ASSERT_EQ(0, sbx_sh(self->r, "SBX_RUN_DIR='%s' '%s' log", self->run, sbx_bin()));
	EXPECT_NE(NULL, strstr(self->r->out, self->unsigned_prog)) TH_LOG("%s", self->r->out);
}

/*
 * Tier K has no write events (sbxd marks exec permission only): a byte written into the
 * verified program is seen through the BPF side, and the next exec is refused; signed
 * again (the new content), it runs. Same inode throughout.
 */
TEST_F(sbxd_k, rewritten_refused_signed_again_runs)
{
	unsigned char b = 3;
	int fd;

	start_sbxd(_metadata, self);
	ASSERT_EQ(0, launched(self, self->signed_prog));
	fd = open(self->signed_prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, &b, 1, TINY_EXIT_CODE_OFF));
	close(fd);
	EXPECT_EQ(EPERM, launched(self, self->signed_prog));
	ASSERT_EQ(
		0,
		sbx_sh(self->r,
		       "'%s' sign --key '%s/leaf.key' --cert '%s/leaf.pem' --chain '%s/chain.pem' "
		       "--identifier com.example.t '%s' >/dev/null",
		       sbx_bin(), sbx_pki, sbx_pki, sbx_pki, self->signed_prog));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	EXPECT_EQ(3, launched(self, self->signed_prog));
}

/*
 * kill -9 during an exec loop: the pinned programs keep refusing the unsigned program
 * (fail closed), the verdict already stored keeps the signed one running; a restarted
 * sbxd adopts the pins instead of loading twice.
 */
TEST_F(sbxd_k, kill9_pins_keep_refusing_restart_adopts)
{
	pid_t pid;

	start_sbxd(_metadata, self);
	ASSERT_EQ(0, launched(self, self->signed_prog));
	ASSERT_EQ(EPERM, launched(self, self->unsigned_prog));
	pid = sbxd_pid(self);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	for (int i = 0; i < 50; i++)
		EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	stop_sbxd(self, SIGKILL);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
	start_sbxd(_metadata, self);
	ASSERT_EQ(0, sbx_sh(self->r, "grep -c 'adopted the pinned enforcer' '%s.out'", self->run));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->out);
	EXPECT_EQ(EPERM, launched(self, self->unsigned_prog));
	EXPECT_EQ(0, launched(self, self->signed_prog));
}

TEST_HARNESS_MAIN
