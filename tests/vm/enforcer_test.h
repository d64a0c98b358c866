/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the tier K enforcer suites (enforcer_*.c), which run in the VM kernels: the
 * test is its own minimal daemon. It loads the enforcer through libsbx (a pin directory of
 * its own), "verifies" a file by comparing its bytes through the descriptor with what it
 * wrote (the real sbxd runs the signature verifier there), stores the verdict, and execs.
 *
 * The programs exec'd are tiny static ELF files written by the test: one exits with a
 * code (one byte of the file), the other is a launcher that execs argv[1] and exits with
 * the errno of a refused exec. No loader, no libraries: a refusal comes from the hook.
 */
#ifndef SBX_ENFORCER_TEST_H
#define SBX_ENFORCER_TEST_H

#include <dirent.h>
#include <elf.h>
#include <grp.h>
#include <link.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "sbx_test.h"
#include "bpf/enforcer.h"

#include <bpf/bpf.h>

#define TEST_PIN_DIR	   "/sys/fs/bpf/sbx-vmtest"
#define TINY_BASE	   0x400000ul
#define TINY_CODE_OFF	   (sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr))
#define TINY_EXIT_CODE_OFF (TINY_CODE_OFF + 1) /* the imm32 of `mov edi, CODE` */

extern char **environ;

struct tiny_elf {
	unsigned char bytes[256];
	size_t len;
};

static inline void tiny_elf_build(struct tiny_elf *t, const unsigned char *code, size_t n)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)t->bytes;
	Elf64_Phdr *ph = (Elf64_Phdr *)(t->bytes + sizeof(*eh));

	memset(t, 0, sizeof(*t));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TINY_BASE + TINY_CODE_OFF;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = ph->p_paddr = TINY_BASE;
	memcpy(t->bytes + TINY_CODE_OFF, code, n);
	t->len = TINY_CODE_OFF + n;
	ph->p_filesz = ph->p_memsz = t->len;
	ph->p_align = 0x1000;
}

/* exit(code) */
static inline void tiny_elf_exit(struct tiny_elf *t, unsigned char code)
{
	const unsigned char c[] = {
		0xbf, code, 0, 0, 0, /* mov edi, code */
		0xb8, 60,   0, 0, 0, /* mov eax, SYS_exit */
		0x0f, 0x05, /* syscall */
	};

	tiny_elf_build(t, c, sizeof(c));
}

/* execve(argv[1], argv + 1, envp); exit(errno) */
static inline void tiny_elf_launcher(struct tiny_elf *t)
{
	const unsigned char c[] = {
		0x48, 0x8b, 0x7c, 0x24, 0x10, /* mov rdi, [rsp+16] */
		0x48, 0x8d, 0x74, 0x24, 0x10, /* lea rsi, [rsp+16] */
		0x48, 0x8b, 0x04, 0x24, /* mov rax, [rsp] (argc) */
		0x48, 0x8d, 0x54, 0xc4, 0x10, /* lea rdx, [rsp+rax*8+16] (envp) */
		0xb8, 59,   0,	  0,	0, /* mov eax, SYS_execve */
		0x0f, 0x05, /* syscall */
		0xf7, 0xd8, /* neg eax */
		0x89, 0xc7, /* mov edi, eax */
		0xb8, 60,   0,	  0,	0, /* mov eax, SYS_exit */
		0x0f, 0x05, /* syscall */
	};

	tiny_elf_build(t, c, sizeof(c));
}

#define SCRATCH_SERIAL "sbxscratch"

/*
 * /dev/NAME of the disk whose controller's serial is SCRATCH_SERIAL, or "": the guest's
 * NVMe scratch disk (tests/vm/run.sh), for the tests that need a real disk.
 */
