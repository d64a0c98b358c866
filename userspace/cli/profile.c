// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sbx profile: the entitlement profile author's commands (the verbs[] table below). A
 * PROFILE is a file or a NAME looked up on the profile search path (profile/lookup.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "compile/compile.h"
#include "json.h"
#include "launch/target.h"
#include "profile/exposure.h"
#include "profile/lookup.h"
#include "profile/profile.h"

static int cmd_lint(int argc, char **argv);
static int cmd_explain(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_show(int argc, char **argv);
static int cmd_new(int argc, char **argv);
static int cmd_import(int argc, char **argv);
static int cmd_canonical(int argc, char **argv);

static const struct cli_verb verbs[] = {
	{ "lint", cmd_lint, "[--strict] PROFILE...",
	  "errors and warnings (file:line:col) and an exposure score; exit 0 clean,\n"
	  "             1 warnings with --strict, 2 errors" },
	{ "explain", cmd_explain,
	  "PROFILE [--program PATH] [--grant PATH[:ro|:rw|:x|:rx|:rwx]]... [--allow KEY]... "
	  "[--json]",
	  "the compiled plan: the rules the kernel gets, with the entitlement behind\n"
	  "             each; --allow KEY adds an entitlement as sbx run --allow does" },
	{ "list", cmd_list, "[--json]",
	  "every profile NAME on the search path: origin, file, which one wins" },
	{ "show", cmd_show, "PROFILE", "the profile's text, after a comment naming its file" },
	{ "new", cmd_new, "[--template cli-tool|network-client|gui-app|service] IDENTIFIER",
	  "a commented starting profile" },
	{ "import", cmd_import, "[--identifier ID] [--ignore-unknown] APP.entitlements",
	  "an Apple plist as a YAML profile; --ignore-unknown drops the keys sbx\n"
	  "             does not know, naming each on stderr" },
	{ "canonical", cmd_canonical, "PROFILE", "the canonical bytes sbx sign embeds" },
};

static const struct cli_verbs profile_verbs = {
	"profile", verbs, sizeof(verbs) / sizeof(verbs[0]),
	"PROFILE is a file, or a NAME looked up as NAME.yaml in $SBX_PROFILE_PATH,\n"
	"$XDG_CONFIG_HOME/sbx/profiles (~/.config/sbx/profiles), /etc/sbx/profiles and the\n"
	"shipped profiles, first found wins (sbx profile list). Every key: man 5 sbx-profile.\n"
};

/* The end of getopt for VERB: --help, or one line for a bad option. */
static int option_end(const char *verb, int c, char **argv)
{
	if (c == 'h')
		return cli_verbs_help(&profile_verbs, verb);
	return cli_bad_option("profile", verb, argv);
}

/* PROFILE (a file or a NAME) to a file, loaded; on error one line and -1. */
static int load_named(const char *arg, struct sbx_profile **p)
{
	char path[PATH_MAX];
	struct sbx_diag d = { 0 };

	if (sbx_profile_find(arg, path, sizeof(path), NULL, &d) ||
	    sbx_profile_load_file(path, p, &d)) {
		cli_error_diag("profile", &d);
		return -1;
	}
	return 0;
}

static void print_warnings(FILE *out, const struct sbx_profile *p)
{
	for (size_t i = 0; i < p->n_warnings; i++) {
		const struct sbx_profile_warning *w = &p->warnings[i];

		if (w->line)
			fprintf(out, "%s:%u:%u: warning: %s\n", w->file, w->line, w->col, w->msg);
		else
			fprintf(out, "%s: warning: %s\n", w->file, w->msg);
	}
}

/* ---- lint ---- */

static void where(FILE *out, const struct sbx_profile *p, const char *key)
{
	const struct sbx_entitlement *e = sbx_profile_get(p, key);

	if (e && e->line)
		fprintf(out, "%s:%u:%u: ", e->file, e->line, e->col);
	else
		fprintf(out, "%s: ", e ? e->file : p->source);
}

/* Lint-only checks that look at this host: listed absolute paths that do not exist. */
static size_t lint_host_paths(FILE *out, const struct sbx_profile *p)
{
	static const char *const keys[] = { "temporary-exception.files.absolute-path.read-only",
					    "temporary-exception.files.absolute-path.read-write" };
	size_t warnings = 0;
	struct stat st;

	for (size_t k = 0; k < 2; k++) {
		const struct sbx_entitlement *e = sbx_profile_get(p, keys[k]);

		for (size_t i = 0; e && i < e->n_list; i++) {
			if (stat(e->list[i], &st) == 0)
				continue;
			where(out, p, keys[k]);
			fprintf(out, "warning: '%s' does not exist on this host\n", e->list[i]);
			warnings++;
		}
	}
	return warnings;
}

/* A read-only key next to its read-write twin says nothing more: likely a slip. */
static size_t lint_redundant(FILE *out, const struct sbx_profile *p)
{
	static const char *const dirs[] = { "files.user-selected", "files.downloads",
					    "files.pictures", "files.music", "files.movies" };
	char ro[64], rw[64];
	size_t warnings = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(ro, sizeof(ro), "%s.read-only", dirs[i]);
		snprintf(rw, sizeof(rw), "%s.read-write", dirs[i]);
		if (!sbx_profile_entitled(p, ro) || !sbx_profile_entitled(p, rw))
			continue;
		where(out, p, ro);
		fprintf(out, "warning: %s is redundant: %s grants reading too\n", ro, rw);
		warnings++;
	}
	return warnings;
}

static int cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = { { "strict", no_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	bool strict = false, errors = false, warned = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "sh", opts, NULL)) != -1) {
		if (c == 's')
			strict = true;
		else
			return option_end("lint", c, argv);
	}
	if (optind >= argc)
		return cli_usage_error("profile", "lint: no PROFILE given (see sbx profile lint "
						  "--help)");
	for (int i = optind; i < argc; i++) {
		struct sbx_profile *p;
		struct sbx_exposure x;
		size_t nwarn;

		if (load_named(argv[i], &p)) {
			errors = true;
			continue;
		}
		print_warnings(stdout, p);
		nwarn = p->n_warnings + lint_host_paths(stdout, p) + lint_redundant(stdout, p);
		sbx_profile_exposure(p, &x);
		for (size_t k = 0; k < x.n; k++) {
			if (!x.items[k].warn)
				continue;
			where(stdout, p, x.items[k].key);
			printf("warning: %s: %s\n", x.items[k].key, x.items[k].detail);
			nwarn++;
		}
		printf("%s: %s, exposure %.1f/10 %s%s", argv[i], p->identifier, x.score,
		       sbx_exposure_rating(x.score), x.n ? ":" : "");
		for (size_t k = 0; k < x.n && k < 5; k++)
			printf("%s %s (%s)", k ? ";" : "", x.items[k].key, x.items[k].detail);
		printf("\n");
		if (nwarn)
			warned = true;
		sbx_profile_free(p);
	}
	if (errors)
		return SBX_EXIT_USAGE;
	return strict && warned ? SBX_EXIT_FAIL : SBX_EXIT_OK;
}

