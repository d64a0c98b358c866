// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Authority over others through files the program may touch (attack review atk5u, A, A2,
 * B): a set-user-id or set-group-id bit or a file capability on a file it may write; the
 * metadata of a file outside every grant through a descriptor sbx's caller handed down;
 * an advisory lock on a file it may only read. Each technique runs unconfined first (the
 * control, which must work) and then under `sbx run --profile data/app-sandbox.yaml`
 * (which must refuse it); the attempts are bin/modes_probe's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "probe_status.h"
#include "sbx_test.h"

#define PROFILE "/tests/escape/data/app-sandbox.yaml"

FIXTURE(modes)
{
	char dir[PATH_MAX];
	char home[PATH_MAX + 8]; /* a fake $HOME, the cwd of the runs */
	char tmp[PATH_MAX + 8]; /* the control's $TMPDIR (the container's stands in under sbx) */
	char outside[PATH_MAX + 16]; /* a file outside every grant: descriptor 0 of fdmeta */
	char probe[PATH_MAX + 64];
};

FIXTURE_VARIANT(modes)
{
	const char *technique; /* setid, fdmeta, lock */
	const char *how;
	const char *stopper;
	const char *refused_as; /* an "unsupported" errno that is sbx's refusal (ENOSYS) */
};

FIXTURE_SETUP(modes)
{
	ASSERT_NE(NULL, sbx_mkdtemp(self->dir, sizeof(self->dir)));
	chmod(self->dir, 0711); /* the sandboxed side walks in from sbx's container */
	snprintf(self->home, sizeof(self->home), "%s/home", self->dir);
	snprintf(self->tmp, sizeof(self->tmp), "%s/tmp", self->dir);
	snprintf(self->outside, sizeof(self->outside), "%s/outside", self->home);
	ASSERT_EQ(0, mkdir(self->home, 0700));
	ASSERT_EQ(0, mkdir(self->tmp, 0700));
	ASSERT_EQ(0, chdir(self->home));
	snprintf(self->probe, sizeof(self->probe), "%s", sbx_test_helper("modes_probe"));
	ASSERT_EQ(0, access(self->probe, X_OK)) TH_LOG("%s: %s", self->probe, strerror(errno));
}

FIXTURE_TEARDOWN(modes)
{
	sbx_rmtree(self->dir);
}

/*
 * The probe, confined or not, with a fresh file outside every grant on descriptor 0 (open
 * for reading and writing, as `sbx run ... <>FILE` gives it).
 */
static int run(FIXTURE_DATA(modes) * self, const FIXTURE_VARIANT(modes) * variant, bool confined,
	       struct sbx_cmd_result *r)
{
	char arg[PATH_MAX + 64] = "";
	int fd;

