// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tier K enforcer (enforcer.h): sbx's BPF LSM objects (bpf/NAME.bpf.c, one per concern),
 * loaded from their skeletons' embedded ELF, attached, and pinned under pin_dir so that
 * enforcement outlives the loader. The objects share their maps through libbpf's
 * pin-by-name: the first object creates and pins them, the others reuse the pins.
 *
 * Pins under pin_dir: every map by its name (sbx_verdicts, sbx_inode_gen, ...), every
 * program as prog_NAME and its link as link_NAME. The links are what keep the programs
 * attached: a process that opens again finds every link pinned and adopts the maps
 * instead of loading a second copy; sbx_enforcer_unload removes them all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/enforcer.h"
#include "bpf/instr.h"
#include "probe/features.h"
#include "cgroup_guard.skel.h"
#include "daemon_store.skel.h"
#include "exec_verdict.skel.h"
#include "instr_guard.skel.h"
#include "kernel_lockdown.skel.h"
#include "mmap_verdict.skel.h"
#include "proc_scope.skel.h"
#include "ptrace_guard.skel.h"
#include "self_protect.skel.h"
#include "swap_guard.skel.h"
#include "task_scope.skel.h"
#include "write_gen.skel.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Load order: invalidation and task tracking are live before anything consults a verdict.
 * (Shared writable mappings are bumped by mmap_verdict, loaded last; until sbxd stores a
 * verdict after the load the new maps hold none, and such a mapping holds the file open
 * for write, which every verdict check refuses.)
 */
static const struct {
	const char *name;
	const void *(*elf)(size_t *sz);
} enforcer_units[] = {
	/* clang-format off */
	{ "write_gen", write_gen__elf_bytes },
	{ "task_scope", task_scope__elf_bytes },
	{ "exec_verdict", exec_verdict__elf_bytes },
	{ "mmap_verdict", mmap_verdict__elf_bytes },
	{ "ptrace_guard", ptrace_guard__elf_bytes },
	{ "proc_scope", proc_scope__elf_bytes }, /* after task_scope: domains follow fork */
	{ "daemon_store", daemon_store__elf_bytes }, /* sbxd's writes: before any write */
	{ "self_protect", self_protect__elf_bytes }, /* inert until sbx_enforcer_protect */
	{ "instr_guard", instr_guard__elf_bytes }, /* the same */
	{ "kernel_lockdown", kernel_lockdown__elf_bytes }, /* the same */
	{ "cgroup_guard", cgroup_guard__elf_bytes }, /* the same */
	{ "swap_guard", swap_guard__elf_bytes }, /* the same */
	/* clang-format on */
};
#define UNITS ARRAY_LEN(enforcer_units)
/*
 * The objects' programs, one link and one pin each (66 now, 65 at most on one kernel:
 * enforcer_optional_hooks, enforcer_hook_variants). enforcer_load refuses more,
 * so the pins sbx_enforcer_unload waits for always fit too.
 */
#define ENFORCER_PROGS_MAX 96

/*
 * LSM hooks not every kernel has. A program on one (SEC("lsm/HOOK")) is left unloaded
 * where the running kernel lacks the hook, and counted nowhere (enforcer_prog_used);
 * everywhere else it loads like any other. file_ioctl_compat is the 32-bit ioctl entry
 * (6.8, and stable backports): each ioctl program has its twin there (the claim, a
 * verdict's begin), or the 32-bit call passes them by (ENOTTY, failing closed).
 * bpf_prog_load (6.9) refuses a kfunc call before the verifier runs; before 6.9
 * kernel_lockdown.bpf.c asks the same at the load's descriptor (lsm/bpf_prog).
 * uring_cmd (6.0) is there only with io_uring, whose pass-through it guards.
 */
static const char *const enforcer_optional_hooks[] = { "file_ioctl_compat", "bpf_prog_load",
						       "inode_set_acl", "inode_remove_acl",
						       "uring_cmd" };

/*
 * Programs written for one prototype of a hook whose arguments changed: each loads only
 * where the running kernel's hook takes that many (its BTF, bpf_lsm_HOOK), so exactly one
 * of a hook's variants runs. inode_setattr gained the mount's user namespace (6.2), then
 * idmap (6.3), as its first argument. The xattr and ACL hooks have one variant each (the
 * same count on 6.1, 6.12 and 7.2): a program reads its hook's return value after the
 * arguments it declares, so on a hook with more it would read an argument as the earlier
 * refusal and let the change through. A hook the kernel has whose prototype no variant
 * matches refuses the load (enforcer_kernel_hooks_read); a hook it lacks is optional
 * (enforcer_optional_hooks) or fails the load on its own.
 */
static const struct {
	const char *prog, *hook;
	unsigned int nargs;
} enforcer_hook_variants[] = {
	{ "sbx_guard_setattr", "bpf_lsm_inode_setattr", 3 },
	{ "sbx_guard_setattr_noidmap", "bpf_lsm_inode_setattr", 2 },
	{ "sbx_guard_setxattr", "bpf_lsm_inode_setxattr", 6 },
	{ "sbx_guard_removexattr", "bpf_lsm_inode_removexattr", 3 },
	{ "sbx_guard_set_acl", "bpf_lsm_inode_set_acl", 4 },
	{ "sbx_guard_remove_acl", "bpf_lsm_inode_remove_acl", 3 },
};

enum {
	MAP_VERDICTS,
	MAP_INODE_GEN,
	MAP_TASKS,
	MAP_CONFIG,
	MAP_GEN_CLOCK,
	MAP_EVENTS,
	MAP_GUARD_IDS,
	MAP_GUARD_INODES,
	MAP_GUARD,
	MAP_GUARD_FILES,
	MAP_COUNT
};
static const char *const enforcer_maps[MAP_COUNT] = {
	[MAP_VERDICTS] = "sbx_verdicts",   [MAP_INODE_GEN] = "sbx_inode_gen",
	[MAP_TASKS] = "sbx_tasks",	   [MAP_CONFIG] = "sbx_config",
	[MAP_GEN_CLOCK] = "sbx_gen_clock", [MAP_EVENTS] = "sbx_events",
	[MAP_GUARD_IDS] = "sbx_guard_ids", [MAP_GUARD_INODES] = "sbx_guard_inodes",
	[MAP_GUARD] = "sbx_guard",	   [MAP_GUARD_FILES] = "sbx_guard_files",
};

/*
 * File systems whose content changes only through this kernel's VFS, where the write
 * hooks see every change: an allow-list. Network file systems, FUSE and overlayfs (whose
 * lower files change under it) are not on it, so their files are never cached. What
 * holds their bytes is checked too (enforcer_backing_kernel_only).
 */
static const unsigned long enforcer_local_fs[] = {
	0xEF53,	    /* ext2/3/4 */ 0x58465342, /* xfs */ 0x9123683E, /* btrfs */
	0x01021994, /* tmpfs */ 0x858458f6,    /* ramfs */ 0xF2F52010, /* f2fs */
	0xE0F5E1E2, /* erofs */ 0x73717368,    /* squashfs */ 0x3153464a, /* jfs */
};

struct sbx_enforcer {
	int map_fd[MAP_COUNT];
	uint32_t config_flags; /* enum sbx_enforcer_config_flags, kept across set_mode */
	struct ring_buffer *rb;
	bool adopted;
	char dir[PATH_MAX]; /* pin_dir */
	dev_t disks[16]; /* file systems whose devices this arming guarded (enforcer_guard_disks) */
	size_t ndisks;
	int (*cb)(const struct sbx_event *ev, void *arg);
	void *cb_arg;
};

/* libbpf's messages, kept for the diagnostic instead of printed: libsbx prints nothing. */
static __thread char enforcer_log[4096];

/*
 * Keep the tail: the verifier's reason ends its log, libbpf's last lines follow it. A
 * verifier log is far longer than any fixed line: formatted whole, then its tail kept.
 */
static int enforcer_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(enforcer_log), cap = sizeof(enforcer_log) - 1, n, keep;
	char *line = NULL, *tail;

	if (level == LIBBPF_DEBUG || vasprintf(&line, fmt, ap) <= 0) {
		free(line);
		return 0;
	}
	n = strlen(line);
	tail = line + (n > cap ? n - cap : 0);
	n = strlen(tail);
	keep = len + n > cap ? cap - n : len;
	memmove(enforcer_log, enforcer_log + len - keep, keep);
	memcpy(enforcer_log + keep, tail, n + 1);
	free(line);
	return 0;
}

static const char *enforcer_log_tail(void)
{
	size_t len = strlen(enforcer_log);

	return enforcer_log + (len > 480 ? len - 480 : 0);
}

static const char *enforcer_pin_dir(const char *pin_dir)
{
	return pin_dir ? pin_dir : SBX_ENFORCER_PIN_DIR;
}

