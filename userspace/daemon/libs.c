// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K checks every executable file mapping (bpf/mmap_verdict.bpf.c), and no fanotify
 * event announces a mapping: the libraries ld.so maps for a program must hold verdicts
 * before the program runs. So when sbxd verifies a program at its exec, it also finds
 * what ld.so will map for it — PT_INTERP and the DT_NEEDED closure — and verifies each
 * (fan.c, verify_libs) before it answers the exec. This file only finds them.
 *
 * Resolution follows ld.so (glibc), for each DT_NEEDED name of an object:
 *  - a name with a '/' is that path (absolute only: a relative one is the process's
 *    working directory, which sbxd does not follow; it stays without a verdict);
 *  - DT_RPATH of the object and of each object that loaded it up to the program, when
 *    the object has no DT_RUNPATH; then its DT_RUNPATH; $ORIGIN (and ${ORIGIN}) is the
 *    directory of the object's path, other $TOKENs drop the entry;
 *  - the directories of /etc/ld.so.conf (its `include` globs followed), which is what
 *    ldconfig puts in /etc/ld.so.cache; then the default directories.
 *  In each directory the glibc-hwcaps subdirectories are candidates too, and all that
 *  exist are visited (which one ld.so picks depends on the CPU). A candidate of another
 *  ELF class or machine is skipped, as ld.so skips it.
 * Not followed: LD_LIBRARY_PATH and LD_PRELOAD (the exec's new environment is not
 * readable when its event arrives), dlopen. What is not found here has no verdict unless
 * another program's closure gave it one, so the hooks refuse it: a resolution that
 * differs from ld.so's fails closed, never open.
 *
 * Bounded: SBXD_LIBS_MAX objects per program, each parsed once per walk (libelf, through
 * its program headers only, so stripped section headers do not matter).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbxd.h"

#if defined(__x86_64__)
#define TRIPLET "x86_64-linux-gnu"
static const char *const hwcaps[] = { "x86-64-v4", "x86-64-v3", "x86-64-v2" };
#elif defined(__aarch64__)
#define TRIPLET "aarch64-linux-gnu"
static const char *const hwcaps[] = { NULL };
#else
#define TRIPLET ""
static const char *const hwcaps[] = { NULL };
#endif

static const char *const default_dirs[] = { "/lib/" TRIPLET, "/usr/lib/" TRIPLET,
					    "/lib64",	     "/usr/lib64",
					    "/lib",	     "/usr/lib" };

#define MAX_CONF_DIRS 64
#define MAX_NEEDED    64
#define OBJ_PATH      1024

struct obj {
	dev_t dev;
	ino_t ino;
	int loader; /* index of the object that needed it; -1 for the program */
	char path[OBJ_PATH]; /* longer: cut, so $ORIGIN finds nothing (fails closed) */
	char *rpath, *runpath; /* NULL when absent */
	char *needed[MAX_NEEDED];
	int nneeded;
};

struct walk {
	struct obj *objs;
	int n;
	int elf_class, machine; /* the program's */
	char *conf[MAX_CONF_DIRS];
	int nconf;
	void (*visit)(void *arg, int fd, const char *path);
	void *arg;
};

/* ---- /etc/ld.so.conf ---- */

static void conf_file(struct walk *w, const char *file, int depth);

static void conf_line(struct walk *w, char *line, int depth)
{
	char *p = line + strspn(line, " \t"), *end;

	p[strcspn(p, "#\n")] = '\0';
	for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = '\0';
	if (!*p)
		return;
	if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
		char pat[PATH_MAX];
		glob_t g;

		p += 7 + strspn(p + 7, " \t");
		snprintf(pat, sizeof(pat), "%s%s", p[0] == '/' ? "" : "/etc/", p);
		if (glob(pat, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				conf_file(w, g.gl_pathv[i], depth + 1);
			globfree(&g);
		}
		return;
	}
	if (!strncmp(p, "hwcap", 5) || p[0] != '/' || w->nconf == MAX_CONF_DIRS)
		return;
	p[strcspn(p, " \t=:,")] = '\0';
	w->conf[w->nconf] = strdup(p);
	w->nconf += w->conf[w->nconf] != NULL;
}

static void conf_file(struct walk *w, const char *file, int depth)
{
	char line[PATH_MAX];
	FILE *f;

	if (depth > 4 || !(f = fopen(file, "re")))
		return;
	while (fgets(line, sizeof(line), f))
		conf_line(w, line, depth);
	fclose(f);
}