	unlink(self->outside);
	fd = open(self->outside, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	chmod(self->outside, 0644);
	/* setid: the program's tmp ($TMPDIR, read by the probe); lock: the probe itself,
	 * which the program may read, not write. */
	if (!strcmp(variant->technique, "setid"))
		snprintf(arg, sizeof(arg), "@TMPDIR");
	else if (!strcmp(variant->technique, "lock"))
		snprintf(arg, sizeof(arg), "%s", self->probe);
	if (!confined)
		return sbx_sh(r, "HOME='%s' TMPDIR='%s' exec '%s' %s %s %s <>'%s'", self->home,
			      self->tmp, self->probe, variant->technique, variant->how, arg,
			      self->outside);
	return sbx_sh(r,
		      "HOME='%s' XDG_DATA_HOME='%s/.local/share' exec '%s' run --allow-root "
		      "--profile '%s" PROFILE "' -- '%s' %s %s %s <>'%s'",
		      self->home, self->home, sbx_bin(), sbx_src(), self->probe, variant->technique,
		      variant->how, arg, self->outside);
}

TEST_F(modes, refused)
{
	struct sbx_cmd_result r;
	struct stat st;

	ASSERT_EQ(0, run(self, variant, false, &r));
	if (r.status == PROBE_UNSUPPORTED)
		SKIP(return, "the kernel lacks it: %.150s", r.out);
	if (r.status == PROBE_REFUSED && !strcmp(variant->how, "fcaps") && getuid())
		SKIP(return,
			   "a file capability needs CAP_SETFCAP, which uid %d lacks even "
			   "unconfined",
			   (int)getuid());
	ASSERT_EQ(0, r.status) TH_LOG("the control must work: %s%s", r.out, r.err);

	ASSERT_EQ(0, run(self, variant, true, &r));
	if (r.status == PROBE_UNSUPPORTED && variant->refused_as &&
	    strstr(r.out, variant->refused_as))
		r.status = PROBE_REFUSED;
	EXPECT_EQ(PROBE_REFUSED, r.status)
	TH_LOG("%s%s: %s%s", r.status ? "" : "HOLE: ", variant->stopper, r.out, r.err);
	/* fdmeta fchmod: the file keeps its mode. */
	ASSERT_EQ(0, stat(self->outside, &st));
	EXPECT_EQ(0644, (int)(st.st_mode & 07777));
}

#define SETID_STOP "the mode allow-list 0777|S_ISVTX: seccomp on creating calls"
#define SETID(name, how_, stop)                                                        \
	FIXTURE_VARIANT_ADD(modes, name)                                               \
	{                                                                              \
		.technique = "setid", .how = how_, .stopper = stop, .refused_as = NULL \
	}
SETID(setuid_open, "open", SETID_STOP);
SETID(setgid_open, "open_gid", SETID_STOP);
SETID(setuid_openat, "openat", SETID_STOP);
SETID(setuid_creat, "creat", SETID_STOP);
SETID(setuid_mknod, "mknod", SETID_STOP);
SETID(setuid_mknodat, "mknodat", SETID_STOP);
SETID(setuid_chmod, "chmod", "the supervisor's chmod: no set-id bit");
SETID(setgid_chmod, "chmod_gid", "the supervisor's chmod: no set-id bit");
SETID(setuid_fchmod, "fchmod", "the supervisor's fchmod: no set-id bit");
SETID(setuid_fchmodat, "fchmodat", "the supervisor's fchmodat: no set-id bit");
SETID(setuid_fchmodat2, "fchmodat2", "the supervisor's fchmodat2: no set-id bit");
SETID(file_capability, "fcaps", "the supervisor's xattr allow-list: no security.capability");
FIXTURE_VARIANT_ADD(modes, setuid_openat2){
	.technique = "setid",
	.how = "openat2",
	.stopper = "seccomp: openat2 answers ENOSYS (its mode is in memory)",
	.refused_as = "Function not implemented",
};

#define FDMETA(name, how_)                                                                 \
	FIXTURE_VARIANT_ADD(modes, name)                                                   \
	{                                                                                  \
		.technique = "fdmeta", .how = how_,                                        \
		.stopper = "the supervisor judges a descriptor by its path, not its mode", \
		.refused_as = NULL                                                         \
	}
FDMETA(inherited_fd_fchmod, "fchmod");
FDMETA(inherited_fd_fchown, "fchown");
FDMETA(inherited_fd_futimens, "futimens");
FDMETA(inherited_fd_fsetxattr, "fsetxattr");
FDMETA(inherited_fd_flock, "flock");

#define LOCK(name, how_)                                                                \
	FIXTURE_VARIANT_ADD(modes, name)                                                \
	{                                                                               \
		.technique = "lock", .how = how_,                                       \
		.stopper = "the supervisor: locks only beneath a write grant (lock.c)", \
		.refused_as = NULL                                                      \
	}
LOCK(read_only_flock_ex, "flock_ex");
LOCK(read_only_flock_sh, "flock_sh");
LOCK(read_only_posix_lock, "posix");
LOCK(read_only_posix_lock_wait, "posix_wait");
LOCK(read_only_ofd_lock, "ofd");
LOCK(read_only_ofd_lock_wait, "ofd_wait");

TEST_HARNESS_MAIN
