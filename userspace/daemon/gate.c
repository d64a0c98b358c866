// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbxd's verifier: the library's struct sbx_verifier, the same code path, trust store,
 * revocations and trust caches as `sbx verify`. The verifier is documented for many
 * verifications but not for several threads, so sbxd calls it from one thread only (the
 * worker in fan.c, or main before the listener starts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "compile/compile.h"
#include "sbxd.h"
#include "sign/hash.h"
#include "sign/trust.h"
#include "sign/verify.h"

struct sbxd_gate {
	struct sbx_verify_options opts;
	struct sbx_verifier *v;
	char trust_dir[256]; /* names the store in messages, and nothing else after the start */
	int dir_fd; /* the store opened at the start; -ENOENT: there was none */
	bool owns_fd;
	unsigned char stamp[32]; /* the store the verifier read, when it was read wholly */
	bool whole;
};

/*
 * A gate reading the store dir_fd (-ENOENT: none, nothing trusted) through the library's
 * descriptor form: every read, at the start and at each reload, is of the directory
 * opened when sbxd started, never of the path again (README, "Reload").
 */
static int gate_make(const char *trust_dir, int dir_fd, struct sbxd_gate **out, struct sbx_diag *d)
{
	struct sbxd_gate *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	if (trust_dir && trust_dir[0]) {
		snprintf(g->trust_dir, sizeof(g->trust_dir), "%s", trust_dir);
		g->opts.trust_dir = g->trust_dir;
	}
	g->dir_fd = dir_fd;
	/* Not opened (a link, unreadable): the verifier fails on the path as the open did. */
	if (dir_fd >= 0 || dir_fd == -ENOENT) {
		g->opts.flags = SBX_VERIFY_TRUST_DIR_FD;
		g->opts.trust_dir_fd = dir_fd;
	}
	err = sbx_verifier_new(&g->opts, &g->v);
	if (err) {
		free(g);
		return sbx_diag_set(d, err, "cannot create the verifier: %s", strerror(-err));
	}
	*out = g;
	return 0;
}

/*
 * Read the whole store now: the verifier's anchors and revocations, and every entry
 * (platform.d and the trust caches, which the verifier reads at their first need) opened
 * as the verifier opens it. d says what could not be read.
 */
static int gate_read(struct sbxd_gate *g, struct sbx_diag *d)
{
	int err = sbx_verifier_preload(g->v, d);

	if (!err) {
		memset(d, 0, sizeof(*d)); /* a load may leave what it tried and ignored */
		err = sbxd_gate_stamp(g, NULL, 0, g->stamp, d);
	}
	g->whole = !err;
	return err;
}

int sbxd_gate_new(const char *trust_dir, bool whole, struct sbxd_gate **out, struct sbx_diag *d)
{
	struct sbx_diag pd = { 0 };
	struct sbxd_gate *g;
	int fd, err;

	/* Opened once, here; a link or an unreadable store is said by gate_read. */
	fd = sbx_trust_store_open(trust_dir && trust_dir[0] ? trust_dir : sbx_trust_dir(NULL), &pd);
	err = gate_make(trust_dir, fd, &g, d);
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	g->owns_fd = fd >= 0;
	memset(&pd, 0, sizeof(pd));
	/*
	 * What cannot be read refuses every signed file it would have allowed (a revocation
	 * list that cannot be read never means "nothing revoked"), and it also leaves scope
	 * sandboxed's launcher unverified: in enforce mode (whole) sbxd does not start rather
	 * than enforce less than it is configured to. Complain mode says it once and goes on;
	 * what loaded is kept, what failed is loaded again at the next verification.
	 */
	err = gate_read(g, &pd);
	if (err && whole) {
		sbx_diag_set(d, err,
			     "refusing enforce mode: the trust store %s cannot be read wholly, so "
			     "sbxd cannot enforce what it is configured to (fix it, or start in "
			     "complain mode): %s",
			     sbxd_gate_trust_dir(g), pd.msg);
		sbxd_gate_free(g);
		return err;
	}
	if (err)
		sbxd_log(3,
			 "the trust store %s cannot be read wholly, so what it would allow may be "
			 "refused until it can: %s",
			 sbxd_gate_trust_dir(g), pd.msg);
	*out = g;
	return 0;
}

int sbxd_gate_reload(struct sbxd_gate *g, bool *changed, struct sbx_diag *d)
{
	struct sbx_diag pd = { 0 };
	struct sbx_verifier *old;
	struct sbxd_gate *n;
	int err;

	*changed = false;
	/* A store that could not be opened at the start is not looked for by its path now. */
	if (!(g->opts.flags & SBX_VERIFY_TRUST_DIR_FD))
		return sbx_diag_set(d, -EBADF,
				    "the trust store %s could not be opened when sbxd started, so "
				    "the trust in use stays: restart sbxd",
				    sbxd_gate_trust_dir(g));
	err = gate_make(g->trust_dir, g->dir_fd, &n, d);
	if (err)
		return err;
	err = gate_read(n, &pd);
	if (err) {
		sbx_diag_set(
			d, err,
			"the trust store %s cannot be read wholly, so the trust in use stays: %s",
			sbxd_gate_trust_dir(g), pd.msg);
		sbxd_gate_free(n);
		return err;
	}
	/* The same files, byte for byte: the same trust, and every verdict still holds. */
	if (!g->whole || memcmp(g->stamp, n->stamp, sizeof(g->stamp))) {
		old = g->v;
		g->v = n->v;
		n->v = old;
		memcpy(g->stamp, n->stamp, sizeof(g->stamp));
		g->whole = true;
		*changed = true;
	}
	sbxd_gate_free(n);
	return 0;
}

/*
 * What the verified signature's entitlements lift in the kernel (tier K): the same flags
 * `sbx run` compiles for them. Entitlements that do not load lift nothing (the verifier
 * leaves refusing them to whoever applies them; here that is the safe side).
 */
static uint32_t gate_policy(const struct sbx_code_identity *id)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag d = { 0 };
	uint32_t flags;

	if (id->entitlements && sbx_profile_load_signed("the signed entitlements", id->entitlements,
							id->entitlements_len, &p, &d))
		p = NULL;
	flags = sbx_compile_policy_flags(p, p && sbx_profile_entitled(p, "app-sandbox"));
	if (!id->hardened_runtime)
		flags &= ~(uint32_t)SBX_POLICY_HARDENED_RUNTIME;
	sbx_profile_free(p);
	return flags;
}

