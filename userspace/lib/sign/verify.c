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

#include "profile/profile.h"
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
		[SBX_REASON_UNSAFE_LAYOUT] = "unsafe-layout",
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
	id->entitlements = NULL;
	id->entitlements_len = 0;
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

/*
 * What a verifier loads once and reuses: anchors, revocations and trust caches, each on
 * first need (an unsigned file never reads the anchors), a failed load retried next time.
 * All of them through one descriptor of the store (the caller's, or trust_dir opened once).
 */
struct sbx_verifier {
	struct sbx_verify_options o; /* strings borrowed from the caller */
	bool dir_named, rev_named; /* named explicitly: must be readable */
	char dir[4096];
	int dir_fd; /* the store: >= 0 open, -ENOENT missing, -EBADF not opened yet */
	bool dir_owned;
	X509_STORE *anchors;
	struct sbx_revocations rev;
	const struct sbx_revocations *revp; /* &rev or the caller's, once loaded */
	struct sbx_trust_cache *caches;
	size_t n_caches;
	bool caches_loaded;
};

static void verifier_init(struct sbx_verifier *v, const struct sbx_verify_options *opts)
{
	static const struct sbx_verify_options defaults;

	memset(v, 0, sizeof(*v));
	v->o = opts ? *opts : defaults;
	v->dir_named = v->o.trust_dir || (getenv(SBX_TRUST_DIR_ENV) && *getenv(SBX_TRUST_DIR_ENV));
	v->rev_named = v->o.revocation_list;
	snprintf(v->dir, sizeof(v->dir), "%s", sbx_trust_dir(&v->o));
	v->dir_fd = v->o.flags & SBX_VERIFY_TRUST_DIR_FD ? v->o.trust_dir_fd : -EBADF;
	v->revp = v->o.revocations;
	v->o.trust_dir = v->dir;
	v->o.path = NULL;
}

static void verifier_release(struct sbx_verifier *v)
{
	X509_STORE_free(v->anchors);
	sbx_revocations_free(&v->rev);
	for (size_t i = 0; i < v->n_caches; i++)
		sbx_trust_cache_free(&v->caches[i]);
	free(v->caches);
	if (v->dir_owned)
		close(v->dir_fd);
	memset(v, 0, sizeof(*v));
}

/*
 * The store's descriptor, opened at the first need and kept: -ENOENT when it is missing
 * (kept too: the store is what was there at the first read), else -errno with diag.
 */
static int verifier_store(struct sbx_verifier *v, struct sbx_diag *diag)
{
	int fd;

	if (v->dir_fd != -EBADF)
		return v->dir_fd;
	fd = sbx_trust_store_open(v->dir, diag);
	if (fd >= 0 || fd == -ENOENT)
		v->dir_fd = fd;
	v->dir_owned = fd >= 0;
	return fd;
}

static int verifier_revocations(struct sbx_verifier *v, struct sbx_diag *diag)
{
	struct sbx_diag ignored = { 0 };
	int err, fd;

	if (v->revp)
		return 0;
	if (v->rev_named) {
		err = sbx_revocations_load(v->o.revocation_list, false, &v->rev, diag);
	} else {
		fd = verifier_store(v, &ignored);
		err = fd == -ENOENT ? 0 /* no store: nothing revoked, nothing trusted */
		      : fd < 0	    ? sbx_diag_set(diag, fd, "%s", ignored.msg)
				    : sbx_revocations_load_at(fd, v->dir, SBX_REVOCATION_FILE, true,
							      &v->rev, diag);
	}
	if (!err)
		v->revp = &v->rev;
	return err;
}

