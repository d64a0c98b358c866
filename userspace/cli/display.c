// SPDX-License-Identifier: GPL-2.0-or-later
/* sbx display: what a signature says (codesign -dv --entitlements -), without judging it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "cli.h"
#include "json.h"
#include "profile/profile.h"
#include "sign/cms.h"
#include "sign/hash.h"
#include "sign/sigblob.h"

static const char display_help[] =
	"usage: sbx display [--entitlements] [--json] FILE\n"
	"\n"
	"Shows what FILE's signature states: identifier, team identifier, cdhash (SHA-256 of\n"
	"the code directory), flags, content size and digest, the certificate chain it\n"
	"carries, the signing time and the size of the entitlements. It does not judge the\n"
	"signature: sbx verify does.\n"
	"\n"
	"  --entitlements   print only the signed entitlements, byte for byte\n"
	"  --json           everything, entitlements included, as JSON\n"
	"\n"
	"Exit status: 0 shown; 1 FILE is not signed or its signature is malformed; 2 usage\n"
	"error or FILE cannot be opened.\n";

/* The carried certificates ordered leaf first, each followed by its issuer. */
static size_t chain_order(struct sbx_cms *c, X509 **out, size_t max)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(c->ci);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	size_t n = 0;
	X509 *cur = NULL;

	for (int i = 0; i < sk_X509_num(c->certs) && !cur; i++)
		if (!CMS_SignerInfo_cert_cmp(si, sk_X509_value(c->certs, i)))
			cur = sk_X509_value(c->certs, i);
	while (cur && n < max) {
		X509 *next = NULL;

		out[n++] = cur;
		if (X509_check_issued(cur, cur) == X509_V_OK)
			break; /* self-signed: the top */
		for (int i = 0; i < sk_X509_num(c->certs) && !next; i++) {
			X509 *cand = sk_X509_value(c->certs, i);
			bool seen = false;

			for (size_t k = 0; k < n; k++)
				seen |= out[k] == cand;
			if (!seen && X509_check_issued(cand, cur) == X509_V_OK)
				next = cand;
		}
		cur = next;
	}
	return n;
}

static void flags_str(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "0x%x(%s%s%s)", flags,
		 flags & SBX_CD_FLAG_HARDENED_RUNTIME ? "hardened-runtime" : "",
		 (flags & SBX_CD_FLAG_HARDENED_RUNTIME) && (flags & SBX_CD_FLAG_LIBRARY_VALIDATION)
			 ? ","
			 : "",
		 flags & SBX_CD_FLAG_LIBRARY_VALIDATION ? "library-validation"
		 : flags				? ""
							: "none");
}

static void display_text(const char *file, const struct sbx_sig_blob *b, const char *cdhash,
			 X509 **chain, size_t n, time_t signed_at)
{
	const struct sbx_code_directory *cd = &b->code_dir;
	char digest[2 * SBX_DIGEST_LEN + 1], flags[96], name[256], when[40];

	sbx_hex(cd->content_digest, SBX_DIGEST_LEN, digest);
	flags_str(cd->flags, flags, sizeof(flags));
	printf("Executable=%s\n", file);
	printf("Identifier=%s\n", cd->identifier);
	printf("Format=sbx signature v%u, %s\n", cd->version, sbx_sig_location_name(b->location));
	printf("CodeDirectory v=%u size=%zu flags=%s hashes=sha256\n", cd->version, b->cd_len,
	       flags);
	printf("CDHash=%s\n", cdhash);
	printf("ContentSize=%llu\n", (unsigned long long)cd->content_size);
	printf("ContentDigest=%s\n", digest);
	printf("TeamIdentifier=%s\n", cd->team_id[0] ? cd->team_id : "not set");
	for (size_t i = 0; i < n; i++)
		printf("Authority=%s\n", sbx_x509_subject(chain[i], name, sizeof(name)));
	if (signed_at) {
		sbx_rfc3339(when, sizeof(when), signed_at, 0, 0);
		printf("Signed Time=%s\n", when);
	}
	printf("Entitlements=%zu bytes\n", cd->entitlements_len);
	if (cd->launch_constraints_len)
		printf("LaunchConstraints=%zu bytes\n", cd->launch_constraints_len);
}

/* A certificate's time, RFC 3339; null if OpenSSL cannot read it. */
static void json_cert_time(struct sbx_json *j, const char *key, const ASN1_TIME *t)
{
	char when[SBX_RFC3339_LEN];

	sbx_asn1_time_str(t, when, sizeof(when));
	sbx_json_string(j, key, strcmp(when, "?") ? when : NULL);
}

/*
 * The signed entitlements as JSON values, keyed by their short names ("network.client"),
 * as the loader reads them for a run: a tool gets data, not the YAML text to parse again.
 * null when none; entitlements the loader refuses are null with entitlements_error why.
 */
static void json_entitlements(struct sbx_json *j, const struct sbx_code_directory *cd)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag d = { 0 };

	if (!cd->entitlements_len) {
		sbx_json_null(j, "entitlements");
		return;
	}
	if (sbx_profile_load_signed("entitlements", cd->entitlements, cd->entitlements_len, &p,
				    &d)) {
		sbx_json_null(j, "entitlements");
		sbx_json_string(j, "entitlements_error", d.msg);
		return;
	}
	sbx_json_object_begin(j, "entitlements");
	for (size_t i = 0; i < p->n_entitlements; i++) {
		const struct sbx_entitlement *e = &p->entitlements[i];

		if (e->kind == SBX_VALUE_BOOL) {
			sbx_json_bool(j, e->key, e->boolean);
		} else if (e->kind == SBX_VALUE_STRING) {
			sbx_json_string(j, e->key, e->string);
		} else {
			sbx_json_array_begin(j, e->key);
			for (size_t k = 0; k < e->n_list; k++)
				sbx_json_string(j, NULL, e->list[k]);
			sbx_json_array_end(j);
		}
	}
	sbx_json_object_end(j);
	sbx_profile_free(p);
}

