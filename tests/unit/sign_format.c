// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The signature format's pure parts: code directory and trailer serialize/parse round
 * trips, and one test per malformed input asserting its exact message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sign/format.h"
#include "sign/hash.h"
#include "sign/sigblob.h"

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

FIXTURE(cd)
{
	struct sbx_code_directory cd;
	uint8_t *buf;
	size_t len;
	struct sbx_diag diag;
	struct sbx_code_directory out;
};

FIXTURE_SETUP(cd)
{
	static const uint8_t ent[] = "identifier: com.example.app\napp-sandbox: true\n";

	memset(&self->cd, 0, sizeof(self->cd));
	memset(&self->diag, 0, sizeof(self->diag));
	strcpy(self->cd.identifier, "com.example.app");
	strcpy(self->cd.team_id, "TEAM42");
	self->cd.flags = SBX_CD_FLAG_HARDENED_RUNTIME;
	self->cd.content_size = 12345;
	for (int i = 0; i < SBX_DIGEST_LEN; i++)
		self->cd.content_digest[i] = (uint8_t)i;
	self->cd.entitlements = ent;
	self->cd.entitlements_len = sizeof(ent) - 1;
	self->cd.has_elf_layout = true;
	self->cd.elf.shoff = 33680;
	self->cd.elf.shnum = 31;
	self->cd.elf.phnum = 13;
	ASSERT_EQ(0, sbx_cd_serialize(&self->cd, &self->buf, &self->len, &self->diag));
}

FIXTURE_TEARDOWN(cd)
{
	free(self->buf);
}

TEST_F(cd, round_trip)
{
	ASSERT_EQ(0, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag))
	{
		TH_LOG("%s", self->diag.msg);
	}
	EXPECT_STREQ("com.example.app", self->out.identifier);
	EXPECT_STREQ("TEAM42", self->out.team_id);
	EXPECT_EQ((uint32_t)SBX_CD_FLAG_HARDENED_RUNTIME, self->out.flags);
	EXPECT_EQ(12345u, self->out.content_size);
	EXPECT_EQ(0, memcmp(self->cd.content_digest, self->out.content_digest, SBX_DIGEST_LEN));
	ASSERT_EQ(self->cd.entitlements_len, self->out.entitlements_len);
	EXPECT_EQ(0, memcmp(self->cd.entitlements, self->out.entitlements,
			    self->out.entitlements_len));
	EXPECT_TRUE(self->out.has_elf_layout);
	EXPECT_EQ(33680u, self->out.elf.shoff);
	EXPECT_EQ(31u, self->out.elf.shnum);
	EXPECT_EQ(13u, self->out.elf.phnum);
	EXPECT_EQ(NULL, self->out.launch_constraints);
}

TEST_F(cd, version_unknown)
{
	be16(self->buf + 4, 2);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("code directory version 2 is not supported (this sbx reads version 1)",
		     self->diag.msg);
}

TEST_F(cd, bad_magic)
{
	self->buf[0] = 'X';
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: bad magic 0x58425843", self->diag.msg);
}

TEST_F(cd, shorter_than_header)
{
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, 20, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: 20 bytes, shorter than its 60-byte header",
		     self->diag.msg);
}

TEST_F(cd, length_disagrees)
{
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len - 1, &self->out, &self->diag));
	EXPECT_NE(NULL, strstr(self->diag.msg, "malformed code directory: header says"));
}

TEST_F(cd, unknown_hash_type)
{
	self->buf[6] = 9;
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: hash type 9 is not supported (1 = SHA-256)",
		     self->diag.msg);
}

TEST_F(cd, unknown_flags)
{
	be32(self->buf + 12, 0x80000001u);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: unknown flags 0x80000000", self->diag.msg);
}

TEST_F(cd, too_many_fields)
{
	be16(self->buf + 56, SBX_CD_MAX_FIELDS + 1);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: 33 fields, over the limit of 32", self->diag.msg);
}

TEST_F(cd, field_past_end)
{
	/* The first field is the identifier; make its length huge. */
	be32(self->buf + SBX_CD_HEADER_LEN + 4, 0x7fffffff);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ(
		"malformed code directory: field 1 (tag 1) of 2147483647 bytes runs past the end",
		self->diag.msg);
}