static int enforcer_pin_path(char *buf, const char *dir, const char *prefix, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s%s", dir, prefix, name);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

bool sbx_enforcer_supported(struct sbx_diag *d)
{
	static int cached = -1;
	static char why[256];

	if (cached < 0) {
		struct sbx_features f;

		sbx_enforcer_claim(NULL); /* armed, the probe's LSM program is sbxd's alone */
		sbx_features_probe(&f, true); /* ends in a real attach that must be seen running */
		snprintf(why, sizeof(why), "%s", f.bpf_lsm_why);
		cached = sbx_tier_k(&f);
	}
	if (!cached)
		sbx_diag_set(d, -EOPNOTSUPP, "bpf-enforcer: BPF LSM is not usable: %s", why);
	return cached;
}

/* True while any of the programs still exists (a link holding it is not yet released). */
static bool enforcer_progs_alive(const __u32 *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

/*
 * sbx's pins, not a directory of that name (atk7k E4: `mkdir /sys/fs/bpf/sbx` made status
 * say the pins enforce): on bpffs, the exec hook's link pinned there, and that link runs
 * sbx's program. While armed the guard refuses the link's descriptor to everyone but sbxd,
 * and only a BPF LSM can refuse root that: that refusal answers too.
 */
bool sbx_enforcer_pinned(void)
{
	struct bpf_link_info link = { 0 };
	struct bpf_prog_info prog = { 0 };
	__u32 link_len = sizeof(link), prog_len = sizeof(prog);
	char path[PATH_MAX];
	struct statfs fs;
	int fd, pfd;
	bool ours;

	if (statfs(SBX_ENFORCER_PIN_DIR, &fs) || fs.f_type != BPF_FS_MAGIC ||
	    enforcer_pin_path(path, SBX_ENFORCER_PIN_DIR, "link_", "sbx_exec_check"))
		return false;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == EPERM && access(path, F_OK) == 0;
	ours = !bpf_obj_get_info_by_fd(fd, &link, &link_len) &&
	       link.type == BPF_LINK_TYPE_TRACING && link.tracing.attach_type == BPF_LSM_MAC;
	close(fd);
	if (!ours)
		return false;
	pfd = bpf_prog_get_fd_by_id(link.prog_id);
	if (pfd < 0)
		return errno == EPERM;
	ours = !bpf_obj_get_info_by_fd(pfd, &prog, &prog_len) &&
	       !strcmp(prog.name, "sbx_exec_check");
	close(pfd);
	return ours;
}

int sbx_enforcer_unload(const char *pin_dir, struct sbx_diag *d)
{
	const char *dir = enforcer_pin_dir(pin_dir);
	char path[PATH_MAX];
	__u32 ids[ENFORCER_PROGS_MAX];
	size_t nids = 0;
	struct dirent *de;
	int err = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp && errno == ENOENT)
		return sbx_diag_set(d, -ENOENT, "bpf-enforcer: nothing is pinned in %s", dir);
	if (!dp)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot open %s: %s", dir,
				    strerror(errno));
	while ((de = readdir(dp))) {
		int fd = -1;

		if (de->d_name[0] == '.' || enforcer_pin_path(path, dir, "", de->d_name))
			continue;
		if (!strncmp(de->d_name, "link_", 5) || !strncmp(de->d_name, "prog_", 5))
			fd = bpf_obj_get(path);
		if (fd >= 0 && de->d_name[0] == 'l') {
			bpf_link_detach(fd); /* where the kernel can detach at once */
		} else if (fd >= 0 && nids < ARRAY_LEN(ids)) {
			struct bpf_prog_info info = { 0 };
			__u32 len = sizeof(info);

			if (!bpf_obj_get_info_by_fd(fd, &info, &len))
				ids[nids++] = info.id;
		}
		if (fd >= 0)
			close(fd);
		if (unlink(path) == 0 || errno == ENOENT || err)
			continue;
		if (errno == EPERM)
			err = sbx_diag_set(d, -EPERM,
					   "bpf-enforcer: cannot unpin %s: self-protection is on, "
					   "and only sbxd may unload (sbxd --unload, or boot with "
					   "sbx.protect=0)",
					   path);
		else
			err = sbx_diag_set(d, -errno, "bpf-enforcer: cannot unpin %s: %s", path,
					   strerror(errno));
	}
	closedir(dp);
	if (rmdir(dir) && errno != ENOENT && !err)
		err = sbx_diag_set(d, -errno, "bpf-enforcer: cannot remove %s: %s", dir,
				   strerror(errno));
	/*
	 * An unpinned link is released after an RCU grace period, from a work queue, and only
	 * then detaches its program and drops it: enforcement has ended when every program
	 * is gone. Bounded (10 s): a process holding a link or program keeps it.
	 */
	for (int i = 0; i < 1000 && enforcer_progs_alive(ids, nids); i++)
		usleep(10000);
	if (!err && enforcer_progs_alive(ids, nids))
		err = sbx_diag_set(d, -EBUSY,
				   "bpf-enforcer: unpinned, but another process still "
				   "holds sbx's programs: they stay attached until it "
				   "closes them");
	return err;
}

/* What the running kernel's LSM hooks are, for the programs written for some kernels only. */
struct enforcer_kernel_hooks {
	bool present[ARRAY_LEN(enforcer_optional_hooks)]; /* a bpf_lsm_HOOK function in its BTF */
	bool variant[ARRAY_LEN(enforcer_hook_variants)]; /* the hook takes the variant's nargs */
	int unmatched; /* a variant's index whose hook the kernel has, none matching; else -1 */
	int unmatched_nargs; /* what that hook takes */
};

/* How many arguments the BTF function func takes; -1: none. */
static int enforcer_btf_nargs(const struct btf *btf, const char *func)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

/*
 * One parse of the kernel's BTF for all of them: a parse is ~65 ms in a TCG guest, and
 * asking libbpf per program (libbpf_find_vmlinux_btf_id) parsed it once per program on
 * such a hook, four times an open. No BTF: none is there (the load then fails on its own).
 */
static void enforcer_kernel_hooks_read(struct enforcer_kernel_hooks *h)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char name[64];

	if (btf && libbpf_get_error(btf))
		btf = NULL;
	for (size_t i = 0; i < ARRAY_LEN(enforcer_optional_hooks); i++) {
		snprintf(name, sizeof(name), "bpf_lsm_%s", enforcer_optional_hooks[i]);
		h->present[i] = btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	}
	h->unmatched = -1;
	for (size_t i = 0; i < ARRAY_LEN(enforcer_hook_variants); i++)
		h->variant[i] = btf && enforcer_btf_nargs(btf, enforcer_hook_variants[i].hook) ==
					       (int)enforcer_hook_variants[i].nargs;
	for (size_t i = 0; i < ARRAY_LEN(enforcer_hook_variants) && h->unmatched < 0; i++) {
		int nargs = btf ? enforcer_btf_nargs(btf, enforcer_hook_variants[i].hook) : -1;
		bool some = false;

		for (size_t j = 0; j < ARRAY_LEN(enforcer_hook_variants); j++)
			some |= h->variant[j] && !strcmp(enforcer_hook_variants[j].hook,
							 enforcer_hook_variants[i].hook);
		if (nargs >= 0 && !some) {
			h->unmatched = (int)i;
			h->unmatched_nargs = nargs;
		}
	}
	btf__free(btf);
}

/*
 * Programs on a hook the kernel lacks (enforcer_optional_hooks), or written for another
 * prototype of it (enforcer_hook_variants), are not loaded.
 */
static void enforcer_drop_missing_hooks(struct bpf_object *obj,
					const struct enforcer_kernel_hooks *h)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj)
	{
		const char *sec = bpf_program__section_name(p);

		for (size_t i = 0; i < ARRAY_LEN(enforcer_optional_hooks); i++)
			if (!strncmp(sec, "lsm/", 4) &&
			    !strcmp(sec + 4, enforcer_optional_hooks[i]) && !h->present[i])
				bpf_program__set_autoload(p, false);
		for (size_t i = 0; i < ARRAY_LEN(enforcer_hook_variants); i++)
			if (!strcmp(bpf_program__name(p), enforcer_hook_variants[i].prog) &&
			    !h->variant[i])
				bpf_program__set_autoload(p, false);
	}
}

/* A program this kernel runs (enforcer_drop_missing_hooks left it on). */
static bool enforcer_prog_used(const struct bpf_program *p)
{
	return bpf_program__autoload(p);
}

/* How many of the objects' links are pinned: all (adopt), none (load), or some (stale). */
static int enforcer_pinned_links(struct bpf_object *const objs[UNITS], const char *dir, int *total)
{
	char path[PATH_MAX];
	int found = 0;

	*total = 0;
	for (size_t i = 0; i < UNITS; i++) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, objs[i])
		{
			if (!enforcer_prog_used(p))
				continue;
			(*total)++;
			if (!enforcer_pin_path(path, dir, "link_", bpf_program__name(p)) &&
			    access(path, F_OK) == 0)
				found++;
		}
	}
	return found;
}

/*
 * One of sbxd's writes, which the BPF side makes (bpf/daemon_store.bpf.c): 0, or the
 * kernel's answer (-ENOTTY: the programs did not answer).
 */
static int enforcer_store_ioctl(int fd, unsigned int cmd, const void *arg)
{
	if (ioctl(fd, cmd, arg) == 0)
		return -ENOTTY;
	return errno == EALREADY ? 0 : -errno;
}

static int enforcer_write_config(struct sbx_enforcer *e, enum sbx_enforce_mode mode,
				 enum sbx_enforce_scope scope)
{
	struct sbx_enforcer_config cfg = {
		.abi_version = SBX_ABI_VERSION,
		.mode = mode == SBX_ENFORCE_ENFORCE,
		.scope = scope == SBX_SCOPE_ALL,
		.flags = e->config_flags,
	};

