// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A system tree granted to a program run as root gives it only what it gives others.
 *
 * Landlock grants a directory with all beneath it, and leaves the rest to DAC. For an
 * ordinary user DAC keeps root's files in /etc closed (shadow 0640 root:shadow, ssh host
 * keys 0600); a program run as root under --allow-root has no capability left but is still
 * their owner, and DAC asks no capability of an owner (atk8u R1). So for such a program a
 * system rule (plan.h: system) is granted by its parts: a subtree in which the program may
 * do nothing that others may not (by the mode bits of each entry, and the search bits of
 * each directory on the way) keeps one rule; a directory holding something more is granted
 * entry by entry, recursively. Landlock rules only add, so what is left out is closed.
 *
 * "Others may" is judged on the mode: owner bits when the program's uid owns the entry,
 * group bits when its gid or a supplementary group does, else other bits, against the
 * other bits; ACLs are not read (the entries of system trees carry none, and an ACL's
 * "other" entry is the mode's). A directory the program cannot search now (polkitd's
 * 0700 rules.d) gets no rule: its owner may open it later, and what root left in it would
 * then be the program's (atk10u F2).
 *
 * A rule on an entry stays on that inode, as Landlock keeps it: an entry created later in
 * a directory granted entry by entry is closed, and one replaced (rename over it) too; an
 * entry created later in a subtree granted whole is open to its modes' owner. The walk is
 * bounded (entries, depth): what lies past a bound gets no rule, so it is closed, never
 * open. The owner of a directory in a system tree (postgres in /etc/postgresql) decides
 * what the walk meets there, so a bound never refuses the run (atk10u F1): the most that
 * owner does is close that part of the tree to root's program.
 *
 * A listing (READ_DIR) is judged on each directory alone, not on its subtree: /etc is
 * listed by others, so root's program lists it too, although /etc/ssl/private (0710
 * root:ssl-cert) beneath it is not. Landlock grants a listing with all beneath it, so a
 * directory only root may list, beneath one others may list, is listed too: its names,
 * never its files (their reads are judged entry by entry as above), the boundary of the
 * grant. Judged on the subtree, no directory above such a one could be listed, and `ls
 * /etc` failed for root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compile/compile.h"
#include "landlock/landlock.h"
#include "uapi_compat.h"

#define OTHERS_DEPTH 64

/* Which mode bits (r 4, w 2, x 1) each right needs, on a directory or on another file. */
static const struct {
	uint64_t right;
	bool dir;
	unsigned int bits;
} right_bits[] = {
	{ LANDLOCK_ACCESS_FS_READ_FILE, false, 4 },    { LANDLOCK_ACCESS_FS_EXECUTE, false, 1 },
	{ LANDLOCK_ACCESS_FS_WRITE_FILE, false, 2 },   { LANDLOCK_ACCESS_FS_TRUNCATE, false, 2 },
	{ LANDLOCK_ACCESS_FS_RESOLVE_UNIX, false, 2 }, { LANDLOCK_ACCESS_FS_READ_DIR, true, 4 },
	{ LANDLOCK_ACCESS_FS_REMOVE_DIR, true, 3 },    { LANDLOCK_ACCESS_FS_REMOVE_FILE, true, 3 },
	{ LANDLOCK_ACCESS_FS_MAKE_CHAR, true, 3 },     { LANDLOCK_ACCESS_FS_MAKE_DIR, true, 3 },
	{ LANDLOCK_ACCESS_FS_MAKE_REG, true, 3 },      { LANDLOCK_ACCESS_FS_MAKE_SOCK, true, 3 },
	{ LANDLOCK_ACCESS_FS_MAKE_FIFO, true, 3 },     { LANDLOCK_ACCESS_FS_MAKE_BLOCK, true, 3 },
	{ LANDLOCK_ACCESS_FS_MAKE_SYM, true, 3 },      { LANDLOCK_ACCESS_FS_REFER, true, 3 },
	/* IOCTL_DEV acts on a descriptor the program opened with the rights above: no bits. */
};

static unsigned int self_bits(mode_t mode, uid_t owner, gid_t group,
			      const struct landlock_ids *self)
{
	bool member = group == self->gid;

	if (owner == self->uid)
		return (mode >> 6) & 7;
	for (size_t i = 0; !member && i < self->n_groups; i++)
		member = self->groups[i] == group;
	return member ? (mode >> 3) & 7 : mode & 7;
}

