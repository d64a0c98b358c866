// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sign/sigblob.h"

#define SIG_MAX_LEN ((size_t)SBX_CD_MAX_LEN + SBX_CMS_MAX_LEN + SBX_SIG_TRAILER_LEN)

void sbx_sig_blob_free(struct sbx_sig_blob *blob)
{
	free(blob->cd);
	free(blob->cms);
	memset(blob, 0, sizeof(*blob));
}

int sbx_sig_detached_path(const char *path, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s%s", path, SBX_SIG_DETACHED_SUFFIX) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off, struct sbx_diag *diag)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_diag_set(diag, -errno, "cannot read the signature: %m");
		if (n == 0)
			return sbx_diag_set(diag, -EIO,
					    "the file shrank while its signature was read");
		done += (size_t)n;
	}
	return 0;
}

static int blob_take_parts(struct sbx_sig_blob *blob, const uint8_t *cd, const uint8_t *cms,
			   struct sbx_diag *diag)
{
	blob->cd = malloc(blob->cd_len);
	blob->cms = malloc(blob->cms_len);
	if (!blob->cd || !blob->cms)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	memcpy(blob->cd, cd, blob->cd_len);
	memcpy(blob->cms, cms, blob->cms_len);
	return 0;
}

static int blob_finish(struct sbx_sig_blob *blob, struct sbx_diag *diag)
{
	int err = sbx_cd_parse(blob->cd, blob->cd_len, &blob->code_dir, diag);

	if (err)
		return err;
	if (blob->code_dir.content_size != blob->content_len)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed signature: the code directory covers %llu bytes but "
				    "the trailer %llu",
				    (unsigned long long)blob->code_dir.content_size,
				    (unsigned long long)blob->content_len);
	return 0;
}

static int two_trailers(struct sbx_diag *diag)
{
	return sbx_diag_set(diag, -EBADMSG,
			    "two signature trailers: a second signature was appended to a signed "
			    "file (sbx sign replaces a signature; re-sign the original)");
}

int sbx_sig_parse_buffer(const uint8_t *buf, size_t len, bool embedded, struct sbx_sig_blob *blob,
			 struct sbx_diag *diag)
{
	struct sbx_sig_parts parts;
	int err;

	memset(blob, 0, sizeof(*blob));
	if (!embedded && len > SIG_MAX_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed signature: %zu bytes, over the %zu-byte limit", len,
				    SIG_MAX_LEN);
	err = sbx_sig_trailer_parse(buf, len, len, embedded, &parts, diag);
	if (err == -ENODATA && !embedded)
		return sbx_diag_set(diag, -EBADMSG,
				    "truncated or corrupt signature: it does not end with the sbx "
				    "signature magic");
	if (err)
		return err;
	blob->location = embedded ? SBX_SIG_EMBEDDED : SBX_SIG_DETACHED;
	blob->file_size = embedded ? len : 0;
	blob->content_len = parts.content_len;
	blob->cd_len = parts.cd_len;
	blob->cms_len = parts.cms_len;
	if (embedded && parts.content_len >= SBX_SIG_MAGIC_LEN &&
	    sbx_sig_has_magic(buf, (size_t)parts.content_len))
		return two_trailers(diag);
	err = blob_take_parts(blob, buf + parts.cd_off, buf + parts.cms_off, diag);
	if (err)
		return err;
	return blob_finish(blob, diag);
}

static int load_embedded(int fd, uint64_t size, struct sbx_sig_blob *blob, struct sbx_diag *diag)
{
	uint8_t tail[SBX_SIG_TRAILER_LEN];
	size_t tail_len = size < sizeof(tail) ? (size_t)size : sizeof(tail);
	struct sbx_sig_parts parts;
	int err;

	err = pread_all(fd, tail, tail_len, size - tail_len, diag);
	if (err)
		return err;
	/* With the magic there, the file claims an appended signature, even a damaged one. */
	if (sbx_sig_has_magic(tail, tail_len))
		blob->location = SBX_SIG_EMBEDDED;
	err = sbx_sig_trailer_parse(tail, tail_len, size, true, &parts, diag);
	if (err)
		return err;
	blob->content_len = parts.content_len;
	blob->cd_len = parts.cd_len;
	blob->cms_len = parts.cms_len;
	if (parts.content_len >= SBX_SIG_MAGIC_LEN) {
		uint8_t prev[SBX_SIG_MAGIC_LEN];

		err = pread_all(fd, prev, sizeof(prev), parts.content_len - sizeof(prev), diag);
		if (err)
			return err;
		if (sbx_sig_has_magic(prev, sizeof(prev)))
			return two_trailers(diag);
	}
	blob->cd = malloc(blob->cd_len);
	blob->cms = malloc(blob->cms_len);
	if (!blob->cd || !blob->cms)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	err = pread_all(fd, blob->cd, blob->cd_len, parts.cd_off, diag);
	if (!err)
		err = pread_all(fd, blob->cms, blob->cms_len, parts.cms_off, diag);
	if (err)
		return err;
	return blob_finish(blob, diag);
}

