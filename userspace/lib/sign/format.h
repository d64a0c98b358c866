/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sbx signature format, version 1 (FORMAT.md next to this file is the reference):
 * a code directory (what is signed: content digest, identifier, team id, flags,
 * entitlements, launch constraints), a detached CMS SignedData over it, and a fixed
 * trailer that locates both. Parsers here are pure and bounded: they read only the bytes
 * given, never allocate more than the limits below, and explain every rejection in one
 * sentence.
 */
#ifndef SBX_SIGN_FORMAT_H
#define SBX_SIGN_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* ---- trailer: content | code directory | CMS | info (24 bytes) | magic (25 bytes) ---- */
#define SBX_SIG_MAGIC		"~sbx signature appended~\n"
#define SBX_SIG_MAGIC_LEN	25
#define SBX_SIG_INFO_LEN	24
#define SBX_SIG_TRAILER_LEN	(SBX_SIG_INFO_LEN + SBX_SIG_MAGIC_LEN)
#define SBX_SIG_TRAILER_V1	1
#define SBX_SIG_DETACHED_SUFFIX ".sbxsig"
#define SBX_SIG_XATTR		"user.sbx.sig"

/* ---- code directory ---- */
#define SBX_CD_MAGIC	   0x53425843u /* "SBXC" */
#define SBX_CD_VERSION	   1
#define SBX_CD_HEADER_LEN  60
#define SBX_CD_HASH_SHA256 1
#define SBX_DIGEST_LEN	   32

/* Bounds: every count and size an attacker controls has one. */
#define SBX_CD_MAX_LEN		   (512u * 1024)
#define SBX_CD_MAX_FIELDS	   32
#define SBX_CMS_MAX_LEN		   (256u * 1024)
#define SBX_CMS_MAX_CERTS	   16
#define SBX_IDENTIFIER_MAX	   255
#define SBX_TEAM_ID_MAX		   64
#define SBX_ENTITLEMENTS_MAX	   (256u * 1024)
#define SBX_LAUNCH_CONSTRAINTS_MAX (64u * 1024)

/* Field tags. Tags with bit 15 set are optional: readers skip the ones they do not know. */
enum sbx_cd_tag {
	SBX_CD_TAG_IDENTIFIER = 1,
	SBX_CD_TAG_TEAM_ID = 2,
	SBX_CD_TAG_ENTITLEMENTS = 3,
	SBX_CD_TAG_LAUNCH_CONSTRAINTS = 4,
	SBX_CD_TAG_PAGE_HASHES = 5, /* reserved for per-page hashes; not written yet */
	SBX_CD_TAG_ELF_LAYOUT = 0x8001, /* where the section headers were when signed */
	SBX_CD_TAG_OPTIONAL = 0x8000,
};

/* Code directory flags (the hardened runtime and library validation of macOS). */
#define SBX_CD_FLAG_HARDENED_RUNTIME   (1u << 0)
#define SBX_CD_FLAG_LIBRARY_VALIDATION (1u << 1)
#define SBX_CD_FLAGS_KNOWN	       (SBX_CD_FLAG_HARDENED_RUNTIME | SBX_CD_FLAG_LIBRARY_VALIDATION)

/* Recorded for ELF files so a digest mismatch can be explained as strip/objcopy. */
struct sbx_elf_layout {
	uint64_t shoff;
	uint16_t shnum;
	uint16_t phnum;
};

/*
 * A parsed code directory. Pointers borrow from the buffer that was parsed (or, for one
 * being built, from the caller); nothing here is owned.
 */
struct sbx_code_directory {
	uint16_t version;
	uint8_t hash_type;
	uint32_t flags;
	uint64_t content_size;
	uint8_t content_digest[SBX_DIGEST_LEN];
	char identifier[SBX_IDENTIFIER_MAX + 1];
	char team_id[SBX_TEAM_ID_MAX + 1];
	const uint8_t *entitlements;
	size_t entitlements_len;
	const uint8_t *launch_constraints;
	size_t launch_constraints_len;
	bool has_elf_layout;
	struct sbx_elf_layout elf;
};

/* Serialize cd into a malloc'd buffer. -EINVAL (with diag) when a field is out of bounds. */
int sbx_cd_serialize(const struct sbx_code_directory *cd, uint8_t **buf, size_t *len,
		     struct sbx_diag *diag);
/* Parse and validate len bytes. -EBADMSG (with diag) on anything malformed. */
int sbx_cd_parse(const uint8_t *buf, size_t len, struct sbx_code_directory *cd,
		 struct sbx_diag *diag);

/* Where a signature blob was found. */
enum sbx_sig_location {
	SBX_SIG_NONE = 0,
	SBX_SIG_EMBEDDED, /* appended trailer */
	SBX_SIG_XATTR_LOC, /* user.sbx.sig */
	SBX_SIG_DETACHED, /* FILE.sbxsig */
};
const char *sbx_sig_location_name(enum sbx_sig_location loc);

/* The parts a trailer points at, as offsets into the bytes it was parsed from. */
struct sbx_sig_parts {
	uint64_t content_len; /* bytes of signed content before the code directory */
	uint64_t cd_off;
	uint32_t cd_len;
	uint64_t cms_off;
	uint32_t cms_len;
};

/* The 49 trailer bytes that end a signature blob. out must hold SBX_SIG_TRAILER_LEN. */
void sbx_sig_trailer_write(uint8_t *out, uint64_t content_len, uint32_t cd_len, uint32_t cms_len);

/* Does this 49-byte (or longer) tail end with the magic? */
bool sbx_sig_has_magic(const uint8_t *tail, size_t len);

/*
 * Parse the trailer at the end of a blob of blob_len bytes whose last `tail_len` bytes
 * (at least SBX_SIG_TRAILER_LEN unless the blob is shorter) are in tail. For an embedded
 * signature the blob is the whole file and content_len must fit before it; for a detached
 * or xattr signature the blob is the signature alone (content_len is the size of the file
 * it signs, checked by the caller). -ENODATA when there is no magic at all, -EBADMSG
 * (with diag) when the trailer is malformed.
 */
int sbx_sig_trailer_parse(const uint8_t *tail, size_t tail_len, uint64_t blob_len, bool embedded,
			  struct sbx_sig_parts *parts, struct sbx_diag *diag);

/* Identifiers and team ids: printable ASCII, no spaces (so they print on one line). */
bool sbx_printable_token(const uint8_t *s, size_t len);

/* Lowercase hex of n bytes into out (2n+1). */
void sbx_hex(const uint8_t *b, size_t n, char *out);

#endif /* SBX_SIGN_FORMAT_H */
