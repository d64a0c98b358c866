/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sbx command line: one file per command, each an int cmd_NAME(argc, argv) that
 * returns the process exit status. Only the CLI turns library errors into sentences.
 */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Exit statuses shared by every command (documented in README.md). */
enum {
	SBX_EXIT_OK = 0,
	SBX_EXIT_FAIL = 1, /* the command's question was answered "no" (verify, lint --strict) */
	SBX_EXIT_USAGE = 2, /* bad command line or bad input file */
	SBX_EXIT_RUN_FAILED = 125, /* sbx run: sbx itself failed, the program never ran */
	SBX_EXIT_CANNOT_EXEC = 126, /* sbx run: the program cannot be executed */
	SBX_EXIT_NOT_FOUND = 127, /* sbx run: the program was not found */
};

/* "sbx CMD: message" on stderr, one line. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "sbx CMD: file:line:col: message" from a library diagnostic. */
void cli_error_diag(const char *cmd, const struct sbx_diag *d);

/* A verb of a command with sub-verbs (sbx profile lint): its usage and one-line summary. */
struct cli_verb {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the verb */
	const char *usage; /* the arguments after "sbx CMD VERB" */
	const char *summary;
};
/* A command with sub-verbs (sbx profile, sbx container). */
struct cli_verbs {
	const char *cmd;
	const struct cli_verb *verbs;
	size_t n;
	const char *tail; /* printed after every usage, past a blank line */
};
/* sbx CMD ARGS: --help, help [VERB], a verb (its status), or a usage error. */
int cli_verbs_dispatch(const struct cli_verbs *v, int argc, char **argv);
/* sbx CMD VERB --help: the verb's usage and summary (every verb's when unknown) on stdout. */
int cli_verbs_help(const struct cli_verbs *v, const char *verb);
/* A usage error: "sbx CMD: message" on stderr, one line; returns SBX_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * getopt_long's '?' (with opterr = 0): the option it stopped at, as a usage error of
 * "sbx CMD [VERB]"; returns SBX_EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, const char *verb, char **argv);

/* Commands. Those not built yet are weak and absent from `sbx help`. */
int cmd_status(int argc, char **argv);
int cmd_profile(int argc, char **argv) __attribute__((weak));
int cmd_run(int argc, char **argv) __attribute__((weak));
int cmd_learn(int argc, char **argv) __attribute__((weak));
int cmd_sign(int argc, char **argv) __attribute__((weak));
int cmd_verify(int argc, char **argv) __attribute__((weak));
int cmd_display(int argc, char **argv) __attribute__((weak));
int cmd_trust(int argc, char **argv) __attribute__((weak));
int cmd_log(int argc, char **argv) __attribute__((weak));
int cmd_container(int argc, char **argv) __attribute__((weak));

/*
 * --key, --cert and --chain: who signs, for sbx sign and sbx trust cache build. A command
 * puts CLI_SIGNER_OPTIONS in its long options, hands those three to cli_signer_option and
 * loads the signer with cli_signer_load (cli/sign.c).
 */
#define CLI_OPT_CHAIN 0x100 /* other long-only options number from CLI_OPT_CHAIN + 1 */
/* clang-format off */
#define CLI_SIGNER_OPTIONS                              \
	{ "key", required_argument, NULL, 'k' },        \
	{ "cert", required_argument, NULL, 'c' },       \
	{ "chain", required_argument, NULL, CLI_OPT_CHAIN }
/* clang-format on */
struct cli_signer_args {
	const char *key, *cert, *chain;
};
struct sbx_signer;
void cli_signer_option(struct cli_signer_args *a, int c, const char *arg);
/* The signer a names (key and cert set): errors as one line (-1), warnings as lines. */
int cli_signer_load(const char *cmd, const struct cli_signer_args *a, struct sbx_signer *s);

/*
 * sbx run's whole path, for sbx learn (cmd_learn.c): on_profile sees the profile that
 * applies (with --allow added) and its plan (alive until cli_run returns) before the program
 * runs, on_denial every record, none rate-limited with --complain.
 */
struct sbx_profile;
struct sbx_host_facts;
struct sbx_plan;
struct sbx_seccomp_denial;
struct cli_run_observer {
	void (*on_profile)(const struct sbx_profile *p, const char *source,
			   const struct sbx_host_facts *facts, const struct sbx_plan *plan,
			   void *arg);
	void (*on_denial)(const struct sbx_seccomp_denial *d, void *arg);
	void *arg;
};
int cli_run(int argc, char **argv, const struct cli_run_observer *obs);

/* sbxd's run directory: $SBX_RUN_DIR, else /run/sbx (cmd_log.c). */
const char *cli_sbxd_run_dir(void);

#endif /* SBX_CLI_H */
