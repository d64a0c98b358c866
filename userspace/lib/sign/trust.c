// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign/cms.h"
#include "sign/hash.h"
#include "sign/trust.h"

static bool anchor_file_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 &&
	       (!strcmp(name + n - 4, ".pem") || !strcmp(name + n - 4, ".crt"));
}

/*
 * Beneath a descriptor (a store's directory): openat2 never leaves it and follows no link
 * on the way, magic links (/proc/PID/fd/N) included; before 5.6, openat with O_NOFOLLOW,
 * which every caller's one-component name makes the same.
 */
static int trust_open_beneath(int at, const char *name, int flags)
{
	struct open_how how = {
		.flags = (__u64)flags,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, at, name, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(at, name, flags);
	return (int)fd;
}

/* dir (NULL: none) and name together name the entry in messages. */
static int trust_open(int at, const char *dir, const char *name, int flags, struct sbx_diag *diag)
{
	int fd;
	struct stat st;
	char shown[4200];

	flags |= O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
	fd = at == AT_FDCWD ? openat(at, name, flags) : trust_open_beneath(at, name, flags);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return -ENOENT;
	snprintf(shown, sizeof(shown), "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	/* O_DIRECTORY | O_NOFOLLOW on a link to a directory: ENOTDIR. */
	if (errno == ELOOP ||
	    (errno == ENOTDIR && (flags & O_DIRECTORY) &&
	     fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)))
		return sbx_diag_set(diag, -ELOOP,
				    "%s is a symbolic link: a trust store holds regular files and "
				    "directories only (what sbxd guards is the store, not where a "
				    "link points)",
				    shown);
	return sbx_diag_set(diag, -errno, "cannot open %s: %m", shown);
}

int sbx_trust_openat(int at, const char *path, int flags, struct sbx_diag *diag)
{
	return trust_open(at, NULL, path, flags, diag);
}

int sbx_trust_open_in(int dirfd, const char *dir, const char *name, int flags,
		      struct sbx_diag *diag)
{
	return trust_open(dirfd, dir, name, flags, diag);
}

int sbx_trust_store_open(const char *dir, struct sbx_diag *diag)
{
	int fd = sbx_trust_openat(AT_FDCWD, dir, O_DIRECTORY, diag);

	if (fd < 0 && fd != -ELOOP) /* a link: sbx_trust_openat said why */
		return sbx_diag_set(diag, fd, "cannot open trust directory %s: %s", dir,
				    strerror(-fd));
	return fd;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The anchor file names of the store dirfd (dir names it), sorted; bounded. */
static int anchor_files(int dirfd, const char *dir, char ***out, size_t *n, struct sbx_diag *diag)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char **names = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return sbx_diag_set(diag, err, "cannot open trust directory %s: %s", dir,
				    strerror(-err));
	}
	while ((e = readdir(d))) {
		char **grown;

		if (!anchor_file_name(e->d_name))
			continue;
		if (count == SBX_TRUST_MAX_ANCHORS) {
			closedir(d);
			for (size_t i = 0; i < count; i++)
				free(names[i]);
			free(names);
			return sbx_diag_set(diag, -E2BIG,
					    "trust directory %s holds more than %d anchors", dir,
					    SBX_TRUST_MAX_ANCHORS);
		}
		grown = realloc(names, (count + 1) * sizeof(*names));
		if (!grown || !(grown[count] = strdup(e->d_name))) {
			closedir(d);
			names = grown ? grown : names;
			for (size_t i = 0; i < count; i++)
				free(names[i]);
			free(names);
			return sbx_diag_set(diag, -ENOMEM, "out of memory");
		}
		names = grown;
		count++;
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), name_cmp);
	*out = names;
	*n = count;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Every certificate of one PEM file, bounded in size: path, or with dir (the store's
 * stat) the entry name of the store at (dirname names it), which must also be the
 * directory's owner's or root's, writable by no one else, and not a symlink: else whoever
 * could plant or edit it would choose what is trusted.
 */
