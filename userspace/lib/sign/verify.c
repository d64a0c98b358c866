// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sbx_verify_fd: the one place a verdict is reached. Checks run cheapest first and any
 * failure ends in SBX_VERDICT_INVALID with one sentence; only the last line of the
 * function can produce SBX_VERDICT_VALID.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign/cms.h"
#include "sign/elf_layout.h"
#include "sign/hash.h"
#include "sign/sigblob.h"
#include "sign/trust.h"
#include "sign/trustcache.h"
#include "sign/verify.h"

const char *sbx_verdict_name(enum sbx_verdict v)
{
	switch (v) {
	case SBX_VERDICT_VALID:
		return "valid";
	case SBX_VERDICT_UNSIGNED:
		return "unsigned";
	case SBX_VERDICT_PLATFORM:
		return "platform";
	default:
		return "invalid";
	}
}

const char *sbx_verify_reason_name(enum sbx_verify_reason r)
{
	static const char *const names[] = {
		[SBX_REASON_NONE] = "none",
		[SBX_REASON_MALFORMED] = "malformed",
		[SBX_REASON_DIGEST_MISMATCH] = "digest-mismatch",
		[SBX_REASON_STRIPPED] = "stripped",
		[SBX_REASON_BAD_SIGNATURE] = "bad-signature",
		[SBX_REASON_UNTRUSTED] = "untrusted",
		[SBX_REASON_EXPIRED] = "expired",
		[SBX_REASON_NOT_YET_VALID] = "not-yet-valid",
		[SBX_REASON_NO_CODE_SIGNING_EKU] = "no-code-signing-eku",
		[SBX_REASON_WRONG_KEY_USAGE] = "wrong-key-usage",
		[SBX_REASON_REVOKED] = "revoked",
		[SBX_REASON_TEAM_MISMATCH] = "team-mismatch",
		[SBX_REASON_IDENTIFIER_MISMATCH] = "identifier-mismatch",
		[SBX_REASON_CERT_INVALID] = "certificate-invalid",
		[SBX_REASON_IO] = "io",
	};

	return (unsigned int)r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r]
									      : "unknown";
}

const char *sbx_trust_dir(const struct sbx_verify_options *opts)
{
	const char *env = getenv(SBX_TRUST_DIR_ENV);

	if (opts && opts->trust_dir)
		return opts->trust_dir;
	return env && *env ? env : SBX_TRUST_DIR_DEFAULT;
}

void sbx_code_identity_free(struct sbx_code_identity *id)
{
	free(id->entitlements);
	free(id->launch_constraints);
	id->entitlements = NULL;
	id->launch_constraints = NULL;
	id->entitlements_len = 0;
	id->launch_constraints_len = 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len + 1);

	if (c) {
		memcpy(c, p, len);
		c[len] = '\0';
	}
	return c;
}

static int invalid(struct sbx_code_identity *id, enum sbx_verify_reason reason, int err)
{
	id->verdict = SBX_VERDICT_INVALID;
	id->reason = reason;
	sbx_code_identity_free(id);
	return err < 0 && reason == SBX_REASON_IO ? err : SBX_VERDICT_INVALID;
}

/* Is this unsigned file's whole-file digest in one of the trusted caches? */
static bool in_trust_cache(int fd, uint64_t size, const struct sbx_verify_options *opts,
			   struct sbx_code_identity *id)
{
	const char *dir = sbx_trust_dir(opts);
	char **paths = NULL;
	size_t n = 0;
	bool found = false;

	if (opts->trust_caches) {
		for (const char *const *p = opts->trust_caches; *p; p++)
			n++;
	} else {
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d)) && n < 64) {
			size_t l = strlen(e->d_name), sl = strlen(SBX_TRUST_CACHE_SUFFIX);
			char **grown;

			if (e->d_name[0] == '.' || l <= sl ||
			    strcmp(e->d_name + l - sl, SBX_TRUST_CACHE_SUFFIX))
				continue;
			grown = realloc(paths, (n + 1) * sizeof(*paths));
			if (!grown)
				break;
			paths = grown;
			if (asprintf(&paths[n], "%s/%s", dir, e->d_name) < 0)
				break;
			n++;
		}
		if (d)
			closedir(d);
		if (!n)
			return false;
	}
	if (sbx_sha256_fd(fd, 0, size, id->file_digest, NULL))
		goto out;
	for (size_t i = 0; i < n && !found; i++) {
		const char *path = opts->trust_caches ? opts->trust_caches[i] : paths[i];
		int cfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		struct sbx_trust_cache tc;
		struct sbx_diag ignored = { 0 };

		if (cfd < 0)
			continue;
		/* An untrusted or damaged cache is skipped: it can only ever add trust. */
		if (!sbx_trust_cache_load_fd(cfd, opts, &tc, NULL, &ignored)) {
			found = sbx_trust_cache_contains(&tc, id->file_digest);
			sbx_trust_cache_free(&tc);
		}
		close(cfd);
	}
out:
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	return found;
}