/* ---- ELF ---- */

/* The file offset of virtual address vaddr, through the PT_LOAD segments. */
static bool vaddr_off(Elf *e, size_t phnum, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (vaddr - ph.p_vaddr);
			return true;
		}
	}
	return false;
}

static char *strtab_dup(const char *tab, size_t len, uint64_t at)
{
	if (at >= len || !memchr(tab + at, '\0', len - at))
		return NULL;
	return strdup(tab + at);
}

/*
 * Read o's dynamic section (and, for the program, its interpreter into interp). false:
 * not an ELF of the program's class and machine (w->elf_class 0: o is the program).
 */
static bool parse(struct walk *w, int fd, struct obj *o, char *interp, size_t interp_len)
{
	uint64_t strtab = 0, strsz = 0, off, needed[MAX_NEEDED], rpath = ~0ull, runpath = ~0ull;
	int nneeded = 0;
	GElf_Phdr dyn = { 0 };
	GElf_Ehdr eh;
	size_t phnum;
	Elf_Data *d;
	bool ok = false;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)))
		return false;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum))
		goto out;
	if (w->elf_class && (gelf_getclass(e) != w->elf_class || eh.e_machine != w->machine))
		goto out;
	w->elf_class = gelf_getclass(e);
	w->machine = eh.e_machine;
	ok = true;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_DYNAMIC)
			dyn = ph;
		if (ph.p_type == PT_INTERP && interp && ph.p_filesz > 1 &&
		    ph.p_filesz < interp_len &&
		    pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz)
			interp[ph.p_filesz - 1] = '\0';
	}
	if (!dyn.p_filesz ||
	    !(d = elf_getdata_rawchunk(e, (int64_t)dyn.p_offset, dyn.p_filesz, ELF_T_DYN)))
		goto out;
	for (int i = 0;; i++) {
		GElf_Dyn dt;

		if (!gelf_getdyn(d, i, &dt) || dt.d_tag == DT_NULL)
			break;
		if (dt.d_tag == DT_STRTAB)
			strtab = dt.d_un.d_ptr;
		else if (dt.d_tag == DT_STRSZ)
			strsz = dt.d_un.d_val;
		else if (dt.d_tag == DT_RPATH)
			rpath = dt.d_un.d_val;
		else if (dt.d_tag == DT_RUNPATH)
			runpath = dt.d_un.d_val;
		else if (dt.d_tag == DT_NEEDED && nneeded < MAX_NEEDED)
			needed[nneeded++] = dt.d_un.d_val;
	}
	if (strsz && strsz < (1u << 24) && vaddr_off(e, phnum, strtab, &off) &&
	    (d = elf_getdata_rawchunk(e, (int64_t)off, strsz, ELF_T_BYTE))) {
		for (int i = 0; i < nneeded; i++) {
			o->needed[o->nneeded] = strtab_dup(d->d_buf, d->d_size, needed[i]);
			o->nneeded += o->needed[o->nneeded] != NULL;
		}
		if (rpath != ~0ull)
			o->rpath = strtab_dup(d->d_buf, d->d_size, rpath);
		if (runpath != ~0ull)
			o->runpath = strtab_dup(d->d_buf, d->d_size, runpath);
	}
out:
	elf_end(e);
	return ok;
}

/* ---- resolution ---- */

static int seen(const struct walk *w, const struct stat *st)
{
	for (int i = 0; i < w->n; i++)
		if (w->objs[i].dev == st->st_dev && w->objs[i].ino == st->st_ino)
			return i;
	return -1;
}

/*
 * Open path as a candidate for an object loaded by `loader`: true when it is one (an ELF
 * of the program's kind, or already in the walk); a new one is visited and added.
 */
static bool try_path(struct walk *w, const char *path, int loader)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct obj *o;
	struct stat st;
	bool ok = false;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	if (seen(w, &st) >= 0) {
		ok = true;
		goto out;
	}
	if (w->n == SBXD_LIBS_MAX + 1)
		goto out; /* bounded: the rest has no verdict from this walk */
	o = &w->objs[w->n];
	memset(o, 0, sizeof(*o));
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->loader = loader;
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (!parse(w, fd, o, NULL, 0))
		goto out;
	w->n++;
	w->visit(w->arg, fd, path);
	ok = true;
out:
	close(fd);
	return ok;
}