	return enforcer_store_ioctl(e->map_fd[MAP_CONFIG], SBX_IOC_CONFIG_SET, &cfg);
}

/* Load, attach and pin every object; on failure nothing stays pinned. */
static int enforcer_load(struct bpf_object *const objs[UNITS], const char *dir,
			 uint32_t cache_entries, struct sbx_diag *d)
{
	struct bpf_link *links[ENFORCER_PROGS_MAX] = { 0 };
	char path[PATH_MAX];
	size_t nlinks = 0;
	int err = 0;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot create %s: %s", dir,
				    strerror(errno));
	for (size_t i = 0; i < UNITS && !err; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(objs[i], "sbx_verdicts");
		struct bpf_program *p;

		if (m && cache_entries && bpf_map__set_max_entries(m, cache_entries)) {
			err = sbx_diag_set(d, -EINVAL, "bpf-enforcer: bad cache size %u",
					   cache_entries);
			goto cleanup;
		}
		err = bpf_object__load(objs[i]);
		if (err) {
			err = sbx_diag_set(d, err, "bpf-enforcer: loading %s failed: %s: %s",
					   enforcer_units[i].name, strerror(-err),
					   enforcer_log_tail());
			goto cleanup;
		}
		bpf_object__for_each_program(p, objs[i])
		{
			const char *name = bpf_program__name(p);
			struct bpf_link *l;

			if (!enforcer_prog_used(p))
				continue;
			if (nlinks == ARRAY_LEN(links)) {
				err = sbx_diag_set(d, -E2BIG, "bpf-enforcer: too many programs");
				goto cleanup;
			}
			l = bpf_program__attach(p);
			if (!l) {
				err = sbx_diag_set(d, -errno,
						   "bpf-enforcer: attaching %s failed: %s", name,
						   strerror(errno));
				goto cleanup;
			}
			links[nlinks++] = l;
			err = enforcer_pin_path(path, dir, "prog_", name);
			if (!err)
				err = bpf_program__pin(p, path);
			if (!err)
				err = enforcer_pin_path(path, dir, "link_", name);
			if (!err)
				err = bpf_link__pin(l, path);
			if (err) {
				err = sbx_diag_set(d, err, "bpf-enforcer: pinning %s failed: %s",
						   name, strerror(-err));
				goto cleanup;
			}
		}
	}
cleanup:
	/* The pins hold what stays; this process's references go either way. */
	for (size_t i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	if (err)
		sbx_enforcer_unload(dir, NULL);
	return err;
}

static int enforcer_adopt_maps(struct sbx_enforcer *e, const char *dir, struct sbx_diag *d)
{
	char path[PATH_MAX];

	for (int i = 0; i < MAP_COUNT; i++) {
		if (enforcer_pin_path(path, dir, "", enforcer_maps[i]))
			return sbx_diag_set(d, -ENAMETOOLONG, "bpf-enforcer: %s: name too long",
					    dir);
		e->map_fd[i] = bpf_obj_get(path);
		if (e->map_fd[i] < 0)
			return sbx_diag_set(d, -errno,
					    "bpf-enforcer: cannot open pinned map %s: %s", path,
					    strerror(errno));
	}
	return 0;
}

static int enforcer_on_event(void *ctx, void *data, size_t size)
{
	struct sbx_enforcer *e = ctx;

	if (size < sizeof(struct sbx_event) || !e->cb)
		return 0;
	return e->cb(data, e->cb_arg);
}

int sbx_enforcer_open(const struct sbx_enforcer_opts *o, struct sbx_enforcer **out,
		      struct sbx_diag *d)
{
	libbpf_print_fn_t old_print = libbpf_set_print(enforcer_libbpf_print);
	struct bpf_object *objs[UNITS] = { 0 };
	struct enforcer_kernel_hooks hooks;
	struct sbx_enforcer *e = NULL;
	const char *dir;
	int err = 0, pinned, total;

	*out = NULL;
	enforcer_log[0] = '\0';
	if (!o || o->sz < offsetof(struct sbx_enforcer_opts, mmap_sandboxed_only)) {
		err = sbx_diag_set(d, -EINVAL, "bpf-enforcer: options missing or too old");
		goto cleanup;
	}
	dir = enforcer_pin_dir(o->pin_dir);
	e = calloc(1, sizeof(*e));
	if (!e) {
		err = sbx_diag_set(d, -ENOMEM, "bpf-enforcer: out of memory");
		goto cleanup;
	}
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
	for (int i = 0; i < MAP_COUNT; i++)
		e->map_fd[i] = -1;
	enforcer_kernel_hooks_read(&hooks);
	if (hooks.unmatched >= 0) {
		err = sbx_diag_set(d, -EOPNOTSUPP,
				   "bpf-enforcer: this kernel's %s takes %d arguments, which no "
				   "program of sbx's was written for: not loaded",
				   enforcer_hook_variants[hooks.unmatched].hook + 8,
				   hooks.unmatched_nargs);
		goto cleanup;
	}
	for (size_t i = 0; i < UNITS; i++) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = enforcer_units[i].name,
			    .pin_root_path = dir);
		size_t sz;
		const void *elf = enforcer_units[i].elf(&sz);

		objs[i] = bpf_object__open_mem(elf, sz, &oo);
		if (!objs[i]) {
			err = sbx_diag_set(d, -errno, "bpf-enforcer: opening %s failed: %s",
					   enforcer_units[i].name, strerror(errno));
			goto cleanup;
		}
		enforcer_drop_missing_hooks(objs[i], &hooks);
	}
	pinned = enforcer_pinned_links(objs, dir, &total);
	e->adopted = pinned == total;
	if (!e->adopted) {
		/* Maps or links left by a loader that died half-way: start from nothing. */
		sbx_enforcer_unload(dir, NULL);
		err = enforcer_load(objs, dir, o->cache_entries, d);
		if (err)
			goto cleanup;
	}
	err = enforcer_adopt_maps(e, dir, d);
	if (err)
		goto cleanup;
	if (e->adopted) {
		struct sbx_enforcer_config cfg;
		__u32 zero = 0;

		if (bpf_map_lookup_elem(e->map_fd[MAP_CONFIG], &zero, &cfg) ||
		    cfg.abi_version != SBX_ABI_VERSION) {
			err = sbx_diag_set(d, -ESTALE,
					   "bpf-enforcer: the enforcer pinned in %s is another "
					   "version (ABI %u, this is %u): unload it first",
					   dir, cfg.abi_version, SBX_ABI_VERSION);
			goto cleanup;
		}
		/* Armed stays armed: only sbx_enforcer_unload ends self-protection. */
		e->config_flags |= cfg.flags & SBX_CONFIG_SELF_PROTECT;
	}
	if (o->sz >= offsetof(struct sbx_enforcer_opts, mmap_sandboxed_only) +
			     sizeof(o->mmap_sandboxed_only) &&
	    o->mmap_sandboxed_only)
		e->config_flags |= SBX_CONFIG_MMAP_SANDBOXED_ONLY;
	err = enforcer_write_config(e, o->mode, o->scope);
	if (err) {
		sbx_diag_set(d, err, "bpf-enforcer: cannot configure: %s", strerror(-err));
		goto cleanup;
	}
	e->rb = ring_buffer__new(e->map_fd[MAP_EVENTS], enforcer_on_event, e, NULL);
	if (!e->rb) {
		err = sbx_diag_set(d, -errno, "bpf-enforcer: cannot read the event ring: %s",
				   strerror(errno));
		goto cleanup;
	}
	*out = e;
	e = NULL;
cleanup:
	for (size_t i = 0; i < UNITS; i++)
		bpf_object__close(objs[i]);
	sbx_enforcer_close(e);
	libbpf_set_print(old_print);
	return err;
}

void sbx_enforcer_close(struct sbx_enforcer *e)
{
	if (!e)
		return;
	ring_buffer__free(e->rb);
	for (int i = 0; i < MAP_COUNT; i++)
		if (e->map_fd[i] >= 0)
			close(e->map_fd[i]);
	free(e);
}

int sbx_enforcer_set_mode(struct sbx_enforcer *e, enum sbx_enforce_mode mode,
			  enum sbx_enforce_scope scope, struct sbx_diag *d)
{
	int err = enforcer_write_config(e, mode, scope);

	return err ? sbx_diag_set(d, err, "bpf-enforcer: cannot configure: %s", strerror(-err)) : 0;
}

/* SBX_IOC_VERDICT_BEGIN: 0 when nobody writes the file, else the kernel's answer. */
static int enforcer_begin_ioctl(int fd)
{
	if (ioctl(fd, SBX_IOC_VERDICT_BEGIN, 0) == 0)
		return -ENOTTY;
	return errno == EALREADY ? 0 : -errno;
}

static int enforcer_begin_error(int err, struct sbx_diag *d)
{
	if (err == -ETXTBSY)
		return sbx_diag_set(d, err,
				    "bpf-enforcer: the file is open for writing: its "
				    "content may change while it is verified");
	if (err == -ENOTTY)
		return sbx_diag_set(d, err,
				    "bpf-enforcer: sbx's BPF programs did not answer "
				    "(not attached, or the caller is not root)");
	return sbx_diag_set(d, err, "bpf-enforcer: cannot begin a verdict: %s", strerror(-err));
}