void sbxd_gate_check(struct sbxd_gate *g, int fd, const char *path, struct sbxd_check *out)
{
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	int v = sbx_verifier_verify_fd(g->v, fd, path, &id, &diag);
	const char *verdict = v < 0 ? "error" : sbx_verdict_name((enum sbx_verdict)v);

	memset(out, 0, sizeof(*out));
	if (v == SBX_VERDICT_VALID || v == SBX_VERDICT_PLATFORM) {
		out->kind = v == SBX_VERDICT_VALID ? SBXD_KIND_VALID : SBXD_KIND_PLATFORM;
		out->reason = "";
	} else {
		out->kind = SBXD_KIND_REFUSED;
		out->reason = v == SBX_VERDICT_UNSIGNED ? "unsigned"
			      : v < 0			? "io"
							: sbx_verify_reason_name(id.reason);
		sbx_diag_format(&diag, out->fact, sizeof(out->fact));
		if (!out->fact[0])
			snprintf(out->fact, sizeof(out->fact), "%s", verdict);
	}
	snprintf(out->identifier, sizeof(out->identifier), "%s", id.identifier);
	snprintf(out->team_id, sizeof(out->team_id), "%s", id.team_id);
	snprintf(out->cdhash, sizeof(out->cdhash), "%s", id.cdhash_hex);
	out->hardened_runtime = id.hardened_runtime;
	if (sbxd_kind_allows(out->kind))
		out->policy = gate_policy(&id);
	sbx_code_identity_free(&id);
}

/*
 * Each regular file under dirfd (two levels: platform.d), by name and content, in order.
 * Opened as the verifier opens them (sbx_trust_openat: never through a symbolic link), so
 * a link, or an entry that cannot be opened or read, makes the stamp fail (the trust
 * counts as changed); d names the first such entry (root/rel is its path).
 */