static STACK_OF(X509) * read_pem_certs_in(int at, const char *dirname, const char *name,
					  const struct stat *dir, struct sbx_diag *diag)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	char path[4200];
	struct stat st;
	FILE *f = NULL;
	X509 *x;
	int fd;

	if (!certs) {
		sbx_diag_set(diag, -ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s%s%s", dir ? dirname : "", dir ? "/" : "", name);
	/* Never block: a FIFO here must not hang a verifier. */
	fd = dir ? sbx_trust_open_in(at, dirname, name, 0, diag)
		 : open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (!dir && fd < 0)
		fd = -errno;
	if (fd == -ENOENT || (fd < 0 && !dir))
		sbx_diag_set(diag, fd, "cannot open %s: %s", path, strerror(-fd));
	if (fd < 0)
		goto fail;
	f = fdopen(fd, "r");
	if (!f || fstat(fd, &st) < 0) {
		sbx_diag_set(diag, -errno, "cannot open %s: %m", path);
		if (!f)
			close(fd);
		goto fail;
	}
	if (dir &&
	    ((st.st_uid != 0 && st.st_uid != dir->st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		sbx_diag_set(diag, -EPERM,
			     "%s is not the trust directory owner's (or root's) alone: it adds no "
			     "trust",
			     path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > SBX_TRUST_MAX_FILE) {
		sbx_diag_set(diag, -EINVAL, "%s is not a regular file of at most %u bytes", path,
			     SBX_TRUST_MAX_FILE);
		goto fail;
	}
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	fclose(f);
	if (!sk_X509_num(certs)) {
		sbx_diag_set(diag, -EINVAL, "%s: no PEM certificate in it", path);
		sk_X509_free(certs);
		return NULL;
	}
	return certs;
fail:
	if (f)
		fclose(f);
	sk_X509_free(certs);
	return NULL;
}

static STACK_OF(X509) * read_pem_certs(const char *path, struct sbx_diag *diag)
{
	return read_pem_certs_in(AT_FDCWD, NULL, path, NULL, diag);
}

/* Call fn for every certificate of every anchor file of the store dirfd, in name order. */
static int for_each_anchor(int dirfd, const char *dir,
			   void (*fn)(const char *file, X509 *x, void *ctx), void *ctx,
			   struct sbx_diag *diag)
{
	struct stat dst;
	char **names;
	size_t n;
	int err;

	err = anchor_files(dirfd, dir, &names, &n, diag);
	if (err)
		return err;
	if (fstat(dirfd, &dst) < 0) {
		free_names(names, n);
		return sbx_diag_set(diag, -errno, "cannot examine trust directory %s: %m", dir);
	}
	for (size_t i = 0; i < n; i++) {
		STACK_OF(X509) * certs;

		/* An unreadable or foreign file adds no trust; it does not stop the others. */
		certs = read_pem_certs_in(dirfd, dir, names[i], &dst, NULL);
		for (int j = 0; certs && j < sk_X509_num(certs) && j < SBX_CMS_MAX_CERTS; j++)
			fn(names[i], sk_X509_value(certs, j), ctx);
		ERR_clear_error();
		sk_X509_pop_free(certs, X509_free);
	}
	free_names(names, n);
	return 0;
}

struct store_ctx {
	X509_STORE *store;
	unsigned int n;
};

static void add_to_store(const char *file, X509 *x, void *ctx)
{
	struct store_ctx *c = ctx;

	(void)file;
	if (c->n < SBX_TRUST_MAX_ANCHORS && X509_STORE_add_cert(c->store, x))
		c->n++;
}

int sbx_trust_load_at(int dirfd, const char *dir, X509_STORE **store, unsigned int *n_anchors,
		      struct sbx_diag *diag)
{
	struct store_ctx c = { .store = X509_STORE_new() };
	int err;

	*store = NULL;
	*n_anchors = 0;
	if (!c.store)
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	err = for_each_anchor(dirfd, dir, add_to_store, &c, diag);
	if (err) {
		X509_STORE_free(c.store);
		return err;
	}
	*store = c.store;
	*n_anchors = c.n;
	return 0;
}

int sbx_trust_load(const char *dir, X509_STORE **store, unsigned int *n_anchors,
		   struct sbx_diag *diag)
{
	int fd = sbx_trust_store_open(dir, diag), err;

	*store = NULL;
	*n_anchors = 0;
	if (fd < 0)
		return fd;
	err = sbx_trust_load_at(fd, dir, store, n_anchors, diag);
	close(fd);
	return err;
}

static void fingerprint(X509 *x, char *hex)
{
	uint8_t md[SBX_DIGEST_LEN];
	unsigned int n = sizeof(md);

	X509_digest(x, EVP_sha256(), md, &n);
	sbx_hex(md, sizeof(md), hex);
}

int sbx_trust_add(const char *dir, const char *cert_path, char *name, size_t name_len,
		  struct sbx_diag *diag)
{
	STACK_OF(X509) *certs = read_pem_certs(cert_path, diag);
	char fp[2 * SBX_DIGEST_LEN + 1], path[4096], tmp[4096];
	FILE *f;
	int fd, err = 0;

	if (!certs)
		return diag->err;
	if (sk_X509_num(certs) != 1) {
		err = sbx_diag_set(diag, -EINVAL,
				   "%s holds %d certificates: add one anchor at a time", cert_path,
				   sk_X509_num(certs));
		goto out;
	}
	/* Anchors too: a weak anchor key would let anyone forge the chains below it. */
	{
		struct sbx_diag why = { 0 };

		if (sbx_key_supported(X509_get0_pubkey(sk_X509_value(certs, 0)), &why)) {
			err = sbx_diag_set(diag, -EINVAL, "%s: %s", cert_path, why.msg);
			goto out;
		}
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err = sbx_diag_set(diag, -errno, "cannot create trust directory %s: %m", dir);
		goto out;
	}
	fingerprint(sk_X509_value(certs, 0), fp);
	snprintf(name, name_len, "%.16s.pem", fp);
	snprintf(path, sizeof(path), "%s/%.16s.pem", dir, fp);
	snprintf(tmp, sizeof(tmp), "%s/.%.16s.pem.XXXXXX", dir, fp);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = sbx_diag_set(diag, -errno, "cannot write to trust directory %s: %m", dir);
		goto out;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f || !PEM_write_X509(f, sk_X509_value(certs, 0)) || fflush(f) || fsync(fd)) {
		err = sbx_diag_set(diag, -EIO, "cannot write %s: %m", tmp);
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		err = sbx_diag_set(diag, -errno, "cannot install %s: %m", path);
		unlink(tmp);
	}
out:
	sk_X509_pop_free(certs, X509_free);
	return err;
}

int sbx_trust_remove(const char *dir, const char *what, char *name, size_t name_len,
		     struct sbx_diag *diag)
{
	size_t n, matches = 0, wlen = strlen(what), hit = 0;
	char **names, path[4096], fp[2 * SBX_DIGEST_LEN + 1];
	struct stat st;
	int err, fd;

	/* The certificate file that was added (a path, or a file here): by its fingerprint. */
	if (wlen && (strchr(what, '/') || (!stat(what, &st) && S_ISREG(st.st_mode)))) {
		STACK_OF(X509) *certs = read_pem_certs(what, diag);

		if (!certs)
			return diag->err;
		int count = sk_X509_num(certs);

		if (count != 1) {
			sk_X509_pop_free(certs, X509_free);
			return sbx_diag_set(diag, -EINVAL,
					    "%s holds %d certificates, not one anchor", what,
					    count);
		}
		fingerprint(sk_X509_value(certs, 0), fp);
		sk_X509_pop_free(certs, X509_free);
		fp[16] = '\0'; /* the anchor's file name, as sbx_trust_add() wrote it */
		what = fp;
		wlen = strlen(fp);
	}
	if (!wlen)
		return sbx_diag_set(diag, -EINVAL,
				    "'%s' is not an anchor file name or fingerprint prefix", what);
	fd = sbx_trust_store_open(dir, diag);
	if (fd < 0)
		return fd;
	err = anchor_files(fd, dir, &names, &n, diag);
	close(fd);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (!strncasecmp(names[i], what, wlen)) {
			matches++;
			hit = i;
		}
	if (matches != 1) {
		if (matches)
			err = sbx_diag_set(
				diag, -EINVAL,
				"'%s' matches %zu anchors in %s: give more of the fingerprint",
				what, matches, dir);
		else
			err = sbx_diag_set(diag, -ENOENT, "no anchor '%s' in %s", what, dir);
		free_names(names, n);
		return err;
	}
	snprintf(name, name_len, "%s", names[hit]);
	snprintf(path, sizeof(path), "%s/%s", dir, names[hit]);
	free_names(names, n);
	if (unlink(path) < 0)
		return sbx_diag_set(diag, -errno, "cannot remove %s: %m", path);
	return 0;
}

struct list_ctx {
	struct sbx_anchor_info *info;
	size_t n, cap;
	bool oom;
};

static void add_to_list(const char *file, X509 *x, void *ctx)
{
	struct list_ctx *c = ctx;
	struct sbx_anchor_info *a;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		struct sbx_anchor_info *grown = realloc(c->info, cap * sizeof(*grown));

		if (!grown) {
			c->oom = true;
			return;
		}
		c->info = grown;
		c->cap = cap;
	}
	a = &c->info[c->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->file, sizeof(a->file), "%s", file);
	fingerprint(x, a->fingerprint);
	sbx_x509_subject(x, a->subject, sizeof(a->subject));
	sbx_asn1_time_str(X509_get0_notAfter(x), a->not_after, sizeof(a->not_after));
	sbx_x509_serial_hex(x, a->serial, sizeof(a->serial));
}

int sbx_trust_list(const char *dir, struct sbx_anchor_info **out, size_t *count,
		   struct sbx_diag *diag)
{
	struct list_ctx c = { 0 };
	int fd = sbx_trust_store_open(dir, diag), err;

	*out = NULL;
	*count = 0;
	if (fd < 0)
		return fd;
	err = for_each_anchor(fd, dir, add_to_list, &c, diag);
	close(fd);
	if (!err && c.oom)
		err = sbx_diag_set(diag, -ENOMEM, "out of memory");
	if (err) {
		free(c.info);
		return err;
	}
	*out = c.info;
	*count = c.n;
	return 0;
}

/* ---- revocations ---- */

static int parse_cdhash(const char *hex, uint8_t out[SBX_DIGEST_LEN]);

int sbx_serial_normalize(const char *in, char *out, size_t len)
{
	size_t k = 0, digits = 0;
	bool negative = *in == '-';

	if (len < 2)
		return -EINVAL;
	if (negative) {
		in++;
		out[k++] = '-';
	}
	if (!strncasecmp(in, "0x", 2))
		in += 2;
	if (!*in)
		return -EINVAL;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in))
			return -EINVAL;
		if (!digits && *in == '0')
			continue;
		/* Stored exactly or refused: never cut. */
		if (++digits > SBX_SERIAL_MAX_DIGITS || k + 1 >= len)
			return -E2BIG;
		out[k++] = (char)toupper((unsigned char)*in);
	}
	if (!digits) {
		k = 0; /* -0 is 0 */
		out[k++] = '0';
	}
	out[k] = '\0';
	return 0;
}

