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

/*
 * A system rule for a program run as root, when the launcher's ruleset walk was not
 * handed over: walked again, as the ruleset was (landlock/grant_others.c), so the
 * supervisor carries out for the program (getxattr, watches) only what Landlock would let
 * it reach.
 */
static int roots_system(struct sbx_supervisor *s, const struct sbx_fs_rule *r, struct sbx_diag *d)
{
	struct landlock_grant_sink sink = { .ruleset = -1, .record = &s->roots };
	int fd = open(r->path, O_PATH | O_CLOEXEC), err;
	uint64_t access = r->access;
	struct landlock_ids self;
	gid_t *groups;
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
	groups = malloc(NGROUPS_MAX * sizeof(*groups));
	if (!groups) {
		close(fd);
		return sbx_diag_set(d, -ENOMEM, "supervisor: out of memory");
	}
	landlock_ids_of_caller(&self, groups, NGROUPS_MAX);
	if (!S_ISDIR(st.st_mode))
		access &= SBX_LANDLOCK_FS_FILE_RIGHTS;
	err = landlock_grant_others(&sink, r, access, fd, &st, &self, d);
	free(groups);
	close(fd);
	return err;
}

int sup_roots_open(struct sbx_supervisor *s, const struct sbx_landlock_plan *p,
		   const struct landlock_grants *system, struct sbx_diag *d)
{
	int err = 0;

	s->fs_confined = p->enabled;
	if (!p->enabled || !p->n_fs)
		return 0;
	s->others_only = landlock_others_only();
	/* The launcher's one walk of the system trees serves the ruleset and these checks. */
	for (size_t i = 0; s->others_only && system && i < system->n && !err; i++)
		if (landlock_grants_add(&s->roots, system->v[i].dev, system->v[i].ino,
					system->v[i].access))
			err = sbx_diag_set(d, -ENOMEM, "supervisor: out of memory");
	for (size_t i = 0; i < p->n_fs && !err; i++) {
		const struct sbx_fs_rule *r = &p->fs[i];
		struct stat st;

		if (r->system && s->others_only) {
			if (!system)
				err = roots_system(s, r, d);
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
		err = landlock_grants_add(&s->roots, st.st_dev, st.st_ino, r->access);
		if (err)
			sbx_diag_set(d, err, "supervisor: out of memory");
	}
	return err;
}