/* A detached or xattr signature: parse it, then tie it to this file. */
static int load_separate(const uint8_t *buf, size_t len, enum sbx_sig_location loc, uint64_t size,
			 struct sbx_sig_blob *blob, struct sbx_diag *diag)
{
	int err = sbx_sig_parse_buffer(buf, len, false, blob, diag);

	blob->location = loc;
	blob->file_size = size;
	return err;
}

static int load_xattr(int fd, uint64_t size, struct sbx_sig_blob *blob, struct sbx_diag *diag)
{
	ssize_t n = fgetxattr(fd, SBX_SIG_XATTR, NULL, 0);
	uint8_t *buf;
	int err;

	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP
			       ? -ENODATA
			       : sbx_diag_set(diag, -errno,
					      "cannot read the " SBX_SIG_XATTR " xattr: %m");
	if ((size_t)n > SIG_MAX_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed signature: the " SBX_SIG_XATTR
				    " xattr is %zd bytes, over the %zu-byte limit",
				    n, SIG_MAX_LEN);
	buf = malloc(n ? (size_t)n : 1);
	if (!buf)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	n = fgetxattr(fd, SBX_SIG_XATTR, buf, (size_t)n);
	if (n < 0)
		err = sbx_diag_set(diag, -errno, "cannot read the " SBX_SIG_XATTR " xattr: %m");
	else
		err = load_separate(buf, (size_t)n, SBX_SIG_XATTR_LOC, size, blob, diag);
	free(buf);
	return err;
}

static int load_detached(const char *path, uint64_t size, uid_t owner, struct sbx_sig_blob *blob,
			 struct sbx_diag *diag)
{
	char sig_path[4096];
	struct stat st;
	uint8_t *buf;
	int fd, err;

	if (!path || sbx_sig_detached_path(path, sig_path, sizeof(sig_path)))
		return -ENODATA;
	/*
	 * Whoever can write next to a file must not be able to make it "invalid": only a
	 * regular file that the file's owner or root owns is its signature. Never follow a
	 * link (its target's owner says nothing about who planted it), never block (a FIFO),
	 * and anything else (a link, a FIFO, a file we may not read, a stranger's file) is no
	 * sidecar at all.
	 */
	fd = open(sig_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EACCES ||
				       errno == ENXIO || errno == EPERM
			       ? -ENODATA
			       : sbx_diag_set(diag, -errno, "cannot open %s: %m", sig_path);
	if (fstat(fd, &st) < 0 || (st.st_uid != owner && st.st_uid != 0) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENODATA;
	}
	if ((uint64_t)st.st_size > SIG_MAX_LEN) {
		close(fd);
		return sbx_diag_set(
			diag, -EBADMSG,
			"malformed signature: %s is %lld bytes, over the %zu-byte limit", sig_path,
			(long long)st.st_size, SIG_MAX_LEN);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	}
	err = pread_all(fd, buf, (size_t)st.st_size, 0, diag);
	close(fd);
	if (!err)
		err = load_separate(buf, (size_t)st.st_size, SBX_SIG_DETACHED, size, blob, diag);
	free(buf);
	return err;
}

int sbx_sig_load_fd(int fd, const char *path, struct sbx_sig_blob *blob, struct sbx_diag *diag)
{
	struct stat st;
	int err;

	memset(blob, 0, sizeof(*blob));
	if (fstat(fd, &st) < 0)
		return sbx_diag_set(diag, -errno, "cannot stat: %m");
	if (!S_ISREG(st.st_mode))
		return sbx_diag_set(diag, -EINVAL, "not a regular file");
	blob->file_size = (uint64_t)st.st_size;
	err = load_embedded(fd, blob->file_size, blob, diag);
	if (err != -ENODATA)
		goto out;
	err = load_xattr(fd, (uint64_t)st.st_size, blob, diag);
	if (err != -ENODATA)
		goto out;
	err = load_detached(path, (uint64_t)st.st_size, st.st_uid, blob, diag);
out:
	if (err) {
		enum sbx_sig_location loc = blob->location;

		sbx_sig_blob_free(blob);
		blob->location = err == -ENODATA ? SBX_SIG_NONE : loc;
		blob->file_size = (uint64_t)st.st_size;
	}
	return err;
}
