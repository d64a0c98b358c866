// SPDX-License-Identifier: GPL-2.0-or-later
/* sbx sign: code directory + CMS signature, appended to ELF files or beside scripts. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile/lookup.h"
#include "profile/profile.h"
#include "sign/sign.h"

static const char sign_help[] =
	"usage: sbx sign --key KEY --cert CERT [--chain PEM] [--identifier ID]\n"
	"                [--profile PROFILE] [--hardened-runtime] [--library-validation]\n"
	"                [--embedded | --detached | --xattr] FILE...\n"
	"\n"
	"Signs each FILE: a code directory (SHA-256 of the content, identifier, team\n"
	"identifier = the certificate subject's OU, flags, entitlements) and a CMS signature\n"
	"over it made with KEY (PEM, ECDSA P-256 or RSA >= 2048) and CERT, with the\n"
	"intermediates of --chain inside.\n"
	"\n"
	"Where the signature goes (default: by content):\n"
	"  ELF files          appended to the file (cp, tar and package managers keep it)\n"
	"  everything else    FILE.sbxsig next to it, and the user.sbx.sig xattr where the\n"
	"                     file system takes it\n"
	"  --embedded, --detached, --xattr force one place.\n"
	"Signing a signed file replaces its signature. An appended signature is written to a\n"
	"new file renamed over FILE (same owner and mode, setuid included; never rewritten\n"
	"in place); hard links keep the old content, other xattrs are not copied. ELF files\n"
	"whose segments reach past their end and files ending in a zip archive (pyz, jar,\n"
	"wheel, apk) cannot carry one: sign them --detached or --xattr. The certificate's\n"
	"subject must have at most one OU, a valid team id (no spaces). strip and objcopy\n"
	"remove an appended signature and change the content: sign after strip.\n"
	"\n"
	"  --identifier ID       signing identifier (default: the profile's, else the file name)\n"
	"  --profile PROFILE     embed PROFILE's entitlements (a file, or a NAME as in\n"
	"                        sbx profile list): its canonical form (see\n"
	"                        sbx profile canonical), at most 256 KiB\n"
	"  --hardened-runtime    set the hardened-runtime flag (implies library validation)\n"
	"  --library-validation  set the library-validation flag\n"
	"\n"
	"Exit status: 0 every file signed; 1 a file could not be signed; 2 usage error or an\n"
	"unusable key, certificate, chain or profile.\n";

/*
 * The entitlements: the canonical bytes of the profile (includes merged, keys sorted), so
 * what is signed is what `sbx profile canonical` prints and what `sbx run` will parse.
 * The signing identifier defaults to the profile's and must agree with --identifier.
 */
static int load_entitlements(const char *arg, const char **identifier, char **id_copy, char **buf,
			     size_t *len)
{
	struct sbx_profile *p = NULL;
	struct sbx_diag diag = { 0 };
	char path[PATH_MAX];
	const char *pid;
	int err;

	/* A file, or a NAME on the profile search path (sbx profile list). */
	err = sbx_profile_find(arg, path, sizeof(path), NULL, &diag);
	if (!err)
		err = sbx_profile_load_file(path, &p, &diag);
	if (err) {
		cli_error_diag("sign", &diag);
		return err;
	}
	err = sbx_profile_canonical(p, buf, len);
	if (err) {
		cli_error("sign", "%s: cannot make the canonical profile: %s", path,
			  strerror(-err));
		goto out;
	}
	if (*len > SBX_ENTITLEMENTS_MAX) {
		cli_error("sign", "entitlements of %zu bytes exceed the %u-byte limit", *len,
			  SBX_ENTITLEMENTS_MAX);
		err = -E2BIG;
		goto out;
	}
	pid = sbx_profile_identifier(p);
	if (pid && *pid && *identifier && strcmp(pid, *identifier)) {
		cli_error("sign",
			  "identifier mismatch: --identifier '%s' but the profile's identifier is "
			  "'%s' (drop --identifier, or set the profile's: sbx profile import "
			  "--identifier for plists)",
			  *identifier, pid);
		err = -EINVAL;
		goto out;
	}
	if (pid && *pid && !*identifier) {
		*id_copy = strdup(pid);
		*identifier = *id_copy;
	}
out:
	sbx_profile_free(p);
	return err;
}

void cli_signer_option(struct cli_signer_args *a, int c, const char *arg)
{
	if (c == 'k')
		a->key = arg;
	else if (c == 'c')
		a->cert = arg;
	else if (c == CLI_OPT_CHAIN)
		a->chain = arg;
}

