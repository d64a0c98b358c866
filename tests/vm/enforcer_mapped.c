// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, code that is already mapped: a verdict is checked when a mapping is made, so
 * what a mapping shows must not change after it (bpf/include/sbx_enforcer.bpf.h, "mapped
 * code", and bpf/mmap_verdict.bpf.c). In the VM kernels, as root.
 *  - A file mapped executable on its verdict cannot be written while it is mapped: ETXTBSY,
 *    as exec gives for the running executable. The techniques: a verified copy of a
 *    library, loaded through LD_LIBRARY_PATH by a running program, then patched (open for
 *    write, truncate); a file of the hardened program's team mapped read-execute, then
 *    written through a second descriptor.
 *  - A hardened program cannot map shared anonymous memory executable: mremap(old_size 0)
 *    duplicates it, and the duplicate made read-write writes the executable view.
 * Each technique has a control that succeeds: the same without the mapping, or the
 * program not hardened (and not in scope), or the entitlement that lifts it.
 *
 * The programs are copies of this test binary, run with SBX_MAPPED_DO naming what a
 * constructor does before exiting: 0 it worked, 1 refused (EPERM, EACCES, ETXTBSY), 2
 * another failure.
 */
#include <dlfcn.h>
#include <link.h>
#include <zlib.h>

#include "enforcer_test.h"

#define TEAM 0x7ea4u
#define HR   SBX_POLICY_HARDENED_RUNTIME

static const unsigned char code42[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov eax, 42; ret */

static int refused(int r)
{
	if (r == 0)
		return 0;
	return errno == EPERM || errno == EACCES || errno == ETXTBSY ? 1 : 2;
}

static int run_code(void *p)
{
	return ((int (*)(void))p)() == 42 ? 0 : 2;
}

/* Shared anonymous read-execute memory, duplicated by mremap(old_size 0), made read-write. */
static int mremap_dup(void)
{
	char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0), *w;

	if (x == MAP_FAILED)
		return refused(-1);
	w = mremap(x, 0, 4096, MREMAP_MAYMOVE);
	if (w == MAP_FAILED)
		return 2;
	if (mprotect(w, 4096, PROT_READ | PROT_WRITE))
		return refused(-1);
	memcpy(w, code42, sizeof(code42));
	return run_code(x);
}

/* The file `path` mapped read-execute, then written through a second descriptor. */
static int map_then_write(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), wfd;
	void *x;

	if (fd < 0)
		return 2;
	x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	if (x == MAP_FAILED)
		return refused(-1);
	wfd = open(path, O_RDWR | O_CLOEXEC);
	if (wfd < 0)
		return refused(-1);
	if (pwrite(wfd, code42, sizeof(code42), 0) != sizeof(code42))
		return refused(-1);
	close(wfd);
	return run_code(x);
}

/*
 * The running program: says it is up (its libraries mapped), waits for stdin to close,
 * then calls into libz; exits 7 when libz's code is what was mapped.
 */
static int wait_then_call_libz(void)
{
	char c;

	if (write(1, "r", 1) != 1)
		return 2;
	while (read(0, &c, 1) > 0)
		;
	return zlibVersion()[0] ? 7 : 2;
}

__attribute__((constructor)) static void mapped_technique(void)
{
	const char *how = getenv("SBX_MAPPED_DO"), *arg = getenv("SBX_MAPPED_ARG");

	if (!how || !how[0])
		return;
	if (!strcmp(how, "mremap_dup"))
		_exit(mremap_dup());
	if (!strcmp(how, "map_then_write"))
		_exit(map_then_write(arg ? arg : ""));
	if (!strcmp(how, "wait_libz"))
		_exit(wait_then_call_libz());
	_exit(3);
}

FIXTURE(mapped)
{
	ENFORCER_FIXTURE_DATA;
	char prog[128], libdir[128], lib[160];
};

