// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx sign / verify / display / trust on real files: copies of /bin/true, python3,
 * libc.so.6 and a shell script, signed with a PKI made per run by the openssl command
 * line (tests/unit/data/sign/mkca.sh). Every bad input has a test asserting its exact
 * one-line message, and every failure asserts exit status 1 and no "valid" on stdout.
 */
#include "sign_fixture.h"
#include "../../include/sbx/verify.h"

TEST_F(sign, elf_signed_verifies_and_still_runs)
{
	char want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	snprintf(want, sizeof(want), "%s: signed embedded (identifier true, team %s, cdhash ",
		 self->file, self->team);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)));
	EXPECT_GT(file_size(self->file), file_size("/bin/true"));
	ASSERT_VERIFY_OK(self, self->file, "true");
	ASSERT_EQ(0, sbx_sh(self->r, "'%s'", self->file));
	EXPECT_EQ(0, self->r->status);
}

TEST_F(sign, resign_replaces_the_signature)
{
	struct parts first, second;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &first));
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
			 self->chain, "--identifier", "com.example.true", self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, trailer_of(self->file, &second));
	EXPECT_EQ(first.content_len, second.content_len);
	EXPECT_EQ(file_size("/bin/true"), second.content_len);
	ASSERT_VERIFY_OK(self, self->file, "com.example.true");
}

/* A running program cannot be written: sign replaces it, the process keeps the old one. */
TEST_F(sign, sign_a_running_program)
{
	char sleeper[SIGN_PATH + 16], exe[64], link[SIGN_PATH + 16];
	struct stat before, after;
	int status;
	pid_t pid;

	snprintf(sleeper, sizeof(sleeper), "%s/sleep", self->dir);
	ASSERT_EQ(0, copy_file("/bin/sleep", sleeper));
	ASSERT_EQ(0, stat(sleeper, &before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(sleeper, sleeper, "30", (char *)NULL);
		_exit(127);
	}
	/* Wait until the child runs the copy (its exe link names it). */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	for (int i = 0; i < 500; i++) {
		ssize_t n = readlink(exe, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			if (!strcmp(link, sleeper))
				break;
		}
		usleep(10000);
	}
	ASSERT_STREQ(sleeper, link);
	EXPECT_EQ(0, sign_file(self, sleeper, NULL));
	EXPECT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ASSERT_EQ(0, stat(sleeper, &after));
	EXPECT_NE(before.st_ino, after.st_ino); /* replaced, not written in place */
	EXPECT_EQ(before.st_mode, after.st_mode);
	ASSERT_VERIFY_OK(self, sleeper, "sleep");
}

TEST_F(sign, cp_and_tar_round_trip)
{
	char copy[SIGN_PATH + 32], untar[SIGN_PATH + 32], extracted[SIGN_PATH + 64];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(copy, sizeof(copy), "%s/copy-of-true", self->dir);
	ASSERT_EQ(0, copy_file(self->file, copy));
	ASSERT_VERIFY_OK(self, copy, "true");
	snprintf(untar, sizeof(untar), "%s/untar", self->dir);
	ASSERT_EQ(0, mkdir(untar, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "cd '%s' && tar cf t.tar true && tar xf t.tar -C '%s'",
			    self->dir, untar));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	snprintf(extracted, sizeof(extracted), "%s/true", untar);
	ASSERT_VERIFY_OK(self, extracted, "true");
	ASSERT_EQ(0, sbx_sh(self->r, "'%s'", extracted));
	EXPECT_EQ(0, self->r->status);
}

TEST_F(sign, large_python_copy)
{
	char py[SIGN_PATH + 16];

	if (access("/usr/bin/python3", X_OK))
		SKIP(return, "no /usr/bin/python3 on this host");
	snprintf(py, sizeof(py), "%s/python3", self->dir);
	ASSERT_EQ(0, copy_file("/usr/bin/python3", py));
	ASSERT_EQ(0, sign_file(self, py, NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, py, "python3");
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' -c 'print(6*7)'", py));
	EXPECT_STREQ("42\n", self->r->out);
}

TEST_F(sign, shared_library_copy)
{
	char lib[SIGN_PATH + 16];

	if (access("/lib/x86_64-linux-gnu/libc.so.6", R_OK))
		SKIP(return, "no /lib/x86_64-linux-gnu/libc.so.6 on this host");
	snprintf(lib, sizeof(lib), "%s/libc.so.6", self->dir);
	ASSERT_EQ(0, copy_file("/lib/x86_64-linux-gnu/libc.so.6", lib));
	ASSERT_EQ(0, sign_file(self, lib, "--identifier=org.gnu.libc"));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, lib, "org.gnu.libc");
	/* The signed library still loads: the dynamic loader ignores the trailer. */
	ASSERT_EQ(0, sbx_sh(self->r, "LD_LIBRARY_PATH='%s' /bin/true", self->dir));
	EXPECT_EQ(0, self->r->status);
}

/* Scripts get FILE.sbxsig and the user.sbx.sig xattr. */
TEST_F(sign, script_detached_and_xattr)
{
	char script[SIGN_PATH + 16], other[SIGN_PATH + 16], dest[SIGN_PATH + 32];
	char sig[SIGN_PATH + 32];

	snprintf(script, sizeof(script), "%s/hello.sh", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "printf '#!/bin/sh\\necho hello\\n' > '%s' && chmod +x '%s'",
			    script, script));
	if (setxattr(script, "user.sbx.probe", "1", 1, 0))
		SKIP(return, "%.200s does not take user xattrs (%s)", self->dir, strerror(errno));
	removexattr(script, "user.sbx.probe");
	ASSERT_EQ(0, sign_file(self, script, NULL));
	ASSERT_EQ(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->out, "signed detached + xattr (identifier hello.sh"));
	EXPECT_GT(getxattr(script, "user.sbx.sig", NULL, 0), 0);
	snprintf(sig, sizeof(sig), "%s.sbxsig", script);
	EXPECT_EQ(0, access(sig, R_OK));
	ASSERT_VERIFY_OK(self, script, "hello.sh");
	ASSERT_EQ(0, sbx_sh(self->r, "'%s'", script));
	EXPECT_STREQ("hello\n", self->r->out);

	snprintf(other, sizeof(other), "%s/other", self->dir);
	ASSERT_EQ(0, mkdir(other, 0755));
	snprintf(dest, sizeof(dest), "%s/hello.sh", other);
	/* cp --preserve=xattr carries the xattr: valid without the .sbxsig. */
	ASSERT_EQ(0, sbx_sh(self->r, "cp --preserve=xattr '%s' '%s'", script, dest));
	ASSERT_VERIFY_OK(self, dest, "hello.sh");
	/* Plain cp drops it: unsigned, until the .sbxsig comes along. */
	unlink(dest);
	ASSERT_EQ(0, copy_file(script, dest));
	ASSERT_VERIFY_FAILS(
		self, dest,
		"not signed: no appended signature, user.sbx.sig xattr or .sbxsig file");
	ASSERT_EQ(0, sbx_sh(self->r, "cp '%s' '%s.sbxsig'", sig, dest));
	ASSERT_VERIFY_OK(self, dest, "hello.sh");
	/* A modified script fails whichever signature is found. */
	ASSERT_EQ(0, sbx_sh(self->r, "echo 'echo extra' >> '%s'", dest));
	ASSERT_VERIFY_FAILS(self, dest,
			    "content digest mismatch: the file was modified after signing (21 "
			    "bytes signed, 32 now)");
}