int sbx_parse_issuer(const char *hex, uint8_t issuer[SBX_DIGEST_LEN])
{
	return parse_cdhash(hex, issuer);
}

int sbx_x509_revocation_id(X509 *x, uint8_t issuer[SBX_DIGEST_LEN], char *serial, size_t len)
{
	unsigned int n = SBX_DIGEST_LEN;
	int err = sbx_x509_serial(x, serial, len);

	if (!err && !X509_NAME_digest(X509_get_issuer_name(x), EVP_sha256(), issuer, &n))
		err = -ENOMEM;
	return err;
}

static int parse_cdhash(const char *hex, uint8_t out[SBX_DIGEST_LEN])
{
	if (strlen(hex) != 2 * SBX_DIGEST_LEN)
		return -EINVAL;
	for (int i = 0; i < SBX_DIGEST_LEN; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1]))
			return -EINVAL;
		out[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	return 0;
}

void sbx_revocations_free(struct sbx_revocations *r)
{
	free(r->certs);
	free(r->cdhashes);
	memset(r, 0, sizeof(*r));
}

int sbx_revocations_parse(const char *name, const char *text, size_t len, struct sbx_revocations *r,
			  struct sbx_diag *diag)
{
	unsigned int lineno = 0;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - (text + off)) : len - off;
		char line[400], kind[16], value[200], value2[200], extra[2];
		int fields;

		lineno++;
		if (llen >= sizeof(line)) {
			sbx_revocations_free(r);
			return sbx_diag_set_at(diag, -EINVAL, name, lineno, 1, "line too long");
		}
		memcpy(line, text + off, llen);
		line[llen] = '\0';
		off += llen + 1;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		fields = sscanf(line, "%15s %199s %199s %1s", kind, value, value2, extra);
		if (fields <= 0)
			continue;
		if (fields != (strcmp(kind, "serial") ? 2 : 3))
			goto bad;
		if (r->n_certs + r->n_cdhashes >= SBX_REVOCATIONS_MAX) {
			sbx_revocations_free(r);
			return sbx_diag_set_at(diag, -E2BIG, name, lineno, 1,
					       "more than %d revocations", SBX_REVOCATIONS_MAX);
		}
		if (!strcmp(kind, "serial")) {
			struct sbx_revoked_cert *grown;

			grown = realloc(r->certs, (r->n_certs + 1) * sizeof(*grown));
			if (!grown)
				goto oom;
			r->certs = grown;
			if (sbx_parse_issuer(value, grown[r->n_certs].issuer) ||
			    sbx_serial_normalize(value2, grown[r->n_certs].serial,
						 sizeof(grown[r->n_certs].serial)))
				goto bad;
			r->n_certs++;
		} else if (!strcmp(kind, "cdhash")) {
			uint8_t(*grown)[SBX_DIGEST_LEN];

			grown = realloc(r->cdhashes, (r->n_cdhashes + 1) * sizeof(*grown));
			if (!grown)
				goto oom;
			r->cdhashes = grown;
			if (parse_cdhash(value, r->cdhashes[r->n_cdhashes]))
				goto bad;
			r->n_cdhashes++;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	sbx_revocations_free(r);
	return sbx_diag_set_at(
		diag, -EINVAL, name, lineno, 1,
		"expected 'serial ISSUER-SHA256 SERIAL' or 'cdhash <64 hex digits>'");
oom:
	sbx_revocations_free(r);
	return sbx_diag_set(diag, -ENOMEM, "out of memory");
}