uint64_t landlock_others_clean(mode_t mode, uid_t owner, gid_t group,
			       const struct landlock_ids *self)
{
	unsigned int mine = self_bits(mode, owner, group, self), others = mode & 7;
	uint64_t clean = ~0ULL;

	for (size_t i = 0; i < sizeof(right_bits) / sizeof(right_bits[0]); i++) {
		unsigned int b = right_bits[i].bits;

		if (right_bits[i].dir != S_ISDIR(mode))
			continue;
		if ((mine & b) == b && (others & b) != b)
			clean &= ~right_bits[i].right;
	}
	if (S_ISDIR(mode) && (mine & 1) && !(others & 1))
		clean = 0; /* the program reaches beneath it, others reach nothing */
	return clean;
}

struct others_walk {
	const struct sbx_fs_rule *r;
	const struct landlock_grant_sink *sink;
	uint64_t want;
	const struct landlock_ids *self;
	size_t entries;
	char path[PATH_MAX];
	struct sbx_diag *d;
};

int landlock_grants_add(struct landlock_grants *g, dev_t dev, ino_t ino, uint64_t access)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 32;
		struct landlock_grant *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = (struct landlock_grant){ .dev = dev, .ino = ino, .access = access };
	return 0;
}

static const char *walk_from(const struct others_walk *w)
{
	return w->r->entitlement ? w->r->entitlement : "the plan";
}

static int add_rule(struct others_walk *w, int fd, const struct stat *st, uint64_t access)
{
	struct sbx_landlock_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };
	int err;

	if (!access)
		return 0;
	if (w->sink->ruleset >= 0 && syscall(__NR_landlock_add_rule, w->sink->ruleset,
					     SBX_LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		return sbx_diag_set(w->d, -errno,
				    "landlock: cannot add the rule for %s (from %s): %s", w->path,
				    walk_from(w), strerror(errno));
	if (w->sink->record) {
		err = landlock_grants_add(w->sink->record, st->st_dev, st->st_ino, access);
		if (err)
			return sbx_diag_set(w->d, err, "landlock: %s: %s", w->path, strerror(-err));
	}
	return 0;
}

struct child {
	size_t name; /* offset in the names buffer */
	uint64_t clean;
	mode_t type;
	dev_t dev;
	ino_t ino;
};

struct children {
	struct child *c;
	size_t n, cap;
	char *names;
	size_t used, names_cap;
};

static int children_add(struct children *cs, const char *name, const struct stat *st,
			uint64_t clean)
{
	size_t len = strlen(name) + 1;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 32;
		struct child *c = realloc(cs->c, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		cs->c = c;
		cs->cap = cap;
	}
	if (cs->used + len > cs->names_cap) {
		size_t cap = (cs->names_cap + len) * 2;
		char *n = realloc(cs->names, cap);

		if (!n)
			return -ENOMEM;
		cs->names = n;
		cs->names_cap = cap;
	}
	memcpy(cs->names + cs->used, name, len);
	cs->c[cs->n++] = (struct child){ .name = cs->used,
					 .clean = clean,
					 .type = st->st_mode & S_IFMT,
					 .dev = st->st_dev,
					 .ino = st->st_ino };
	cs->used += len;
	return 0;
}

static int walk_dir(struct others_walk *w, int dfd, unsigned int depth, uint64_t *clean_out);

/* One entry: its clean rights, its own subtree walked (and granted by parts) if need be. */
static int walk_entry(struct others_walk *w, int dfd, const char *name, const struct stat *st,
		      unsigned int depth, uint64_t *clean)
{
	uint64_t beneath;
	int sub, err;

	*clean = landlock_others_clean(st->st_mode, st->st_uid, st->st_gid, w->self);
	if (!S_ISDIR(st->st_mode) || !*clean)
		return 0;
	if (!(self_bits(st->st_mode, st->st_uid, st->st_gid, w->self) & 1)) {
		*clean = 0; /* the program cannot enter it now; its owner may open it later */
		return 0;
	}
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return sbx_diag_set(w->d, -errno,
				    "landlock: cannot list %s (beneath %s, from %s) to grant root "
				    "only what others may read: %s",
				    w->path, w->r->path, walk_from(w), strerror(errno));
	err = walk_dir(w, sub, depth + 1, &beneath);
	*clean &= beneath;
	return err;
}

/*
 * Grant the children of a directory whose subtree is not clean for every wanted right:
 * each child gets, as a whole, the wanted rights its own subtree is clean for and its
 * directory's is not (those its directory is clean for, a rule above grants).
 */
static int grant_children(struct others_walk *w, int dfd, const struct children *cs,
			  uint64_t dir_clean)
{
	size_t len = strlen(w->path);
	int err = 0;

	for (size_t i = 0; !err && i < cs->n; i++) {
		const struct child *c = &cs->c[i];
		uint64_t access = c->clean & ~dir_clean & w->want;
		struct stat st;
		int fd;

		if (c->type != S_IFDIR)
			access &= SBX_LANDLOCK_FS_FILE_RIGHTS;
		if (!access)
			continue;
		snprintf(w->path + len, sizeof(w->path) - len, "/%s", cs->names + c->name);
		fd = openat(dfd, cs->names + c->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT) /* removed meanwhile: nothing to grant */
				err = sbx_diag_set(w->d, -errno, "landlock: cannot open %s: %s",
						   w->path, strerror(errno));
		} else if (fstat(fd, &st)) {
			err = sbx_diag_set(w->d, -errno, "landlock: %s: %s", w->path,
					   strerror(errno));
		} else if (st.st_dev != c->dev || st.st_ino != c->ino) {
			/* Replaced since it was judged: judged again, or refused if a directory. */
			if (S_ISDIR(st.st_mode) || c->type == S_IFDIR)
				err = sbx_diag_set(w->d, -EAGAIN,
						   "landlock: %s changed while sbx read %s: "
						   "try again",
						   w->path, w->r->path);
			else if (!S_ISLNK(st.st_mode))
				err = add_rule(w, fd, &st,
					       access & landlock_others_clean(st.st_mode, st.st_uid,
									      st.st_gid, w->self));
		} else {
			err = add_rule(w, fd, &st, access);
		}
		if (fd >= 0)
			close(fd);
		w->path[len] = '\0';
	}
	return err;
}

