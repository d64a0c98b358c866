// SPDX-License-Identifier: GPL-2.0-or-later
/* Revocation lists and trust cache bodies: parsing, bounds and exact messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sign/trust.h"
#include "sign/trustcache.h"

#define TEXT(s) s, sizeof(s) - 1

TEST(revocations_parse)
{
	struct sbx_revocations r;
	struct sbx_diag diag = { 0 };
	uint8_t h[SBX_DIGEST_LEN];

	ASSERT_EQ(0, sbx_revocations_parse("rev",
					   TEXT("# comment\n\nserial 00:0a:BC  # inline\n"
						"cdhash 00112233445566778899aabbccddeeff"
						"00112233445566778899aabbccddeeff\n"
						"serial 0x0\n"),
					   &r, &diag));
	ASSERT_EQ(2u, r.n_serials);
	ASSERT_EQ(1u, r.n_cdhashes);
	EXPECT_TRUE(sbx_revoked_serial(&r, "ABC"));
	EXPECT_TRUE(sbx_revoked_serial(&r, "0"));
	EXPECT_FALSE(sbx_revoked_serial(&r, "0ABC"));
	for (int i = 0; i < SBX_DIGEST_LEN; i++)
		h[i] = (uint8_t)((i % 16) * 0x11);
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
		"serial xyz\n",
		"serial 12 extra\n",
		"cdhash 1234\n",
		"cdhash zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	};
	struct sbx_revocations r;
	struct sbx_diag diag;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&diag, 0, sizeof(diag));
		EXPECT_EQ(-EINVAL, sbx_revocations_parse("rev", bad[i], strlen(bad[i]), &r, &diag));
		EXPECT_STREQ("expected 'serial HEX' or 'cdhash <64 hex digits>'", diag.msg);
		EXPECT_STREQ("rev", diag.file);
		EXPECT_EQ(1u, diag.line);
	}
}

TEST(revocations_line_too_long)
{
	char line[400];
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
	EXPECT_EQ(-EINVAL, sbx_serial_normalize("12g", out, sizeof(out)));
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

TEST_HARNESS_MAIN
