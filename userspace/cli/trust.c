// SPDX-License-Identifier: GPL-2.0-or-later
/* sbx trust: anchors, revocations and platform trust caches. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "sign/hash.h"
#include "sign/sign.h"
#include "sign/trust.h"
#include "sign/trustcache.h"
#include "sign/verify.h"

static const char trust_help[] =
	"usage: sbx trust [--trust DIR] [--platform] add CERT.pem\n"
	"       sbx trust [--trust DIR] [--platform] remove FINGERPRINT|FILE\n"
	"       sbx trust [--trust DIR] [--platform] list [--json]\n"
	"       sbx trust [--trust DIR] revoke cert CERT.pem | serial ISSUER-SHA256 SERIAL |\n"
	"                                      cdhash HEX\n"
	"       sbx trust [--trust DIR] unrevoke cert CERT.pem | serial ISSUER-SHA256 SERIAL |\n"
	"                                        cdhash HEX\n"
	"       sbx trust cache build --key KEY --cert CERT [--chain PEM] [--all] -o FILE DIR...\n"
	"       sbx trust [--trust DIR] cache verify FILE\n"
	"\n"
	"The trust directory (default $SBX_TRUST_DIR, else /etc/sbx/trust.d) holds the trust\n"
	"anchors (PEM certificates, one per file, named by SHA-256 fingerprint), the\n"
	"revocation list revoked.list (certificates of any chain, by issuer and serial: the\n"
	"issuer is the SHA-256 of its DER name, which 'revoke cert CERT.pem' computes; and\n"
	"cdhashes of signed code) and platform trust caches (*.sbxtc) that sbx verify reads.\n"
	"Trust caches must chain to the platform anchors (DIR/platform.d, managed with\n"
	"--platform), a separate authority: a code-signing anchor never vouches for one.\n"
	"\n"
	"cache build hashes the executables, ELF files and scripts under each DIR (every\n"
	"regular file with --all) into a trust cache signed like code (identifier\n"
	"sbx.trust-cache); on a terminal it shows progress. A file whose SHA-256 is in a\n"
	"trusted cache verifies as \"platform\".\n"
	"\n"
	"Exit status: 0 done (cache verify: the cache is valid); 1 cache verify: it is not,\n"
	"or cache build could not read some input; 2 usage error or bad input.\n";

static const struct option common_opts[] = {
	{ "trust", required_argument, NULL, 't' },
	{ "platform", no_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int trust_list(const char *dir, bool json)
{
	struct sbx_anchor_info *a;
	struct sbx_revocations rev;
	struct sbx_diag diag = { 0 };
	char rev_path[4200];
	size_t n;

	if (sbx_trust_list(dir, &a, &n, &diag)) {
		if (diag.err != -ENOENT) {
			cli_error_diag("trust", &diag);
			return SBX_EXIT_USAGE;
		}
		a = NULL;
		n = 0;
	}
	snprintf(rev_path, sizeof(rev_path), "%s/%s", dir, SBX_REVOCATION_FILE);
	if (sbx_revocations_load(rev_path, true, &rev, &diag)) {
		cli_error_diag("trust", &diag);
		free(a);
		return SBX_EXIT_USAGE;
	}
	if (json) {
		struct sbx_json j;

		sbx_json_init(&j, stdout, true);
		sbx_json_object_begin(&j, NULL);
		sbx_json_string(&j, "directory", dir);
		sbx_json_array_begin(&j, "anchors");
		for (size_t i = 0; i < n; i++) {
			sbx_json_object_begin(&j, NULL);
			sbx_json_string(&j, "file", a[i].file);
			sbx_json_string(&j, "sha256", a[i].fingerprint);
			sbx_json_string(&j, "subject", a[i].subject);
			sbx_json_string(&j, "serial", a[i].serial);
			sbx_json_string(&j, "not_after",
					strcmp(a[i].not_after, "?") ? a[i].not_after : NULL);
			sbx_json_object_end(&j);
		}
		sbx_json_array_end(&j);
		sbx_json_array_begin(&j, "revoked_certificates");
		for (size_t i = 0; i < rev.n_certs; i++) {
			char hex[2 * SBX_DIGEST_LEN + 1];

			sbx_hex(rev.certs[i].issuer, SBX_DIGEST_LEN, hex);
			sbx_json_object_begin(&j, NULL);
			sbx_json_string(&j, "issuer_sha256", hex);
			sbx_json_string(&j, "serial", rev.certs[i].serial);
			sbx_json_object_end(&j);
		}
		sbx_json_array_end(&j);
		sbx_json_array_begin(&j, "revoked_cdhashes");
		for (size_t i = 0; i < rev.n_cdhashes; i++) {
			char hex[2 * SBX_DIGEST_LEN + 1];

			sbx_hex(rev.cdhashes[i], SBX_DIGEST_LEN, hex);
			sbx_json_string(&j, NULL, hex);
		}
		sbx_json_array_end(&j);
		sbx_json_object_end(&j);
		sbx_json_finish(&j);
	} else {
		printf("trust directory %s: %zu anchor%s\n", dir, n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			printf("anchor %s  %.16s  %s  (serial %s, until %s)\n", a[i].file,
			       a[i].fingerprint, a[i].subject, a[i].serial, a[i].not_after);
		for (size_t i = 0; i < rev.n_certs; i++) {
			char hex[2 * SBX_DIGEST_LEN + 1];

			sbx_hex(rev.certs[i].issuer, SBX_DIGEST_LEN, hex);
			printf("revoked serial %s issuer %s\n", rev.certs[i].serial, hex);
		}
		for (size_t i = 0; i < rev.n_cdhashes; i++) {
			char hex[2 * SBX_DIGEST_LEN + 1];

			sbx_hex(rev.cdhashes[i], SBX_DIGEST_LEN, hex);
			printf("revoked cdhash %s\n", hex);
		}
	}
	sbx_revocations_free(&rev);
	free(a);
	return SBX_EXIT_OK;
}

/* ---- trust cache build ---- */