TEST_F(cd, unknown_required_tag)
{
	be16(self->buf + SBX_CD_HEADER_LEN, 7);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: unknown field tag 7", self->diag.msg);
}

TEST_F(cd, duplicate_tag)
{
	/* Second field is the team id; relabel it as a second identifier. */
	size_t second = SBX_CD_HEADER_LEN + 8 + strlen("com.example.app");

	be16(self->buf + second, SBX_CD_TAG_IDENTIFIER);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: field tag 1 appears twice", self->diag.msg);
}

TEST_F(cd, unknown_optional_tag_skipped)
{
	size_t second = SBX_CD_HEADER_LEN + 8 + strlen("com.example.app");

	be16(self->buf + second, 0x8123);
	ASSERT_EQ(0, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("", self->out.team_id);
}

TEST_F(cd, identifier_not_printable)
{
	self->buf[SBX_CD_HEADER_LEN + 8 + 3] = ' ';
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(self->buf, self->len, &self->out, &self->diag));
	EXPECT_STREQ("malformed code directory: identifier is empty, longer than 255 bytes or not "
		     "printable",
		     self->diag.msg);
}

TEST(cd_oversized_entitlements)
{
	struct sbx_code_directory cd = { 0 }, out;
	struct sbx_diag diag = { 0 };
	size_t big = SBX_ENTITLEMENTS_MAX + 1;
	uint8_t *ent = calloc(1, big), *buf, *hand;
	size_t len;

	ASSERT_NE(NULL, ent);
	strcpy(cd.identifier, "x");
	cd.entitlements = ent;
	cd.entitlements_len = big;
	ASSERT_EQ(-EINVAL, sbx_cd_serialize(&cd, &buf, &len, &diag));
	EXPECT_STREQ("entitlements of 262145 bytes exceed the 262144-byte limit", diag.msg);

	/* The same, crafted by hand, is refused by the parser with the same sentence. */
	cd.entitlements_len = 0;
	ASSERT_EQ(0, sbx_cd_serialize(&cd, &buf, &len, &diag));
	hand = calloc(1, len + 8 + big);
	ASSERT_NE(NULL, hand);
	memcpy(hand, buf, len);
	be32(hand + 8, (uint32_t)(len + 8 + big));
	be16(hand + 56, 2);
	be16(hand + len, SBX_CD_TAG_ENTITLEMENTS);
	be32(hand + len + 4, (uint32_t)big);
	ASSERT_EQ(-EBADMSG, sbx_cd_parse(hand, len + 8 + big, &out, &diag));
	EXPECT_STREQ("entitlements of 262145 bytes exceed the 262144-byte limit", diag.msg);
	free(hand);
	free(buf);
	free(ent);
}

TEST(cd_serialize_rejects_bad_identifier)
{
	struct sbx_code_directory cd = { 0 };
	struct sbx_diag diag = { 0 };
	uint8_t *buf;
	size_t len;

	strcpy(cd.identifier, "has space");
	ASSERT_EQ(-EINVAL, sbx_cd_serialize(&cd, &buf, &len, &diag));
	EXPECT_STREQ("identifier 'has space' is invalid: 1 to 255 printable characters, no spaces",
		     diag.msg);
}

/* A fake embedded file: content, code directory, CMS, trailer. */
FIXTURE(trailer)
{
	uint8_t file[4096];
	size_t len;
	struct sbx_sig_parts parts;
	struct sbx_diag diag;
};

FIXTURE_SETUP(trailer)
{
	memset(self->file, 'c', 1000);
	memset(self->file + 1000, 'd', 100);
	memset(self->file + 1100, 'm', 200);
	sbx_sig_trailer_write(self->file + 1300, 1000, 100, 200);
	self->len = 1300 + SBX_SIG_TRAILER_LEN;
	memset(&self->diag, 0, sizeof(self->diag));
}

FIXTURE_TEARDOWN(trailer)
{
}

TEST_F(trailer, round_trip_embedded)
{
	ASSERT_EQ(0, sbx_sig_trailer_parse(self->file, self->len, self->len, true, &self->parts,
					   &self->diag));
	EXPECT_EQ(1000u, self->parts.content_len);
	EXPECT_EQ(1000u, self->parts.cd_off);
	EXPECT_EQ(100u, self->parts.cd_len);
	EXPECT_EQ(1100u, self->parts.cms_off);
	EXPECT_EQ(200u, self->parts.cms_len);
}