TEST_F(sign, script_detached_only)
{
	char script[SIGN_PATH + 16], sig[SIGN_PATH + 32];

	snprintf(script, sizeof(script), "%s/run.sh", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "printf '#!/bin/sh\\nexit 0\\n' > '%s'", script));
	ASSERT_EQ(0, sign_file(self, script, "--detached"));
	ASSERT_EQ(0, self->r->status);
	EXPECT_GT(0, getxattr(script, "user.sbx.sig", NULL, 0));
	ASSERT_VERIFY_OK(self, script, "run.sh");
	/* Cut the detached signature short. */
	snprintf(sig, sizeof(sig), "%s.sbxsig", script);
	ASSERT_EQ(0, truncate(sig, file_size(sig) - 10));
	ASSERT_VERIFY_FAILS(
		self, script,
		"truncated or corrupt signature: it does not end with the sbx signature magic");
}

TEST_F(sign, tamper_content_start_middle_end)
{
	struct parts p;
	off_t offsets[3];
	char copy[SIGN_PATH + 16];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	offsets[0] = 0;
	offsets[1] = p.content_len / 2;
	offsets[2] = p.content_len - 1;
	snprintf(copy, sizeof(copy), "%s/tampered", self->dir);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, copy_file(self->file, copy));
		ASSERT_EQ(0, flip_byte(copy, offsets[i]));
		ASSERT_VERIFY_FAILS(self, copy,
				    "content digest mismatch: the file was modified after signing");
	}
}

TEST_F(sign, tamper_code_directory)
{
	struct parts p;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	/* A byte of the content digest inside the code directory. */
	ASSERT_EQ(0, flip_byte(self->file, p.cd_off + 30));
	ASSERT_VERIFY_FAILS(self, self->file,
			    "the CMS signature does not match the code directory (the signature or "
			    "code directory was altered)");
}

TEST_F(sign, tamper_cms_signature_value)
{
	struct parts p;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	/* The signature value is the last field of the SignerInfo, at the end of the CMS. */
	ASSERT_EQ(0, flip_byte(self->file, p.cms_off + p.cms_len - 2));
	ASSERT_VERIFY_FAILS(self, self->file,
			    "the CMS signature does not match the code directory (the signature or "
			    "code directory was altered)");
}

TEST_F(sign, tamper_cms_structure)
{
	struct parts p;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	ASSERT_EQ(0, flip_byte(self->file, p.cms_off));
	ASSERT_VERIFY_FAILS(self, self->file, "malformed CMS signature: not DER ContentInfo");
}

TEST_F(sign, tamper_trailer_magic)
{
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, flip_byte(self->file, file_size(self->file) - 2));
	/* With its magic gone the signature cannot be found: unsigned, never valid. */
	ASSERT_VERIFY_FAILS(self, self->file,
			    "not signed: no sbx signature (strip and objcopy drop an appended "
			    "signature: sign after strip)");
}

TEST_F(sign, truncated_trailer)
{
	char f[SIGN_PATH + 16];

	snprintf(f, sizeof(f), "%s/stub", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r, "printf 'x~sbx signature appended~\\n' > '%s'", f));
	ASSERT_VERIFY_FAILS(self, f, "truncated signature trailer: 26 bytes, a trailer needs 49");
}

TEST_F(sign, trailer_length_past_end)
{
	struct parts p;
	uint8_t big[4] = { 0, 3, 0xf0, 0 }; /* 258048: in range, but past the start */
	char want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	ASSERT_EQ(0, write_at(self->file, p.size - TRAILER_LEN + 8, big, 4));
	snprintf(want, sizeof(want),
		 "signature trailer length %llu runs past the start of the file (%lld bytes)",
		 (unsigned long long)(p.cd_len + 258048ull + TRAILER_LEN), (long long)p.size);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, two_trailers)
{
	struct parts p;
	size_t sig_len;
	uint8_t *sig;
	int fd;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	/* Append a copy of the signature whose trailer covers the whole signed file. */
	sig_len = (size_t)(p.size - p.cd_off);
	sig = malloc(sig_len);
	ASSERT_NE(NULL, sig);
	ASSERT_EQ(0, read_at(self->file, p.cd_off, sig, sig_len));
	for (int i = 0; i < 8; i++)
		sig[sig_len - TRAILER_LEN + 16 + i] = (uint8_t)((uint64_t)p.size >> (56 - 8 * i));
	fd = open(self->file, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sig_len, write(fd, sig, sig_len));
	close(fd);
	free(sig);
	ASSERT_VERIFY_FAILS(self, self->file,
			    "two signature trailers: a second signature was appended to a signed "
			    "file (sbx sign replaces a signature; re-sign the original)");
}

/* sign does not pile a signature on a damaged one: verify would never reach it. */
TEST_F(sign, sign_refuses_a_damaged_trailer)
{
	uint8_t v = 9;
	char want[2048];
	off_t size;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	size = file_size(self->file);
	ASSERT_EQ(0, write_at(self->file, size - TRAILER_LEN, &v, 1));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx sign: %s has a damaged appended signature (signature trailer version 9 is "
		 "not supported (this sbx reads version 1)): restore the unsigned file first\n",
		 self->file);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_EQ(size, file_size(self->file));
}

TEST_F(sign, code_directory_version_unknown)
{
	struct parts p;
	uint8_t v2[2] = { 0, 2 };

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, trailer_of(self->file, &p));
	ASSERT_EQ(0, write_at(self->file, p.cd_off + 4, v2, 2));
	ASSERT_VERIFY_FAILS(self, self->file,
			    "code directory version 2 is not supported (this sbx reads version 1)");
}

TEST_F(sign, untrusted_anchor)
{
	char want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, sbx_sh(self->r, "rm '%s/root.pem' && cp '%s/other-root.pem' '%s/'",
			    self->trust, sbx_pki, self->trust));
	snprintf(want, sizeof(want),
		 "untrusted signer: '%s' does not chain to a trust anchor in %s", self->subject,
		 self->trust);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, untrusted_signer)
{
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16], want[2048];

	snprintf(key, sizeof(key), "%s/stranger.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/stranger.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(want, sizeof(want),
		 "untrusted signer: 'CN=stranger,OU=TEAMX,O=elsewhere' does not chain to a trust "
		 "anchor in %s",
		 self->trust);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, chain_missing_intermediate)
{
	char want[2048];

	ASSERT_EQ(0,
		  sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(want, sizeof(want),
		 "untrusted signer: '%s' does not chain to a trust anchor in %s", self->subject,
		 self->trust);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, intermediate_as_anchor)
{
	/* A trust anchor need not be a root: trusting the intermediate is enough. */
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, sbx_sh(self->r, "rm '%s/root.pem' && cp '%s/int.pem' '%s/'", self->trust,
			    sbx_pki, self->trust));
	ASSERT_VERIFY_OK(self, self->file, "true");
}