/* In a trusted cache: platform, unless its digest is revoked like a cdhash. */
static int platform_verdict(const struct sbx_verify_options *o, const char *dir,
			    struct sbx_code_identity *id, struct sbx_diag *diag)
{
	struct sbx_revocations rev;
	char path[4096], hex[2 * SBX_DIGEST_LEN + 1];
	bool revoked;
	int err;

	if (o->revocation_list)
		snprintf(path, sizeof(path), "%s", o->revocation_list);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, SBX_REVOCATION_FILE);
	err = sbx_revocations_load(path, &rev, diag);
	if (err)
		return invalid(id, SBX_REASON_IO, err);
	revoked = sbx_revoked_cdhash(&rev, id->file_digest);
	sbx_revocations_free(&rev);
	if (revoked) {
		sbx_hex(id->file_digest, SBX_DIGEST_LEN, hex);
		sbx_diag_set(diag, -EKEYREVOKED, "platform binary sha256 %s is revoked", hex);
		return invalid(id, SBX_REASON_REVOKED, 0);
	}
	id->verdict = SBX_VERDICT_PLATFORM;
	id->platform = true;
	return SBX_VERDICT_PLATFORM;
}

static int explain_mismatch(int fd, const struct sbx_code_directory *cd, uint64_t now_size,
			    struct sbx_code_identity *id, struct sbx_diag *diag)
{
	struct sbx_elf_layout now;

	/* Still ELF, but the section headers moved: what strip and objcopy do. */
	if (cd->has_elf_layout && !sbx_elf_layout_fd(fd, &now) &&
	    (now.shoff != cd->elf.shoff || now.shnum != cd->elf.shnum)) {
		sbx_diag_set(diag, -EKEYREJECTED,
			     "the file was modified after signing: its ELF section headers changed "
			     "(%u sections at offset %llu when signed, %u at %llu now), as strip "
			     "or objcopy do: sign after strip",
			     cd->elf.shnum, (unsigned long long)cd->elf.shoff, now.shnum,
			     (unsigned long long)now.shoff);
		return invalid(id, SBX_REASON_STRIPPED, 0);
	}
	if (now_size != cd->content_size)
		sbx_diag_set(diag, -EKEYREJECTED,
			     "content digest mismatch: the file was modified after signing (%llu "
			     "bytes signed, %llu now)",
			     (unsigned long long)cd->content_size, (unsigned long long)now_size);
	else
		sbx_diag_set(diag, -EKEYREJECTED,
			     "content digest mismatch: the file was modified after signing");
	return invalid(id, SBX_REASON_DIGEST_MISMATCH, 0);
}

int sbx_verify_fd(int fd, const struct sbx_verify_options *opts, struct sbx_code_identity *id,
		  struct sbx_diag *diag)
{
	static const struct sbx_verify_options defaults;
	const struct sbx_verify_options *o = opts ? opts : &defaults;
	const char *dir = sbx_trust_dir(o);
	struct sbx_revocations rev = { 0 };
	struct sbx_sig_blob blob;
	struct sbx_cms cms = { 0 };
	X509_STORE *anchors = NULL;
	unsigned int n_anchors;
	char rev_path[4096], ou[SBX_TEAM_ID_MAX + 1];
	uint8_t digest[SBX_DIGEST_LEN];
	uint64_t signed_len;
	int err, ret;

	memset(id, 0, sizeof(*id));
	id->verdict = SBX_VERDICT_INVALID;
	err = sbx_sig_load_fd(fd, o->path, &blob, diag);
	id->location = blob.location;
	if (err == -ENODATA) {
		id->content_size = blob.file_size;
		/* A platform binary has no identifier, so it cannot meet a required one. */
		if (!(o->flags & SBX_VERIFY_NO_TRUST_CACHE) && !o->identifier &&
		    in_trust_cache(fd, blob.file_size, o, id))
			return platform_verdict(o, dir, id, diag);
		if (sbx_fd_is_elf(fd))
			sbx_diag_set(diag, -ENODATA,
				     "not signed: no sbx signature (strip and objcopy drop an "
				     "appended signature: sign after strip)");
		else
			sbx_diag_set(diag, -ENODATA,
				     "not signed: no appended signature, " SBX_SIG_XATTR
				     " xattr or " SBX_SIG_DETACHED_SUFFIX " file");
		id->verdict = SBX_VERDICT_UNSIGNED;
		return SBX_VERDICT_UNSIGNED;
	}
	if (err)
		return invalid(id, err == -EBADMSG ? SBX_REASON_MALFORMED : SBX_REASON_IO, err);