struct tc_build {
	char **paths;
	size_t n, cap;
	bool all;
	bool too_many;
};

static struct tc_build *walk_state;

static bool looks_executable(const char *path, const struct stat *st)
{
	char head[4];
	int fd;
	ssize_t n;

	if (st->st_mode & 0111)
		return true;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	return (n >= 4 && !memcmp(head, "\177ELF", 4)) || (n >= 2 && !memcmp(head, "#!", 2));
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct tc_build *b = walk_state;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (!b->all && !looks_executable(path, st))
		return 0;
	if (b->n == SBX_TC_MAX_ENTRIES) {
		b->too_many = true;
		return 1;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		char **grown = realloc(b->paths, cap * sizeof(*grown));

		if (!grown)
			return -1;
		b->paths = grown;
		b->cap = cap;
	}
	b->paths[b->n] = strdup(path);
	if (!b->paths[b->n])
		return -1;
	b->n++;
	return 0;
}

static void progress(size_t done, size_t total)
{
	const int width = 40;
	int filled = total ? (int)(done * width / total) : width;

	fprintf(stderr, "\r[%.*s%*s] %zu/%zu files", filled,
		"########################################", width - filled, "", done, total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static int cache_build(int argc, char **argv)
{
	enum { OPT_ALL = CLI_OPT_CHAIN + 1 };
	static const struct option opts[] = {
		CLI_SIGNER_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_signer_args sa = { 0 };
	const char *out = NULL;
	struct tc_build b = { 0 };
	struct sbx_signer signer;
	struct sbx_sign_options so = { 0 };
	struct sbx_sign_result res;
	struct sbx_diag diag = { 0 };
	uint8_t(*digests)[SBX_DIGEST_LEN] = NULL, *body = NULL;
	size_t n_digests = 0, body_len, unreadable = 0;
	bool tty = isatty(STDERR_FILENO);
	char tmp[4096];
	int c, status = SBX_EXIT_USAGE, fd;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 'c':
		case CLI_OPT_CHAIN:
			cli_signer_option(&sa, c, optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_ALL:
			b.all = true;
			break;
		case 'h':
			fputs(trust_help, stdout);
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("trust", "cache build", argv);
		}
	}
	if (!sa.key || !sa.cert || !out || optind == argc) {
		cli_error("trust", "cache build needs --key, --cert, -o FILE and a DIR");
		return SBX_EXIT_USAGE;
	}
	if (cli_signer_load("trust", &sa, &signer))
		return SBX_EXIT_USAGE;
	walk_state = &b;
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			cli_error("trust", "cache build: %s is not a directory", argv[i]);
			goto out;
		}
		if (nftw(argv[i], walk_one, 32, FTW_PHYS | FTW_MOUNT) < 0) {
			cli_error("trust", "cache build: cannot walk %s: %m", argv[i]);
			goto out;
		}
		if (b.too_many) {
			cli_error("trust", "cache build: more than %u files", SBX_TC_MAX_ENTRIES);
			goto out;
		}
	}
	digests = calloc(b.n ? b.n : 1, SBX_DIGEST_LEN);
	if (!digests) {
		cli_error("trust", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < b.n; i++) {
		int ffd =
			open(b.paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		struct stat st;

		if (ffd < 0 || fstat(ffd, &st) || !S_ISREG(st.st_mode) ||
		    sbx_sha256_fd(ffd, 0, (uint64_t)st.st_size, digests[n_digests], NULL))
			unreadable++;
		else
			n_digests++;
		if (ffd >= 0)
			close(ffd);
		if (tty && (i + 1 == b.n || i % 64 == 0))
			progress(i + 1, b.n);
	}
	if (sbx_trust_cache_serialize(digests, n_digests, time(NULL), &body, &body_len, &diag)) {
		cli_error_diag("trust", &diag);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cli_error("trust", "cannot create %s: %m", tmp);
		goto out;
	}
	fchmod(fd, 0644);
	if (write(fd, body, body_len) != (ssize_t)body_len) {
		cli_error("trust", "cannot write %s: %m", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	so.signer = &signer;
	so.identifier = SBX_TC_IDENTIFIER;
	so.placement = SBX_PLACE_EMBEDDED;
	if (sbx_sign_path(tmp, &so, &res, &diag) || rename(tmp, out)) {
		if (diag.err)
			cli_error_diag("trust", &diag);
		else
			cli_error("trust", "cannot install %s: %m", out);
		unlink(tmp);
		goto out;
	}
	printf("%s: trust cache of %zu digests (%zu files hashed), cdhash %s\n", out,
	       body_len > SBX_TC_HEADER_LEN ? (body_len - SBX_TC_HEADER_LEN) / SBX_DIGEST_LEN : 0,
	       n_digests, res.cdhash_hex);
	if (unreadable)
		cli_error("trust", "cache build: %zu file%s could not be read and %s left out",
			  unreadable, unreadable == 1 ? "" : "s", unreadable == 1 ? "was" : "were");
	status = unreadable ? SBX_EXIT_FAIL : SBX_EXIT_OK;
out:
	for (size_t i = 0; i < b.n; i++)
		free(b.paths[i]);
	free(b.paths);
	free(digests);
	free(body);
	sbx_signer_free(&signer);
	return status;
}

static int cache_verify(const char *dir, const char *file)
{
	struct sbx_verify_options o = { .trust_dir = dir };
	struct sbx_trust_cache tc;
	struct sbx_code_identity id;
	struct sbx_diag diag = { 0 };
	char when[SBX_RFC3339_LEN];
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int err;

	if (fd < 0) {
		cli_error("trust", "%s: cannot open: %m", file);
		return SBX_EXIT_USAGE;
	}
	o.path = file;
	err = sbx_trust_cache_load_fd(fd, &o, &tc, &id, &diag);
	close(fd);
	if (err) {
		cli_error("trust", "%s: %s", file, diag.msg);
		sbx_code_identity_free(&id);
		return SBX_EXIT_FAIL;
	}
	sbx_rfc3339(when, sizeof(when), tc.created, 0, 0);
	printf("%s: valid trust cache: %zu digests, built %s, signed by %s (team %s)\n", file, tc.n,
	       when, id.signer, id.team_id[0] ? id.team_id : "(none)");
	sbx_trust_cache_free(&tc);
	sbx_code_identity_free(&id);
	return SBX_EXIT_OK;
}

int cmd_trust(int argc, char **argv)
{
	struct sbx_verify_options o = { 0 };
	struct sbx_diag diag = { 0 };
	const char *dir, *sub;
	char name[256], platform_dir[4096];
	bool json = false, platform = false;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:pjh", common_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.trust_dir = optarg;
			break;
		case 'p':
			platform = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(trust_help, stdout);
			return SBX_EXIT_OK;
		default:
			return cli_bad_option("trust", NULL, argv);
		}
	}
	dir = sbx_trust_dir(&o);
	if (platform) {
		/* The platform anchors: the only authority for trust caches. */
		snprintf(platform_dir, sizeof(platform_dir), "%.4000s/%s", dir,
			 SBX_PLATFORM_ANCHORS);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			cli_error("trust", "cannot create trust directory %s: %m", dir);
			return SBX_EXIT_USAGE;
		}
		dir = platform_dir;
	}
	if (optind == argc) {
		cli_error("trust", "expected add, remove, list, revoke, unrevoke or cache (see sbx "
				   "trust --help)");
		return SBX_EXIT_USAGE;
	}
	sub = argv[optind++];
	/* `sbx trust add --help`, as every verb takes it. */
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(trust_help, stdout);
			return SBX_EXIT_OK;
		}
	}
	if (!strcmp(sub, "list")) {
		if (optind < argc && !strcmp(argv[optind], "--json")) {
			json = true;
			optind++;
		}
		if (optind != argc) {
			cli_error("trust", "list: unexpected argument '%s'", argv[optind]);
			return SBX_EXIT_USAGE;
		}
		return trust_list(dir, json);
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
		bool add = !strcmp(sub, "add");

		if (argc - optind != 1) {
			cli_error("trust", "%s takes one %s", sub,
				  add ? "CERT.pem" : "FINGERPRINT");
			return SBX_EXIT_USAGE;
		}
		if ((add ? sbx_trust_add : sbx_trust_remove)(dir, argv[optind], name, sizeof(name),
							     &diag)) {
			cli_error_diag("trust", &diag);
			return SBX_EXIT_USAGE;
		}
		printf("%s %s/%s\n", add ? "added" : "removed", dir, name);
		return SBX_EXIT_OK;
	}
	if (!strcmp(sub, "revoke") || !strcmp(sub, "unrevoke")) {
		char path[4200], issuer[2 * SBX_DIGEST_LEN + 1], serial[SBX_SERIAL_MAX_DIGITS + 2];
		const char *kind = optind < argc ? argv[optind] : "", *value, *sn = NULL;
		int want = !strcmp(kind, "serial") ? 3 : 2;

		if (argc - optind != want) {
			cli_error("trust",
				  "%s takes 'cert CERT.pem', 'serial ISSUER-SHA256 SERIAL' or "
				  "'cdhash HEX'",
				  sub);
			return SBX_EXIT_USAGE;
		}
		value = argv[optind + 1];
		if (want == 3)
			sn = argv[optind + 2];
		if (!strcmp(kind, "cert")) {
			/* A certificate is named by its issuer and serial, never its serial alone.
			 */
			if (sbx_cert_revocation_id(value, issuer, serial, sizeof(serial), &diag)) {
				cli_error_diag("trust", &diag);
				return SBX_EXIT_USAGE;
			}
			kind = "serial";
			value = issuer;
			sn = serial;
		}
		/* Revocations live in the trust directory, for code and caches alike. */
		snprintf(path, sizeof(path), "%s/%s", sbx_trust_dir(&o), SBX_REVOCATION_FILE);
		if (sbx_revocation_edit(path, kind, value, sn, sub[0] == 'r', &diag)) {
			cli_error_diag("trust", &diag);
			return SBX_EXIT_USAGE;
		}
		printf("%s %s %s%s%s in %s\n", sub[0] == 'r' ? "revoked" : "unrevoked", kind, value,
		       sn ? " " : "", sn ? sn : "", path);
		return SBX_EXIT_OK;
	}
	if (!strcmp(sub, "cache")) {
		if (optind < argc && !strcmp(argv[optind], "build"))
			return cache_build(argc - optind, argv + optind);
		if (optind < argc && !strcmp(argv[optind], "verify")) {
			if (argc - optind != 2) {
				cli_error("trust", "cache verify takes one FILE");
				return SBX_EXIT_USAGE;
			}
			return cache_verify(dir, argv[optind + 1]);
		}
		cli_error("trust", "cache: expected build or verify (see sbx trust --help)");
		return SBX_EXIT_USAGE;
	}
	cli_error("trust", "unknown subcommand '%s' (see sbx trust --help)", sub);
	return SBX_EXIT_USAGE;
}
