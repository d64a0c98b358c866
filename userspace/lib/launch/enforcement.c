// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/enforcement.h"
#include "statedir.h"

const char *const sbx_feature_names[] = {
	"landlock",
	"landlock.refer",
	"landlock.truncate",
	"landlock.net.tcp",
	"landlock.ioctl-dev",
	"landlock.scope",
	"landlock.resolve-unix",
	"landlock.net.udp",
	"landlock.log",
	"seccomp",
	"seccomp.notify",
	"mdwe",
	"no-new-privs",
	"capabilities",
	NULL,
};

bool sbx_feature_name_known(const char *name)
{
	for (size_t i = 0; sbx_feature_names[i]; i++)
		if (!strcmp(sbx_feature_names[i], name))
			return true;
	return false;
}

struct sbx_feature_state *sbx_enforcement_add(struct sbx_enforcement *e, const char *feature,
					      const char *what, bool wanted, bool available,
					      bool security)
{
	struct sbx_feature_state *s;

	if (e->n < SBX_ENFORCEMENT_MAX)
		e->n++;
	s = &e->items[e->n - 1];
	memset(s, 0, sizeof(*s));
	s->feature = feature;
	s->what = what;
	s->wanted = wanted;
	s->available = available;
	s->enforced = wanted && available;
	s->security = security;
	return s;
}

void sbx_enforcement_note(struct sbx_enforcement *e, const char *fmt, ...)
{
	va_list ap;
	size_t max = sizeof(e->notes) / sizeof(e->notes[0]);

	if (e->n_notes >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(e->notes[e->n_notes++], sizeof(e->notes[0]), fmt, ap);
	va_end(ap);
}

const struct sbx_feature_state *sbx_enforcement_find(const struct sbx_enforcement *e,
						     const char *feature)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->items[i].feature, feature))
			return &e->items[i];
	return NULL;
}

bool sbx_enforcement_has_drop(const struct sbx_enforcement *e, bool security_only)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct sbx_feature_state *s = &e->items[i];

		if (s->wanted && !s->enforced && (!security_only || s->security))
			return true;
	}
	return false;
}

static int refuse(const char *by, const struct sbx_feature_state *s, struct sbx_diag *d)
{
	return sbx_diag_set(d, -EOPNOTSUPP, "%s %s (%s) is not enforced on this kernel%s%s", by,
			    s->feature, s->what, s->why[0] ? ": " : "", s->why);
}

int sbx_enforcement_require(const struct sbx_enforcement *e, const char *const *names, bool all,
			    struct sbx_diag *d)
{
	for (size_t i = 0; names && names[i]; i++) {
		const struct sbx_feature_state *s = sbx_enforcement_find(e, names[i]);

		if (!s)
			return sbx_diag_set(d, -EINVAL, "unknown feature '%s'", names[i]);
		if (!s->available || (s->wanted && !s->enforced))
			return refuse("required", s, d);
	}
	for (size_t i = 0; all && i < e->n; i++)
		if (e->items[i].wanted && !e->items[i].enforced)
			return refuse("--require-all:", &e->items[i], d);
	return 0;
}

bool sbx_enforcement_first_notice(const char *base, const char *rel, const char *kernel,
				  const char *feature)
{
	char line[512], have[512];
	struct sbx_diag d = { 0 };
	bool seen = false;
	struct stat st;
	int dfd, fd, n;
	FILE *f;

	n = snprintf(line, sizeof(line), "%s %s\n", kernel, feature);
	if (n < 0 || (size_t)n >= sizeof(line) || strchr(kernel, '\n') || strchr(feature, ' '))
		return true;
	/* Never through a link, a FIFO or another user's directory (root's sbx with a user's
	 * HOME): then nothing is remembered, and the note is said again. */
	dfd = sbx_state_dir_open(base, rel, "sbx's notes", &d);
	if (dfd < 0)
		return true;
	fd = sbx_state_dir_at(dfd, base, "sbx", "sbx's notes", &d);
	close(dfd);
	if (fd < 0)
		return true;
	dfd = fd;
	fd = openat(dfd, "kernel-notes",
		    O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return true;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return true;
	}
	f = fdopen(dup(fd), "re");
	while (f && !seen && fgets(have, sizeof(have), f))
		seen = !strcmp(have, line);
	if (f)
		fclose(f);
	/* One write of one short line: O_APPEND keeps concurrent runs' lines whole. A short
	 * record only means the note is said again next time. */
	if (!seen && write(fd, line, (size_t)n) != n) {
	}
	close(fd);
	return !seen;
}
