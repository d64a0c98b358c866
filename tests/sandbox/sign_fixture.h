/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixture the sbx sign/verify/display/trust CLI tests share (sign_*.c): a PKI made
 * per test program by the openssl command line (tests/unit/data/sign/mkca.sh), a trust
 * directory and a copy of /bin/true per test, helpers to run sbx and to read and patch
 * files, and the exact-output assertions.
 */
#ifndef SBX_TEST_SIGN_FIXTURE_H
#define SBX_TEST_SIGN_FIXTURE_H

#include <stdarg.h>
#include <sys/xattr.h>

#include "kselftest_harness.h"
#include "sbx_pki.h"
#include "sign/sign.h"
#include "sign/verify.h"

#define TRAILER_LEN 49
#define MAGIC_LEN   25
#define SIGN_PATH   512

SBX_TEST_PKI(true);

/* Run sbx with the arguments given (NULL-terminated). */
static inline int sbx(struct sbx_cmd_result *r, ...)
{
	char *argv[32];
	int n = 0;
	va_list ap;

	argv[n++] = (char *)sbx_bin();
	va_start(ap, r);
	while (n < 31 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return sbx_run_capture(argv, r);
}

static inline int copy_file(const char *from, const char *to)
{
	static struct sbx_cmd_result r;

	if (sbx_sh(&r, "cp -- '%s' '%s'", from, to) || r.status)
		return -1;
	return 0;
}

static inline void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static inline off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static inline int read_at(const char *path, off_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len, off);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static inline int write_at(const char *path, off_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd < 0 ? -1 : pwrite(fd, buf, len, off);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static inline int flip_byte(const char *path, off_t off)
{
	uint8_t b;

	if (read_at(path, off, &b, 1))
		return -1;
	b ^= 0x5a;
	return write_at(path, off, &b, 1);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The parts of an appended signature, read back from the trailer. */
struct parts {
	off_t size, content_len, cd_off, cms_off;
	uint32_t cd_len, cms_len;
};

static inline int trailer_of(const char *path, struct parts *p)
{
	uint8_t t[TRAILER_LEN];

	p->size = file_size(path);
	if (p->size < TRAILER_LEN || read_at(path, p->size - TRAILER_LEN, t, sizeof(t)))
		return -1;
	p->cd_len = be32(t + 4);
	p->cms_len = be32(t + 8);
	p->content_len = (off_t)((uint64_t)be32(t + 16) << 32 | be32(t + 20));
	p->cd_off = p->content_len;
	p->cms_off = p->cd_off + p->cd_len;
	return p->cms_off + p->cms_len + TRAILER_LEN == p->size ? 0 : -1;
}

FIXTURE(sign)
{
	char dir[SIGN_PATH];
	char trust[SIGN_PATH + 16];
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16], chain[SIGN_PATH + 16];
	char subject[128], team[16];
	char file[SIGN_PATH + 16]; /* a signed copy of /bin/true */
	struct sbx_cmd_result *r;
};

FIXTURE_VARIANT(sign)
{
	const char *leaf;
	const char *subject;
	const char *team;
};

FIXTURE_VARIANT_ADD(sign, ecdsa_p256){
	.leaf = "leaf",
	.subject = "CN=sbx test leaf,OU=TEAM42,O=sbx tests",
	.team = "TEAM42",
};

FIXTURE_VARIANT_ADD(sign, rsa_2048){
	.leaf = "rsa",
	.subject = "CN=sbx test rsa leaf,OU=TEAMRSA,O=sbx tests",
	.team = "TEAMRSA",
};

FIXTURE_SETUP(sign)
{
	static struct sbx_cmd_result r;

	SBX_NEED_PKI();
	self->r = &r;
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->trust, sizeof(self->trust), "%s/trust", self->dir);
	ASSERT_EQ(0, mkdir(self->trust, 0755));
	ASSERT_EQ(0, sbx_sh(&r, "cp '%s/root.pem' '%s/'", sbx_pki, self->trust));
	snprintf(self->key, sizeof(self->key), "%s/%s.key", sbx_pki, variant->leaf);
	snprintf(self->cert, sizeof(self->cert), "%s/%s.pem", sbx_pki, variant->leaf);
	snprintf(self->chain, sizeof(self->chain), "%s/chain.pem", sbx_pki);
	snprintf(self->subject, sizeof(self->subject), "%s", variant->subject);
	snprintf(self->team, sizeof(self->team), "%s", variant->team);
	snprintf(self->file, sizeof(self->file), "%s/true", self->dir);
	ASSERT_EQ(0, copy_file("/bin/true", self->file));
}

FIXTURE_TEARDOWN(sign)
{
	sbx_rmtree(self->dir);
}

static inline int sign_file(FIXTURE_DATA(sign) * self, const char *path, const char *extra)
{
	if (extra)
		return sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
			   self->chain, extra, path, NULL);
	return sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
		   self->chain, path, NULL);
}

/* sbx verify must say exactly want on stderr, exit 1, and print nothing valid. */
#define ASSERT_VERIFY_FAILS(self, path, want)                                                 \
	do {                                                                                  \
		char __want[4096];                                                            \
		ASSERT_EQ(0, sbx((self)->r, "verify", "--trust", (self)->trust, path, NULL)); \
		snprintf(__want, sizeof(__want), "sbx verify: %s: %s\n", path, want);         \
		EXPECT_STREQ(__want, (self)->r->err);                                         \
		EXPECT_EQ(1, (self)->r->status);                                              \
		EXPECT_EQ(NULL, strstr((self)->r->out, "valid"));                             \
	} while (0)

#define ASSERT_VERIFY_OK(self, path, id)                                                       \
	do {                                                                                   \
		char __want[4096];                                                             \
		ASSERT_EQ(0, sbx((self)->r, "verify", "--trust", (self)->trust, path, NULL));  \
		snprintf(__want, sizeof(__want), "%s: valid (identifier %s, team %s, anchor ", \
			 path, id, (self)->team);                                              \
		EXPECT_EQ(0, strncmp(__want, (self)->r->out, strlen(__want)))                  \
		TH_LOG("%s", (self)->r->out);                                                  \
		/* the anchor: 32 hex digits (run_signed_asks.c checks which) */               \
		EXPECT_EQ(strlen(__want) + 32 + 2, strlen((self)->r->out));                    \
		EXPECT_STREQ(")\n", (self)->r->out + strlen((self)->r->out) - 2);              \
		EXPECT_STREQ("", (self)->r->err);                                              \
		EXPECT_EQ(0, (self)->r->status);                                               \
	} while (0)

#endif /* SBX_TEST_SIGN_FIXTURE_H */
