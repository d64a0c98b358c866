/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What install.c and deb.c share: each makes one temporary tree per run before the tests
 * fork (an install, a package build), from the source tree's Makefile, and every test
 * SKIPs when the tree or the tools are not here or fails with the log when the build did.
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
static char skip_reason[256]; /* the tree or a tool is missing */
static char build_log[4096]; /* the build failed: its last lines */
static bool built;

/*
 * Make tmp; true when the source tree has file (relative to it) and every command of
 * commands (a shell list) exists, else skip_reason says which is missing.
 */
static bool packaging_prepare(struct sbx_cmd_result *r, const char *file, const char *commands)
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
	if (sbx_sh(r, "for c in %s; do command -v $c >/dev/null || echo $c; done", commands) ||
	    r->out[0]) {
		r->out[strcspn(r->out, "\n")] = '\0';
		snprintf(skip_reason, sizeof(skip_reason), "%.60s is not installed (make deps)",
			 r->out);
		return false;
	}
	return true;
}

static void __attribute__((destructor)) packaging_remove_tmp(void)
{
	if (tmp[0])
		sbx_rmtree(tmp);
}

#define NEED_BUILD()                                                           \
	do {                                                                   \
		if (skip_reason[0])                                            \
			SKIP(return, "%s", skip_reason);                       \
		ASSERT_TRUE(built) TH_LOG("the build failed:\n%s", build_log); \
	} while (0)

#endif /* SBX_TESTS_PACKAGING_H */