/* The file offset of addr in the object that maps it, and that object's path. */
struct code_at {
	uintptr_t addr;
	off_t off;
	char path[256];
};

static int code_at_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct code_at *c = arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + p->p_vaddr;

		if (p->p_type == PT_LOAD && c->addr >= lo && c->addr < lo + p->p_memsz) {
			c->off = (off_t)(c->addr - lo + p->p_offset);
			snprintf(c->path, sizeof(c->path), "%s", info->dlpi_name);
			return 1;
		}
	}
	return 0;
}

FIXTURE_SETUP(mapped)
{
	struct code_at libz = { .addr = (uintptr_t)zlibVersion };
	struct sbx_diag d = { 0 };

	ENFORCER_FIXTURE_SETUP(self);
	/* Scope `sandboxed`: the guest runs on; the launcher puts a program in scope. */
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->dir);
	snprintf(self->libdir, sizeof(self->libdir), "%s/lib", self->dir);
	ASSERT_EQ(1, dl_iterate_phdr(code_at_cb, &libz));
	/* The user's copy of a library the program needs, under its soname. */
	snprintf(self->lib, sizeof(self->lib), "%s/%s", self->libdir, strrchr(libz.path, '/') + 1);
	ASSERT_EQ(0, mkdir(self->libdir, 0755));
	ASSERT_EQ(0, copy_file("/proc/self/exe", self->prog));
	ASSERT_EQ(0, copy_file(libz.path, self->lib));
	verify_loaded_objects_as_platform(self->e);
	ASSERT_EQ(0, verify_file(self->e, self->launcher, self->launch.bytes, self->launch.len,
				 SBX_POLICY_SBX_LAUNCHER));
}

FIXTURE_TEARDOWN(mapped)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

/*
 * Start argv with env, its stdin and stdout pipes: returns its pid once it has written one
 * byte (*up set to it), with *in its stdin; or -1.
 */
static pid_t start_waiting(char *const argv[], char *const env[], int *in, char *up)
{
	int to[2], from[2];
	pid_t pid;

	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execve(argv[0], argv, env);
		_exit(100);
	}
	close(to[0]);
	close(from[1]);
	*up = '\0';
	if (read(from[0], up, 1) != 1)
		*up = '\0';
	close(from[0]);
	*in = to[1];
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The user copies a library, it gets a (platform) verdict, a verified program loads the
 * copy through LD_LIBRARY_PATH; the copy's writer (here root) then patches the code the
 * running program is about to call: exit_group(42) over zlibVersion.
 */
