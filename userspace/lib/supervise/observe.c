// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * File acts observed, to explain a refusal (sbx run) or to list what enforcement would
 * refuse (sbx run --complain, sbx learn). The launcher adds SBX_ANSWER_OBSERVE rules for the
 * calls that create, open, execute, remove, rename and link files; for each one the main
 * thread copies the path (and the descriptor or working directory it is relative to), lets
 * the call run with SECCOMP_USER_NOTIF_FLAG_CONTINUE whatever it says, and then judges the
 * copy as Landlock would judge the call: the rights the call needs, checked against the
 * plan's roots by the supervisor's own walk (object.c).
 *
 * The answer never depends on what was read (invariant 2): CONTINUE is the rule's answer.
 * A program that rewrites the path after the copy changes only the report. What it cannot
 * see: calls the filter does not notify (a nested sbx, a kernel without notification),
 * execveat, io_uring (refused by the filter anyway), and paths on procfs; a file descriptor
 * passed in is judged by the path it has now.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uapi_compat.h"
#include "supervise/supervise_internal.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

#define FS_READ_FILE  LANDLOCK_ACCESS_FS_READ_FILE
#define FS_READ_DIR   LANDLOCK_ACCESS_FS_READ_DIR
#define FS_WRITE_FILE LANDLOCK_ACCESS_FS_WRITE_FILE

enum obs_kind {
	OBS_OPEN, /* path, flags */
	OBS_EXEC, /* path */
	OBS_MKDIR, /* path */
	OBS_MKNOD, /* path, mode */
	OBS_UNLINK, /* path, flags (AT_REMOVEDIR) */
	OBS_RMDIR, /* path */
	OBS_SYMLINK, /* the new path */
	OBS_RENAME, /* old, new */
	OBS_LINK, /* old, new */
	OBS_BIND, /* socket, address (complain mode only: Landlock's network rules are off) */
};

/* Where a call's arguments are: -1 for none (AT_FDCWD implied, or a constant). */
struct obs_spec {
	const char *name;
	enum obs_kind kind;
	signed char dir1, path1, dir2, path2, flags; /* argument indexes */
	int fixed_flags; /* open: O_CREAT|O_WRONLY|O_TRUNC for creat */
};

static const struct obs_spec obs_specs[] = {
	{ "open", OBS_OPEN, -1, 0, -1, -1, 1, 0 },
	{ "openat", OBS_OPEN, 0, 1, -1, -1, 2, 0 },
	{ "openat2", OBS_OPEN, 0, 1, -1, -1, -1, 0 }, /* flags in struct open_how */
	{ "creat", OBS_OPEN, -1, 0, -1, -1, -1, O_CREAT | O_WRONLY | O_TRUNC },
	{ "execve", OBS_EXEC, -1, 0, -1, -1, -1, 0 },
	{ "mkdir", OBS_MKDIR, -1, 0, -1, -1, -1, 0 },
	{ "mkdirat", OBS_MKDIR, 0, 1, -1, -1, -1, 0 },
	{ "mknod", OBS_MKNOD, -1, 0, -1, -1, 1, 0 },
	{ "mknodat", OBS_MKNOD, 0, 1, -1, -1, 2, 0 },
	{ "unlink", OBS_UNLINK, -1, 0, -1, -1, -1, 0 },
	{ "unlinkat", OBS_UNLINK, 0, 1, -1, -1, 2, 0 },
	{ "rmdir", OBS_RMDIR, -1, 0, -1, -1, -1, 0 },
	{ "symlink", OBS_SYMLINK, -1, 1, -1, -1, -1, 0 },
	{ "symlinkat", OBS_SYMLINK, 1, 2, -1, -1, -1, 0 },
	{ "rename", OBS_RENAME, -1, 0, -1, 1, -1, 0 },
	{ "renameat", OBS_RENAME, 0, 1, 2, 3, -1, 0 },
	{ "renameat2", OBS_RENAME, 0, 1, 2, 3, -1, 0 },
	{ "link", OBS_LINK, -1, 0, -1, 1, -1, 0 },
	{ "linkat", OBS_LINK, 0, 1, 2, 3, 4, 0 },
	{ "bind", OBS_BIND, -1, -1, -1, -1, -1, 0 },
};

