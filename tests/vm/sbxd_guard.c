// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-protection's file guards last as long as the file, not its in-memory inode (atk7k
 * E1, E1b; issue 11: only sbxd writes the trust store and its configuration while armed).
 * The trust store and sbxd.conf live on the guest's scratch disk (ext2 on NVMe, as /etc on
 * a real disk: the initramfs rootfs never evicts an inode). Armed, root's open for write of
 * a certificate and of sbxd.conf and a create in the trust directory are refused, and stay
 * refused
 *  - after `sync; echo 3 > /proc/sys/vm/drop_caches` (three times), which evicts every
 *    inode nobody holds (memory pressure does the same): sbxd holds none of these;
 *  - after a lazy umount of the file system and a mount of the same device: a new
 *    superblock, new inodes.
 *  - after FS_IOC_SETVERSION through a read-only descriptor on the certificate, sbxd.conf
 *    and the trust directory (atk8k G1: ext2 keeps a generation root may rewrite without
 *    MAY_WRITE; it was in the guard's key, and every lookup missed after it). The ioctl
 *    itself is refused too: on a guarded inode only a read-only allow-list of ioctls
 *    passes (bpf/self_protect.bpf.c, sbx_guard_ioctl); FS_IOC_GETVERSION is on it.
 * The control is the same sequence with sbxd running `--protect no`: every write succeeds.
 * The guard is the file's identity (device, inode number) in sbx_guard_files
 * (bpf/include/sbx_enforcer.bpf.h: sbx_guard_home); before, it lived in the inode's
 * storage and went with the inode.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "sbxd_k.h"

/* 0 when path was created (and removed again), else the errno. */
static int create_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	unlink(path);
	return 0;
}

/* The trust store and sbxd.conf on the scratch disk: the fixture's paths pointed there. */
struct disk {
	char dev[64], mnt[LEN + 8], pem[LEN + 64], added[LEN + 32];
};

/* false: no scratch disk (the caller skips). */
static bool trust_on_disk(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			  struct disk *k)
{
	scratch_disk(k->dev, sizeof(k->dev));
	if (!k->dev[0])
		return false;
	trust_store_on_disk(_metadata, self, k->dev, k->mnt, sizeof(k->mnt), k->pem,
			    sizeof(k->pem));
	fmt(k->added, sizeof(k->added), "%s/added.pem", self->trust);
	return true;
}

/* sbxd unloaded first (the guards refuse nothing then), the disk before the fixture's tree. */
static void disk_done(FIXTURE_DATA(sbxd_k) * self, struct disk *k)
{
	if (self->armed && sbx_sh(self->r, "'%s' --unload --run-dir '%s'", self->sbxd, self->run))
		printf("# sbxd --unload: %s%s", self->r->out, self->r->err);
	self->armed = false;
	umount2(k->mnt, MNT_DETACH);
}

/* What root's writes got: errno of each, 0 = done. */
struct writes {
	int pem, conf, create;
};

static void try_writes(FIXTURE_DATA(sbxd_k) * self, struct disk *k, struct writes *w,
		       const char *when)
{
	w->pem = open_for_write(k->pem);
	w->conf = open_for_write(self->conf);
	w->create = create_new(k->added);
	printf("# %s: pem %d conf %d create %d (errno, 0 = written)\n", when, w->pem, w->conf,
	       w->create);
}

/* Every inode nobody holds evicted: drop_caches's own sysctl, three times. */
static void evict(struct __test_metadata *_metadata)
{
	sync();
	for (int i = 0; i < 3; i++) {
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

		ASSERT_LE(0, fd);
		ASSERT_EQ(1, write(fd, "3", 1));
		close(fd);
	}
}

/* The file system away (lazy: nothing holds it) and the same device mounted again. */
static void remount(struct __test_metadata *_metadata, struct disk *k)
{
	ASSERT_EQ(0, umount2(k->mnt, MNT_DETACH));
	ASSERT_EQ(0, mount(k->dev, k->mnt, "ext2", MS_NOSUID | MS_NODEV, NULL))
	TH_LOG("mount %s: %s", k->dev, strerror(errno));
}

/* FS_IOC_SETVERSION through a read-only descriptor (the generation moved): 0, or the errno. */
static int set_generation(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), err = 0;
	long gen = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETVERSION, &gen))
		err = errno;
	gen += 0x1000;
	if (!err && ioctl(fd, FS_IOC_SETVERSION, &gen))
		err = errno;
	printf("# FS_IOC_SETVERSION %s (read-only descriptor) -> %ld: %s\n", path, gen,
	       err ? strerror(err) : "done");
	close(fd);
	return err;
}