static void iso_date(const char *cert, const char *which, char *out, size_t len)
{
	static struct sbx_cmd_result r;
	char *p;

	out[0] = '\0';
	if (sbx_sh(&r, "openssl x509 -in '%s' -noout -%s -dateopt iso_8601", cert, which) ||
	    r.status)
		return;
	p = strchr(r.out, '=');
	if (!p)
		return;
	/* "2026-12-28 00:28:41Z" -> RFC 3339, "2026-12-28T00:28:41Z" */
	p[strcspn(p, "\n")] = '\0';
	snprintf(out, len, "%s", p + 1);
	if (strlen(out) > 10 && out[10] == ' ')
		out[10] = 'T';
}

TEST_F(sign, expired_certificate)
{
	char when[64], want[2048], at[32];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	iso_date(self->cert, "enddate", when, sizeof(when));
	ASSERT_STRNE("", when);
	snprintf(want, sizeof(want), "sbx verify: %s: certificate '%s' expired on %s\n", self->file,
		 self->subject, when);
	/* The leaf is valid 30 days; 60 days on it has expired. */
	snprintf(at, sizeof(at), "@%lld", (long long)time(NULL) + 60 * 86400);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--at", at, self->file, NULL));
	EXPECT_STREQ(want, self->r->err);
	EXPECT_EQ(1, self->r->status);
	EXPECT_STREQ("", self->r->out);
}

TEST_F(sign, not_yet_valid_certificate)
{
	char root[SIGN_PATH + 16], when[64], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(root, sizeof(root), "%s/root.pem", sbx_pki);
	iso_date(root, "startdate", when, sizeof(when));
	ASSERT_STRNE("", when);
	/* The chain is checked from the anchor down: the root is the first not yet valid. */
	snprintf(want, sizeof(want),
		 "sbx verify: %s: certificate 'CN=sbx test root,O=sbx tests' is not valid before "
		 "%s\n",
		 self->file, when);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--at", "2020-01-01",
			 self->file, NULL));
	EXPECT_STREQ(want, self->r->err);
	EXPECT_EQ(1, self->r->status);
	EXPECT_STREQ("", self->r->out);
}

TEST_F(sign, certificate_without_code_signing_eku)
{
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16];

	snprintf(key, sizeof(key), "%s/noeku.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/noeku.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, "--chain", self->chain,
			 self->file, NULL));
	/* sign warns (verify will refuse) but signs. */
	EXPECT_EQ(0, self->r->status);
	EXPECT_STREQ(
		"sbx sign: warning: certificate 'CN=sbx test tls leaf,OU=TEAM42,O=sbx tests' lacks "
		"the code-signing extended key usage: sbx verify will reject these signatures\n",
		self->r->err);
	ASSERT_VERIFY_FAILS(self, self->file,
			    "certificate 'CN=sbx test tls leaf,OU=TEAM42,O=sbx tests' lacks the "
			    "code-signing extended key usage");
}

TEST_F(sign, certificate_with_wrong_key_usage)
{
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16];

	snprintf(key, sizeof(key), "%s/badku.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/badku.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, "--chain", self->chain,
			 self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_FAILS(self, self->file,
			    "certificate 'CN=sbx test bad key usage,OU=TEAM42,O=sbx tests' has a "
			    "key usage without digitalSignature");
}

TEST_F(sign, revoked_leaf_serial)
{
	char serial[64], want[2048];
	char path[SIGN_PATH + 32];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(path, sizeof(path), "%s/%s.serial", sbx_pki,
		 strstr(self->key, "rsa") ? "rsa" : "leaf");
	read_line(path, serial, sizeof(serial));
	ASSERT_STRNE("", serial);
	/* A certificate is revoked by issuer and serial: sbx computes both from the PEM. */
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "revoke", "cert", self->cert,
			 NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	snprintf(want, sizeof(want), "certificate '%s' (serial %s) is revoked", self->subject,
		 serial + strspn(serial, "0"));
	ASSERT_VERIFY_FAILS(self, self->file, want);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "unrevoke", "cert", self->cert,
			 NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_OK(self, self->file, "true");
}

/*
 * A revocation list that is a symbolic link is not read (the trust store holds regular files
 * and directories only: sbxd guards the store's inodes, not a link's target), and a list
 * that cannot be read never means "nothing revoked": refused, an input error (2), with one
 * sentence. A link to the same list kept elsewhere, then a dangling link (which a reader
 * following links took for a missing list: nothing revoked, exit 0). The control: the
 * same list as a regular file, read (the signer is revoked).
 */
TEST_F(sign, revocation_list_that_is_a_symlink_refused)
{
	char list[SIGN_PATH + 32], moved[SIGN_PATH + 32], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(list, sizeof(list), "%s/revoked.list", self->trust);
	snprintf(moved, sizeof(moved), "%s/kept-elsewhere.list", self->dir);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "revoke", "cert", self->cert,
			 NULL));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "is revoked")) TH_LOG("%s", self->r->err);
	ASSERT_EQ(0, rename(list, moved));
	ASSERT_EQ(0, symlink(moved, list));
	snprintf(want, sizeof(want),
		 "sbx verify: %s is a symbolic link: a trust store holds regular files and "
		 "directories only (what sbxd guards is the store, not where a link points)\n",
		 list);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_STREQ("", self->r->out);
	ASSERT_EQ(0, unlink(moved));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_STREQ("", self->r->out);
}

TEST_F(sign, revoked_intermediate_serial)
{
	char serial[64], path[SIGN_PATH + 32], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(path, sizeof(path), "%s/int.serial", sbx_pki);
	read_line(path, serial, sizeof(serial));
	snprintf(path, sizeof(path), "%s/int.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "revoke", "cert", path, NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(want, sizeof(want),
		 "certificate 'CN=sbx test intermediate,O=sbx tests' (serial %s) is revoked",
		 serial + strspn(serial, "0"));
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, revoked_cdhash)
{
	char cdhash[65], want[2048];
	const char *p;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	p = strstr(self->r->out, "cdhash ");
	ASSERT_NE(NULL, p);
	snprintf(cdhash, sizeof(cdhash), "%s", p + 7);
	ASSERT_EQ(0,
		  sbx(self->r, "trust", "--trust", self->trust, "revoke", "cdhash", cdhash, NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(want, sizeof(want), "cdhash %s is revoked", cdhash);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, identifier_mismatch)
{
	char want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, "--identifier=com.example.true"));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--identifier",
			 "com.example.other", "--team", self->team, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_STREQ("", self->r->out);
	snprintf(want, sizeof(want),
		 "sbx verify: %s: identity mismatch: signed as 'com.example.true' by team '%s', "
		 "required 'com.example.other' by team '%s'\n",
		 self->file, self->team, self->team);
	EXPECT_STREQ(want, self->r->err);
}