	/* The identity as the code directory states it; cleared again on any failure. */
	snprintf(id->identifier, sizeof(id->identifier), "%s", blob.code_dir.identifier);
	snprintf(id->team_id, sizeof(id->team_id), "%s", blob.code_dir.team_id);
	sbx_sha256(blob.cd, blob.cd_len, id->cdhash);
	sbx_hex(id->cdhash, sizeof(id->cdhash), id->cdhash_hex);
	memcpy(id->content_digest, blob.code_dir.content_digest, SBX_DIGEST_LEN);
	id->flags = blob.code_dir.flags;
	id->hardened_runtime = id->flags & SBX_CD_FLAG_HARDENED_RUNTIME;
	id->library_validation = id->flags & SBX_CD_FLAG_LIBRARY_VALIDATION;
	id->content_size = blob.code_dir.content_size;
	if (blob.code_dir.entitlements_len) {
		id->entitlements =
			dup_bytes(blob.code_dir.entitlements, blob.code_dir.entitlements_len);
		id->entitlements_len = blob.code_dir.entitlements_len;
	}
	if (blob.code_dir.launch_constraints_len) {
		id->launch_constraints = dup_bytes(blob.code_dir.launch_constraints,
						   blob.code_dir.launch_constraints_len);
		id->launch_constraints_len = blob.code_dir.launch_constraints_len;
	}
	if ((blob.code_dir.entitlements_len && !id->entitlements) ||
	    (blob.code_dir.launch_constraints_len && !id->launch_constraints)) {
		ret = invalid(id, SBX_REASON_IO, sbx_diag_set(diag, -ENOMEM, "out of memory"));
		goto out;
	}

	if (o->revocation_list)
		snprintf(rev_path, sizeof(rev_path), "%s", o->revocation_list);
	else
		snprintf(rev_path, sizeof(rev_path), "%s/%s", dir, SBX_REVOCATION_FILE);
	err = sbx_revocations_load(rev_path, &rev, diag);
	if (err) {
		ret = invalid(id, SBX_REASON_IO, err);
		goto out;
	}
	if (sbx_revoked_cdhash(&rev, id->cdhash)) {
		sbx_diag_set(diag, -EKEYREVOKED, "cdhash %s is revoked", id->cdhash_hex);
		ret = invalid(id, SBX_REASON_REVOKED, 0);
		goto out;
	}

	err = sbx_cms_parse(blob.cms, blob.cms_len, &cms, diag);
	if (err) {
		ret = invalid(id, SBX_REASON_MALFORMED, 0);
		goto out;
	}
	err = sbx_cms_check_signature(&cms, blob.cd, blob.cd_len, diag);
	if (err) {
		ret = invalid(id, err == -EBADMSG ? SBX_REASON_MALFORMED : SBX_REASON_BAD_SIGNATURE,
			      0);
		goto out;
	}
	id->signing_time = cms.signing_time;

	/* The content: exactly the bytes the code directory covers, hashed through fd. */
	signed_len = blob.location == SBX_SIG_EMBEDDED ? blob.content_len : blob.file_size;
	if (signed_len != blob.code_dir.content_size) {
		ret = explain_mismatch(fd, &blob.code_dir, signed_len, id, diag);
		goto out;
	}
	err = sbx_sha256_fd(fd, 0, signed_len, digest, diag);
	if (err) {
		ret = invalid(id, SBX_REASON_IO, err);
		goto out;
	}
	if (memcmp(digest, blob.code_dir.content_digest, SBX_DIGEST_LEN)) {
		ret = explain_mismatch(fd, &blob.code_dir, signed_len, id, diag);
		goto out;
	}

	err = sbx_trust_load(dir, &anchors, &n_anchors, diag);
	if (err && err != -ENOENT) {
		ret = invalid(id, SBX_REASON_IO, err);
		goto out;
	}
	if (!anchors && !(anchors = X509_STORE_new())) {
		ret = invalid(id, SBX_REASON_IO, sbx_diag_set(diag, -ENOMEM, "out of memory"));
		goto out;
	}
	err = sbx_cms_verify_chain(&cms, anchors, dir, o->at ? o->at : time(NULL), &rev,
				   &id->reason, diag);
	if (err) {
		ret = invalid(id, id->reason, 0);
		goto out;
	}
	sbx_x509_subject(cms.signer, id->signer, sizeof(id->signer));
	sbx_x509_serial_hex(cms.signer, id->signer_serial, sizeof(id->signer_serial));
	sbx_x509_team_id(cms.signer, ou, sizeof(ou));
	if (strcmp(ou, id->team_id)) {
		sbx_diag_set(diag, -EKEYREJECTED,
			     "team identifier mismatch: the code directory says '%s' but the "
			     "signing certificate's OU is '%s'",
			     id->team_id, ou);
		ret = invalid(id, SBX_REASON_TEAM_MISMATCH, 0);
		goto out;
	}
	if (o->identifier && strcmp(o->identifier, id->identifier)) {
		sbx_diag_set(diag, -EKEYREJECTED,
			     "identifier mismatch: signed as '%s', expected '%s'", id->identifier,
			     o->identifier);
		ret = invalid(id, SBX_REASON_IDENTIFIER_MISMATCH, 0);
		goto out;
	}
	id->reason = SBX_REASON_NONE;
	id->verdict = SBX_VERDICT_VALID;
	ret = SBX_VERDICT_VALID;
out:
	X509_STORE_free(anchors);
	sbx_cms_free(&cms);
	sbx_revocations_free(&rev);
	sbx_sig_blob_free(&blob);
	return ret;
}
