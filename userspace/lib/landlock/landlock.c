// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "compile/compile.h"
#include "landlock/landlock.h"
#include "uapi_compat.h"

#define FS_ABI1                                                           \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |     \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |     \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |     \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |     \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |   \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_ABI2	  (FS_ABI1 | LANDLOCK_ACCESS_FS_REFER)
#define FS_ABI3	  (FS_ABI2 | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_ABI5	  (FS_ABI3 | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define FS_ABI9	  (FS_ABI5 | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)
#define NET_TCP	  (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define NET_UDP	  (LANDLOCK_ACCESS_NET_BIND_UDP | LANDLOCK_ACCESS_NET_CONNECT_SEND_UDP)
#define SCOPES	  (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)
#define LOG_FLAGS LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON

/* Rights that mean something on a non-directory; the others make add_rule fail EINVAL. */
#define FS_FILE_RIGHTS                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)

/* What each ABI can express, indexed by ABI: one table instead of scattered ifs. */
static const struct {
	uint64_t fs, net, scope;
	uint32_t restrict_flags;
	size_t attr_size;
} abi_masks[SBX_LANDLOCK_ABI_MAX + 1] = {
	[0] = { 0, 0, 0, 0, 0 },
	[1] = { FS_ABI1, 0, 0, 0, 8 },
	[2] = { FS_ABI2, 0, 0, 0, 8 },
	[3] = { FS_ABI3, 0, 0, 0, 8 },
	[4] = { FS_ABI3, NET_TCP, 0, 0, 16 },
	[5] = { FS_ABI5, NET_TCP, 0, 0, 16 },
	[6] = { FS_ABI5, NET_TCP, SCOPES, 0, 24 },
	[7] = { FS_ABI5, NET_TCP, SCOPES, LOG_FLAGS, 24 },
	[8] = { FS_ABI5, NET_TCP, SCOPES, LOG_FLAGS, 24 },
	[9] = { FS_ABI9, NET_TCP, SCOPES, LOG_FLAGS, 24 },
	[10] = { FS_ABI9, NET_TCP | NET_UDP, SCOPES, LOG_FLAGS,
		 sizeof(struct sbx_landlock_ruleset_attr) },
};

static int clamp_abi(int abi)
{
	if (abi < 0)
		return 0;
	return abi > SBX_LANDLOCK_ABI_MAX ? SBX_LANDLOCK_ABI_MAX : abi;
}

uint64_t landlock_fs_mask(int abi)
{
	return abi_masks[clamp_abi(abi)].fs;
}

uint64_t landlock_net_mask(int abi)
{
	return abi_masks[clamp_abi(abi)].net;
}

uint64_t landlock_scope_mask(int abi)
{
	return abi_masks[clamp_abi(abi)].scope;
}

uint32_t landlock_restrict_flags(int abi)
{
	return abi_masks[clamp_abi(abi)].restrict_flags;
}

size_t landlock_ruleset_attr_size(int abi)
{
	return abi_masks[clamp_abi(abi)].attr_size;
}

int landlock_abi_version(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi > 0 ? (int)abi : 0;
}

/*
 * One feature: wanted when the plan uses it, available from ABI min_abi; rights when it is
 * file or network rights of the ruleset (what --complain judges instead of enforcing).
 */
static void fit_one(struct sbx_enforcement *e, int abi, const char *feature, const char *what,
		    bool wanted, int min_abi, bool security, bool rights)
{
	struct sbx_feature_state *s =
		sbx_enforcement_add(e, feature, what, wanted, abi >= min_abi, security);

	s->rights = rights;

	if (abi == 0)
		snprintf(s->why, sizeof(s->why), "Landlock is unavailable on this kernel");
	else if (abi < min_abi)
		snprintf(s->why, sizeof(s->why), "needs Landlock ABI %d, kernel has %d", min_abi,
			 abi);
}