/* The generation of every guarded object try_writes touches: errno of each, 0 = moved. */
static void set_generations(struct disk *k, const char *conf, const char *trust, struct writes *w)
{
	w->pem = set_generation(k->pem, 0);
	w->conf = set_generation(conf, 0);
	w->create = set_generation(trust, O_DIRECTORY);
}

static void expect_writes(struct __test_metadata *_metadata, const struct writes *w, int err)
{
	EXPECT_EQ(err, w->pem);
	EXPECT_EQ(err, w->conf);
	EXPECT_EQ(err, w->create);
}

#define NEED_DISK(k)                                                               \
	do {                                                                       \
		if (!trust_on_disk(_metadata, self, &(k)))                         \
			SKIP(return, "no scratch disk with serial " SCRATCH_SERIAL \
				     " (tests/vm/run.sh)");                        \
	} while (0)

/* Control: sbxd without self-protection; root writes before and after both. */
/* sbxd started armed, and the three writes refused before anything moves under them. */
static void start_armed(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
			struct disk *k, struct writes *w)
{
	self->armed = true;
	start_signed(_metadata, self, "");
	ASSERT_TRUE(logged(self, "self-protection on"));
	try_writes(self, k, w, "armed");
	expect_writes(_metadata, w, EPERM);
}

TEST_F_TIMEOUT(sbxd_k, guard_unarmed_writes_after_eviction_and_remount, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_signed(_metadata, self, "--protect no");
	try_writes(self, &k, &w, "unarmed");
	expect_writes(_metadata, &w, 0);
	evict(_metadata);
	try_writes(self, &k, &w, "unarmed, after drop_caches");
	expect_writes(_metadata, &w, 0);
	remount(_metadata, &k);
	try_writes(self, &k, &w, "unarmed, after umount -l and mount");
	expect_writes(_metadata, &w, 0);
	disk_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_eviction, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	evict(_metadata);
	try_writes(self, &k, &w, "armed, after drop_caches");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_remount, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	remount(_metadata, &k);
	try_writes(self, &k, &w, "armed, after umount -l and mount");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

/* Control for the generation: unarmed, it moves and root writes. */
TEST_F_TIMEOUT(sbxd_k, guard_unarmed_writes_after_setversion, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_signed(_metadata, self, "--protect no");
	set_generations(&k, self->conf, self->trust, &w);
	expect_writes(_metadata, &w, 0);
	try_writes(self, &k, &w, "unarmed, after FS_IOC_SETVERSION");
	expect_writes(_metadata, &w, 0);
	disk_done(self, &k);
}

/* atk8k G1: the generation moved under the guard, which is keyed by what creation sets. */
TEST_F_TIMEOUT(sbxd_k, guard_armed_survives_setversion, 300)
{
	struct writes w;
	struct disk k;

	NEED_DISK(k);
	start_armed(_metadata, self, &k, &w);
	set_generations(&k, self->conf, self->trust, &w);
	expect_writes(_metadata, &w, EPERM); /* an ioctl outside the read-only allow-list */
	try_writes(self, &k, &w, "armed, after FS_IOC_SETVERSION");
	expect_writes(_metadata, &w, EPERM);
	evict(_metadata); /* and read back from the disk with the new generation */
	try_writes(self, &k, &w, "armed, after FS_IOC_SETVERSION and drop_caches");
	expect_writes(_metadata, &w, EPERM);
	disk_done(self, &k);
}

/*
 * A guarded inode's attributes and extended attributes (atk8k's note): every change, for
 * root that is not sbxd, while armed, through a path: mode, owner, times (each set to what
 * it is: the hook sees the call, the control changes nothing sbxd reads), truncate, an
 * xattr of each namespace set (user., trusted., security., a POSIX ACL) and removed (one
 * set before the start). Reads (stat, listxattr) pass. errno of each, 0 = done.
 */
enum attr_op {
	CHMOD,
	CHOWN,
	UTIMES,
	TRUNCATE,
	SET_USER,
	SET_TRUSTED,
	SET_SECURITY,
	SET_ACL,
	RM_USER,
	RM_ACL,
	READS,
	ATTR_OPS
};
static const char *const attr_op_names[ATTR_OPS] = {
	"chmod",	 "chown",   "utimes",	    "truncate",	  "set user.",	    "set trusted.",
	"set security.", "set acl", "remove user.", "remove acl", "stat+listxattr",
};

/* An access ACL equal to mode's bits: user::, group::, other:: (struct posix_acl_xattr). */
static size_t acl_of(unsigned char *buf, mode_t mode)
{
	const struct {
		unsigned short tag, perm;
		unsigned int id;
	} e[3] = { { 0x01, (mode >> 6) & 7, ~0u },
		   { 0x04, (mode >> 3) & 7, ~0u },
		   { 0x20, mode & 7, ~0u } };
	const unsigned int version = 2;

	memcpy(buf, &version, 4);
	memcpy(buf + 4, e, sizeof(e));
	return 4 + sizeof(e);
}

/* What try_attrs removes: set before sbxd starts. */
static void attrs_before(struct __test_metadata *_metadata, const char *path)
{
	unsigned char acl[64];
	struct stat st;

	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0, setxattr(path, "user.sbx.before", "1", 1, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, setxattr(path, "system.posix_acl_access", acl, acl_of(acl, st.st_mode), 0))
	TH_LOG("%s", strerror(errno));
}

#define ERR(call) ((call) ? errno : 0)

static void try_attrs(const char *path, int err[ATTR_OPS], const char *when)
{
	unsigned char acl[64];
	char v[256];
	struct stat st;

	if (stat(path, &st)) {
		for (int i = 0; i < ATTR_OPS; i++)
			err[i] = errno;
		return;
	}
	err[CHMOD] = ERR(chmod(path, st.st_mode & 07777));
	err[CHOWN] = ERR(chown(path, st.st_uid, st.st_gid));
	err[UTIMES] = ERR(utimensat(AT_FDCWD, path, NULL, 0));
	err[TRUNCATE] = S_ISDIR(st.st_mode) ? EISDIR : ERR(truncate(path, st.st_size));
	err[SET_USER] = ERR(setxattr(path, "user.sbx", "1", 1, 0));
	err[SET_TRUSTED] = ERR(setxattr(path, "trusted.sbx", "1", 1, 0));
	err[SET_SECURITY] = ERR(setxattr(path, "security.sbx", "1", 1, 0));
	err[SET_ACL] =
		ERR(setxattr(path, "system.posix_acl_access", acl, acl_of(acl, st.st_mode), 0));
	err[RM_USER] = ERR(removexattr(path, "user.sbx.before"));
	err[RM_ACL] = ERR(removexattr(path, "system.posix_acl_access"));
	err[READS] = ERR(stat(path, &st) || listxattr(path, v, sizeof(v)) < 0);
	printf("# %s: %s:", when, path);
	for (int i = 0; i < ATTR_OPS; i++)
		printf(" %s %d", attr_op_names[i], err[i]);
	printf(" (errno, 0 = done)\n");
}

/* Every change answered err (a directory's truncate: EISDIR), the reads 0. */
static void expect_attrs(struct __test_metadata *_metadata, const int got[ATTR_OPS], int err,
			 bool dir)
{
	for (int i = 0; i < READS; i++) {
		EXPECT_EQ(i == TRUNCATE && dir ? EISDIR : err, got[i])
		TH_LOG("%s: %s", attr_op_names[i], strerror(got[i]));
	}
	EXPECT_EQ(0, got[READS]) TH_LOG("%s: %s", attr_op_names[READS], strerror(got[READS]));
}

/* The certificate, sbxd.conf and the trust directory, before sbxd starts; then each tried. */
static void attrs_case(struct __test_metadata *_metadata, FIXTURE_DATA(sbxd_k) * self,
		       struct disk *k, bool armed)
{
	const char *paths[] = { k->pem, self->conf, self->trust };
	int got[ATTR_OPS];
	struct writes w;

	ASSERT_EQ(0, write_file(self->conf, "mode = enforce\n", 15, 0644));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		attrs_before(_metadata, paths[i]);
	if (armed)
		start_armed(_metadata, self, k, &w);
	else
		start_signed(_metadata, self, "--protect no");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		try_attrs(paths[i], got, armed ? "armed" : "unarmed");
		expect_attrs(_metadata, got, armed ? EPERM : 0, paths[i] == self->trust);
	}
	disk_done(self, k);
}

/* Control: unarmed, root changes each attribute and xattr of the same files. */
TEST_F_TIMEOUT(sbxd_k, guard_unarmed_attrs_change, 300)
{
	struct disk k;

	NEED_DISK(k);
	attrs_case(_metadata, self, &k, false);
}

TEST_F_TIMEOUT(sbxd_k, guard_armed_refuses_attrs, 300)
{
	struct disk k;

	NEED_DISK(k);
	attrs_case(_metadata, self, &k, true);
}

TEST_HARNESS_MAIN