/* The entry name of the store at (dir names it), or the file name (at AT_FDCWD, dir NULL). */
static int read_small_file(int at, const char *dir, const char *name, char **buf, size_t *len,
			   struct sbx_diag *diag)
{
	int fd = sbx_trust_open_in(at, dir, name, 0, diag);
	char path[4200];
	struct stat st;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 16 * SBX_TRUST_MAX_FILE) {
		close(fd);
		return sbx_diag_set(diag, -EINVAL, "%s is not a regular file of at most %u bytes",
				    path, 16 * SBX_TRUST_MAX_FILE);
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return sbx_diag_set(diag, -ENOMEM, "out of memory");
	}
	n = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(*buf);
		*buf = NULL;
		return sbx_diag_set(diag, -errno, "cannot read %s: %m", path);
	}
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int sbx_revocations_load_at(int at, const char *dir, const char *name, bool missing_ok,
			    struct sbx_revocations *r, struct sbx_diag *diag)
{
	char *text, path[4200];
	size_t len;
	int err;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
	err = read_small_file(at, dir, name, &text, &len, diag);
	if (err == -ENOENT && missing_ok)
		return 0;
	if (err == -ENOENT)
		return sbx_diag_set(diag, err, "cannot open revocation list %s: %s", path,
				    strerror(ENOENT));
	if (err)
		return err;
	err = sbx_revocations_parse(path, text, len, r, diag);
	free(text);
	return err;
}

