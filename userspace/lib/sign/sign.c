// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sign/elf_layout.h"
#include "sign/hash.h"
#include "sign/sigblob.h"
#include "sign/sign.h"

int sbx_sign_blob_fd(int fd, uint64_t content_len, const struct sbx_sign_options *o,
		     const char *default_identifier, uint8_t **blob, size_t *blob_len,
		     uint8_t cdhash[SBX_DIGEST_LEN], char *identifier, struct sbx_diag *diag)
{
	struct sbx_code_directory cd = { 0 };
	uint8_t *cdbuf = NULL, *cms = NULL, *out;
	size_t cd_len, cms_len;
	const char *id = o->identifier ? o->identifier : default_identifier;
	int err;

	if (strlen(id) > SBX_IDENTIFIER_MAX)
		return sbx_diag_set(diag, -EINVAL, "identifier longer than %d bytes",
				    SBX_IDENTIFIER_MAX);
	snprintf(cd.identifier, sizeof(cd.identifier), "%s", id);
	snprintf(cd.team_id, sizeof(cd.team_id), "%s", o->signer->team_id);
	cd.flags = o->flags;
	cd.content_size = content_len;
	cd.entitlements = o->entitlements;
	cd.entitlements_len = o->entitlements_len;
	cd.launch_constraints = o->launch_constraints;
	cd.launch_constraints_len = o->launch_constraints_len;
	cd.has_elf_layout = !sbx_elf_layout_fd(fd, &cd.elf);
	err = sbx_sha256_fd(fd, 0, content_len, cd.content_digest, diag);
	if (err)
		return err;
	err = sbx_cd_serialize(&cd, &cdbuf, &cd_len, diag);
	if (err)
		return err;
	err = sbx_cms_sign(o->signer, cdbuf, cd_len, &cms, &cms_len, diag);
	if (err)
		goto out;
	out = malloc(cd_len + cms_len + SBX_SIG_TRAILER_LEN);
	if (!out) {
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(out, cdbuf, cd_len);
	memcpy(out + cd_len, cms, cms_len);
	sbx_sig_trailer_write(out + cd_len + cms_len, content_len, (uint32_t)cd_len,
			      (uint32_t)cms_len);
	*blob = out;
	*blob_len = cd_len + cms_len + SBX_SIG_TRAILER_LEN;
	sbx_sha256(cdbuf, cd_len, cdhash);
	snprintf(identifier, SBX_IDENTIFIER_MAX + 1, "%s", cd.identifier);
out:
	free(cdbuf);
	free(cms);
	return err;
}

static int write_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Copy len bytes of in (from offset 0) to out. */
static int copy_range(int in, int out, uint64_t len)
{
	uint8_t buf[65536];
	uint64_t off = 0;

	while (off < len) {
		size_t want = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(in, buf, want, (off_t)off);
		int err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		err = write_all(out, buf, (size_t)n, off);
		if (err)
			return err;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Never rewrite the file in place: a crash or a full disk would leave a damaged binary,
 * and a running program cannot be written anyway (ETXTBSY). The signed file is built
 * beside it and renamed over it: owner first (fchown clears setuid/setgid bits), then
 * the mode, setuid included. A running process keeps the old inode; hard links keep the
 * old, unsigned content.
 */
static int write_embedded(const char *path, int in, uint64_t content_len, const uint8_t *blob,
			  size_t len, struct sbx_diag *diag)
{
	char tmp[4200];
	struct stat st;
	int fd, err;

	if (fstat(in, &st) < 0)
		return sbx_diag_set(diag, -errno, "cannot stat %s: %m", path);
	if (snprintf(tmp, sizeof(tmp), "%s.sbxsign.XXXXXX", path) >= (int)sizeof(tmp))
		return sbx_diag_set(diag, -ENAMETOOLONG, "path too long: %s", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sbx_diag_set(diag, -errno, "cannot create %s next to %s: %m", tmp, path);
	err = copy_range(in, fd, content_len);
	if (!err)
		err = write_all(fd, blob, len, content_len);
	if (!err && fchown(fd, st.st_uid, st.st_gid) < 0)
		err = -errno;
	if (!err && (fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0))
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		if (err == -EPERM)
			return sbx_diag_set(
				diag, err,
				"cannot sign %s: its owner (uid %u, gid %u) could not be "
				"kept: sign it as its owner or as root",
				path, (unsigned int)st.st_uid, (unsigned int)st.st_gid);
		return sbx_diag_set(diag, err, "cannot write the signed %s: %s (it is unchanged)",
				    path, strerror(-err));
	}
	return 0;
}

static int write_detached(const char *path, const uint8_t *blob, size_t len, struct sbx_diag *diag)
{
	char sig[4096], tmp[4200];
	int fd, err;

	if (sbx_sig_detached_path(path, sig, sizeof(sig)))
		return sbx_diag_set(diag, -ENAMETOOLONG, "path too long: %s", path);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", sig);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return sbx_diag_set(diag, -errno, "cannot create %s: %m", tmp);
	fchmod(fd, 0644);
	err = write_all(fd, blob, len, 0);
	if (!err && fsync(fd) < 0)
		err = -errno;
	close(fd);
	if (!err && rename(tmp, sig) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return sbx_diag_set(diag, err, "cannot write %s: %s", sig, strerror(-err));
	}
	return 0;
}

static void remove_detached(const char *path)
{
	char sig[4096];

	if (!sbx_sig_detached_path(path, sig, sizeof(sig)))
		unlink(sig);
}

int sbx_sign_path(const char *path, const struct sbx_sign_options *o, struct sbx_sign_result *res,
		  struct sbx_diag *diag)
{
	enum sbx_sig_placement place = o->placement;
	struct sbx_sig_blob old;
	uint8_t *blob = NULL, cdhash[SBX_DIGEST_LEN];
	char *copy = strdup(path);
	const char *base;
	uint64_t content_len;
	size_t blob_len;
	struct stat st;
	int fd, err;

	memset(res, 0, sizeof(*res));
	if (!copy)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	base = basename(copy);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = sbx_diag_set(diag, -errno, "cannot open %s: %m", path);
		goto out_free;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = sbx_diag_set(diag, -EINVAL, "%s is not a regular file", path);
		goto out;
	}
	content_len = (uint64_t)st.st_size;
	err = sbx_sig_load_fd(fd, NULL, &old, diag);
	if (!err && old.location == SBX_SIG_EMBEDDED) {
		content_len = old.content_len;
		res->replaced = true;
		if (place == SBX_PLACE_AUTO)
			place = SBX_PLACE_EMBEDDED;
	} else if (err == -EBADMSG && old.location == SBX_SIG_EMBEDDED) {
		char why[sizeof(diag->msg)];

		snprintf(why, sizeof(why), "%s", diag->msg);
		err = sbx_diag_set(
			diag, -EBADMSG,
			"%s has a damaged appended signature (%s): restore the unsigned file first",
			path, why);
		sbx_sig_blob_free(&old);
		goto out;
	}
	sbx_sig_blob_free(&old);
	if (place == SBX_PLACE_AUTO)
		place = sbx_fd_is_elf(fd) ? SBX_PLACE_EMBEDDED : SBX_PLACE_DETACHED;
	if (place != SBX_PLACE_EMBEDDED && res->replaced) {
		err = sbx_diag_set(diag, -EINVAL,
				   "%s has an appended signature: sign it --embedded, or restore "
				   "the unsigned file first",
				   path);
		goto out;
	}
	if (place == SBX_PLACE_EMBEDDED) {
		err = sbx_embed_check_fd(fd, content_len, diag);
		if (err) {
			char why[sizeof(diag->msg)];

			snprintf(why, sizeof(why), "%s", diag->msg);
			err = sbx_diag_set(diag, err, "%s: no appended signature: %s", path, why);
			goto out;
		}
	}
	err = sbx_sign_blob_fd(fd, content_len, o, base, &blob, &blob_len, cdhash, res->identifier,
			       diag);
	if (err)
		goto out;
	sbx_hex(cdhash, sizeof(cdhash), res->cdhash_hex);

	switch (place) {
	case SBX_PLACE_EMBEDDED:
		err = write_embedded(path, fd, content_len, blob, blob_len, diag);
		if (err)
			goto out;
		res->embedded = true;
		fremovexattr(fd, SBX_SIG_XATTR);
		remove_detached(path);
		break;
	case SBX_PLACE_XATTR:
		if (fsetxattr(fd, SBX_SIG_XATTR, blob, blob_len, 0) < 0) {
			err = sbx_diag_set(diag, -errno, "cannot set the %s xattr on %s: %m",
					   SBX_SIG_XATTR, path);
			goto out;
		}
		res->xattr = true;
		remove_detached(path);
		break;
	default: /* detached, plus the xattr where the file system takes it (AUTO) */
		err = write_detached(path, blob, blob_len, diag);
		if (err)
			goto out;
		res->detached = true;
		if (o->placement == SBX_PLACE_DETACHED) {
			fremovexattr(fd, SBX_SIG_XATTR);
		} else if (fsetxattr(fd, SBX_SIG_XATTR, blob, blob_len, 0) == 0) {
			res->xattr = true;
		} else {
			snprintf(res->xattr_skipped, sizeof(res->xattr_skipped),
				 "the file system refused the %s xattr (%m)", SBX_SIG_XATTR);
			/* A stale xattr would be found before the new detached signature. */
			fremovexattr(fd, SBX_SIG_XATTR);
		}
	}
out:
	free(blob);
	close(fd);
out_free:
	free(copy);
	return err;
}
