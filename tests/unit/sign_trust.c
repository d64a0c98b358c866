// SPDX-License-Identifier: GPL-2.0-or-later
/* Revocation lists and trust cache bodies: parsing, bounds and exact messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "sign/trust.h"
#include "sign/trustcache.h"

#define TEXT(s) s, sizeof(s) - 1

TEST(revocations_parse)
{
	struct sbx_revocations r;
	struct sbx_diag diag = { 0 };
	uint8_t h[SBX_DIGEST_LEN];

	ASSERT_EQ(0, sbx_revocations_parse("rev",
					   TEXT("# comment\n\nserial "
						"00112233445566778899aabbccddeeff001122334455667788"
						"99aabbccddeeff 00:0a:BC  # inline\n"
						"cdhash 00112233445566778899aabbccddeeff"
						"00112233445566778899aabbccddeeff\n"
						"serial "
						"00112233445566778899aabbccddeeff001122334455667788"
						"99aabbccddeeff 0x0\n"
						"serial "
						"00112233445566778899aabbccddeeff001122334455667788"
						"99aabbccddeeff -0F\n"),
					   &r, &diag));
	ASSERT_EQ(3u, r.n_certs);
	ASSERT_EQ(1u, r.n_cdhashes);
	for (int i = 0; i < SBX_DIGEST_LEN; i++)
		h[i] = (uint8_t)((i % 16) * 0x11);
	EXPECT_TRUE(sbx_revoked_cert(&r, h, "ABC"));
	EXPECT_TRUE(sbx_revoked_cert(&r, h, "0"));
	EXPECT_TRUE(sbx_revoked_cert(&r, h, "-F"));
	EXPECT_FALSE(sbx_revoked_cert(&r, h, "F")); /* negative serials are kept exactly */
	EXPECT_FALSE(sbx_revoked_cert(&r, h, "0ABC"));
	h[0] ^= 1; /* the same serial from another issuer is another certificate */
	EXPECT_FALSE(sbx_revoked_cert(&r, h, "ABC"));
	h[0] ^= 1;
	EXPECT_TRUE(sbx_revoked_cdhash(&r, h));
	h[31] ^= 1;
	EXPECT_FALSE(sbx_revoked_cdhash(&r, h));
	sbx_revocations_free(&r);
}

TEST(revocations_bad_lines)
{
	static const char *const bad[] = {
		"fingerprint 12\n",
		"serial\n",
		"serial 12\n", /* a serial alone names no certificate */
		"serial 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff xyz\n",
		"serial 1234 12\n",
		"serial 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 12 "
		"extra\n",
		"cdhash 1234\n",
		"cdhash zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	};
	struct sbx_revocations r;
	struct sbx_diag diag;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&diag, 0, sizeof(diag));
		EXPECT_EQ(-EINVAL, sbx_revocations_parse("rev", bad[i], strlen(bad[i]), &r, &diag));
		EXPECT_STREQ("expected 'serial ISSUER-SHA256 SERIAL' or 'cdhash <64 hex digits>'",
			     diag.msg);
		EXPECT_STREQ("rev", diag.file);
		EXPECT_EQ(1u, diag.line);
	}
}

TEST(revocations_line_too_long)
{
	char line[500];
	struct sbx_revocations r;
	struct sbx_diag diag = { 0 };

	memset(line, 'A', sizeof(line));
	memcpy(line, "serial ", 7);
	EXPECT_EQ(-EINVAL, sbx_revocations_parse("rev", line, sizeof(line), &r, &diag));
	EXPECT_STREQ("line too long", diag.msg);
}

TEST(serial_normalize)
{
	char out[32];

	ASSERT_EQ(0, sbx_serial_normalize("0x00:01:Ff", out, sizeof(out)));
	EXPECT_STREQ("1FF", out);
	ASSERT_EQ(0, sbx_serial_normalize("000", out, sizeof(out)));
	EXPECT_STREQ("0", out);
	ASSERT_EQ(0, sbx_serial_normalize("-0x00:0f", out, sizeof(out)));
	EXPECT_STREQ("-F", out);
	ASSERT_EQ(0, sbx_serial_normalize("-0", out, sizeof(out)));
	EXPECT_STREQ("0", out);
	EXPECT_EQ(-EINVAL, sbx_serial_normalize("12g", out, sizeof(out)));
	EXPECT_EQ(-EINVAL, sbx_serial_normalize("-", out, sizeof(out)));
}

/* Stored exactly or refused: a serial is never cut to fit. */
TEST(serial_too_long_is_refused)
{
	char in[SBX_SERIAL_MAX_DIGITS + 8], out[SBX_SERIAL_MAX_DIGITS + 2];
	char dir[256], path[300];
	struct sbx_diag diag = { 0 };
	struct sbx_revocations r;

	memset(in, 'A', SBX_SERIAL_MAX_DIGITS);
	in[SBX_SERIAL_MAX_DIGITS] = '\0';
	ASSERT_EQ(0, sbx_serial_normalize(in, out, sizeof(out)));
	EXPECT_STREQ(in, out);
	strcat(in, "B");
	EXPECT_EQ(-E2BIG, sbx_serial_normalize(in, out, sizeof(out)));
	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/revoked.list", dir);
	EXPECT_EQ(-E2BIG,
		  sbx_revocation_edit(
			  path, "serial",
			  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", in,
			  true, &diag));
	EXPECT_NE(NULL, strstr(diag.msg, "it cannot be stored"));
	EXPECT_EQ(-1, access(path, F_OK)); /* nothing written, nothing claimed */
	ASSERT_EQ(0, sbx_revocation_edit(
			     path, "serial",
			     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			     "-1", true, &diag));
	ASSERT_EQ(0, sbx_revocations_load(path, false, &r, &diag));
	EXPECT_EQ(1u, r.n_certs);
	EXPECT_STREQ("-1", r.certs[0].serial);
	sbx_revocations_free(&r);
	sbx_rmtree(dir);
}

