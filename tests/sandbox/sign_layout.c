// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which files may carry an appended signature (issue 9, item 1): none whose loader reads
 * past the signed bytes. An ELF file whose segments reach past its end, and any file that
 * ends with a zip archive (pyz, jar, wheel, apk: their readers search from the end), is
 * refused by sbx sign with one line that says to sign detached; and an appended
 * signature made on such a file anyway (with the library, as an attacker would) does not
 * verify.
 */
#include <elf.h>

#include "sign_fixture.h"
#include "sign/elf_layout.h"
#include "sign/sigblob.h"

/* Make the last PT_LOAD of an ELF64 file map `extra` bytes past the end of the file. */
static int stretch_last_load(const char *path, uint64_t extra)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	off_t last = -1;

	if (read_at(path, 0, &eh, sizeof(eh)) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	for (int i = 0; i < eh.e_phnum; i++) {
		off_t at = (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize);

		if (read_at(path, at, &ph, sizeof(ph)))
			return -1;
		if (ph.p_type == PT_LOAD)
			last = at;
	}
	if (last < 0 || read_at(path, last, &ph, sizeof(ph)))
		return -1;
	ph.p_filesz = (uint64_t)file_size(path) - ph.p_offset + extra;
	if (ph.p_memsz < ph.p_filesz)
		ph.p_memsz = ph.p_filesz;
	return write_at(path, last, &ph, sizeof(ph));
}

/* What an attacker can do without sbx sign: append a signature with the library. */
static int append_signature(FIXTURE_DATA(sign) * self, const char *path)
{
	struct sbx_sign_options o = { 0 };
	struct sbx_signer signer;
	struct sbx_diag diag = { 0 };
	uint8_t *blob = NULL, cdhash[SBX_DIGEST_LEN];
	char id[SBX_IDENTIFIER_MAX + 1];
	size_t len;
	int fd, err;

	if (sbx_signer_load(&signer, self->key, self->cert, self->chain, &diag))
		return -1;
	o.signer = &signer;
	fd = open(path, O_RDWR | O_APPEND);
	err = fd < 0 ? -1
		     : sbx_sign_blob_fd(fd, (uint64_t)file_size(path), &o, "planted", &blob, &len,
					cdhash, id, &diag);
	if (!err && write(fd, blob, len) != (ssize_t)len)
		err = -1;
	if (fd >= 0)
		close(fd);
	free(blob);
	sbx_signer_free(&signer);
	return err;
}

/* A python zipapp (__main__.py inside a zip), made with python3's own zipfile module. */
static int make_pyz(FIXTURE_DATA(sign) * self, char *pyz, size_t len)
{
	snprintf(pyz, len, "%s/app.pyz", self->dir);
	return sbx_sh(self->r,
		      "cd '%s' && printf 'print(\"signed code\")\\n' >__main__.py && "
		      "python3 -m zipfile -c app.pyz __main__.py",
		      self->dir) ||
			       self->r->status
		       ? -1
		       : 0;
}

TEST_F(sign, elf_segment_past_the_end_is_refused)
{
	char want[2048];

	ASSERT_EQ(0, stretch_last_load(self->file, 4096));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_STREQ("", self->r->out);
	EXPECT_NE(NULL, strstr(self->r->err, "no appended signature: ELF segment "));
	snprintf(want, sizeof(want),
		 "(PT_LOAD) reaches past the signed content, where an appended signature would "
		 "be: sign it --detached or --xattr\n");
	EXPECT_NE(NULL, strstr(self->r->err, want))
	{
		TH_LOG("%s", self->r->err);
	}
	/* Nothing was written: the file still has no signature. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "not signed"));
	/* Detached is the way for such a file. */
	ASSERT_EQ(0, sign_file(self, self->file, "--detached"));
	EXPECT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, self->file, "true");
}

TEST_F(sign, appended_signature_on_an_elf_past_the_end_does_not_verify)
{
	ASSERT_EQ(0, stretch_last_load(self->file, 4096));
	ASSERT_EQ(0, append_signature(self, self->file));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "(PT_LOAD) reaches past the signed content"))
	{
		TH_LOG("%s", self->r->err);
	}
	ASSERT_EQ(0, sbx(self->r, "verify", "--json", "--trust", self->trust, self->file, NULL));
	EXPECT_NE(NULL, strstr(self->r->out, "\"reason\": \"unsafe-layout\""));
}

TEST_F(sign, zipapp_embedded_is_refused)
{
	char pyz[SIGN_PATH + 16], want[2048];

	if (make_pyz(self, pyz, sizeof(pyz)))
		SKIP(return, "python3 is not installed: no zip archive to sign");
	ASSERT_EQ(0, sign_file(self, pyz, "--embedded"));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx sign: %s: no appended signature: the file ends with a zip archive (zip, "
		 "jar, wheel, pyz, apk): its readers search from the end of the file, so an "
		 "appended signature would be read as part of it: sign it --detached or --xattr\n",
		 pyz);
	EXPECT_STREQ(want, self->r->err);
	/* Without --embedded it is signed detached, and verifies. */
	ASSERT_EQ(0, sign_file(self, pyz, NULL));
	EXPECT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, pyz, "app.pyz");
}

/* The record's 4-byte signature in the content, its other 18 bytes where the trailer goes. */
TEST_F(sign, zip_record_cut_by_the_signature_is_refused)
{
	static const char data[] = "hello\nPK\x05\x06\0\0\0\0";
	char f[SIGN_PATH + 16];
	FILE *out;

	snprintf(f, sizeof(f), "%s/cut.zip", self->dir);
	out = fopen(f, "w");
	ASSERT_NE(NULL, out);
	ASSERT_EQ(1U, fwrite(data, sizeof(data) - 1, 1, out));
	ASSERT_EQ(0, fclose(out));
	ASSERT_EQ(0, sign_file(self, f, "--embedded"));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "the file ends with a zip archive"))
	TH_LOG("%s", self->r->err);
}

TEST_F(sign, elf_with_a_zip_appended_is_refused)
{
	char pyz[SIGN_PATH + 16];

	if (make_pyz(self, pyz, sizeof(pyz)))
		SKIP(return, "python3 is not installed: no zip archive to append");
	/* A self-extracting archive: an ELF program followed by a zip. */
	ASSERT_EQ(0, sbx_sh(self->r, "cat '%s' >>'%s'", pyz, self->file));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "the file ends with a zip archive"));
}

TEST_F(sign, appended_signature_on_a_zipapp_does_not_verify)
{
	char pyz[SIGN_PATH + 16];

	if (make_pyz(self, pyz, sizeof(pyz)))
		SKIP(return, "python3 is not installed: no zip archive to sign");
	ASSERT_EQ(0, append_signature(self, pyz));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, pyz, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "the file ends with a zip archive"))
	{
		TH_LOG("%s", self->r->err);
	}
	EXPECT_EQ(NULL, strstr(self->r->out, "valid"));
}

TEST_HARNESS_MAIN