/*
 * The order is the argument of bpf/include/sbx_enforcer.bpf.h: the generation is read
 * first, then the kernel is asked whether a writer holds the file.
 */
int sbx_enforcer_verdict_begin(struct sbx_enforcer *e, int fd, uint64_t *write_gen,
			       struct sbx_diag *d)
{
	struct sbx_inode_gen g;
	int err;

	err = enforcer_begin_ioctl(fd); /* gives the file a generation */
	if (err)
		return enforcer_begin_error(err, d);
	if (bpf_map_lookup_elem(e->map_fd[MAP_INODE_GEN], &fd, &g))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot read the write generation: %s",
				    strerror(errno));
	err = enforcer_begin_ioctl(fd);
	if (err)
		return enforcer_begin_error(err, d);
	if (!g.gen)
		return sbx_diag_set(d, -EAGAIN, "bpf-enforcer: the file has no write generation");
	*write_gen = g.gen;
	return 0;
}

/* The verdict cache's key for fd's file, and its write generation, as the kernel sees them. */
static int enforcer_file_key(struct sbx_enforcer *e, int fd, struct sbx_verdict_key *key,
			     uint64_t *gen, struct sbx_diag *d)
{
	struct sbx_inode_gen g;
	struct stat st;

	if (fstat(fd, &st))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot stat the file: %s",
				    strerror(errno));
	if (bpf_map_lookup_elem(e->map_fd[MAP_INODE_GEN], &fd, &g))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot read the write generation: %s",
				    strerror(errno));
	memset(key, 0, sizeof(*key));
	key->ino = g.ino;
	key->dev = g.dev;
	key->ctime_sec = st.st_ctim.tv_sec;
	key->ctime_nsec = (__u32)st.st_ctim.tv_nsec;
	*gen = g.gen;
	return 0;
}

/*
 * Where a cached file's bytes live must be somewhere only this kernel writes, or a change
 * there is a change no write hook sees: the verdict would outlive its content. A file
 * system type (enforcer_local_fs) says nothing about the block device under it, so the
 * device is checked too, by where the kernel put its disk in sysfs: an allow-list of
 * buses whose controllers this kernel drives (a hypervisor's virtual disks count: the
 * hypervisor is trusted as it is for memory). Everything else is refused, by not being on
 * the list: loop (its image is a file; whoever can write it, or /dev/loopN, changes the
 * file system's blocks), nbd and ublk (a userspace process serves every read), zram, rbd,
 * NVMe over fabrics, tcm_loop, and whatever a new driver adds.
 */
static const char *const enforcer_disk_buses[] = {
	"/sys/devices/pci", /* SATA, SAS, NVMe, virtio-blk, virtio-scsi */
	"/sys/devices/platform/", /* SoC controllers (eMMC), virtio-mmio */
	"/sys/devices/LNXSYSTM:00/", /* ACPI: Hyper-V's VMBus storage */
	"/sys/devices/vbd-", /* Xen block front-ends */
};

/* Path components, on those buses, that lead off the machine: USB, software iSCSI. */
static const char *const enforcer_disk_off_machine[] = { "usb", "session" };

#define ENFORCER_STACK_DEPTH 8 /* dm on md on partitions, with room to spare */

static bool enforcer_disk_on_machine(const char *sys)
{
	bool bus = false;

	for (size_t i = 0; i < ARRAY_LEN(enforcer_disk_buses); i++)
		bus |= !strncmp(sys, enforcer_disk_buses[i], strlen(enforcer_disk_buses[i]));
	if (!bus)
		return false;
	for (const char *c = strchr(sys, '/'); c; c = strchr(c + 1, '/'))
		for (size_t i = 0; i < ARRAY_LEN(enforcer_disk_off_machine); i++)
			if (!strncmp(c + 1, enforcer_disk_off_machine[i],
				     strlen(enforcer_disk_off_machine[i])))
				return false;
	return true;
}

/*
 * Called with the sysfs directory of each disk under a file system (the one it is on, or
 * whose partition it is on, and every stacked member down to the last): the device guard's
 * walk (enforcer_guard_disks). 0, or -errno with d set.
 */
struct enforcer_disk_visit {
	int (*fn)(const char *sys, void *arg, struct sbx_diag *d);
	void *arg;
};

/*
 * 0 when the block device whose sysfs directory link names changes only through this
 * kernel's writes: a partition of such a disk, a disk on an allowed bus, or a stacked
 * device whose every member is one. Members: slaves/ (device-mapper, md, bcache: kernel
 * code) and multipath/ (native NVMe multipath, whose head disk is virtual: its paths say
 * whether it is PCIe or a fabric). -EOPNOTSUPP with the device named otherwise, or when
 * sysfs cannot say. v (may be NULL) visits each disk of the stack.
 */
static int enforcer_sys_kernel_only(const char *link, int depth,
				    const struct enforcer_disk_visit *v, struct sbx_diag *d)
{
	static const char *const members[] = { "slaves", "multipath" };
	char sys[PATH_MAX], sub[PATH_MAX + 32];
	bool stacked = false;
	const char *name;
	int err = 0;

	if (depth > ENFORCER_STACK_DEPTH || !realpath(link, sys))
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "block device %s cannot be traced to a disk in sysfs", link);
	snprintf(sub, sizeof(sub), "%s/partition", sys);
	if (!access(sub, F_OK))
		*strrchr(sys, '/') = '\0'; /* the disk the partition is on */
	name = strrchr(sys, '/') + 1;
	if (v)
		err = v->fn(sys, v->arg, d);
	for (size_t i = 0; i < ARRAY_LEN(members) && !err; i++) {
		struct dirent *de;
		DIR *dir;

		snprintf(sub, sizeof(sub), "%s/%s", sys, members[i]);
		dir = opendir(sub);
		while (dir && !err && (de = readdir(dir))) {
			char member[PATH_MAX + 300];

			if (de->d_name[0] == '.')
				continue;
			stacked = true;
			snprintf(member, sizeof(member), "%s/%s", sub, de->d_name);
			err = enforcer_sys_kernel_only(member, depth + 1, v, d);
		}
		if (dir)
			closedir(dir);
	}
	if (stacked || err)
		return err;
	if (!enforcer_disk_on_machine(sys))
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "block device %s can change without this kernel writing it (a "
				    "loop image, a device served by a process or over the "
				    "network, USB)",
				    name);
	return 0;
}

/* btrfs reports an anonymous st_dev: its devices are listed under its fsid in sysfs. */
static int enforcer_btrfs_kernel_only(int fd, const struct enforcer_disk_visit *v,
				      struct sbx_diag *d)
{
	struct btrfs_ioctl_fs_info_args fi = { 0 };
	const unsigned char *u = fi.fsid;
	char dir[96];
	struct dirent *de;
	int err = 0, n = 0;
	DIR *devs;

	if (ioctl(fd, BTRFS_IOC_FS_INFO, &fi))
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "the btrfs file system's devices cannot be "
				    "listed: %s",
				    strerror(errno));
	snprintf(dir, sizeof(dir),
		 "/sys/fs/btrfs/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x/devices",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
	devs = opendir(dir);
	while (devs && !err && (de = readdir(devs))) {
		char link[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		err = enforcer_sys_kernel_only(link, 0, v, d);
	}
	if (devs)
		closedir(devs);
	if (!err && !n)
		return sbx_diag_set(d, -EOPNOTSUPP, "%s lists no devices", dir);
	return err;
}

static int enforcer_backing_kernel_only(int fd, const struct enforcer_disk_visit *v,
					struct sbx_diag *d);

/* /proc/swaps escapes a space, tab, newline and backslash of a path as \ooo: decoded in place. */
static void enforcer_unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		unsigned int c;

		if (s[0] == '\\' && sscanf(s + 1, "%3o", &c) == 1 && s[1] && s[2] && s[3]) {
			*o = (char)c;
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/*
 * 0 when every active swap area is storage this kernel alone writes (atk11k S1, S2: pages
 * that leave memory through swap are bytes under a guard or a verdict): a partition or
 * disk that passes enforcer_sys_kernel_only, or a swap file whose own file system passes
 * enforcer_backing_kernel_only (a loop device, or a file on one, does not). A path this
 * mount namespace cannot open (another namespace's, deleted) fails closed. The answer
 * holds while armed: swap_guard.bpf.c refuses every new swapon but sbxd's. v visits each
 * swap disk as a disk under the file (its raw writes are bytes under the guard too).
 */
static int enforcer_swap_kernel_only(const struct enforcer_disk_visit *v, struct sbx_diag *d)
{
	char line[PATH_MAX + 128], path[PATH_MAX + 1], type[32], link[64];
	struct sbx_diag why = { 0 };
	FILE *f = fopen("/proc/swaps", "re");
	struct stat st;
	int err = 0, fd;

	if (!f)
		return errno == ENOENT ? 0
				       : sbx_diag_set(d, -errno, "/proc/swaps cannot be read: %s",
						      strerror(errno)); /* no CONFIG_SWAP */
	if (!fgets(line, sizeof(line), f)) /* the header */
		line[0] = '\0';
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4096s %31s", path, type) != 2)
			continue;
		enforcer_unescape(path);
		if (!strcmp(type, "partition")) {
			err = stat(path, &st) ? -errno : S_ISBLK(st.st_mode) ? 0 : -EOPNOTSUPP;
			if (!err) {
				snprintf(link, sizeof(link), "/sys/dev/block/%u:%u",
					 major(st.st_rdev), minor(st.st_rdev));
				err = enforcer_sys_kernel_only(link, 0, v, &why);
			}
		} else {
			fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			err = fd < 0 ? -errno : enforcer_backing_kernel_only(fd, v, &why);
			if (fd >= 0)
				close(fd);
		}
	}
	fclose(f);
	if (err)
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "its pages can go to swap on %s, which can change without "
				    "this kernel writing it (%s)",
				    path, why.msg[0] ? why.msg : strerror(-err));
	return 0;
}

