// SPDX-License-Identifier: LGPL-2.1-or-later
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

/* The program's ids, which a system rule is judged for when p->others_only. */
struct build_ctx {
	const struct own_dirs *own;
	bool others_only;
	struct landlock_ids self;
	gid_t groups[NGROUPS_MAX];
	struct landlock_grants *others; /* may be NULL */
};

static int add_fs_rule(int ruleset, const struct sbx_fs_rule *r, uint64_t handled,
		       struct build_ctx *c, struct sbx_diag *d)
{
	const struct own_dirs *own = c->own;
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
		pb.allowed_access &= SBX_LANDLOCK_FS_FILE_RIGHTS;
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
		err = landlock_grant_setid_check(r, pb.parent_fd, &st, d);
		if (err) {
			close(pb.parent_fd);
			return err;
		}
	}
	if (pb.allowed_access && r->system && c->others_only) {
		struct landlock_grant_sink sink = { .ruleset = ruleset, .record = c->others };

		err = landlock_grant_others(&sink, r, pb.allowed_access, pb.parent_fd, &st,
					    &c->self, d);
		close(pb.parent_fd);
		return err;
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
	return landlock_build_ruleset_others(p, abi, NULL, d);
}

int landlock_build_ruleset_others(const struct sbx_landlock_plan *p, int abi,
				  struct landlock_grants *others, struct sbx_diag *d)
{
	struct sbx_landlock_ruleset_attr attr = { 0 };
	struct own_dirs *own;
	struct build_ctx *c;
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
	c = calloc(1, sizeof(*c));
	if (!own || !c) {
		free(own);
		free(c);
		err = sbx_diag_set(d, -ENOMEM, "landlock: out of memory");
		goto err_close;
	}
	own_dirs_find(p, own);
	c->own = own;
	c->others_only = p->others_only;
	c->others = others;
	landlock_ids_of_caller(&c->self, c->groups, NGROUPS_MAX);
	err = 0;
	for (size_t i = 0; i < p->n_fs && !err; i++)
		err = add_fs_rule(fd, &p->fs[i], attr.handled_access_fs, c, d);
	free(own);
	free(c);
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
