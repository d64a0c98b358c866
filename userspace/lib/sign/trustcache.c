// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign/hash.h"
#include "sign/trust.h"
#include "sign/trustcache.h"

static int digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SBX_DIGEST_LEN);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (24 - 8 * i);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sbx_trust_cache_serialize(uint8_t (*digests)[SBX_DIGEST_LEN], size_t n, time_t created,
			      uint8_t **buf, size_t *len, struct sbx_diag *diag)
{
	size_t unique = 0;
	uint8_t *p;

	if (n > SBX_TC_MAX_ENTRIES)
		return sbx_diag_set(diag, -E2BIG, "%zu digests, over the trust cache limit of %u",
				    n, SBX_TC_MAX_ENTRIES);
	qsort(digests, n, SBX_DIGEST_LEN, digest_cmp);
	for (size_t i = 0; i < n; i++)
		if (!unique || memcmp(digests[unique - 1], digests[i], SBX_DIGEST_LEN))
			memmove(digests[unique++], digests[i], SBX_DIGEST_LEN);
	p = malloc(SBX_TC_HEADER_LEN + unique * SBX_DIGEST_LEN);
	if (!p)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	memcpy(p, SBX_TC_MAGIC, 8);
	put_be32(p + 8, SBX_TC_VERSION);
	put_be32(p + 12, (uint32_t)unique);
	put_be32(p + 16, (uint32_t)((uint64_t)created >> 32));
	put_be32(p + 20, (uint32_t)created);
	if (unique)
		memcpy(p + SBX_TC_HEADER_LEN, digests, unique * SBX_DIGEST_LEN);
	*buf = p;
	*len = SBX_TC_HEADER_LEN + unique * SBX_DIGEST_LEN;
	return 0;
}

int sbx_trust_cache_parse(const uint8_t *buf, size_t len, struct sbx_trust_cache *tc,
			  struct sbx_diag *diag)
{
	uint32_t n;

	memset(tc, 0, sizeof(*tc));
	if (len < SBX_TC_HEADER_LEN || memcmp(buf, SBX_TC_MAGIC, 8))
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed trust cache: no " SBX_TC_MAGIC " header");
	if (get_be32(buf + 8) != SBX_TC_VERSION)
		return sbx_diag_set(
			diag, -EBADMSG,
			"trust cache version %u is not supported (this sbx reads version %d)",
			get_be32(buf + 8), SBX_TC_VERSION);
	n = get_be32(buf + 12);
	if (n > SBX_TC_MAX_ENTRIES)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed trust cache: %u entries, over the limit of %u", n,
				    SBX_TC_MAX_ENTRIES);
	if (len != SBX_TC_HEADER_LEN + (size_t)n * SBX_DIGEST_LEN)
		return sbx_diag_set(diag, -EBADMSG,
				    "malformed trust cache: %u entries need %zu bytes, it has %zu",
				    n, SBX_TC_HEADER_LEN + (size_t)n * SBX_DIGEST_LEN, len);
	for (uint32_t i = 1; i < n; i++)
		if (memcmp(buf + SBX_TC_HEADER_LEN + (size_t)(i - 1) * SBX_DIGEST_LEN,
			   buf + SBX_TC_HEADER_LEN + (size_t)i * SBX_DIGEST_LEN,
			   SBX_DIGEST_LEN) >= 0)
			return sbx_diag_set(
				diag, -EBADMSG,
				"malformed trust cache: entry %u is not in ascending order", i + 1);
	tc->digests = malloc(n ? (size_t)n * SBX_DIGEST_LEN : 1);
	if (!tc->digests)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	if (n)
		memcpy(tc->digests, buf + SBX_TC_HEADER_LEN, (size_t)n * SBX_DIGEST_LEN);
	tc->n = n;
	tc->created = (time_t)((uint64_t)get_be32(buf + 16) << 32 | get_be32(buf + 20));
	return 0;
}

bool sbx_trust_cache_contains(const struct sbx_trust_cache *tc,
			      const uint8_t digest[SBX_DIGEST_LEN])
{
	return tc->n && bsearch(digest, tc->digests, tc->n, SBX_DIGEST_LEN, digest_cmp);
}

void sbx_trust_cache_free(struct sbx_trust_cache *tc)
{
	free(tc->digests);
	memset(tc, 0, sizeof(*tc));
}