/*
 * A tmpfs file's pages go to swap: kernel-only when its mount says noswap (6.4+, read
 * from the mount's super options), or when every swap area is (enforcer_swap_kernel_only).
 */
static int enforcer_shmem_kernel_only(int fd, const struct enforcer_disk_visit *v,
				      struct sbx_diag *d)
{
	char line[PATH_MAX * 2], *opts;
	struct statx stx;
	bool noswap = false;
	FILE *f;

	if (!statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) && (stx.stx_mask & STATX_MNT_ID) &&
	    (f = fopen("/proc/self/mountinfo", "re"))) {
		while (!noswap && fgets(line, sizeof(line), f)) {
			if (strtoull(line, NULL, 10) != stx.stx_mnt_id ||
			    !(opts = strstr(line, " - ")))
				continue;
			opts = strrchr(opts, ' '); /* " - type source options" */
			for (char *o = strtok(opts + 1, ",\n"); o; o = strtok(NULL, ",\n"))
				noswap |= !strcmp(o, "noswap");
		}
		fclose(f);
	}
	return noswap ? 0 : enforcer_swap_kernel_only(v, d);
}

/*
 * 0 when fd's file system is on the local list and its bytes are held only where this
 * kernel alone writes them: memory (ramfs; tmpfs when its pages cannot go to swap this
 * kernel does not alone write: enforcer_shmem_kernel_only) or block devices that pass
 * enforcer_sys_kernel_only. A file system on a file (erofs's file-backed mounts) has an
 * anonymous device and no block device to check: refused.
 */
static int enforcer_backing_kernel_only(int fd, const struct enforcer_disk_visit *v,
					struct sbx_diag *d)
{
	char link[64];
	struct statfs sfs;
	struct stat st;
	bool local = false;

	if (fstatfs(fd, &sfs) || fstat(fd, &st))
		return sbx_diag_set(d, -errno, "the file cannot be stat'ed: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_LEN(enforcer_local_fs); i++)
		local |= (unsigned long)sfs.f_type == enforcer_local_fs[i];
	if (!local)
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "file system 0x%lx can change a file without this kernel "
				    "seeing the write",
				    (unsigned long)sfs.f_type);
	if (sfs.f_type == RAMFS_MAGIC)
		return 0; /* ramfs pages are never reclaimed */
	if (sfs.f_type == TMPFS_MAGIC)
		return enforcer_shmem_kernel_only(fd, v, d);
	if (sfs.f_type == BTRFS_SUPER_MAGIC)
		return enforcer_btrfs_kernel_only(fd, v, d);
	if (!major(st.st_dev))
		return sbx_diag_set(d, -EOPNOTSUPP,
				    "file system 0x%lx is not on a block device (a file system "
				    "on a file)",
				    (unsigned long)sfs.f_type);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	return enforcer_sys_kernel_only(link, 0, v, d);
}

/*
 * -ETXTBSY when fd's regular file is open for writing somewhere (a descriptor, or a shared
 * writable mapping, which holds its file open for writing after the descriptor is closed).
 * The kernel grants a read lease only while no file is open for writing on the inode; the
 * lease is given back at once.
 */
static int enforcer_no_writer(int fd)
{
	struct stat st;
	int err = 0;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	if (fcntl(fd, F_SETLEASE, F_RDLCK))
		err = errno == EAGAIN ? -ETXTBSY : -errno;
	else
		fcntl(fd, F_SETLEASE, F_UNLCK);
	return err;
}

/*
 * A guard holds only where its file changes through this kernel's writes alone, which the
 * guard's hooks see: what a verdict needs (enforcer_backing_kernel_only), for the same
 * reason (atk8k G2: a trust store on a loop device, changed through the loop's image). The
 * pins' bpffs is kernel memory. And only where nobody has the file open for writing: the
 * guard refuses opens for write and write() from the arming on, but a file opened for
 * writing before changes without either, by ftruncate or a store into a shared mapping
 * (atk9k H1). fd may be O_PATH; the refusal names the file's real path (path may be a
 * /proc/self/fd link) and the reason.
 */
static int enforcer_guard_holds(int fd, const char *path, struct sbx_diag *d)
{
	struct sbx_diag why = { 0 };
	char self[32], real[PATH_MAX];
	struct statfs sf;
	ssize_t n;
	int rfd, err;

	if (fstatfs(fd, &sf))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot guard %s: %s", path,
				    strerror(errno));
	if ((unsigned long)sf.f_type == BPF_FS_MAGIC)
		return 0;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	/* Not O_PATH: btrfs lists its devices through an ioctl, and a lease needs a file. */
	rfd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	err = rfd < 0 ? -errno : enforcer_backing_kernel_only(rfd, NULL, &why);
	if (!err) {
		err = enforcer_no_writer(rfd);
		if (err == -ETXTBSY)
			sbx_diag_set(&why, err,
				     "it is open for writing (a descriptor or a shared mapping "
				     "made before the arming writes it past every guard)");
		else if (err)
			sbx_diag_set(&why, err,
				     "whether it is open for writing cannot be told (a read "
				     "lease: %s; fs.leases-enable must be 1)",
				     strerror(-err));
	}
	if (rfd >= 0)
		close(rfd);
	if (!err)
		return 0;
	n = readlink(self, real, sizeof(real) - 1);
	real[n > 0 ? n : 0] = '\0';
	return sbx_diag_set(d, err,
			    "bpf-enforcer: cannot guard %s: %s, so a guard there would not hold",
			    n > 0 ? real : path, why.msg[0] ? why.msg : strerror(-err));
}

int sbx_enforcer_verdict_store(struct sbx_enforcer *e, int fd, const struct sbx_cached_verdict *v,
			       struct sbx_diag *d)
{
	struct sbx_diag why = { 0 };
	int err;

	(void)e; /* the BPF side stores it, in the maps every enforcer shares */
	if (!v || !v->write_gen || v->kind > SBX_CACHED_INVALID)
		return sbx_diag_set(d, -EINVAL,
				    "bpf-enforcer: a verdict needs a kind and the "
				    "write generation sbx_enforcer_verdict_begin gave");
	err = enforcer_backing_kernel_only(fd, NULL, &why);
	if (err)
		return sbx_diag_set(d, err,
				    "bpf-enforcer: %s: its verdicts are not cached, so in enforce "
				    "mode its files do not run",
				    why.msg);
	/* Keyed by the file's inode, generation compared, in the kernel (daemon_store). */
	err = enforcer_store_ioctl(fd, SBX_IOC_VERDICT_COMMIT, v);
	if (err == -ESTALE)
		return sbx_diag_set(d, err,
				    "bpf-enforcer: the file was written while it was "
				    "verified: verify again");
	if (err)
		return sbx_diag_set(d, err, "bpf-enforcer: cannot store the verdict: %s",
				    strerror(-err));
	return 0;
}

int sbx_enforcer_verdict_lookup(struct sbx_enforcer *e, int fd, struct sbx_cached_verdict *v,
				struct sbx_diag *d)
{
	struct sbx_verdict_key key;
	uint64_t gen;
	int err;

	err = enforcer_file_key(e, fd, &key, &gen, d);
	/* No generation yet: nothing stored for this inode can match (write_gen.bpf.c). */
	if (err == -ENOENT || (!err && !gen))
		return sbx_diag_set(d, -ENOENT, "bpf-enforcer: no verdict for this file");
	if (err)
		return err;
	if (bpf_map_lookup_elem(e->map_fd[MAP_VERDICTS], &key, v) || v->write_gen != gen)
		return sbx_diag_set(d, -ENOENT, "bpf-enforcer: no verdict for this content");
	return 0;
}

/* How many verdicts the cache holds (the map is read from userspace, written only by BPF). */
static uint32_t enforcer_verdicts_count(int fd)
{
	struct sbx_verdict_key k, next;
	uint32_t n = 0;

	for (void *prev = NULL; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &k) {
		k = next;
		n++;
	}
	return n;
}