void landlock_fit_plan(const struct sbx_landlock_plan *p, int abi, struct sbx_enforcement *e)
{
	bool on = p->enabled;

	fit_one(e, abi, "landlock", "file system default-deny (Landlock)", on, 1, true, true);
	/*
	 * Without REFER (ABI 1) Landlock refuses every rename or link across directories: a
	 * drop that costs function, not confinement.
	 */
	fit_one(e, abi, "landlock.refer", "rename and link between granted directories",
		on && (p->handled_fs & LANDLOCK_ACCESS_FS_REFER), 2, false, true);
	fit_one(e, abi, "landlock.truncate", "truncate only where writing is granted",
		on && (p->handled_fs & LANDLOCK_ACCESS_FS_TRUNCATE), 3, true, true);
	fit_one(e, abi, "landlock.net.tcp", "TCP bind and connect only to granted ports",
		on && (p->handled_net & NET_TCP), 4, true, true);
	fit_one(e, abi, "landlock.ioctl-dev", "device ioctls only where granted",
		on && (p->handled_fs & LANDLOCK_ACCESS_FS_IOCTL_DEV), 5, true, true);
	fit_one(e, abi, "landlock.scope",
		"no signals or abstract unix sockets to processes outside the sandbox",
		on && (p->scoped & SCOPES), 6, true, false);
	fit_one(e, abi, "landlock.resolve-unix",
		"connect to pathname unix sockets only where granted",
		on && (p->handled_fs & LANDLOCK_ACCESS_FS_RESOLVE_UNIX), 9, true, true);
	fit_one(e, abi, "landlock.net.udp", "UDP bind and send only to granted ports",
		on && (p->handled_net & NET_UDP), 10, true, true);
	/* Whether the program's denials reach the audit log (only root can read it). */
	fit_one(e, abi, "landlock.log", "denials of the program logged to audit", on, 7, false,
		false);
	if (on && abi > SBX_LANDLOCK_ABI_MAX)
		sbx_enforcement_note(
			e, "kernel Landlock ABI %d is newer than sbx knows (%d): used as %d", abi,
			SBX_LANDLOCK_ABI_MAX, SBX_LANDLOCK_ABI_MAX);
}

/*
 * The directories a write rule must not be on (plan.h: own): each of sbx's own directories
 * that exists, or its deepest existing ancestor, and every directory above it, as inodes.
 * A rule on any of them reaches the directory, whatever path or mount named it.
 */
struct own_dirs {
	struct {
		dev_t dev;
		ino_t ino;
		const char *what, *path;
	} dir[64];
	size_t n;
};

static void own_dirs_find(const struct sbx_landlock_plan *p, struct own_dirs *o)
{
	o->n = 0;
	for (size_t i = 0; i < p->n_own; i++) {
		char path[PATH_MAX];
		struct stat st, up;
		int fd, parent;

		snprintf(path, sizeof(path), "%s", p->own[i]);
		while ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 &&
		       strrchr(path, '/') > path)
			*strrchr(path, '/') = '\0';
		if (fd < 0)
			fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		while (fd >= 0 && !fstat(fd, &st) && o->n < sizeof(o->dir) / sizeof(o->dir[0])) {
			o->dir[o->n].dev = st.st_dev;
			o->dir[o->n].ino = st.st_ino;
			o->dir[o->n].what = p->own_what[i];
			o->dir[o->n++].path = p->own[i];
			parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			close(fd);
			fd = parent;
			if (fd >= 0 && (fstat(fd, &up) ||
					(up.st_dev == st.st_dev && up.st_ino == st.st_ino))) {
				close(fd);
				fd = -1;
			}
		}
		if (fd >= 0)
			close(fd);
	}
}

/*
 * The files beneath a write grant carry only modes within 0777 | S_ISVTX and no file
 * capability (the allow-list of atk5u A, which the calls that carry a mode keep inside).
 * The kernel clears a set-id bit and security.capability when a caller without CAP_FSETID
 * writes a file (file_remove_privs: write, truncate, fallocate, copy_file_range, splice,
 * AIO), but not when it stores through a shared writable mapping (mmap or mprotect
 * PROT_WRITE of MAP_SHARED), and seccomp cannot tell a shared mapping's file: the program
 * would rewrite a set-user-id program that runs for whoever executes it (root's, under
 * --allow-root; the user's own, for every other user). So the launcher refuses the grant
 * while one is beneath it; the program cannot make one (its creating calls and chmod keep
 * the allow-list, and Landlock's REFER keeps links from outside out). Not followed:
 * symlinks (Landlock does not follow them either). A directory the launcher may not list
 * but may enter refuses the grant (fail closed); one it may not enter is out of reach.
 */
#define SETID_DEPTH 256

struct setid_walk {
	const struct sbx_fs_rule *r;
	char path[PATH_MAX];
	struct sbx_diag *d;
};

static int setid_refuse(struct setid_walk *w, const char *why)
{
	return sbx_diag_set(w->d, -EPERM,
			    "%s is %s, beneath the write grant %s (from %s): a program may "
			    "rewrite it through a shared mapping and keep that; remove it or "
			    "grant another directory",
			    w->path, why, w->r->path,
			    w->r->entitlement ? w->r->entitlement : "the plan");
}