/* dir/name and dir/glibc-hwcaps/X/name: true when any was a candidate. */
static bool try_dir(struct walk *w, const char *dir, size_t dlen, const char *name, int loader)
{
	char path[PATH_MAX];
	bool found = false;

	for (size_t i = 0; i < sizeof(hwcaps) / sizeof(hwcaps[0]) && hwcaps[i]; i++)
		if (snprintf(path, sizeof(path), "%.*s/glibc-hwcaps/%s/%s", (int)dlen, dir,
			     hwcaps[i], name) < (int)sizeof(path))
			found |= try_path(w, path, loader);
	if (snprintf(path, sizeof(path), "%.*s/%s", (int)dlen, dir, name) < (int)sizeof(path))
		found |= try_path(w, path, loader);
	return found;
}

/* A DT_RPATH/DT_RUNPATH list of o, $ORIGIN expanded: true when name was found in it. */
static bool try_list(struct walk *w, const struct obj *o, const char *list, const char *name,
		     int loader)
{
	const char *slash = strrchr(o->path, '/');
	int olen = slash ? (int)(slash - o->path) : 0;

	while (list && *list) {
		size_t len = strcspn(list, ":");
		char dir[PATH_MAX];
		const char *p = list;
		size_t n = 0;
		bool bad = false;

		while (p < list + len && n < sizeof(dir) - 1 && !bad) {
			if (!strncmp(p, "$ORIGIN", 7) || !strncmp(p, "${ORIGIN}", 9)) {
				n += (size_t)snprintf(dir + n, sizeof(dir) - n, "%.*s", olen,
						      o->path);
				n = n < sizeof(dir) ? n : sizeof(dir) - 1;
				p += p[1] == '{' ? 9 : 7;
			} else if (*p == '$') {
				bad = true; /* $LIB, $PLATFORM: not followed */
			} else {
				dir[n++] = *p++;
			}
		}
		dir[n] = '\0';
		if (!bad && n && try_dir(w, dir, n, name, loader))
			return true;
		list += len + (list[len] == ':');
	}
	return false;
}

static void resolve(struct walk *w, int loader, const char *name)
{
	const struct obj *o = &w->objs[loader];

	if (strchr(name, '/')) {
		if (name[0] == '/')
			try_path(w, name, loader);
		return;
	}
	if (!o->runpath)
		for (int i = loader; i >= 0; i = w->objs[i].loader)
			if (try_list(w, &w->objs[i], w->objs[i].rpath, name, loader))
				return;
	if (try_list(w, o, o->runpath, name, loader))
		return;
	for (int i = 0; i < w->nconf; i++)
		if (try_dir(w, w->conf[i], strlen(w->conf[i]), name, loader))
			return;
	for (size_t i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
		if (try_dir(w, default_dirs[i], strlen(default_dirs[i]), name, loader))
			return;
}

int sbxd_libs_walk(int fd, const char *path, void (*visit)(void *arg, int fd, const char *path),
		   void *arg)
{
	struct walk w = { .visit = visit, .arg = arg };
	char interp[PATH_MAX] = "";
	struct stat st;
	int n;

	if (fstat(fd, &st) || !(w.objs = calloc(SBXD_LIBS_MAX + 1, sizeof(*w.objs))))
		return 0;
	w.objs[0].dev = st.st_dev;
	w.objs[0].ino = st.st_ino;
	w.objs[0].loader = -1;
	snprintf(w.objs[0].path, sizeof(w.objs[0].path), "%s", path);
	if (!parse(&w, fd, &w.objs[0], interp, sizeof(interp))) {
		free(w.objs);
		return 0; /* a script, or not an ELF: nothing ld.so maps */
	}
	w.n = 1;
	/* A static program has neither: no ld.so.conf read for it. */
	if (interp[0] == '/')
		try_path(&w, interp, 0);
	if (w.objs[0].nneeded)
		conf_file(&w, "/etc/ld.so.conf", 0);
	/* Breadth first, as ld.so loads: w.n grows while the loop runs. */
	for (int i = 0; i < w.n; i++)
		for (int j = 0; j < w.objs[i].nneeded; j++)
			resolve(&w, i, w.objs[i].needed[j]);
	n = w.n - 1;
	for (int i = 0; i < w.n; i++) {
		for (int j = 0; j < w.objs[i].nneeded; j++)
			free(w.objs[i].needed[j]);
		free(w.objs[i].rpath);
		free(w.objs[i].runpath);
	}
	for (int i = 0; i < w.nconf; i++)
		free(w.conf[i]);
	free(w.objs);
	return n;
}
