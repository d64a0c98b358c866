/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A library error: the -errno the function returns, plus one human sentence and, when
 * the error is about a file, where in it. Only the CLI prints it.
 */
#ifndef SBX_DIAG_H
#define SBX_DIAG_H

#include <stddef.h>

struct sbx_diag {
	int err; /* negative errno, 0 when unset */
	char file[256]; /* empty when the error is not about a file */
	unsigned int line, col; /* 1-based; 0 when unknown */
	char msg[512];
};

/* Record an error and return err (a negative errno) so callers can `return sbx_diag_set(…)`. */
int sbx_diag_set(struct sbx_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with a position in a file. */
int sbx_diag_set_at(struct sbx_diag *d, int err, const char *file, unsigned int line,
		    unsigned int col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* "file:line:col: msg" (or just "msg"), into buf. */
const char *sbx_diag_format(const struct sbx_diag *d, char *buf, size_t len);

#endif /* SBX_DIAG_H */