TEST(trust_cache_round_trip)
{
	uint8_t d[4][SBX_DIGEST_LEN], *buf;
	struct sbx_trust_cache tc;
	struct sbx_diag diag = { 0 };
	size_t len;

	memset(d, 0, sizeof(d));
	d[0][0] = 9;
	d[1][0] = 3;
	d[2][0] = 9; /* duplicate of d[0] */
	d[3][31] = 1;
	ASSERT_EQ(0, sbx_trust_cache_serialize(d, 4, 1700000000, &buf, &len, &diag));
	EXPECT_EQ((size_t)SBX_TC_HEADER_LEN + 3 * SBX_DIGEST_LEN, len);
	ASSERT_EQ(0, sbx_trust_cache_parse(buf, len, &tc, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	EXPECT_EQ(3u, tc.n);
	EXPECT_EQ(1700000000, tc.created);
	memset(d[0], 0, SBX_DIGEST_LEN);
	d[0][0] = 3;
	EXPECT_TRUE(sbx_trust_cache_contains(&tc, d[0]));
	d[0][0] = 4;
	EXPECT_FALSE(sbx_trust_cache_contains(&tc, d[0]));
	sbx_trust_cache_free(&tc);

	/* Out of order entries are refused. */
	buf[SBX_TC_HEADER_LEN + SBX_DIGEST_LEN] = 0xff;
	EXPECT_EQ(-EBADMSG, sbx_trust_cache_parse(buf, len, &tc, &diag));
	EXPECT_STREQ("malformed trust cache: entry 3 is not in ascending order", diag.msg);
	/* A count that disagrees with the size. */
	buf[15] = 200;
	EXPECT_EQ(-EBADMSG, sbx_trust_cache_parse(buf, len, &tc, &diag));
	EXPECT_STREQ("malformed trust cache: 200 entries need 6424 bytes, it has 120", diag.msg);
	buf[11] = 2;
	EXPECT_EQ(-EBADMSG, sbx_trust_cache_parse(buf, len, &tc, &diag));
	EXPECT_STREQ("trust cache version 2 is not supported (this sbx reads version 1)", diag.msg);
	buf[0] = 'x';
	EXPECT_EQ(-EBADMSG, sbx_trust_cache_parse(buf, len, &tc, &diag));
	EXPECT_STREQ("malformed trust cache: no SBXTCACH header", diag.msg);
	free(buf);
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int err = f && fputs(text, f) >= 0 ? 0 : -1;

	if (f && fclose(f))
		err = -1;
	return err;
}

/*
 * The store read through its descriptor (sbxd's reload, atk6k F5): a store whose parent
 * is renamed away, and another put at its path, is still the one the descriptor reads,
 * while the path form reads the new one (the control). Beneath the descriptor a link is
 * refused with the entry named in full, and a name that leaves the store is refused.
 */
TEST(revocations_read_through_the_store_descriptor)
{
	static const char one[] = "cdhash 00112233445566778899aabbccddeeff"
				  "00112233445566778899aabbccddeeff\n";
	char dir[256], etc[300], old[300], store[320], list[340], want[400];
	struct sbx_diag diag = { 0 };
	struct sbx_revocations r;
	int fd;

	ASSERT_NE(NULL, sbx_mkdtemp(dir, sizeof(dir)));
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	snprintf(old, sizeof(old), "%s/etc.old", dir);
	snprintf(store, sizeof(store), "%s/trust", etc);
	snprintf(list, sizeof(list), "%s/revoked.list", store);
	ASSERT_EQ(0, mkdir(etc, 0755));
	ASSERT_EQ(0, mkdir(store, 0755));
	ASSERT_EQ(0, put(list, one));
	fd = sbx_trust_store_open(store, &diag);
	ASSERT_LE(0, fd) TH_LOG("%s", diag.msg);
	ASSERT_EQ(0, rename(etc, old));
	ASSERT_EQ(0, mkdir(etc, 0755));
	ASSERT_EQ(0, mkdir(store, 0755));
	ASSERT_EQ(0, put(list, ""));

	ASSERT_EQ(0, sbx_revocations_load_at(fd, store, SBX_REVOCATION_FILE, false, &r, &diag))
	TH_LOG("%s", diag.msg);
	EXPECT_EQ(1u, r.n_cdhashes);
	sbx_revocations_free(&r);
	ASSERT_EQ(0, sbx_revocations_load(list, false, &r, &diag));
	EXPECT_EQ(0u, r.n_cdhashes);
	sbx_revocations_free(&r);

	snprintf(want, sizeof(want), "%s/trust/revoked.list", old);
	ASSERT_EQ(0, unlink(want));
	ASSERT_EQ(0, symlink(list, want));
	EXPECT_EQ(-ELOOP,
		  sbx_revocations_load_at(fd, store, SBX_REVOCATION_FILE, false, &r, &diag));
	snprintf(want, sizeof(want), "%s/revoked.list is a symbolic link", store);
	EXPECT_EQ(0, strncmp(diag.msg, want, strlen(want))) TH_LOG("%s", diag.msg);
	EXPECT_EQ(-EXDEV, sbx_trust_open_in(fd, store, "../../etc/trust/revoked.list", 0, &diag));
	close(fd);
	sbx_rmtree(dir);
}

TEST_HARNESS_MAIN