static inline void scratch_disk(char *dev, size_t len)
{
	char path[300], serial[64];
	struct dirent *de;
	DIR *d = opendir("/sys/block");

	dev[0] = '\0';
	while (d && (de = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/block/%s/device/serial", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(serial, sizeof(serial), f) &&
		    !strncmp(serial, SCRATCH_SERIAL, strlen(SCRATCH_SERIAL)))
			snprintf(dev, len, "/dev/%.32s", de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
}

static inline int write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* 0 when path opens with flags, else the errno. */
static inline int open_errno(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static inline int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -EIO : 0;
}

/*
 * The minimal daemon's verifier: a verdict of kind (VALID or PLATFORM, with policy and
 * team) when the file's bytes, read through one read-only descriptor after begin, are
 * `expect` (NULL: any content), else an INVALID one. Returns 0 or the -errno of
 * begin/store. verify_file: a VALID one without a team.
 */
static inline int verify_file_as(struct sbx_enforcer *e, const char *path, const void *expect,
				 size_t len, uint32_t kind, uint32_t policy, uint32_t team_hash)
{
	struct sbx_cached_verdict v = { .policy = policy, .team_hash = team_hash };
	unsigned char buf[512];
	struct sbx_diag d = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	uint64_t gen = 0;

	err = sbx_enforcer_verdict_begin(e, fd, &gen, &d);
	v.write_gen = gen;
	if (!err) {
		n = pread(fd, buf, sizeof(buf), 0);
		v.kind = !expect || (n == (ssize_t)len && !memcmp(buf, expect, len))
				 ? kind
				 : SBX_CACHED_INVALID;
		err = sbx_enforcer_verdict_store(e, fd, &v, &d);
	}
	close(fd);
	return err;
}

static inline int verify_file(struct sbx_enforcer *e, const char *path, const void *expect,
			      size_t len, uint32_t policy)
{
	return verify_file_as(e, path, expect, len, SBX_CACHED_VALID, policy, 0);
}

static inline int platform_verdict_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	if (info->dlpi_name[0] == '/')
		verify_file_as(arg, info->dlpi_name, NULL, 0, SBX_CACHED_PLATFORM, 0, 0);
	return 0;
}

/*
 * A platform verdict for every object this program has loaded (ld.so, the libraries), for
 * the suites that exec copies of themselves.
 */
static inline void verify_loaded_objects_as_platform(struct sbx_enforcer *e)
{
	dl_iterate_phdr(platform_verdict_cb, e);
}

/*
 * Run argv (argv[0] a path) and wait: its exit status, 128 + signal, or 1000 + errno when
 * the exec itself was refused.
 */
static inline int run_prog(char *const argv[], char *const envp[])
{
	int status, err;
	pid_t pid;

	err = posix_spawn(&pid, argv[0], NULL, NULL, argv, envp ? envp : environ);
	if (err)
		return 1000 + err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* In a child about to exec: become uid (0: stay root), or exit 99. */
static inline void become_user(uid_t uid)
{
	if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
		_exit(99);
}

/* Run argv (argv[0] a path) as uid with env and wait: its exit status, or 128 + signal. */
static inline int run_prog_as(uid_t uid, char *const argv[], char *const env[])
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		become_user(uid);
		execve(argv[0], argv, env);
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline int run1(const char *path)
{
	char *argv[] = { (char *)path, NULL };

	return run_prog(argv, NULL);
}

/* The events the hooks sent since the last drain, for one inode. */
struct event_match {
	ino_t ino;
	unsigned int count;
	struct sbx_event last;
};

static inline int event_match_cb(const struct sbx_event *ev, void *arg)
{
	struct event_match *m = arg;

	if (ev->ino == m->ino) {
		m->count++;
		m->last = *ev;
	}
	return 0;
}

static inline unsigned int events_for(struct sbx_enforcer *e, const char *path,
				      struct sbx_event *last)
{
	struct event_match m = { 0 };
	struct stat st;

	if (stat(path, &st))
		return 0;
	m.ino = st.st_ino;
	sbx_enforcer_events_drain(e, event_match_cb, &m);
	if (last)
		*last = m.last;
	return m.count;
}

/* The denials the hooks sent since the last drain, with this hook and reason. */
struct event_count {
	__u32 hook, reason;
	unsigned int n;
};

static inline int event_count_cb(const struct sbx_event *ev, void *arg)
{
	struct event_count *c = arg;

	c->n += ev->hook == c->hook && ev->reason == c->reason && ev->denied;
	return 0;
}

static inline unsigned int events(struct sbx_enforcer *e, __u32 hook, __u32 reason)
{
	struct event_count c = { hook, reason, 0 };

	sbx_enforcer_events_drain(e, event_count_cb, &c);
	return c.n;
}

static inline int enforcer_open_with(enum sbx_enforce_mode mode, enum sbx_enforce_scope scope,
				     uint32_t cache_entries, bool mmap_sandboxed_only,
				     struct sbx_enforcer **e, struct sbx_diag *d)
{
	struct sbx_enforcer_opts o = {
		.sz = sizeof(o),
		.mode = mode,
		.scope = scope,
		.pin_dir = TEST_PIN_DIR,
		.cache_entries = cache_entries,
		.mmap_sandboxed_only = mmap_sandboxed_only,
	};

	return sbx_enforcer_open(&o, e, d);
}

/* The common fixture: a fresh enforcer and a private directory with the tiny programs. */
#define enforcer_open_at(mode, scope, cache_entries, e, d) \
	enforcer_open_with(mode, scope, cache_entries, false, e, d)

#define ENFORCER_FIXTURE_DATA                                   \
	struct sbx_enforcer *e;                                 \
	char dir[64], target[96], unverified[96], launcher[96]; \
	struct tiny_elf exit7, exit42, launch

static inline int enforcer_fixture_files(char *dir, char *target, char *unverified, char *launcher,
					 struct tiny_elf *exit7, struct tiny_elf *exit42,
					 struct tiny_elf *launch)
{
	snprintf(dir, 64, "/tmp/sbx-enforcer.XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	snprintf(target, 96, "%s/target", dir);
	snprintf(unverified, 96, "%s/unverified", dir);
	snprintf(launcher, 96, "%s/launcher", dir);
	tiny_elf_exit(exit7, 7);
	tiny_elf_exit(exit42, 42);
	tiny_elf_launcher(launch);
	if (write_file(target, exit7->bytes, exit7->len, 0755) ||
	    write_file(unverified, exit7->bytes, exit7->len, 0755) ||
	    write_file(launcher, launch->bytes, launch->len, 0755))
		return -EIO;
	return 0;
}

/*
 * One enforcer serves the tests of a program. Loading the ~40 programs takes 3 to 12 s in a
 * TCG guest, and an unload waits about 5 s more for the kernel to free them
 * (sbx_enforcer_unload): about 95 tests per kernel did both. So a test's teardown leaves an
 * enforcer it did not arm pinned under TEST_PIN_DIR, enforcing nothing (complain, scope
 * sandboxed), the next test's setup adopts it and gives it a clean state
 * (enforcer_fixture_open), and the program's destructor unloads it. What a test can leave
 * behind, and what the next one gets:
 *  - sbx_config: written whole by the open (mode, scope, flags); never adopted armed.
 *  - sbx_verdicts: flushed, with the verdicts on files that outlive a test (busybox, this
 *    program's libraries); a different cache size (max_entries) is a fresh load.
 *  - sbx_events: drained, so a test reads only the events of its own acts.
 *  - self-protection (sbx_guard, sbx_guard_ids, sbx_guard_files, sbx_guard_inodes, the
 *    frozen maps): a test
 *    that armed, or whose arming failed half-way, leaves a record or a guarded object:
 *    its teardown unloads, and a setup that finds one anyway (a test killed by its
 *    timeout) loads fresh.
 *  - sbx_tasks: per task. A test's tasks are its own (the harness forks each test) and die
 *    with it; the harness's process forks, waits and prints, which marks nothing.
 *  - sbx_inode_gen, sbx_proc_domain: per inode. A test's files are in its own directory,
 *    removed with it; on the files that outlive it, a write generation matches no verdict
 *    after the flush, and the exec-mapped mark (busy while mapped) meets no writer: no
 *    test writes busybox, this program or its libraries.
 *  - sbx_gen_clock: only ever moves forward, which every generation needs anyway.
 * Anything else (another mode, a cache size, an armed one) still gets a fresh load.
 */
static inline int enforcer_pinned_fd(const char *map)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", TEST_PIN_DIR, map);
	return bpf_obj_get(path);
}

/*
 * bpf/include/sbx_enforcer.bpf.h's SBX_VERDICT_CACHE_DEFAULT, the size of a cache loaded
 * with cache_entries 0. Were they to differ, no enforcer would be adopted: slower, not wrong.
 */
#define ENFORCER_TEST_CACHE_DEFAULT 65536u

/*
 * True when the enforcer pinned under TEST_PIN_DIR can serve another test: it was never
 * armed, nothing of an arming is left in it, and its cache has cache_entries (0: the
 * default; UINT32_MAX: any size). at_rest: and it enforces nothing, as a teardown left it
 * (enforcer_fixture_release), not as a test killed before its teardown did.
 */
static inline bool enforcer_reusable(uint32_t cache_entries, bool at_rest)
{
	int cfg_fd = enforcer_pinned_fd("sbx_config"), guard_fd = enforcer_pinned_fd("sbx_guard"),
	    ids_fd = enforcer_pinned_fd("sbx_guard_ids"), v_fd = enforcer_pinned_fd("sbx_verdicts"),
	    files_fd = enforcer_pinned_fd("sbx_guard_files");
	struct sbx_file_id file;
	struct sbx_guard_state g, none = { 0 };
	struct sbx_enforcer_config cfg;
	struct bpf_map_info info = { 0 };
	__u32 zero = 0, len = sizeof(info);
	__u64 key;
	bool ok;

	ok = cfg_fd >= 0 && guard_fd >= 0 && ids_fd >= 0 && v_fd >= 0 &&
	     !bpf_map_lookup_elem(cfg_fd, &zero, &cfg) && cfg.abi_version == SBX_ABI_VERSION &&
	     !(cfg.flags & SBX_CONFIG_SELF_PROTECT) &&
	     (!at_rest || (cfg.mode == SBX_ENFORCE_COMPLAIN && cfg.scope == SBX_SCOPE_SANDBOXED)) &&
	     !bpf_map_lookup_elem(guard_fd, &zero, &g) && !memcmp(&g, &none, sizeof(g)) &&
	     bpf_map_get_next_key(ids_fd, NULL, &key) && files_fd >= 0 &&
	     bpf_map_get_next_key(files_fd, NULL, &file) &&
	     !bpf_obj_get_info_by_fd(v_fd, &info, &len) &&
	     (cache_entries == UINT32_MAX ||
	      info.max_entries == (cache_entries ? cache_entries : ENFORCER_TEST_CACHE_DEFAULT));
	for (int i = 0, fds[] = { cfg_fd, guard_fd, ids_fd, v_fd, files_fd }; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ok;
}

static inline int enforcer_discard_event(const struct sbx_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 0;
}

/*
 * An enforcer with these options under TEST_PIN_DIR for one test: the pinned one adopted
 * and cleaned (above) where it can serve, else a fresh load.
 */
static inline int enforcer_fixture_open(enum sbx_enforce_mode mode, enum sbx_enforce_scope scope,
					uint32_t cache_entries, bool mmap_sandboxed_only,
					struct sbx_enforcer **e, struct sbx_diag *d)
{
	uint32_t flushed;

	if (enforcer_reusable(cache_entries, true)) {
		if (!enforcer_open_with(mode, scope, cache_entries, mmap_sandboxed_only, e, d) &&
		    !sbx_enforcer_verdicts_flush(*e, &flushed, d) &&
		    sbx_enforcer_events_drain(*e, enforcer_discard_event, NULL) >= 0)
			return 0;
		sbx_enforcer_close(*e);
		*e = NULL;
	}
	sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	return enforcer_open_with(mode, scope, cache_entries, mmap_sandboxed_only, e, d);
}

/* Every enforcer fixture's start: nothing to tear down yet, and root or a SKIP. */
#define ENFORCER_SETUP_ROOT(self)                                                         \
	do {                                                                              \
		(self)->e = NULL;                                                         \
		(self)->dir[0] = '\0';                                                    \
		if (geteuid() != 0)                                                       \
			SKIP(return, "the enforcer needs root (CAP_BPF, CAP_SYS_ADMIN)"); \
	} while (0)

/*
 * The common FIXTURE_SETUP body: root, an enforcer in enforce mode and scope `all` under
 * TEST_PIN_DIR with a clean state (enforcer_fixture_open), and the tiny programs in a
 * private directory.
 */
#define ENFORCER_FIXTURE_SETUP(self)                                                              \
	do {                                                                                      \
		struct sbx_diag d_ = { 0 };                                                       \
                                                                                                  \
		ENFORCER_SETUP_ROOT(self);                                                        \
		ASSERT_EQ(0,                                                                      \
			  enforcer_fixture_files((self)->dir, (self)->target, (self)->unverified, \
						 (self)->launcher, &(self)->exit7,                \
						 &(self)->exit42, &(self)->launch));              \
		ASSERT_EQ(0, enforcer_fixture_open(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, false,  \
						   &(self)->e, &d_))                              \
		{                                                                                 \
			TH_LOG("%s", d_.msg);                                                     \
		}                                                                                 \
	} while (0)

/*
 * The FIXTURE_SETUP body of a program whose tests arm (an armed enforcer cannot be reset, so
 * never adopted): root, a fresh enforcer in enforce mode and scope `sandboxed`, and a
 * private directory /tmp/sbx-NAME.XXXXXX in self->dir.
 */
#define ENFORCER_ARMING_SETUP(self, name)                                                  \
	do {                                                                               \
		struct sbx_diag d_ = { 0 };                                                \
                                                                                           \
		ENFORCER_SETUP_ROOT(self);                                                 \
		sbx_enforcer_unload(TEST_PIN_DIR, NULL);                                   \
		snprintf((self)->dir, sizeof((self)->dir), "/tmp/sbx-" name ".XXXXXX");    \
		ASSERT_NE(NULL, mkdtemp((self)->dir));                                     \
		ASSERT_EQ(0, enforcer_open_at(SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, 0, \
					      &(self)->e, &d_))                            \
		{                                                                          \
			TH_LOG("%s", d_.msg);                                              \
		}                                                                          \
	} while (0)

/*
 * A copy of this test program, which is not sbxd, with VAR=HOW (printf-style) its only
 * environment: its exit status. The program's main reads VAR first (its constructor).
 */
static inline __attribute__((format(printf, 2, 3))) int run_self(const char *var, const char *fmt,
								 ...)
{
	char how[256], env[300], *argv[] = { "/proc/self/exe", NULL }, *envp[] = { env, NULL };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(how, sizeof(how), fmt, ap);
	va_end(ap);
	snprintf(env, sizeof(env), "%s=%s", var, how);
	return run_prog(argv, envp);
}

/* A tracefs mount of the test's own at dir (the refusals must hold on any mount). */
static inline bool tracefs_private(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/sbx-%s-tracefs.%d", name, getpid());
	return !mkdir(dir, 0700) && !mount("nodev", dir, "tracefs", 0, NULL);
}

static inline void tracefs_private_gone(const char *dir, bool mounted)
{
	if (mounted)
		umount(dir);
	rmdir(dir);
}

/*
 * The end of a test's enforcer: one the next test can adopt stays pinned, enforcing nothing
 * until then; any other (armed, or with a trace of an arming) is unloaded.
 */
static inline void enforcer_fixture_release(struct sbx_enforcer *e)
{
	if (!e || !enforcer_reusable(UINT32_MAX, false) ||
	    sbx_enforcer_set_mode(e, SBX_ENFORCE_COMPLAIN, SBX_SCOPE_SANDBOXED, NULL))
		sbx_enforcer_unload(TEST_PIN_DIR, NULL);
	sbx_enforcer_close(e);
}

static inline void enforcer_fixture_rmdir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (dir[0] && system(cmd)) {
		/* best effort */
	}
}

/* The common teardown: the enforcer released, the private directory removed. */
static inline void enforcer_fixture_cleanup(struct sbx_enforcer *e, const char *dir)
{
	enforcer_fixture_release(e);
	enforcer_fixture_rmdir(dir);
}

/*
 * ioctl through the ia32 entry (int $0x80, i386 __NR_ioctl 54) from a 64-bit program: the
 * kernel asks the file_ioctl_compat LSM hook there (6.8, backported to 6.1), not
 * file_ioctl. arg must be below 4 GiB. -1 with errno (ENOSYS: no ia32 entry here).
 */
static inline long enforcer_ioctl32(int fd, unsigned long cmd, void *arg)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(54), "b"(fd), "c"((unsigned int)cmd),
			   "d"((unsigned int)(uintptr_t)arg)
			 : "memory", "r8", "r9", "r10", "r11");
	return r < 0 ? (errno = (int)-r, -1) : r;
}

/* A test killed before its teardown must not leave the guest unable to exec. */
__attribute__((destructor)) static void enforcer_test_unload_leftovers(void)
{
	sbx_enforcer_unload(TEST_PIN_DIR, NULL);
}

#endif /* SBX_ENFORCER_TEST_H */
