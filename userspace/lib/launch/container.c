// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/container.h"
#include "statedir.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Deeper than this a tree is left as it is (each level holds a descriptor). */
#define MAX_DEPTH 128

static int open_dir_at(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* mkdir -p of rel beneath dfd, never through a symlink; returns 0 or -errno. */
static int make_beneath(int dfd, const char *rel)
{
	char buf[PATH_MAX];
	struct stat st;
	int fd, err = 0;

	/* From the second run on it is there: one call. (Reached through a link the program
	 * planted, it is only looked at: nothing is made.) */
	if (!fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode))
		return 0;
	fd = dup(dfd);
	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (mkdirat(fd, c, 0700) && errno != EEXIST) {
			err = -errno;
			break;
		}
		next = open_dir_at(fd, c);
		if (next < 0) {
			err = -errno;
			break;
		}
		close(fd);
		fd = next;
	}
	close(fd);
	return err;
}

/* Empty the directory dfd (whose entries the program may have made read-only); 0 or -errno. */
static int empty_dir(int dfd, int depth)
{
	DIR *dir;
	struct dirent *e;
	int fd, err = 0;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	fchmod(dfd, 0700); /* ours: a program's chmod 500 must not keep its files */
	fd = dup(dfd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(dir))) {
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!unlinkat(dfd, e->d_name, 0))
			continue;
		if (errno != EISDIR) {
			err = -errno;
			continue;
		}
		sub = open_dir_at(dfd, e->d_name);
		if (sub < 0) {
			err = -errno;
			continue;
		}
		int r = empty_dir(sub, depth + 1);

		close(sub);
		if (r)
			err = r;
		else if (unlinkat(dfd, e->d_name, AT_REMOVEDIR))
			err = -errno;
	}
	closedir(dir);
	return err;
}

/* Remove name beneath dfd and everything in it, never following a symlink. */
static int remove_at(int dfd, const char *name)
{
	int fd = open_dir_at(dfd, name), err;

	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? (unlinkat(dfd, name, 0) ? -errno : 0)
							  : -errno;
	err = empty_dir(fd, 0);
	close(fd);
	if (!err && unlinkat(dfd, name, AT_REMOVEDIR))
		err = -errno;
	return err;
}