int sbx_revocations_load(const char *path, bool missing_ok, struct sbx_revocations *r,
			 struct sbx_diag *diag)
{
	return sbx_revocations_load_at(AT_FDCWD, NULL, path, missing_ok, r, diag);
}

bool sbx_revoked_cert(const struct sbx_revocations *r, const uint8_t issuer[SBX_DIGEST_LEN],
		      const char *serial)
{
	for (size_t i = 0; i < r->n_certs; i++)
		if (!memcmp(r->certs[i].issuer, issuer, SBX_DIGEST_LEN) &&
		    !strcmp(r->certs[i].serial, serial))
			return true;
	return false;
}

bool sbx_revoked_cdhash(const struct sbx_revocations *r, const uint8_t cdhash[SBX_DIGEST_LEN])
{
	for (size_t i = 0; i < r->n_cdhashes; i++)
		if (!memcmp(r->cdhashes[i], cdhash, SBX_DIGEST_LEN))
			return true;
	return false;
}

int sbx_cert_revocation_id(const char *cert_path, char issuer_hex[2 * SBX_DIGEST_LEN + 1],
			   char *serial, size_t len, struct sbx_diag *diag)
{
	STACK_OF(X509) *certs = read_pem_certs(cert_path, diag);
	uint8_t issuer[SBX_DIGEST_LEN];
	int err = 0;

	if (!certs)
		return diag->err;
	if (sk_X509_num(certs) != 1)
		err = sbx_diag_set(diag, -EINVAL, "%s holds %d certificates: name one", cert_path,
				   sk_X509_num(certs));
	else if (sbx_x509_revocation_id(sk_X509_value(certs, 0), issuer, serial, len))
		err = sbx_diag_set(diag, -E2BIG,
				   "%s: its serial is longer than %d hex digits: it cannot be "
				   "stored, and sbx verify refuses such certificates",
				   cert_path, SBX_SERIAL_MAX_DIGITS);
	else
		sbx_hex(issuer, SBX_DIGEST_LEN, issuer_hex);
	sk_X509_pop_free(certs, X509_free);
	return err;
}

