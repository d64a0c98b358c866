// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	{ "profile", cmd_profile, "lint, explain, create and import entitlement profiles" },
	{ "sign", cmd_sign, "sign binaries and scripts with identity and entitlements" },
	{ "verify", cmd_verify, "check a signature chains to a trust anchor" },
	{ "display", cmd_display, "show a signature's identity and entitlements" },
	{ "trust", cmd_trust, "manage trust anchors, revocations and platform trust caches" },
	{ "log", cmd_log, "sbxd's events: what it refused, and the signature fact missing" },
};

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sbx %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_error_diag(const char *cmd, const struct sbx_diag *d)
{
	char buf[1024];

	fprintf(stderr, "sbx %s: %s\n", cmd, sbx_diag_format(d, buf, sizeof(buf)));
}

static int usage(FILE *out, int status)
{
	fprintf(out, "usage: sbx COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].fn)
			fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`sbx COMMAND --help` describes one command.\n");
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, SBX_EXIT_USAGE);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout, SBX_EXIT_OK);
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