const char *const sbx_observed_calls[] = {
	"open",	  "openat",   "openat2",   "creat",    "execve", "mkdir",   "mkdirat",
	"mknod",  "mknodat",  "unlink",	   "unlinkat", "rmdir",	 "symlink", "symlinkat",
	"rename", "renameat", "renameat2", "link",     "linkat", NULL,
};

/* Calls observed in complain mode only (sbx_observed_calls is observed in both). */
const char *const sbx_observed_calls_complain[] = { "bind", NULL };

/* One path the call names: a copy, and where a relative one starts (owned; -1 absolute). */
struct obs_path {
	char path[PATH_MAX];
	int base;
	int dirfd; /* the program's: AT_FDCWD or a descriptor a relative path starts from */
};

#define N_SPECS (sizeof(obs_specs) / sizeof(obs_specs[0]))

/* Numbered once (the supervisor's main thread is the only caller). */
static const struct obs_spec *obs_spec_of(int nr)
{
	static int nrs[N_SPECS];
	static bool numbered;

	if (!numbered) {
		for (size_t i = 0; i < N_SPECS; i++)
			nrs[i] = seccomp_syscall_resolve_name(obs_specs[i].name);
		numbered = true;
	}
	for (size_t i = 0; i < N_SPECS; i++)
		if (nrs[i] == nr)
			return &obs_specs[i];
	return NULL;
}

static int copy_path(struct sup_call *c, int dir_arg, int path_arg, struct obs_path *p)
{
	p->base = -1;
	p->dirfd = dir_arg >= 0 ? (int)c->args[dir_arg] : AT_FDCWD;
	return sup_program_read_string(c->tid, c->args[path_arg], p->path, sizeof(p->path));
}

/* Where a relative path starts, taken from the program (before the call runs on). */
static int take_base(struct sup_call *c, struct obs_path *p)
{
	if (!p->path[0] || p->path[0] == '/')
		return 0;
	p->base = p->dirfd == AT_FDCWD ? sup_program_cwd(c->tid) : sup_program_getfd(c, p->dirfd);
	return p->base < 0 ? p->base : 0;
}

/* The absolute name of an O_PATH descriptor, with last appended when given. */
static void name_of(int fd, const char *last, char *out, size_t len)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0) {
		snprintf(out, len, "%s", last ? last : "?");
		return;
	}
	dir[n] = '\0';
	if (last && strcmp(dir, "/") && (size_t)n + 1 < sizeof(dir)) {
		dir[n] = '/';
		dir[n + 1] = '\0';
	}
	n = snprintf(out, len, "%s", dir);
	if (last && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "%s", last);
}

/* The directory p is in, resolved (its final component in *last, within p->path). */
static int parent_of(struct obs_path *p, const char **last)
{
	char *slash = strrchr(p->path, '/');
	struct sup_object o;
	int err;

	while (slash && slash > p->path && !slash[1]) { /* "dir/": the name is dir */
		*slash = '\0';
		slash = strrchr(p->path, '/');
	}
	if (!slash) {
		*last = p->path;
		err = sup_object_resolve(p->base, ".", true, &o);
	} else if (slash == p->path) {
		*last = slash + 1;
		err = sup_object_resolve(-1, "/", true, &o);
	} else {
		*slash = '\0';
		*last = slash + 1;
		err = sup_object_resolve(p->base, p->path, true, &o);
		*slash = '/';
	}
	if (err)
		return err;
	if (!S_ISDIR(o.st.st_mode)) {
		sup_object_close(&o);
		return -ENOTDIR;
	}
	return o.fd; /* a directory: dir is -1, fd is its own */
}

static void fill(struct sbx_file_act *act, const char *access, uint64_t need, bool is_dir)
{
	act->access = access;
	act->need = need;
	act->is_dir = is_dir;
}