/* Only the daemon stores verdicts (it calls this before it stores more). */
int sbx_enforcer_verdicts_flush(struct sbx_enforcer *e, uint32_t *flushed, struct sbx_diag *d)
{
	int fd = e->map_fd[MAP_VERDICTS];
	uint32_t had = enforcer_verdicts_count(fd), left = had;
	int err = 0;

	/* A walk that deletes may miss a few: again while some are left, a bounded number. */
	for (int i = 0; i < 8 && !err && left; i++) {
		err = enforcer_store_ioctl(fd, SBX_IOC_VERDICTS_FLUSH, NULL);
		left = enforcer_verdicts_count(fd);
	}
	*flushed = had > left ? had - left : 0;
	if (!err && left)
		err = -EAGAIN;
	return err ? sbx_diag_set(d, err, "bpf-enforcer: cannot drop the verdicts: %s",
				  strerror(-err))
		   : 0;
}

/* SBX_IOC_DAEMON_CLAIM with arg (0, or SBX_CLAIM_ARM) on this process's executable. */
static int enforcer_claim(unsigned long arg, struct sbx_diag *d)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), r, err;

	if (fd < 0)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot open /proc/self/exe: %s",
				    strerror(errno));
	r = ioctl(fd, SBX_IOC_DAEMON_CLAIM, arg);
	err = r == 0 ? -ENOTTY : errno == EALREADY ? 0 : -errno;
	close(fd);
	if (err == -EPERM)
		return sbx_diag_set(
			d, err,
			"bpf-enforcer: this process is not sbxd: its executable is not the one "
			"that armed self-protection, it was traced since its exec, or it existed "
			"before the arming");
	if (err == -ENOENT)
		return sbx_diag_set(d, err, "bpf-enforcer: self-protection is not armed");
	if (err)
		return sbx_diag_set(d, err == -ENOTTY ? err : -ENOTTY,
				    "bpf-enforcer: sbx's BPF programs did not answer the claim "
				    "(not attached, or the caller is not root)");
	return 0;
}

int sbx_enforcer_claim(struct sbx_diag *d)
{
	return enforcer_claim(0, d);
}

/*
 * After arming: the record names this process as sbxd, or someone else's claim came
 * first (a process root prepared before the arming): then this one is not sbxd.
 */
static int enforcer_armed_by_self(struct sbx_enforcer *e, struct sbx_diag *d)
{
	struct sbx_enforcer_config cfg;
	struct sbx_guard_state g;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(e->map_fd[MAP_GUARD], &zero, &g) ||
	    bpf_map_lookup_elem(e->map_fd[MAP_CONFIG], &zero, &cfg))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot read sbxd's identity: %s",
				    strerror(errno));
	if (!(cfg.flags & SBX_CONFIG_SELF_PROTECT) || g.daemon_tgid != (__u32)getpid())
		return sbx_diag_set(d, -EPERM,
				    "bpf-enforcer: self-protection is %s, not by this process "
				    "(pid %d): it is not sbxd",
				    cfg.flags & SBX_CONFIG_SELF_PROTECT ? "held by another process"
									: "not armed",
				    (int)getpid());
	e->config_flags |= SBX_CONFIG_SELF_PROTECT;
	return 0;
}

static int enforcer_guard_id(struct sbx_enforcer *e, const char *path, const char *name)
{
	enum sbx_guard_kind kind = !strncmp(name, "link_", 5)	? SBX_GUARD_LINK
				   : !strncmp(name, "prog_", 5) ? SBX_GUARD_PROG
								: SBX_GUARD_MAP;
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
		struct bpf_link_info link;
	} info;
	__u32 len = sizeof(info), one = 1, id, had;
	__u64 key;
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	id = kind == SBX_GUARD_LINK   ? info.link.id
	     : kind == SBX_GUARD_PROG ? info.prog.id
				      : info.map.id;
	key = SBX_GUARD_KEY(kind, id);
	if (!bpf_map_lookup_elem(e->map_fd[MAP_GUARD_IDS], &key, &had))
		return 0; /* a re-arming: guarded (and frozen) when first armed */
	return bpf_map_update_elem(e->map_fd[MAP_GUARD_IDS], &key, &one, BPF_ANY) ? -errno : 0;
}

/* The guard ioctl cmd (SBX_IOC_GUARD_ADD or _TEST) on the file fd (may be O_PATH) names. */
static int enforcer_guard_ioctl(int fd, unsigned int cmd, __u32 flags)
{
	char self[32];
	int rfd, err;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	rfd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	err = enforcer_store_ioctl(rfd, cmd, (void *)(uintptr_t)flags);
	close(rfd);
	return err;
}

/*
 * Add flags to an inode's guard (a file may be sbxd's code and more), through the BPF side,
 * which keeps it where it lasts as long as the file (sbx_guard_home in
 * bpf/include/sbx_enforcer.bpf.h: a disk's file by its identity) or refuses: EOPNOTSUPP.
 * fd may be O_PATH. A pin cannot be opened: pins (bpffs) are guarded in their inodes'
 * storage from here, before the arming freezes it; once armed, a pin was guarded when first
 * armed and stays in memory while pinned.
 */
static int enforcer_guard_fd(struct sbx_enforcer *e, int fd, __u32 flags)
{
	__u32 had = 0, want;
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return -errno;
	if ((unsigned long)sf.f_type != BPF_FS_MAGIC)
		return enforcer_guard_ioctl(fd, SBX_IOC_GUARD_ADD, flags);
	if (bpf_map_lookup_elem(e->map_fd[MAP_GUARD_INODES], &fd, &had) && errno != ENOENT)
		return -errno;
	want = flags | had;
	if (want == had)
		return 0;
	if (!bpf_map_update_elem(e->map_fd[MAP_GUARD_INODES], &fd, &want, BPF_ANY))
		return 0;
	return errno == EPERM ? enforcer_guard_ioctl(fd, SBX_IOC_GUARD_ADD, flags) : -errno;
}

/* sys/file's first line, without its newline: 0, or -errno. */
static int enforcer_sys_read(const char *sys, const char *file, char *buf, size_t n)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * A process that maps the device rdev shared and writable (made before its guard, which
 * refuses new ones: writes through such a mapping ask no hook): its pid, or 0. Every
 * process's shared writable mappings, by the mapped file itself (map_files), at arming.
 */
static pid_t enforcer_device_mapped(dev_t rdev, bool blk)
{
	DIR *proc = opendir("/proc");
	char path[128], line[PATH_MAX + 128], perms[8];
	struct dirent *de;
	pid_t found = 0;

	while (proc && !found && (de = readdir(proc))) {
		pid_t pid = (pid_t)atoi(de->d_name);
		unsigned long lo, hi;
		struct stat st;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		f = fopen(path, "re");
		while (f && !found && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[1] != 'w' ||
			    perms[3] != 's')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", (int)pid, lo,
				 hi);
			if (!stat(path, &st) && (blk ? S_ISBLK(st.st_mode) : S_ISCHR(st.st_mode)) &&
			    st.st_rdev == rdev)
				found = pid;
		}
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	return found;
}

/*
 * Guard the device whose sysfs directory is sys (SBX_GUARD_DEVICE), through its node in
 * /dev (devtmpfs names it: uevent's DEVNAME); the guard is by device number, so every other
 * node of it is guarded too. Only a block device when blocks, only a character device
 * otherwise. A directory without a device number is no device: 0.
 */
static int enforcer_guard_devnode(struct sbx_enforcer *e, const char *sys, bool blocks,
				  struct sbx_diag *d)
{
	char val[PATH_MAX], node[PATH_MAX + 8] = "";
	unsigned int maj, min;
	struct stat st;
	pid_t pid;
	bool blk;
	int fd, err;
	FILE *f;

	if (enforcer_sys_read(sys, "dev", val, sizeof(val)) ||
	    sscanf(val, "%u:%u", &maj, &min) != 2)
		return 0;
	snprintf(node, sizeof(node), "%s/subsystem", sys);
	if (!realpath(node, val))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot guard device %s: %s", sys,
				    strerror(errno));
	blk = !strcmp(strrchr(val, '/'), "/block");
	if (blk != blocks)
		return 0;
	snprintf(node, sizeof(node), "%s/uevent", sys);
	f = fopen(node, "re");
	node[0] = '\0';
	while (f && fgets(val, sizeof(val), f))
		if (!strncmp(val, "DEVNAME=", 8)) {
			val[strcspn(val, "\n")] = '\0';
			snprintf(node, sizeof(node), "/dev/%s", val + 8);
		}
	if (f)
		fclose(f);
	fd = node[0] ? open(node, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) || (blk ? !S_ISBLK(st.st_mode) : !S_ISCHR(st.st_mode)) ||
	    st.st_rdev != makedev(maj, min)) {
		if (fd >= 0)
			close(fd);
		return sbx_diag_set(d, -ENODEV,
				    "bpf-enforcer: cannot guard device %u:%u (%s): no node of it "
				    "in /dev (devtmpfs)",
				    maj, min, sys);
	}
	err = enforcer_guard_fd(e, fd, SBX_GUARD_DEVICE);
	close(fd);
	if (err)
		return sbx_diag_set(d, err, "bpf-enforcer: cannot guard %s: %s", node,
				    strerror(-err));
	pid = enforcer_device_mapped(st.st_rdev, blk);
	if (pid)
		return sbx_diag_set(d, -ETXTBSY,
				    "bpf-enforcer: cannot guard %s: process %d maps it shared and "
				    "writable (made before the arming, it writes past every guard)",
				    node, (int)pid);
	return 0;
}