TEST_F(sign, oversized_entitlements)
{
	char big[SIGN_PATH + 16], want[256];
	long canonical;

	/* A valid profile whose canonical form is over 256 KiB: 3000 long paths. */
	snprintf(big, sizeof(big), "%s/big.yaml", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r,
			    "awk 'BEGIN { print \"identifier: com.example.big\"; print "
			    "\"entitlements:\";"
			    " print \"  app-sandbox: true\";"
			    " print \"  temporary-exception.files.absolute-path.read-only:\";"
			    " for (i = 0; i < 3000; i++) printf \"    - /opt/%%090d/%%05d\\n\", 0, "
			    "i }' > "
			    "'%s'",
			    big));
	ASSERT_EQ(0, sbx_sh(self->r, "'%s' profile canonical '%s' | wc -c", sbx_bin(), big));
	canonical = strtol(self->r->out, NULL, 10);
	ASSERT_GT(canonical, 262144);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--profile",
			 big, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx sign: entitlements of %ld bytes exceed the 262144-byte limit\n", canonical);
	EXPECT_STREQ(want, self->r->err);
	/* Nothing half-applied: the file is untouched and unsigned. */
	EXPECT_EQ(file_size("/bin/true"), file_size(self->file));
}

TEST_F(sign, profile_identifier_mismatch)
{
	char profile[SIGN_PATH + 32];

	snprintf(profile, sizeof(profile), "%s/profiles/curl.yaml", sbx_src());
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--profile",
			 profile, "--identifier", "com.example.other", self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx sign: identifier mismatch: --identifier 'com.example.other' but the "
		     "profile's identifier is 'se.haxx.curl' (drop --identifier, or set the "
		     "profile's: sbx profile import --identifier for plists)\n",
		     self->r->err);
	EXPECT_EQ(file_size("/bin/true"), file_size(self->file));
}

TEST_F(sign, invalid_profile_refused)
{
	char profile[SIGN_PATH + 32];

	snprintf(profile, sizeof(profile), "%s/bad.yaml", self->dir);
	ASSERT_EQ(0, sbx_sh(self->r,
			    "printf 'identifier: com.example.bad\\nentitlements:\\n  no-such-key: "
			    "true\\n' > '%s'",
			    profile));
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--profile",
			 profile, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_EQ(0, strncmp("sbx sign: ", self->r->err, 10));
	EXPECT_NE(NULL, strstr(self->r->err, "bad.yaml:3:"));
	EXPECT_EQ(file_size("/bin/true"), file_size(self->file));
}

/* sbx display shows exactly what was signed. */
TEST_F(sign, display_matches_what_was_signed)
{
	char profile[SIGN_PATH + 32], cdhash[65], line[512];
	const char *p;

	snprintf(profile, sizeof(profile), "%s/profiles/curl.yaml", sbx_src());
	ASSERT_EQ(0,
		  sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
		      self->chain, "--profile", profile, "--hardened-runtime", self->file, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	p = strstr(self->r->out, "cdhash ");
	ASSERT_NE(NULL, p);
	snprintf(cdhash, sizeof(cdhash), "%s", p + 7);

	ASSERT_EQ(0, sbx(self->r, "display", self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->out, "Identifier=se.haxx.curl\n"));
	EXPECT_NE(NULL, strstr(self->r->out, "Format=sbx signature v1, embedded\n"));
	EXPECT_NE(NULL, strstr(self->r->out, "flags=0x3(hardened-runtime,library-validation)"));
	snprintf(line, sizeof(line), "CDHash=%s\n", cdhash);
	EXPECT_NE(NULL, strstr(self->r->out, line));
	snprintf(line, sizeof(line), "TeamIdentifier=%s\n", self->team);
	EXPECT_NE(NULL, strstr(self->r->out, line));
	snprintf(line, sizeof(line),
		 "Authority=%s\nAuthority=CN=sbx test intermediate,O=sbx tests\n", self->subject);
	EXPECT_NE(NULL, strstr(self->r->out, line));
	snprintf(line, sizeof(line), "ContentSize=%lld\n", (long long)file_size("/bin/true"));
	EXPECT_NE(NULL, strstr(self->r->out, line));

	/* The entitlements, byte for byte, are the profile's canonical form. */
	ASSERT_EQ(0, sbx_sh(self->r,
			    "'%s' display --entitlements '%s' > '%s/ent' && "
			    "'%s' profile canonical '%s' > '%s/canon' && cmp '%s/ent' '%s/canon'",
			    sbx_bin(), self->file, self->dir, sbx_bin(), profile, self->dir,
			    self->dir, self->dir));
	EXPECT_EQ(0, self->r->status)
	{
		TH_LOG("%s%s", self->r->out, self->r->err);
	}
	ASSERT_EQ(0, sbx(self->r, "display", "--json", self->file, NULL));
	EXPECT_NE(NULL, strstr(self->r->out, "\"identifier\": \"se.haxx.curl\""));
	EXPECT_NE(NULL, strstr(self->r->out, "\"hardened_runtime\": true"));
	/* The entitlements as JSON values, not the signed YAML as a string. */
	EXPECT_NE(NULL, strstr(self->r->out, "\"entitlements\": {\n    \"app-sandbox\": true,\n"
					     "    \"files.user-selected.read-write\": true,\n"
					     "    \"network.client\": true\n  },\n"))
	TH_LOG("%s", self->r->out);
	/* verify agrees on the identity. */
	ASSERT_EQ(0, sbx(self->r, "verify", "-v", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(0, self->r->status);
	snprintf(line, sizeof(line), "  cdhash:       %s\n", cdhash);
	EXPECT_NE(NULL, strstr(self->r->out, line));
	EXPECT_NE(NULL, strstr(self->r->out, "hardened-runtime library-validation"));
}

TEST_F(sign, display_unsigned_and_usage)
{
	char want[SIGN_PATH + 64];

	ASSERT_EQ(0, sbx(self->r, "display", self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want), "sbx display: %s: not signed\n", self->file);
	EXPECT_STREQ(want, self->r->err);
	EXPECT_STREQ("", self->r->out);
	ASSERT_EQ(0, sbx(self->r, "display", NULL));
	EXPECT_EQ(2, self->r->status);
	ASSERT_EQ(0, sbx(self->r, "display", "--help", NULL));
	EXPECT_EQ(0, self->r->status);
}

TEST_F(sign, trust_add_list_remove)
{
	char dir[SIGN_PATH + 16], root[SIGN_PATH + 16], want[2048], fp[17];
	const char *p;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(dir, sizeof(dir), "%s/anchors", self->dir);
	snprintf(root, sizeof(root), "%s/root.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "add", root, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	p = strrchr(self->r->out, '/');
	ASSERT_NE(NULL, p);
	snprintf(fp, sizeof(fp), "%s", p + 1);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "list", NULL));
	EXPECT_EQ(0, self->r->status);
	snprintf(want, sizeof(want),
		 "trust directory %s: 1 anchor\nanchor %s.pem  %s  CN=sbx test root,O=sbx tests",
		 dir, fp, fp);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)))
	{
		TH_LOG("%s", self->r->out);
	}
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "list", "--json", NULL));
	EXPECT_NE(NULL, strstr(self->r->out, "\"subject\": \"CN=sbx test root,O=sbx tests\""));
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", dir, self->file, NULL));
	EXPECT_EQ(0, self->r->status);

	fp[8] = '\0';
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "remove", fp, NULL));
	EXPECT_EQ(0, self->r->status);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", dir, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "untrusted signer"));
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "remove", fp, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want), "sbx trust: no anchor '%s' in %s\n", fp, dir);
	EXPECT_STREQ(want, self->r->err);
	/* Not a certificate. */
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", dir, "add", self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(want, sizeof(want), "sbx trust: %s: no PEM certificate in it\n", self->file);
	EXPECT_STREQ(want, self->r->err);
}