static int verifier_anchors(struct sbx_verifier *v, struct sbx_diag *diag)
{
	unsigned int n;
	int err, fd;

	if (v->anchors)
		return 0;
	fd = verifier_store(v, diag);
	err = fd < 0 ? fd : sbx_trust_load_at(fd, v->dir, &v->anchors, &n, diag);
	if (err == -ENOENT && v->dir_named) /* missing when it was opened: it stays so */
		return sbx_diag_set(diag, err, "cannot open trust directory %s: %s", v->dir,
				    strerror(ENOENT));
	if (err == -ENOENT && !v->dir_named) /* no default trust directory: nothing is trusted */
		v->anchors = X509_STORE_new();
	else if (err)
		return err;
	return v->anchors ? 0 : sbx_diag_set(diag, -ENOMEM, "out of memory");
}

/* The trust cache name of the store at (dir names it), or the path name (at AT_FDCWD). */
static int verifier_add_cache(struct sbx_verifier *v, int at, const char *dir, const char *name,
			      struct sbx_diag *diag)
{
	int fd = sbx_trust_open_in(at, dir, name, 0, diag), err;
	struct sbx_verify_options o = v->o;
	struct sbx_trust_cache tc, *grown;
	char why[sizeof(diag->msg)];

	if (fd == -ENOENT)
		return sbx_diag_set(diag, fd, "cannot open trust cache %s%s%s: %s", dir ? dir : "",
				    dir ? "/" : "", name, strerror(ENOENT));
	if (fd < 0)
		return fd;
	/* Checked against this verifier's store and revocations, read as it reads them. */
	err = verifier_revocations(v, diag);
	if (!err && verifier_store(v, &(struct sbx_diag){ 0 }) >= 0) {
		o.flags |= SBX_VERIFY_TRUST_DIR_FD;
		o.trust_dir_fd = v->dir_fd;
	}
	o.revocations = v->revp;
	if (!err)
		err = sbx_trust_cache_load_fd(fd, &o, &tc, NULL, diag);
	close(fd);
	if (err) {
		snprintf(why, sizeof(why), "%s", diag->msg);
		return sbx_diag_set(diag, err, "trust cache %s%s%s: %s", dir ? dir : "",
				    dir ? "/" : "", name, why);
	}
	grown = realloc(v->caches, (v->n_caches + 1) * sizeof(*grown));
	if (!grown) {
		sbx_trust_cache_free(&tc);
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	}
	v->caches = grown;
	v->caches[v->n_caches++] = tc;
	return 0;
}

/* Caches named explicitly must all be trusted; those found in the directory may not be. */
static int verifier_caches(struct sbx_verifier *v, struct sbx_diag *diag)
{
	size_t sl = strlen(SBX_TRUST_CACHE_SUFFIX), seen = 0;
	struct sbx_diag ignored = { 0 };
	struct dirent *e;
	DIR *d;
	int fd, err;

	if (v->caches_loaded)
		return 0;
	if (v->o.trust_caches) {
		for (const char *const *p = v->o.trust_caches; *p; p++) {
			err = verifier_add_cache(v, AT_FDCWD, NULL, *p, diag);
			if (err) {
				for (size_t i = 0; i < v->n_caches; i++)
					sbx_trust_cache_free(&v->caches[i]);
				v->n_caches = 0;
				return err;
			}
		}
		v->caches_loaded = true;
		return 0;
	}
	v->caches_loaded = true;
	fd = verifier_store(v, &ignored);
	fd = fd >= 0 ? openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (fd >= 0 && !d)
		close(fd);
	while (d && (e = readdir(d)) && seen < 64) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || l <= sl ||
		    strcmp(e->d_name + l - sl, SBX_TRUST_CACHE_SUFFIX))
			continue;
		seen++;
		/* An untrusted or damaged cache found here is skipped: it only adds trust. */
		verifier_add_cache(v, v->dir_fd, v->dir, e->d_name, &ignored);
	}
	if (d)
		closedir(d);
	return 0;
}

/* Is this unsigned file's whole-file digest in one of the trusted caches? 1 yes, 0 no. */
static int in_trust_cache(struct sbx_verifier *v, int fd, uint64_t size,
			  struct sbx_code_identity *id, struct sbx_diag *diag)
{
	int err = verifier_caches(v, diag);