/* An entry made or removed in p's directory: the rights needed there. */
static int judge_entry(const struct sbx_supervisor *s, struct obs_path *p, uint64_t need,
		       const char *access, bool is_dir, struct sbx_file_act *act)
{
	const char *last;
	int dir = parent_of(p, &last);
	bool ok;

	if (dir < 0)
		return 0;
	need &= s->handled_fs;
	ok = !need || sup_dir_grants(s, dir, need);
	if (!ok) {
		name_of(dir, NULL, act->dir, sizeof(act->dir));
		name_of(dir, last, act->path, sizeof(act->path));
		fill(act, access, need, is_dir);
	}
	close(dir);
	return !ok;
}

/* The object p names (resolved as the call would), and the rights needed on it. */
static int judge_object(const struct sbx_supervisor *s, struct obs_path *p, bool follow,
			uint64_t file_need, uint64_t dir_need, const char *access,
			struct sbx_file_act *act)
{
	struct sup_object o;
	uint64_t need;
	bool ok;

	if (sup_object_resolve(p->base, p->path, follow, &o))
		return 0;
	need = (S_ISDIR(o.st.st_mode) ? dir_need : file_need) & s->handled_fs;
	if (!S_ISREG(o.st.st_mode))
		need &= ~(uint64_t)LANDLOCK_ACCESS_FS_TRUNCATE; /* O_TRUNC truncates files only */
	/* Landlock governs files and directories; /proc is judged by another rule (ptrace). */
	ok = !need || S_ISLNK(o.st.st_mode) || sup_object_grants(s, &o, need);
	if (!ok) {
		if (S_ISDIR(o.st.st_mode)) {
			name_of(o.fd, NULL, act->path, sizeof(act->path));
			snprintf(act->dir, sizeof(act->dir), "%s", act->path);
		} else {
			const char *last = strrchr(p->path, '/');

			name_of(o.dir, last ? last + 1 : p->path, act->path, sizeof(act->path));
			name_of(o.dir, NULL, act->dir, sizeof(act->dir));
		}
		fill(act, access, need, S_ISDIR(o.st.st_mode));
	}
	sup_object_close(&o);
	return !ok;
}

static uint64_t make_right(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return LANDLOCK_ACCESS_FS_MAKE_DIR;
	case S_IFLNK:
		return LANDLOCK_ACCESS_FS_MAKE_SYM;
	case S_IFIFO:
		return LANDLOCK_ACCESS_FS_MAKE_FIFO;
	case S_IFSOCK:
		return LANDLOCK_ACCESS_FS_MAKE_SOCK;
	case S_IFCHR:
		return LANDLOCK_ACCESS_FS_MAKE_CHAR;
	case S_IFBLK:
		return LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	default:
		return LANDLOCK_ACCESS_FS_MAKE_REG;
	}
}

static int judge_open(const struct sbx_supervisor *s, struct obs_path *p, uint64_t flags,
		      struct sbx_file_act *act)
{
	int mode = (int)(flags & O_ACCMODE);
	uint64_t need = 0;
	struct stat st;
	const char *access;