TEST_F(sign, malformed_revocation_list)
{
	char list[SIGN_PATH + 32], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(list, sizeof(list), "%s/revoked.list", self->trust);
	ASSERT_EQ(0, sbx_sh(self->r, "printf '# ok\\ncdhash %064d\\nfingerprint 1234\\n' > '%s'", 0,
			    list));
	/* A trust store that cannot be read is an input error (2), before any file. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("", self->r->out);
	snprintf(want, sizeof(want),
		 "sbx verify: %s:3:1: expected 'serial ISSUER-SHA256 SERIAL' or 'cdhash <64 hex "
		 "digits>'\n",
		 list);
	EXPECT_STREQ(want, self->r->err);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "revoke", "serial",
			 "0000000000000000000000000000000000000000000000000000000000000000", "xyz",
			 NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx trust: 'xyz' is not a hexadecimal serial\n", self->r->err);
	/* A serial alone names no certificate. */
	ASSERT_EQ(0,
		  sbx(self->r, "trust", "--trust", self->trust, "revoke", "serial", "1000", NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx trust: revoke takes 'cert CERT.pem', 'serial ISSUER-SHA256 SERIAL' or "
		     "'cdhash HEX'\n",
		     self->r->err);
}

/* A signed platform trust cache makes unsigned files verify as "platform". */
TEST_F(sign, trust_cache_platform)
{
	char bin[SIGN_PATH + 16], cache[SIGN_PATH + 32], t[SIGN_PATH + 32], other[SIGN_PATH + 32];
	char want[2048];
	char digest[65], revoked[2048];
	const char *h;
	struct parts p;

	snprintf(bin, sizeof(bin), "%s/bin", self->dir);
	ASSERT_EQ(0, mkdir(bin, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "cp /bin/true /bin/ls '%s/' && echo data > '%s/readme.txt'",
			    bin, bin));
	snprintf(cache, sizeof(cache), "%s/platform.sbxtc", self->trust);
	ASSERT_EQ(0, sbx(self->r, "trust", "cache", "build", "--key", self->key, "--cert",
			 self->cert, "--chain", self->chain, "-o", cache, bin, NULL));
	ASSERT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
	snprintf(want, sizeof(want), "%s: trust cache of 2 digests (2 files hashed), cdhash ",
		 cache);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)));
	EXPECT_STREQ("", self->r->err); /* no progress bar: stderr is not a terminal */

	/* Trust caches chain to the platform anchors only (FORMAT.md 6). */
	ASSERT_EQ(0, sbx_sh(self->r, "mkdir '%s/platform.d' && cp '%s/root.pem' '%s/platform.d/'",
			    self->trust, sbx_pki, self->trust));
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "cache", "verify", cache, NULL));
	EXPECT_EQ(0, self->r->status);
	snprintf(want, sizeof(want), "%s: valid trust cache: 2 digests, built ", cache);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)));

	/* An unsigned copy of /bin/true is a platform binary now; an unknown file is not. */
	snprintf(t, sizeof(t), "%s/true", bin);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, t, NULL));
	EXPECT_EQ(0, self->r->status);
	snprintf(want, sizeof(want), "%s: platform (sha256 ", t);
	EXPECT_EQ(0, strncmp(want, self->r->out, strlen(want)));
	h = strstr(self->r->out, "(sha256 ");
	ASSERT_NE(NULL, h);
	snprintf(digest, sizeof(digest), "%s", h + 8);
	/* A required identifier cannot be met by a platform binary. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, "--identifier", "true",
			 "--team", "", t, NULL));
	EXPECT_EQ(1, self->r->status);
	/* Its digest can be revoked like a cdhash. */
	ASSERT_EQ(0,
		  sbx(self->r, "trust", "--trust", self->trust, "revoke", "cdhash", digest, NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(revoked, sizeof(revoked), "platform binary sha256 %s is revoked", digest);
	ASSERT_VERIFY_FAILS(self, t, revoked);
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "unrevoke", "cdhash", digest,
			 NULL));
	ASSERT_EQ(0, self->r->status);
	snprintf(other, sizeof(other), "%s/readme.txt", bin);
	ASSERT_VERIFY_FAILS(
		self, other,
		"not signed: no appended signature, user.sbx.sig xattr or .sbxsig file");
	/* A modified platform binary is no longer one. */
	ASSERT_EQ(0, flip_byte(t, 100));
	ASSERT_VERIFY_FAILS(self, t,
			    "not signed: no sbx signature (strip and objcopy drop an appended "
			    "signature: sign after strip)");

	/* A tampered cache is refused, and grants nothing. */
	ASSERT_EQ(0, flip_byte(t, 100));
	ASSERT_EQ(0, trailer_of(cache, &p));
	ASSERT_EQ(0, flip_byte(cache, 24 + 5));
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "cache", "verify", cache, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx trust: %s: content digest mismatch: the file was modified after signing\n",
		 cache);
	EXPECT_STREQ(want, self->r->err);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, t, NULL));
	EXPECT_EQ(1, self->r->status);
}

/* On a terminal, cache build draws a progress bar on stderr. */
TEST_F(sign, trust_cache_progress_on_a_terminal)
{
	char bin[SIGN_PATH + 16], cache[SIGN_PATH + 32], out[4096];
	size_t len = 0;
	int master, status;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/bin", self->dir);
	ASSERT_EQ(0, mkdir(bin, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "cp /bin/true /bin/ls '%s/'", bin));
	snprintf(cache, sizeof(cache), "%s/tty.sbxtc", self->dir);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0)
		SKIP(return, "no pseudo-terminal: %s", strerror(errno));
	ASSERT_EQ(0, grantpt(master));
	ASSERT_EQ(0, unlockpt(master));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
		int null = open("/dev/null", O_RDWR);

		if (slave < 0 || null < 0)
			_exit(99);
		dup2(null, 0);
		dup2(null, 1);
		dup2(slave, 2);
		close(master);
		execl(sbx_bin(), sbx_bin(), "trust", "cache", "build", "--key", self->key, "--cert",
		      self->cert, "-o", cache, bin, (char *)NULL);
		_exit(98);
	}
	for (;;) {
		ssize_t n = read(master, out + len, sizeof(out) - 1 - len);

		if (n <= 0)
			break; /* EIO once the child's side is closed */
		len += (size_t)n;
	}
	out[len] = '\0';
	close(master);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "\r[########################################] 2/2 files"))
	{
		TH_LOG("stderr on the terminal: '%s'", out);
	}
}

