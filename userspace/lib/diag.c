// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

static int diag_vset(struct sbx_diag *d, int err, const char *file, unsigned int line,
		     unsigned int col, const char *fmt, va_list ap)
{
	if (!d)
		return err;
	d->err = err;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	d->col = col;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	return err;
}

int sbx_diag_set(struct sbx_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = diag_vset(d, err, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return err;
}

int sbx_diag_set_at(struct sbx_diag *d, int err, const char *file, unsigned int line,
		    unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = diag_vset(d, err, file, line, col, fmt, ap);
	va_end(ap);
	return err;
}

const char *sbx_diag_format(const struct sbx_diag *d, char *buf, size_t len)
{
	if (!d->file[0])
		snprintf(buf, len, "%s", d->msg);
	else if (!d->line)
		snprintf(buf, len, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, len, "%s:%u:%u: %s", d->file, d->line, d->col, d->msg);
	return buf;
}
