// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd, tier F, on the host kernel: which execs run. Signed runs, unsigned and every way
 * of changing a verified file is refused (sbxd_fixture.h has the setting).
 */
#include "sbxd_fixture.h"

TEST_F(sbxd, signed_runs_unsigned_refused_with_event)
{
	char s[PATH_LEN], u[PATH_LEN];

	wpath(self, s, "signed");
	wpath(self, u, "unsigned");
	ASSERT_EQ(0, sign(_metadata, self, s));
	/* Control: before sbxd, both run. */
	ASSERT_EQ(0, exec_status(u));
	start_sbxd(_metadata, self, "enforce", NULL);
	EXPECT_EQ(0, exec_status(s));
	EXPECT_EQ(-EPERM, exec_status(u));
	EXPECT_TRUE(has_event(self, u, "deny", "unsigned"));
	/* A second exec of the signed file is a cache hit and still runs. */
	EXPECT_EQ(0, exec_status(s));
}

TEST_F(sbxd, trust_cache_runs)
{
	char p[PATH_LEN];

	platform_cache(_metadata, self, p);
	start_sbxd(_metadata, self, "enforce", NULL);
	EXPECT_EQ(0, exec_status(p));
	/* Control: the same bytes under another name are in the cache too; other bytes not. */
	EXPECT_EQ(0, sbx_sh(self->r, "printf x >> '%s/unsigned'", self->w));
	wpath(self, p, "unsigned");
	EXPECT_EQ(-EPERM, exec_status(p));
}

TEST_F(sbxd, untrusted_signer_refused)
{
	char s[PATH_LEN];

	wpath(self, s, "signed");
	ASSERT_EQ(0, sign_as(_metadata, self, "stranger", NULL, s, NULL));
	start_sbxd(_metadata, self, "enforce", NULL);
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "untrusted"));
}

TEST_F(sbxd, revoked_certificate_refused)
{
	char s[PATH_LEN];

	wpath(self, s, "signed");
	ASSERT_EQ(0, sign(_metadata, self, s));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' trust --trust '%s' revoke cert '%s/leaf.pem'", sbx_bin(),
			    self->trust, sbx_pki));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	start_sbxd(_metadata, self, "enforce", NULL);
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "revoked"));
}

TEST_F(sbxd, modified_byte_refused_resigned_runs)
{
	char s[PATH_LEN];
	struct stat st;

	signed_and_cached(_metadata, self, s);
	ASSERT_EQ(0, stat(s, &st));
	/* One byte in the middle of the signed content, through the same inode. */
	ASSERT_EQ(0, sbx_sh(self->r,
			    "printf '\\001' | dd of='%s' bs=1 seek=%lld conv=notrunc status=none",
			    s, (long long)st.st_size / 2));
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "digest-mismatch"));
	ASSERT_EQ(0, sign(_metadata, self, s));
	EXPECT_EQ(0, exec_status(s));
}

TEST_F(sbxd, rename_over_verified_refused)
{
	char s[PATH_LEN], u[PATH_LEN];

	wpath(self, u, "unsigned");
	signed_and_cached(_metadata, self, s);
	ASSERT_EQ(0, rename(u, s));
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "unsigned"));
}

TEST_F(sbxd, truncate_and_rewrite_in_place_refused)
{
	char s[PATH_LEN], u[PATH_LEN];

	wpath(self, u, "unsigned");
	signed_and_cached(_metadata, self, s);
	/* Same inode, O_TRUNC, then unsigned bytes: what `cp unsigned signed` does. */
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s' > '%s'", u, s));
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "unsigned"));
}

TEST_F(sbxd, truncate_signature_off_refused)
{
	char s[PATH_LEN];

	signed_and_cached(_metadata, self, s);
	ASSERT_EQ(0, truncate(s, 4096));
	EXPECT_EQ(-EPERM, exec_status(s));
}

/*
 * A signed file someone holds open for writing is refused (the writer could change it
 * between the answer and the exec); closed again unchanged, it runs. Written through the
 * descriptor held across the refused exec, it is refused after.
 */
TEST_F(sbxd, open_for_write_refused)
{
	char s[PATH_LEN];
	int fd;

	wpath(self, s, "signed");
	ASSERT_EQ(0, sign(_metadata, self, s));
	start_sbxd(_metadata, self, "enforce", NULL);
	fd = open(s, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "open-for-write"));
	close(fd);
	EXPECT_EQ(0, exec_status(s));
	fd = open(s, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "\x02", 1, 4000));
	close(fd);
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "digest-mismatch"));
}

/* A shared writable mapping writes without a write event; closing it is FAN_CLOSE_WRITE. */
TEST_F(sbxd, shared_mapping_write_refused)
{
	char s[PATH_LEN];
	struct stat st;
	uint8_t *p;
	int fd;

	signed_and_cached(_metadata, self, s);
	fd = open(s, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[st.st_size / 2] ^= 0x5a;
	ASSERT_EQ(0, munmap(p, (size_t)st.st_size));
	EXPECT_EQ(-EPERM, exec_status(s));
	EXPECT_TRUE(has_event(self, s, "deny", "digest-mismatch"));
}

TEST_F(sbxd, complain_allows_and_logs)
{
	char u[PATH_LEN];

	wpath(self, u, "unsigned");
	start_sbxd(_metadata, self, "complain", NULL);
	EXPECT_EQ(0, exec_status(u));
	EXPECT_TRUE(has_event(self, u, "would-deny", "unsigned"));
}

/*
 * Scope sandboxed, in tier F: the execs of processes with no_new_privs and a seccomp
 * filter (all that `sbx run` starts, and they cannot shed either) are verified; others
 * are not asked about.
 */
TEST_F(sbxd, scope_sandboxed)
{
	char s[PATH_LEN], u[PATH_LEN];

	wpath(self, s, "signed");
	wpath(self, u, "unsigned");
	ASSERT_EQ(0, sign(_metadata, self, s));
	start_sbxd(_metadata, self, "enforce", "--scope sandboxed");
	EXPECT_EQ(0, exec_as(u, false));
	EXPECT_EQ(-EPERM, exec_as(u, true));
	EXPECT_TRUE(has_event(self, u, "deny", "unsigned"));
	EXPECT_EQ(0, exec_as(s, true));
	/* The real thing: what sbx run starts is in scope. */
	ASSERT_EQ(0,
		  sbx_sh(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root --grant '%s' -- '%s'",
			 self->trust, sbx_bin(), self->w, u));
	EXPECT_EQ(126, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "cannot execute")) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0,
		  sbx_sh(self->r, "SBX_TRUST_DIR='%s' '%s' run --allow-root --grant '%s' -- '%s'",
			 self->trust, sbx_bin(), self->w, s));
	EXPECT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
}

TEST_HARNESS_MAIN