/*
 * The character devices of a disk's hardware that reach its blocks past the block layer's
 * write checks: the NVMe controller (/dev/nvmeX: admin and I/O pass-through) and its
 * namespaces' generic nodes (/dev/ngXnY), SCSI generic (/dev/sgN) and bsg nodes. All
 * are devices in sysfs under the disk's device/, two levels down at most.
 */
static int enforcer_guard_chardevs(struct sbx_enforcer *e, const char *dir, int depth,
				   struct sbx_diag *d)
{
	int err = enforcer_guard_devnode(e, dir, false, d);
	struct dirent *de;
	DIR *dp;

	if (err || depth == 2)
		return err;
	dp = opendir(dir);
	while (dp && !err && (de = readdir(dp))) {
		char sub[PATH_MAX + 300];

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue; /* sysfs links (subsystem, driver, ...) lead elsewhere */
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		err = enforcer_guard_chardevs(e, sub, depth + 1, d);
	}
	if (dp)
		closedir(dp);
	return err;
}

/*
 * One disk under a guarded file (enforcer_disk_visit): the disk itself, every partition
 * of it (any of them can be made to overlap the file system's, and the disk's own node
 * writes them all), and its hardware's pass-through nodes.
 */
static int enforcer_guard_disk(const char *sys, void *arg, struct sbx_diag *d)
{
	struct sbx_enforcer *e = arg;
	char sub[PATH_MAX + 300], hw[PATH_MAX];
	struct dirent *de;
	DIR *dp;
	int err = enforcer_guard_devnode(e, sys, true, d);

	dp = err ? NULL : opendir(sys);
	while (dp && !err && (de = readdir(dp))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/partition", sys, de->d_name);
		if (access(sub, F_OK))
			continue;
		*strrchr(sub, '/') = '\0';
		err = enforcer_guard_devnode(e, sub, true, d);
	}
	if (dp)
		closedir(dp);
	snprintf(sub, sizeof(sub), "%s/device", sys);
	if (!err && realpath(sub, hw))
		err = enforcer_guard_chardevs(e, hw, 0, d);
	return err;
}

/*
 * The devices under a guarded file (atk9k G3): root writes its blocks through the block
 * device of its file system, the whole disk, another partition, a stacked member, or a
 * pass-through node of the hardware, and no inode hook sees it. Each is guarded by device
 * number (SBX_GUARD_DEVICE: self_protect.bpf.c), found in sysfs at the arming along the
 * same walk that proved the bytes are this kernel's alone (enforcer_backing_kernel_only:
 * loop, nbd and the like are refused there, so nothing is left whose backing is a file).
 * Once per file system. fd may be O_PATH.
 */
static int enforcer_guard_disks(struct sbx_enforcer *e, int fd, struct sbx_diag *d)
{
	struct enforcer_disk_visit v = { enforcer_guard_disk, e };
	char self[32];
	struct statfs sf;
	struct stat st;
	int rfd, err;

	if (fstat(fd, &st) || fstatfs(fd, &sf))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot stat a guarded file: %s",
				    strerror(errno));
	if ((unsigned long)sf.f_type == BPF_FS_MAGIC)
		return 0;
	for (size_t i = 0; i < e->ndisks; i++)
		if (e->disks[i] == st.st_dev)
			return 0;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	rfd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot open a guarded file: %s",
				    strerror(errno));
	err = enforcer_backing_kernel_only(rfd, &v, d);
	close(rfd);
	if (!err && e->ndisks < ARRAY_LEN(e->disks))
		e->disks[e->ndisks++] = st.st_dev;
	return err;
}

/* Guard one inode, reached through an O_PATH descriptor (a pin cannot be opened). */
static int enforcer_guard_inode(struct sbx_enforcer *e, int dirfd, const char *name, __u32 flags)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = enforcer_guard_fd(e, fd, flags);
	close(fd);
	return err;
}

/*
 * sbxd's code: every file this process has mapped executable (its program, ld.so, the
 * libraries it links), each through /proc/self/map_files, which opens the mapped inode
 * itself even when its path names another file by now. Later mappings are the BPF side's.
 * Without e, only the checks (enforcer_guard_holds).
 */
static int enforcer_guard_mapped(struct sbx_enforcer *e, struct sbx_diag *d)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128], name[64], perms[8];
	unsigned long lo, hi;
	int fd, err = 0;

	if (!f)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot read /proc/self/maps: %s",
				    strerror(errno));
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[2] != 'x' ||
		    !strchr(line, '/'))
			continue; /* not executable, or not a file: [vdso], anonymous memory */
		line[strcspn(line, "\n")] = '\0';
		snprintf(name, sizeof(name), "/proc/self/map_files/%lx-%lx", lo, hi);
		fd = open(name, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			err = sbx_diag_set(d, -errno,
					   "bpf-enforcer: cannot guard sbxd's mapped file %s: %s",
					   line + strcspn(line, "/"), strerror(errno));
			break;
		}
		/* Guard, then look (enforcer_guard_path): no writer appears after the look. */
		if (e) {
			err = enforcer_guard_fd(e, fd, SBX_GUARD_MAPPED);
			if (err)
				sbx_diag_set(d, err,
					     "bpf-enforcer: cannot guard sbxd's mapped file %s: %s",
					     line + strcspn(line, "/"), strerror(-err));
		}
		if (!err)
			err = enforcer_guard_holds(fd, line + strcspn(line, "/"), d);
		if (!err && e)
			err = enforcer_guard_disks(e, fd, d);
		close(fd);
	}
	fclose(f);
	return err;
}

/*
 * Re-arming (an armed enforcer adopted): each path must still be the inode guarded when
 * it was armed. Something mounted over a parent (/etc/sbx) would show sbxd another trust
 * store at the same path; the mount hooks see only mounts over the guarded inodes.
 */
static int enforcer_guard_same(const char *path)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), err = 0;
	struct stat st;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		err = enforcer_guard_ioctl(fd, SBX_IOC_GUARD_TEST, SBX_GUARD_NO_WRITE);
	close(fd);
	return err == -ENOENT ? -EXDEV : err;
}

/*
 * A regular file, or a directory with its entries (two levels: trust.d/platform.d), path
 * naming it. Nothing else: a symbolic link (the path, or an entry) is refused, since what
 * is guarded is its own inode and every reader of the trust store follows no link
 * (sbx_trust_openat), so a link there is either unguarded trust or unread. The one
 * exception is /dev/null as sbxd.conf (no configuration: nothing to guard). Each where only
 * this kernel writes it (enforcer_guard_holds). Without e, only the checks, before anything
 * is recorded.
 */
static int enforcer_guard_path(struct sbx_enforcer *e, int at, const char *name, const char *path,
			       int depth, struct sbx_diag *d)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int fd, err;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT
			       ? 0
			       : sbx_diag_set(d, -errno, "bpf-enforcer: cannot guard %s: %s", path,
					      strerror(errno));
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		return 0;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return sbx_diag_set(
			d, S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL,
			"bpf-enforcer: %s is %s: self-protection guards regular files "
			"and directories only (name the real path, keep the file itself "
			"there)",
			path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
	fd = openat(at, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot guard %s: %s", path,
				    strerror(errno));
	/*
	 * Guard, then look for writers (atk11k W1): the guard refuses every open for write
	 * from its adding, before the arming (sbx_guard_refuse_writer, bpf/include/
	 * sbx_enforcer.bpf.h, at inode_permission and at file_open, which an open reaches
	 * after it is counted as a writer), so a writer is either seen by this look or
	 * refused: none appears between the look and the claim.
	 */
	err = e ? enforcer_guard_fd(e, fd, SBX_GUARD_NO_WRITE) : 0;
	if (!err) {
		err = enforcer_guard_holds(fd, path, d);
		if (!err && e)
			err = enforcer_guard_disks(e, fd, d);
	} else if (err == -EOPNOTSUPP)
		sbx_diag_set(d, err,
			     "bpf-enforcer: cannot guard %s: its file system keeps no "
			     "guard for as long as the file (self-protection guards files "
			     "on a block device's file system such as ext4 or xfs, tmpfs "
			     "or ramfs)",
			     path);
	else
		sbx_diag_set(d, err, "bpf-enforcer: cannot guard %s: %s", path, strerror(-err));
	close(fd);
	if (err)
		return err;
	if (!S_ISDIR(st.st_mode) || depth == 0)
		return 0;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return sbx_diag_set(d, err, "bpf-enforcer: cannot open %s: %s", path,
				    strerror(-err));
	}
	while (!err && (de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			err = enforcer_guard_path(e, dirfd(dp), de->d_name, sub, depth - 1, d);
		}
	closedir(dp);
	return err;
}

/*
 * Maps only the BPF side writes once armed: task storage (sbxd's identity, the traced and
 * sandbox marks), write generations and their clock, sbx_guard (the claims write it), the
 * verdict cache and the configuration (sbxd writes them through the BPF side,
 * bpf/daemon_store.bpf.c, from the start), and the guards themselves (ids and inodes).
 * Frozen just before the claim that arms (BPF_MAP_FREEZE: no write from the syscall side,
 * through any descriptor, ever again; the programs still write), since a descriptor opened
 * before the arming passes no hook: with it root would plant sbxd's flags or a process in
 * the record, move a file's generation back to a stale verdict's, store a verdict for any
 * file, disarm, or lift a guard (reopen a pin, let lsm/bpf_prog pass a program using a
 * map, write the trust store). Already frozen (a re-arming, or an arming whose claim
 * failed) is fine: EBUSY, or EPERM where the kernel checks a frozen map's write permission
 * first (6.12, 7.2).
 */
