// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef SBX_VERSION
#define SBX_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "status", cmd_status, "what this kernel can enforce, and which sbx tiers work" },
	{ "run", cmd_run, "run a program confined to its entitlement profile" },
	{ "container", cmd_container, "the app containers sbx run keeps: list, path, rm" },
	{ "learn", cmd_learn, "run a program in complain mode and write the profile it needs" },
	{ "profile", cmd_profile, "lint, explain, create and import entitlement profiles" },
	{ "sign", cmd_sign, "sign binaries and scripts with identity and entitlements" },
	{ "verify", cmd_verify, "check a signature chains to a trust anchor" },
	{ "display", cmd_display, "show a signature's identity and entitlements" },
	{ "trust", cmd_trust, "manage trust anchors, revocations and platform trust caches" },
	{ "log", cmd_log, "sbxd's events: what it refused, and the signature fact missing" },
};

static void verror(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "sbx %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cmd, fmt, ap);
	va_end(ap);
}

void cli_error_diag(const char *cmd, const struct sbx_diag *d)
{
	char buf[1024];

	fprintf(stderr, "sbx %s: %s\n", cmd, sbx_diag_format(d, buf, sizeof(buf)));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(cmd, fmt, ap);
	va_end(ap);
	return SBX_EXIT_USAGE;
}

int cli_bad_option(const char *cmd, const char *verb, char **argv)
{
	const char *arg = argv[optind - 1];

	if (verb)
		return cli_usage_error(
			cmd, "%s: unknown or incomplete option '%s' (see sbx %s %s --help)", verb,
			arg, cmd, verb);
	return cli_usage_error(cmd, "unknown or incomplete option '%s' (see sbx %s --help)", arg,
			       cmd);
}

/* "usage: sbx CMD VERB ARGS" for every verb, their summaries, the tail. */
static int verbs_usage(const struct cli_verbs *v)
{
	for (size_t i = 0; i < v->n; i++)
		printf("%s sbx %s %s %s\n", i ? "      " : "usage:", v->cmd, v->verbs[i].name,
		       v->verbs[i].usage);
	putchar('\n');
	for (size_t i = 0; i < v->n; i++)
		printf("  %-10s %s\n", v->verbs[i].name, v->verbs[i].summary);
	printf("\n%s", v->tail);
	return SBX_EXIT_OK;
}

int cli_verbs_help(const struct cli_verbs *v, const char *verb)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->verbs[i].name, verb))
			continue;
		printf("usage: sbx %s %s %s\n\n%s.\n\n%s", v->cmd, verb, v->verbs[i].usage,
		       v->verbs[i].summary, v->tail);
		return SBX_EXIT_OK;
	}
	return verbs_usage(v);
}

int cli_verbs_dispatch(const struct cli_verbs *v, int argc, char **argv)
{
	char names[256] = "";

	if (argc < 2)
		return cli_usage_error(v->cmd, "expected a subcommand (see sbx %s --help)", v->cmd);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return verbs_usage(v);
	if (!strcmp(argv[1], "help"))
		return argc > 2 ? cli_verbs_help(v, argv[2]) : verbs_usage(v);
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(argv[1], v->verbs[i].name))
			return v->verbs[i].fn(argc - 1, argv + 1);
	for (size_t i = 0; i < v->n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", v->verbs[i].name);
	return cli_usage_error(v->cmd, "unknown subcommand '%s' (%s)", argv[1], names);
}

static int usage(FILE *out, int status)
{
	fprintf(out, "usage: sbx COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].fn)
			fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n`sbx COMMAND [SUBCOMMAND] --help` or `sbx help COMMAND [SUBCOMMAND]` describes "
		"one command.\n");
	return status;
}

/* sbx help [COMMAND [SUBCOMMAND]]: what `sbx COMMAND [SUBCOMMAND] --help` prints. */
static int help(int argc, char **argv)
{
	char *args[4] = { NULL, NULL, NULL, NULL };

	if (argc == 0)
		return usage(stdout, SBX_EXIT_OK);
	if (argc > 2)
		return cli_usage_error("help", "expected COMMAND [SUBCOMMAND] (see sbx help)");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!commands[i].fn || strcmp(argv[0], commands[i].name))
			continue;
		args[0] = argv[0];
		args[1] = argc == 2 ? argv[1] : (char *)"--help";
		args[2] = argc == 2 ? (char *)"--help" : NULL;
		return commands[i].fn(argc == 2 ? 3 : 2, args);
	}
	return cli_usage_error("help", "unknown command '%s' (see sbx help)", argv[0]);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, SBX_EXIT_USAGE);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout, SBX_EXIT_OK);
	if (!strcmp(argv[1], "help"))
		return help(argc - 2, argv + 2);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("sbx %s\n", SBX_VERSION);
		return SBX_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].fn && !strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "sbx: unknown command '%s' (see sbx help)\n", argv[1]);
	return SBX_EXIT_USAGE;
}
