// SPDX-License-Identifier: LGPL-2.1-or-later
/* Code directory and trailer: serialization and bounded parsing (FORMAT.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/format.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (24 - 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (56 - 8 * i);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void sbx_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *sbx_sig_location_name(enum sbx_sig_location loc)
{
	switch (loc) {
	case SBX_SIG_EMBEDDED:
		return "embedded";
	case SBX_SIG_XATTR_LOC:
		return "xattr " SBX_SIG_XATTR;
	case SBX_SIG_DETACHED:
		return "detached " SBX_SIG_DETACHED_SUFFIX;
	default:
		return "none";
	}
}

/* Identifiers and team ids: printable ASCII without spaces, so they print on one line. */
bool sbx_printable_token(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

struct cd_field {
	uint16_t tag;
	const void *data;
	size_t len;
};

int sbx_cd_serialize(const struct sbx_code_directory *cd, uint8_t **buf, size_t *len,
		     struct sbx_diag *diag)
{
	size_t id_len = strnlen(cd->identifier, sizeof(cd->identifier));
	size_t team_len = strnlen(cd->team_id, sizeof(cd->team_id));
	uint8_t elf[16] = { 0 };
	struct cd_field fields[5];
	size_t n = 0, total = SBX_CD_HEADER_LEN, off;
	uint8_t *p;

	if (!id_len || id_len > SBX_IDENTIFIER_MAX ||
	    !sbx_printable_token((const uint8_t *)cd->identifier, id_len))
		return sbx_diag_set(
			diag, -EINVAL,
			"identifier '%s' is invalid: 1 to %d printable characters, no spaces",
			cd->identifier, SBX_IDENTIFIER_MAX);
	if (team_len > SBX_TEAM_ID_MAX ||
	    !sbx_printable_token((const uint8_t *)cd->team_id, team_len))
		return sbx_diag_set(
			diag, -EINVAL,
			"team identifier '%s' is invalid: up to %d printable characters, no spaces",
			cd->team_id, SBX_TEAM_ID_MAX);
	if (cd->entitlements_len > SBX_ENTITLEMENTS_MAX)
		return sbx_diag_set(diag, -EINVAL,
				    "entitlements of %zu bytes exceed the %u-byte limit",
				    cd->entitlements_len, SBX_ENTITLEMENTS_MAX);
	if (cd->launch_constraints_len > SBX_LAUNCH_CONSTRAINTS_MAX)
		return sbx_diag_set(diag, -EINVAL,
				    "launch constraints of %zu bytes exceed the %u-byte limit",
				    cd->launch_constraints_len, SBX_LAUNCH_CONSTRAINTS_MAX);
	if (cd->flags & ~SBX_CD_FLAGS_KNOWN)
		return sbx_diag_set(diag, -EINVAL, "unknown code directory flags 0x%x",
				    cd->flags & ~SBX_CD_FLAGS_KNOWN);

	fields[n++] = (struct cd_field){ SBX_CD_TAG_IDENTIFIER, cd->identifier, id_len };
	if (team_len)
		fields[n++] = (struct cd_field){ SBX_CD_TAG_TEAM_ID, cd->team_id, team_len };
	if (cd->entitlements_len)
		fields[n++] = (struct cd_field){ SBX_CD_TAG_ENTITLEMENTS, cd->entitlements,
						 cd->entitlements_len };
	if (cd->launch_constraints_len)
		fields[n++] =
			(struct cd_field){ SBX_CD_TAG_LAUNCH_CONSTRAINTS, cd->launch_constraints,
					   cd->launch_constraints_len };
	if (cd->has_elf_layout) {
		put64(elf, cd->elf.shoff);
		put16(elf + 8, cd->elf.shnum);
		put16(elf + 10, cd->elf.phnum);
		fields[n++] = (struct cd_field){ SBX_CD_TAG_ELF_LAYOUT, elf, sizeof(elf) };
	}
	for (size_t i = 0; i < n; i++)
		total += 8 + fields[i].len;
	if (total > SBX_CD_MAX_LEN)
		return sbx_diag_set(diag, -EINVAL,
				    "code directory of %zu bytes exceeds the %u-byte limit", total,
				    SBX_CD_MAX_LEN);

	p = calloc(1, total);
	if (!p)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	put32(p, SBX_CD_MAGIC);
	put16(p + 4, SBX_CD_VERSION);
	p[6] = SBX_CD_HASH_SHA256;
	put32(p + 8, (uint32_t)total);
	put32(p + 12, cd->flags);
	put64(p + 16, cd->content_size);
	memcpy(p + 24, cd->content_digest, SBX_DIGEST_LEN);
	put16(p + 56, (uint16_t)n);
	off = SBX_CD_HEADER_LEN;
	for (size_t i = 0; i < n; i++) {
		put16(p + off, fields[i].tag);
		put32(p + off + 4, (uint32_t)fields[i].len);
		memcpy(p + off + 8, fields[i].data, fields[i].len);
		off += 8 + fields[i].len;
	}
	*buf = p;
	*len = total;
	return 0;
}

static int cd_bad(struct sbx_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cd_bad(struct sbx_diag *diag, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sbx_diag_set(diag, -EBADMSG, "malformed code directory: %s", msg);
}

static int cd_parse_field(struct sbx_code_directory *cd, uint16_t tag, const uint8_t *v,
			  uint32_t len, struct sbx_diag *diag)
{
	switch (tag) {
	case SBX_CD_TAG_IDENTIFIER:
		if (!len || len > SBX_IDENTIFIER_MAX || !sbx_printable_token(v, len))
			return cd_bad(diag,
				      "identifier is empty, longer than %d bytes or not printable",
				      SBX_IDENTIFIER_MAX);
		memcpy(cd->identifier, v, len);
		cd->identifier[len] = '\0';
		return 0;
	case SBX_CD_TAG_TEAM_ID:
		if (len > SBX_TEAM_ID_MAX || !sbx_printable_token(v, len))
			return cd_bad(diag,
				      "team identifier is longer than %d bytes or not printable",
				      SBX_TEAM_ID_MAX);
		memcpy(cd->team_id, v, len);
		cd->team_id[len] = '\0';
		return 0;
	case SBX_CD_TAG_ENTITLEMENTS:
		if (len > SBX_ENTITLEMENTS_MAX)
			return sbx_diag_set(diag, -EBADMSG,
					    "entitlements of %u bytes exceed the %u-byte limit",
					    len, SBX_ENTITLEMENTS_MAX);
		cd->entitlements = v;
		cd->entitlements_len = len;
		return 0;
	case SBX_CD_TAG_LAUNCH_CONSTRAINTS:
		if (len > SBX_LAUNCH_CONSTRAINTS_MAX)
			return sbx_diag_set(
				diag, -EBADMSG,
				"launch constraints of %u bytes exceed the %u-byte limit", len,
				SBX_LAUNCH_CONSTRAINTS_MAX);
		cd->launch_constraints = v;
		cd->launch_constraints_len = len;
		return 0;
	case SBX_CD_TAG_ELF_LAYOUT:
		if (len != 16)
			return cd_bad(diag, "ELF layout field is %u bytes, not 16", len);
		cd->has_elf_layout = true;
		cd->elf.shoff = get64(v);
		cd->elf.shnum = get16(v + 8);
		cd->elf.phnum = get16(v + 10);
		return 0;
	default:
		if (tag & SBX_CD_TAG_OPTIONAL)
			return 0;
		return cd_bad(diag, "unknown field tag %u", tag);
	}
}

int sbx_cd_parse(const uint8_t *buf, size_t len, struct sbx_code_directory *cd,
		 struct sbx_diag *diag)
{
	uint32_t seen_required = 0;
	bool seen_optional_elf = false;
	uint16_t nfields;
	size_t off;

	memset(cd, 0, sizeof(*cd));
	if (len < SBX_CD_HEADER_LEN)
		return cd_bad(diag, "%zu bytes, shorter than its %d-byte header", len,
			      SBX_CD_HEADER_LEN);
	if (len > SBX_CD_MAX_LEN)
		return cd_bad(diag, "%zu bytes, over the %u-byte limit", len, SBX_CD_MAX_LEN);
	if (get32(buf) != SBX_CD_MAGIC)
		return cd_bad(diag, "bad magic 0x%08x", get32(buf));
	cd->version = get16(buf + 4);
	if (cd->version != SBX_CD_VERSION)
		return sbx_diag_set(
			diag, -EBADMSG,
			"code directory version %u is not supported (this sbx reads version %d)",
			cd->version, SBX_CD_VERSION);
	cd->hash_type = buf[6];
	if (cd->hash_type != SBX_CD_HASH_SHA256)
		return cd_bad(diag, "hash type %u is not supported (1 = SHA-256)", cd->hash_type);
	if (buf[7] || get16(buf + 58))
		return cd_bad(diag, "reserved header bytes are not zero");
	if (get32(buf + 8) != len)
		return cd_bad(diag, "header says %u bytes but the signature holds %zu",
			      get32(buf + 8), len);
	cd->flags = get32(buf + 12);
	if (cd->flags & ~SBX_CD_FLAGS_KNOWN)
		return cd_bad(diag, "unknown flags 0x%x", cd->flags & ~SBX_CD_FLAGS_KNOWN);
	cd->content_size = get64(buf + 16);
	memcpy(cd->content_digest, buf + 24, SBX_DIGEST_LEN);
	nfields = get16(buf + 56);
	if (nfields > SBX_CD_MAX_FIELDS)
		return cd_bad(diag, "%u fields, over the limit of %d", nfields, SBX_CD_MAX_FIELDS);

	off = SBX_CD_HEADER_LEN;
	for (unsigned int i = 0; i < nfields; i++) {
		uint16_t tag;
		uint32_t flen;
		int err;

		if (len - off < 8)
			return cd_bad(diag, "field %u header runs past the end", i + 1);
		tag = get16(buf + off);
		if (get16(buf + off + 2))
			return cd_bad(diag, "field %u has nonzero reserved bytes", i + 1);
		flen = get32(buf + off + 4);
		off += 8;
		if (flen > len - off)
			return cd_bad(diag, "field %u (tag %u) of %u bytes runs past the end",
				      i + 1, tag, flen);
		if (tag < 32) {
			if (seen_required & (1u << tag))
				return cd_bad(diag, "field tag %u appears twice", tag);
			seen_required |= 1u << tag;
		} else if (tag == SBX_CD_TAG_ELF_LAYOUT) {
			if (seen_optional_elf)
				return cd_bad(diag, "field tag %u appears twice", tag);
			seen_optional_elf = true;
		}
		err = cd_parse_field(cd, tag, buf + off, flen, diag);
		if (err)
			return err;
		off += flen;
	}
	if (off != len)
		return cd_bad(diag, "%zu bytes after the last field", len - off);
	if (!cd->identifier[0])
		return cd_bad(diag, "no identifier");
	return 0;
}

void sbx_sig_trailer_write(uint8_t *out, uint64_t content_len, uint32_t cd_len, uint32_t cms_len)
{
	memset(out, 0, SBX_SIG_INFO_LEN);
	out[0] = SBX_SIG_TRAILER_V1;
	put32(out + 4, cd_len);
	put32(out + 8, cms_len);
	put64(out + 16, content_len);
	memcpy(out + SBX_SIG_INFO_LEN, SBX_SIG_MAGIC, SBX_SIG_MAGIC_LEN);
}

bool sbx_sig_has_magic(const uint8_t *tail, size_t len)
{
	return len >= SBX_SIG_MAGIC_LEN &&
	       !memcmp(tail + len - SBX_SIG_MAGIC_LEN, SBX_SIG_MAGIC, SBX_SIG_MAGIC_LEN);
}

int sbx_sig_trailer_parse(const uint8_t *tail, size_t tail_len, uint64_t blob_len, bool embedded,
			  struct sbx_sig_parts *parts, struct sbx_diag *diag)
{
	const uint8_t *info;
	uint64_t sig_len;

	memset(parts, 0, sizeof(*parts));
	if (!sbx_sig_has_magic(tail, tail_len))
		return -ENODATA;
	if (blob_len < SBX_SIG_TRAILER_LEN || tail_len < SBX_SIG_TRAILER_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "truncated signature trailer: %llu bytes, a trailer needs %d",
				    (unsigned long long)(blob_len < tail_len ? blob_len : tail_len),
				    SBX_SIG_TRAILER_LEN);
	info = tail + tail_len - SBX_SIG_TRAILER_LEN;
	if (info[0] != SBX_SIG_TRAILER_V1)
		return sbx_diag_set(
			diag, -EBADMSG,
			"signature trailer version %u is not supported (this sbx reads version %d)",
			info[0], SBX_SIG_TRAILER_V1);
	if (info[1] || info[2] || info[3] || get32(info + 12))
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed signature trailer: reserved bytes are not zero");
	parts->cd_len = get32(info + 4);
	parts->cms_len = get32(info + 8);
	parts->content_len = get64(info + 16);
	if (parts->cd_len < SBX_CD_HEADER_LEN || parts->cd_len > SBX_CD_MAX_LEN)
		return sbx_diag_set(
			diag, -EBADMSG,
			"malformed signature trailer: code directory length %u is outside %d..%u",
			parts->cd_len, SBX_CD_HEADER_LEN, SBX_CD_MAX_LEN);
	if (!parts->cms_len || parts->cms_len > SBX_CMS_MAX_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed signature trailer: CMS length %u is outside 1..%u",
				    parts->cms_len, SBX_CMS_MAX_LEN);
	sig_len = (uint64_t)parts->cd_len + parts->cms_len + SBX_SIG_TRAILER_LEN;
	if (sig_len > blob_len)
		return sbx_diag_set(
			diag, -EBADMSG,
			"signature trailer length %llu runs past the start of the %s (%llu bytes)",
			(unsigned long long)sig_len, embedded ? "file" : "signature",
			(unsigned long long)blob_len);
	if (embedded) {
		if (parts->content_len != blob_len - sig_len)
			return sbx_diag_set(diag, -EBADMSG,
					    "malformed signature trailer: it says %llu bytes of "
					    "content but %llu precede the signature",
					    (unsigned long long)parts->content_len,
					    (unsigned long long)(blob_len - sig_len));
		parts->cd_off = parts->content_len;
	} else {
		if (sig_len != blob_len)
			return sbx_diag_set(diag, -EBADMSG,
					    "malformed signature: %llu bytes before its trailer "
					    "that no length accounts for",
					    (unsigned long long)(blob_len - sig_len));
		parts->cd_off = 0;
	}
	parts->cms_off = parts->cd_off + parts->cd_len;
	return 0;
}