/* at: the file's path for lgetxattr (w->path, or /proc/self/fd/N for a granted file). */
static int setid_file(struct setid_walk *w, const char *at, const struct stat *st)
{
	/*
	 * Only a file the program could rewrite counts: one it may write, or its own (its
	 * owner may chmod it or give itself an ACL). Another user's set-id program in a
	 * shared directory (/tmp:rw) would otherwise let anyone block every such run. The
	 * program runs with sbx's ids, so sbx's access is the program's; root writes all.
	 */
	if (st->st_uid != geteuid() && faccessat(AT_FDCWD, at, W_OK, AT_EACCESS))
		return 0;
	if (st->st_mode & S_ISUID)
		return setid_refuse(w, "set-user-id");
	if (st->st_mode & S_ISGID)
		return setid_refuse(w, "set-group-id");
	if (lgetxattr(at, "security.capability", NULL, 0) >= 0)
		return setid_refuse(w, "given a file capability (security.capability)");
	if (errno == ENODATA || errno == ENOTSUP || errno == ENOENT)
		return 0;
	return sbx_diag_set(w->d, -errno,
			    "%s (beneath the write grant %s): cannot read its "
			    "security.capability: %s",
			    w->path, w->r->path, strerror(errno));
}

static int setid_dir(struct setid_walk *w, int dfd, unsigned int depth)
{
	size_t len = strlen(w->path);
	struct dirent *e;
	DIR *dir;
	int err = 0;

	if (depth > SETID_DEPTH)
		return sbx_diag_set(w->d, -ELOOP,
				    "%s (beneath the write grant %s) is more than "
				    "%d directories deep: not checked for set-id files",
				    w->path, w->r->path, SETID_DEPTH);
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	}
	while (!err && (errno = 0, e = readdir(dir))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (snprintf(w->path + len, sizeof(w->path) - len, "/%s", e->d_name) >=
		    (int)(sizeof(w->path) - len)) {
			err = sbx_diag_set(w->d, -ENAMETOOLONG,
					   "a name beneath the write grant "
					   "%s is too long to check for set-id files",
					   w->r->path);
			break;
		}
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT) /* removed meanwhile: nothing to check */
				err = sbx_diag_set(w->d, -errno, "%s: %s", w->path,
						   strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			err = setid_file(w, w->path, &st);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(dir), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				err = setid_dir(w, sub, depth + 1);
			else if (errno != EACCES ||
				 !faccessat(dirfd(dir), e->d_name, X_OK, AT_EACCESS))
				err = sbx_diag_set(w->d, -errno,
						   "%s (beneath the write grant %s): "
						   "cannot list it to check for set-id files: %s",
						   w->path, w->r->path, strerror(errno));
		}
		w->path[len] = '\0';
	}
	if (!err && errno)
		err = sbx_diag_set(w->d, -errno, "%s: %s", w->path, strerror(errno));
	closedir(dir);
	return err;
}

/* fd: the rule's path, O_PATH; st its stat. */
static int setid_beneath(const struct sbx_fs_rule *r, int fd, const struct stat *st,
			 struct sbx_diag *d)
{
	struct setid_walk *w;
	int sub, err;

	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return 0;
	w = malloc(sizeof(*w));
	if (!w)
		return sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
	w->r = r;
	w->d = d;
	snprintf(w->path, sizeof(w->path), "%s", r->path);
	if (S_ISREG(st->st_mode)) {
		char at[32];

		snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
		err = setid_file(w, at, st);
	} else {
		sub = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = sub < 0 ? sbx_diag_set(d, -errno,
					     "%s: cannot list it to check for set-id "
					     "files: %s",
					     r->path, strerror(errno))
			      : setid_dir(w, sub, 0);
	}
	free(w);
	return err;
}

