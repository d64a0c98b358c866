// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The grants the supervisor's checks compare against: each file-system rule of the plan,
 * opened before the program starts and kept as (st_dev, st_ino) with its rights, as
 * Landlock keeps a rule on the inode it was opened on. A path that was renamed or
 * replaced after the start keeps the grant on the object, as Landlock's rule does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "supervise/supervise_internal.h"

static int roots_add(struct sbx_supervisor *s, dev_t dev, ino_t ino, uint64_t access)
{
	if (s->n_roots == s->cap_roots) {
		size_t cap = s->cap_roots ? s->cap_roots * 2 : 32;
		struct sup_root *r = realloc(s->roots, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->roots = r;
		s->cap_roots = cap;
	}
	s->roots[s->n_roots++] = (struct sup_root){ .dev = dev, .ino = ino, .access = access };
	return 0;
}

static int roots_record(void *ctx, const struct stat *st, uint64_t access)
{
	return roots_add(ctx, st->st_dev, st->st_ino, access);
}

/*
 * A system rule for a program run as root: the grants the ruleset got for it, entry by
 * entry where the tree holds root's own (landlock/grant_others.c), so the supervisor
 * carries out for the program (getxattr, watches) only what Landlock would let it reach.
 */
static int roots_system(struct sbx_supervisor *s, const struct sbx_fs_rule *r,
			const struct landlock_ids *self, struct sbx_diag *d)
{
	struct landlock_grant_sink sink = { .ruleset = -1, .record = roots_record, .ctx = s };
	int fd = open(r->path, O_PATH | O_CLOEXEC), err;
	uint64_t access = r->access;
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		if (err == -ENOENT || err == -ENOTDIR)
			return 0;
		return sbx_diag_set(d, err, "supervisor: cannot open %s: %s", r->path,
				    strerror(-err));
	}
	if (!S_ISDIR(st.st_mode))
		access &= SBX_LANDLOCK_FS_FILE_RIGHTS;
	err = landlock_grant_others(&sink, r, access, fd, &st, self, NULL, d);
	close(fd);
	return err;
}

int sup_roots_open(struct sbx_supervisor *s, const struct sbx_landlock_plan *p, struct sbx_diag *d)
{
	struct landlock_ids self;
	gid_t *groups = NULL;
	int err = 0;

	s->fs_confined = p->enabled;
	if (!p->enabled || !p->n_fs)
		return 0;
	s->others_only = landlock_others_only();
	if (s->others_only) {
		groups = malloc(NGROUPS_MAX * sizeof(*groups));
		if (!groups)
			return sbx_diag_set(d, -ENOMEM, "supervisor: out of memory");
		landlock_ids_of_caller(&self, groups, NGROUPS_MAX);
	}
	for (size_t i = 0; i < p->n_fs && !err; i++) {
		const struct sbx_fs_rule *r = &p->fs[i];
		struct stat st;

		if (r->system && groups) {
			err = roots_system(s, r, &self, d);
			continue;
		}
		/* The inode open(path, O_PATH) gives, as landlock_build_ruleset opens it. */
		if (stat(r->path, &st)) {
			err = -errno;
			/* An absent path grants nothing (the launcher skips or refuses it). */
			if (err == -ENOENT || err == -ENOTDIR)
				err = 0;
			else
				sbx_diag_set(d, err, "supervisor: cannot open %s: %s", r->path,
					     strerror(-err));
			continue;
		}
		err = roots_add(s, st.st_dev, st.st_ino, r->access);
		if (err)
			sbx_diag_set(d, err, "supervisor: out of memory");
	}
	free(groups);
	return err;
}