static int walk_dir(struct others_walk *w, int dfd, unsigned int depth, uint64_t *clean_out)
{
	size_t len = strlen(w->path);
	struct children cs = { 0 };
	uint64_t clean = ~0ULL;
	struct dirent *e;
	DIR *dir;
	int err = 0;

	*clean_out = 0;
	if (depth > OTHERS_DEPTH || w->entries > SBX_LANDLOCK_OTHERS_MAX_ENTRIES) {
		close(dfd); /* past a bound: no rule here, closed */
		return 0;
	}
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return sbx_diag_set(w->d, -errno, "landlock: %s: %s", w->path, strerror(errno));
	}
	while (!err && (errno = 0, e = readdir(dir))) {
		uint64_t c;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++w->entries > SBX_LANDLOCK_OTHERS_MAX_ENTRIES ||
		    snprintf(w->path + len, sizeof(w->path) - len, "/%s", e->d_name) >=
			    (int)(sizeof(w->path) - len)) {
			clean = 0; /* past a bound: this directory is granted by its parts read */
			break;
		}
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT) /* removed meanwhile: nothing to grant */
				err = sbx_diag_set(w->d, -errno, "landlock: %s: %s", w->path,
						   strerror(errno));
		} else if (!S_ISLNK(st.st_mode)) {
			/* A symlink is no object of Landlock's: its target is judged where it is.
			 */
			err = walk_entry(w, dirfd(dir), e->d_name, &st, depth, &c);
			if (!err) {
				/* A listing is judged where it is (the file header says why). */
				clean &= c | LANDLOCK_ACCESS_FS_READ_DIR;
				err = children_add(&cs, e->d_name, &st, c);
				if (err)
					sbx_diag_set(w->d, err, "landlock: out of memory");
			}
		}
		w->path[len] = '\0';
	}
	if (!err && errno)
		err = sbx_diag_set(w->d, -errno, "landlock: %s: %s", w->path, strerror(errno));
	if (!err && (w->want & ~clean))
		err = grant_children(w, dirfd(dir), &cs, clean);
	closedir(dir);
	free(cs.c);
	free(cs.names);
	*clean_out = clean;
	return err;
}

bool landlock_others_only(void)
{
	return geteuid() == 0;
}

size_t landlock_ids_of_caller(struct landlock_ids *self, gid_t *groups, size_t n)
{
	int got = getgroups((int)n, groups);

	*self = (struct landlock_ids){ .uid = geteuid(),
				       .gid = getegid(),
				       .groups = groups,
				       .n_groups = got > 0 ? (size_t)got : 0 };
	return self->n_groups;
}

int landlock_grant_others(const struct landlock_grant_sink *sink, const struct sbx_fs_rule *r,
			  uint64_t access, int fd, const struct stat *st,
			  const struct landlock_ids *self, struct sbx_diag *d)
{
	struct others_walk *w;
	uint64_t clean;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
	*w = (struct others_walk){ .r = r, .sink = sink, .want = access, .self = self, .d = d };
	snprintf(w->path, sizeof(w->path), "%s", r->path);
	err = walk_entry(w, fd, ".", st, 0, &clean);
	if (!err)
		err = add_rule(w, fd, st, clean & access);
	free(w);
	return err;
}
