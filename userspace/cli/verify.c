// SPDX-License-Identifier: GPL-2.0-or-later
/* sbx verify: exit 0 only for a valid signature (or a trusted platform digest). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "sign/verify.h"

static const char verify_help[] =
	"usage: sbx verify [--trust DIR] [--revocations FILE] [--trust-cache FILE]...\n"
	"                  [--identifier ID --team TEAM] [--at TIME] [-v | --json] FILE...\n"
	"\n"
	"Checks each FILE's signature (appended, the user.sbx.sig xattr, or FILE.sbxsig):\n"
	"well formed, made over this exact content, by a certificate with the code-signing\n"
	"extended key usage that chains to a trust anchor, valid now, not revoked. An\n"
	"unsigned file whose SHA-256 is in a signed trust cache verifies as \"platform\".\n"
	"\n"
	"  --trust DIR          trust anchors (default $SBX_TRUST_DIR, else /etc/sbx/trust.d)\n"
	"  --revocations FILE   revocation list (default DIR/revoked.list)\n"
	"  --trust-cache FILE   platform trust cache to consult (default DIR/*.sbxtc)\n"
	"  --identifier ID      also require this signing identifier; identity is team id\n"
	"                       and identifier, so it needs --team too\n"
	"  --team TEAM          also require this team id ('' for a signature without one)\n"
	"  --at TIME            verify as of TIME: @EPOCH, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n"
	"  -v, --verbose        print the identity of valid files\n"
	"  --json               one JSON document: per FILE its verdict, reason and identity\n"
	"\n"
	"Exit status: 0 every FILE is valid (or platform); 1 some FILE is not (unsigned,\n"
	"modified, untrusted, expired, revoked, malformed: the reason is printed);\n"
	"2 usage error, a FILE that cannot be examined (missing, a directory, a FIFO), or a\n"
	"trust directory, revocation list or trust cache named here that cannot be read.\n";

static int parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	char *end;

	if (s[0] == '@') {
		long long v = strtoll(s + 1, &end, 10);

		if (!s[1] || *end || v <= 0)
			return -EINVAL;
		*out = (time_t)v;
		return 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (!end || *end)
			return -EINVAL;
	}
	*out = timegm(&tm);
	return 0;
}

static void print_identity(const char *file, const struct sbx_code_identity *id, bool verbose)
{
	if (id->verdict == SBX_VERDICT_PLATFORM) {
		char hex[2 * SBX_DIGEST_LEN + 1];

		sbx_hex(id->file_digest, SBX_DIGEST_LEN, hex);
		printf("%s: platform (sha256 %s is in a trusted trust cache)\n", file, hex);
		return;
	}
	printf("%s: valid (identifier %s, team %s, anchor %s)\n", file, id->identifier,
	       id->team_id[0] ? id->team_id : "(none)", id->anchor);
	if (!verbose)
		return;
	printf("  cdhash:       %s\n", id->cdhash_hex);
	printf("  signature:    %s\n", sbx_sig_location_name(id->location));
	printf("  signer:       %s (serial %s)\n", id->signer, id->signer_serial);
	printf("  flags:        0x%x%s%s\n", id->flags,
	       id->hardened_runtime ? " hardened-runtime" : "",
	       id->library_validation ? " library-validation" : "");
	printf("  entitlements: %zu bytes\n", id->entitlements_len);
}

static void json_result(struct sbx_json *j, const char *file, int v,
			const struct sbx_code_identity *id, const char *msg)
{
	bool ok = v == SBX_VERDICT_VALID || v == SBX_VERDICT_PLATFORM;
	char hex[2 * SBX_DIGEST_LEN + 1];

	sbx_json_object_begin(j, NULL);
	sbx_json_string(j, "file", file);
	sbx_json_string(j, "verdict", v < 0 && !id ? "error" : sbx_verdict_name(id->verdict));
	sbx_json_string(j, "reason",
			id && id->verdict == SBX_VERDICT_INVALID
				? sbx_verify_reason_name(id->reason)
				: NULL);
	sbx_json_string(j, "message", ok ? NULL : msg);
	if (id && ok) {
		sbx_json_string(j, "location", sbx_sig_location_name(id->location));
		sbx_json_bool(j, "platform", id->platform);
		if (id->platform) {
			sbx_hex(id->file_digest, SBX_DIGEST_LEN, hex);
			sbx_json_string(j, "sha256", hex);
		} else {
			sbx_json_string(j, "identifier", id->identifier);
			sbx_json_string(j, "team_id", id->team_id[0] ? id->team_id : NULL);
			sbx_json_string(j, "cdhash", id->cdhash_hex);
			sbx_json_uint(j, "flags", id->flags);
			sbx_json_bool(j, "hardened_runtime", id->hardened_runtime);
			sbx_json_bool(j, "library_validation", id->library_validation);
			sbx_json_string(j, "signer", id->signer);
			sbx_json_string(j, "signer_serial", id->signer_serial);
			sbx_json_uint(j, "entitlements_size", id->entitlements_len);
		}
	}
	sbx_json_object_end(j);
}

int cmd_verify(int argc, char **argv)
{
	enum { OPT_REV = 256, OPT_TC, OPT_AT, OPT_JSON, OPT_TEAM };
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "revocations", required_argument, NULL, OPT_REV },
		{ "trust-cache", required_argument, NULL, OPT_TC },
		{ "identifier", required_argument, NULL, 'i' },
		{ "team", required_argument, NULL, OPT_TEAM },
		{ "at", required_argument, NULL, OPT_AT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sbx_verify_options o = { 0 };
	const char **caches = NULL;
	size_t n_caches = 0;
	struct sbx_verifier *verifier;
	bool verbose = false, json = false;
	struct sbx_json j;
	int c, status = SBX_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:i:vh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.trust_dir = optarg;
			break;
		case OPT_REV:
			o.revocation_list = optarg;
			break;
		case OPT_TC: {
			const char **grown = realloc(caches, (n_caches + 2) * sizeof(*caches));

			if (!grown) {
				free(caches);
				cli_error("verify", "out of memory");
				return SBX_EXIT_USAGE;
			}
			caches = grown;
			caches[n_caches++] = optarg;
			caches[n_caches] = NULL;
			break;
		}
		case 'i':
			o.identifier = optarg;
			break;
		case OPT_TEAM:
			o.team_id = optarg;
			break;
		case OPT_AT:
			if (parse_time(optarg, &o.at)) {
				cli_error("verify",
					  "--at '%s': expected @EPOCH, YYYY-MM-DD or "
					  "YYYY-MM-DDTHH:MM:SSZ",
					  optarg);
				free(caches);
				return SBX_EXIT_USAGE;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			fputs(verify_help, stdout);
			free(caches);
			return SBX_EXIT_OK;
		default:
			free(caches);
			return cli_bad_option("verify", NULL, argv);
		}
	}
	if (optind == argc) {
		cli_error("verify", "no file to verify (see sbx verify --help)");
		free(caches);
		return SBX_EXIT_USAGE;
	}
	if (o.identifier && !o.team_id) {
		cli_error("verify", "--identifier needs --team: identity is team id and identifier "
				    "(--team '' for a signature without a team)");
		free(caches);
		return SBX_EXIT_USAGE;
	}
	o.trust_caches = caches;
	if (sbx_verifier_new(&o, &verifier)) {
		cli_error("verify", "out of memory");
		free(caches);
		return SBX_EXIT_USAGE;
	}
	/* What was named explicitly must be readable: a typo never means "nothing". */
	{
		struct sbx_diag diag = { 0 };

		if (sbx_verifier_preload(verifier, &diag)) {
			cli_error_diag("verify", &diag);
			sbx_verifier_free(verifier);
			free(caches);
			return SBX_EXIT_USAGE;
		}
	}
	if (json) {
		sbx_json_init(&j, stdout, true);
		sbx_json_array_begin(&j, NULL);
	}

	for (int i = optind; i < argc; i++) {
		struct sbx_code_identity id;
		struct sbx_diag diag = { 0 };
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		int v;

		char msg[1024];

		if (fd < 0) {
			snprintf(msg, sizeof(msg), "cannot open: %m");
			if (json)
				json_result(&j, argv[i], -errno, NULL, msg);
			else
				cli_error("verify", "%s: %s", argv[i], msg);
			status = SBX_EXIT_USAGE;
			continue;
		}
		v = sbx_verifier_verify_fd(verifier, fd, argv[i], &id, &diag);
		close(fd);
		snprintf(msg, sizeof(msg), "%s", "invalid");
		if (diag.msg[0])
			sbx_diag_format(&diag, msg, sizeof(msg));
		if (json)
			json_result(&j, argv[i], v, &id, msg);
		else if (v == SBX_VERDICT_VALID || v == SBX_VERDICT_PLATFORM)
			print_identity(argv[i], &id, verbose);
		else
			cli_error("verify", "%s: %s", argv[i], msg);
		if (v < 0) /* could not be examined: as display says, an input error */
			status = SBX_EXIT_USAGE;
		else if (v != SBX_VERDICT_VALID && v != SBX_VERDICT_PLATFORM &&
			 status == SBX_EXIT_OK)
			status = SBX_EXIT_FAIL;
		sbx_code_identity_free(&id);
	}
	if (json) {
		sbx_json_array_end(&j);
		sbx_json_finish(&j);
	}
	sbx_verifier_free(verifier);
	free(caches);
	return status;
}