TEST_F(sign, trust_cache_untrusted_signer)
{
	char bin[SIGN_PATH + 16], cache[SIGN_PATH + 32], t[SIGN_PATH + 32], key[SIGN_PATH + 16];
	char cert[SIGN_PATH + 16], want[2048];

	snprintf(bin, sizeof(bin), "%s/bin", self->dir);
	ASSERT_EQ(0, mkdir(bin, 0755));
	ASSERT_EQ(0, sbx_sh(self->r, "cp /bin/true '%s/'", bin));
	snprintf(cache, sizeof(cache), "%s/stranger.sbxtc", self->trust);
	snprintf(key, sizeof(key), "%s/stranger.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/stranger.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "trust", "cache", "build", "--key", key, "--cert", cert, "-o",
			 cache, bin, NULL));
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, sbx_sh(self->r, "mkdir '%s/platform.d' && cp '%s/root.pem' '%s/platform.d/'",
			    self->trust, sbx_pki, self->trust));
	ASSERT_EQ(0, sbx(self->r, "trust", "--trust", self->trust, "cache", "verify", cache, NULL));
	EXPECT_EQ(1, self->r->status);
	snprintf(want, sizeof(want),
		 "sbx trust: %s: untrusted signer: 'CN=stranger,OU=TEAMX,O=elsewhere' does not "
		 "chain to a trust anchor in %s/platform.d\n",
		 cache, self->trust);
	EXPECT_STREQ(want, self->r->err);
	snprintf(t, sizeof(t), "%s/true", bin);
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, t, NULL));
	EXPECT_EQ(1, self->r->status);
}

TEST_F(sign, strip_after_embedded_sign)
{
	if (access("/usr/bin/strip", X_OK))
		SKIP(return, "strip (binutils) is not installed");
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, sbx_sh(self->r, "strip '%s'", self->file));
	ASSERT_EQ(0, self->r->status);
	ASSERT_VERIFY_FAILS(self, self->file,
			    "not signed: no sbx signature (strip and objcopy drop an appended "
			    "signature: sign after strip)");
}

static int elf_layout(const char *path, unsigned long long *shoff, unsigned int *shnum)
{
	uint8_t h[64];

	if (read_at(path, 0, h, sizeof(h)) || memcmp(h, "\177ELF", 4) || h[4] != 2 || h[5] != 1)
		return -1;
	*shoff = 0;
	for (int i = 7; i >= 0; i--)
		*shoff = *shoff << 8 | h[0x28 + i];
	*shnum = (unsigned int)(h[0x3c] | h[0x3d] << 8);
	return 0;
}

TEST_F(sign, strip_after_detached_sign)
{
	unsigned long long off0, off1;
	unsigned int n0, n1;
	char want[2048];

	if (access("/usr/bin/objcopy", X_OK))
		SKIP(return, "objcopy (binutils) is not installed");
	ASSERT_EQ(0, sign_file(self, self->file, "--detached"));
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, elf_layout(self->file, &off0, &n0));
	ASSERT_EQ(0,
		  sbx_sh(self->r,
			 "echo note > '%s/note' && objcopy --add-section .sbxtest='%s/note' '%s'",
			 self->dir, self->dir, self->file));
	ASSERT_EQ(0, self->r->status);
	ASSERT_EQ(0, elf_layout(self->file, &off1, &n1));
	snprintf(want, sizeof(want),
		 "the file was modified after signing: its ELF section headers changed (%u "
		 "sections at offset %llu when signed, %u at %llu now), as strip or objcopy do: "
		 "sign after strip",
		 n0, off0, n1, off1);
	ASSERT_VERIFY_FAILS(self, self->file, want);
}