/* ---- explain ---- */

#define EXPLAIN_MAX_GRANTS 64

/* --grant PATH[:ro|:rw|:x|:rx|:rwx], as `sbx run` takes it (sbx_launch_parse_grant). */
static int parse_grant(const char *arg, struct sbx_grant *g)
{
	struct sbx_diag d = { 0 };

	if (!sbx_launch_parse_grant(arg, g, &d))
		return 0;
	cli_error("profile", "--grant %s", d.msg);
	return -1;
}

static int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = { { "program", required_argument, NULL, 'p' },
					      { "grant", required_argument, NULL, 'g' },
					      { "json", no_argument, NULL, 'j' },
					      { "allow", required_argument, NULL, 'a' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	struct sbx_host_facts facts = { 0 };
	const char *allow[EXPLAIN_MAX_GRANTS];
	size_t n_allow = 0;
	char storage[PATH_MAX * 8];
	char *program = NULL;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p = NULL;
	struct sbx_plan *plan = NULL;
	struct sbx_grant grants[EXPLAIN_MAX_GRANTS];
	size_t n_grants = 0;
	bool json = false;
	int c, err, status = SBX_EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:g:a:jh", opts, NULL)) != -1) {
		if (c == 'a') {
			if (sbx_profile_allow_check(optarg, &d)) {
				cli_error_diag("profile", &d);
				goto out;
			}
			if (n_allow == EXPLAIN_MAX_GRANTS) {
				cli_error("profile", "more than %d --allow options",
					  EXPLAIN_MAX_GRANTS);
				goto out;
			}
			allow[n_allow++] = optarg;
		} else if (c == 'g') {
			if (n_grants == EXPLAIN_MAX_GRANTS) {
				cli_error("profile", "more than %d --grant options",
					  EXPLAIN_MAX_GRANTS);
				goto out;
			}
			if (parse_grant(optarg, &grants[n_grants]))
				goto out;
			n_grants++;
		} else if (c == 'p') {
			free(program);
			program = realpath(optarg, NULL);
			if (!program) {
				cli_error("profile", "--program %s: %s", optarg, strerror(errno));
				return SBX_EXIT_USAGE;
			}
		} else if (c == 'j') {
			json = true;
		} else {
			status = option_end("explain", c, argv);
			goto out;
		}
	}
	if (optind + 1 != argc) {
		status = cli_usage_error("profile", "explain takes one PROFILE (see sbx profile "
						    "explain --help)");
		goto out;
	}
	err = sbx_host_facts_from_environment(&facts, storage, sizeof(storage));
	if (err) {
		cli_error("profile", "cannot read the host facts: %s", strerror(-err));
		goto out;
	}
	facts.program = program;
	/* An inherit profile's plan is the same inside its parent: show it, do not refuse. */
	facts.in_sandbox = true;
	facts.grants = grants;
	facts.n_grants = n_grants;
	if (load_named(argv[optind], &p))
		goto out;
	for (size_t i = 0; i < n_allow; i++) {
		if (sbx_profile_allow(p, allow[i], &d)) {
			cli_error_diag("profile", &d);
			goto out;
		}
	}
	if (sbx_compile(p, &facts, &plan, &d)) {
		cli_error_diag("profile", &d);
		goto out;
	}
	if (json)
		sbx_plan_write_json(plan, stdout);
	else
		sbx_plan_write_text(plan, stdout);
	status = SBX_EXIT_OK;
out:
	sbx_plan_free(plan);
	sbx_profile_free(p);
	free(program);
	for (size_t i = 0; i < n_grants; i++)
		free((char *)grants[i].path);
	return status;
}