TEST_F_TIMEOUT(mapped, library_patched_while_a_program_maps_it, 300)
{
	const unsigned char exit42[] = { 0xbf, 42, 0, 0, 0, 0xb8, 231, 0, 0, 0, 0x0f, 0x05 };
	struct code_at libz = { .addr = (uintptr_t)zlibVersion };
	char ld_path[192], up;
	char *env[] = { "SBX_MAPPED_DO=wait_libz", ld_path, NULL };
	char *argv[] = { self->launcher, self->prog, NULL };
	struct stat st;
	void *ro;
	int in, fd, wfd;
	pid_t pid;

	ASSERT_EQ(1, dl_iterate_phdr(code_at_cb, &libz));
	snprintf(ld_path, sizeof(ld_path), "LD_LIBRARY_PATH=%s", self->libdir);
	ASSERT_EQ(0, verify_file(self->e, self->prog, NULL, 0, 0));
	ASSERT_EQ(0, stat(self->lib, &st));

	/*
	 * Writer first: while it holds the copy open for write, nothing maps it executable
	 * (its open moved the generation too; a writer that opened before the verdict was
	 * taken made the verifier refuse).
	 */
	ASSERT_EQ(0, verify_file_as(self->e, self->lib, NULL, 0, SBX_CACHED_PLATFORM, 0, 0));
	wfd = open(self->lib, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, wfd);
	pid = start_waiting(argv, env, &in, &up);
	ASSERT_LT(0, pid);
	close(in);
	EXPECT_EQ(127, wait_exit(pid)); /* ld.so: the copy cannot be mapped */
	close(wfd);

	/* Mapping first: the running program has the copy mapped. */
	ASSERT_EQ(0, verify_file_as(self->e, self->lib, NULL, 0, SBX_CACHED_PLATFORM, 0, 0));
	pid = start_waiting(argv, env, &in, &up);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', up);
	EXPECT_EQ(ETXTBSY, open_errno(self->lib, O_WRONLY));
	EXPECT_EQ(-1, truncate(self->lib, st.st_size)); /* same size: content unchanged */
	EXPECT_EQ(ETXTBSY, errno);
	fd = open(self->lib, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) { /* the defect: the patch lands in the running program's code */
		EXPECT_EQ((ssize_t)sizeof(exit42), pwrite(fd, exit42, sizeof(exit42), libz.off));
		close(fd);
	}
	close(in);
	EXPECT_EQ(7, wait_exit(pid)); /* 42: bytes no verdict covers ran */

	/* Controls: unmapped, the copy is writable again; a verified file mapped only for
	 * reading was never mapped executable, and stays writable while mapped. */
	EXPECT_EQ(0, open_errno(self->lib, O_WRONLY));
	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	fd = open(self->target, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(0, open_errno(self->target, O_WRONLY));
	munmap(ro, 4096);
}

/* Give prog a verdict of TEAM with this policy; run it doing `how` on arg. */
static int try_as(FIXTURE_DATA(mapped) * self, uint32_t policy, const char *how, const char *arg)
{
	char do_[64], arg_[192];
	char *env[] = { do_, arg_, NULL };
	char *argv[] = { self->prog, NULL };
	int err = verify_file_as(self->e, self->prog, NULL, 0, SBX_CACHED_VALID, policy, TEAM);

	if (err)
		return 1000 - err;
	snprintf(do_, sizeof(do_), "SBX_MAPPED_DO=%s", how);
	snprintf(arg_, sizeof(arg_), "SBX_MAPPED_ARG=%s", arg ? arg : "");
	return run_prog(argv, env);
}

/*
 * A file of the hardened program's own team (the user can write it) mapped read-execute,
 * then written. Control: the same program not hardened, out of scope, with its own copy
 * (a file once mapped executable on its verdict stays guarded while anything maps it).
 */
TEST_F_TIMEOUT(mapped, hardened_team_file_written_while_mapped, 300)
{
	char ctl[160], hard[160];

	snprintf(ctl, sizeof(ctl), "%s/team-control.so", self->dir);
	snprintf(hard, sizeof(hard), "%s/team-hardened.so", self->dir);
	ASSERT_EQ(0, copy_file(self->lib, ctl));
	ASSERT_EQ(0, copy_file(self->lib, hard));
	ASSERT_EQ(0, verify_file_as(self->e, ctl, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	ASSERT_EQ(0, verify_file_as(self->e, hard, NULL, 0, SBX_CACHED_VALID, 0, TEAM));
	EXPECT_EQ(0, try_as(self, 0, "map_then_write", ctl));
	EXPECT_EQ(1, try_as(self, HR, "map_then_write", hard));
}

/*
 * Shared anonymous memory: the executable view and a writable duplicate. Controls: not
 * hardened, and hardened with cs.allow-jit (anonymous W+X is what it lifts).
 */
TEST_F_TIMEOUT(mapped, hardened_shared_anonymous_duplicated_writable, 300)
{
	EXPECT_EQ(0, try_as(self, 0, "mremap_dup", NULL));
	EXPECT_EQ(1, try_as(self, HR, "mremap_dup", NULL));
	EXPECT_EQ(0, try_as(self, HR | SBX_POLICY_ALLOW_JIT, "mremap_dup", NULL));
}

TEST_HARNESS_MAIN