int sbx_trust_cache_load_fd(int fd, const struct sbx_verify_options *opts,
			    struct sbx_trust_cache *tc, struct sbx_code_identity *id,
			    struct sbx_diag *diag)
{
	struct sbx_verify_options o = *opts;
	struct sbx_code_identity own = { 0 };
	struct sbx_revocations rev = { 0 };
	uint8_t *body = NULL, digest[SBX_DIGEST_LEN];
	char platform[4200];
	const char *dir = sbx_trust_dir(opts);
	int store, pfd = -1, v, err;
	size_t done = 0, len;

	memset(tc, 0, sizeof(*tc));
	/*
	 * A distinct authority: caches chain to the platform anchors only (DIR/platform.d),
	 * never to the anchors that any team's code signing chains to; revoked as the store
	 * revokes (DIR/revoked.list). Both read beneath the store's one descriptor.
	 */
	snprintf(platform, sizeof(platform), "%s/%s", dir, SBX_PLATFORM_ANCHORS);
	store = opts->flags & SBX_VERIFY_TRUST_DIR_FD ? opts->trust_dir_fd
						      : sbx_trust_store_open(dir, diag);
	/* Missing (-ENOENT) is said when the anchors are needed: an unsigned file is not. */
	pfd = store >= 0 ? sbx_trust_open_in(store, dir, SBX_PLATFORM_ANCHORS, O_DIRECTORY, diag)
			 : store;
	err = pfd < 0 && pfd != -ENOENT ? pfd : 0;
	if (!err && !o.revocations && !o.revocation_list) {
		/* A link there is not "none": refused (sbx_trust_open_in). */
		err = store < 0 ? 0
				: sbx_revocations_load_at(store, dir, SBX_REVOCATION_FILE, true,
							  &rev, diag);
		o.revocations = &rev;
	}
	if (err)
		goto out;
	o.trust_dir = platform;
	o.trust_dir_fd = pfd;
	o.flags |= SBX_VERIFY_NO_TRUST_CACHE | SBX_VERIFY_TRUST_DIR_FD;
	o.identifier = NULL;
	o.team_id = NULL;
	o.path = NULL; /* a cache carries its own appended signature, never a detached one */
	o.trust_caches = NULL;
	v = sbx_verify_fd(fd, &o, &own, diag);
	if (v != SBX_VERDICT_VALID) {
		err = v < 0 ? v : -EKEYREJECTED;
		if (v == SBX_VERDICT_UNSIGNED)
			sbx_diag_set(diag, err, "the trust cache is not signed");
		else if (v == -ENOENT)
			sbx_diag_set(diag, err,
				     "no platform anchors (%s): nothing may sign trust caches",
				     platform);
		goto out;
	}
	if (strcmp(own.identifier, SBX_TC_IDENTIFIER)) {
		err = sbx_diag_set(diag, -EKEYREJECTED,
				   "signed as '%s', not as a trust cache (" SBX_TC_IDENTIFIER ")",
				   own.identifier);
		goto out;
	}
	if (own.location != SBX_SIG_EMBEDDED ||
	    own.content_size > SBX_TC_HEADER_LEN + (uint64_t)SBX_TC_MAX_ENTRIES * SBX_DIGEST_LEN) {
		err = sbx_diag_set(diag, -EBADMSG, "malformed trust cache: %llu bytes of content",
				   (unsigned long long)own.content_size);
		goto out;
	}
	len = (size_t)own.content_size;
	body = malloc(len ? len : 1);
	if (!body) {
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
		goto out;
	}
	while (done < len) {
		ssize_t n = pread(fd, body + done, len - done, (off_t)done);

		if (n <= 0) {
			err = sbx_diag_set(diag, n < 0 ? -errno : -EIO,
					   "cannot read the trust cache");
			goto out;
		}
		done += (size_t)n;
	}
	/* What was read is what was verified: a file changed in between is rejected. */
	sbx_sha256(body, len, digest);
	if (memcmp(digest, own.content_digest, SBX_DIGEST_LEN)) {
		err = sbx_diag_set(diag, -EKEYREJECTED,
				   "the trust cache changed while it was read");
		goto out;
	}
	err = sbx_trust_cache_parse(body, len, tc, diag);
out:
	free(body);
	sbx_revocations_free(&rev);
	if (pfd >= 0)
		close(pfd);
	if (store >= 0 && !(opts->flags & SBX_VERIFY_TRUST_DIR_FD))
		close(store);
	if (id)
		*id = own;
	else
		sbx_code_identity_free(&own);
	return err;
}
