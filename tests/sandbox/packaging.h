/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What install.c and deb.c share: each makes one temporary tree per run before the tests
 * fork (an install, a package build), from the source tree's Makefile, and every test
 * SKIPs when the tree or the tools are not here (a failure in CI, where make deps installs
 * the tools) or fails with the log when the build did.
 */
#ifndef SBX_TESTS_PACKAGING_H
#define SBX_TESTS_PACKAGING_H

#include <stdarg.h>
#include <stdbool.h>

#include "sbx_test.h"

#define P 1024

/* make in the source tree, clear of the calling make's jobserver and variables. */
#define SBX_MAKE                                                                       \
	"env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u DESTDIR -u PREFIX -u CFLAGS make " \
	"--no-print-directory "

static char tmp[P]; /* this run's tree */
static char skip_reason[256]; /* the tree is missing, or this run does not build */
static char missing_tools[200]; /* the tools missing here */
static char build_log[4096]; /* the build failed: its last lines */
static bool built;
/* What the tests ran last: each test is a process of its own, so one buffer serves all. */
static struct sbx_cmd_result result, *const r = &result;

/*
 * Make tmp; true when the source tree has file (relative to it) and every command of
 * commands (separated by spaces) exists, else skip_reason or missing_tools says why not.
 */
static bool packaging_prepare(const char *file, const char *commands)
{
	char path[P + 64];

	if (!sbx_mkdtemp(tmp, sizeof(tmp)))
		return false;
	snprintf(path, sizeof(path), "%s/%s", sbx_src(), file);
	if (access(path, R_OK)) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "no source tree with %s here (a copy of the tests only)", file);
		return false;
	}
	return !sbx_missing_commands(commands, missing_tools, sizeof(missing_tools))[0];
}

/* The tree's build in a shell: true when it succeeded, else build_log has its output. */
static bool __attribute__((format(printf, 1, 2))) packaging_build(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) || sbx_sh(r, "%s", cmd) || r->status) {
		snprintf(build_log, sizeof(build_log), "%.2000s%.2000s", r->out, r->err);
		return false;
	}
	return built = true;
}

static void __attribute__((destructor)) packaging_remove_tmp(void)
{
	if (tmp[0])
		sbx_rmtree(tmp);
}

#define NEED_BUILD()                                                                  \
	do {                                                                          \
		if (skip_reason[0])                                                   \
			SKIP(return, "%s", skip_reason);                              \
		ASSERT_FALSE(missing_tools[0] && sbx_in_ci())                         \
		TH_LOG("CI=true, yet not installed: %s", missing_tools);              \
		if (missing_tools[0])                                                 \
			SKIP(return, "not installed (make deps): %s", missing_tools); \
		ASSERT_TRUE(built) TH_LOG("the build failed:\n%s", build_log);        \
	} while (0)

#endif /* SBX_TESTS_PACKAGING_H */