/* ---- new ---- */

static const struct {
	const char *name, *summary, *body;
} templates[] = {
	{ "cli-tool", "a command-line tool that reads and writes the files it is given",
	  "  # Default-deny file system: the program, its libraries, /etc and a private\n"
	  "  # container ($XDG_DATA_HOME/sbx/containers/<identifier>, with TMPDIR inside).\n"
	  "  app-sandbox: true\n"
	  "  # Files named on the command line: sbx run --grant PATH[:rw] -- PROGRAM ...\n"
	  "  files.user-selected.read-write: true\n"
	  "  # No network: without network.client/server, IPv4/IPv6 sockets are refused.\n" },
	{ "network-client", "a program that connects to servers (curl, an API client)",
	  "  app-sandbox: true\n"
	  "  # Outgoing TCP connections and UDP (DNS) to any port; binding stays denied.\n"
	  "  network.client: true\n"
	  "  # Read the files the user names: sbx run --grant PATH -- PROGRAM ...\n"
	  "  files.user-selected.read-only: true\n"
	  "  # Save downloads into the XDG download directory.\n"
	  "  files.downloads.read-write: true\n" },
	{ "gui-app", "a desktop application",
	  "  app-sandbox: true\n"
	  "  network.client: true\n"
	  "  files.user-selected.read-write: true\n"
	  "  files.downloads.read-write: true\n"
	  "  files.pictures.read-only: true\n"
	  "  # Display sockets live under $XDG_RUNTIME_DIR; list what the toolkit needs:\n"
	  "  # temporary-exception.files.absolute-path.read-only: [/usr/share/fonts]\n"
	  "  # A JavaScript engine or other JIT needs writable+executable memory:\n"
	  "  # cs.allow-jit: true\n"
	  "  print: true\n" },
	{ "service", "a server that listens on a port",
	  "  app-sandbox: true\n"
	  "  # Bind and listen on any port; outgoing connections stay denied unless\n"
	  "  # network.client is added too.\n"
	  "  network.server: true\n"
	  "  # Its data lives in its container; add paths it must serve, read-only:\n"
	  "  # temporary-exception.files.absolute-path.read-only: [/srv/www]\n" },
};