TEST_F(trailer, round_trip_detached)
{
	uint8_t *sig = self->file + 1000;
	size_t sig_len = self->len - 1000;

	ASSERT_EQ(0,
		  sbx_sig_trailer_parse(sig, sig_len, sig_len, false, &self->parts, &self->diag));
	EXPECT_EQ(1000u, self->parts.content_len);
	EXPECT_EQ(0u, self->parts.cd_off);
	EXPECT_EQ(100u, self->parts.cms_off);
}

TEST_F(trailer, no_magic_is_unsigned)
{
	ASSERT_EQ(-ENODATA,
		  sbx_sig_trailer_parse(self->file, 1000, 1000, true, &self->parts, &self->diag));
	EXPECT_STREQ("", self->diag.msg);
}

TEST_F(trailer, truncated)
{
	const uint8_t *tail = self->file + self->len - 30;

	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(tail, 30, 30, true, &self->parts, &self->diag));
	EXPECT_STREQ("truncated signature trailer: 30 bytes, a trailer needs 49", self->diag.msg);
}

TEST_F(trailer, length_past_end)
{
	be32(self->file + 1300 + 8, 200000);
	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(self->file, self->len, self->len, true,
						  &self->parts, &self->diag));
	EXPECT_STREQ("signature trailer length 200149 runs past the start of the file (1349 bytes)",
		     self->diag.msg);
}

TEST_F(trailer, content_length_disagrees)
{
	self->file[1300 + 23] = 0xff;
	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(self->file, self->len, self->len, true,
						  &self->parts, &self->diag));
	EXPECT_STREQ("malformed signature trailer: it says 1023 bytes of content but 1000 precede "
		     "the signature",
		     self->diag.msg);
}

TEST_F(trailer, version_unknown)
{
	self->file[1300] = 7;
	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(self->file, self->len, self->len, true,
						  &self->parts, &self->diag));
	EXPECT_STREQ("signature trailer version 7 is not supported (this sbx reads version 1)",
		     self->diag.msg);
}

TEST_F(trailer, reserved_nonzero)
{
	self->file[1300 + 13] = 1;
	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(self->file, self->len, self->len, true,
						  &self->parts, &self->diag));
	EXPECT_STREQ("malformed signature trailer: reserved bytes are not zero", self->diag.msg);
}

TEST_F(trailer, cms_length_zero)
{
	be32(self->file + 1300 + 8, 0);
	ASSERT_EQ(-EBADMSG, sbx_sig_trailer_parse(self->file, self->len, self->len, true,
						  &self->parts, &self->diag));
	EXPECT_STREQ("malformed signature trailer: CMS length 0 is outside 1..262144",
		     self->diag.msg);
}

TEST_F(trailer, detached_with_extra_bytes)
{
	uint8_t *sig = self->file + 990;
	size_t sig_len = self->len - 990;

	ASSERT_EQ(-EBADMSG,
		  sbx_sig_trailer_parse(sig, sig_len, sig_len, false, &self->parts, &self->diag));
	EXPECT_STREQ("malformed signature: 10 bytes before its trailer that no length accounts for",
		     self->diag.msg);
}

/* Whole signatures in memory: content, code directory, (opaque) CMS, trailer. */
static size_t build_embedded(uint8_t *out, const uint8_t *content, size_t content_len,
			     uint64_t cd_content_size)
{
	struct sbx_code_directory cd = { 0 };
	struct sbx_diag diag = { 0 };
	uint8_t *cdbuf;
	size_t cd_len;

	strcpy(cd.identifier, "com.example.blob");
	cd.content_size = cd_content_size;
	if (sbx_cd_serialize(&cd, &cdbuf, &cd_len, &diag))
		return 0;
	memcpy(out, content, content_len);
	memcpy(out + content_len, cdbuf, cd_len);
	memset(out + content_len + cd_len, 'm', 20);
	sbx_sig_trailer_write(out + content_len + cd_len + 20, content_len, (uint32_t)cd_len, 20);
	free(cdbuf);
	return content_len + cd_len + 20 + SBX_SIG_TRAILER_LEN;
}