static int enforcer_freeze_bpf_owned(struct sbx_enforcer *e, struct sbx_diag *d)
{
	static const int maps[] = { MAP_TASKS,	   MAP_INODE_GEN,    MAP_GEN_CLOCK,
				    MAP_GUARD,	   MAP_VERDICTS,     MAP_CONFIG,
				    MAP_GUARD_IDS, MAP_GUARD_INODES, MAP_GUARD_FILES };

	for (size_t i = 0; i < ARRAY_LEN(maps); i++)
		if (bpf_map_freeze(e->map_fd[maps[i]]) && errno != EBUSY && errno != EPERM)
			return sbx_diag_set(d, -errno, "bpf-enforcer: cannot freeze %s: %s",
					    enforcer_maps[maps[i]], strerror(errno));
	return 0;
}

/*
 * The record of sbxd's executable (its key, generation, the pins' device), written before
 * the first arming; the claim that arms adds who sbxd is. An armed enforcer keeps its
 * record: this process claimed it with the same executable to adopt it.
 */
static int enforcer_record_exe(struct sbx_enforcer *e, struct sbx_diag *d)
{
	struct sbx_guard_state g = { 0 }, had;
	struct stat st;
	uint64_t gen = 0, begun = 0;
	__u32 zero = 0;
	int fd, err;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot open /proc/self/exe: %s",
				    strerror(errno));
	err = sbx_enforcer_verdict_begin(e, fd, &begun, d);
	if (!err)
		err = enforcer_file_key(e, fd, &g.daemon_exe, &gen, d);
	close(fd);
	if (err)
		return err;
	g.daemon_gen = begun;
	if (gen != begun)
		return sbx_diag_set(d, -ESTALE, "bpf-enforcer: sbxd's executable is being written");
	if (stat(e->dir, &st))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot stat %s: %s", e->dir,
				    strerror(errno));
	g.pin_dev = (__u32)(major(st.st_dev) << 20 | minor(st.st_dev));
	if (!bpf_map_update_elem(e->map_fd[MAP_GUARD], &zero, &g, BPF_ANY))
		return 0;
	/* Frozen by an arming whose claim failed: fine if it recorded this same executable. */
	err = -errno;
	if (err == -EPERM && !bpf_map_lookup_elem(e->map_fd[MAP_GUARD], &zero, &had) &&
	    !memcmp(&had.daemon_exe, &g.daemon_exe, sizeof(g.daemon_exe)) &&
	    had.daemon_gen == g.daemon_gen && had.pin_dev == g.pin_dev)
		return 0;
	return sbx_diag_set(
		d, err, "bpf-enforcer: cannot record sbxd's identity: %s%s", strerror(-err),
		err == -EPERM ? " (an earlier arming froze another record: unload first)" : "");
}

/* Guard every object pinned in the pin directory, and each pin itself. */
static int enforcer_guard_pins(struct sbx_enforcer *e, struct sbx_diag *d)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dp;
	int err = 0;

	dp = opendir(e->dir);
	if (!dp)
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot open %s: %s", e->dir,
				    strerror(errno));
	while (!err && (de = readdir(dp))) {
		if (de->d_name[0] == '.' || enforcer_pin_path(path, e->dir, "", de->d_name))
			continue;
		err = enforcer_guard_id(e, path, de->d_name);
		if (!err)
			err = enforcer_guard_inode(e, dirfd(dp), de->d_name, SBX_GUARD_NO_OPEN);
		if (err)
			sbx_diag_set(d, err, "bpf-enforcer: cannot guard %s: %s", path,
				     strerror(-err));
	}
	closedir(dp);
	return err;
}

/*
 * Arm self-protection (bpf/self_protect.bpf.c): record this process's executable as
 * sbxd's, guard every object pinned in the pin directory, the pins, the directory, the
 * given paths and the files this process has mapped executable, and only then claim with
 * SBX_CLAIM_ARM, which arms and names this process sbxd in one step; read back that it
 * does. A first arming that fails before its claim leaves no record of sbxd's executable
 * (nothing can arm with it) and nothing armed: the guards it left refuse nothing unarmed.
 */
int sbx_enforcer_protect(struct sbx_enforcer *e, const char *const *paths, size_t npaths,
			 struct sbx_diag *d)
{
	bool armed = e->config_flags & SBX_CONFIG_SELF_PROTECT;
	struct sbx_guard_state none = { 0 };
	__u32 zero = 0;
	int err;

	err = sbx_instr_check(e->dir, NULL, d); /* no tracing program of others' (atk4 K1) */
	if (err)
		return err;
	for (size_t i = 0; i < npaths; i++) {
		err = enforcer_guard_path(NULL, AT_FDCWD, paths[i], paths[i], 2, d);
		if (err)
			return err;
		if (!armed)
			continue;
		err = enforcer_guard_same(paths[i]);
		if (err == -EXDEV)
			return sbx_diag_set(d, err,
					    "bpf-enforcer: %s is not the file self-protection "
					    "guards (something is mounted over it or a parent, or "
					    "the configuration names another): unload first",
					    paths[i]);
		if (err)
			return sbx_diag_set(d, err, "bpf-enforcer: cannot check %s: %s", paths[i],
					    strerror(-err));
	}
	err = armed ? 0 : enforcer_record_exe(e, d);
	if (!err)
		err = enforcer_guard_pins(e, d);
	for (size_t i = 0; !err && i <= npaths; i++) {
		const char *p = i < npaths ? paths[i] : e->dir;

		err = enforcer_guard_path(e, AT_FDCWD, p, p, i < npaths ? 2 : 0, d);
	}
	if (!err)
		err = enforcer_guard_mapped(e, d);
	if (!err)
		err = enforcer_freeze_bpf_owned(e, d);
	if (!err)
		err = enforcer_claim(SBX_CLAIM_ARM, d);
	if (err && !armed && err != -EPERM) /* frozen already when the claim failed */
		bpf_map_update_elem(e->map_fd[MAP_GUARD], &zero, &none, BPF_ANY);
	if (err)
		return err;
	err = enforcer_armed_by_self(e, d);
	/*
	 * Again, now that nothing new loads past the hooks: what was loaded before the claim
	 * is all there is (the check above leaves a window until the claim). The writers
	 * check is repeated too, though a guard refused writers from its adding. Armed either
	 * way; a failure stops sbxd, and the armed pins go on enforcing.
	 */
	for (size_t i = 0; !err && i < npaths; i++)
		err = enforcer_guard_path(NULL, AT_FDCWD, paths[i], paths[i], 2, d);
	if (!err)
		err = enforcer_guard_mapped(NULL, d);
	return err ? err : sbx_instr_check(e->dir, NULL, d);
}

int sbx_enforcer_event_fd(struct sbx_enforcer *e)
{
	return ring_buffer__epoll_fd(e->rb);
}

int sbx_enforcer_events_drain(struct sbx_enforcer *e,
			      int (*cb)(const struct sbx_event *ev, void *arg), void *arg)
{
	int n;

	e->cb = cb;
	e->cb_arg = arg;
	n = ring_buffer__consume(e->rb);
	e->cb = NULL;
	return n;
}

int sbx_enforcer_stats(struct sbx_enforcer *e, struct sbx_enforcer_stats *s, struct sbx_diag *d)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), zero = 0;
	struct sbx_enforcer_config cfg;
	uint64_t buckets = 1;

	memset(s, 0, sizeof(*s));
	if (bpf_map_lookup_elem(e->map_fd[MAP_CONFIG], &zero, &cfg) ||
	    bpf_obj_get_info_by_fd(e->map_fd[MAP_VERDICTS], &info, &len))
		return sbx_diag_set(d, -errno, "bpf-enforcer: cannot read the maps: %s",
				    strerror(errno));
	s->mode = cfg.mode ? SBX_ENFORCE_ENFORCE : SBX_ENFORCE_COMPLAIN;
	s->scope = cfg.scope ? SBX_SCOPE_ALL : SBX_SCOPE_SANDBOXED;
	s->adopted = e->adopted;
	s->self_protect = cfg.flags & SBX_CONFIG_SELF_PROTECT;
	s->cache_entries = enforcer_verdicts_count(e->map_fd[MAP_VERDICTS]);
	s->cache_max = info.max_entries;
	s->entry_bytes = sizeof(struct sbx_verdict_key) + sizeof(struct sbx_cached_verdict);
	/*
	 * The kernel's LRU hash: a 48-byte struct htab_elem header before key and value (each
	 * rounded to 8), all preallocated, and a 16-byte bucket per power of two >= max.
	 */
	while (buckets < info.max_entries)
		buckets <<= 1;
	s->kernel_bytes = 48 + s->entry_bytes +
			  (uint32_t)((16 * buckets + info.max_entries - 1) / info.max_entries);
	return 0;
}