TEST_F(sign, unusable_keys)
{
	char key[SIGN_PATH + 16], cert[SIGN_PATH + 16];

	snprintf(key, sizeof(key), "%s/rsa1024.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/rsa1024.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ(
		"sbx sign: RSA key of 1024 bits is too small: use RSA >= 2048 or ECDSA P-256\n",
		self->r->err);
	snprintf(key, sizeof(key), "%s/p384.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/p384.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx sign: EC key on curve secp384r1 is not supported: use ECDSA P-256 or RSA "
		     ">= 2048\n",
		     self->r->err);
	snprintf(key, sizeof(key), "%s/ed25519.key", sbx_pki);
	snprintf(cert, sizeof(cert), "%s/ed25519.pem", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ(
		"sbx sign: key type ED25519 is not supported: use ECDSA P-256 or RSA >= 2048\n",
		self->r->err);
	/* A key that is not the certificate's. */
	snprintf(cert, sizeof(cert), "%s/leaf.pem", sbx_pki);
	snprintf(key, sizeof(key), "%s/noeku.key", sbx_pki);
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", key, "--cert", cert, self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->err, "does not match the certificate"));
	EXPECT_EQ(file_size("/bin/true"), file_size(self->file));
}

TEST_F(sign, verify_exit_codes)
{
	char missing[SIGN_PATH + 16];

	ASSERT_EQ(0, sbx(self->r, "verify", "--bogus", self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	EXPECT_STREQ("sbx verify: unknown or incomplete option '--bogus' (see sbx verify --help)\n",
		     self->r->err);
	ASSERT_EQ(0, sbx(self->r, "verify", NULL));
	EXPECT_EQ(2, self->r->status);
	snprintf(missing, sizeof(missing), "%s/missing", self->dir);
	ASSERT_EQ(0, sbx(self->r, "verify", missing, NULL));
	EXPECT_EQ(2, self->r->status);
	ASSERT_EQ(0, sbx(self->r, "verify", "--at", "yesterday", self->file, NULL));
	EXPECT_EQ(2, self->r->status);
	/* Unsigned: a "no", exit 1. */
	ASSERT_EQ(0, sbx(self->r, "verify", "--trust", self->trust, self->file, NULL));
	EXPECT_EQ(1, self->r->status);
	ASSERT_EQ(0, sbx(self->r, "verify", "--help", NULL));
	EXPECT_EQ(0, self->r->status);
	EXPECT_NE(NULL, strstr(self->r->out, "Exit status: 0"));
}

TEST_F(sign, verify_json)
{
	char tampered[SIGN_PATH + 16], want[2048];

	ASSERT_EQ(0, sign_file(self, self->file, "--hardened-runtime"));
	snprintf(tampered, sizeof(tampered), "%s/tampered", self->dir);
	ASSERT_EQ(0, copy_file(self->file, tampered));
	ASSERT_EQ(0, flip_byte(tampered, 100));
	ASSERT_EQ(0, sbx(self->r, "verify", "--json", "--trust", self->trust, self->file, tampered,
			 NULL));
	EXPECT_EQ(1, self->r->status);
	EXPECT_STREQ("", self->r->err);
	snprintf(want, sizeof(want),
		 "    \"file\": \"%s\",\n    \"verdict\": \"valid\",\n    \"reason\": null,\n",
		 self->file);
	EXPECT_NE(NULL, strstr(self->r->out, want))
	{
		TH_LOG("%s", self->r->out);
	}
	snprintf(want, sizeof(want), "    \"team_id\": \"%s\",\n", self->team);
	EXPECT_NE(NULL, strstr(self->r->out, want));
	EXPECT_NE(NULL, strstr(self->r->out, "    \"hardened_runtime\": true,\n"));
	snprintf(want, sizeof(want),
		 "    \"file\": \"%s\",\n    \"verdict\": \"invalid\",\n"
		 "    \"reason\": \"digest-mismatch\",\n"
		 "    \"message\": \"content digest mismatch: the file was modified after "
		 "signing\"\n",
		 tampered);
	EXPECT_NE(NULL, strstr(self->r->out, want))
	{
		TH_LOG("%s", self->r->out);
	}
}

TEST_F(sign, trust_dir_from_environment)
{
	char env_trust[SIGN_PATH + 32], env_path[64];
	char *envp[] = { env_trust, env_path, NULL };
	char *argv[] = { (char *)sbx_bin(), "verify", self->file, NULL };

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(env_trust, sizeof(env_trust), "SBX_TRUST_DIR=%s", self->trust);
	snprintf(env_path, sizeof(env_path), "PATH=/usr/bin:/bin");
	ASSERT_EQ(0, sbx_run_capture_env(argv, envp, self->r));
	EXPECT_EQ(0, self->r->status)
	{
		TH_LOG("%s", self->r->err);
	}
}

/* ---- the library API the launcher and the daemon call ---- */

static int open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

TEST_F(sign, api_verify_fd_identity)
{
	char profile[SIGN_PATH + 32], canon[SIGN_PATH + 16], cdhash[65];
	struct sbx_verify_options o = { .trust_dir = self->trust };
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	const char *p;
	char *want_ent;
	long want_len;
	FILE *f;
	int fd;

	snprintf(profile, sizeof(profile), "%s/profiles/curl.yaml", sbx_src());
	ASSERT_EQ(0,
		  sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
		      self->chain, "--profile", profile, "--hardened-runtime", self->file, NULL));
	ASSERT_EQ(0, self->r->status);
	p = strstr(self->r->out, "cdhash ");
	ASSERT_NE(NULL, p);
	snprintf(cdhash, sizeof(cdhash), "%s", p + 7);
	snprintf(canon, sizeof(canon), "%s/canon", self->dir);
	ASSERT_EQ(0,
		  sbx_sh(self->r, "'%s' profile canonical '%s' > '%s'", sbx_bin(), profile, canon));
	f = fopen(canon, "r");
	ASSERT_NE(NULL, f);
	want_ent = calloc(1, 65536);
	want_len = (long)fread(want_ent, 1, 65535, f);
	fclose(f);

	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_VALID, sbx_verify_fd(fd, &o, &id, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	close(fd);
	EXPECT_EQ(SBX_VERDICT_VALID, (int)id.verdict);
	EXPECT_EQ(SBX_REASON_NONE, (int)id.reason);
	EXPECT_EQ(SBX_SIG_EMBEDDED, (int)id.location);
	EXPECT_STREQ("se.haxx.curl", id.identifier);
	EXPECT_STREQ(self->team, id.team_id);
	EXPECT_STREQ(cdhash, id.cdhash_hex);
	EXPECT_TRUE(id.hardened_runtime);
	EXPECT_TRUE(id.library_validation);
	EXPECT_FALSE(id.platform);
	EXPECT_STREQ(self->subject, id.signer);
	EXPECT_NE(0, id.signing_time);
	ASSERT_EQ((size_t)want_len, id.entitlements_len);
	EXPECT_EQ(0, memcmp(want_ent, id.entitlements, id.entitlements_len));
	EXPECT_EQ(0, id.entitlements[id.entitlements_len]); /* NUL-terminated copy */
	sbx_code_identity_free(&id);
	EXPECT_EQ(NULL, id.entitlements);
	free(want_ent);
}

/* The verdict is about the file behind the descriptor, whatever the path names now. */
TEST_F(sign, api_verify_fd_hashes_through_the_descriptor)
{
	struct sbx_verify_options o = { .trust_dir = self->trust };
	char unsigned_copy[SIGN_PATH + 16];
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	int fd;

	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	snprintf(unsigned_copy, sizeof(unsigned_copy), "%s/plain", self->dir);
	ASSERT_EQ(0, copy_file("/bin/true", unsigned_copy));

	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rename(unsigned_copy, self->file)); /* the path now names an unsigned file */
	EXPECT_EQ(SBX_VERDICT_VALID, sbx_verify_fd(fd, &o, &id, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	sbx_code_identity_free(&id);
	close(fd);

	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_UNSIGNED, sbx_verify_fd(fd, &o, &id, &diag));
	EXPECT_EQ(SBX_VERDICT_UNSIGNED, (int)id.verdict);
	sbx_code_identity_free(&id);
	close(fd);
}

/* libsbx's public sbx_verify_file requires an identity as sbx verify does: team and identifier. */
TEST_F(sign, public_verify_file_identity)
{
	char err[512];
	struct sbx_verify_file_opts o = { .sz = sizeof(o),
					  .trust_dir = self->trust,
					  .identifier = "org.example.t",
					  .team_id = self->team,
					  .errbuf = err,
					  .errbuf_sz = sizeof(err) };
	struct sbx_signature *s = NULL;

	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
			 self->chain, "--identifier", "org.example.t", self->file, NULL));
	ASSERT_EQ(0, self->r->status) TH_LOG("%s", self->r->err);
	err[0] = '\0';
	ASSERT_EQ(SBX_VERIFY_VALID, sbx_verify_file(self->file, &o, &s)) TH_LOG("%s", err);
	EXPECT_STREQ("org.example.t", sbx_signature_identifier(s));
	EXPECT_STREQ(self->team, sbx_signature_team_id(s));
	sbx_signature_free(s);
	/* Another team: the identity is not met. */
	o.team_id = "OTHERTEAM";
	ASSERT_EQ(SBX_VERIFY_INVALID, sbx_verify_file(self->file, &o, &s));
	EXPECT_STREQ("identifier-mismatch", sbx_signature_reason(s));
	sbx_signature_free(s);
	/* An identifier without its team is a caller's error. */
	o.team_id = NULL;
	EXPECT_EQ(-EINVAL, sbx_verify_file(self->file, &o, &s));
	EXPECT_NE(NULL, strstr(err, "an identifier requirement must name its team too"))
	TH_LOG("%s", err);
}

TEST_F(sign, api_invalid_clears_the_identity)
{
	struct sbx_verify_options o = { .trust_dir = self->trust };
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	char profile[SIGN_PATH + 32];
	int fd;

	/* No verdict is 0: a zeroed identity is never valid. */
	EXPECT_NE(0, SBX_VERDICT_VALID);
	EXPECT_NE(0, SBX_VERDICT_PLATFORM);
	snprintf(profile, sizeof(profile), "%s/profiles/curl.yaml", sbx_src());
	ASSERT_EQ(0, sbx(self->r, "sign", "--key", self->key, "--cert", self->cert, "--chain",
			 self->chain, "--profile", profile, self->file, NULL));
	ASSERT_EQ(0, flip_byte(self->file, 1000));
	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_INVALID, sbx_verify_fd(fd, &o, &id, &diag));
	EXPECT_EQ(SBX_REASON_DIGEST_MISMATCH, (int)id.reason);
	EXPECT_EQ(NULL, id.entitlements); /* nothing from an invalid signature is usable */
	EXPECT_STREQ("content digest mismatch: the file was modified after signing", diag.msg);
	sbx_code_identity_free(&id);
	close(fd);

	/* As of 60 days on, the same file (restored) fails on time, with its reason. */
	ASSERT_EQ(0, flip_byte(self->file, 1000));
	o.at = time(NULL) + 60 * 86400;
	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_INVALID, sbx_verify_fd(fd, &o, &id, &diag));
	EXPECT_EQ(SBX_REASON_EXPIRED, (int)id.reason);
	sbx_code_identity_free(&id);
	close(fd);

	/* A descriptor that is not a regular file: an error, and still not valid. */
	fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_GT(0, sbx_verify_fd(fd, &o, &id, &diag));
	EXPECT_EQ(SBX_VERDICT_INVALID, (int)id.verdict);
	sbx_code_identity_free(&id);
	close(fd);
}

