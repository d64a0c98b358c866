// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How sbx sign writes an appended signature (issue 9): never in place. The signed file is
 * a new inode renamed over the old one, so a crash or a full disk cannot leave a damaged
 * binary, and re-signing keeps the owner and the mode, setuid included (the owner is set
 * before the mode, since fchown clears setuid).
 */
#include <sys/stat.h>

#include "sign_fixture.h"

TEST_F(sign, signing_replaces_the_file_never_rewrites_it)
{
	char hard[SIGN_PATH + 32];
	struct stat before, after, old;

	snprintf(hard, sizeof(hard), "%s/hardlink", self->dir);
	ASSERT_EQ(0, link(self->file, hard));
	ASSERT_EQ(0, stat(self->file, &before));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, stat(self->file, &after));
	EXPECT_NE(before.st_ino, after.st_ino);
	/* The old inode, still reachable through the link, was never touched. */
	ASSERT_EQ(0, stat(hard, &old));
	EXPECT_EQ(before.st_ino, old.st_ino);
	EXPECT_EQ(before.st_size, old.st_size);
	EXPECT_EQ(before.st_mtime, old.st_mtime);
	ASSERT_VERIFY_OK(self, self->file, "true");
	/* Re-signing replaces it again. */
	ASSERT_EQ(0, sign_file(self, self->file, "--hardened-runtime"));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, self->file, "true");
}

TEST_F(sign, resigning_a_setuid_file_keeps_mode_and_owner)
{
	struct stat st;

	/* As root: a program owned by nobody; as nobody: our own. Setuid either way. */
	if (geteuid() == 0) {
		ASSERT_EQ(0, chown(self->file, 65534, 65534));
	}
	ASSERT_EQ(0, chmod(self->file, 04755));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	ASSERT_EQ(0, sign_file(self, self->file, NULL)); /* re-sign: replace the signature */
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_EQ(04755u, st.st_mode & 07777);
	EXPECT_EQ(geteuid() == 0 ? 65534u : geteuid(), st.st_uid);
	ASSERT_VERIFY_OK(self, self->file, "true");
}

TEST_HARNESS_MAIN