static int add_fs_rule(int ruleset, const struct sbx_fs_rule *r, uint64_t handled,
		       const struct own_dirs *own, struct sbx_diag *d)
{
	struct sbx_landlock_path_beneath_attr pb = { 0 };
	struct stat st = { 0 };
	int err = 0;

	pb.parent_fd = open(r->path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0) {
		if (r->if_exists && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		err = -errno;
		return sbx_diag_set(d, err, "landlock: cannot open %s (rule from %s): %s", r->path,
				    r->entitlement ? r->entitlement : "the plan", strerror(-err));
	}
	pb.allowed_access = r->access & handled;
	if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE_RIGHTS;
	for (size_t i = 0; (pb.allowed_access & SBX_FS_WRITES) && S_ISDIR(st.st_mode) && i < own->n;
	     i++) {
		if (own->dir[i].dev != st.st_dev || own->dir[i].ino != st.st_ino)
			continue;
		close(pb.parent_fd);
		return sbx_diag_set(d, -EPERM,
				    "%s (from %s) would let the program write %s, where sbx keeps "
				    "%s: grant a directory beneath or beside it instead",
				    r->path, r->entitlement ? r->entitlement : "the plan",
				    own->dir[i].path, own->dir[i].what);
	}
	/*
	 * A domain that handles reading is the sandbox's (default-deny); the one that handles
	 * only writing (compile.c's /proc/self/mem guard) grants it beneath all of "/".
	 */
	if ((handled & LANDLOCK_ACCESS_FS_READ_FILE) &&
	    (pb.allowed_access & LANDLOCK_ACCESS_FS_WRITE_FILE)) {
		err = setid_beneath(r, pb.parent_fd, &st, d);
		if (err) {
			close(pb.parent_fd);
			return err;
		}
	}
	if (pb.allowed_access &&
	    syscall(__NR_landlock_add_rule, ruleset, SBX_LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) {
		err = -errno;
		sbx_diag_set(d, err, "landlock: cannot add the rule for %s (from %s): %s", r->path,
			     r->entitlement ? r->entitlement : "the plan", strerror(-err));
	}
	close(pb.parent_fd);
	return err;
}

int landlock_build_ruleset(const struct sbx_landlock_plan *p, int abi, struct sbx_diag *d)
{
	struct sbx_landlock_ruleset_attr attr = { 0 };
	struct own_dirs *own;
	int fd, err;

	if (!p->enabled || abi <= 0)
		return -ENOENT;
	attr.handled_access_fs = p->handled_fs & landlock_fs_mask(abi);
	attr.handled_access_net = p->handled_net & landlock_net_mask(abi);
	attr.scoped = p->scoped & landlock_scope_mask(abi);
	fd = syscall(__NR_landlock_create_ruleset, &attr, landlock_ruleset_attr_size(abi), 0);
	if (fd < 0) {
		err = -errno;
		return sbx_diag_set(d, err, "landlock: cannot create the ruleset (ABI %d): %s", abi,
				    strerror(-err));
	}
	own = malloc(sizeof(*own));
	if (!own) {
		err = sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
		goto err_close;
	}
	own_dirs_find(p, own);
	for (size_t i = 0; i < p->n_fs; i++) {
		err = add_fs_rule(fd, &p->fs[i], attr.handled_access_fs, own, d);
		if (err)
			break;
	}
	free(own);
	if (err)
		goto err_close;
	for (size_t i = 0; i < p->n_net; i++) {
		const struct sbx_net_rule *r = &p->net[i];
		struct sbx_landlock_net_port_attr np = {
			.allowed_access = r->access & attr.handled_access_net,
			.port = r->port,
		};

		if (!np.allowed_access)
			continue;
		if (syscall(__NR_landlock_add_rule, fd, SBX_LANDLOCK_RULE_NET_PORT, &np, 0)) {
			err = sbx_diag_set(
				d, -errno,
				"landlock: cannot add the rule for port %u (from %s): %s", r->port,
				r->entitlement ? r->entitlement : "the plan", strerror(errno));
			goto err_close;
		}
	}
	return fd;

err_close:
	close(fd);
	return err;
}

int landlock_enforce_ruleset(int ruleset_fd, int abi, struct sbx_diag *d)
{
	if (syscall(__NR_landlock_restrict_self, ruleset_fd, landlock_restrict_flags(abi))) {
		int err = -errno;

		return sbx_diag_set(d, err, "landlock: cannot enforce the ruleset: %s",
				    strerror(-err));
	}
	return 0;
}

int landlock_apply_plan(const struct sbx_landlock_plan *p, int abi, struct sbx_enforcement *e,
			struct sbx_diag *d)
{
	int fd, err;

	if (e)
		landlock_fit_plan(p, abi, e);
	fd = landlock_build_ruleset(p, abi, d);
	if (fd == -ENOENT && (!p->enabled || abi <= 0))
		return 0;
	if (fd < 0)
		return fd;
	err = landlock_enforce_ruleset(fd, abi, d);
	close(fd);
	return err;
}
