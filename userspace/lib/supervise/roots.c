// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The grants the supervisor's checks compare against: each file-system rule of the plan,
 * opened before the program starts and kept as (st_dev, st_ino) with its rights, as
 * Landlock keeps a rule on the inode it was opened on. A path that was renamed or
 * replaced after the start keeps the grant on the object, as Landlock's rule does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "supervise/supervise_internal.h"

int sup_roots_open(struct sbx_supervisor *s, const struct sbx_landlock_plan *p, struct sbx_diag *d)
{
	s->fs_confined = p->enabled;
	if (!p->enabled || !p->n_fs)
		return 0;
	s->roots = calloc(p->n_fs, sizeof(*s->roots));
	if (!s->roots)
		return sbx_diag_set(d, -ENOMEM, "supervisor: out of memory");
	for (size_t i = 0; i < p->n_fs; i++) {
		const struct sbx_fs_rule *r = &p->fs[i];
		struct stat st;

		/* The inode open(path, O_PATH) gives, as landlock_build_ruleset opens it. */
		if (stat(r->path, &st)) {
			int err = -errno;

			/* An absent path grants nothing (the launcher skips or refuses it). */
			if (err == -ENOENT || err == -ENOTDIR)
				continue;
			return sbx_diag_set(d, err, "supervisor: cannot open %s: %s", r->path,
					    strerror(-err));
		}
		s->roots[s->n_roots++] = (struct sup_root){ .dev = st.st_dev,
							    .ino = st.st_ino,
							    .access = r->access };
	}
	return 0;
}