static int make_run_tmp(int parent, struct sbx_container_run *r, const char *tmp_dir)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char rnd[6];

		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(r->tmp_name, sizeof(r->tmp_name), "run.%02x%02x%02x%02x%02x%02x", rnd[0],
			 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		if (!mkdirat(parent, r->tmp_name, 0700)) {
			snprintf(r->tmp, sizeof(r->tmp), "%s/%s", tmp_dir, r->tmp_name);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/*
 * KEY.owner in containers/ (which no sandbox can write, and the tree check made this
 * user's alone) names the container's owner from the first run on; a run for anyone else
 * is refused. Beside the key, it catches two owners whose key fields were cut to one.
 */
static int claim(int containers_fd, const char *dir, const char *key, const char *owner,
		 struct sbx_diag *d)
{
	char name[NAME_MAX + 8], have[PATH_MAX + 400];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "%s.owner", key);
	fd = openat(containers_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd >= 0) {
		size_t len = strlen(owner);
		bool ok = write(fd, owner, len) == (ssize_t)len && write(fd, "\n", 1) == 1;

		close(fd);
		if (!ok) {
			unlinkat(containers_fd, name, 0);
			return sbx_diag_set(d, -EIO,
					    "container: cannot record its owner in %s.owner", dir);
		}
		return 0;
	}
	if (errno != EEXIST)
		return sbx_diag_set(d, -errno, "container: cannot record its owner in %s.owner: %s",
				    dir, strerror(errno));
	fd = openat(containers_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "container: cannot read its owner in %s.owner: %s",
				    dir, strerror(errno));
	n = read(fd, have, sizeof(have) - 1);
	close(fd);
	have[n > 0 ? n : 0] = '\0';
	have[strcspn(have, "\n")] = '\0';
	if (strcmp(have, owner))
		return sbx_diag_set(d, -EPERM, "container %s belongs to %s, not to %s: refused",
				    dir, have, owner);
	return 0;
}

/*
 * The canary a nested sbx proves its sandbox with (launch/target.h): a file of this user,
 * readable to it, in sbx/ beside containers/, where no plan grants anything, so that only
 * a Landlock domain makes opening it fail.
 */
static int make_canary(int sbx_fd, const char *sbx_dir, struct sbx_container_run *r,
		       struct sbx_diag *d)
{
	struct stat st;
	int fd = openat(sbx_fd, "sandbox-canary",
			O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		if (fd >= 0)
			close(fd);
		return sbx_diag_set(
			d, -EPERM, "container: %s/sandbox-canary is not this user's file", sbx_dir);
	}
	close(fd);
	if (snprintf(r->canary, sizeof(r->canary), "%s/sandbox-canary", sbx_dir) >=
	    (int)sizeof(r->canary))
		r->canary[0] = '\0';
	return 0;
}

/* out: path without its last name. */
static void parent_of(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%.*s", (int)(strrchr(path, '/') - path), path);
}

/*
 * The container's directory from the plan's base down (BASE/[LAYOUT/]sbx/containers/KEY),
 * each one made where absent and checked (statedir.h); claimed for owner, and the
 * canary made, when asked. Returns the container's descriptor, or -errno.
 */
static int open_container(const struct sbx_process_plan *pp, const char *owner, bool canary,
			  struct sbx_container_run *r, struct sbx_diag *d)
{
	static const char what[] = "the app containers";
	const char *dir = pp->container_dir, *base = pp->container_base, *key;
	char containers[PATH_MAX], sbx_dir[PATH_MAX], top[PATH_MAX];
	size_t n = base ? strlen(base) : 0;
	int sbx_fd, containers_fd, fd, err = 0;

	while (n && base[n - 1] == '/')
		n--;
	parent_of(containers, sizeof(containers), dir);
	parent_of(sbx_dir, sizeof(sbx_dir), containers);
	parent_of(top, sizeof(top), sbx_dir);
	key = dir + strlen(containers) + 1;
	if (!base || strncmp(top, base, n) || (top[n] && top[n] != '/') ||
	    strcmp(sbx_dir + strlen(top), "/sbx") ||
	    strcmp(containers + strlen(sbx_dir), "/containers"))
		return sbx_diag_set(d, -EINVAL, "container %s is not in sbx/containers beneath %s",
				    dir, base ? base : "a base directory");
	fd = sbx_state_dir_open(base, top + n, what, d);
	if (fd < 0)
		return fd;
	sbx_fd = sbx_state_dir_at(fd, top, "sbx", what, d);
	close(fd);
	if (sbx_fd < 0)
		return sbx_fd;
	containers_fd = sbx_state_dir_at(sbx_fd, sbx_dir, "containers", what, d);
	if (containers_fd >= 0 && canary)
		err = make_canary(sbx_fd, sbx_dir, r, d);
	close(sbx_fd);
	if (containers_fd < 0)
		return containers_fd;
	if (!err && owner)
		err = claim(containers_fd, dir, key, owner, d);
	fd = err ? err : sbx_state_dir_at(containers_fd, containers, key, what, d);
	close(containers_fd);
	return fd;
}

int sbx_container_begin(const struct sbx_process_plan *pp, const char *owner, bool canary,
			struct sbx_container_run *r, struct sbx_diag *d)
{
	const char *dir = pp->container_dir;
	size_t n = strlen(dir);
	struct stat st;
	int err;

	*r = (struct sbx_container_run){ .lock_fd = -1, .tmp_parent_fd = -1 };
	r->lock_fd = open_container(pp, owner, canary, r, d);
	if (r->lock_fd < 0) {
		err = r->lock_fd;
		sbx_container_end(r);
		return err;
	}
	if (flock(r->lock_fd, LOCK_SH | LOCK_NB)) {
		err = errno == EWOULDBLOCK
			      ? sbx_diag_set(d, -EBUSY,
					     "container %s is being removed (sbx container rm)",
					     dir)
			      : sbx_diag_set(d, -errno, "container %s: flock: %s", dir,
					     strerror(errno));
		sbx_container_end(r);
		return err;
	}
	if (fstat(r->lock_fd, &st) || st.st_nlink == 0) {
		sbx_container_end(r);
		return sbx_diag_set(d, -ENOENT, "container %s was removed meanwhile", dir);
	}
	for (size_t i = 0; pp->home_dir && i < ARRAY_SIZE(sbx_plan_home_dirs); i++) {
		err = make_beneath(r->lock_fd, sbx_plan_home_dirs[i].rel);
		if (err) {
			sbx_container_end(r);
			return sbx_diag_set(d, err, "container: cannot create %s/%s: %s", dir,
					    sbx_plan_home_dirs[i].rel, strerror(-err));
		}
	}
	if (!pp->tmp_dir)
		return 0;
	/* tmp_dir is beneath the container: made and opened from it, never through a link. */
	if (strncmp(pp->tmp_dir, dir, n) || pp->tmp_dir[n] != '/')
		err = -EINVAL;
	else
		err = make_beneath(r->lock_fd, pp->tmp_dir + n + 1);
	if (!err) {
		r->tmp_parent_fd = open_dir_at(r->lock_fd, pp->tmp_dir + n + 1);
		err = r->tmp_parent_fd < 0 ? -errno
					   : make_run_tmp(r->tmp_parent_fd, r, pp->tmp_dir);
	}
	if (err) {
		sbx_container_end(r);
		return sbx_diag_set(d, err, "container: cannot make a tmp beneath %s: %s",
				    pp->tmp_dir, strerror(-err));
	}
	return 0;
}

void sbx_container_end(struct sbx_container_run *r)
{
	if (r->tmp_parent_fd >= 0 && r->tmp_name[0])
		remove_at(r->tmp_parent_fd, r->tmp_name);
	if (r->tmp_parent_fd >= 0)
		close(r->tmp_parent_fd);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	*r = (struct sbx_container_run){ .lock_fd = -1, .tmp_parent_fd = -1 };
}

int sbx_containers_open(const struct sbx_host_facts *f, char *out, size_t len, struct sbx_diag *d)
{
	/* The walk's base as compile.c's container_base: HOME, or $XDG_DATA_HOME when set. */
	const char *base = f->data_home_base ? f->data_home_base : f->xdg_data_home;
	int n;

	if (!f->xdg_data_home)
		return sbx_diag_set(d, -ENOENT, "%s",
				    f->data_home_problem ? f->data_home_problem
							 : "no home directory: no app containers");
	n = snprintf(out, len, "%s/sbx/containers", f->xdg_data_home);
	if (n < 0 || (size_t)n >= len)
		return sbx_diag_set(d, -ENAMETOOLONG, "path too long");
	if (strncmp(out, base, strlen(base)))
		return sbx_diag_set(d, -EINVAL, "%s is not beneath %s", out, base);
	return sbx_state_dir_check(base, out + strlen(base), "the app containers", d);
}

/* s with every byte outside [A-Za-z0-9._-] as %XX: a key's fields never contain its '+'. */
static void escape(char *out, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			out[n++] = (char)c;
		else
			n += snprintf(out + n, len - n, "%%%02X", c);
	}
	out[n] = '\0';
	if (!strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, len, "%%2E");
}

