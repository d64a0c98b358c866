// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier K, executable mappings: code reaches the CPU through mmap/mprotect as well as exec,
 * so `ld.so ./unverified`, dlopen of an unverified library and a PROT_EXEC mapping of any
 * unverified file are refused; each control (the same with a verdict) succeeds.
 * In the VM kernels, as root.
 */
#include <dlfcn.h>
#include <link.h>

#include "enforcer_test.h"

/* This binary, run by ld.so in the tests below, exits at once with this code. */
__attribute__((constructor)) static void exit_if_asked(void)
{
	const char *code = getenv("SBX_ENFORCER_TEST_EXIT");

	if (code)
		_exit(atoi(code));
}

FIXTURE(enforcer_mmap)
{
	ENFORCER_FIXTURE_DATA;
};

FIXTURE_SETUP(enforcer_mmap)
{
	ENFORCER_FIXTURE_SETUP(self);
}

FIXTURE_TEARDOWN(enforcer_mmap)
{
	enforcer_fixture_cleanup(self->e, self->dir);
}

static int map_exec(const char *path, bool via_mprotect)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, via_mprotect ? PROT_READ : PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		err = -errno;
	else if (via_mprotect && mprotect(p, 4096, PROT_READ | PROT_EXEC))
		err = -errno;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
	return err;
}

TEST_F(enforcer_mmap, prot_exec_mapping_needs_a_verdict)
{
	struct sbx_event ev;

	ASSERT_EQ(0, verify_file(self->e, self->target, self->exit7.bytes, self->exit7.len, 0));
	EXPECT_EQ(0, map_exec(self->target, false));
	EXPECT_EQ(0, map_exec(self->target, true));
	events_for(self->e, self->unverified, NULL);
	EXPECT_EQ(-EPERM, map_exec(self->unverified, false));
	EXPECT_EQ(-EPERM, map_exec(self->unverified, true));
	ASSERT_LE(2u, events_for(self->e, self->unverified, &ev));
	EXPECT_EQ((__u32)SBX_HOOK_MMAP_EXEC, ev.hook);
	EXPECT_NE(NULL, strstr(ev.path, "unverified"));
	/* Not executable: no verdict needed. */
	int fd = open(self->unverified, O_RDONLY | O_CLOEXEC);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);

	EXPECT_NE(MAP_FAILED, p);
	close(fd);
}

/* The path of a library this program has loaded whose name contains `part`. */
struct lib_find {
	const char *part;
	char path[256];
};

static int lib_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct lib_find *f = arg;

	(void)size;
	if (info->dlpi_name[0] == '/' && strstr(info->dlpi_name, f->part)) {
		snprintf(f->path, sizeof(f->path), "%s", info->dlpi_name);
		return 1;
	}
	return 0;
}

/* A verdict for every object this program has loaded (ld.so and the libraries). */
static int verify_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sbx_enforcer *e = arg;

	(void)size;
	if (info->dlpi_name[0] == '/')
		verify_file(e, info->dlpi_name, NULL, 0, 0);
	return 0;
}

TEST_F(enforcer_mmap, dlopen_of_an_unverified_library_refused)
{
	struct lib_find lib = { .part = "libz.so" };
	char copy[128], verified[128];
	void *h;

	ASSERT_EQ(1, dl_iterate_phdr(lib_find_cb, &lib));
	snprintf(copy, sizeof(copy), "%s/libunverified.so", self->dir);
	snprintf(verified, sizeof(verified), "%s/libverified.so", self->dir);
	ASSERT_EQ(0, copy_file(lib.path, copy));
	ASSERT_EQ(0, copy_file(lib.path, verified));
	ASSERT_EQ(0, verify_file(self->e, verified, NULL, 0, 0));
	h = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
	EXPECT_EQ(NULL, h)
	{
		dlclose(h);
	}
	h = dlopen(verified, RTLD_NOW | RTLD_LOCAL);
	EXPECT_NE(NULL, h)
	{
		TH_LOG("dlopen of the verified copy: %s", dlerror());
	}
	if (h)
		dlclose(h);
}

/*
 * `ld.so PROGRAM`: the kernel execs ld.so (verified), which maps PROGRAM itself. Scope
 * `sandboxed`, started through the launcher, so the rest of the guest is not in scope.
 */
TEST_F(enforcer_mmap, ld_so_of_an_unverified_program_refused)
{
	struct lib_find ldso = { .part = "ld-linux" };
	char prog_u[128], prog_v[128];
	char *env[] = { "SBX_ENFORCER_TEST_EXIT=7", NULL };
	char *run_u[] = { self->launcher, ldso.path, prog_u, NULL };
	char *run_v[] = { self->launcher, ldso.path, prog_v, NULL };
	char *direct_v[] = { self->launcher, prog_v, NULL };
	struct sbx_diag d = { 0 };
	struct sbx_event ev;

	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_SANDBOXED, &d));
	ASSERT_EQ(1, dl_iterate_phdr(lib_find_cb, &ldso));
	snprintf(prog_u, sizeof(prog_u), "%s/prog-unverified", self->dir);
	snprintf(prog_v, sizeof(prog_v), "%s/prog-verified", self->dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", prog_u));
	ASSERT_EQ(0, copy_file("/proc/self/exe", prog_v));
	ASSERT_EQ(0, verify_file(self->e, self->launcher, self->launch.bytes, self->launch.len,
				 SBX_POLICY_SBX_LAUNCHER));
	ASSERT_EQ(0, verify_file(self->e, prog_v, NULL, 0, 0));
	dl_iterate_phdr(verify_cb, self->e);
	/* Controls: the verified program runs directly and through ld.so. */
	ASSERT_EQ(7, run_prog(direct_v, env));
	ASSERT_EQ(7, run_prog(run_v, env));
	events_for(self->e, prog_u, NULL);
	EXPECT_EQ(127, run_prog(run_u, env)); /* ld.so: "failed to map segment" */
	ASSERT_LE(1u, events_for(self->e, prog_u, &ev));
	EXPECT_EQ((__u32)SBX_HOOK_MMAP_EXEC, ev.hook);
	EXPECT_NE(NULL, strstr(ev.path, "prog-unverified"));
}

/* The daemon's safety valve: scope `all` for exec, executable mappings for sandboxed only. */
TEST_F(enforcer_mmap, mmap_sandboxed_only_narrows_scope_all)
{
	struct sbx_diag d = { 0 };

	sbx_enforcer_close(self->e);
	self->e = NULL;
	ASSERT_EQ(0, sbx_enforcer_unload(TEST_PIN_DIR, &d));
	ASSERT_EQ(0, enforcer_open_with(SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, 0, true, &self->e, &d))
	{
		TH_LOG("%s", d.msg);
	}
	EXPECT_EQ(0, map_exec(self->unverified, false));
	EXPECT_EQ(1000 + EPERM, run1(self->unverified));
	/* set_mode keeps it. */
	ASSERT_EQ(0, sbx_enforcer_set_mode(self->e, SBX_ENFORCE_ENFORCE, SBX_SCOPE_ALL, &d));
	EXPECT_EQ(0, map_exec(self->unverified, false));
}

TEST_HARNESS_MAIN