	if (flags & O_PATH)
		return 0; /* Landlock does not check O_PATH opens */
	if (mode == O_RDONLY || mode == O_RDWR)
		need |= FS_READ_FILE;
	if (mode == O_WRONLY || mode == O_RDWR)
		need |= FS_WRITE_FILE;
	access = mode == O_RDONLY ? "read" : mode == O_WRONLY ? "write" : "read and write";
	if (flags & O_TRUNC)
		need |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if ((flags & O_CREAT) &&
	    fstatat(p->base >= 0 ? p->base : AT_FDCWD, p->path, &st,
		    flags & (O_EXCL | O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) &&
	    errno == ENOENT)
		return judge_entry(s, p, LANDLOCK_ACCESS_FS_MAKE_REG, "create", false, act);
	return judge_object(s, p, !(flags & O_NOFOLLOW), need,
			    mode == O_RDONLY ? FS_READ_DIR : need, access, act);
}

/* rename and link: removed from (rename) and made in the new directory, REFER between. */
static int judge_move(const struct sbx_supervisor *s, struct obs_path *from, struct obs_path *to,
		      bool rename, struct sbx_file_act *act)
{
	struct stat st;
	uint64_t make, remove;
	const char *l1, *l2;
	int d1, d2, hit = 0;
	struct stat s1, s2;

	if (fstatat(from->base >= 0 ? from->base : AT_FDCWD, from->path, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	make = make_right(st.st_mode);
	remove = S_ISDIR(st.st_mode) ? LANDLOCK_ACCESS_FS_REMOVE_DIR
				     : LANDLOCK_ACCESS_FS_REMOVE_FILE;
	d1 = parent_of(from, &l1);
	d2 = parent_of(to, &l2);
	if (d1 >= 0 && d2 >= 0 && !fstat(d1, &s1) && !fstat(d2, &s2)) {
		bool across = s1.st_dev != s2.st_dev || s1.st_ino != s2.st_ino;
		uint64_t refer = across ? LANDLOCK_ACCESS_FS_REFER : 0;
		uint64_t need1 = ((rename ? remove : 0) | refer) & s->handled_fs;
		uint64_t need2 = (make | refer) & s->handled_fs;

		if (need1 && !sup_dir_grants(s, d1, need1)) {
			name_of(d1, NULL, act->dir, sizeof(act->dir));
			name_of(d1, l1, act->path, sizeof(act->path));
			fill(act, rename ? "rename" : "link", need1, S_ISDIR(st.st_mode));
			hit = 1;
		} else if (need2 && !sup_dir_grants(s, d2, need2)) {
			name_of(d2, NULL, act->dir, sizeof(act->dir));
			name_of(d2, l2, act->path, sizeof(act->path));
			fill(act, rename ? "rename into" : "link into", need2, S_ISDIR(st.st_mode));
			hit = 1;
		}
	}
	if (d1 >= 0)
		close(d1);
	if (d2 >= 0)
		close(d2);
	return hit;
}

static int judge(const struct sbx_supervisor *s, const struct obs_spec *sp, struct sup_call *c,
		 struct obs_path *p1, struct obs_path *p2, struct sbx_file_act *act)
{
	uint64_t flags = sp->flags >= 0 ? c->args[sp->flags] : (uint64_t)sp->fixed_flags;
	struct stat st;
	int at = p1->base >= 0 ? p1->base : AT_FDCWD;

	switch (sp->kind) {
	case OBS_OPEN:
		return judge_open(s, p1, c->flags ? c->flags : flags, act);
	case OBS_EXEC:
		return judge_object(s, p1, true, LANDLOCK_ACCESS_FS_EXECUTE, 0, "execute", act);
	case OBS_MKDIR:
		if (!fstatat(at, p1->path, &st, AT_SYMLINK_NOFOLLOW))
			return 0; /* EEXIST comes first */
		return judge_entry(s, p1, LANDLOCK_ACCESS_FS_MAKE_DIR, "create directory", true,
				   act);
	case OBS_MKNOD:
		if (!fstatat(at, p1->path, &st, AT_SYMLINK_NOFOLLOW))
			return 0;
		return judge_entry(s, p1, make_right((mode_t)flags), "create", false, act);
	case OBS_SYMLINK:
		if (!fstatat(at, p1->path, &st, AT_SYMLINK_NOFOLLOW))
			return 0;
		return judge_entry(s, p1, LANDLOCK_ACCESS_FS_MAKE_SYM, "create symlink", false,
				   act);
	case OBS_UNLINK:
	case OBS_RMDIR: {
		bool dir = sp->kind == OBS_RMDIR || (flags & AT_REMOVEDIR);

		if (fstatat(at, p1->path, &st, AT_SYMLINK_NOFOLLOW) || !!S_ISDIR(st.st_mode) != dir)
			return 0;
		return judge_entry(
			s, p1, dir ? LANDLOCK_ACCESS_FS_REMOVE_DIR : LANDLOCK_ACCESS_FS_REMOVE_FILE,
			dir ? "remove directory" : "delete", dir, act);
	}
	case OBS_RENAME:
	case OBS_LINK:
		return judge_move(s, p1, p2, sp->kind == OBS_RENAME, act);
	case OBS_BIND:
		break;
	}
	return 0;
}

/*
 * bind: a TCP or UDP port the plan does not grant (its Landlock network rules handle binding
 * and grant no port: network.server lifts them), or a pathname unix socket made where the
 * plan does not grant MAKE_SOCK. Copied before the answer; judged after.
 */
static int copy_bind(struct sup_call *c, struct sockaddr_storage *sa, int *type)
{
	size_t len = c->args[2] < sizeof(*sa) ? (size_t)c->args[2] : sizeof(*sa);
	socklen_t tl = sizeof(*type);
	int fd, err;

	memset(sa, 0, sizeof(*sa));
	err = sup_program_read(c->tid, c->args[1], sa, len);
	if (err)
		return err;
	fd = sup_program_getfd(c, (int)c->args[0]);
	if (fd < 0)
		return fd;
	err = getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &tl) ? -errno : 0;
	close(fd);
	return err;
}

static int judge_bind(const struct sbx_supervisor *s, struct sup_call *c,
		      const struct sockaddr_storage *sa, int type, struct sbx_file_act *act)
{
	uint64_t need = type == SOCK_STREAM  ? LANDLOCK_ACCESS_NET_BIND_TCP
			: type == SOCK_DGRAM ? LANDLOCK_ACCESS_NET_BIND_UDP
					     : 0;
	int port = 0;

	if (sa->ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		struct obs_path p = { .base = -1 };
		int ret;

		if (!s->fs_confined || !un->sun_path[0])
			return 0; /* abstract: Landlock's scope, not a file */
		snprintf(p.path, sizeof(p.path), "%.*s", (int)sizeof(un->sun_path), un->sun_path);
		if (p.path[0] != '/') {
			p.base = sup_program_cwd(c->tid);
			if (p.base < 0)
				return 0;
		}
		ret = judge_entry(s, &p, LANDLOCK_ACCESS_FS_MAKE_SOCK, "create socket", false, act);
		if (p.base >= 0)
			close(p.base);
		return ret;
	}
	if (sa->ss_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->ss_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	else
		return 0;
	if (!(need & s->handled_net))
		return 0;
	snprintf(act->path, sizeof(act->path), "%s port %d", type == SOCK_STREAM ? "TCP" : "UDP",
		 port);
	act->access = "bind";
	act->port = port ? port : -1;
	return 1;
}

/*
 * Enforcing, a read-only open of an absolute path without "." or ".." components beneath a
 * rule that grants reading files and directories is taken as granted by its name alone:
 * no resolution, no walk, so the common case (libraries, /etc) costs the round trip only.
 * A symlink there into an ungranted place goes unexplained (Landlock still refuses it);
 * complain mode, where completeness matters, always walks.
 */
/* A "." or ".." component: the name alone does not say where the path goes. */
static bool dot_component(const char *path)
{
	for (const char *c = path; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c)) {
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return true;
	}
	return false;
}

static bool granted_by_name(const struct sbx_supervisor *s, const struct obs_spec *sp,
			    const struct sup_call *c, const struct obs_path *p)
{
	uint64_t flags = sp->flags >= 0 ? c->args[sp->flags] : (uint64_t)sp->fixed_flags;
	const uint64_t ro = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	uint64_t need = sp->kind == OBS_EXEC ? LANDLOCK_ACCESS_FS_EXECUTE : ro;
	char name[PATH_MAX], link[64];
	const char *path = p->path;

	if (s->complain || !s->landlock || !s->fs_confined || !p->path[0] ||
	    dot_component(p->path) ||
	    (sp->kind == OBS_OPEN && ((c->flags ? c->flags : flags) & (O_ACCMODE | O_CREAT))) ||
	    (sp->kind != OBS_OPEN && sp->kind != OBS_EXEC))
		return false;
	if (path[0] != '/') {
		/* The directory's name as the program's descriptor has it now: a report only. */
		ssize_t n;

		if (p->dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%d/cwd", (int)c->tid);
		else
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)c->tid, p->dirfd);
		n = readlink(link, name, sizeof(name) - 1);
		if (n <= 0 || name[0] != '/' || (size_t)n + 2 + strlen(path) > sizeof(name))
			return false;
		name[n] = '/';
		strcpy(name + n + 1, path);
		path = name;
	}
	for (size_t i = 0; i < s->landlock->n_fs; i++) {
		const struct sbx_fs_rule *r = &s->landlock->fs[i];
		size_t n = strlen(r->path);

		/* A system rule granted by parts (roots.c) is judged by the object. */
		if (r->system && s->others_only)
			continue;
		if ((r->access & need) == need && !strncmp(path, r->path, n) &&
		    (path[n] == '/' || !path[n] || (n == 1 && r->path[0] == '/')))
			return true;
	}
	return false;
}

static bool on_proc(const struct obs_path *p)
{
	return !strncmp(p->path, "/proc/", 6) || !strcmp(p->path, "/proc") ||
	       !strncmp(p->path, "/dev/fd/", 8);
}

int sbx_supervisor_observe(struct sbx_supervisor *s, int notify_fd, const struct seccomp_notif *req,
			   int nr, struct sbx_file_act *act)
{
	const struct obs_spec *sp = obs_spec_of(nr);
	struct seccomp_notif_resp resp = { .id = req->id,
					   .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
	struct sup_call c = { .s = s, .tid = (pid_t)req->pid, .pidfd = -1 };
	struct obs_path *p = calloc(2, sizeof(*p));
	bool copied = false;
	int ret = 0;

	struct sockaddr_storage sa;
	int type = 0, judged = 0;

	memset(act, 0, sizeof(*act));
	memcpy(c.args, req->data.args, sizeof(c.args));
	if (p && sp && sp->kind == OBS_BIND) {
		copied = s && !copy_bind(&c, &sa, &type);
	} else if (p && sp) {
		p[0].base = p[1].base = -1;
		copied = !copy_path(&c, sp->dir1, sp->path1, &p[0]) &&
			 (sp->path2 < 0 || !copy_path(&c, sp->dir2, sp->path2, &p[1]));
		if (copied && !strcmp(sp->name, "openat2")) {
			struct open_how how;

			copied = !sup_program_read(c.tid, c.args[2], &how, sizeof(how));
			c.flags = how.flags;
		}
		/* Granted by its name (the common case): nothing more to take or judge. */
		if (copied &&
		    (!s || !s->fs_confined || on_proc(&p[0]) || granted_by_name(s, sp, &c, &p[0])))
			copied = false;
		if (copied)
			copied = !take_base(&c, &p[0]) && (sp->path2 < 0 || !take_base(&c, &p[1]));
	}
	/*
	 * Complain mode judges first: the call will change what it names (a file created, a
	 * directory removed) and nothing refuses it. Enforcing, the program is let go first
	 * and a refused call changes nothing. Either way the answer is the rule's: CONTINUE.
	 */
	/*
	 * Only a call not granted by its name may be reported: its process's name is read
	 * while the call still waits, since once let go the process may exit (it did, on 7.2,
	 * before the report named it).
	 */
	if (copied)
		sbx_program_comm(c.tid, act->comm, sizeof(act->comm));
	if (copied && s && s->complain)
		judged = sp->kind == OBS_BIND ? judge_bind(s, &c, &sa, type, act)
					      : judge(s, sp, &c, &p[0], &p[1], act);
	if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		ret = -errno;
	if (!ret && copied && s && s->complain)
		ret = judged;
	else if (!ret && copied && sp->kind == OBS_BIND)
		ret = judge_bind(s, &c, &sa, type, act);
	else if (!ret && copied)
		ret = judge(s, sp, &c, &p[0], &p[1], act);
	for (int i = 0; p && i < 2; i++)
		if (p[i].base >= 0)
			close(p[i].base);
	if (c.pidfd >= 0)
		close(c.pidfd);
	free(p);
	return ret;
}