/* A verifier loads the trust store once and reuses it for every file. */
TEST_F(sign, api_verifier_reuses_the_trust_store)
{
	struct sbx_verify_options o = { .trust_dir = self->trust };
	struct sbx_verifier *v;
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	char other[SIGN_PATH + 16], root[SIGN_PATH + 32];
	int fd;

	snprintf(other, sizeof(other), "%s/other", self->dir);
	ASSERT_EQ(0, copy_file("/bin/true", other));
	ASSERT_EQ(0, sign_file(self, self->file, NULL));
	ASSERT_EQ(0, sign_file(self, other, "--identifier=com.example.other"));
	ASSERT_EQ(0, sbx_verifier_new(&o, &v));

	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_VALID, sbx_verifier_verify_fd(v, fd, self->file, &id, &diag));
	EXPECT_STREQ("true", id.identifier);
	sbx_code_identity_free(&id);
	close(fd);

	/* The anchor goes; the verifier still holds it, a new one does not. */
	snprintf(root, sizeof(root), "%s/root.pem", self->trust);
	ASSERT_EQ(0, unlink(root));
	fd = open_ro(other);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_VALID, sbx_verifier_verify_fd(v, fd, other, &id, &diag));
	EXPECT_STREQ("com.example.other", id.identifier);
	sbx_code_identity_free(&id);
	sbx_verifier_free(v);
	EXPECT_EQ(SBX_VERDICT_INVALID, sbx_verify_fd(fd, &o, &id, &diag));
	EXPECT_EQ(SBX_REASON_UNTRUSTED, (int)id.reason);
	sbx_code_identity_free(&id);
	close(fd);
}

TEST_F(sign, api_team_identifier_mismatch)
{
	struct sbx_verify_options vo = { .trust_dir = self->trust };
	struct sbx_sign_options so = { 0 };
	struct sbx_sign_result res;
	struct sbx_code_identity id;
	struct sbx_signer signer;
	struct sbx_diag diag = { 0 };
	char want[256];
	int fd;

	ASSERT_EQ(0, sbx_signer_load(&signer, self->key, self->cert, self->chain, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	/* A code directory claiming a team the certificate does not name. */
	snprintf(signer.team_id, sizeof(signer.team_id), "EVIL");
	so.signer = &signer;
	ASSERT_EQ(0, sbx_sign_path(self->file, &so, &res, &diag))
	{
		TH_LOG("%s", diag.msg);
	}
	sbx_signer_free(&signer);
	fd = open_ro(self->file);
	ASSERT_LE(0, fd);
	EXPECT_EQ(SBX_VERDICT_INVALID, sbx_verify_fd(fd, &vo, &id, &diag));
	EXPECT_EQ(SBX_REASON_TEAM_MISMATCH, (int)id.reason);
	snprintf(want, sizeof(want),
		 "team identifier mismatch: the code directory says 'EVIL' but the signing "
		 "certificate's OU is '%s'",
		 self->team);
	EXPECT_STREQ(want, diag.msg);
	sbx_code_identity_free(&id);
	close(fd);
}

/* Sign self->file through the library with options sbx sign would refuse; verify it. */
static int sign_raw(FIXTURE_DATA(sign) * self, struct sbx_sign_options *so,
		    struct sbx_code_identity *id, struct sbx_diag *diag)
{
	struct sbx_verify_options vo = { .trust_dir = self->trust };
	struct sbx_signer signer;
	int fd, v;

	if (sbx_signer_load(&signer, self->key, self->cert, self->chain, diag))
		return -1;
	so->signer = &signer;
	v = sbx_sign_path(self->file, so, &(struct sbx_sign_result){ 0 }, diag);
	sbx_signer_free(&signer);
	if (v)
		return -1;
	fd = open_ro(self->file);
	if (fd < 0)
		return -1;
	v = sbx_verify_fd(fd, &vo, id, diag);
	close(fd);
	return v;
}

TEST_F(sign, api_identifier_not_the_entitlements)
{
	static const char ent[] = "entitlements:\n  app-sandbox: true\nidentifier: org.victim\n";
	struct sbx_sign_options so = { .identifier = "org.attacker",
				       .entitlements = (const uint8_t *)ent,
				       .entitlements_len = sizeof(ent) - 1 };
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };

	EXPECT_EQ(SBX_VERDICT_INVALID, sign_raw(self, &so, &id, &diag)) TH_LOG("%s", diag.msg);
	EXPECT_EQ(SBX_REASON_MALFORMED, (int)id.reason);
	EXPECT_STREQ("malformed signature: the code directory's identifier 'org.attacker' is not "
		     "its entitlements' identifier 'org.victim'",
		     diag.msg);
	sbx_code_identity_free(&id);
	/* The control: the same entitlements under their own identifier. */
	so.identifier = "org.victim";
	EXPECT_EQ(SBX_VERDICT_VALID, sign_raw(self, &so, &id, &diag)) TH_LOG("%s", diag.msg);
	sbx_code_identity_free(&id);
}

TEST_F(sign, api_code_directory_launch_constraints_refused)
{
	static const char lc[] = "self:\n  team-identifier: ABCDE12345\n";
	struct sbx_sign_options so = { .launch_constraints = (const uint8_t *)lc,
				       .launch_constraints_len = sizeof(lc) - 1 };
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };

	EXPECT_EQ(SBX_VERDICT_INVALID, sign_raw(self, &so, &id, &diag)) TH_LOG("%s", diag.msg);
	EXPECT_EQ(SBX_REASON_MALFORMED, (int)id.reason);
	EXPECT_NE(NULL, strstr(diag.msg, "(field tag 4)")) TH_LOG("%s", diag.msg);
	sbx_code_identity_free(&id);
	so.launch_constraints_len = 0; /* the control */
	EXPECT_EQ(SBX_VERDICT_VALID, sign_raw(self, &so, &id, &diag)) TH_LOG("%s", diag.msg);
	sbx_code_identity_free(&id);
}

TEST_HARNESS_MAIN