int sbx_revocation_edit(const char *path, const char *kind, const char *value, const char *serial,
			bool add, struct sbx_diag *diag)
{
	char norm[200], sn[SBX_SERIAL_MAX_DIGITS + 2] = "", tmp[4096], hex[2 * SBX_DIGEST_LEN + 1];
	struct sbx_revocations r;
	uint8_t hash[SBX_DIGEST_LEN];
	bool is_cert = !strcmp(kind, "serial"), present;
	FILE *f;
	int err, fd;

	if (is_cert) {
		if (!serial || sbx_parse_issuer(value, hash))
			return sbx_diag_set(
				diag, -EINVAL,
				"'%s' is not an issuer (the SHA-256 of the issuer's DER "
				"name, 64 hex digits; sbx trust revoke cert CERT.pem "
				"computes it)",
				value);
		err = sbx_serial_normalize(serial, sn, sizeof(sn));
		if (err == -E2BIG)
			return sbx_diag_set(
				diag, err,
				"serial '%s' is longer than %d hex digits: it cannot be "
				"stored, and sbx verify refuses such certificates",
				serial, SBX_SERIAL_MAX_DIGITS);
		if (err)
			return sbx_diag_set(diag, -EINVAL, "'%s' is not a hexadecimal serial",
					    serial);
	} else if (!strcmp(kind, "cdhash")) {
		if (parse_cdhash(value, hash))
			return sbx_diag_set(diag, -EINVAL, "'%s' is not a cdhash (64 hex digits)",
					    value);
	} else {
		return sbx_diag_set(diag, -EINVAL,
				    "unknown revocation kind '%s' (serial or cdhash)", kind);
	}
	sbx_hex(hash, sizeof(hash), hex);
	snprintf(norm, sizeof(norm), "%s%s%s", hex, is_cert ? " " : "", sn);
	err = sbx_revocations_load(path, true, &r, diag);
	if (err)
		return err;
	present = is_cert ? sbx_revoked_cert(&r, hash, sn) : sbx_revoked_cdhash(&r, hash);
	if (present == add) {
		sbx_revocations_free(&r);
		return add ? 0
			   : sbx_diag_set(diag, -ENOENT, "%s %s is not in %s", kind, norm, path);
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sbx_revocations_free(&r);
		return sbx_diag_set(diag, -errno, "cannot write next to %s: %m", path);
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		sbx_revocations_free(&r);
		return sbx_diag_set(diag, -errno, "cannot write %s: %m", tmp);
	}
	fprintf(f, "# sbx revocation list: 'serial ISSUER-SHA256 SERIAL' (a certificate) or "
		   "'cdhash HEX' lines\n");
	for (size_t i = 0; i < r.n_certs; i++) {
		sbx_hex(r.certs[i].issuer, SBX_DIGEST_LEN, hex);
		if (add || !is_cert || memcmp(r.certs[i].issuer, hash, SBX_DIGEST_LEN) ||
		    strcmp(r.certs[i].serial, sn))
			fprintf(f, "serial %s %s\n", hex, r.certs[i].serial);
	}
	for (size_t i = 0; i < r.n_cdhashes; i++) {
		sbx_hex(r.cdhashes[i], SBX_DIGEST_LEN, hex);
		if (add || is_cert || memcmp(r.cdhashes[i], hash, SBX_DIGEST_LEN))
			fprintf(f, "cdhash %s\n", hex);
	}
	if (add)
		fprintf(f, "%s %s\n", kind, norm);
	sbx_revocations_free(&r);
	if (fflush(f) || fsync(fd)) {
		fclose(f);
		unlink(tmp);
		return sbx_diag_set(diag, -EIO, "cannot write %s: %m", tmp);
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return sbx_diag_set(diag, -errno, "cannot install %s: %m", path);
	}
	return 0;
}