static void display_json(const char *file, const struct sbx_sig_blob *b, const char *cdhash,
			 X509 **chain, size_t n, time_t signed_at)
{
	const struct sbx_code_directory *cd = &b->code_dir;
	char digest[2 * SBX_DIGEST_LEN + 1], buf[256];
	struct sbx_json j;

	sbx_hex(cd->content_digest, SBX_DIGEST_LEN, digest);
	sbx_json_init(&j, stdout, true);
	sbx_json_object_begin(&j, NULL);
	sbx_json_string(&j, "file", file);
	sbx_json_string(&j, "identifier", cd->identifier);
	sbx_json_string(&j, "team_id", cd->team_id[0] ? cd->team_id : NULL);
	sbx_json_string(&j, "cdhash", cdhash);
	sbx_json_int(&j, "format_version", cd->version);
	sbx_json_string(&j, "location", sbx_sig_location_name(b->location));
	sbx_json_uint(&j, "flags", cd->flags);
	sbx_json_bool(&j, "hardened_runtime", cd->flags & SBX_CD_FLAG_HARDENED_RUNTIME);
	sbx_json_bool(&j, "library_validation", cd->flags & SBX_CD_FLAG_LIBRARY_VALIDATION);
	sbx_json_uint(&j, "content_size", cd->content_size);
	sbx_json_string(&j, "content_sha256", digest);
	if (signed_at)
		sbx_json_time(&j, "signing_time", signed_at, 0, 0);
	else
		sbx_json_null(&j, "signing_time");
	sbx_json_array_begin(&j, "chain");
	for (size_t i = 0; i < n; i++) {
		X509_NAME *issuer = X509_get_issuer_name(chain[i]);
		BIO *bio = BIO_new(BIO_s_mem());
		int len = 0;

		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "subject", sbx_x509_subject(chain[i], buf, sizeof(buf)));
		if (bio) {
			X509_NAME_print_ex(bio, issuer, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
			len = BIO_read(bio, buf, sizeof(buf) - 1);
			BIO_free(bio);
		}
		buf[len > 0 ? len : 0] = '\0';
		sbx_json_string(&j, "issuer", buf);
		sbx_json_string(&j, "serial", sbx_x509_serial_hex(chain[i], buf, sizeof(buf)));
		json_cert_time(&j, "not_before", X509_get0_notBefore(chain[i]));
		json_cert_time(&j, "not_after", X509_get0_notAfter(chain[i]));
		sbx_json_object_end(&j);
	}
	sbx_json_array_end(&j);
	json_entitlements(&j, cd);
	sbx_json_uint(&j, "launch_constraints_size", cd->launch_constraints_len);
	sbx_json_bool(&j, "verified", false);
	sbx_json_object_end(&j);
	sbx_json_finish(&j);
}

int cmd_display(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "entitlements", no_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, entitlements = false;
	struct sbx_sig_blob blob;
	struct sbx_cms cms = { 0 };
	struct sbx_diag diag = { 0 };
	char cdhash[2 * SBX_DIGEST_LEN + 1];
	uint8_t md[SBX_DIGEST_LEN];
	X509 *chain[SBX_CMS_MAX_CERTS];
	size_t n;
	int c, fd, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ejh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			entitlements = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(display_help, stdout);
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("display", NULL, argv);
		}
	}
	if (argc - optind != 1) {
		cli_error("display", "expected one FILE (see sbx display --help)");
		return SBX_EXIT_USAGE;
	}
	if (json && entitlements) {
		cli_error("display", "--entitlements and --json exclude each other");
		return SBX_EXIT_USAGE;
	}
	fd = open(argv[optind], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		cli_error("display", "%s: cannot open: %m", argv[optind]);
		return SBX_EXIT_USAGE;
	}
	err = sbx_sig_load_fd(fd, argv[optind], &blob, &diag);
	close(fd);
	if (err == -ENODATA) {
		cli_error("display", "%s: not signed", argv[optind]);
		return SBX_EXIT_FAIL;
	}
	if (!err)
		err = sbx_cms_parse(blob.cms, blob.cms_len, &cms, &diag);
	if (err) {
		cli_error("display", "%s: %s", argv[optind], diag.msg);
		sbx_cms_free(&cms);
		sbx_sig_blob_free(&blob);
		return err == -EBADMSG ? SBX_EXIT_FAIL : SBX_EXIT_USAGE;
	}
	sbx_sha256(blob.cd, blob.cd_len, md);
	sbx_hex(md, sizeof(md), cdhash);
	n = chain_order(&cms, chain, SBX_CMS_MAX_CERTS);
	if (entitlements)
		fwrite(blob.code_dir.entitlements, 1, blob.code_dir.entitlements_len, stdout);
	else if (json)
		display_json(argv[optind], &blob, cdhash, chain, n, cms.signing_time);
	else
		display_text(argv[optind], &blob, cdhash, chain, n, cms.signing_time);
	sbx_cms_free(&cms);
	sbx_sig_blob_free(&blob);
	return SBX_EXIT_OK;
}