static int cmd_new(int argc, char **argv)
{
	static const struct option opts[] = { { "template", required_argument, NULL, 't' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *name = "cli-tool";
	size_t t, n = sizeof(templates) / sizeof(templates[0]);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		if (c == 't')
			name = optarg;
		else
			return option_end("new", c, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error("profile", "new takes one IDENTIFIER (see sbx profile new "
						  "--help)");
	for (t = 0; t < n && strcmp(templates[t].name, name); t++)
		;
	if (t == n) {
		cli_error("profile",
			  "unknown template '%s' (cli-tool, network-client, gui-app, "
			  "service)",
			  name);
		return SBX_EXIT_USAGE;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return SBX_EXIT_USAGE;
	fprintf(f,
		"# sbx entitlement profile: %s.\n"
		"# Keys are Apple's (com.apple.security. prefix optional); sbx-profile(5)\n"
		"# says what each grants on Linux. Check it with `sbx profile lint FILE` and see\n"
		"# the kernel rules with `sbx profile explain FILE`.\n"
		"identifier: \"%s\"\n"
		"entitlements:\n%s"
		"  # Hardened Runtime is on by default: no writable+executable memory, no\n"
		"  # LD_PRELOAD, not debuggable. cs.* keys lift those one by one.\n"
		"# launch-constraints:\n"
		"#   parent:\n"
		"#     team-identifier: ABCDE12345\n",
		templates[t].summary, argv[optind], templates[t].body);
	fclose(f);
	/* What `new` prints must load: it checks the identifier and the template at once. */
	if (sbx_profile_load_buffer("<new profile>", text, len, &p, &d)) {
		cli_error_diag("profile", &d);
		free(text);
		return SBX_EXIT_USAGE;
	}
	sbx_profile_free(p);
	fputs(text, stdout);
	free(text);
	return SBX_EXIT_OK;
}

/* ---- import / canonical ---- */

static int import_or_canonical(int argc, char **argv, bool import)
{
	static const struct option opts[] = { { "identifier", required_argument, NULL, 'i' },
					      { "ignore-unknown", no_argument, NULL, 'u' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *identifier = NULL, *verb = import ? "import" : "canonical";
	bool lenient = false;
	struct sbx_diag d = { 0 };
	struct sbx_profile *p;
	char *buf, path[PATH_MAX];
	size_t len;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		if (c == 'i' && import)
			identifier = optarg;
		else if (c == 'u' && import)
			lenient = true;
		else
			return option_end(verb, c, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error("profile", "%s takes one %s (see sbx profile %s --help)",
				       verb, import ? "APP.entitlements" : "PROFILE", verb);
	if (identifier && !sbx_profile_identifier_valid(identifier))
		return cli_usage_error(
			"profile", "--identifier '%s' is not reverse-DNS (e.g. org.example.app)",
			identifier);
	err = import ? 0 : sbx_profile_find(argv[optind], path, sizeof(path), NULL, &d);
	if (!err)
		err = (lenient ? sbx_profile_load_file_lenient
			       : sbx_profile_load_file)(import ? argv[optind] : path, &p, &d);
	if (err) {
		cli_error_diag("profile", &d);
		return SBX_EXIT_USAGE;
	}
	if (identifier) {
		char *copy = strdup(identifier);

		free(p->identifier);
		p->identifier = copy;
	}
	if (!p->identifier || sbx_profile_canonical(p, &buf, &len)) {
		cli_error("profile", "out of memory");
		sbx_profile_free(p);
		return SBX_EXIT_USAGE;
	}
	if (import) {
		print_warnings(stderr, p);
		printf("# Imported by `sbx profile import` from %s.\n", argv[optind]);
		for (size_t i = 0; i < p->n_warnings; i++)
			printf("# warning: %s\n", p->warnings[i].msg);
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	sbx_profile_free(p);
	return SBX_EXIT_OK;
}

static int cmd_import(int argc, char **argv)
{
	return import_or_canonical(argc, argv, true);
}

static int cmd_canonical(int argc, char **argv)
{
	return import_or_canonical(argc, argv, false);
}

/* ---- list / show ---- */

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	struct sbx_profile_dir dirs[SBX_PROFILE_MAX_DIRS];
	struct sbx_profile_entry *list;
	struct sbx_diag d = { 0 };
	size_t n, ndirs;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return option_end("list", c, argv);
	}
	if (optind != argc)
		return cli_usage_error("profile",
				       "list: unexpected argument '%s' (see sbx profile "
				       "list --help)",
				       argv[optind]);
	if (sbx_profile_list(&list, &n, &d)) {
		cli_error_diag("profile", &d);
		return SBX_EXIT_USAGE;
	}
	ndirs = sbx_profile_search_path(dirs, SBX_PROFILE_MAX_DIRS);
	if (json) {
		struct sbx_json j;

		sbx_json_init(&j, stdout, true);
		sbx_json_object_begin(&j, NULL);
		sbx_json_array_begin(&j, "search_path");
		for (size_t i = 0; i < ndirs; i++) {
			sbx_json_object_begin(&j, NULL);
			sbx_json_string(&j, "origin", sbx_profile_origin_name(dirs[i].origin));
			sbx_json_string(&j, "path", dirs[i].path);
			sbx_json_object_end(&j);
		}
		sbx_json_array_end(&j);
		sbx_json_array_begin(&j, "profiles");
		for (size_t i = 0; i < n; i++) {
			sbx_json_object_begin(&j, NULL);
			sbx_json_string(&j, "name", list[i].name);
			sbx_json_string(&j, "origin", sbx_profile_origin_name(list[i].origin));
			sbx_json_string(&j, "path", list[i].path);
			sbx_json_bool(&j, "wins", list[i].wins);
			sbx_json_object_end(&j);
		}
		sbx_json_array_end(&j);
		sbx_json_object_end(&j);
		sbx_json_finish(&j);
	} else {
		printf("%-16s %-16s %s\n", "NAME", "ORIGIN", "FILE");
		for (size_t i = 0; i < n; i++)
			printf("%-16s %-16s %s%s\n", list[i].name,
			       sbx_profile_origin_name(list[i].origin), list[i].path,
			       list[i].wins ? "" : " (overridden)");
	}
	free(list);
	return SBX_EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
	enum sbx_profile_origin origin;
	struct sbx_diag d = { 0 };
	char path[PATH_MAX], buf[4096];
	size_t got;
	FILE *f;
	int c;

	opterr = 0;
	if ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return option_end("show", c, argv);
	if (optind + 1 != argc)
		return cli_usage_error("profile", "show takes one PROFILE (see sbx profile show "
						  "--help)");
	if (sbx_profile_find(argv[optind], path, sizeof(path), &origin, &d)) {
		cli_error_diag("profile", &d);
		return SBX_EXIT_USAGE;
	}
	f = fopen(path, "re");
	if (!f) {
		cli_error("profile", "%s: %s", path, strerror(errno));
		return SBX_EXIT_USAGE;
	}
	printf("# %s: %s (%s)\n", argv[optind], path, sbx_profile_origin_name(origin));
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, got, stdout);
	fclose(f);
	return SBX_EXIT_OK;
}

int cmd_profile(int argc, char **argv)
{
	return cli_verbs_dispatch(&profile_verbs, argc, argv);
}