	if (err)
		return err;
	if (!v->n_caches || sbx_sha256_fd(fd, 0, size, id->file_digest, NULL))
		return 0;
	for (size_t i = 0; i < v->n_caches; i++)
		if (sbx_trust_cache_contains(&v->caches[i], id->file_digest))
			return 1;
	return 0;
}

int sbx_verifier_preload(struct sbx_verifier *v, struct sbx_diag *diag)
{
	int err = verifier_anchors(v, diag);

	if (!err)
		err = verifier_revocations(v, diag);
	if (!err && v->o.trust_caches && !(v->o.flags & SBX_VERIFY_NO_TRUST_CACHE))
		err = verifier_caches(v, diag);
	return err;
}

/* In a trusted cache: platform, unless its digest is revoked like a cdhash. */
static int platform_verdict(struct sbx_verifier *v, struct sbx_code_identity *id,
			    struct sbx_diag *diag)
{
	char hex[2 * SBX_DIGEST_LEN + 1];
	int err = verifier_revocations(v, diag);

	if (err)
		return invalid(id, SBX_REASON_IO, err);
	if (sbx_revoked_cdhash(v->revp, id->file_digest)) {
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

int sbx_verifier_verify_fd(struct sbx_verifier *v, int fd, const char *path,
			   struct sbx_code_identity *id, struct sbx_diag *diag)
{
	const struct sbx_verify_options *o = &v->o;
	struct sbx_sig_blob blob;
	struct sbx_cms cms = { 0 };
	char ou[SBX_TEAM_ID_MAX + 1];
	uint8_t digest[SBX_DIGEST_LEN];
	uint64_t signed_len;
	int err, ret;

	memset(id, 0, sizeof(*id));
	id->verdict = SBX_VERDICT_INVALID;
	if (o->identifier && !o->team_id)
		return invalid(id, SBX_REASON_IO,
			       sbx_diag_set(diag, -EINVAL,
					    "an identifier requirement must name its team too "
					    "(identity is team id and identifier)"));
	err = sbx_sig_load_fd(fd, path, &blob, diag);
	id->location = blob.location;
	if (err == -ENODATA) {
		id->content_size = blob.file_size;
		/* A platform binary has no identity, so it cannot meet a required one. */
		if (!(o->flags & SBX_VERIFY_NO_TRUST_CACHE) && !o->identifier && !o->team_id) {
			ret = in_trust_cache(v, fd, blob.file_size, id, diag);
			if (ret < 0)
				return invalid(id, SBX_REASON_IO, ret);
			if (ret)
				return platform_verdict(v, id, diag);
		}
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
	/* Tag 4 is reserved: constraints live in the signed entitlements, which are checked. */
	if (blob.code_dir.launch_constraints_len) {
		sbx_diag_set(diag, -EBADMSG,
			     "malformed signature: the code directory carries launch constraints "
			     "(field tag %u), which sbx does not check; they belong in the signed "
			     "entitlements",
			     SBX_CD_TAG_LAUNCH_CONSTRAINTS);
		ret = invalid(id, SBX_REASON_MALFORMED, 0);
		goto out;
	}
	if (blob.code_dir.entitlements_len) {
		id->entitlements =
			dup_bytes(blob.code_dir.entitlements, blob.code_dir.entitlements_len);
		if (!id->entitlements) {
			ret = invalid(id, SBX_REASON_IO,
				      sbx_diag_set(diag, -ENOMEM, "out of memory"));
			goto out;
		}
		id->entitlements_len = blob.code_dir.entitlements_len;
	}

	err = verifier_revocations(v, diag);
	if (err) {
		ret = invalid(id, SBX_REASON_IO, err);
		goto out;
	}
	if (sbx_revoked_cdhash(v->revp, id->cdhash)) {
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
	/* Signed as it is, but a loader would read past the signed bytes. */
	if (blob.location == SBX_SIG_EMBEDDED) {
		err = sbx_embed_check_fd(fd, signed_len, diag);
		if (err) {
			ret = invalid(
				id, err == -EMEDIUMTYPE ? SBX_REASON_UNSAFE_LAYOUT : SBX_REASON_IO,
				err);
			goto out;
		}
	}

	err = verifier_anchors(v, diag);
	if (err) {
		ret = invalid(id, SBX_REASON_IO, err);
		goto out;
	}
	err = sbx_cms_verify_chain(&cms, v->anchors, v->dir, o->at ? o->at : time(NULL), v->revp,
				   &id->reason, diag);
	if (err) {
		ret = invalid(id, id->reason, 0);
		goto out;
	}
	sbx_hex(cms.anchor, SBX_ANCHOR_HEX_LEN / 2, id->anchor);
	sbx_x509_subject(cms.signer, id->signer, sizeof(id->signer));
	sbx_x509_serial_hex(cms.signer, id->signer_serial, sizeof(id->signer_serial));
	if (sbx_x509_team_id(cms.signer, ou, sizeof(ou), diag)) {
		ret = invalid(id, SBX_REASON_TEAM_MISMATCH, 0);
		goto out;
	}
	if (strcmp(ou, id->team_id)) {
		sbx_diag_set(diag, -EKEYREJECTED,
			     "team identifier mismatch: the code directory says '%s' but the "
			     "signing certificate's OU is '%s'",
			     id->team_id, ou);
		ret = invalid(id, SBX_REASON_TEAM_MISMATCH, 0);
		goto out;
	}
	if ((o->identifier && strcmp(o->identifier, id->identifier)) ||
	    (o->team_id && strcmp(o->team_id, id->team_id))) {
		sbx_diag_set(diag, -EKEYREJECTED,
			     "identity mismatch: signed as '%s' by team '%s', required '%s' by "
			     "team '%s'",
			     id->identifier, id->team_id[0] ? id->team_id : "(none)",
			     o->identifier ? o->identifier : "(any)",
			     o->team_id[0] ? o->team_id : "(none)");
		ret = invalid(id, SBX_REASON_IDENTIFIER_MISMATCH, 0);
		goto out;
	}
	/*
	 * The signed entitlements name the program too: one statement with two identities
	 * is malformed (sbx sign never writes one). Entitlements that do not load are left to
	 * whoever applies them, which refuses them.
	 */
	if (id->entitlements) {
		struct sbx_profile *p = NULL;
		struct sbx_diag pd = { 0 };
		const char *pid;

		if (!sbx_profile_load_signed("the signed entitlements", id->entitlements,
					     id->entitlements_len, &p, &pd) &&
		    (pid = sbx_profile_identifier(p)) && *pid && strcmp(pid, id->identifier)) {
			sbx_diag_set(diag, -EKEYREJECTED,
				     "malformed signature: the code directory's identifier '%s' is "
				     "not its entitlements' identifier '%s'",
				     id->identifier, pid);
			sbx_profile_free(p);
			ret = invalid(id, SBX_REASON_MALFORMED, 0);
			goto out;
		}
		sbx_profile_free(p);
	}
	id->reason = SBX_REASON_NONE;
	id->verdict = SBX_VERDICT_VALID;
	ret = SBX_VERDICT_VALID;
out:
	sbx_cms_free(&cms);
	sbx_sig_blob_free(&blob);
	return ret;
}

int sbx_verify_fd(int fd, const struct sbx_verify_options *opts, struct sbx_code_identity *id,
		  struct sbx_diag *diag)
{
	struct sbx_verifier v;
	int ret;

	verifier_init(&v, opts);
	ret = sbx_verifier_verify_fd(&v, fd, opts ? opts->path : NULL, id, diag);
	verifier_release(&v);
	return ret;
}

int sbx_verifier_new(const struct sbx_verify_options *opts, struct sbx_verifier **out)
{
	*out = malloc(sizeof(**out));
	if (!*out)
		return -ENOMEM;
	verifier_init(*out, opts);
	return 0;
}

void sbx_verifier_free(struct sbx_verifier *v)
{
	if (v) {
		verifier_release(v);
		free(v);
	}
}