TEST(blob_embedded_parses)
{
	uint8_t buf[1024];
	struct sbx_sig_blob blob;
	struct sbx_diag diag = { 0 };
	size_t len = build_embedded(buf, (const uint8_t *)"0123456789", 10, 10);

	ASSERT_NE(0u, len);
	ASSERT_EQ(0, sbx_sig_parse_buffer(buf, len, true, &blob, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	EXPECT_EQ(SBX_SIG_EMBEDDED, (int)blob.location);
	EXPECT_EQ(10u, blob.content_len);
	EXPECT_EQ(20u, blob.cms_len);
	EXPECT_STREQ("com.example.blob", blob.code_dir.identifier);
	sbx_sig_blob_free(&blob);
	/* The same signature alone is a detached one. */
	ASSERT_EQ(0, sbx_sig_parse_buffer(buf + 10, len - 10, false, &blob, &diag));
	EXPECT_EQ(SBX_SIG_DETACHED, (int)blob.location);
	sbx_sig_blob_free(&blob);
}

TEST(blob_two_trailers)
{
	uint8_t content[40], buf[1024];
	struct sbx_sig_blob blob;
	struct sbx_diag diag = { 0 };
	size_t len;

	memset(content, 'c', sizeof(content));
	memcpy(content + sizeof(content) - SBX_SIG_MAGIC_LEN, SBX_SIG_MAGIC, SBX_SIG_MAGIC_LEN);
	len = build_embedded(buf, content, sizeof(content), sizeof(content));
	ASSERT_EQ(-EBADMSG, sbx_sig_parse_buffer(buf, len, true, &blob, &diag));
	EXPECT_STREQ("two signature trailers: a second signature was appended to a signed file "
		     "(sbx sign replaces a signature; re-sign the original)",
		     diag.msg);
	sbx_sig_blob_free(&blob);
}

TEST(blob_sizes_disagree)
{
	uint8_t buf[1024];
	struct sbx_sig_blob blob;
	struct sbx_diag diag = { 0 };
	size_t len = build_embedded(buf, (const uint8_t *)"0123456789", 10, 11);

	ASSERT_EQ(-EBADMSG, sbx_sig_parse_buffer(buf, len, true, &blob, &diag));
	EXPECT_STREQ("malformed signature: the code directory covers 11 bytes but the trailer 10",
		     diag.msg);
	sbx_sig_blob_free(&blob);
}

TEST(blob_detached_without_magic)
{
	uint8_t buf[1024];
	struct sbx_sig_blob blob;
	struct sbx_diag diag = { 0 };
	size_t len = build_embedded(buf, (const uint8_t *)"0123456789", 10, 10);

	ASSERT_EQ(-EBADMSG, sbx_sig_parse_buffer(buf + 10, len - 11, false, &blob, &diag));
	EXPECT_STREQ("truncated or corrupt signature: it does not end with the sbx signature magic",
		     diag.msg);
	sbx_sig_blob_free(&blob);
}

/*
 * sbx_sha256 (a buffer: OpenSSL's SHA-256 called directly, without initializing OpenSSL)
 * gives FIPS 180-2's digests, and the same as sbx_sha256_fd (EVP) on the same bytes.
 */
TEST(sha256_vectors_and_evp_agree)
{
	static const struct {
		const char *msg, *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t a[SBX_DIGEST_LEN], b[SBX_DIGEST_LEN];
		struct sbx_diag diag = { 0 };
		size_t len = strlen(v[i].msg);
		char hex[2 * SBX_DIGEST_LEN + 1];
		int fd = memfd_create("sha256", MFD_CLOEXEC);

		ASSERT_LE(0, fd);
		ASSERT_EQ((ssize_t)len, write(fd, v[i].msg, len));
		sbx_sha256(v[i].msg, len, a);
		ASSERT_EQ(0, sbx_sha256_fd(fd, 0, len, b, &diag)) TH_LOG("%s", diag.msg);
		close(fd);
		for (int k = 0; k < SBX_DIGEST_LEN; k++)
			snprintf(hex + 2 * k, 3, "%02x", a[k]);
		EXPECT_STREQ(v[i].hex, hex);
		EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	}
}

TEST_HARNESS_MAIN