static bool stamp_dir(EVP_MD_CTX *md, int dirfd, const char *root, const char *rel, int depth,
		      struct sbx_diag *d)
{
	struct dirent **list;
	int n = scandirat(dirfd, ".", &list, NULL, alphasort);
	bool ok = n >= 0;

	if (n < 0)
		sbx_diag_set(d, -errno, "cannot list %s%s: %s", root, rel, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		uint8_t digest[SBX_DIGEST_LEN];
		struct sbx_diag od = { 0 };
		char path[600];
		struct stat st;
		int fd = -1;

		snprintf(path, sizeof(path), "%s/%s", rel, name);
		if (ok && strcmp(name, ".") && strcmp(name, "..")) {
			fd = sbx_trust_openat(dirfd, name, 0, &od);
			ok = fd >= 0 && fstat(fd, &st) == 0;
			if (fd == -ELOOP)
				sbx_diag_set(d, fd,
					     "%s%s is a symbolic link: a trust store holds regular "
					     "files and directories only",
					     root, path);
			else if (!ok)
				sbx_diag_set(d, fd < 0 ? fd : -errno, "cannot open %s%s: %s", root,
					     path, strerror(fd < 0 ? -fd : errno));
		}
		if (ok && fd >= 0) {
			ok &= EVP_DigestUpdate(md, path, strlen(path) + 1) == 1;
			if (S_ISDIR(st.st_mode) && depth < 2)
				ok &= stamp_dir(md, fd, root, path, depth + 1, d);
			else if (S_ISREG(st.st_mode) &&
				 sbx_sha256_fd(fd, 0, (uint64_t)st.st_size, digest, NULL)) {
				sbx_diag_set(d, -EIO, "cannot read %s%s", root, path);
				ok = false;
			} else if (S_ISREG(st.st_mode)) {
				ok &= EVP_DigestUpdate(md, digest, sizeof(digest)) == 1;
			}
		}
		if (fd >= 0)
			close(fd);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return ok;
}

int sbxd_gate_stamp(const struct sbxd_gate *g, const void *extra, size_t extra_len,
		    unsigned char out[32], struct sbx_diag *d)
{
	const char *dir = sbxd_gate_trust_dir(g);
	struct sbx_diag od = { 0 }, ignored = { 0 };
	bool by_fd = g->opts.flags & SBX_VERIFY_TRUST_DIR_FD;
	int fd = by_fd ? g->dir_fd : sbx_trust_openat(AT_FDCWD, dir, O_DIRECTORY, &od);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		  (!extra_len || EVP_DigestUpdate(md, extra, extra_len) == 1);

	if (!d)
		d = &ignored;
	/* No trust store (nothing is trusted) hashes as an empty one; a link to one fails. */
	if (ok && fd >= 0) {
		ok = stamp_dir(md, fd, dir, "", 0, d);
	} else if (fd != -ENOENT) {
		ok = false;
		sbx_diag_set(d, fd < 0 ? fd : -EIO, "%s", od.msg[0] ? od.msg : "out of memory");
	}
	ok = ok && EVP_DigestFinal_ex(md, out, NULL) == 1;
	if (fd >= 0 && !by_fd)
		close(fd);
	EVP_MD_CTX_free(md);
	if (ok)
		return 0;
	return d->err ? d->err : sbx_diag_set(d, -EIO, "cannot hash the trust store %s", dir);
}

int sbxd_gate_dir_fd(const struct sbxd_gate *g)
{
	return g->opts.flags & SBX_VERIFY_TRUST_DIR_FD ? g->dir_fd : -EBADF;
}

const char *sbxd_gate_trust_dir(const struct sbxd_gate *g)
{
	return sbx_trust_dir(&g->opts);
}

void sbxd_gate_free(struct sbxd_gate *g)
{
	if (!g)
		return;
	sbx_verifier_free(g->v);
	if (g->owns_fd)
		close(g->dir_fd);
	free(g);
}