void sbx_container_key_signed(char *out, size_t len, const char *anchor, const char *team,
			      const char *identifier)
{
	char a[200], b[300];

	escape(a, sizeof(a), team);
	escape(b, sizeof(b), identifier);
	snprintf(out, len, "signed+%.32s+%.60s+%.200s", anchor, a, b);
}

void sbx_container_key_profile(char *out, size_t len, const char *identifier, const char *hash)
{
	char esc[300];

	escape(esc, sizeof(esc), identifier);
	snprintf(out, len, "profile+%.250s+%s", esc, hash);
}

/* signed+ANCHOR+TEAM+IDENTIFIER or profile+IDENTIFIER+H: the identifier field. */
static bool key_identifier(const char *key, char *out, size_t len)
{
	const char *s;
	size_t n;

	if (!strncmp(key, "signed+", 7)) {
		s = strchr(key + 7, '+');
		s = s ? strchr(s + 1, '+') : NULL;
		if (!s)
			return false;
		n = strlen(++s);
	} else if (!strncmp(key, "profile+", 8)) {
		s = key + 8;
		n = strcspn(s, "+");
		if (!s[n])
			return false;
	} else {
		return false;
	}
	snprintf(out, len, "%.*s", (int)n, s);
	return n > 0;
}

static void read_info(int rootfd, const char *key, struct sbx_container_info *c)
{
	char owner[NAME_MAX + 8];
	int fd;

	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	key_identifier(key, c->identifier, sizeof(c->identifier));
	snprintf(owner, sizeof(owner), "%s.owner", key);
	fd = openat(rootfd, owner, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, c->owner, sizeof(c->owner) - 1);

		c->owner[n > 0 ? n : 0] = '\0';
		c->owner[strcspn(c->owner, "\n")] = '\0';
		close(fd);
	}
	fd = open_dir_at(rootfd, key);
	if (fd >= 0) {
		c->in_use = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
		close(fd);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys under rootfd (directories, not hidden), sorted; *keys malloc'd. */
static int list_keys(int rootfd, const char *root, char ***keys, size_t *n, struct sbx_diag *d)
{
	DIR *dir;
	struct dirent *e;
	int fd;

	*keys = NULL;
	*n = 0;
	fd = dup(rootfd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return sbx_diag_set(d, -errno, "%s: %s", root, strerror(errno));
	}
	while ((e = readdir(dir))) {
		char **k;

		if (e->d_name[0] == '.' || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		k = realloc(*keys, (*n + 1) * sizeof(*k));
		if (!k || !(k[*n] = strdup(e->d_name))) {
			*keys = k ? k : *keys;
			closedir(dir);
			return sbx_diag_set(d, -ENOMEM, "out of memory");
		}
		*keys = k;
		(*n)++;
	}
	closedir(dir);
	if (*n)
		qsort(*keys, *n, sizeof(**keys), by_name);
	return 0;
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

int sbx_container_list(int rootfd, const char *root,
		       void (*cb)(const struct sbx_container_info *, void *), void *arg,
		       struct sbx_diag *d)
{
	struct sbx_container_info *c = malloc(sizeof(*c));
	char **keys;
	size_t n;
	int err;

	if (!c)
		return sbx_diag_set(d, -ENOMEM, "out of memory");
	err = list_keys(rootfd, root, &keys, &n, d);
	for (size_t i = 0; !err && i < n; i++) {
		read_info(rootfd, keys[i], c);
		cb(c, arg);
	}
	free_keys(keys, n);
	free(c);
	return err;
}

int sbx_container_find(int rootfd, const char *root, const char *name,
		       struct sbx_container_info *out, struct sbx_diag *d)
{
	char **keys, id[NAME_MAX + 1], list[512] = "";
	size_t n, found = 0;
	int err;

	err = list_keys(rootfd, root, &keys, &n, d);
	for (size_t i = 0; !err && i < n; i++) {
		if (!strcmp(keys[i], name)) {
			found = 1;
			read_info(rootfd, keys[i], out);
			break;
		}
		if (!key_identifier(keys[i], id, sizeof(id)) || strcmp(id, name))
			continue;
		if (!found++)
			read_info(rootfd, keys[i], out);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 found > 1 ? ", " : "", keys[i]);
	}
	free_keys(keys, n);
	if (err)
		return err;
	if (!found)
		return sbx_diag_set(d, -ENOENT, "no container '%s' in %s (sbx container list)",
				    name, root);
	if (found > 1)
		return sbx_diag_set(d, -EEXIST,
				    "%zu containers have the identifier %s: name one by its key "
				    "(%s)",
				    found, name, list);
	return 0;
}

int sbx_container_remove(int rootfd, const char *root, const char *key, struct sbx_diag *d)
{
	char owner[NAME_MAX + 8];
	int fd, err;

	if (!*key || strchr(key, '/') || key[0] == '.')
		return sbx_diag_set(d, -EINVAL, "'%s' is not a container's key", key);
	fd = open_dir_at(rootfd, key);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "%s/%s: %s", root, key, strerror(errno));
	/* Held until the directory is gone: a run starting meanwhile refuses (begin). */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK
			      ? sbx_diag_set(d, -EBUSY,
					     "%s is in use by a running sbx run: refused (end "
					     "that run first)",
					     key)
			      : sbx_diag_set(d, -errno,
					     "cannot tell whether a sbx run uses %s (flock: %s): "
					     "refused",
					     key, strerror(errno));
		close(fd);
		return err;
	}
	err = empty_dir(fd, 0);
	if (!err && unlinkat(rootfd, key, AT_REMOVEDIR))
		err = -errno;
	close(fd);
	if (err)
		return sbx_diag_set(d, err, "%s/%s: cannot remove all of it: %s", root, key,
				    strerror(-err));
	snprintf(owner, sizeof(owner), "%s.owner", key);
	if (unlinkat(rootfd, owner, 0) && errno != ENOENT)
		err = sbx_diag_set(d, -errno, "%s/%s: %s", root, owner, strerror(errno));
	return err;
}