int cli_signer_load(const char *cmd, const struct cli_signer_args *a, struct sbx_signer *s)
{
	struct sbx_diag diag = { 0 };
	char warn[2][512];
	size_t n;

	if (sbx_signer_load(s, a->key, a->cert, a->chain, &diag)) {
		cli_error_diag(cmd, &diag);
		sbx_signer_free(s);
		return -1;
	}
	n = sbx_signer_warnings(s, warn, 2);
	for (size_t i = 0; i < n; i++)
		cli_error(cmd, "warning: %s", warn[i]);
	return 0;
}

int cmd_sign(int argc, char **argv)
{
	enum { OPT_HR = CLI_OPT_CHAIN + 1, OPT_LV, OPT_EMB, OPT_DET, OPT_XATTR };
	static const struct option opts[] = {
		CLI_SIGNER_OPTIONS,
		{ "identifier", required_argument, NULL, 'i' },
		{ "profile", required_argument, NULL, 'p' },
		{ "hardened-runtime", no_argument, NULL, OPT_HR },
		{ "library-validation", no_argument, NULL, OPT_LV },
		{ "embedded", no_argument, NULL, OPT_EMB },
		{ "detached", no_argument, NULL, OPT_DET },
		{ "xattr", no_argument, NULL, OPT_XATTR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_signer_args sa = { 0 };
	const char *profile = NULL;
	struct sbx_sign_options o = { 0 };
	struct sbx_signer signer;
	struct sbx_diag diag = { 0 };
	char *ent = NULL, *id_copy = NULL;
	int c, status = SBX_EXIT_OK, places = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:c:i:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 'c':
		case CLI_OPT_CHAIN:
			cli_signer_option(&sa, c, optarg);
			break;
		case 'i':
			o.identifier = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case OPT_HR:
			o.flags |= SBX_CD_FLAG_HARDENED_RUNTIME | SBX_CD_FLAG_LIBRARY_VALIDATION;
			break;
		case OPT_LV:
			o.flags |= SBX_CD_FLAG_LIBRARY_VALIDATION;
			break;
		case OPT_EMB:
			o.placement = SBX_PLACE_EMBEDDED;
			places++;
			break;
		case OPT_DET:
			o.placement = SBX_PLACE_DETACHED;
			places++;
			break;
		case OPT_XATTR:
			o.placement = SBX_PLACE_XATTR;
			places++;
			break;
		case 'h':
			fputs(sign_help, stdout);
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("sign", NULL, argv);
		}
	}
	if (!sa.key || !sa.cert) {
		cli_error("sign", "--key and --cert are required (see sbx sign --help)");
		return SBX_EXIT_USAGE;
	}
	if (places > 1) {
		cli_error("sign", "--embedded, --detached and --xattr exclude each other");
		return SBX_EXIT_USAGE;
	}
	if (optind == argc) {
		cli_error("sign", "no file to sign (see sbx sign --help)");
		return SBX_EXIT_USAGE;
	}
	if (profile &&
	    load_entitlements(profile, &o.identifier, &id_copy, &ent, &o.entitlements_len)) {
		free(ent);
		free(id_copy);
		return SBX_EXIT_USAGE;
	}
	o.entitlements = (const uint8_t *)ent;
	if (cli_signer_load("sign", &sa, &signer)) {
		free(ent);
		free(id_copy);
		return SBX_EXIT_USAGE;
	}
	o.signer = &signer;

	for (int i = optind; i < argc; i++) {
		struct sbx_sign_result res;

		memset(&diag, 0, sizeof(diag));
		if (sbx_sign_path(argv[i], &o, &res, &diag)) {
			cli_error_diag("sign", &diag);
			status = SBX_EXIT_FAIL;
			continue;
		}
		printf("%s: signed %s (identifier %s, team %s, cdhash %s)\n", argv[i],
		       res.embedded		   ? "embedded"
		       : res.xattr && res.detached ? "detached + xattr"
		       : res.xattr		   ? "xattr"
						   : "detached",
		       res.identifier, signer.team_id[0] ? signer.team_id : "(none)",
		       res.cdhash_hex);
		if (res.xattr_skipped[0])
			printf("%s: no xattr: %s; keep %s%s with it\n", argv[i], res.xattr_skipped,
			       argv[i], SBX_SIG_DETACHED_SUFFIX);
	}
	sbx_signer_free(&signer);
	free(ent);
	free(id_copy);
	return status;
}
